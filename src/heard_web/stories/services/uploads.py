"""An upload's files under the data folder: size limit, safe names, unzipping, reading, removing."""

from __future__ import annotations

import contextlib
import shutil
import zipfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.text import get_valid_filename

from heard_web.stories.models import ImportJob


def max_upload_bytes() -> int:
    return int(settings.MAX_UPLOAD_MB) * 1024 * 1024


def supported_suffixes() -> list[str]:
    from heard.ingest import EXTENSIONS

    return [*EXTENSIONS, ".zip"]


def _safe_name(name: str) -> str:
    base = Path(name.replace("\\", "/")).name
    try:
        safe = get_valid_filename(base)
    except Exception:
        safe = "upload"
    stem, dot, suffix = safe.rpartition(".")
    if dot and len(safe) > 150:
        safe = f"{stem[: 140 - len(suffix)]}.{suffix}"
    return safe[:150] or "upload"


def _read(path: Path, sheet: str | None = None, **columns: Any) -> Any:
    """heard.ingest.read on the stored file; a .zip is unpacked to a folder first."""
    from heard.ingest import read

    target = _unzip(path) if path.suffix.lower() == ".zip" else path
    return read(target, sheet=sheet or None, max_file_bytes=max_upload_bytes(), **columns)


def _unzip(path: Path) -> Path:
    """The text files and transcripts of a .zip, unpacked once beside it (names flattened)."""
    from heard.errors import TooLargeError, UnreadableFileError
    from heard.ingest import FOLDER_EXTENSIONS

    folder = path.with_name(path.stem + "-files")
    if folder.is_dir():
        return folder
    work = path.with_name(path.stem + "-unpacking")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    limit = max_upload_bytes()
    try:
        with zipfile.ZipFile(path) as archive:
            members = [
                m
                for m in archive.infolist()
                if not m.is_dir()
                and Path(m.filename).suffix.lower() in FOLDER_EXTENSIONS
                and not Path(m.filename).name.startswith((".", "~$"))
                and "__MACOSX" not in m.filename
            ]
            if sum(m.file_size for m in members) > limit:
                raise TooLargeError(
                    f"The files in '{path.name}' add up to more than this server's limit of "
                    f"{settings.MAX_UPLOAD_MB} MB once unzipped. Split them into several zip files."
                )
            used: set[str] = set()
            for member in members:
                name = _safe_name(Path(member.filename.replace("\\", "/")).name)
                stem, suffix, k = Path(name).stem, Path(name).suffix, 2
                while name.casefold() in used:
                    name, k = f"{stem} ({k}){suffix}", k + 1
                used.add(name.casefold())
                with archive.open(member) as source, (work / name).open("wb") as target:
                    shutil.copyfileobj(source, target)
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError) as exc:
        shutil.rmtree(work, ignore_errors=True)
        raise UnreadableFileError(
            f"'{path.name}' is a damaged or unsupported zip file ({exc}). Unzip it on your "
            "computer and upload the files inside, or zip them again."
        ) from None
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    work.rename(folder)
    return folder


def _remove_file(job: ImportJob) -> None:
    if job.stored_path:
        folder = Path(job.stored_path).parent
        if Path(settings.UPLOAD_DIR).resolve() in folder.resolve().parents:
            _remove_folder(folder)


def _remove_folder(folder: Path) -> None:
    """Delete an upload's folder, and its project's folder once that is empty."""
    shutil.rmtree(folder, ignore_errors=True)
    with contextlib.suppress(OSError):  # not empty: other uploads wait there
        folder.parent.rmdir()
