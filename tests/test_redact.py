"""heard.redact: personal data found and replaced on this machine, with a record that keeps no values.

Every value here is invented: phone numbers from Ofcom's drama ranges, example.org
addresses, NHS numbers from the 999 test range, made-up names and streets.
"""

from __future__ import annotations

import importlib.util
import json
import socket
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from heard.errors import ColumnNotFoundError, SettingsError, TooLargeError
from heard.redact import KINDS, Redactor, as_text, redact, redact_frame
from heard.redact.cli import redact_command

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "data" / "redact" / "cases.jsonl"


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    return Redactor()


def found(redactor: Redactor, text: str) -> list[tuple[str, str]]:
    return [(s.kind, text[s.start : s.end]) for s in redactor.redact(text).spans]


# --- each kind, in the forms people type -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Ring me on 07700 900123 after six.", "07700 900123"),
        ("Mobile: 07700900456", "07700900456"),
        ("call 07 700 900 567 if no answer", "07 700 900 567"),
        ("Try +44 7700 900321 when abroad.", "+44 7700 900321"),
        ("Office +44 (0)113 496 0781, ext 2", "+44 (0)113 496 0781"),
        ("Home (020) 7946 0555 evenings", "(020) 7946 0555"),
        ("landline 0113-496-0999.", "0113-496-0999"),
        ("the duty desk 0044 161 496 0123", "0044 161 496 0123"),
        ("tel:01632 960123", "01632 960123"),
    ],
)
def test_it_finds_phone_numbers_however_they_are_typed(
    redactor: Redactor, text: str, value: str
) -> None:
    assert ("PHONE", value) in found(redactor, text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Email gemma.t@example.org please.", "gemma.t@example.org"),
        ("(Kinship.Team@Example.com)", "Kinship.Team@Example.com"),
        (
            "write to family-finding+north@council.example.co.uk.",
            "family-finding+north@council.example.co.uk",
        ),
    ],
)
def test_it_finds_email_addresses_without_the_punctuation_around_them(
    redactor: Redactor, text: str, value: str
) -> None:
    assert found(redactor, text) == [("EMAIL", value)]


@pytest.mark.parametrize("value", ["943 476 5919", "9434765919", "943-476-5919", "999 158 8132"])
def test_it_finds_nhs_numbers_that_pass_the_check_digit(redactor: Redactor, value: str) -> None:
    assert found(redactor, f"Her NHS no. is {value} on the letter.") == [("NHS_NUMBER", value)]
    assert found(redactor, f"The number {value} was on the form.") == [("NHS_NUMBER", value)]


def test_it_leaves_ten_digit_references_that_fail_the_check_digit(redactor: Redactor) -> None:
    for text in ("Complaint reference 532 627 0586 was closed.", "Order 1370382653 arrived."):
        assert redactor.redact(text).text == text


@pytest.mark.parametrize("value", ["QQ 12 34 56 C", "QQ123456C", "AB 12 34 56 D", "JK-45-67-89-A"])
def test_it_finds_national_insurance_numbers_including_hmrcs_qq_examples(
    redactor: Redactor, value: str
) -> None:
    assert found(redactor, f"My NI number is {value}.") == [("NI_NUMBER", value)]


def test_it_finds_a_lower_case_ni_number_when_the_words_say_what_it_is(redactor: Redactor) -> None:
    assert found(redactor, "national insurance qq112233c") == [("NI_NUMBER", "qq112233c")]


