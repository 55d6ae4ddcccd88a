"""``heard backup`` and ``heard restore``: the database and the data folder in one archive.

A backup is a ``.tar.gz`` holding ``manifest.json``, the database (SQLite: a copy made with
SQLite's online backup API, consistent while the server and worker keep working;
PostgreSQL: ``pg_dump --format=custom``) and every other file of the data folder
(``HEARD_DATA_DIR``: the secret key, downloads, uploads waiting to be imported).

Restoring puts the database back (SQLite: the backup API again, into the live file;
PostgreSQL: ``pg_restore --clean`` in one transaction), replaces the data folder's files
with the archived ones and applies any newer migrations. Stop the server and worker first.

The erasure ledger (``stories.ledger``, in the data folder) is the one file a restore does
not replace: the backup's entries are added to it, and every story it lists that the
restored database holds (erased after the backup was made) is erased again, through the
same code as any erasure.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from heard.errors import HeardError

SQLITE_NAME = "database.sqlite3"
POSTGRES_NAME = "database.pgdump"
FORMAT = 1


def _database() -> dict[str, Any]:
    from django.conf import settings

    return dict(settings.DATABASES["default"])


def _is_postgres(db: dict[str, Any]) -> bool:
    return "postgresql" in db["ENGINE"]


def _pg_args(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    if shutil.which(command[0]) is None:
        raise HeardError(
            f"{command[0]} was not found, and heard needs it to {what} a PostgreSQL database. "
            "Install the PostgreSQL client tools (Debian/Ubuntu: apt install postgresql-client) "
            "in the version of your server, then try again."
        )
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise HeardError(
            f"{command[0]} could not {what} the database: {done.stderr.strip()[:1000]}. "
            "Check DATABASE_URL and that the server is running."
        )


def _data_files(data_dir: Path, skip: set[Path]) -> list[Path]:
    return sorted(p for p in data_dir.rglob("*") if p.is_file() and p.resolve() not in skip)


def _sqlite_skip(db: dict[str, Any]) -> set[Path]:
    name = Path(db["NAME"]).resolve()
    return {name, Path(f"{name}-wal"), Path(f"{name}-shm"), Path(f"{name}-journal")}


def default_path() -> Path:
    return Path.cwd() / f"heard-backup-{datetime.now(UTC):%Y%m%d-%H%M%S}.tar.gz"


def backup(path: Path | None = None) -> tuple[Path, dict[str, Any]]:
    """Write a backup archive to ``path``; returns it and its manifest."""
    from django.conf import settings

    from heard_web.core.version import VERSION

    path = Path(path or default_path()).expanduser().resolve()
    if path.exists() and path.is_dir():
        path = path / default_path().name
    path.parent.mkdir(parents=True, exist_ok=True)
    db = _database()
    data_dir = Path(settings.DATA_DIR).resolve()
    skip = {path}
    with tempfile.TemporaryDirectory(prefix="heard-backup-") as tmp:
        work = Path(tmp)
        if _is_postgres(db):
            dump = work / POSTGRES_NAME
            args, env = _pg_args(db)
            _run(
                [
                    "pg_dump",
                    *args,
                    "--format=custom",
                    "--no-owner",
                    "--file",
                    str(dump),
                    db["NAME"],
                ],
                env,
                "back up",
            )
        else:
            dump = work / SQLITE_NAME
            skip |= _sqlite_skip(db)
            source = sqlite3.connect(db["NAME"])
            target = sqlite3.connect(dump)
            try:
                source.backup(target)  # a consistent copy while others read and write
            finally:
                target.close()
                source.close()
        files = _data_files(data_dir, skip)
        manifest = {
            "format": FORMAT,
            "heard_version": VERSION,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": "postgresql" if _is_postgres(db) else "sqlite",
            "files": len(files),
        }
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2))
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(work / "manifest.json", arcname="manifest.json")
            archive.add(dump, arcname=dump.name)
            for file in files:
                archive.add(file, arcname=f"data/{file.relative_to(data_dir).as_posix()}")
        partial.replace(path)
    return path, manifest


def restore(path: Path) -> dict[str, Any]:
    """Put a backup back: database and data folder (stop the server and worker first).

    Returns the backup's manifest, with ``erased_again``: how many stories of the restored
    database the erasure ledger says were erased since, and were erased again.
    """
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    from heard_web.stories import erasure, ledger

    path = Path(path).expanduser().resolve()
    if not path.is_file():
        raise HeardError(f"There is no backup file at {path}. Give the path of a heard backup.")
    db = _database()
    data_dir = Path(settings.DATA_DIR).resolve()
    with tempfile.TemporaryDirectory(prefix="heard-restore-") as tmp:
        work = Path(tmp)
        try:
            with tarfile.open(path, "r:gz") as archive:
                archive.extractall(work, filter="data")
            manifest = json.loads((work / "manifest.json").read_text())
        except (tarfile.TarError, OSError, ValueError) as exc:
            raise HeardError(
                f"{path} is not a heard backup ({exc}). Make backups with `heard backup`."
            ) from exc
        kind = "postgresql" if _is_postgres(db) else "sqlite"
        if manifest.get("database") != kind:
            raise HeardError(
                f"This backup holds a {manifest.get('database')} database, but heard is set up "
                f"with {kind}. Restore it with the same kind of database (DATABASE_URL)."
            )
        connections.close_all()
        if kind == "postgresql":
            args, env = _pg_args(db)
            _run(
                ["pg_restore", *args, "--clean", "--if-exists", "--no-owner",
                 "--single-transaction", "--dbname", db["NAME"], str(work / POSTGRES_NAME)],
                env,
                "restore",
            )  # fmt: skip
        else:
            source = sqlite3.connect(work / SQLITE_NAME)
            target = sqlite3.connect(db["NAME"], timeout=30)
            try:
                source.backup(target)
                target.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error as exc:
                raise HeardError(
                    f"The database could not be restored ({exc}). Stop `heard serve` and "
                    "`heard worker`, then run heard restore again."
                ) from exc
            finally:
                target.close()
                source.close()
        skip = _sqlite_skip(db) if kind == "sqlite" else set()
        kept = ledger.ledger_path().resolve()  # it knows of erasures newer than the backup
        for file in _data_files(data_dir, skip | {path, kept}):
            file.unlink()
        saved = work / "data"
        if saved.is_dir():
            for file in sorted(p for p in saved.rglob("*") if p.is_file()):
                target_file = data_dir / file.relative_to(saved)
                if target_file.resolve() == kept:
                    ledger.merge(file, kept)
                    continue
                target_file.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(file, target_file)
    call_command("migrate", interactive=False, verbosity=0)
    return {**manifest, "erased_again": erasure.erase_again(ledger.read())}
