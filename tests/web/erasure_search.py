"""Looking for an erased story everywhere: its text, any 8-word fragment of it, its vectors.

Used by the erasure test: every file of the folders given is read as bytes; workbooks and
other zip files also as their unzipped members; PDFs also as their extracted text; SQLite
files also as a dump of every table (plus their -wal and -journal files as bytes).
"""

from __future__ import annotations

import io
import re
import sqlite3
import zipfile
from collections.abc import Iterable
from pathlib import Path


def fragments(text: str, words: int = 8) -> list[str]:
    """Every run of ``words`` consecutive words of ``text`` (the whole text if shorter)."""
    parts = text.split()
    if len(parts) <= words:
        return [" ".join(parts)]
    return [" ".join(parts[i : i + words]) for i in range(len(parts) - words + 1)]


def text_needles(texts: Iterable[str]) -> list[bytes]:
    needles: set[bytes] = set()
    for text in texts:
        if not text:
            continue
        for fragment in fragments(text):
            needles.add(fragment.encode("utf-8"))
            # PDF text extraction and some writers break lines or escape quotes differently.
            needles.add(re.sub(r"\s+", " ", fragment).encode("utf-8"))
    return sorted(needles)


def vector_needles(vectors: Iterable[bytes]) -> list[bytes]:
    """The first 64 bytes of each vector: raw, and as hex (pg_dump's bytea, SQLite's X'..')."""
    out = []
    for v in vectors:
        head = v[:64]
        out += [head, head.hex().encode("ascii"), head.hex().upper().encode("ascii")]
    return out


def readable_forms(path: Path) -> Iterable[tuple[str, bytes]]:
    """(description, bytes) for every way this file's content can be read."""
    data = path.read_bytes()
    yield str(path), data
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                yield f"{path}!{name}", z.read(name)
    if data.startswith(b"%PDF"):
        from pypdf import PdfReader

        text = " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
        yield f"{path} (PDF text)", re.sub(r"\s+", " ", text).encode("utf-8")
    if data.startswith(b"SQLite format 3"):
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            dump = "\n".join(conn.iterdump())
        finally:
            conn.close()
        yield f"{path} (dump)", dump.encode("utf-8")


def find(roots: Iterable[Path], needles: list[bytes]) -> list[str]:
    """Where any needle was found ("file: needle"), [] when nowhere."""
    found = []
    for root in roots:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            for where, data in readable_forms(path):
                for needle in needles:
                    if needle in data:
                        found.append(f"{where}: {needle[:60]!r}")
                        break
    return found


def find_in_bytes(label: str, data: bytes, needles: list[bytes]) -> list[str]:
    return [f"{label}: {n[:60]!r}" for n in needles if n in data]
