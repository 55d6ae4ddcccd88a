"""The erasure ledger: which stories were erased, kept outside the database.

A backup taken before an erasure still holds the story; restoring it would bring the story
back. So every erasure (withdrawal, an owner's deletion, retention) also appends one line per
story to ``HEARD_DATA_DIR/erasure-ledger.jsonl``, and ``heard restore`` erases again every
story of the ledger that the restored database holds (``erasure.erase_again``).

A line holds identifiers only, never content: the project's id, the story's id, when the
story's row was created (to the microsecond, so another installation's story with the same
id is not taken for it) and when and why it was erased::

    {"v": 1, "project": 3, "story": 17, "created_at": "2026-11-30T19:50:01.123456+00:00",
     "erased_at": "2026-12-02T09:00:00.000001+00:00", "reason": "withdrawn"}

No text, reference, attribute or hash of any of them: the ledger outlives the stories and
must not become a copy of them. The line is written and flushed to disk (fsync) before the
erasure deletes anything: if the erasure then fails, the ledger names a story that was meant
to go anyway, while the other order could lose the line in a crash and let a restore bring
the story back. A ledger that cannot be written stops the erasure with nothing changed. Appends from several processes (server threads, worker) are serialised
with a file lock.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from heard.errors import HeardError

log = logging.getLogger(__name__)

LEDGER_NAME = "erasure-ledger.jsonl"
VERSION = 1


@dataclass(frozen=True)
class Entry:
    """One erased story, by identifiers only."""

    project: int
    story: int
    created_at: datetime  # the story row's creation time, not anything the person wrote
    erased_at: datetime
    reason: str

    def line(self) -> bytes:
        return (
            json.dumps(
                {
                    "v": VERSION,
                    "project": self.project,
                    "story": self.story,
                    "created_at": _iso(self.created_at),
                    "erased_at": _iso(self.erased_at),
                    "reason": self.reason,
                },
                sort_keys=True,
            )
            + "\n"
        ).encode("ascii")

    @classmethod
    def parse(cls, line: str) -> Entry:
        data = json.loads(line)
        if data.get("v") != VERSION:
            raise ValueError(f"unknown ledger version {data.get('v')!r}")
        return cls(
            project=_whole(data["project"]),
            story=_whole(data["story"]),
            created_at=_aware(data["created_at"]),
            erased_at=_aware(data["erased_at"]),
            reason=str(data["reason"]),
        )


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _aware(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone")
    return moment


def _whole(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{value!r} is not an id")
    return value


def ledger_path() -> Path:
    """Where the ledger lives: in the data folder, next to the SQLite database."""
    from django.conf import settings

    return Path(settings.DATA_DIR) / LEDGER_NAME


def append(entries: Iterable[Entry], path: Path | None = None) -> int:
    """Add these entries to the ledger and flush them to disk; returns how many."""
    data = b"".join(entry.line() for entry in entries)
    if not data:
        return 0
    path = path or ledger_path()
    try:
        _append_bytes(path, data)
    except OSError as exc:
        raise HeardError(
            f"heard could not record the erasure in its ledger {path} ({exc.strerror or exc}), "
            "so nothing was erased. Check that the data folder (HEARD_DATA_DIR) is writable "
            "and has free space, then erase again."
        ) from exc
    return data.count(b"\n")


def _append_bytes(path: Path, data: bytes) -> None:
    new = not path.exists()
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        _lock(fd)
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            # A line cut short by a crash: start on a new line, so this one stays whole.
            data = b"\n" + data
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    finally:
        os.close(fd)  # closing releases the lock
    if new:
        _fsync_dir(path.parent)


def _lock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # not on POSIX: appends are still whole lines, just not serialised
        return
    fcntl.flock(fd, fcntl.LOCK_EX)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def read(path: Path | None = None) -> list[Entry]:
    """Every entry of the ledger (none when there is no ledger); unreadable lines are skipped.

    A line cut short by a crash belonged to an erasure that did not commit; it is logged.
    """
    path = path or ledger_path()
    if not path.exists():
        return []
    entries = []
    for number, line in enumerate(path.read_text(encoding="ascii", errors="replace").split("\n")):
        if not line.strip():
            continue
        try:
            entries.append(Entry.parse(line))
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("Line %d of the erasure ledger %s is skipped: %s", number + 1, path, exc)
    return entries


def merge(other: Path, path: Path | None = None) -> int:
    """Add the entries of another ledger (e.g. a backup's) that this one lacks; returns how many."""
    path = path or ledger_path()
    have = {entry.line() for entry in read(path)}
    missing = [entry for entry in read(other) if entry.line() not in have]
    return append(dict.fromkeys(missing), path)
