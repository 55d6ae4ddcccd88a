"""The API's one error shape: {"error": {"code": "...", "message": "...", "details": ...}}.

Every error the API returns uses it (validation, authentication, access, not found,
server errors). Declare the errors a route can return with ``error_responses``::

    @router.get("/projects/{slug}", response={200: ProjectOut, **error_responses(401, 404)})
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

log = logging.getLogger(__name__)


class ErrorBody(Schema):
    code: str
    message: str
    details: Any = None


class ErrorOut(Schema):
    error: ErrorBody


CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid_request",
    429: "too_many_requests",
    500: "server_error",
    503: "unavailable",
}


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """``{401: ErrorOut, 404: ErrorOut}`` for a route's ``response=`` (documents the envelope)."""
    return dict.fromkeys(statuses, ErrorOut)


class ApiError(HttpError):
    """Raise in a route for an error with a specific code and details."""

    def __init__(self, status: int, message: str, *, code: str = "", details: Any = None) -> None:
        super().__init__(status, message)
        self.code = code or CODES.get(status, "error")
        self.details = details


def envelope(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    message: str,
    *,
    code: str = "",
    details: Any = None,
) -> HttpResponse:
    body = {
        "error": {
            "code": code or CODES.get(status, "error"),
            "message": message,
            "details": details,
        }
    }
    return api.create_response(request, body, status=status)


def enveloped_405(api: NinjaAPI, view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a ninja view so its "method not allowed" answer is the envelope (Allow kept)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            response = envelope(
                api,
                request,
                405,
                f"{request.method} is not allowed here; use {allowed}.",
                details={"allowed": [m.strip() for m in allowed.split(",")]},
            )
            response["Allow"] = allowed
        return response

    return wrapper


def not_found_view(api: NinjaAPI) -> Callable[..., HttpResponse]:
    """The answer for any path under /api/ that is not a route: the envelope's 404."""

    @csrf_exempt
    def not_found(request: HttpRequest) -> HttpResponse:
        return envelope(
            api,
            request,
            404,
            "There is no such API route. The routes are listed at /api/docs.",
        )

    return not_found


def install(api: NinjaAPI) -> None:
    """Register the handlers that turn every failure into the envelope."""

    @api.exception_handler(ValidationError)
    def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return envelope(
            api, request, 422, "The request is not valid; see details.", details=exc.errors
        )

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return envelope(
            api,
            request,
            401,
            "Send a valid API token: Authorization: Bearer heard_... "
            "(create one under your account in heard).",
        )

    @api.exception_handler(AuthorizationError)
    def _unauthorised(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
        return envelope(api, request, 403, str(exc) or "You cannot do this.")

    @api.exception_handler(PermissionDenied)
    def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return envelope(api, request, 403, str(exc) or "You cannot do this.")

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return envelope(api, request, 404, str(exc) or "Not found.")

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400 and str(exc) == "Cannot parse request body":
            return envelope(
                api,
                request,
                400,
                "The request body is not valid JSON. Send a JSON object with "
                "Content-Type: application/json.",
                code="invalid_json",
            )
        return envelope(
            api,
            request,
            exc.status_code,
            str(exc),
            code=getattr(exc, "code", ""),
            details=getattr(exc, "details", None),
        )

    @api.exception_handler(Exception)
    def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        log.exception("API error on %s %s", request.method, request.path)
        return envelope(
            api,
            request,
            500,
            "heard hit an unexpected problem; the details are in the server's log.",
        )
