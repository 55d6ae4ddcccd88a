"""Accounts: organisations, API tokens and the audit log (no call to the heard library here)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import slugify

from heard_web.accounts.models import ApiToken, AuditAction, AuditEvent, Organisation
from heard_web.core.clients import client_address


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address for the log (behind trusted proxies, the one they saw)."""
    return client_address(request)


def record_event(
    action: AuditAction | str,
    *,
    actor: Any = None,
    project: Any = None,
    target: models.Model | None = None,
    details: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Write one audit event. ``details`` must never hold story text or personal data."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AuditEvent.objects.create(
        action=str(action),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor.get_username() if getattr(actor, "pk", None) else "",
        project=project,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        details=details or {},
        ip_address=client_ip(request),
    )


# Slugs that would collide with fixed URLs such as /projects/new/.
RESERVED_SLUGS = frozenset({"new", "api", "admin", "static", "health", "accounts"})


def unique_slug(
    model: type[models.Model], name: str, field: str = "slug", max_length: int = 80
) -> str:
    """A slug from ``name`` that no row of ``model`` has yet ("adoption-2026", "adoption-2026-2")."""
    base = (slugify(name) or "project")[: max_length - 6].strip("-") or "project"
    slug, n = base, 1
    manager = model._default_manager
    while slug in RESERVED_SLUGS or manager.filter(**{field: slug}).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def create_organisation(name: str, user: Any) -> Organisation:
    return Organisation.objects.create(
        name=name.strip(), slug=unique_slug(Organisation, name), created_by=user
    )


def organisations_for(user: Any) -> models.QuerySet[Organisation]:
    """Organisations the user created or has a project in: where they may start a project."""
    return Organisation.objects.filter(
        models.Q(created_by=user) | models.Q(projects__memberships__user=user)
    ).distinct()


def issue_token(user: Any, name: str, request: HttpRequest | None = None) -> tuple[ApiToken, str]:
    """A new API token for ``user``; the raw token is returned once and never stored."""
    token, raw = ApiToken.issue(user, name)
    record_event(
        AuditAction.TOKEN_CREATED,
        actor=user,
        target=token,
        request=request,
        details={"name": name, "prefix": token.prefix},
    )
    return token, raw


def revoke_token(token: ApiToken, request: HttpRequest | None = None) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record_event(
        AuditAction.TOKEN_REVOKED,
        actor=token.user,
        target=token,
        request=request,
        details={"prefix": token.prefix},
    )
