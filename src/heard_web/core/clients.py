"""Which address a request came from, also behind reverse proxies (``HEARD_TRUSTED_PROXIES``).

Without proxies (the default, 0) the address is the connection's (``REMOTE_ADDR``) and
``X-Forwarded-For`` is ignored: anyone can send that header, so believing it would let a
client pick a fresh address for every request and slip past the story form's rate limit.

Behind N proxies that each append the address they received the request from, the last N
entries of ``X-Forwarded-For`` were written by those proxies; the client's address is the
N-th from the right. Entries further left came from the client itself and are never read.
A missing, short or malformed header falls back to ``REMOTE_ADDR`` (the nearest proxy):
those requests then share one rate-limit bucket instead of choosing their own.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest


def parse_address(value: str) -> str | None:
    """``value`` as a normalised IP address, or None; accepts ``1.2.3.4:80`` and ``[::1]:80``."""
    value = value.strip()
    if value.startswith("["):
        end = value.find("]")
        if end == -1 or (value[end + 1 :] and not value[end + 1 :].startswith(":")):
            return None
        value = value[1:end]
    elif value.count(":") == 1:  # IPv4 with a port; a bare IPv6 address has several colons
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def address_from(meta: Mapping[str, Any], trusted_proxies: int) -> str | None:
    """The client's address from a request's META, trusting ``trusted_proxies`` proxies."""
    remote = parse_address(str(meta.get("REMOTE_ADDR") or ""))
    if trusted_proxies <= 0:
        return remote
    forwarded = str(meta.get("HTTP_X_FORWARDED_FOR") or "")
    entries = [entry.strip() for entry in forwarded.split(",")] if forwarded.strip() else []
    if len(entries) < trusted_proxies:
        return remote
    return parse_address(entries[-trusted_proxies]) or remote


def client_address(request: HttpRequest | None) -> str | None:
    """The address of the client that sent ``request`` (see the module's docstring)."""
    if request is None:
        return None
    return address_from(request.META, settings.TRUSTED_PROXIES)
