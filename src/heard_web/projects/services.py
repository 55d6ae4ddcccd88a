"""Projects and their members (no call to the heard library here)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from heard_web.accounts.models import AuditAction, Membership, Organisation, Role
from heard_web.accounts.services import create_organisation, record_event, unique_slug
from heard_web.projects.models import Project


class MembershipError(Exception):
    """A change to the members that would leave the project in a bad state; message says why."""


@transaction.atomic
def create_project(
    user: Any,
    *,
    name: str,
    description: str = "",
    organisation: Organisation | None = None,
    new_organisation: str = "",
    request: Any = None,
) -> Project:
    """A new project with ``user`` as its first owner (in a new organisation if asked)."""
    if organisation is None:
        organisation = create_organisation(
            new_organisation or f"{user.get_username()}'s team", user
        )
    project = Project.objects.create(
        organisation=organisation,
        name=name.strip(),
        slug=unique_slug(Project, name),
        description=description.strip(),
        created_by=user,
    )
    Membership.objects.create(user=user, project=project, role=Role.OWNER, added_by=user)
    record_event(
        AuditAction.PROJECT_CREATED, actor=user, project=project, target=project, request=request
    )
    return project


def owners_left(project: Project, without: Membership) -> int:
    return project.memberships.filter(role=Role.OWNER).exclude(pk=without.pk).count()


@transaction.atomic
def add_member(
    project: Project, *, username_or_email: str, role: str, by: Any, request: Any = None
) -> Membership:
    User = get_user_model()
    needle = username_or_email.strip()
    user = (
        User.objects.filter(username__iexact=needle).first()
        or User.objects.filter(email__iexact=needle).exclude(email="").first()
    )
    if user is None:
        raise MembershipError(
            f"There is no heard account called {needle!r}. Ask the person who runs heard to "
            "create one, then add it here."
        )
    if Membership.objects.filter(project=project, user=user).exists():
        raise MembershipError(f"{user.get_username()} is already a member of this project.")
    membership = Membership.objects.create(project=project, user=user, role=role, added_by=by)
    record_event(
        AuditAction.MEMBER_ADDED,
        actor=by,
        project=project,
        target=membership,
        details={"user": user.get_username(), "role": role},
        request=request,
    )
    return membership


@transaction.atomic
def change_role(membership: Membership, role: str, *, by: Any, request: Any = None) -> Membership:
    if (
        membership.role == Role.OWNER
        and role != Role.OWNER
        and not owners_left(membership.project, membership)
    ):
        raise MembershipError(
            "A project needs at least one owner. Make someone else an owner first."
        )
    before = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    record_event(
        AuditAction.ROLE_CHANGED,
        actor=by,
        project=membership.project,
        target=membership,
        request=request,
        details={"user": membership.user.get_username(), "from": before, "to": role},
    )
    return membership


@transaction.atomic
def remove_member(membership: Membership, *, by: Any, request: Any = None) -> None:
    if membership.role == Role.OWNER and not owners_left(membership.project, membership):
        raise MembershipError(
            "A project needs at least one owner. Make someone else an owner first."
        )
    record_event(
        AuditAction.MEMBER_REMOVED,
        actor=by,
        project=membership.project,
        target=membership,
        request=request,
        details={"user": membership.user.get_username(), "role": membership.role},
    )
    membership.delete()


def update_settings(project: Project, changed: list[str], *, by: Any, request: Any = None) -> None:
    """Save a project whose fields a form has changed; audit which fields (not their values)."""
    project.save()
    if changed:
        record_event(
            AuditAction.SETTINGS_CHANGED,
            actor=by,
            project=project,
            target=project,
            details={"fields": sorted(changed)},
            request=request,
        )