@pytest.mark.parametrize(
    "value", ["TS19 7WY", "NE12 8QX", "BD89LN", "wf1 3pq", "W1A 1AA", "EC1A 1BB"]
)
def test_it_finds_postcodes_with_or_without_the_space(redactor: Redactor, value: str) -> None:
    assert ("POSTCODE", value) in found(redactor, f"We moved to {value} last year.")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("We live at 14 Larch Close, Stockton.", "14 Larch Close"),
        ("Send it to Flat 3, 22 Mill Road please", "Flat 3, 22 Mill Road"),
        ("the house at 27a Station Road has a ramp", "27a Station Road"),
        ("Flat 2b Holly Court is where we are now", "Flat 2b Holly Court"),
        ("post it to flat 6, 40 victoria st and ring", "flat 6, 40 victoria st"),
        ("Write to 5 Moor View, Hebden Bridge", "5 Moor View"),
    ],
)
def test_it_finds_street_addresses_from_the_number_to_the_street(
    redactor: Redactor, text: str, value: str
) -> None:
    assert ("ADDRESS", value) in found(redactor, text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("She was born on 3 March 2019 in Leeds.", "3 March 2019"),
        ("DOB: 14/07/2016", "14/07/2016"),
        ("born on the 3rd of March 2019", "3rd of March 2019"),
        ("d.o.b 1/2/18, NHS no to follow", "1/2/18"),
        ("date of birth 2015-03-14", "2015-03-14"),
        ("He was born in March 2019.", "March 2019"),
        (
            "Her date of birth is the twelfth of June two thousand and eighteen.",
            "twelfth of June two thousand and eighteen",
        ),
        ("Born May 5th, 2017, placed at two.", "May 5th, 2017"),
        ("14.07.2016 (her date of birth)", "14.07.2016"),
    ],
)
def test_it_finds_dates_of_birth_in_figures_and_words_when_the_words_say_so(
    redactor: Redactor, text: str, value: str
) -> None:
    assert ("DATE_OF_BIRTH", value) in found(redactor, text)


def test_it_leaves_dates_that_are_not_birth_dates(redactor: Redactor) -> None:
    for text in (
        "Panel was on 3 March 2019 and the order on 12/06/2020.",
        "Both children were born in 2019.",
        "Born Sept 2018 is not what the letter says: placed Jan 2020, order Dec 2020.",
    ):
        result = redactor.redact(text)
        assert all(s.kind == "DATE_OF_BIRTH" for s in result.spans)
        assert len(result.spans) <= 1


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("See www.example.org/prep-course for dates.", "www.example.org/prep-course"),
        (
            "His page is https://facebook.example.com/kelly.moss.79.",
            "https://facebook.example.com/kelly.moss.79",
        ),
        ("the form at example.gov.uk/adopt.", "example.gov.uk/adopt"),
    ],
)
def test_it_finds_web_addresses_up_to_the_trailing_punctuation(
    redactor: Redactor, text: str, value: str
) -> None:
    assert found(redactor, text) == [("URL", value)]


def test_it_finds_ip_addresses(redactor: Redactor) -> None:
    assert found(redactor, "logged in from 192.168.10.24 twice") == [
        ("IP_ADDRESS", "192.168.10.24")
    ]


# --- names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("My social worker Priya Kaur was fantastic.", ["Priya Kaur"]),
        ("Marcus Bell, our family finder, keeps us updated.", ["Marcus Bell"]),
        ("The IRO, Mrs Achterberg, chaired the review.", ["Achterberg"]),
        ("Dr A. Hussain saw him at the clinic.", ["A. Hussain"]),
        ("Her Honour Judge Whitmore was kind to us.", ["Whitmore"]),
        ("Mr and Mrs Hargreaves fostered him first.", ["Hargreaves"]),
        ("my son Tyler's school is great", ["Tyler"]),
        ("We took Ellie-May to see Nana Pat.", ["Ellie-May", "Pat"]),
        ("Auntie Shaz has been our rock.", ["Shaz"]),
        ("Our worker Siobhán O'Neill rang every fortnight.", ["Siobhán O'Neill"]),
        ("Thank you to Ngozi Okafor and Tomasz Wiśniewski.", ["Ngozi Okafor", "Tomasz Wiśniewski"]),
        ("Our foster carer Gurpreet helped with his hair.", ["Gurpreet"]),
        ("Abdirahman and his sister Hodan still ask about home.", ["Abdirahman", "Hodan"]),
        ("my daughter jade wants to know why", ["jade"]),
        ("a boy called Kai in her class", ["Kai"]),
        ("Amber is six and has had four homes.", ["Amber"]),
    ],
)
def test_it_finds_person_names_without_a_language_model(
    redactor: Redactor, text: str, names: list[str]
) -> None:
    assert [v for k, v in found(redactor, text) if k == "NAME"] == names


