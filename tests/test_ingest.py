"""heard.ingest: every format, every encoding, and a clear message for every bad input.

Fixtures are written into tmp_path by the tests themselves; all text is made up.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import heard
from heard.errors import (
    ColumnNotFoundError,
    EmptyInputError,
    HeardError,
    InputError,
    SettingsError,
    TooLargeError,
    UnreadableFileError,
)
from heard.ingest import MAX_CELL_CHARS, Responses, from_frame, read

ROWS = [
    ("r1", "The panel was kind but the wait felt endless.", "adopter", "2026-01-05"),
    ("r2", "Our social worker, Sam, kept us informed every week.", "adopter", "2026-01-19"),
    ("r3", "Training sessions clashed with school pick-up.", "foster carer", "2026-02-02"),
]
HEADER = ("id", "comment", "role", "date")


def failure(error: type[HeardError], action: Callable[[], Any]) -> str:
    """Run ``action``, check it raises ``error`` with a short message, return the message."""
    with pytest.raises(error) as caught:
        action()
    message = str(caught.value)
    assert len(message) < 400, message
    assert "Traceback" not in message
    return message


def write_csv(path: Path, rows: list[tuple[str, ...]], delimiter: str = ",", **kw: Any) -> Path:
    with path.open("w", newline="", **kw) as handle:
        csv.writer(handle, delimiter=delimiter).writerows([HEADER, *rows])
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def write_docx(path: Path, paragraphs: list[str], table: list[list[str]] | None = None) -> Path:
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    document.save(str(path))
    return path


# --- CSV and TSV, every encoding ---------------------------------------------------------


def test_it_reads_a_utf8_csv_keeping_every_column_and_the_row_order(tmp_path: Path) -> None:
    responses = read(write_csv(tmp_path / "survey.csv", ROWS), text="comment")

    assert isinstance(responses, Responses)
    assert list(responses.data.columns) == list(HEADER)
    assert responses.data["id"].tolist() == ["r1", "r2", "r3"]
    assert responses.texts[1] == "Our social worker, Sam, kept us informed every week."
    assert responses.text == "comment"
    assert responses.format == "csv"
    assert responses.source == str(tmp_path / "survey.csv")
    assert responses.details["encoding"] == "UTF-8"
    assert responses.locations == ["row 2", "row 3", "row 4"]


def test_it_reads_a_utf8_csv_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "bom.csv", ROWS, encoding="utf-8-sig")

    responses = read(path, id="id")

    assert responses.id == "id"
    assert list(responses.data.columns)[0] == "id"
    assert responses.details["encoding"] == "UTF-8 with BOM"


@pytest.mark.parametrize(
    ("codec", "label"), [("utf-16-le", "UTF-16 LE"), ("utf-16-be", "UTF-16 BE")]
)
def test_it_reads_a_utf16_csv_with_a_byte_order_mark(
    tmp_path: Path, codec: str, label: str
) -> None:
    text = "id,comment\n1,Caf\u00e9 staff were lovely\n2,\u201cToo slow\u201d\n"
    path = tmp_path / "export.csv"
    path.write_bytes("\ufeff".encode(codec) + text.encode(codec))

    responses = read(path)

    assert responses.texts == ["Caf\u00e9 staff were lovely", "\u201cToo slow\u201d"]
    assert responses.details["encoding"] == label


def test_it_reads_a_windows_1252_csv_with_semicolons(tmp_path: Path) -> None:
    text = (
        "id;comment;area\n"
        "1;Caf\u00e9 staff were lovely \u2013 parking cost \u00a35;North\n"
        "2;We\u2019d wait again, na\u00efvely, for the right match;South\n"
    )
    path = tmp_path / "legacy.csv"
    path.write_bytes(text.encode("cp1252"))

    responses = read(path, by=["area"])

    assert responses.details == {"delimiter": ";", "encoding": "Windows-1252"}
    assert responses.texts[0] == "Caf\u00e9 staff were lovely \u2013 parking cost \u00a35"
    assert responses.texts[1] == "We\u2019d wait again, na\u00efvely, for the right match"
    assert responses.by == ["area"]


def test_it_detects_windows_1252_late_in_a_large_file_quickly(tmp_path: Path) -> None:
    plain = "".join(f"{n},Visit {n} went fine\n" for n in range(2, 80_000))
    late = '80000,"Caf\u00e9 meeting \u2013 \u00a35 parking, we\u2019d go again"\n'
    path = tmp_path / "big.csv"
    path.write_bytes(("id,comment\n" + plain + late).encode("cp1252"))

    started = time.perf_counter()
    responses = read(path)

    assert time.perf_counter() - started < 5
    assert responses.details["encoding"] == "Windows-1252"
    assert responses.texts[-1] == "Caf\u00e9 meeting \u2013 \u00a35 parking, we\u2019d go again"


@pytest.mark.parametrize(("suffix", "delimiter"), [(".tsv", "\t"), (".csv", "\t"), (".csv", "|")])
def test_it_sniffs_tab_and_pipe_delimiters(tmp_path: Path, suffix: str, delimiter: str) -> None:
    path = write_csv(tmp_path / f"export{suffix}", ROWS, delimiter=delimiter)

    responses = read(path, text="comment", by="role")

    assert responses.details["delimiter"] == delimiter
    assert responses.data["role"].tolist() == ["adopter", "adopter", "foster carer"]
    assert responses.format == ("tsv" if suffix == ".tsv" else "csv")


def test_it_follows_an_excel_sep_line(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_text("sep=;\nid;comment\n1;Fine, thanks, mostly\n")

    responses = read(path)

    assert responses.texts == ["Fine, thanks, mostly"]
    assert responses.locations == ["row 2"]


def test_it_keeps_a_quoted_cell_with_commas_and_new_lines_as_one_row(tmp_path: Path) -> None:
    path = tmp_path / "multiline.csv"
    path.write_text('id,comment\n1,"First line,\nsecond line"\n2,"She said ""call us"" and did"\n')

    responses = read(path)

    assert responses.texts == ["First line,\nsecond line", 'She said "call us" and did']
    assert responses.locations == ["row 2", "row 3"]


def test_it_pads_short_rows_and_skips_blank_rows_while_counting_them(tmp_path: Path) -> None:
    path = tmp_path / "gaps.csv"
    path.write_text("id,comment,role\n1,Too slow\n\n,,\n3,Helpful,carer\n")

    responses = read(path)

    assert responses.texts == ["Too slow", "Helpful"]
    assert responses.data["role"].isna().tolist() == [True, False]
    assert responses.locations == ["row 2", "row 5"]


def test_it_allows_extra_fields_that_are_empty(tmp_path: Path) -> None:
    path = tmp_path / "trailing.csv"
    path.write_text("id,comment\n1,Fine,,\n2,Good,\n")

    assert read(path).texts == ["Fine", "Good"]


# --- Excel -------------------------------------------------------------------------------


def test_it_reads_the_first_sheet_of_a_workbook(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "survey.xlsx",
        {
            "Responses": [list(HEADER), *[list(row) for row in ROWS]],
            "Notes": [["note"], ["not responses"]],
        },
    )

    responses = read(path, id="id", by=["role"])

    assert responses.format == "xlsx"
    assert responses.details["sheet"] == "Responses"
    assert responses.texts[2] == ROWS[2][1]
    assert responses.locations == ["row 2", "row 3", "row 4"]


@pytest.mark.parametrize("sheet", ["Second", " second ", 2, "2"])
def test_it_picks_a_sheet_by_name_or_number(tmp_path: Path, sheet: str | int) -> None:
    path = write_xlsx(
        tmp_path / "two.xlsx",
        {
            "First": [["comment"], ["from the first sheet"]],
            "Second": [["comment"], ["from the second"]],
        },
    )

    assert read(path, sheet=sheet).texts == ["from the second"]


def test_it_lists_the_sheets_when_the_sheet_asked_for_is_missing(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "two.xlsx", {"Adopters": [["comment"], ["a"]], "Carers": [["comment"], ["b"]]}
    )

    message = failure(InputError, lambda: read(path, sheet="Staff"))

    assert "'Staff'" in message and "'Adopters', 'Carers'" in message and "--sheet" in message


def test_it_keeps_excel_values_and_names_unlabelled_columns_by_letter(tmp_path: Path) -> None:
    import datetime as dt

    path = write_xlsx(
        tmp_path / "typed.xlsx",
        {
            "Sheet": [
                ["ref", "comment", "received", None],
                [101, "Clear letters", dt.datetime(2026, 3, 31), "late"],
                [102, 42, dt.datetime(2026, 4, 1), None],
                [None, None, None, None],
                [103, "Slow replies", None, None],
            ]
        },
    )

    responses = read(path, text="comment", id="ref", time="received")

    assert list(responses.data.columns) == ["ref", "comment", "received", "column D"]
    assert responses.texts == ["Clear letters", "42", "Slow replies"]
    assert responses.data["received"].iloc[0] == pd.Timestamp("2026-03-31")
    assert pd.isna(responses.data["received"].iloc[2])
    assert responses.locations == ["row 2", "row 3", "row 5"]


# --- JSON and JSON Lines -------------------------------------------------------------------


def test_it_reads_a_json_list_of_objects_flattening_nested_ones(tmp_path: Path) -> None:
    path = tmp_path / "forms.json"
    records = [
        {"id": 1, "answer": "More evening visits please", "who": {"role": "adopter"}},
        {"id": 2, "answer": "The portal logged me out", "who": {"role": "carer"}, "extra": True},
    ]
    path.write_text(json.dumps(records))

    responses = read(path, by="who.role")

    assert responses.format == "json"
    assert responses.text == "answer"
    assert responses.data["who.role"].tolist() == ["adopter", "carer"]
    assert list(responses.data.columns) == ["id", "answer", "who.role", "extra"]
    assert responses.locations == ["item 1", "item 2"]


def test_it_reads_a_json_object_that_holds_one_list_of_objects(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text(
        json.dumps(
            {
                "exported": "2026-03-01",
                "tags": ["a", "b"],
                "responses": [{"feedback": "Good"}, {"feedback": "Bad"}],
            }
        )
    )

    responses = read(path)

    assert responses.texts == ["Good", "Bad"]
    assert responses.details["key"] == "responses"


def test_it_reads_a_json_list_of_strings_as_texts(tmp_path: Path) -> None:
    path = tmp_path / "plain.json"
    path.write_text(json.dumps(["Too slow", "Very kind"]))

    assert read(path).texts == ["Too slow", "Very kind"]


def test_it_reads_json_lines_and_counts_lines(tmp_path: Path) -> None:
    path = tmp_path / "stream.jsonl"
    path.write_text('{"story": "First visit went well"}\n\n{"story": "Second was cancelled"}\n')

    responses = read(path)

    assert responses.format == "jsonl"
    assert responses.texts == ["First visit went well", "Second was cancelled"]
    assert responses.locations == ["line 1", "line 3"]


# --- Text, Word, folders -------------------------------------------------------------------


def test_it_reads_a_txt_file_as_one_story(tmp_path: Path) -> None:
    path = tmp_path / "field-notes.txt"
    path.write_text("Visited the family hub.\r\n\r\nParents said the forms were confusing.\r\n")

    responses = read(path)

    assert responses.format == "txt"
    assert list(responses.data.columns) == ["text"]
    assert responses.texts == ["Visited the family hub.\n\nParents said the forms were confusing."]


def test_it_reads_a_docx_as_one_story_with_its_tables(tmp_path: Path) -> None:
    path = write_docx(
        tmp_path / "interview.docx",
        ["Interview with an adoptive parent.", "", "The matching took two years."],
        table=[["Question", "Notes"], ["Support", "Wanted more after placement"]],
    )

    responses = read(path)

    assert responses.format == "docx"
    assert responses.texts == [
        "Interview with an adoptive parent.\n\nThe matching took two years.\n\n"
        "Question | Notes\n\nSupport | Wanted more after placement"
    ]


def test_it_reads_a_docx_table_of_responses_when_its_header_names_the_text_column(
    tmp_path: Path,
) -> None:
    path = write_docx(
        tmp_path / "table.docx",
        ["Responses from the spring drop-in."],
        table=[
            ["Ref", "Said", "Group"],
            ["A1", "Felt listened to", "carers"],
            ["A2", "", "carers"],
        ],
    )

    responses = read(path, text="said", by="group", id="Ref")

    assert list(responses.data.columns) == ["Ref", "Said", "Group"]
    assert responses.texts == ["Felt listened to", ""]
    assert responses.locations == ["table row 2", "table row 3"]


def test_it_finds_a_docx_table_by_a_text_like_header_and_joins_its_continuations(
    tmp_path: Path,
) -> None:
    import docx

    path = tmp_path / "tables.docx"
    document = docx.Document()
    for rows in (
        [["Group", "Comment"], ["carers", "More respite"]],
        [["Group", "Comment"], ["adopters", "Faster panels"]],
    ):
        grid = document.add_table(rows=2, cols=2)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    document.save(str(path))

    responses = read(path)

    assert responses.texts == ["More respite", "Faster panels"]
    assert responses.locations == ["table row 2 of table 1", "table row 2 of table 2"]


def test_it_explains_when_a_docx_has_no_table_with_the_text_column(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "notes.docx", ["Just notes."], table=[["A", "B"], ["1", "2"]])

    message = failure(ColumnNotFoundError, lambda: read(path, text="comment"))

    assert "'comment'" in message and "one story" in message


def test_it_reads_a_folder_of_stories_one_per_file(tmp_path: Path) -> None:
    folder = tmp_path / "stories"
    folder.mkdir()
    (folder / "b-visit.md").write_text("# Visit\nThe home visit felt rushed.")
    (folder / "a-call.txt").write_bytes("Caf\u00e9 chat was the best part.".encode("cp1252"))
    (folder / "c-empty.txt").write_text("")
    write_docx(folder / "d-letter.docx", ["Thank you for the support group."])
    (folder / ".hidden.txt").write_text("ignored")
    (folder / "readme.csv").write_text("not,a,story\n")

    responses = read(folder)

    assert responses.format == "folder"
    assert responses.data["file"].tolist() == [
        "a-call.txt",
        "b-visit.md",
        "c-empty.txt",
        "d-letter.docx",
    ]
    assert responses.texts == [
        "Caf\u00e9 chat was the best part.",
        "# Visit\nThe home visit felt rushed.",
        "",
        "Thank you for the support group.",
    ]


# --- Transcripts ---------------------------------------------------------------------------

VTT = """WEBVTT

