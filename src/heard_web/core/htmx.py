"""The partial-or-full-page convention for htmx (see heard_web/README.md)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def render_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render ``template`` (a full page), or only ``partial`` when htmx asked for it.

    The full page includes the partial, so both show the same thing::

        return render_page(request, "stories/story/index.html", ctx,
                           partial="stories/story/_results.html")
    """
    chosen = partial if partial and getattr(request, "htmx", False) else template
    return render(request, chosen, context or {}, status=status)


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))