def test_it_redacts_every_mention_of_a_name_it_has_found(redactor: Redactor) -> None:
    result = redactor.redact(
        "Our social worker Dawn was great. Dawn listened, and Dawn's notes helped."
    )
    assert (
        result.text
        == "Our social worker [NAME] was great. [NAME] listened, and [NAME]'s notes helped."
    )


def test_it_redacts_a_projects_known_names_wherever_they_appear() -> None:
    r = Redactor(known_names=["Zebedee Quill", "Lark"])
    assert (
        r.redact("zebedee quill rang; Lark was at school.").text
        == "[NAME] rang; [NAME] was at school."
    )


def test_it_keeps_what_the_allow_list_names() -> None:
    text = "Thanks to Zebrafield for the visit."
    assert Redactor().redact(text).text == "Thanks to [NAME] for the visit."
    assert Redactor(allow=["Zebrafield"]).redact(text).text == text


# --- traps: no personal data, nothing changed -------------------------------------------------

TRAPS = [
    "We moved to Harlow and the Family Court took months.",
    "Ofsted, CAMHS, Barnardo's and Adoption UK all helped in different ways.",
    "Mr Qureshi's office is in the Virtual School now? No, it moved.",  # has a name: checked below
    "Hope you are well and thank you for asking.",
    "Grace period for the allowance was far too short.",
    "Frank conversations with the panel helped.",
    "Will anyone actually read these?",
    "Bill after bill arrived that winter.",
    "The Head Teacher and the Team Manager met the Independent Reviewing Officer.",
    "the Judge was kind and the Ward Sister too",
    "He watches Mr Tumble and reads Mr Tickle and Horrid Henry.",
    "Melatonin helps her sleep; Calpol for teething.",
    "It cost £1,200 and the meeting was at 9.30 on the M62.",
    "She was 4 when she came, in Year 2 by Christmas.",
    "The contact centre on Station Road near Great Ormond Street.",
    "We see them at Eid, Diwali and on Mother's Day.",
    "Panel approved us on 12 June 2024, a Thursday.",
    "We FaceTime on Sundays and watch YouTube-type videos.",
    "Alder Hey and St Mary's Hospital were brilliant.",
    "She has Down's syndrome and he has Asperger's.",
]


@pytest.mark.parametrize("text", [t for t in TRAPS if "Qureshi" not in t])
def test_it_leaves_sentences_without_personal_data_unchanged(redactor: Redactor, text: str) -> None:
    assert redactor.redact(text).text == text


# --- pseudonyms --------------------------------------------------------------------------


def test_it_numbers_people_within_a_story_so_analysis_can_tell_them_apart() -> None:
    r = Redactor(pseudonyms="story")
    result = r.redact("Our worker Priya Kaur met Mr Okafor. Later Priya rang Mr Okafor again.")
    assert result.text == (
        "Our worker [NAME-1] met Mr [NAME-2]. Later [NAME-1] rang Mr [NAME-2] again."
    )
    # a new story starts counting again
    assert r.redact("Mr Okafor called.").text == "Mr [NAME-1] called."


def test_it_keeps_pseudonyms_across_a_project_until_reset() -> None:
    r = Redactor(pseudonyms="project")
    first = r.redact("Social worker Priya Kaur visited.").text
    second = r.redact("Mrs Achterberg chaired; Priya Kaur took notes. Ring 07700 900123.").text
    third = r.redact("Ring 07700900123 or ask Priya.").text
    assert first == "Social worker [NAME-1] visited."
    assert second == "Mrs [NAME-2] chaired; [NAME-1] took notes. Ring [PHONE-1]."
    assert third == "Ring [PHONE-1] or ask [NAME-1]."
    assert r.reset().redact("Mrs Achterberg rang.").text == "Mrs [NAME-1] rang."


def test_it_keeps_no_personal_values_in_the_project_numbering() -> None:
    r = Redactor(pseudonyms="project")
    r.redact("Social worker Zebedee Quill rang from 07700 900123.")
    memory = repr(vars(r)) + repr(vars(r._book))
    assert "Zebedee" not in memory and "zebedee" not in memory and "900123" not in memory


# --- the record ------------------------------------------------------------------------------


