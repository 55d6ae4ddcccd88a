"""The redaction test set in tests/data/redact/ is well formed, big enough and honest.

These tests check the data only (they do not import heard.redact): the file parses, every span is in
range, of a known kind and shaped like its kind, the counts meet the minimums the "Protect" issue asks
for, every NHS number passes the mod-11 check, all contact details come from reserved fictional
ranges, no personal value is left unlabelled, and no trap sentence carries personal data.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).resolve().parent / "data" / "redact"
CASES = DATA / "cases.jsonl"
KINDS = {
    "NAME",
    "PHONE",
    "EMAIL",
    "NHS_NUMBER",
    "NI_NUMBER",
    "POSTCODE",
    "ADDRESS",
    "DATE_OF_BIRTH",
    "URL",
}
MIN_PERSONAL_SENTENCES = 400
MIN_TRAPS = 100
MIN_PER_KIND = 40
MIN_NAMES = 120

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
TEN_DIGITS = re.compile(r"(?<![\d])\d(?:[ -]?\d){9}(?![\d])")
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2}\b", re.IGNORECASE)
NI_NUMBER = re.compile(r"[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]", re.IGNORECASE)
URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w.-]*example\.[a-z.]+/\S*", re.IGNORECASE)
# Ofcom's numbers for drama (never allocated to a real line), written with digits only.
DRAMA_PHONE = re.compile(
    r"07700900\d{3}|02079460\d{3}|01(?:13|14|15|17|18|21|31|41|51|61)4960\d{3}"
    r"|01632960\d{3}|02920180\d{3}"
)
HONORIFICS = {"mr", "mrs", "ms", "miss", "mx", "dr", "nurse", "sister", "judge", "nana", "auntie"}


def _load() -> list[dict[str, Any]]:
    cases = []
    with CASES.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            assert line.strip(), f"line {number} of {CASES.name} is blank"
            cases.append(json.loads(line))
    return cases


@pytest.fixture(scope="module")
def cases() -> list[dict[str, Any]]:
    return _load()


def _values(cases: list[dict[str, Any]], kind: str) -> list[str]:
    return [
        case["text"][span["start"] : span["end"]]
        for case in cases
        for span in case["spans"]
        if span["kind"] == kind
    ]


def _nhs_check_ok(digits: str) -> bool:
    check = 11 - sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True)) % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def _phone_digits(value: str) -> str:
    digits = re.sub(r"\D", "", value.replace("(0)", ""))
    return "0" + digits[2:] if digits.startswith("44") else digits


# -- format ------------------------------------------------------------------------------------


def test_every_line_is_a_json_object_with_exactly_the_documented_fields(
    cases: list[dict[str, Any]],
) -> None:
    for case in cases:
        assert set(case) == {"id", "text", "spans", "trap"}, case
        assert isinstance(case["text"], str) and case["text"].strip(), case
        assert isinstance(case["trap"], bool), case
        assert isinstance(case["spans"], list), case
        for span in case["spans"]:
            assert set(span) == {"start", "end", "kind"}, (case["id"], span)
            assert isinstance(span["start"], int) and isinstance(span["end"], int), case["id"]


def test_ids_are_unique_and_numbered_in_order(cases: list[dict[str, Any]]) -> None:
    ids = [case["id"] for case in cases]
    assert ids == [f"r{n:04d}" for n in range(1, len(cases) + 1)]


def test_no_sentence_appears_twice(cases: list[dict[str, Any]]) -> None:
    repeated = [t for t, n in Counter(case["text"] for case in cases).items() if n > 1]
    assert not repeated


def test_span_offsets_are_in_range_sorted_and_do_not_overlap(cases: list[dict[str, Any]]) -> None:
    for case in cases:
        previous_end = 0
        for span in case["spans"]:
            assert 0 <= span["start"] < span["end"] <= len(case["text"]), (case["id"], span)
            assert span["start"] >= previous_end, (case["id"], "spans overlap or are out of order")
            previous_end = span["end"]


def test_every_span_has_a_known_kind(cases: list[dict[str, Any]]) -> None:
    for case in cases:
        for span in case["spans"]:
            assert span["kind"] in KINDS, (case["id"], span["kind"])


def test_spans_cover_the_value_only_without_surrounding_spaces_or_punctuation(
    cases: list[dict[str, Any]],
) -> None:
    for case in cases:
        for span in case["spans"]:
            value = case["text"][span["start"] : span["end"]]
            assert value == value.strip(), (case["id"], value)
            assert value[-1] not in ".,;:!?)'\"", (case["id"], value)
            assert value[0] not in ",;:'\"", (case["id"], value)
            if value[0] == "(":  # only a phone number's bracketed area code, "(020) 7946 0123"
                assert span["kind"] == "PHONE" and ")" in value, (case["id"], value)


def test_trap_sentences_carry_no_spans_and_the_others_carry_at_least_one(
    cases: list[dict[str, Any]],
) -> None:
    for case in cases:
        if case["trap"]:
            assert case["spans"] == [], case["id"]
        else:
            assert 1 <= len(case["spans"]) <= 3, case["id"]


# -- size ----------------------------------------------------------------------------------------


def test_there_are_enough_personal_sentences_and_trap_sentences(
    cases: list[dict[str, Any]],
) -> None:
    traps = sum(case["trap"] for case in cases)
    assert len(cases) - traps >= MIN_PERSONAL_SENTENCES
    assert traps >= MIN_TRAPS


def test_every_kind_has_enough_values_and_names_the_most(cases: list[dict[str, Any]]) -> None:
    counts = Counter(span["kind"] for case in cases for span in case["spans"])
    for kind in KINDS:
        assert counts[kind] >= MIN_PER_KIND, (kind, counts[kind])
    assert counts["NAME"] >= MIN_NAMES


# -- each kind looks like what it says ---------------------------------------------------------


def test_every_nhs_number_has_ten_digits_and_a_valid_mod_11_check_digit(
    cases: list[dict[str, Any]],
) -> None:
    for value in _values(cases, "NHS_NUMBER"):
        assert re.fullmatch(r"\d{3}[ -]?\d{3}[ -]?\d{4}", value), value
        digits = re.sub(r"\D", "", value)
        assert _nhs_check_ok(digits), value
        # the 999 range is reserved for test data; 943 476 5919 is the long-published example
        assert digits.startswith("999") or digits == "9434765919", value


def test_every_phone_number_is_in_an_ofcom_drama_range(cases: list[dict[str, Any]]) -> None:
    for value in _values(cases, "PHONE"):
        assert re.fullmatch(r"[\d +()-]+", value), value
        assert DRAMA_PHONE.fullmatch(_phone_digits(value)), value


def test_every_email_and_url_uses_a_reserved_example_domain(cases: list[dict[str, Any]]) -> None:
    for value in _values(cases, "EMAIL"):
        assert EMAIL.fullmatch(value), value
        labels = value.rsplit("@", 1)[1].lower().split(".")
        assert "example" in labels, value
    for value in _values(cases, "URL"):
        host = re.sub(r"^https?://", "", value.lower()).split("/")[0]
        assert "example" in host.split("."), value


def test_postcodes_and_ni_numbers_have_a_uk_format(cases: list[dict[str, Any]]) -> None:
    for value in _values(cases, "POSTCODE"):
        assert POSTCODE.fullmatch(value), value
    for value in _values(cases, "NI_NUMBER"):
        assert NI_NUMBER.fullmatch(value), value


def test_addresses_carry_a_house_or_flat_number_and_dates_of_birth_a_year_or_a_day(
    cases: list[dict[str, Any]],
) -> None:
    for value in _values(cases, "ADDRESS"):
        assert re.search(r"\d", value), value
        assert not POSTCODE.search(value), ("the postcode is a span of its own", value)
    for value in _values(cases, "DATE_OF_BIRTH"):
        assert re.search(r"\d", value), value
        assert not re.fullmatch(r"\d{4}", value), ("a year alone is not a date of birth", value)


def test_name_spans_leave_out_the_honorific_or_family_role(cases: list[dict[str, Any]]) -> None:
    for value in _values(cases, "NAME"):
        first = value.split()[0].rstrip(".").lower()
        assert first not in HONORIFICS, value
        assert not re.search(r"\d|@", value), value


# -- nothing left unlabelled, and the traps are clean ---------------------------------------------


def test_every_email_and_valid_nhs_number_in_the_text_is_labelled(
    cases: list[dict[str, Any]],
) -> None:
    for case in cases:
        labelled = {(s["start"], s["end"], s["kind"]) for s in case["spans"]}
        for match in EMAIL.finditer(case["text"]):
            assert (match.start(), match.end(), "EMAIL") in labelled, (case["id"], match.group())
        for match in TEN_DIGITS.finditer(case["text"]):
            if _nhs_check_ok(re.sub(r"\D", "", match.group())):
                key = (match.start(), match.end(), "NHS_NUMBER")
                assert key in labelled, (case["id"], match.group())


def test_no_trap_contains_an_email_phone_nhs_number_postcode_ni_number_or_url(
    cases: list[dict[str, Any]],
) -> None:
    for case in cases:
        if not case["trap"]:
            continue
        text = case["text"]
        assert not EMAIL.search(text), case["id"]
        assert not URL.search(text), case["id"]
        assert not POSTCODE.search(text), case["id"]
        assert not NI_NUMBER.search(text), case["id"]
        for match in TEN_DIGITS.finditer(text):
            assert not _nhs_check_ok(re.sub(r"\D", "", match.group())), case["id"]
        for match in re.finditer(r"(?:\+44|\(?0)[\d ()-]{9,}", text):
            assert not DRAMA_PHONE.search(_phone_digits(match.group())), case["id"]


def test_the_traps_include_ten_digit_numbers_that_fail_the_nhs_check(
    cases: list[dict[str, Any]],
) -> None:
    invalid = [
        match.group()
        for case in cases
        if case["trap"]
        for match in TEN_DIGITS.finditer(case["text"])
    ]
    assert len(invalid) >= 5
    assert not any(_nhs_check_ok(re.sub(r"\D", "", value)) for value in invalid)


# -- the hand-written source and the JSONL agree --------------------------------------------------


def test_cases_jsonl_is_what_build_py_makes_from_cases_txt() -> None:
    spec = importlib.util.spec_from_file_location("redact_build", DATA / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert CASES.read_text(encoding="utf-8") == module.build(), (
        "cases.jsonl is out of date: run python tests/data/redact/build.py"
    )
