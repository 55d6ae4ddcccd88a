"""``heard serve``, ``heard worker`` and ``heard manage``: running the web app from the CLI.

``heard.cli`` imports this module inside those commands only, so ``heard --help`` and the
library never load Django.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any

from heard.errors import HeardError

SETTINGS = "heard_web.settings"


def setup() -> None:
    """Load the settings (creating the data folder) and Django, with clear configuration errors."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    from django.core.exceptions import ImproperlyConfigured

    try:
        import django

        django.setup()
    except ImproperlyConfigured as exc:
        raise HeardError(f"heard's settings are not right: {exc}") from exc


def _database_problem(exc: Exception) -> HeardError:
    from django.conf import settings

    db = settings.DATABASES["default"]
    where = (
        f"PostgreSQL at {db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{db['NAME']}"
        if "postgresql" in db["ENGINE"]
        else f"SQLite file {db['NAME']}"
    )
    return HeardError(
        f"heard could not open its database ({where}): {str(exc).strip()}. "
        "Check that the database server is running and that DATABASE_URL is right "
        "(or unset it to use SQLite in HEARD_DATA_DIR)."
    )


def prepare(*, interactive: bool | None = None, quiet: bool = False) -> None:
    """Apply migrations and make sure an administrator exists (from the environment or asked)."""
    from django.core.management import call_command
    from django.db import DatabaseError

    try:
        call_command("migrate", interactive=False, verbosity=0)
    except DatabaseError as exc:
        raise _database_problem(exc) from exc
    ensure_admin(
        interactive=sys.stdin.isatty() and sys.stdout.isatty()
        if interactive is None
        else interactive,
        quiet=quiet,
    )


def ensure_admin(*, interactive: bool, quiet: bool = False) -> None:
    """The first administrator: from DJANGO_SUPERUSER_* when set, else asked for on a terminal."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    User = get_user_model()
    username = os.environ.get("DJANGO_SUPERUSER_USERNAME", "").strip()
    if username:
        if User.objects.filter(username=username).exists():
            return
        if not os.environ.get("DJANGO_SUPERUSER_PASSWORD"):
            raise HeardError(
                f"DJANGO_SUPERUSER_USERNAME={username} is set but DJANGO_SUPERUSER_PASSWORD is "
                "not. Set both to create the first administrator, or unset the username."
            )
        call_command(
            "createsuperuser",
            interactive=False,
            username=username,
            email=os.environ.get("DJANGO_SUPERUSER_EMAIL", ""),
            verbosity=0,
        )
        if not quiet:
            print(f"Created the administrator account {username}.")
        return
    if User.objects.exists():
        return
    if interactive:
        print("No account exists yet. Create the first administrator:")
        call_command("createsuperuser", interactive=True)
    elif not quiet:
        print(
            "No account exists yet. Create one with: heard manage createsuperuser "
            "(or set DJANGO_SUPERUSER_USERNAME and DJANGO_SUPERUSER_PASSWORD)."
        )


def worker_command(parent_pid: int | None = None) -> list[str]:
    """The command line of ``heard worker`` run by the current Python."""
    command = [sys.executable, "-m", "heard.cli", "worker"]
    if parent_pid is not None:
        command += ["--parent-pid", str(parent_pid)]
    return command


def _watch_parent(parent_pid: int) -> None:
    """Stop this worker (gracefully) when the ``heard serve`` that started it has gone."""

    def watch() -> None:
        while True:
            time.sleep(2)
            if os.getppid() != parent_pid:
                os.kill(os.getpid(), signal.SIGTERM)
                return

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


RETENTION_EVERY = 24 * 3600.0
#: Set to stop the worker's retention thread (tests; the worker itself just exits).
retention_stop = threading.Event()


def _retention_daily() -> threading.Thread:
    """Erase stories past their project's retention period now, then once a day (a thread of
    the worker; ``heard manage apply_retention`` does the same by hand)."""

    def loop() -> None:
        from django.db import close_old_connections

        from heard_web.stories.erasure import apply_retention

        while not retention_stop.is_set():
            try:
                erased = apply_retention()
                if erased:
                    print(f"Retention: erased {erased}", file=sys.stderr)
            except Exception as exc:  # keep the worker running; try again tomorrow
                print(
                    f"Retention could not run ({exc}); heard tries again in a day.",
                    file=sys.stderr,
                )
            finally:
                close_old_connections()
            retention_stop.wait(RETENTION_EVERY)

    thread = threading.Thread(target=loop, name="retention", daemon=True)
    thread.start()
    return thread


def run_worker(*, parent_pid: int | None = None, burst: bool = False) -> None:
    """Run background tasks: RQ's worker when REDIS_URL is set, the database worker otherwise."""
    setup()
    from django.conf import settings
    from django.core.management import call_command

    if parent_pid is not None:
        _watch_parent(parent_pid)
    from heard_web.core.recovery import recover, worker_id

    try:
        abandoned = recover()
    except Exception as exc:  # never stop the worker from starting
        print(f"Could not check for jobs a stopped worker left ({exc}).", file=sys.stderr)
    else:
        if abandoned:
            print(
                f"Marked {abandoned} job(s) failed: a worker stopped while they ran.",
                file=sys.stderr,
            )
    if not burst:
        _retention_daily()
    if settings.REDIS_URL:
        call_command(
            "rqworker",
            *settings.TASK_QUEUES,
            job_class="django_tasks_rq.Job",
            burst=burst,
            with_scheduler=not burst,
        )
    else:
        call_command(
            "db_worker",
            queue_name=",".join(settings.TASK_QUEUES),
            worker_id=worker_id(),
            batch=burst,
            reload=False,
            startup_delay=not burst,
            interval=1,
        )