def test_the_record_says_what_was_replaced_where_without_the_values() -> None:
    text = "Priya Kaur (social worker) on 07700 900123, gemma.t@example.org, NHS 943 476 5919."
    result = Redactor(pseudonyms="story").redact(text)
    record = result.record()
    dumped = json.dumps(record)
    for value in ("Priya", "Kaur", "07700", "900123", "gemma", "example.org", "943 476"):
        assert value not in dumped
    assert record["counts"] == {"NAME": 1, "PHONE": 1, "EMAIL": 1, "NHS_NUMBER": 1}
    assert record["original_length"] == len(text)
    first = record["spans"][0]
    assert set(first) == {"start", "end", "kind", "detector", "score", "placeholder"}
    assert text[first["start"] : first["end"]] == "Priya Kaur"  # offsets into the original
    assert first["detector"].startswith("names.") and 0 < first["score"] <= 1


def test_redacted_spans_are_ordered_and_do_not_overlap(redactor: Redactor) -> None:
    text = "Dr Okafor, 14 Larch Close, TS19 7WY, 07700 900123, born 3 March 2019."
    spans = redactor.redact(text).spans
    assert [s.kind for s in spans] == ["NAME", "ADDRESS", "POSTCODE", "PHONE", "DATE_OF_BIRTH"]
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:], strict=False))


def test_it_redacts_only_the_kinds_asked_for() -> None:
    text = "Dawn Whitfield on 07700 900123"
    assert Redactor(kinds=["phone"]).redact(text).text == "Dawn Whitfield on [PHONE]"
    assert Redactor(kinds=["NAME"]).redact(text).text == "[NAME] on 07700 900123"


# --- no network --------------------------------------------------------------------------


def test_it_never_touches_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("redaction tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    import heard.redact._lexicon as lexicon

    for loader in (lexicon.given_names, lexicon.surnames, lexicon.zipf, lexicon.allow_phrases):
        loader.cache_clear()  # load the word lists again, with the network blocked
    lexicon.ambiguous_names.cache_clear()
    r = Redactor(pseudonyms="project")
    text = "Email kinship.team@example.org or www.example.org, Mrs Okafor, 07700 900123."
    assert r.redact(text).text == "Email [EMAIL-1] or [URL-1], Mrs [NAME-1], [PHONE-1]."


# --- awkward input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (float("nan"), ""),
        (pd.NA, ""),
        (pd.NaT, ""),
        (42, "42"),
        (7700900123.0, "7700900123"),
    ],
)
def test_it_treats_missing_cells_as_empty_and_numbers_as_text(value: object, expected: str) -> None:
    assert as_text(value) == expected
    assert Redactor().redact(value).text == expected


def test_it_reads_bytes_in_either_common_encoding() -> None:
    assert as_text("Siobhán".encode()) == "Siobhán"
    assert as_text("Siobhán".encode("cp1252")) == "Siobhán"


def test_it_replaces_broken_characters_one_for_one_so_offsets_hold() -> None:
    broken = "Mrs Okafor\udcff rang"
    result = Redactor().redact(broken)
    assert result.text == "Mrs [NAME]\ufffd rang"
    assert result.spans[0].end == 10


def test_it_rejects_a_huge_text_with_a_clear_message() -> None:
    with pytest.raises(TooLargeError, match=r"1,000,001 characters.*Split it"):
        Redactor().redact("a" * 1_000_001)


def test_it_rejects_an_unknown_kind_and_suggests_the_closest() -> None:
    with pytest.raises(SettingsError, match="Did you mean phone"):
        Redactor(kinds=["phnoe"]).redact("x")


def test_it_rejects_an_unknown_pseudonym_setting() -> None:
    with pytest.raises(SettingsError, match="'story'"):
        Redactor(pseudonyms="people").redact("x")  # type: ignore[arg-type]


def test_every_kind_has_a_placeholder_that_keeps_its_name() -> None:
    assert set(KINDS) >= {
        "NAME", "PHONE", "EMAIL", "NHS_NUMBER", "NI_NUMBER", "POSTCODE", "ADDRESS", "DATE_OF_BIRTH", "URL",
    }  # fmt: skip
    assert redact("Mrs Okafor").text == "Mrs [NAME]"


