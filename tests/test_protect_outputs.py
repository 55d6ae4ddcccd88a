"""`heard analyse` removes personal data from everything it writes, unless told not to."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from heard.cli import main
from synthetic import SAMPLE_DIR

SAMPLE = SAMPLE_DIR / "adoption-journeys.csv"


def planted_values() -> list[tuple[str, str]]:
    rows = []
    for line in (SAMPLE_DIR / "PLANTED.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("AJ-"):
            rows.append((cells[1], cells[2]))
    assert len(rows) >= 10
    return rows


def _all_output_text(folder: Path) -> str:
    """Every byte heard wrote, as text: plain files as they are, workbooks unzipped."""
    parts = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as z:
                parts.extend(z.read(name).decode("utf-8", "replace") for name in z.namelist())
        else:
            parts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(parts)


def _variants(value: str) -> list[str]:
    """The value as written, and with its spaces and dashes gone (numbers re-flowed)."""
    squashed = re.sub(r"[\s\-]", "", value)
    return [value, value.lower(), squashed] if squashed != value else [value, value.lower()]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory, cache_dir) -> Path:
    out = tmp_path_factory.mktemp("protected")
    result = CliRunner().invoke(
        main,
        [
            "analyse",
            str(SAMPLE),
            "--text",
            "response",
            "--by",
            "role",
            "--time",
            "date",
            "-o",
            str(out),
            "--cache-dir",
            str(cache_dir),
        ],
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("kind,value", planted_values())
def test_no_planted_personal_value_appears_in_any_output(outputs, kind, value):
    text = _all_output_text(outputs)
    for form in _variants(value):
        assert form not in text, f"{kind} {value!r} found in the outputs"


def test_the_placeholders_keep_the_kind_of_what_was_removed(outputs):
    text = _all_output_text(outputs)
    for token in ["[NAME", "[PHONE", "[EMAIL", "[NHS_NUMBER", "[POSTCODE"]:
        assert token in text, token


def test_the_report_says_redaction_was_on(outputs):
    html = (outputs / "report.html").read_text()
    assert "NOT removed" not in html


def test_no_redact_keeps_the_values_and_the_report_says_so(tmp_path, cache_dir):
    out = tmp_path / "raw"
    result = CliRunner().invoke(
        main,
        [
            "analyse",
            str(SAMPLE),
            "--text",
            "response",
            "--no-redact",
            "-o",
            str(out),
            "--cache-dir",
            str(cache_dir),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "NOT removed" in result.output
    html = (out / "report.html").read_text()
    assert "NOT removed" in html
    assert "07700 900123" in _all_output_text(out)
