"""Bytes to text: byte-order marks, UTF-8, Windows-1252 and friends, and binary files."""

from __future__ import annotations

import codecs
import re

from heard.errors import SettingsError, UnreadableFileError
from heard.ingest._common import SUPPORTED

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"{\\rtf", "an RTF document"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x7fELF", "a program, not a document"),
)
# Other binary files (audio, video, most programs) hold NUL bytes near the start,
# which decode() refuses; these signatures only give the refusal a better name.
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = (b"PK\x03\x04", b"PK\x05\x06")

# The 32-bit marks first: the UTF-32 LE mark begins with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 with BOM"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 LE"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 BE"),
)
_NAMES = {"utf_8": "UTF-8", "cp1252": "Windows-1252", "utf_8_sig": "UTF-8 with BOM"}
_SAVE_AS_UTF8 = "Save it as UTF-8 (in Excel: Save As, 'CSV UTF-8')"
# Encoding detection looks at this much of a large file, in windows this wide.
_SAMPLE_BYTES = 1 << 20
_WINDOW = 4096
_NON_ASCII = re.compile(rb"[\x80-\xff]")


def magic_kind(head: bytes) -> str | None:
    """What a file is, from its first bytes, when it is a kind heard cannot read."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head[:2] == b"\x00\x00" and head[4:8] == b"ftyp":
        return "an audio or video file (MP4)"
    return None


def _bom(data: bytes) -> tuple[str, str] | None:
    for mark, codec, label in _BOMS:
        if data.startswith(mark):
            return codec, label
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when NULs sit in every other byte, as in UTF-16 text."""
    head = data[:4096]
    head = head[: len(head) - len(head) % 2]
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) >= 0.3 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) >= 0.3 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def _line_of(data: bytes, offset: int, codec: str) -> int:
    return data[:offset].decode(codec, errors="replace").count("\n") + 1


def decode(data: bytes, name: str, encoding: str | None = None) -> tuple[str, str]:
    """The text of a file and a readable name for its encoding.

    With ``encoding`` given, that encoding is used and a wrong one is an error that
    says where it fails. Otherwise: a byte-order mark, then UTF-8, then
    charset-normalizer's guess, preferring Windows-1252 when it fits as well as the
    best guess (heard's users are UK services, whose legacy files are Windows-1252).
    """
    if encoding is not None:
        return _decode_as(data, name, encoding)
    bom = _bom(data)
    if bom is not None:
        codec, label = bom
        return _decode_as(data, name, codec, label)
    if b"\x00" in data[:8192]:
        codec16 = _utf16_without_bom(data)
        if codec16 is None:
            raise UnreadableFileError(
                f"{name} contains binary data (NUL bytes), so it is not a text file. "
                f"heard reads {SUPPORTED} files. Check you picked the right file."
            )
        return _decode_as(data, name, codec16, codec16.upper().replace("UTF-16-", "UTF-16 "))
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as exc:
        _refuse_mixed_utf8(data, name, exc)
    return _detect(data, name)


def _decode_as(data: bytes, name: str, codec: str, label: str | None = None) -> tuple[str, str]:
    try:
        info = codecs.lookup(codec)
    except LookupError:
        raise SettingsError(
            f"'{codec}' is not a text encoding heard knows. "
            "Try --encoding utf-8, utf-8-sig, cp1252 or utf-16, or leave --encoding out "
            "to let heard detect it."
        ) from None
    try:
        text = data.decode(info.name)
    except UnicodeDecodeError as exc:
        line = _line_of(data, exc.start, info.name)
        raise UnreadableFileError(
            f"{name} is not valid {label or codec}: the bytes at offset {exc.start:,} "
            f"(line {line:,}) cannot be read in that encoding. Leave --encoding out to let "
            f"heard detect it, or try another, e.g. --encoding cp1252."
        ) from None
    text = text.removeprefix("\ufeff")
    return text, label or _NAMES.get(info.name, info.name)


def _refuse_mixed_utf8(data: bytes, name: str, exc: UnicodeDecodeError) -> None:
    """Refuse a file that is UTF-8 except for a few stray bytes.

    Reading it as any single-byte encoding would garble every accented letter that is
    right, so the honest answer is to point at the bytes that are wrong.
    """
    replaced = data.decode("utf-8", errors="replace")
    bad = replaced.count("\ufffd")
    good = len(replaced) - len(replaced.encode("ascii", "ignore")) - bad
    if good and bad == 1 and exc.end == len(data) and exc.reason == "unexpected end of data":
        raise UnreadableFileError(
            f"{name} is UTF-8 but ends part-way through a character, so it looks cut short "
            "(saving or downloading may not have finished). Check the end of the file, or "
            "pass --encoding if it is not UTF-8."
        )
    if good >= max(bad, 1):
        line = _line_of(data, exc.start, "utf-8")
        byte = data[exc.start]
        raise UnreadableFileError(
            f"{name} is mostly UTF-8, but line {line:,} (byte offset {exc.start:,}, "
            f"0x{byte:02X}) is not: the file mixes encodings. {_SAVE_AS_UTF8}, fix that line, "
            "or pass --encoding with the one the whole file uses."
        )