# --- tables --------------------------------------------------------------------------------


def test_redact_frame_redacts_the_chosen_columns_and_keeps_the_rest() -> None:
    df = pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "comment": ["Ring Dawn Whitfield on 07700 900123", None, 12],
            "note": ["Mrs Okafor", "fine", "ok"],
        },
        index=[10, 11, 12],
    )
    out, record = redact_frame(df, ["comment"])
    assert out["comment"].tolist()[0] == "Ring [NAME] on [PHONE]"
    assert pd.isna(out["comment"].tolist()[1]) and out["comment"].tolist()[2] == 12
    assert out["note"].tolist() == ["Mrs Okafor", "fine", "ok"]
    assert list(out.index) == [10, 11, 12]
    assert df["comment"].tolist()[0].startswith("Ring Dawn")  # the input is not changed
    assert record[["row", "column", "kind"]].values.tolist() == [
        [0, "comment", "NAME"],
        [0, "comment", "PHONE"],
    ]


def test_redact_frame_names_the_closest_column_when_one_is_missing() -> None:
    with pytest.raises(ColumnNotFoundError, match="Did you mean 'comment'"):
        redact_frame(pd.DataFrame({"comment": ["x"]}), "coment")


def test_redact_many_reports_progress_to_a_callback() -> None:
    seen: list[tuple[int, int]] = []
    results = Redactor().redact_many(
        ["Mrs Okafor", "", None], progress=lambda d, t: seen.append((d, t))
    )
    assert [r.text for r in results] == ["Mrs [NAME]", "", ""]
    assert seen[-1] == (3, 3)


# --- the command line --------------------------------------------------------------------------

ROWS = [
    {
        "id": "R1",
        "role": "adopter",
        "comment": "Our social worker Priya Kaur rang on 07700 900123.",
    },
    {"id": "R2", "role": "carer", "comment": "Nothing to add. The training was good."},
    {"id": "R3", "role": "adopter", "comment": "Email gemma.t@example.org, NHS 943 476 5919."},
]


def _run(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(redact_command, args)
    return result.exit_code, result.output


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".json", ".jsonl"])
def test_the_command_writes_the_same_format_back_and_prints_a_summary(
    tmp_path: Path, suffix: str
) -> None:
    from heard.ingest import read

    source = tmp_path / f"survey{suffix}"
    df = pd.DataFrame(ROWS)
    if suffix == ".csv":
        df.to_csv(source, index=False)
    elif suffix == ".xlsx":
        df.to_excel(source, index=False)
    elif suffix == ".json":
        source.write_text(json.dumps(ROWS), encoding="utf-8")
    else:
        source.write_text("\n".join(json.dumps(r) for r in ROWS), encoding="utf-8")
    code, output = _run([str(source), "--text", "comment", "-q"])
    assert code == 0, output
    target = tmp_path / f"survey.redacted{suffix}"
    back = read(target, text="comment")
    assert (
        back.format == {".csv": "csv", ".xlsx": "xlsx", ".json": "json", ".jsonl": "jsonl"}[suffix]
    )
    assert back.data["comment"].tolist() == [
        "Our social worker [NAME] rang on [PHONE].",
        "Nothing to add. The training was good.",
        "Email [EMAIL], NHS [NHS_NUMBER].",
    ]
    assert back.data["id"].tolist() == ["R1", "R2", "R3"]
    assert back.data["role"].tolist() == ["adopter", "carer", "adopter"]

    code, output = _run([str(source), "--text", "comment", "-o", str(tmp_path / f"again{suffix}")])
    assert code == 0, output
    assert "4 items replaced in 2 responses" in output
    for line in ("names", "phone numbers", "email addresses", "NHS numbers"):
        assert any(
            row.strip().startswith(line) and row.strip().endswith("1")
            for row in output.splitlines()
        )


def test_the_command_writes_a_record_without_personal_data(tmp_path: Path) -> None:
    source = tmp_path / "survey.csv"
    pd.DataFrame(ROWS).to_csv(source, index=False)
    code, output = _run(
        [str(source), "--text", "comment", "--record", str(tmp_path / "rec.csv"), "-q"]
    )
    assert code == 0, output
    record = (tmp_path / "rec.csv").read_text(encoding="utf-8-sig")
    assert "row 2" in record and "NHS_NUMBER" in record
    for value in ("Priya", "07700", "gemma", "943 476"):
        assert value not in record


