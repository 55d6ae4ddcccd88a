"""The client's address behind trusted reverse proxies (core.clients, HEARD_TRUSTED_PROXIES)."""

from __future__ import annotations

import pytest

from heard_web.core.clients import address_from, parse_address


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("203.0.113.5", "203.0.113.5"),
        (" 203.0.113.5 ", "203.0.113.5"),
        ("203.0.113.5:4711", "203.0.113.5"),
        ("2001:db8::1", "2001:db8::1"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("2001:DB8:0::1", "2001:db8::1"),
        ("", None),
        ("unknown", None),
        ("999.1.1.1", None),
        ("[2001:db8::1", None),
        ("[2001:db8::1]x", None),
        ("203.0.113.5:80:80", None),
    ],
)
def test_an_address_is_read_in_its_usual_forms_and_anything_else_is_refused(value, expected):
    assert parse_address(value) == expected


def test_without_trusted_proxies_the_header_is_ignored():
    meta = {"REMOTE_ADDR": "192.0.2.1", "HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    assert address_from(meta, 0) == "192.0.2.1"


def test_the_nth_entry_from_the_right_is_the_client_behind_n_proxies():
    meta = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "1.1.1.1, 203.0.113.5, 10.0.0.1"}
    assert address_from(meta, 1) == "10.0.0.1"
    assert address_from(meta, 2) == "203.0.113.5"
    assert address_from(meta, 3) == "1.1.1.1"
    assert address_from(meta, 4) == "10.0.0.2"  # fewer entries than proxies: not believed


def test_a_bad_entry_where_the_client_should_be_falls_back_to_the_connection():
    meta = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.5, garbage"}
    assert address_from(meta, 1) == "10.0.0.2"
    assert address_from({"REMOTE_ADDR": "10.0.0.2"}, 1) == "10.0.0.2"
    assert address_from({}, 1) is None


@pytest.mark.django_db
def test_the_audit_log_records_the_address_the_trusted_proxy_saw(rf, settings):
    from django.contrib.auth.models import AnonymousUser

    from heard_web.accounts.models import AuditAction
    from heard_web.accounts.services import record_event

    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    request.user = AnonymousUser()
    assert record_event(AuditAction.EXPORTED, request=request).ip_address == "10.0.0.1"
    settings.TRUSTED_PROXIES = 1
    assert record_event(AuditAction.EXPORTED, request=request).ip_address == "203.0.113.5"


HTTPS_PROXY = ("HTTP_X_FORWARDED_PROTO", "https")  # what BEHIND_HTTPS_PROXY=true sets


@pytest.mark.parametrize(
    ("trusted", "https_proxy", "passed_on"),
    [(0, None, False), (1, None, True), (0, HTTPS_PROXY, True)],
)
def test_heard_serve_passes_forwarded_headers_on_only_when_told_proxies_are_in_front(
    settings, trusted, https_proxy, passed_on
):
    import threading
    import urllib.request

    from waitress import create_server

    from heard_web.server import proxy_options

    settings.TRUSTED_PROXIES = trusted
    settings.SECURE_PROXY_SSL_HEADER = https_proxy

    def echo(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [environ.get("HTTP_X_FORWARDED_FOR", "-").encode()]

    server = create_server(echo, host="127.0.0.1", port=0, **proxy_options())
    closing = threading.Event()

    def serve():
        # waitress has no stop call: closing the server under its select() loop ends the
        # loop with EBADF, which is expected then and only then.
        try:
            server.run()
        except OSError:
            if not closing.is_set():
                raise

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        request = urllib.request.Request(
            f"http://127.0.0.1:{server.effective_port}/",
            headers={"X-Forwarded-For": "203.0.113.5"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            seen = response.read().decode()
    finally:
        closing.set()
        server.close()
        thread.join(10)
    assert seen == ("203.0.113.5" if passed_on else "-")
