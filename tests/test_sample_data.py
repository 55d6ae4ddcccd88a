"""The bundled "Adoption journeys" sample is complete, well formed and honest about its planted details.

These tests read the files directly (csv module and regular expressions) so that they do not depend
on heard.ingest or heard.redact.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from datetime import date, timedelta
from importlib.resources import files
from pathlib import Path

import pytest

SAMPLE = Path(str(files("heard").joinpath("data", "sample")))
CSV_PATH = SAMPLE / "adoption-journeys.csv"
COLUMNS = ["id", "date", "role", "area", "channel", "response"]
ROLES = {
    "adopter",
    "prospective adopter",
    "foster carer",
    "birth relative",
    "social worker",
    "young person",
}
AREAS = {"North", "South", "East", "West", "City"}
CHANNELS = {"online form", "survey", "workshop", "phone"}
FIRST_DAY, LAST_DAY = date(2024, 10, 1), date(2026, 9, 30)


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    with CSV_PATH.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == COLUMNS
        return list(reader)


@pytest.fixture(scope="module")
def planted() -> list[tuple[str, str, str]]:
    text = (SAMPLE / "PLANTED.md").read_text(encoding="utf-8")
    found = re.findall(r"^\| (AJ-\d{4}) \| (\w+) \| (.+?) \|$", text, flags=re.MULTILINE)
    return [(rid, kind, value.strip()) for rid, kind, value in found]


def _words(text: str) -> int:
    return len(text.split())


# -- the CSV ---------------------------------------------------------------------------------


def test_the_sample_csv_has_at_least_three_hundred_responses(rows: list[dict[str, str]]) -> None:
    assert len(rows) >= 300


def test_every_response_has_a_unique_well_formed_id(rows: list[dict[str, str]]) -> None:
    ids = [r["id"] for r in rows]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"AJ-\d{4}", i) for i in ids)
    assert ids == [f"AJ-{n:04d}" for n in range(1, len(ids) + 1)]


def test_every_response_has_text_and_no_two_responses_are_identical(
    rows: list[dict[str, str]],
) -> None:
    texts = [r["response"].strip() for r in rows]
    assert all(texts)
    assert len(set(texts)) == len(texts)


def test_all_six_roles_appear_and_no_others(rows: list[dict[str, str]]) -> None:
    counts = Counter(r["role"] for r in rows)
    assert set(counts) == ROLES
    assert min(counts.values()) >= 20


def test_areas_and_channels_use_the_documented_values(rows: list[dict[str, str]]) -> None:
    assert {r["area"] for r in rows} == AREAS
    assert {r["channel"] for r in rows} == CHANNELS


def test_dates_are_iso_and_cover_every_month_of_two_years(rows: list[dict[str, str]]) -> None:
    days = [date.fromisoformat(r["date"]) for r in rows]
    assert all(FIRST_DAY <= d <= LAST_DAY for d in days)
    assert max(days) - min(days) >= timedelta(days=720)
    months = {(d.year, d.month) for d in days}
    assert len(months) == 24


def test_waiting_after_approval_comes_up_more_in_2026(rows: list[dict[str, str]]) -> None:
    waiting = re.compile(r"\b(since (approval|panel)|approved \d|still waiting|the wait)\b", re.I)
    by_year = Counter(r["date"][:4] for r in rows if waiting.search(r["response"]))
    assert by_year["2026"] > by_year["2025"]


def test_responses_vary_from_a_word_or_two_to_about_150_words(
    rows: list[dict[str, str]],
) -> None:
    lengths = [_words(r["response"]) for r in rows]
    assert min(lengths) <= 2
    assert 120 <= max(lengths) <= 170
    assert sum(n <= 5 for n in lengths) >= 5
    assert sum(n >= 80 for n in lengths) >= 5


def test_the_answer_key_covers_every_response(rows: list[dict[str, str]]) -> None:
    with (SAMPLE / "answer-key.csv").open(encoding="utf-8", newline="") as fh:
        key = list(csv.DictReader(fh))
    assert [k["id"] for k in key] == [r["id"] for r in rows]
    issues = Counter(k["issue"] for k in key)
    assert 10 <= len(issues) - 1 <= 14  # real issues, plus "no clear theme"
    assert "no clear theme" in issues
    for k in key:
        for other in filter(None, (a.strip() for a in k["also_about"].split(";"))):
            assert other in issues, other


# -- planted personal details ------------------------------------------------------------------


def test_planted_md_lists_about_fifteen_values_of_several_kinds(
    planted: list[tuple[str, str, str]],
) -> None:
    assert 12 <= len(planted) <= 20
    kinds = {kind for _, kind, _ in planted}
    assert {"name", "phone", "email", "postcode", "nhs_number", "date_of_birth"} <= kinds


def test_every_planted_value_occurs_in_the_response_it_is_listed_under(
    rows: list[dict[str, str]], planted: list[tuple[str, str, str]]
) -> None:
    by_id = {r["id"]: r["response"] for r in rows}
    for rid, kind, value in planted:
        assert rid in by_id, rid
        assert value in by_id[rid], (rid, kind, value)


def test_the_planted_nhs_number_has_a_valid_check_digit(
    planted: list[tuple[str, str, str]],
) -> None:
    numbers = [v for _, kind, v in planted if kind == "nhs_number"]
    assert numbers
    for number in numbers:
        digits = [int(c) for c in number if c.isdigit()]
        assert len(digits) == 10
        check = 11 - sum(d * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True)) % 11
        assert (0 if check == 11 else check) == digits[9]


def test_planted_contact_details_are_from_reserved_fictional_ranges(
    planted: list[tuple[str, str, str]],
) -> None:
    for _, kind, value in planted:
        if kind == "email":
            assert value.endswith("@example.org")
        if kind == "phone":
            assert re.fullmatch(r"07700 900\d{3}|020 7946 0\d{3}|01\d{2} 496 0\d{3}", value), value


def test_no_email_or_phone_number_appears_that_is_not_listed_as_planted(
    rows: list[dict[str, str]], planted: list[tuple[str, str, str]]
) -> None:
    listed = {v for _, _, v in planted}
    text = "\n".join(r["response"] for r in rows)
    emails = set(re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", text))
    phones = {m.strip() for m in re.findall(r"(?<!\d)0\d{2,4}[ \d]{6,9}\d(?!\d)", text)}
    assert emails <= listed
    assert phones <= listed


# -- the interview transcript ------------------------------------------------------------------

TIMING = re.compile(
    r"^(\d{2}):(\d{2}):(\d{2})\.(\d{3}) --> (\d{2}):(\d{2}):(\d{2})\.(\d{3})(?: .*)?$"
)


def _seconds(h: str, m: str, s: str, ms: str) -> float:
    return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000


def _cues(path: Path) -> list[tuple[float, float, str]]:
    """A deliberately small WebVTT reader: (start, end, payload) for every cue."""
    text = path.read_text(encoding="utf-8")
    blocks = re.split(r"\n\s*\n", text.strip())
    assert re.fullmatch(r"WEBVTT(?:[ \t].*)?", blocks[0].splitlines()[0])
    cues = []
    for block in blocks[1:]:
        lines = block.splitlines()
        if lines[0].startswith("NOTE"):
            continue
        timing = next(i for i, line in enumerate(lines) if "-->" in line)
        assert timing <= 1, block  # an optional cue identifier, then the timing line
        match = TIMING.match(lines[timing])
        assert match, lines[timing]
        g = match.groups()
        cues.append((_seconds(*g[:4]), _seconds(*g[4:]), "\n".join(lines[timing + 1 :])))
    return cues


def test_the_interview_parses_as_webvtt_with_at_least_sixty_cues() -> None:
    cues = _cues(SAMPLE / "interview-adopter.vtt")
    assert len(cues) >= 60
    for (start, end, payload), (next_start, _, _) in zip(cues, cues[1:], strict=False):
        assert start < end <= next_start
        assert payload.strip()
    assert 15 * 60 <= cues[-1][1] <= 25 * 60


def test_the_interview_has_exactly_two_speakers_taking_turns() -> None:
    cues = _cues(SAMPLE / "interview-adopter.vtt")
    speakers = [re.match(r"<v ([^>]+)>", payload) for _, _, payload in cues]
    assert all(speakers)
    names = [s.group(1) for s in speakers if s]
    assert set(names) == {"Interviewer", "Adopter"}
    turns = sum(a != b for a, b in zip(names, names[1:], strict=False))
    assert turns >= 40


# -- field notes and README -------------------------------------------------------------------


def test_there_are_four_or_five_field_notes_each_long_enough_to_split() -> None:
    notes = sorted((SAMPLE / "field-notes").glob("*.txt"))
    assert 4 <= len(notes) <= 5
    for note in notes:
        words = _words(note.read_text(encoding="utf-8"))
        assert 600 <= words <= 1500, (note.name, words)


def test_the_readme_says_the_sample_is_fictional_and_how_to_analyse_it() -> None:
    readme = (SAMPLE / "README.md").read_text(encoding="utf-8")
    assert "fictional" in readme.lower()
    assert (
        "heard analyse src/heard/data/sample/adoption-journeys.csv --text response "
        "--by role --by area --time date -o heard-out/sample"
    ) in readme
    for column in COLUMNS:
        assert f"`{column}`" in readme