def test_the_command_uses_known_names_and_the_allow_list(tmp_path: Path) -> None:
    source = tmp_path / "notes.csv"
    pd.DataFrame({"text": ["zebedee said Lark Valley was lovely", "Quill rang"]}).to_csv(
        source, index=False
    )
    names = tmp_path / "names.txt"
    names.write_text("Zebedee Quill\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    code, output = _run(
        [str(source), "--known-names", str(names), "--allow", "Lark Valley", "-o", str(out), "-q"]
    )
    assert code == 0, output
    assert pd.read_csv(out)["text"].tolist() == [
        "[NAME] said Lark Valley was lovely",
        "[NAME] rang",
    ]


@pytest.mark.parametrize(
    ("make", "args", "message"),
    [
        (lambda p: None, ["missing.csv"], "There is no file or folder"),
        (
            lambda p: p.write_text("id,comment\n1,hello\n"),
            ["in.csv", "--text", "coment"],
            "Did you mean 'comment'",
        ),
        (
            lambda p: p.write_text("id,comment\n1,hello\n"),
            ["in.csv", "--kinds", "nmae"],
            "Did you mean name",
        ),
        (
            lambda p: p.write_text("id,comment\n1,hello\n"),
            ["in.csv", "-o", "out.pdf"],
            "cannot write '.pdf'",
        ),
        (
            lambda p: p.write_text("id,comment\n1,hello\n"),
            ["in.csv", "-o", "in.csv"],
            "never overwrites",
        ),
        (lambda p: p.write_bytes(b"\x00\x01\x02binary\xff" * 50), ["in.csv"], "in.csv"),
        (lambda p: p.write_text("id,comment\n1," + "x" * 1_000_001 + "\n"), ["in.csv"], "limit"),
    ],
)
def test_the_command_turns_bad_input_into_one_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    make(tmp_path / "in.csv")
    code, output = _run(args)
    assert code == 1
    assert "Traceback" not in output
    assert message in output
    assert output.strip().startswith("Error:") and output.count("Error:") == 1


def test_the_command_handles_mixed_cells_and_a_legacy_encoding(tmp_path: Path) -> None:
    source = tmp_path / "legacy.csv"
    source.write_bytes("id,comment\n1,Siobhán rang Mrs Okafor\n2,\n3,42\n".encode("cp1252"))
    code, output = _run([str(source), "--text", "comment", "-q"])
    assert code == 0, output
    back = pd.read_csv(
        tmp_path / "legacy.redacted.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False
    )
    assert back["comment"].tolist() == ["[NAME] rang Mrs [NAME]", "", "42"]


# --- quality on the annotated test set ----------------------------------------------------------


def _benchmark():
    spec = importlib.util.spec_from_file_location(
        "redact_benchmark", ROOT / "benchmarks" / "redact.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not CASES.exists(), reason="the annotated test set is not here")
def test_it_meets_the_issues_bars_on_the_annotated_test_set() -> None:
    bench = _benchmark()
    cases = bench.load_cases(CASES)
    predictions, redacted = bench.heard_predict([c["text"] for c in cases])
    result = bench.score(cases, predictions, redacted)
    for kind, bar in bench.RECALL_BAR.items():
        gold = result["gold"].get(kind, 0)
        if gold:
            assert result["found"].get(kind, 0) / gold >= bar, kind
    for kind, n in result["predicted"].items():
        assert result["correct"].get(kind, 0) / n >= bench.PRECISION_BAR, kind
    assert result["traps_ok"] / result["traps"] >= bench.TRAP_BAR


def test_the_public_api_is_what_all_says() -> None:
    import heard.redact as module

    assert sorted(module.__all__) == sorted(
        [
            "KINDS",
            "KIND_LABELS",
            "MAX_TEXT_CHARS",
            "RedactedSpan",
            "Redaction",
            "Redactor",
            "as_text",
            "redact",
            "redact_frame",
        ]
    )
    for name in module.__all__:
        assert getattr(module, name) is not None