NOTE made-up interview

1
00:00:01.000 --> 00:00:04.500
<v Interviewer>How did the first meeting go?</v>

2
00:00:05.000 --> 00:00:09.000
<v.loud Alex Morgan>Honestly, it was &amp; still is
overwhelming.</v>

00:00:09.000 --> 00:00:12.250
<v Alex Morgan><i>But</i> the social worker helped.

3
00:00:13.000 --> 00:00:15.000
<v Interviewer>What would have helped more?</v>
<v Alex Morgan>Fewer forms.</v>
"""


def test_a_vtt_transcript_keeps_its_speakers_one_row_per_turn(tmp_path: Path) -> None:
    path = tmp_path / "interview.vtt"
    path.write_text(VTT)

    responses = read(path, by="speaker")

    data = responses.data
    assert responses.format == "vtt"
    assert list(data.columns) == ["text", "speaker", "start", "end", "turn"]
    assert data["speaker"].tolist() == ["Interviewer", "Alex Morgan", "Interviewer", "Alex Morgan"]
    assert data["text"].tolist()[1] == (
        "Honestly, it was & still is overwhelming. But the social worker helped."
    )
    assert data["start"].tolist() == [1.0, 5.0, 13.0, 13.0]
    assert data["end"].tolist() == [4.5, 12.25, 15.0, 15.0]
    assert data["turn"].tolist() == [1, 2, 3, 4]
    assert responses.locations[1] == "turn 2"


def test_it_reads_speakers_from_name_prefixes_in_an_srt(tmp_path: Path) -> None:
    path = tmp_path / "call.srt"
    path.write_text(
        "1\n00:00:00,500 --> 00:00:02,000\nSpeaker 1: Thanks for joining.\n\n"
        "2\n00:00:02,000 --> 00:00:05,000\nSpeaker 2: Happy to. We met at 10:30 today.\n\n"
        "3\n00:00:05,000 --> 00:00:07,000\nSpeaker 2: It went well.\n\n"
        "4\n01:00:07,000 --> 01:00:09,000\nno name on this cue\n"
    )

    data = read(path).data

    assert data["speaker"].tolist() == ["Speaker 1", "Speaker 2", "Unknown"]
    assert data["text"].tolist()[1] == "Happy to. We met at 10:30 today. It went well."
    assert data["start"].tolist() == [0.5, 2.0, 3607.0]
    assert data["end"].tolist() == [2.0, 7.0, 3609.0]


def test_a_transcript_without_speaker_names_is_one_unknown_turn(tmp_path: Path) -> None:
    path = tmp_path / "plain.vtt"
    path.write_text(
        "WEBVTT\n\n00:01.000 --> 00:03.000\nfirst words\n\n00:03.000 --> 00:04.000\nmore\n"
    )

    data = read(path).data

    assert data[["text", "speaker", "start", "end", "turn"]].values.tolist() == [
        ["first words more", "Unknown", 1.0, 4.0, 1]
    ]


def test_a_folder_of_transcripts_numbers_turns_in_each_file(tmp_path: Path) -> None:
    folder = tmp_path / "interviews"
    folder.mkdir()
    (folder / "one.vtt").write_text(VTT)
    (folder / "two.srt").write_text("1\n00:00:01,000 --> 00:00:02,000\nJo: Hello\n")

    responses = read(folder)

    data = responses.data
    assert list(data.columns) == ["file", "text", "speaker", "start", "end", "turn"]
    assert data["file"].tolist() == ["one.vtt"] * 4 + ["two.srt"]
    assert data["turn"].tolist() == [1, 2, 3, 4, 1]
    assert responses.locations[-1] == "turn 1 of two.srt"


# --- When the extension does not tell the truth --------------------------------------------


def test_it_reads_a_workbook_saved_with_a_csv_extension(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "really-excel.csv", {"Data": [["comment"], ["from excel"]]})

    responses = read(path)

    assert responses.format == "xlsx"
    assert responses.texts == ["from excel"]


def test_it_reads_a_csv_saved_with_an_xlsx_extension(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "really-csv.xlsx", ROWS)

    responses = read(path, text="comment")

    assert responses.format == "csv"
    assert len(responses) == 3


def test_it_reads_json_lines_saved_as_json_and_a_transcript_saved_as_txt(tmp_path: Path) -> None:
    lines = tmp_path / "lines.json"
    lines.write_text('{"text": "a"}\n{"text": "b"}\n')
    transcript = tmp_path / "captions.txt"
    transcript.write_text(VTT)

    assert read(lines).format == "jsonl"
    assert read(transcript).format == "vtt"


def test_it_reads_json_saved_as_csv_but_not_a_csv_whose_header_starts_with_a_bracket(
    tmp_path: Path,
) -> None:
    json_path = tmp_path / "really-json.csv"
    json_path.write_text(json.dumps([{"comment": "from json"}]))
    csv_path = tmp_path / "brackets.csv"
    csv_path.write_text("[Ref],comment\n1,from csv\n")

    assert (read(json_path).format, read(json_path).texts) == ("json", ["from json"])
    assert (read(csv_path).format, read(csv_path).texts) == ("csv", ["from csv"])


# --- Choosing and checking columns ---------------------------------------------------------


def test_it_matches_column_names_ignoring_case_and_spacing(tmp_path: Path) -> None:
    path = tmp_path / "messy.csv"
    path.write_text(" Comment ,Role Group,ID\nFine,adopter,1\n")

    responses = read(path, text="comment", by=["role  group"], id="id")

    assert (responses.text, responses.by, responses.id) == (" Comment ", ["Role Group"], "ID")


def test_it_prefers_an_exact_column_name_over_a_case_insensitive_one(tmp_path: Path) -> None:
    path = tmp_path / "two.csv"
    path.write_text("Comment,comment\nupper,lower\n")

    assert read(path, text="comment").texts == ["lower"]
    failure(ColumnNotFoundError, lambda: read(path, text="COMMENT"))


def test_it_suggests_the_closest_column_when_one_is_missing(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "survey.csv", ROWS)

    message = failure(ColumnNotFoundError, lambda: read(path, text="coment"))

    assert "'coment'" in message
    assert "Did you mean 'comment'?" in message
    assert "'id', 'comment', 'role', 'date'" in message


@pytest.mark.parametrize("option", ["id", "by", "time"])
def test_it_names_a_missing_id_by_or_time_column(tmp_path: Path, option: str) -> None:
    path = write_csv(tmp_path / "survey.csv", ROWS)

    message = failure(ColumnNotFoundError, lambda: read(path, **{option: "region"}))

    assert f"'region' (--{option})" in message and "'role'" in message


def test_it_lists_only_some_columns_of_a_very_wide_file(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    names = [f"question {n} about the service" for n in range(200)]
    path.write_text(",".join(names) + "\n" + ",".join("x" for _ in names) + "\n")

    message = failure(ColumnNotFoundError, lambda: read(path, text="answer"))

    assert "more" in message


def test_it_uses_a_column_named_like_text_when_none_is_given(tmp_path: Path) -> None:
    path = tmp_path / "named.csv"
    path.write_text("id,Long notes field,Feedback\n1,a much longer cell than the other,short\n")

    assert read(path).text == "Feedback"


def test_it_uses_the_column_with_the_longest_text_otherwise(tmp_path: Path) -> None:
    path = tmp_path / "unnamed.csv"
    path.write_text(
        "ref,q1,q2\nA-1,yes,The letters never explained what happens next\nA-2,no,Kind\n"
    )

    responses = read(path, id="ref")

    assert responses.text == "q2"


def test_it_turns_numbers_in_the_text_column_into_strings() -> None:
    frame = pd.DataFrame({"answer": [3.0, 4.5, None, "seven"], "n": [1, 2, 3, 4]})

    responses = from_frame(frame, text="answer")

    assert responses.texts == ["3", "4.5", "", "seven"]


def test_it_keeps_empty_responses_as_empty_text(tmp_path: Path) -> None:
    path = tmp_path / "blanks.csv"
    path.write_text("id,comment\n1,\n2,Something\n3,   \n")

    responses = read(path, id="id")

    assert responses.texts == ["", "Something", "   "]
    assert len(responses) == 3


def test_it_rejects_input_where_every_text_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text("id,comment,role\n1,,adopter\n2, ,carer\n")

    message = failure(EmptyInputError, lambda: read(path, text="comment"))

    assert "'comment'" in message and "--text" in message


def test_it_rejects_repeated_ids_naming_the_rows(tmp_path: Path) -> None:
    path = tmp_path / "ids.csv"
    path.write_text("id,comment\nA1,x\nB2,y\nA1,z\nC3,w\nB2,v\n")

    message = failure(InputError, lambda: read(path, id="id"))

    assert "'A1' in rows 2 and 4" in message
    assert "'B2' in rows 3 and 6" in message


def test_it_rejects_missing_ids_naming_the_rows(tmp_path: Path) -> None:
    path = tmp_path / "ids.csv"
    path.write_text("id,comment\nA1,x\n,y\n")

    message = failure(InputError, lambda: read(path, id="id"))

    assert "Row 3" in message and "'id'" in message


def test_it_reads_times_written_day_first_or_as_iso_and_allows_empty_ones(tmp_path: Path) -> None:
    path = tmp_path / "dates.csv"
    path.write_text(
        "comment,date\na,2026-04-03\nb,03/04/2026\nc,\nd,3 April 2026 14:05\ne,2026-04-03T09:00:00+01:00\n"
    )

    times = read(path, time="date").data["date"]

    assert times.tolist()[:2] == [pd.Timestamp("2026-04-03"), pd.Timestamp("2026-04-03")]
    assert pd.isna(times.iloc[2])
    assert times.iloc[3] == pd.Timestamp("2026-04-03 14:05")
    assert times.iloc[4] == pd.Timestamp("2026-04-03 08:00")


def test_it_rejects_times_it_cannot_read_naming_the_first_rows(tmp_path: Path) -> None:
    path = tmp_path / "dates.csv"
    path.write_text("comment,date\na,2026-04-03\nb,next Tuesday\nc,\nd,n/a\n")

    message = failure(InputError, lambda: read(path, time="date"))

    assert "row 3 ('next Tuesday')" in message and "row 5 ('n/a')" in message


def test_from_frame_checks_a_dataframe_the_way_read_checks_a_file() -> None:
    frame = pd.DataFrame(
        {"Comment": ["Good", "Slow"], "when": ["2026-01-01", "02/01/2026"]}, index=[10, 20]
    )

    responses = from_frame(frame, text="comment", time="when")

    assert responses.format == "dataframe"
    assert responses.text == "Comment"
    assert responses.data["when"].tolist() == [
        pd.Timestamp("2026-01-01"),
        pd.Timestamp("2026-01-02"),
    ]
    assert frame["when"].tolist() == ["2026-01-01", "02/01/2026"]
    message = failure(ColumnNotFoundError, lambda: from_frame(frame, text="comments", by="group"))
    assert "'group'" in message
    message = failure(
        InputError, lambda: from_frame(pd.DataFrame({"t": ["a", "b"], "i": [1, 1]}), id="i")
    )
    assert "rows 1 and 2" in message


def test_heard_read_is_the_ingest_reader() -> None:
    assert heard.read is read


def test_importing_ingest_does_not_load_office_libraries() -> None:
    code = "import sys, heard.ingest; print(sorted({'openpyxl', 'docx'} & set(sys.modules)))"
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert output.stdout.strip() == "[]"


# --- Bad input: each gets a clear message ------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".json", ".txt", ".vtt", ".xlsx"])
def test_it_rejects_an_empty_file(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"empty{suffix}"
    path.write_bytes(b"")

    message = failure(EmptyInputError, lambda: read(path))

    assert f"'empty{suffix}' is empty (0 bytes)" in message


def test_it_rejects_a_csv_with_only_a_header(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text("id,comment\n\n")

    message = failure(EmptyInputError, lambda: read(path))

    assert "header row but no responses" in message


def test_it_rejects_a_workbook_with_only_a_header(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "header.xlsx", {"Only": [["id", "comment"]]})

    message = failure(EmptyInputError, lambda: read(path))

    assert "'Only'" in message and "no responses" in message


def test_it_rejects_a_png_renamed_to_csv(tmp_path: Path) -> None:
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))

    message = failure(UnreadableFileError, lambda: read(path))

    assert "'photo.csv' is a PNG image" in message


def test_it_rejects_binary_data_it_does_not_recognise(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(bytes(range(256)) * 20)

    message = failure(UnreadableFileError, lambda: read(path))

    assert "binary" in message


def test_it_rejects_an_old_excel_file(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))

    message = failure(UnreadableFileError, lambda: read(path))

    assert "Excel 97-2003" in message and ".xlsx" in message


def test_it_rejects_a_web_page_saved_with_a_spreadsheet_extension(tmp_path: Path) -> None:
    path = tmp_path / "export.xls"
    path.write_text("<html><body><table><tr><td>comment</td></tr></table></body></html>")

    message = failure(UnreadableFileError, lambda: read(path))

    assert "web page" in message and ".xlsx" in message


def test_it_says_where_a_given_encoding_fails(tmp_path: Path) -> None:
    path = tmp_path / "legacy.csv"
    path.write_bytes("id,comment\n1,fine\n2,Caf\u00e9\n".encode("cp1252"))

    message = failure(UnreadableFileError, lambda: read(path, encoding="utf-8"))

    assert "offset 23" in message and "line 3" in message and "--encoding" in message
    assert read(path, encoding="cp1252").texts == ["fine", "Caf\u00e9"]


def test_it_rejects_an_encoding_name_it_does_not_know(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "survey.csv", ROWS)

    message = failure(SettingsError, lambda: read(path, encoding="utf-9"))

    assert "'utf-9'" in message


def test_it_rejects_a_file_that_mixes_utf8_and_windows_1252(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    good = "id,comment\n1,Caf\u00e9 \u2013 na\u00efve\n2,d\u00e9j\u00e0 vu\n".encode()
    path.write_bytes(good + "3,r\u00e9sum\u00e9\n".encode("cp1252"))

    message = failure(UnreadableFileError, lambda: read(path))

    assert "line 4" in message and "mixes encodings" in message


def test_it_rejects_a_utf8_file_cut_short_part_way_through_a_character(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv"
    path.write_bytes("comment\nCaf\u00e9 was fine\nna\u00efve\n".encode()[:-4])

    message = failure(UnreadableFileError, lambda: read(path))

    assert "cut short" in message


def test_it_does_not_force_windows_1252_on_cyrillic_text(tmp_path: Path) -> None:
    # Long enough for detection to be sure: a few words of any encoding are guesswork.
    text = (
        "\u041f\u0440\u0438\u0432\u0435\u0442 \u043c\u0438\u0440. \u041a\u0430\u043a "
        "\u0434\u0435\u043b\u0430? \u0412\u0441\u0451 \u0445\u043e\u0440\u043e\u0448\u043e. "
        "\u0421\u043f\u0430\u0441\u0438\u0431\u043e."
    )
    path = tmp_path / "cyrillic.csv"
    path.write_bytes(f"comment\n{text}\n".encode("cp1251"))

    assert read(path).texts == [text]


def test_it_rejects_a_zero_byte_docx(tmp_path: Path) -> None:
    path = tmp_path / "notes.docx"
    path.write_bytes(b"")

    message = failure(EmptyInputError, lambda: read(path))

    assert "'notes.docx' is empty (0 bytes)" in message


@pytest.mark.parametrize("suffix", [".docx", ".xlsx"])
def test_it_rejects_a_damaged_office_file(tmp_path: Path, suffix: str) -> None:
    whole = tmp_path / f"whole{suffix}"
    if suffix == ".docx":
        write_docx(whole, ["A story long enough to compress."] * 50)
    else:
        write_xlsx(whole, {"S": [["comment"], *[["text"]] * 50]})
    damaged = tmp_path / f"damaged{suffix}"
    damaged.write_bytes(whole.read_bytes()[:1500])

    message = failure(UnreadableFileError, lambda: read(damaged))

    assert f"'damaged{suffix}'" in message and "damaged" in message.split(":")[0]


def test_it_rejects_a_docx_that_is_not_a_zip_at_all(tmp_path: Path) -> None:
    path = tmp_path / "garbage.docx"
    path.write_bytes(b"\x00\x01\x02garbage" * 100)

    message = failure(UnreadableFileError, lambda: read(path))

    assert "Word document" in message


def test_it_rejects_rows_with_more_fields_than_the_header(tmp_path: Path) -> None:
    rows = [f"{n},comment {n},adopter,2026-01-01" for n in range(2, 30)]
    rows[14 - 2] = "14,Good, but slow,adopter,2026-01-01"
    rows[27 - 2] = "27,Kind, patient,adopter,2026-01-01"
    path = tmp_path / "ragged.csv"
    path.write_text("id,comment,role,date\n" + "\n".join(rows) + "\n")

    message = failure(UnreadableFileError, lambda: read(path))

    assert message.startswith("Rows 14 and 27 of 'ragged.csv' have 5 fields but the header has 4.")
    assert "comma" in message


def test_it_rejects_an_unclosed_quote_that_would_swallow_rows(tmp_path: Path) -> None:
    path = tmp_path / "quote.csv"
    path.write_text('id,comment\n1,fine\n2,"this quote never closes\n3,lost\n4,lost too\n')

    message = failure(UnreadableFileError, lambda: read(path))

    assert "Row 3" in message and "quote" in message


def test_it_rejects_a_50_mb_cell_quickly_naming_row_column_and_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("w") as handle:
        handle.write("id,comment,role\n1,short,adopter\n2,")
        handle.write("x" * (50 * 1024 * 1024))
        handle.write(",carer\n")

    started = time.perf_counter()
    message = failure(TooLargeError, lambda: read(path))
    elapsed = time.perf_counter() - started

    assert "row 3" in message and "'comment'" in message and f"{MAX_CELL_CHARS:,}" in message
    assert elapsed < 5, f"took {elapsed:.1f}s"


def test_the_cell_limit_is_a_keyword_argument_for_every_format(tmp_path: Path) -> None:
    csv_path = tmp_path / "quoted.csv"
    csv_path.write_text('id,comment\n1,"a quoted cell, longer than twenty characters"\n')
    json_path = tmp_path / "long.json"
    json_path.write_text(json.dumps([{"c": "short"}, {"c": "y" * 30}]))
    story = tmp_path / "story.txt"
    story.write_text("z" * 30)

    csv_message = failure(TooLargeError, lambda: read(csv_path, max_cell_chars=20))
    json_message = failure(TooLargeError, lambda: read(json_path, max_cell_chars=20))
    txt_message = failure(TooLargeError, lambda: read(story, max_cell_chars=20))

    assert "row 2, column 'comment'" in csv_message and "20" in csv_message
    assert "item 2, column 'c'" in json_message and "30 characters" in json_message
    assert "'story.txt' has 30 characters" in txt_message
    assert len(read(csv_path, max_cell_chars=100)) == 1


def test_it_rejects_a_5000_column_sheet_before_reading_its_rows(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "wide.xlsx", {"Wide": [[f"c{r}-{n}" for n in range(5000)] for r in range(3)]}
    )

    started = time.perf_counter()
    message = failure(TooLargeError, lambda: read(path))

    assert time.perf_counter() - started < 2
    assert "'Wide'" in message and "5,000 columns" in message and "1,000" in message


def test_it_rejects_a_wide_sheet_that_does_not_declare_its_size(tmp_path: Path) -> None:
    from openpyxl import Workbook

    path = tmp_path / "unsized.xlsx"
    workbook = Workbook(write_only=True)  # writes no <dimension>, so the width shows row by row
    sheet = workbook.create_sheet("S")
    for row in (["comment"], ["ok"], ["x"] * 1200, ["never reached"]):
        sheet.append(row)
    workbook.save(path)

    message = failure(TooLargeError, lambda: read(path))

    assert "Row 3" in message and "1,200" in message


def test_it_rejects_a_csv_header_wider_than_the_column_limit(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"q{n}" for n in range(20)) + "\n" + ",".join("a" * 20) + "\n")

    message = failure(TooLargeError, lambda: read(path, max_columns=10))

    assert "20 columns" in message and "10" in message


def test_it_rejects_a_file_over_the_size_limit(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "survey.csv", ROWS)

    message = failure(TooLargeError, lambda: read(path, max_file_bytes=100))

    assert "'survey.csv' is" in message and "100 bytes" in message


def test_it_rejects_an_unsupported_extension_listing_the_formats(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.7\n")

    message = failure(UnreadableFileError, lambda: read(path))

    assert "'.pdf'" in message and "CSV" in message and "XLSX" in message and "VTT" in message


def test_it_rejects_a_missing_file_and_suggests_a_near_name(tmp_path: Path) -> None:
    write_csv(tmp_path / "survey-2026.csv", ROWS)

    message = failure(InputError, lambda: read(tmp_path / "survey-2025.csv"))

    assert "There is no file or folder" in message and "Did you mean 'survey-2026.csv'?" in message
    failure(InputError, lambda: read(tmp_path / "nowhere" / "file.csv"))


def test_it_rejects_invalid_json_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('[\n  {"comment": "fine"},\n  {"comment": "oops",}\n]\n')

    message = failure(UnreadableFileError, lambda: read(path))

    assert "line 3" in message


def test_it_rejects_json_that_is_not_a_list_of_responses(tmp_path: Path) -> None:
    path = tmp_path / "object.json"
    path.write_text(json.dumps({"a": [{"t": 1}], "b": [{"t": 2}]}))
    lines = tmp_path / "bad.jsonl"
    lines.write_text('{"t": "ok"}\n{"t": \n')

    assert "'a', 'b'" in failure(UnreadableFileError, lambda: read(path))
    assert "Line 2" in failure(UnreadableFileError, lambda: read(lines))


def test_it_rejects_a_transcript_without_captions(tmp_path: Path) -> None:
    path = tmp_path / "empty.vtt"
    path.write_text("WEBVTT\n\nNOTE nothing here\n")

    message = failure(UnreadableFileError, lambda: read(path))

    assert "no captions" in message


def test_it_rejects_a_transcript_whose_captions_hold_no_words(tmp_path: Path) -> None:
    path = tmp_path / "silent.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:02,000\n<i></i>\n")

    message = failure(EmptyInputError, lambda: read(path))

    assert "no words" in message


def test_it_rejects_a_folder_without_stories(tmp_path: Path) -> None:
    (tmp_path / "data.csv").write_text("a,b\n")

    message = failure(EmptyInputError, lambda: read(tmp_path))

    assert ".txt" in message and ".vtt" in message


def test_it_rejects_a_zero_byte_transcript_in_a_folder(tmp_path: Path) -> None:
    (tmp_path / "one.vtt").write_text(VTT)
    (tmp_path / "two.vtt").write_bytes(b"")

    message = failure(EmptyInputError, lambda: read(tmp_path))

    assert "'two.vtt'" in message and "0 bytes" in message
