"""heard.ingest.preview: the first responses of a large file, read from its start only.

A preview must show what the full read shows for those rows, in the same encoding, and
raise the same errors with the same messages for what it reads; a problem further in is
left to the full read. Every file here is written by the test; all text is made up.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from heard.errors import (
    EmptyInputError,
    HeardError,
    TooLargeError,
    UnreadableFileError,
)
from heard.ingest import PREVIEW_ROWS, preview, read
from heard.ingest._preview import _FIRST_BYTES
from heard.ingest._text import whole_lines

HEADER = "ref,comment,role,submitted\n"
ROLES = ("adopter", "foster carer", "kinship carer")


def survey_rows(n: int, start: int = 1, words: str = "The wait felt endless") -> str:
    """``n`` CSV rows of made-up survey answers, some with a quoted cell over two lines."""
    lines = []
    for k in range(start, start + n):
        text = f"{words} (answer {k}), and the panel was kind."
        if k % 7 == 0:
            text += "\nA second line, with a comma."
        lines.append(f'R{k},"{text}",{ROLES[k % 3]},2026-01-{1 + k % 28:02d}\n')
    return "".join(lines)


def big_csv(path: Path, rows: int = 6_000, tail: str = "", **kw: Any) -> Path:
    """A CSV well past the first read of a preview (~90 bytes a row)."""
    text = HEADER + survey_rows(rows, **kw) + tail
    path.write_bytes(text.encode("utf-8"))
    assert path.stat().st_size > 2 * _FIRST_BYTES
    return path


def message(action: Any) -> str:
    with pytest.raises(HeardError) as caught:
        action()
    return str(caught.value)


# --- reading only the start -----------------------------------------------------------------


def test_it_previews_a_large_csv_from_its_start_only(tmp_path: Path) -> None:
    path = big_csv(tmp_path / "survey.csv")
    found = preview(path)
    assert not found.complete and found.total is None
    assert found.bytes_read < path.stat().st_size / 2
    assert len(found.responses) >= PREVIEW_ROWS
    assert found.responses.text == "comment"
    whole = read(path)
    shown = found.responses.data
    pd.testing.assert_frame_equal(shown, whole.data.head(len(shown)))
    assert found.responses.locations == whole.locations[: len(shown)]


def test_it_estimates_how_many_rows_a_large_file_has(tmp_path: Path) -> None:
    found = preview(big_csv(tmp_path / "survey.csv"))
    assert found.estimate is not None
    assert 5_400 <= found.estimate <= 6_600  # 6,000 rows


def test_it_previews_a_large_csv_whose_later_rows_are_broken(tmp_path: Path) -> None:
    path = big_csv(tmp_path / "survey.csv", tail="R9999,An extra field,adopter,2026-01-01,oops\n")
    found = preview(path)
    assert not found.complete and found.responses.data["ref"].iloc[0] == "R1"
    with pytest.raises(UnreadableFileError, match="fields but the header has 4"):
        read(path)


def test_it_previews_a_large_csv_with_undecodable_bytes_near_its_end(tmp_path: Path) -> None:
    path = big_csv(tmp_path / "survey.csv", words="Café visits were lovely")
    path.write_bytes(
        path.read_bytes() + "R9999,Caf\xe9 again,adopter,2026-01-01\n".encode("cp1252")
    )
    found = preview(path)
    assert found.responses.details["encoding"] == "UTF-8"
    assert "Café visits" in found.responses.data["comment"].iloc[0]
    with pytest.raises(UnreadableFileError, match="mostly UTF-8"):
        read(path)


def test_it_reads_more_of_a_file_whose_rows_are_long(tmp_path: Path) -> None:
    long = "x" * 10_000
    path = tmp_path / "long.csv"
    path.write_text("ref,comment\n" + "".join(f"L{k},{long}\n" for k in range(400)))
    found = preview(path)
    assert not found.complete
    assert len(found.responses) >= PREVIEW_ROWS
    assert _FIRST_BYTES < found.bytes_read < path.stat().st_size


def test_it_reads_a_small_file_whole_and_counts_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "small.csv"
    path.write_text(HEADER + survey_rows(20))
    found = preview(path)
    assert found.complete and found.total == 20 and found.estimate is None
    assert found.bytes_read == path.stat().st_size
    pd.testing.assert_frame_equal(found.responses.data, read(path).data)


def test_it_previews_large_json_lines_and_reads_a_json_document_whole(tmp_path: Path) -> None:
    import json

    items = [{"id": f"J{k}", "comment": f"Answer number {k} about the panel."} for k in range(9000)]
    lines = tmp_path / "answers.jsonl"
    lines.write_text("".join(json.dumps(item) + "\n" for item in items) + "{not json\n")
    found = preview(lines)
    assert not found.complete and found.responses.data["id"].iloc[0] == "J0"
    document = tmp_path / "answers.json"
    document.write_text(json.dumps(items))
    whole = preview(document)
    assert whole.complete and whole.total == 9000


def test_it_reads_the_whole_file_when_its_start_has_no_text(tmp_path: Path) -> None:
    # The first thousands of comments are empty: "no text in any row" would be wrong.
    path = tmp_path / "late.csv"
    path.write_text("ref,comment\n" + "".join(f"E{k},\n" for k in range(60_000)) + "E,Late\n")
    found = preview(path, rows=10)
    assert found.complete and found.total == 60_001


def _workbook(path: Path, rows: int, tail: list[Any] | None = None) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    notes = workbook.active
    notes.title = "Notes"
    notes.append(["note"])
    sheet = workbook.create_sheet("Responses")
    sheet.append(["ref", "comment"])
    for k in range(1, rows + 1):
        sheet.append([f"X{k}", f"Answer {k} about the wait."])
    if tail:
        sheet.append(tail)
    workbook.save(path)
    return path


def test_a_workbook_sheet_is_previewed_to_its_first_rows(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "survey.xlsx", 200)
    found = preview(path, rows=50, sheet="Responses")
    assert not found.complete and len(found.responses) == 50
    assert found.estimate == 200  # from the size the sheet declares
    assert found.responses.details["sheets"] == ["Notes", "Responses"]
    assert found.responses.locations[:2] == ["row 2", "row 3"]
    pd.testing.assert_frame_equal(found.responses.data, read(path, sheet="Responses").data.head(50))
    assert message(lambda: preview(path, sheet="Notes")) == message(
        lambda: read(path, sheet="Notes")
    )


def test_a_workbook_is_not_read_past_its_first_rows(tmp_path: Path) -> None:
    import re
    import zipfile

    # A sheet that does not declare its size, with a row too wide for heard at the end.
    saved = _workbook(tmp_path / "saved.xlsx", 200, ["X999", "Too wide", *["extra"] * 20])
    path = tmp_path / "survey.xlsx"
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb"<dimension [^>]*/>", b"", data)
            target.writestr(item, data)
    found = preview(path, rows=50, sheet="Responses", max_columns=10)
    assert not found.complete and len(found.responses) == 50
    assert found.estimate is None  # the sheet does not say how long it is
    with pytest.raises(TooLargeError, match="column 22"):
        read(path, sheet="Responses", max_columns=10)


# --- the same errors as the full read -------------------------------------------------------


def _ragged_early(path: Path) -> None:
    extra = "R{},An extra field,adopter,2026-01-01,oops\n"
    path.write_text(HEADER + extra.format(1) + survey_rows(6_000, 2) + extra.format(6_002))


def _unclosed_quote_early(path: Path) -> None:
    path.write_text(HEADER + 'R1,"Never closed,adopter,2026-01-01\n' + survey_rows(6_000, 2))


def _binary(path: Path) -> None:
    path.write_bytes(b"ref,comment\nR1,\x00\x01\x02\x03 binary\n" + bytes(600_000))


def _mixed_utf8(path: Path) -> None:
    text = HEADER + "R1,Café in Zoë's words,adopter,2026-01-01\n"
    path.write_bytes(
        text.encode() + b"R2,Caf\xe9,adopter,2026-01-02\n" + survey_rows(6_000, 3).encode()
    )


def _empty_header_only(path: Path) -> None:
    path.write_text(HEADER + "\n" * 600_000)


@pytest.mark.parametrize(
    "write",
    [_ragged_early, _unclosed_quote_early, _binary, _mixed_utf8, _empty_header_only],
    ids=["ragged rows", "unclosed quote", "binary", "mixed encodings", "no rows"],
)
def test_a_problem_in_the_start_gets_the_full_reads_message(tmp_path: Path, write: Any) -> None:
    path = tmp_path / "bad.csv"
    write(path)
    assert path.stat().st_size > _FIRST_BYTES
    assert message(lambda: preview(path)) == message(lambda: read(path))


def test_the_ragged_rows_message_names_the_rows_further_in_too(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    _ragged_early(path)
    assert "Rows 2 and 6003 of 'bad.csv'" in message(lambda: preview(path))


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("empty.csv", b"", EmptyInputError),
        ("photo.csv", b"\x89PNG\r\n\x1a\n" + bytes(64), UnreadableFileError),
        ("blank.csv", b"comment,role\n,adopter\n", EmptyInputError),
    ],
)
def test_a_small_bad_file_gets_the_full_reads_message(
    tmp_path: Path, name: str, content: bytes, error: type[HeardError]
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(error):
        preview(path)
    assert message(lambda: preview(path)) == message(lambda: read(path))


def test_a_text_file_too_long_to_be_one_response_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("A long note about the panel. " * 200)
    with pytest.raises(TooLargeError, match="limit of 1,000 characters for one response"):
        preview(path, max_cell_chars=1_000)
    with pytest.raises(TooLargeError):
        read(path, max_cell_chars=1_000)


# --- encodings ------------------------------------------------------------------------------

ENCODED = [
    ("utf-8", "UTF-8"),
    ("utf-8-sig", "UTF-8 with BOM"),
    ("utf-16", "UTF-16 LE"),
    ("utf-16-le", "UTF-16 LE"),
    ("utf-16-be", "UTF-16 BE"),
    ("cp1252", "Windows-1252"),
]


@pytest.mark.parametrize(("codec", "label"), ENCODED, ids=[c for c, _ in ENCODED])
def test_the_start_of_a_file_is_decoded_as_the_whole_file_is(
    tmp_path: Path, codec: str, label: str
) -> None:
    words = (
        "Zoë’s café cost £5 — naïve" if codec == "cp1252" else "Zoë’s café cost £5, 日本 — naïve"
    )
    path = tmp_path / "survey.csv"
    path.write_bytes((HEADER + survey_rows(8_000, words=words)).encode(codec))
    found = preview(path)
    whole = read(path)
    assert not found.complete
    assert found.responses.details["encoding"] == whole.details["encoding"] == label
    shown = found.responses.data
    pd.testing.assert_frame_equal(shown, whole.data.head(len(shown)))


SAMPLE = "ref,comment\r\nR1,Zoë’s £5\nR2,日本\u2028語 😀,x\rR3,\u0a0d\u0d0a\n"


@pytest.mark.parametrize(
    ("codec", "given"),
    [
        ("utf-8", None),
        ("utf-8-sig", None),
        ("utf-16", None),
        ("utf-32", None),
        ("utf-16-le", "utf-16-le"),
        ("utf-16-be", "utf-16-be"),
        ("utf-32-be", "utf-32-be"),
        ("gb18030", "gb18030"),
    ],
)
def test_whole_lines_never_cut_a_character(codec: str, given: str | None) -> None:
    data = SAMPLE.encode(codec)
    full = data.decode(codec)
    for end in range(len(data) + 1):
        part = whole_lines(data[:end], given)
        text = part.decode(codec)
        assert full.startswith(text)
        assert text.endswith(("\n", "\r")) or text in ("", "\ufeff")


def test_whole_lines_finds_utf16_without_a_byte_order_mark() -> None:
    data = ("ref,comment\nR1,Zoë\n" * 4).encode("utf-16-be")
    assert (
        whole_lines(data[:-3]).decode("utf-16-be") == "ref,comment\nR1,Zoë\n" * 3 + "ref,comment\n"
    )
