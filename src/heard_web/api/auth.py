"""API authentication: a personal token (``Authorization: Bearer heard_...``) or the session."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from heard_web.accounts.models import ApiToken, hash_token


class TokenAuth(HttpBearer):
    """Accepts an active ApiToken; the request then acts as the token's user."""

    openapi_description = "A personal API token: Authorization: Bearer heard_..."

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = (
            ApiToken.objects.active()
            .select_related("user")
            .filter(token_hash=hash_token(token.strip()))
            .first()
        )
        if found is None or not found.user.is_active:
            return None
        now = timezone.now()
        # Write last_used_at at most once a minute: busy scripts should not write on every call.
        if found.last_used_at is None or now - found.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


class ActiveSessionAuth(SessionAuth):
    """The browser's session (with CSRF on changes), for pages that call the API."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None
