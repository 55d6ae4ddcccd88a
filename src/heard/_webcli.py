"""``heard serve``, ``heard worker`` and ``heard manage``: the web workspace's commands.

The web app (``heard_web``, Django) is imported inside each command, never at import time:
the library and ``heard --help`` do not load Django.
"""

from __future__ import annotations

import click

from heard._clierrors import friendly_errors

_friendly_errors = friendly_errors("Give heard more memory, or run the worker on its own.")


@click.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (0.0.0.0 for every network; then set ALLOWED_HOSTS).",
)
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on.",
)
@click.option(
    "--no-worker",
    is_flag=True,
    help="Do not start the background worker here (run `heard worker` separately).",
)
@click.option(
    "--threads",
    type=click.IntRange(1, 256),
    default=8,
    show_default=True,
    help="Requests handled at the same time.",
)
@click.option(
    "--demo",
    is_flag=True,
    help="Serve the bundled sample project, imported and analysed, with a demo login "
    "(data in ./heard-demo unless HEARD_DATA_DIR is set).",
)
@click.option("--debug", is_flag=True, help="Show full tracebacks for unexpected errors.")
@_friendly_errors
def serve_command(
    host: str, port: int, no_worker: bool, threads: int, demo: bool, debug: bool
) -> None:
    """Start the web workspace for teams (data in $HEARD_DATA_DIR, default ./heard-data).

    Creates the data folder and database on first run, applies migrations, creates the first
    administrator (from DJANGO_SUPERUSER_USERNAME / _PASSWORD / _EMAIL, or asks), starts the
    background worker and serves http://HOST:PORT/ until Ctrl-C.
    """
    if demo:
        from heard_web.demo import serve_demo

        serve_demo(host=host, port=port, worker=not no_worker, threads=threads)
        return
    from heard_web.server import serve

    serve(host=host, port=port, worker=not no_worker, threads=threads)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run the tasks waiting now, then stop.")
@click.option("--parent-pid", type=int, hidden=True)
@click.option("--debug", is_flag=True, help="Show full tracebacks for unexpected errors.")
@_friendly_errors
def worker_command(burst: bool, parent_pid: int | None, debug: bool) -> None:
    """Run the background worker (imports, analyses, reports) without the web server.

    Uses RQ when REDIS_URL is set, the database queue otherwise. `heard serve` starts one
    itself unless given --no-worker.
    """
    from heard_web.server import run_worker

    run_worker(parent_pid=parent_pid, burst=burst)


@click.command(
    "manage",
    context_settings={
        "ignore_unknown_options": True,
        "allow_extra_args": True,
        "help_option_names": [],
    },
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage_command(args: tuple[str, ...]) -> None:
    """Django's management commands for the web workspace (heard manage help).

    For example: heard manage createsuperuser, heard manage changepassword NAME.
    """
    from heard_web.server import manage

    manage(list(args) or ["help"])


@click.command("backup")
@click.argument("path", required=False, type=click.Path(dir_okay=True, path_type=str))
@click.option("--debug", is_flag=True, help="Show full tracebacks for unexpected errors.")
@_friendly_errors
def backup_command(path: str | None, debug: bool) -> None:
    """Back up the web workspace: its database and data folder, in one .tar.gz file.

    PATH is the file to write (or a folder to write it in); by default
    heard-backup-DATE-TIME.tar.gz here. SQLite is copied with its online backup API, so the
    server and worker can keep running; PostgreSQL (DATABASE_URL) with pg_dump.
    """
    from pathlib import Path

    from heard_web.backup import backup
    from heard_web.server import setup

    setup()
    written, manifest = backup(Path(path) if path else None)
    size = written.stat().st_size / 1e6
    click.echo(
        f"Backed up the {manifest['database']} database and {manifest['files']} data file(s) "
        f"to {written} ({size:.1f} MB). It holds people's stories: keep it as safe as the server."
    )


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--debug", is_flag=True, help="Show full tracebacks for unexpected errors.")
@_friendly_errors
def restore_command(path: str, yes: bool, debug: bool) -> None:
    """Restore the web workspace from a backup made by `heard backup` (replaces everything).

    Stop `heard serve` and `heard worker` first. The database and the data folder become
    what they were at the backup, except that stories erased since then are erased again:
    the erasure ledger in the data folder (erasure-ledger.jsonl) lists them. Restoring on
    another machine, copy that file into its data folder first.
    """
    from pathlib import Path

    from heard_web.backup import restore
    from heard_web.server import setup

    if not yes:
        click.confirm(
            "This replaces the workspace's database and data folder with the backup. Go on?",
            abort=True,
        )
    setup()
    manifest = restore(Path(path))
    click.echo(
        f"Restored the backup made {manifest['created_at']} "
        f"(heard {manifest['heard_version']}, {manifest['files']} data file(s))."
    )
    again = manifest["erased_again"]
    click.echo(
        f"Erased again {again} stor{'y' if again == 1 else 'ies'} that had been erased "
        "after the backup was made (listed in the erasure ledger of the data folder)."
    )
