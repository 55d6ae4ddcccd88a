"""The heard command: the README's job on the sample, and one clear message for each bad input."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from heard.cli import main
from synthetic import SAMPLE_DIR

SAMPLE = SAMPLE_DIR / "adoption-journeys.csv"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_help_lists_the_analyse_command():
    code, out = run("--help")
    assert code == 0
    assert "analyse" in out


def test_help_does_not_load_heavy_libraries():
    # `heard --help` must answer at once: nothing heavy may be imported to show it.
    probe = (
        "import sys; from heard.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('torch', 'pandas', 'sklearn', 'sentence_transformers') if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert "HEAVY []" in out


def test_analyse_writes_every_output_for_the_sample(tmp_path, cache_dir, output_root):
    out = tmp_path / "sample"
    code, text = run(
        "analyse",
        str(SAMPLE),
        "--text",
        "response",
        "--by",
        "role",
        "--by",
        "area",
        "--time",
        "date",
        "-o",
        str(out),
        "--cache-dir",
        str(cache_dir),
    )
    assert code == 0, text
    for name in ["report.html", "themes.csv", "assignments.csv", "results.xlsx"]:
        assert (out / name).stat().st_size > 0, name
    assert "themes" in text and "No clear theme" not in text.splitlines()[0]
    # keep the report for people to look at after a run
    (output_root / "sample-report.html").write_bytes((out / "report.html").read_bytes())


def test_quiet_prints_nothing_when_all_goes_well(tmp_path, cache_dir):
    code, text = run(
        "analyse",
        str(SAMPLE),
        "--text",
        "response",
        "-q",
        "-o",
        str(tmp_path / "o"),
        "--cache-dir",
        str(cache_dir),
    )
    assert code == 0
    assert text.strip() == ""


def _write_docx_empty(path: Path) -> None:
    path.write_bytes(b"")


def _bad_inputs(tmp: Path) -> dict[str, tuple[Path, list[str], str]]:
    """name -> (file, extra args, a word the message must contain)."""
    cases: dict[str, tuple[Path, list[str], str]] = {}
    empty = tmp / "empty.csv"
    empty.write_bytes(b"")
    cases["empty file"] = (empty, [], "empty")
    missing = tmp / "missing.csv"
    missing.write_text("id,comment\n1,Lovely staff\n2,Long wait\n")
    cases["missing column"] = (missing, ["--text", "coment"], "comment")
    binary = tmp / "picture.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    cases["binary file"] = (binary, [], "")
    mixed = tmp / "mixed.csv"
    mixed.write_bytes(
        "id,comment\n1,caf\u00e9 staff were kind\n".encode() + b"2,it\x92s a long wait\n"
    )
    cases["undecodable bytes"] = (mixed, ["--text", "comment"], "line 3")
    wrong = tmp / "wrong.csv"
    wrong.write_bytes(b"id,comment\n1,ok\n2,\xff\xfe\x81 bad \x9d\x8f\n")
    cases["wrong encoding"] = (wrong, ["--text", "comment", "--encoding", "utf-8"], "utf-8")
    docx = tmp / "notes.docx"
    _write_docx_empty(docx)
    cases["0-byte docx"] = (docx, [], "")
    ragged = tmp / "ragged.csv"
    ragged.write_text("id,comment,role\n1,Good,adopter\n2,Bad,adopter,extra,more\n3,Fine,carer\n")
    cases["ragged rows"] = (ragged, ["--text", "comment"], "3")
    huge = tmp / "huge.csv"
    with huge.open("w") as f:
        f.write("id,comment\n1,")
        f.write("word " * (10 * 1024 * 1024))  # a 50 MB cell
        f.write("\n")
    cases["50 MB cell"] = (huge, ["--text", "comment"], "")
    wide = tmp / "wide.xlsx"
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Responses")
    ws.append([f"col{i}" for i in range(5000)])
    ws.append(["x"] * 5000)
    wb.save(wide)
    cases["5,000-column sheet"] = (wide, [], "column")
    corrupt = tmp / "broken.xlsx"
    with zipfile.ZipFile(corrupt, "w") as z:
        z.writestr("nonsense.txt", "not a workbook")
    cases["corrupt workbook"] = (corrupt, [], "")
    return cases


@pytest.mark.parametrize(
    "case",
    [
        "empty file",
        "missing column",
        "binary file",
        "undecodable bytes",
        "wrong encoding",
        "0-byte docx",
        "ragged rows",
        "50 MB cell",
        "5,000-column sheet",
        "corrupt workbook",
    ],
)
def test_bad_input_gives_one_clear_message_and_writes_nothing(case, tmp_path):
    path, extra, must = _bad_inputs(tmp_path)[case]
    out = tmp_path / "out"
    code, text = run("analyse", str(path), *extra, "-o", str(out), "-q")
    assert code == 1, text
    assert "Traceback" not in text
    lines = [line for line in text.strip().splitlines() if line.strip()]
    assert len(lines) == 1, text
    assert lines[0].startswith("Error: ")
    assert must.lower() in text.lower()
    assert not out.exists()


def test_a_missing_file_is_a_clear_error(tmp_path):
    code, text = run("analyse", str(tmp_path / "nope.csv"), "-o", str(tmp_path / "o"))
    assert code == 1
    assert "Error:" in text and "nope.csv" in text


def test_an_output_that_is_a_file_is_refused(tmp_path):
    target = tmp_path / "report.txt"
    target.write_text("keep me")
    code, text = run("analyse", str(SAMPLE), "--text", "response", "-o", str(target))
    assert code == 1
    assert "folder" in text
    assert target.read_text() == "keep me"


def test_a_codebook_that_does_not_exist_is_a_clear_error(tmp_path, cache_dir):
    code, text = run(
        "analyse",
        str(SAMPLE),
        "--text",
        "response",
        "--codebook",
        str(tmp_path / "codes.csv"),
        "-o",
        str(tmp_path / "o"),
        "-q",
        "--cache-dir",
        str(cache_dir),
    )
    assert code == 1, text
    assert "Traceback" not in text
    assert not (tmp_path / "o").exists()


def _survey_with_questions(tmp_path: Path) -> Path:
    """A made-up export where each answer sits beside the question it answers."""
    good, better = "What did the home care team do well?", "How could the home care team improve?"
    rows = [
        (good, "Nothing"),
        (better, "Nothing"),
        (good, "The carers always chat to my dad while they help him wash"),
        (better, "Visits are often an hour late with no phone call"),
        (good, "They noticed his leg was swollen and rang the GP"),
        (better, "Too many different faces every week"),
        (good, "Nothing at all"),
        (better, "Nothing at all"),
    ] * 3
    path = tmp_path / "home-care.csv"
    lines = ["question,answer"] + [f'"{q}","{a}"' for q, a in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_analyse_reads_each_answer_under_the_question_column(tmp_path, cache_dir):
    import pandas as pd

    path = _survey_with_questions(tmp_path)
    out = tmp_path / "out"
    code, text = run(
        "analyse",
        str(path),
        "--text",
        "answer",
        "--question",
        "question",
        "--no-redact",
        "-q",
        "-o",
        str(out),
        "--cache-dir",
        str(cache_dir),
    )
    assert code == 0, text
    responses = pd.read_excel(out / "results.xlsx", sheet_name="Responses")
    source = pd.read_csv(path)
    nothing = source["answer"].str.startswith("Nothing")
    asked_good = source["question"].str.contains("do well")
    assert (responses.loc[nothing & asked_good, "sentiment"] == "negative").all()
    assert (responses.loc[nothing & ~asked_good, "sentiment"] != "negative").all()
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "Question column" in report and "asks what was good" in report


def test_a_question_column_that_does_not_exist_is_a_clear_error(tmp_path):
    path = _survey_with_questions(tmp_path)
    code, text = run(
        "analyse",
        str(path),
        "--text",
        "answer",
        "--question",
        "questoin",
        "-o",
        str(tmp_path / "o"),
    )
    assert code == 1, text
    assert "Traceback" not in text
    assert "--question" in text and "Did you mean 'question'" in text
