"""`heard serve` end to end: a real server and worker in a subprocess, on a loopback port."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from heard_web.testing import HEARD, free_port, running_server


@contextmanager
def scratch_database() -> Iterator[str | None]:
    """A PostgreSQL database of its own when DATABASE_URL is set (dropped afterwards)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield None
        return
    import psycopg

    parts = urlsplit(url)
    # A new name each time: a server killed by a test may leave sessions behind for a moment.
    name = f"heard_serve_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, dict[str, str], subprocess.Popen[str]]]:
    with scratch_database() as database_url:
        env = {
            **os.environ,
            "HEARD_DATA_DIR": str(tmp_path / "data"),
            "DJANGO_SUPERUSER_USERNAME": "admin",
            "DJANGO_SUPERUSER_PASSWORD": "a long synthetic password 42",
            "DJANGO_SUPERUSER_EMAIL": "admin@example.org",
        }
        env.pop("DJANGO_SETTINGS_MODULE", None)
        env.pop("SECRET_KEY", None)
        if database_url:
            env["DATABASE_URL"] = database_url
        with running_server(env, log_path=tmp_path / "serve.log") as (base, server):
            yield base, env, server


@pytest.mark.slow
def test_heard_serve_answers_and_its_worker_runs_tasks(served):
    base, env, server = served
    status, body = get(base + "/health/")
    health = json.loads(body)
    assert status == 200 and health["status"] == "ok"
    assert health["database"]["vendor"] == ("postgresql" if "DATABASE_URL" in env else "sqlite")
    assert health["tasks"]["backend"] == ("rq" if env.get("REDIS_URL") else "database")

    status, body = get(base + "/accounts/sign-in/")
    assert status == 200 and b"Sign in to heard" in body
    assert get(base + "/static/heard/css/heard.css")[0] == 200
    assert get(base + "/static/heard/js/htmx.min.js")[0] == 200
    if "DATABASE_URL" not in env:
        import sqlite3

        with sqlite3.connect(Path(env["HEARD_DATA_DIR"]) / "heard.sqlite3") as db:
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"

    checked = subprocess.run(
        [*HEARD, "manage", "check_worker", "--timeout", "60"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "A worker answered" in checked.stdout

    created = subprocess.run(
        [
            *HEARD,
            "manage",
            "shell",
            "-c",
            "from django.contrib.auth.models import User; "
            "print(User.objects.get(username='admin').is_superuser)",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert created.stdout.strip().splitlines()[-1] == "True", created.stderr


@pytest.mark.slow
def test_stopping_heard_serve_stops_its_worker_too(served):
    _, _, server = served
    deadline = time.monotonic() + 20
    while not children_of(server.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    workers = children_of(server.pid)
    assert workers, "heard serve started no worker"
    server.send_signal(signal.SIGTERM)
    assert server.wait(30) == 0
    deadline = time.monotonic() + 15
    while any(Path(f"/proc/{pid}").exists() and "Z" not in _state(pid) for pid in workers):
        assert time.monotonic() < deadline, "the worker outlived heard serve"
        time.sleep(0.2)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


def test_a_bad_setting_stops_heard_serve_with_a_clear_message(tmp_path):
    env = {**os.environ, "HEARD_DATA_DIR": str(tmp_path), "DEBUG": "ture"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [*HEARD, "serve", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "DEBUG='ture' is not a yes/no value" in result.stderr


def test_heard_serve_says_when_the_port_is_taken(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "HEARD_DATA_DIR": str(tmp_path / "data")}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        result = subprocess.run(
            [*HEARD, "serve", "--port", str(port)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
    assert result.returncode == 1
    assert f"could not listen on 127.0.0.1:{port}" in result.stderr
    assert "--port" in result.stderr


@pytest.mark.slow
def test_a_worker_that_dies_is_started_again(served):
    _, _, server = served
    deadline = time.monotonic() + 20
    while not children_of(server.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    (first,) = children_of(server.pid)
    os.kill(first, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while True:
        alive = [pid for pid in children_of(server.pid) if pid != first and _state(pid) != "Z"]
        if alive:
            break
        assert time.monotonic() < deadline, "no new worker within 30 s"
        time.sleep(0.3)


def test_heard_serve_asks_for_the_first_administrator_on_a_terminal(tmp_path):
    """With no account and a terminal, heard serve asks for one before it serves."""
    import fcntl
    import pty
    import termios

    primary, secondary = pty.openpty()
    env = {**os.environ, "HEARD_DATA_DIR": str(tmp_path / "data")}
    for name in (
        "DJANGO_SETTINGS_MODULE",
        "DATABASE_URL",
        "REDIS_URL",
        "DJANGO_SUPERUSER_USERNAME",
    ):
        env.pop(name, None)

    def take_terminal() -> None:  # getpass reads the password from the controlling terminal
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    port = free_port()
    server = subprocess.Popen(
        [*HEARD, "serve", "--port", str(port), "--no-worker"],
        env=env,
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        start_new_session=True,
        preexec_fn=take_terminal,
    )
    os.close(secondary)
    seen = b""

    def until(text: bytes, timeout: float = 60) -> None:
        nonlocal seen
        deadline = time.monotonic() + timeout
        while text not in seen:
            assert time.monotonic() < deadline, seen.decode(errors="replace")
            try:
                seen += os.read(primary, 4096)
            except OSError:
                time.sleep(0.1)

    try:
        until(b"Create the first administrator")
        until(b"Username")
        os.write(primary, b"ada\n")
        until(b"Email address")
        os.write(primary, b"ada@example.org\n")
        until(b"Password:")
        os.write(primary, b"a long synthetic password 42\n")
        until(b"Password (again)")
        os.write(primary, b"a long synthetic password 42\n")
        until(b"heard is running at")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
        os.close(primary)
    created = subprocess.run(
        [
            *HEARD,
            "manage",
            "shell",
            "-c",
            "from django.contrib.auth.models import User; print(User.objects.get().username)",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert created.stdout.strip().splitlines()[-1] == "ada", created.stderr