def _sample(data: bytes, budget: int = _SAMPLE_BYTES) -> bytes:
    """Enough of a large file to tell its encoding: its start, and text around non-ASCII bytes.

    charset-normalizer decodes everything it is given with every candidate encoding,
    which takes seconds on a large file; the ASCII stretches tell it nothing anyway.
    """
    if len(data) <= budget:
        return data
    parts = [data[: _WINDOW * 16]]
    size, pos = len(parts[0]), len(parts[0])
    while size < budget:
        match = _NON_ASCII.search(data, pos)
        if match is None:
            break
        start = max(match.start() - _WINDOW, pos)
        end = match.start() + _WINDOW
        parts.append(data[start:end])
        size, pos = size + end - start, end
    return b"\n".join(parts)


def _guess(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    # Asked on its own, charset-normalizer rejects Windows-1252 where it cannot be right
    # (Cyrillic, Greek, Polish text); where it can, it is the likeliest for UK files.
    western = from_bytes(data, cp_isolation=["cp1252"]).best()
    if western is not None and (best is None or western.chaos <= best.chaos + 0.05):
        return "cp1252"
    return best.encoding if best is not None else None


def _detect(data: bytes, name: str) -> tuple[str, str]:
    codec = _guess(_sample(data))
    if codec is not None:
        try:
            return data.decode(codec), _NAMES.get(codec, codec)
        except UnicodeDecodeError:
            pass
    if len(data) > _SAMPLE_BYTES:
        codec = _guess(data)  # the sample misled; ask again about the whole file
    if codec is None:
        raise UnreadableFileError(
            f"heard could not work out the text encoding of {name}: no encoding it knows "
            f"reads every byte. {_SAVE_AS_UTF8}, or pass the right one, e.g. --encoding cp1252."
        )
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        line = _line_of(data, exc.start, codec)
        raise UnreadableFileError(
            f"heard could not read {name}: it looks like {codec}, but line {line:,} (byte "
            f"offset {exc.start:,}) is not. {_SAVE_AS_UTF8}, or pass the right --encoding."
        ) from None
    return text, _NAMES.get(codec, codec)


def whole_lines(data: bytes, encoding: str | None = None) -> bytes:
    """The start of ``data`` up to and including its last line break ("" if it has none).

    For the first bytes of a larger file: the cut never falls inside a character, so
    :func:`decode` reads these bytes as it reads the same lines of the whole file. The
    encoding family (UTF-16 or UTF-32 and their byte order, else one byte per code unit,
    which also covers UTF-8 and Windows-1252, where a line break is never part of a
    longer character) comes from ``encoding``, else the byte-order mark, else the NUL
    pattern of UTF-16 without one.
    """
    unit, big_endian = _code_unit(data, encoding)
    if unit == 1:
        return data[: max(data.rfind(b"\n"), data.rfind(b"\r")) + 1]
    breaks = []
    for char in ("\n", "\r"):
        mark = char.encode(f"utf-{unit * 8}-{'be' if big_endian else 'le'}")
        pos = data.rfind(mark, 0, len(data) - len(data) % unit)
        while pos > 0 and pos % unit:  # a match across two code units: look further back
            pos = data.rfind(mark, 0, pos + unit - 1)
        breaks.append(pos)
    end = max(breaks)
    return data[: end + unit] if end >= 0 else b""


def _code_unit(data: bytes, encoding: str | None) -> tuple[int, bool]:
    """Bytes per code unit (1, 2 or 4) and whether they are big-endian."""
    if encoding is not None:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            return 1, False  # decode() explains
        if codec.startswith(("utf-16", "utf-32")):
            unit = 2 if codec.startswith("utf-16") else 4
            if codec.endswith(("-be", "_be")):
                return unit, True
            if codec.endswith(("-le", "_le")):
                return unit, False
            bom = codecs.BOM_UTF16_BE if unit == 2 else codecs.BOM_UTF32_BE
            return unit, data.startswith(bom)
        return 1, False
    for mark, unit, big_endian in (
        (codecs.BOM_UTF32_LE, 4, False),
        (codecs.BOM_UTF32_BE, 4, True),
        (codecs.BOM_UTF16_LE, 2, False),
        (codecs.BOM_UTF16_BE, 2, True),
    ):
        if data.startswith(mark):
            return unit, big_endian
    if b"\x00" in data[:8192]:
        codec16 = _utf16_without_bom(data)
        if codec16 is not None:
            return 2, codec16 == "utf-16-be"
    return 1, False