class _Worker:
    """``heard worker`` as a child of ``heard serve``, restarted if it stops unexpectedly."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="worker-supervisor", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        delay = 1.0
        while not self.stopping.is_set():
            started = time.monotonic()
            self.process = subprocess.Popen(worker_command(os.getpid()))
            code = self.process.wait()
            if self.stopping.is_set():
                return
            # A worker that ran a while gets restarted at once; one that keeps dying, less often.
            delay = 1.0 if time.monotonic() - started > 60 else min(delay * 2, 60)
            print(
                f"The background worker stopped (exit status {code}); restarting it in "
                f"{delay:.0f} s.",
                file=sys.stderr,
            )
            self.stopping.wait(delay)

    def stop(self, timeout: float = 20) -> None:
        self.stopping.set()
        process = self.process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def proxy_options() -> dict[str, Any]:
    """Waitress's handling of X-Forwarded-* headers, from heard's settings.

    Waitress removes them by default, since anyone can send them. When heard is told that
    proxies stand in front (``HEARD_TRUSTED_PROXIES``, ``BEHIND_HTTPS_PROXY``) they are
    passed on, and heard reads only the parts those proxies wrote (``core.clients``,
    Django's ``SECURE_PROXY_SSL_HEADER``).
    """
    from django.conf import settings

    behind_proxy = settings.TRUSTED_PROXIES > 0 or bool(
        getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    )
    return {"clear_untrusted_proxy_headers": not behind_proxy}


def serve(
    *, host: str = "127.0.0.1", port: int = 8000, worker: bool = True, threads: int = 8
) -> None:
    """Prepare the database, start the worker (unless told not to) and serve until stopped."""
    setup()
    from django.conf import settings

    prepare()
    from waitress import create_server

    from heard_web.wsgi import application

    try:
        server = create_server(
            application,
            host=host,
            port=port,
            threads=threads,
            # Many slow clients (a form on a phone) queue in waitress, not in the threads.
            connection_limit=1000,
            backlog=1024,
            channel_timeout=120,
            ident="heard",
            **proxy_options(),
        )
    except OSError as exc:
        raise HeardError(
            f"heard could not listen on {host}:{port} ({exc.strerror or exc}). Another program "
            f"may be using the port: stop it, or choose another with --port {port + 1}."
        ) from exc

    supervisor = _Worker() if worker else None

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    if supervisor is not None:
        supervisor.start()
    shown = f"[{host}]" if ":" in host else host
    print(f"heard is running at http://{shown}:{port}/  (Ctrl-C to stop)")
    print(f"Data folder: {settings.DATA_DIR}")
    print(
        f"Database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}; "
        f"background tasks: {'RQ on Redis' if settings.REDIS_URL else 'database'}"
        f"{'' if worker else ' (worker not started: run heard worker)'}"
    )
    if host not in {"127.0.0.1", "localhost", "::1"} and not os.environ.get("ALLOWED_HOSTS"):
        print("Note: set ALLOWED_HOSTS to the name people will use to reach this server.")
    sys.stdout.flush()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        print("Stopping heard...", flush=True)
        if supervisor is not None:
            supervisor.stop()
        server.close()


def manage(args: Sequence[str]) -> None:
    """Django's manage.py, for heard's settings: ``heard manage createsuperuser``."""
    setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["heard manage", *args])
