"""Codebook mode: codes the user names, mapped to responses with the real embedding model.

Every sentence below is invented for these tests: feedback from adopters and
patients about four topics, a few responses about two topics, and some off-topic.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from heard.codebook import MAX_CODES, Codebook, CodebookEntry, CodebookMatch, map_codebook
from heard.errors import CodebookError

WAITING = "Waiting times"
SOCIAL_WORKER = "Social worker support"
INFORMED = "Being kept informed"
TRAINING = "Preparation training"

DESCRIPTIONS = {
    WAITING: "Delays and how long people waited for assessments, panels or appointments.",
    SOCIAL_WORKER: "How kind, supportive and available the social worker was.",
    INFORMED: "Being told what is happening: updates, letters, emails and calls.",
    TRAINING: "The preparation course and training days for new adopters.",
}

CORPUS: dict[str, list[str]] = {
    WAITING: [
        "We waited eleven months before our assessment even started.",
        "The panel date kept being pushed back, the delay was awful.",
        "It took far too long to get a first appointment.",
        "Eight weeks on a waiting list just to speak to someone.",
        "The wait between approval and matching felt endless.",
        "Our hospital appointment was postponed three times.",
        "Everything moved so slowly, months went by with nothing happening.",
        "We were kept waiting for over a year for the final hearing.",
        "The delays in the court process were very stressful.",
        "I had to wait six hours in the emergency department.",
    ],
    SOCIAL_WORKER: [
        "Our social worker was kind and always made time for us.",
        "Our social worker supported us through every step.",
        "The social worker was warm, patient and understanding.",
        "Our family finder went above and beyond for our children.",
        "The social worker never judged us and was always there when we needed her.",
        "I felt really supported by the worker assigned to us.",
        "Our social worker was caring and listened to our worries.",
        "The support from the adoption social worker was outstanding.",
        "Our link worker visited regularly and was lovely with the kids.",
        "She was the most compassionate social worker we have met.",
    ],
    INFORMED: [
        "Nobody told us what was happening with our application.",
        "We never received a letter explaining the next steps.",
        "Emails went unanswered and we were left in the dark.",
        "I wish someone had kept us updated about the match.",
        "We heard about the decision from another family, not from the team.",
        "Regular update calls would have made a huge difference.",
        "The team were good at letting us know what would happen next.",
        "We had no information about when the introductions would start.",
        "They phoned every week to tell us how things were progressing.",
        "Communication about changes to the plan was poor.",
    ],
    TRAINING: [
        "The preparation course was really useful and well run.",
        "The training days taught us a lot about attachment and trauma.",
        "The prep group helped us understand what adoption would be like.",
        "Meeting experienced adopters on the course was the best part.",
        "The training sessions on therapeutic parenting were excellent.",
        "The preparation workshops were informative and practical.",
        "The course on life story work was eye-opening.",
        "Our training group was friendly and the trainers knew their stuff.",
        "The online training modules were easy to follow.",
        "The three-day preparation training was too rushed.",
    ],
}

BOTH = {
    ("We waited eight months for the panel, and nobody ever sent us a letter or an update."): {
        WAITING,
        INFORMED,
    },
    ("Our social worker was lovely, but the preparation training was far too rushed."): {
        SOCIAL_WORKER,
        TRAINING,
    },
}

OFF_TOPIC = [
    "The football match on Saturday ended two all.",
    "This lasagne recipe needs more garlic and less cheese.",
    "My bicycle has a puncture in the back tyre.",
    "The stock market fell sharply this morning.",
    "Photosynthesis turns sunlight into chemical energy.",
]

EXAMPLES = {
    WAITING: ["It was months before anything happened.", "The assessment took a whole year."],
    SOCIAL_WORKER: [
        "Our worker was always on our side.",
        "The social worker was a great support to our family.",
    ],
    INFORMED: ["We were never updated.", "They let us know each step by phone."],
    TRAINING: ["The prep course was excellent.", "We learnt a lot in the training group."],
}


def _book(examples: bool = False) -> Codebook:
    return Codebook(
        [
            CodebookEntry(name, text, EXAMPLES[name] if examples else [])
            for name, text in DESCRIPTIONS.items()
        ]
    )


def _texts() -> tuple[list[str], list[str]]:
    texts: list[str] = []
    truth: list[str] = []
    for code, sentences in CORPUS.items():
        texts += sentences
        truth += [code] * len(sentences)
    return texts, truth


@pytest.fixture(scope="module")
def corpus(embedder):
    texts, truth = _texts()
    texts = texts + list(BOTH) + OFF_TOPIC
    return texts, truth, embedder.embed(texts)


def _map(book: Codebook, corpus, embedder, **kwargs) -> CodebookMatch:
    texts, _, vectors = corpus
    return map_codebook(book, vectors, texts, embedder, **kwargs)


def _accuracy(match: CodebookMatch, truth: list[str]) -> float:
    names = np.array(match.names + ["(none)"])
    predicted = names[match.primary[: len(truth)]]
    return float(np.mean(predicted == np.array(truth)))


# -- mapping ------------------------------------------------------------------------


def test_it_maps_responses_to_the_right_codes_from_descriptions_alone(corpus, embedder):
    match = _map(_book(), corpus, embedder)
    assert match.method == "zero-shot"
    assert _accuracy(match, corpus[1]) >= 0.85


def test_it_maps_responses_to_the_right_codes_with_examples(corpus, embedder):
    match = _map(_book(examples=True), corpus, embedder)
    assert match.method == "few-shot"
    assert _accuracy(match, corpus[1]) >= 0.9


def test_examples_improve_the_mapping(corpus, embedder):
    texts, truth, _ = corpus
    # Vague descriptions: the names alone say little; the examples say what is meant.
    vague = Codebook([CodebookEntry(f"Code {i}", "") for i in range(1, 5)])
    with_examples = Codebook(
        [CodebookEntry(f"Code {i}", "", EXAMPLES[name]) for i, name in enumerate(DESCRIPTIONS, 1)]
    )
    numbered = [f"Code {list(DESCRIPTIONS).index(t) + 1}" for t in truth]
    without = _accuracy(_map(vague, corpus, embedder), numbered)
    with_ = _accuracy(_map(with_examples, corpus, embedder), numbered)
    assert with_ >= 0.75
    assert with_ > without + 0.4


@pytest.mark.parametrize("examples", [False, True], ids=["zero-shot", "few-shot"])
def test_a_response_about_two_codes_gets_both(corpus, embedder, examples):
    texts, truth, _ = corpus
    match = _map(_book(examples), corpus, embedder)
    for sentence, codes in BOTH.items():
        row = texts.index(sentence)
        given = {match.names[j] for j in np.flatnonzero(match.assigned[row])}
        assert codes <= given, (sentence, given)
        assert match.names[match.primary[row]] in codes


@pytest.mark.parametrize("examples", [False, True], ids=["zero-shot", "few-shot"])
def test_off_topic_responses_fit_none(corpus, embedder, examples):
    texts, truth, _ = corpus
    match = _map(_book(examples), corpus, embedder)
    rows = [texts.index(t) for t in OFF_TOPIC]
    assert match.none_mask[rows].all(), [texts[r] for r in rows if not match.none_mask[r]]
    assert not match.assigned[rows].any()
    # ... while almost every on-topic response fits a code.
    assert match.none_mask[: len(truth)].mean() <= 0.05


def test_every_response_is_accounted_for(corpus, embedder):
    match = _map(_book(True), corpus, embedder)
    n = len(corpus[0])
    assert match.scores.shape == match.assigned.shape == (n, 4)
    assert ((match.scores >= 0) & (match.scores <= 1)).all()
    has_code = match.assigned.any(axis=1)
    assert (has_code == ~match.none_mask).all()
    fitting = match.primary >= 0
    assert match.assigned[np.flatnonzero(fitting), match.primary[fitting]].all()


def test_the_same_input_and_seed_give_the_same_match(corpus, embedder):
    a = _map(_book(True), corpus, embedder, random_state=3)
    b = _map(_book(True), corpus, embedder, random_state=3)
    assert np.array_equal(a.scores, b.scores)
    assert np.array_equal(a.assigned, b.assigned)


def test_a_higher_floor_leaves_more_responses_fitting_none(corpus, embedder):
    low = _map(_book(), corpus, embedder, min_score=0.0)
    high = _map(_book(), corpus, embedder, min_score=0.6)
    assert low.n_none == 0
    assert high.n_none > len(OFF_TOPIC)


def test_to_frame_lists_each_code_given_and_each_response_that_fits_none(corpus, embedder):
    texts = corpus[0]
    match = _map(_book(True), corpus, embedder)
    ids = [f"r{i}" for i in range(len(texts))]
    frame = match.to_frame(ids)
    assert list(frame.columns) == ["response_id", "code", "code_index", "score", "primary"]
    assert len(frame) == int(match.assigned.sum()) + match.n_none
    assert set(frame["response_id"]) == set(ids)
    assert frame.groupby("response_id")["primary"].sum().eq(1).all()
    off = frame[frame["response_id"] == ids[texts.index(OFF_TOPIC[0])]]
    assert off["code"].tolist() == ["No clear theme"]


@pytest.mark.parametrize("examples", [False, True], ids=["zero-shot", "few-shot"])
def test_an_empty_response_fits_none(embedder, examples):
    texts = ["", "   ", "We waited a whole year for the panel."]
    match = map_codebook(_book(examples), embedder.embed(texts), texts, embedder)
    assert match.none_mask.tolist() == [True, True, False]
    assert match.names[match.primary[2]] == WAITING


def test_it_handles_no_responses(embedder):
    match = map_codebook(_book(True), np.zeros((0, 384), np.float32), [], embedder)
    assert match.assigned.shape == (0, 4)
    assert match.to_frame().empty


# -- loading ------------------------------------------------------------------------


def test_it_reads_a_csv_codebook_with_examples_split_by_bars_and_repeated_rows(tmp_path):
    path = tmp_path / "codes.csv"
    path.write_text(
        "Theme,Description,Examples\n"
        f'{WAITING},"{DESCRIPTIONS[WAITING]}",It took months | The panel was delayed\n'
        f"{WAITING},,We waited a year\n"
        f'{INFORMED},"Updates, letters and calls",\n',
        encoding="utf-8",
    )
    book = Codebook.from_file(path)
    assert book.names == [WAITING, INFORMED]
    assert book.entries[0].description == DESCRIPTIONS[WAITING]
    assert book.entries[0].examples == [
        "It took months",
        "The panel was delayed",
        "We waited a year",
    ]
    assert book.entries[1].examples == []
    assert book.name == "codes.csv"


def test_it_reads_a_json_codebook_as_a_list_or_a_mapping(tmp_path):
    listed = tmp_path / "list.json"
    listed.write_text(
        json.dumps(
            [
                {"code": WAITING, "description": "Delays", "examples": ["Months of waiting"]},
                {
                    "code": TRAINING,
                    "description": "The course",
                    "examples": "Good course\nToo long",
                },
            ]
        )
    )
    book = Codebook.from_file(listed)
    assert book.names == [WAITING, TRAINING]
    assert book.entries[1].examples == ["Good course", "Too long"]

    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({WAITING: "Delays", TRAINING: {"description": "The course"}}))
    assert [e.description for e in Codebook.from_file(mapping)] == ["Delays", "The course"]


def test_it_reads_an_xlsx_codebook(tmp_path):
    path = tmp_path / "codes.xlsx"
    pd.DataFrame(
        {
            "name": [WAITING, SOCIAL_WORKER],
            "description": [DESCRIPTIONS[WAITING], DESCRIPTIONS[SOCIAL_WORKER]],
            "examples": ["Months and months\nA year for panel", None],
        }
    ).to_excel(path, index=False)
    book = Codebook.from_file(path)
    assert book.names == [WAITING, SOCIAL_WORKER]
    assert book.entries[0].examples == ["Months and months", "A year for panel"]
    assert book.has_examples


def test_a_codebook_can_be_built_from_records():
    book = Codebook.from_records([{"Theme": WAITING, "Definition": "Delays"}, {"Theme": "Other"}])
    assert book.names == [WAITING, "Other"]
    assert [e.description for e in book] == ["Delays", ""]
    assert len(book) == 2
    assert not book.has_examples


# -- invalid codebooks --------------------------------------------------------------


def test_it_rejects_two_codes_with_the_same_name():
    with pytest.raises(CodebookError, match=r"two codes called 'waiting times'.*rename"):
        Codebook([CodebookEntry(WAITING), CodebookEntry("waiting  times ")])


def test_it_rejects_a_code_without_a_name(tmp_path):
    with pytest.raises(CodebookError, match=r"Code 2 .* has no name"):
        Codebook([CodebookEntry(WAITING), CodebookEntry("  ", "A description")])
    path = tmp_path / "codes.csv"
    path.write_text("name,description\nWaiting,Delays\n,Orphan description\n")
    with pytest.raises(CodebookError, match=r"Row 2 of the codebook in codes.csv has no name"):
        Codebook.from_file(path)


def test_it_rejects_a_codebook_without_codes(tmp_path):
    with pytest.raises(CodebookError, match="has no codes. Add at least one row"):
        Codebook([])
    path = tmp_path / "empty.csv"
    path.write_text("name,description\n")
    with pytest.raises(CodebookError, match="has no codes"):
        Codebook.from_file(path)


def test_it_rejects_more_than_the_maximum_number_of_codes():
    entries = [CodebookEntry(f"Code {i}") for i in range(MAX_CODES + 1)]
    with pytest.raises(
        CodebookError, match=rf"{MAX_CODES + 1} codes; heard accepts at most {MAX_CODES}"
    ):
        Codebook(entries)


def test_it_rejects_a_missing_file_with_what_to_do(tmp_path):
    with pytest.raises(CodebookError, match=r"does not exist\. Check the path"):
        Codebook.from_file(tmp_path / "nowhere.csv")


def test_it_rejects_a_file_of_another_kind(tmp_path):
    path = tmp_path / "codes.pdf"
    path.write_bytes(b"%PDF-1.4")
    with pytest.raises(CodebookError, match=r"'\.pdf' is not a codebook format\. Save it as CSV"):
        Codebook.from_file(path)


def test_it_rejects_a_table_without_a_name_column(tmp_path):
    path = tmp_path / "codes.csv"
    path.write_text("title,meaning\nWaiting,Delays\n")
    with pytest.raises(
        CodebookError, match=r"no column for the code names .*found 'title', 'meaning'"
    ):
        Codebook.from_file(path)


def test_it_rejects_a_code_described_twice_differently(tmp_path):
    path = tmp_path / "codes.csv"
    path.write_text("name,description\nWaiting,Delays\nWaiting,Something else\n")
    with pytest.raises(CodebookError, match=r"describes 'Waiting' twice"):
        Codebook.from_file(path)


def test_it_rejects_broken_json(tmp_path):
    path = tmp_path / "codes.json"
    path.write_text('[{"name": "Waiting",')
    with pytest.raises(CodebookError, match="not valid JSON"):
        Codebook.from_file(path)


def test_the_public_api_is_what_all_says() -> None:
    import heard.codebook as module

    assert sorted(module.__all__) == sorted(
        ["MAX_CODES", "Codebook", "CodebookEntry", "CodebookMatch", "clauses", "map_codebook"]
    )
    for name in module.__all__:
        assert getattr(module, name) is not None


def test_the_tuning_constants_can_still_be_read_from_the_package() -> None:
    # heard.codebook was one module until it passed 500 lines; its constants were importable.
    import ast
    import inspect

    import heard.codebook as package
    from heard.codebook import _fewshot, _match

    for module in (_match, _fewshot):
        tree = ast.parse(inspect.getsource(module))
        assigned = [n.targets[0] for n in tree.body if isinstance(n, ast.Assign)]
        constants = [t.id for t in assigned if isinstance(t, ast.Name) and t.id[0].isupper()]
        assert constants
        for name in constants:
            assert getattr(package, name) == getattr(module, name), name
