"""Start ``heard serve`` in a subprocess and wait until it answers: for heard's own tests and benchmarks.

The serve, durability and browser tests and the web and form-load benchmarks all need a real
server on a free loopback port. This module is that one recipe. It imports no Django (the
benchmarks use it before Django is set up) and nothing in heard or heard_web imports it.

    with running_server(env, ["--no-worker"], log_path=tmp / "serve.log") as (base, process):
        urllib.request.urlopen(base + "/health/")
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

HEARD = [sys.executable, "-m", "heard.cli"]


class ServerDidNotStart(RuntimeError):
    """``heard serve`` exited, or did not answer /health/ in time; the message holds its log's end."""


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (the OS's choice)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def log_tail(log_path: Path | None, lines: int = 60) -> str:
    """The last ``lines`` lines of the server's log, or a note saying there is none."""
    if log_path is None:
        return "(no log kept)"
    try:
        return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"(no log at {log_path})"


def wait_until_healthy(
    base_url: str,
    process: subprocess.Popen[str],
    timeout: float,
    log_path: Path | None = None,
) -> None:
    """Return once ``base_url``/health/ answers 200; raise ServerDidNotStart if it exits or times out."""
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise ServerDidNotStart(
                f"heard serve stopped (exit code {process.returncode}) before answering "
                f"{base_url}/health/. The end of its log:\n{log_tail(log_path)}"
            )
        try:
            with urllib.request.urlopen(base_url + "/health/", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:  # not listening yet, or an HTTP error (URLError is an OSError)
            pass
        if time.monotonic() > deadline:
            raise ServerDidNotStart(
                f"heard serve did not answer {base_url}/health/ within {timeout:.0f} s. "
                f"The end of its log:\n{log_tail(log_path)}"
            )
        time.sleep(0.3)


@contextmanager
def running_server(
    env: Mapping[str, str],
    serve_args: Sequence[str] = (),
    *,
    log_path: Path,
    port: int | None = None,
    timeout: float = 90,
    grace: float = 30,
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """``heard serve SERVE_ARGS --host 127.0.0.1 --port PORT`` until the block ends.

    ``env`` is the server's whole environment (data folder, DATABASE_URL, ...); its output goes
    to ``log_path`` (overwritten); ``port`` defaults to a free one. Yields the base URL and the
    process once /health/ answers. The server runs in a process group of its own, so a test may
    kill it and every child with ``os.killpg(process.pid, signal.SIGKILL)``. At the end, if it
    still runs, it gets SIGTERM (it stops its worker itself) and, after ``grace`` seconds, its
    whole group gets SIGKILL.
    """
    port = free_port() if port is None else port
    base_url = f"http://127.0.0.1:{port}"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [*HEARD, "serve", *serve_args, "--host", "127.0.0.1", "--port", str(port)],
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
    try:
        wait_until_healthy(base_url, process, timeout, log_path)
        yield base_url, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(grace)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
