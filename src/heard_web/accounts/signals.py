"""Sign-ins and sign-outs go to the audit log (issue 5 shows it to owners)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from heard_web.accounts.models import AuditAction
from heard_web.accounts.services import record_event


@receiver(user_logged_in)
def _signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record_event(AuditAction.SIGN_IN, actor=user, request=request)


@receiver(user_logged_out)
def _signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record_event(AuditAction.SIGN_OUT, actor=user, request=request)


@receiver(user_login_failed)
def _sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    # The username tried is kept (it helps spot guessing); the password never is.
    record_event(
        AuditAction.SIGN_IN_FAILED,
        request=request,
        details={"username": str(credentials.get("username", ""))[:150]},
    )
