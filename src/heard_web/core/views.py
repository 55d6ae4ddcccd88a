"""Pages that belong to no single app: the start page, the health check, error pages."""

from __future__ import annotations

import logging
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from heard_web.core.tasks import backend_status
from heard_web.core.version import VERSION

log = logging.getLogger(__name__)


def home(request: HttpRequest) -> HttpResponse:
    """Signed-in people go to their projects; everyone else to the sign-in page."""
    if request.user.is_authenticated:
        return redirect("projects:index")
    return redirect("login")


def health_report() -> tuple[bool, dict[str, Any]]:
    """Whether the database and the task queue answer, with what each said."""
    checks: dict[str, Any] = {}
    healthy = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = {"ok": True, "vendor": connection.vendor}
    except Exception as exc:
        log.exception("Health check: the database did not answer")
        checks["database"] = {"ok": False, "vendor": connection.vendor, "error": type(exc).__name__}
        healthy = False
    try:
        checks["tasks"] = backend_status()
    except Exception as exc:
        log.exception("Health check: the task queue did not answer")
        checks["tasks"] = {"ok": False, "error": type(exc).__name__}
        healthy = False
    return healthy, {"status": "ok" if healthy else "error", "version": VERSION, **checks}


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """200 with {"status": "ok", ...} when the database and the task queue answer, else 503."""
    healthy, body = health_report()
    return JsonResponse(body, status=200 if healthy else 503)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/errors/404.html", status=404)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else ""
    return render(request, "core/errors/403.html", {"message": message}, status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its security token (an old page, or cookies blocked): say what to do.

    Also what a member of the public sees on the story form, so no jargon.
    """
    return render(request, "core/errors/csrf.html", status=403)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "core/errors/500.html", status=500)
