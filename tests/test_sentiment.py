"""Sentiment: the shipped model on the real embedder, and the roll-up per segment.

The sentences here were written for these tests and are not in the training
examples (one test checks that), so they measure the model rather than recall.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from heard.embed import Embedder
from heard.errors import InputError, SettingsError
from heard.result import SENTIMENT_LABELS
from heard.sentiment import SentimentModel, question_kind_by_rules, rollup

DATA = Path(__file__).resolve().parents[1] / "src" / "heard" / "data" / "sentiment"
EXAMPLES = DATA / "examples.csv"

PRAISE = [
    "The health visitor who came on Thursday was warm, patient and full of good advice.",
    "Our paramedic was gentle with grandad and explained every step, thank you so much.",
    "Wonderful maternity team, they made the birth of our twins feel calm and safe.",
    "The driver on Monday was punctual and chatted to me the whole way, a lovely man.",
    "My key worker at the council has been an absolute rock through all of this.",
    "Everyone at the eye clinic was friendly and I was in and out within the hour.",
    "The night nurses on the stroke unit looked after my father beautifully.",
    "Superb support from the adoption team from our first phone call onwards.",
    "The dentist was very gentle and my daughter came out smiling.",
    "Fantastic school, my son loves his teachers and is thriving.",
]
COMPLAINTS = [
    "Nobody from the surgery bothered to ring with my blood results, I had to chase them for a fortnight.",
    "The ambulance took seven hours to reach my grandmother after her fall and no one kept us updated.",
    "The housing office ignored four emails about the broken heating in my flat.",
    "I was spoken to like a child by the doctor and left the room in tears.",
    "My son's assessment has been delayed for the third time with no explanation at all.",
    "The ward smelt of urine and the bins were overflowing for two days.",
    "Transport failed to collect me so I missed my chemotherapy session.",
    "Rude, dismissive reception staff who hung up on me twice.",
    "We were abandoned by the fostering team the moment the placement got hard.",
    "Absolutely dreadful experience at the walk-in centre, never going back.",
]
MIXED = [
    "The surgeon was excellent, but the ward was chaotic and the food was inedible.",
    "Kind and gentle nurses, although we waited five hours in a freezing corridor.",
    "Our social worker was supportive, but the adoption process dragged on for two years.",
]


@pytest.fixture(scope="module")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> Embedder:
    return Embedder(cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def model() -> SentimentModel:
    return SentimentModel()


def _predict(model: SentimentModel, embedder: Embedder, texts: list[str]) -> pd.DataFrame:
    return model.predict(embedder.embed(texts), texts)


# Questions written for these tests, in wordings that are not in question_kinds.csv.
PRAISE_QUESTIONS = [
    "What did the district nurses do well?",
    "Please tell us what you liked about your stay on Ward 7",
    "Which part of the adoption support has helped your family most?",
    "What was good about the way your call was handled?",
]
IMPROVE_QUESTIONS = [
    "How could the surgery improve its appointment system?",
    "What would you change about the respite service?",
    "What did you like least about the school's SEND support?",
    "Is there anything the housing team could have done differently?",
    "What wasn't so good about your visit?",
]
NEUTRAL_QUESTIONS = [
    "Please tell us why you gave that score",
    "What went well and what could we do better?",
    "Describe any things you were satisfied or dissatisfied with",
    "How well did the crew explain what was happening?",
    "Is there anything else you would like to say?",
]
# Wordings with no cue word, so only the classifier on the question's meaning reads them.
UNCUED = {
    "Where did things fall down for you?": "improve",
    "Which moments made you smile during your stay?": "praise",
    "Tell us about your journey to the clinic": "neutral",
}


def test_the_test_sentences_are_not_training_examples() -> None:
    training = set(pd.read_csv(EXAMPLES, keep_default_na=False)["text"].str.lower())
    for text in PRAISE + COMPLAINTS + MIXED:
        assert text.lower() not in training


def test_the_test_questions_are_not_training_questions() -> None:
    prototypes = set(pd.read_csv(DATA / "question_kinds.csv")["question"].str.lower())
    pairs = set(pd.read_csv(DATA / "questions.csv", keep_default_na=False)["question"].str.lower())
    for question in PRAISE_QUESTIONS + IMPROVE_QUESTIONS + NEUTRAL_QUESTIONS + list(UNCUED):
        assert question.lower() not in prototypes | pairs


# A statistical model misses now and then: nine in ten is the bar for clear cases.
# (Today it misses "spoken to like a child ... in tears", which it calls mixed.)
def test_it_calls_clear_praise_positive(model: SentimentModel, embedder: Embedder) -> None:
    result = _predict(model, embedder, PRAISE)
    assert (result["sentiment"] == "positive").sum() >= 9, result.assign(text=PRAISE)
    assert result["sentiment_score"].mean() > 0.5


def test_it_calls_clear_complaints_negative(model: SentimentModel, embedder: Embedder) -> None:
    result = _predict(model, embedder, COMPLAINTS)
    assert (result["sentiment"] == "negative").sum() >= 9, result.assign(text=COMPLAINTS)
    assert result["sentiment_score"].mean() < -0.5
    assert (result["sentiment_score"] < 0).all()


def test_it_calls_praise_with_a_complaint_mixed(model: SentimentModel, embedder: Embedder) -> None:
    result = _predict(model, embedder, MIXED)
    assert (result["sentiment"] == "mixed or neutral").all(), result.assign(text=MIXED)


def test_it_reads_nothing_to_improve_as_praise(model: SentimentModel, embedder: Embedder) -> None:
    texts = ["Honestly nothing, the whole visit was spot on", "nothing i would change"]
    assert (_predict(model, embedder, texts)["sentiment"] == "positive").all()


def test_it_reads_a_request_for_quicker_service_as_criticism(
    model: SentimentModel, embedder: Embedder
) -> None:
    texts = ["Pick up the phone faster in the mornings", "Shorter queues at the pharmacy hatch"]
    assert (_predict(model, embedder, texts)["sentiment"] == "negative").all()


def test_empty_text_is_mixed_or_neutral_with_score_zero(
    model: SentimentModel, embedder: Embedder
) -> None:
    texts = ["", "   ", "Brilliant care from the district nurses"]
    vectors = embedder.embed(texts)
    vectors[0] = vectors[2]  # whatever the vector, no text means no sentiment
    result = model.predict(vectors, texts)
    assert list(result["sentiment"][:2]) == ["mixed or neutral", "mixed or neutral"]
    assert list(result["sentiment_score"][:2]) == [0.0, 0.0]
    assert result.loc[2, "sentiment"] == "positive"


def test_it_returns_one_row_per_text_with_probabilities_and_a_score(
    model: SentimentModel, embedder: Embedder
) -> None:
    texts = PRAISE[:3] + COMPLAINTS[:3]
    result = _predict(model, embedder, texts)
    assert list(result.columns) == [
        "sentiment",
        "sentiment_score",
        "p_negative",
        "p_mixed",
        "p_positive",
    ]
    assert len(result) == len(texts)
    assert set(result["sentiment"]) <= set(SENTIMENT_LABELS)
    probs = result[["p_negative", "p_mixed", "p_positive"]].to_numpy()
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    np.testing.assert_allclose(
        result["sentiment_score"], result["p_positive"] - result["p_negative"]
    )
    assert result["sentiment_score"].between(-1, 1).all()


def test_weights_load_and_predict_is_deterministic(embedder: Embedder) -> None:
    texts = PRAISE + COMPLAINTS + MIXED
    vectors = embedder.embed(texts)
    first = SentimentModel().predict(vectors, texts)
    second = SentimentModel().predict(vectors, texts)
    pd.testing.assert_frame_equal(first, second)
    model = SentimentModel()
    model.predict(vectors[:1], texts[:1])
    # the answer's 384 numbers, then one input per kind of question (praise, improve)
    assert model.hidden_weights_.shape[1] == 384 + 2
    assert model.question_inputs_ == ("praise", "improve")
    assert model.weights_.shape == (3, model.hidden_weights_.shape[0])
    assert model.labels_ == SENTIMENT_LABELS


def test_a_prior_with_more_complaints_makes_negative_likelier(embedder: Embedder) -> None:
    texts = MIXED
    vectors = embedder.embed(texts)
    usual = SentimentModel().predict(vectors, texts)
    wary = SentimentModel(prior=(0.6, 0.2, 0.2)).predict(vectors, texts)
    assert (wary["p_negative"] > usual["p_negative"]).all()


def test_it_handles_no_responses(model: SentimentModel) -> None:
    result = model.predict(np.zeros((0, 384), dtype=np.float32), [])
    assert len(result) == 0
    assert "sentiment" in result.columns


def test_it_rejects_vectors_that_do_not_match_the_texts(model: SentimentModel) -> None:
    with pytest.raises(InputError, match="one vector per text"):
        model.predict(np.zeros((2, 384), dtype=np.float32), ["only one"])
    with pytest.raises(InputError, match="Embedder"):
        model.predict(np.zeros((1, 10), dtype=np.float32), ["wrong width"])


def test_it_explains_a_weights_file_it_cannot_read(tmp_path: Path) -> None:
    broken = tmp_path / "sentiment.npz"
    broken.write_bytes(b"not a numpy file")
    with pytest.raises(SettingsError, match="train_sentiment.py"):
        SentimentModel(weights=broken).predict(np.zeros((1, 384), dtype=np.float32), ["x"])


def test_it_rejects_a_prior_that_is_not_three_positive_numbers() -> None:
    with pytest.raises(SettingsError, match="prior"):
        SentimentModel(prior=(0.5, 0.5)).predict(np.zeros((1, 384), dtype=np.float32), ["x"])


def test_rollup_shares_sum_to_one_for_every_segment() -> None:
    frame = pd.DataFrame(
        {
            "area": ["North", "North", "South", "South", "South", None],
            "sentiment": [
                "positive",
                "negative",
                "mixed or neutral",
                "positive",
                "positive",
                "negative",
            ],
            "sentiment_score": [0.8, -0.6, 0.0, 0.5, 0.7, -0.9],
        }
    )
    table = rollup(frame, "area")
    assert list(table.columns) == ["area", "n", *SENTIMENT_LABELS, "sentiment_score"]
    np.testing.assert_allclose(table[list(SENTIMENT_LABELS)].sum(axis=1), 1.0)
    assert table["n"].sum() == len(frame)  # the response with no area is counted too
    south = table[table["area"] == "South"].iloc[0]
    assert south["n"] == 3
    assert south["positive"] == pytest.approx(2 / 3)
    assert south["sentiment_score"] == pytest.approx(0.4)


def test_rollup_names_a_missing_column() -> None:
    frame = pd.DataFrame({"sentiment": ["positive"], "sentiment_score": [0.5]})
    with pytest.raises(InputError, match="'theme'"):
        rollup(frame, "theme")


# -- the question each response answers ------------------------------------------


def test_it_reads_what_a_question_asks_for(model: SentimentModel, embedder: Embedder) -> None:
    model = SentimentModel(embedder=embedder)
    questions = PRAISE_QUESTIONS + IMPROVE_QUESTIONS + NEUTRAL_QUESTIONS
    expected = (
        ["praise"] * len(PRAISE_QUESTIONS)
        + ["improve"] * len(IMPROVE_QUESTIONS)
        + ["neutral"] * len(NEUTRAL_QUESTIONS)
    )
    assert model.question_kinds(questions) == expected


def test_questions_without_a_cue_word_are_read_by_their_meaning(embedder: Embedder) -> None:
    for question in UNCUED:
        assert question_kind_by_rules(question) is None, question
    model = SentimentModel(embedder=embedder)
    assert model.question_kinds(list(UNCUED)) == list(UNCUED.values())


def test_a_missing_or_empty_question_is_neutral(embedder: Embedder) -> None:
    model = SentimentModel(embedder=embedder)
    assert model.question_kinds([None, "", "   ", float("nan")]) == ["neutral"] * 4


def test_nothing_under_an_improvement_question_is_not_negative(embedder: Embedder) -> None:
    answers = ["Nothing", "nothing really", "None", "No", "Can't think of anything"]
    questions = [IMPROVE_QUESTIONS[i % len(IMPROVE_QUESTIONS)] for i in range(len(answers))]
    result = SentimentModel(embedder=embedder).predict(
        embedder.embed(answers), answers, questions=questions
    )
    assert (result["sentiment"] != "negative").all(), result.assign(text=answers)


def test_nothing_under_a_praise_question_is_negative(embedder: Embedder) -> None:
    answers = ["Nothing", "nothing really", "None", "Not much", "Absolutely nothing"]
    questions = [PRAISE_QUESTIONS[i % len(PRAISE_QUESTIONS)] for i in range(len(answers))]
    model = SentimentModel(embedder=embedder)
    vectors = embedder.embed(answers)
    under_praise = model.predict(vectors, answers, questions=questions)
    alone = model.predict(vectors, answers)
    assert (under_praise["sentiment"] == "negative").all(), under_praise.assign(text=answers)
    assert (under_praise["sentiment_score"] < alone["sentiment_score"]).all()


def test_a_bare_topic_is_praise_or_a_grumble_as_the_question_asks(embedder: Embedder) -> None:
    answers = [
        "The car park",
        "Getting through on the phones",
        "The meals on the ward",
        "Appointment reminders by text",
        "The children's play corner",
        "Evening opening at the pharmacy",
    ]
    model = SentimentModel(embedder=embedder)
    vectors = embedder.embed(answers)
    praised = model.predict(vectors, answers, questions=[PRAISE_QUESTIONS[0]] * len(answers))
    criticised = model.predict(vectors, answers, questions=[IMPROVE_QUESTIONS[0]] * len(answers))
    # A statistical model misses now and then: five in six is the bar.
    assert (praised["sentiment"] == "positive").sum() >= 5, praised.assign(text=answers)
    assert (criticised["sentiment"] == "negative").sum() >= 5, criticised.assign(text=answers)
    assert (praised["sentiment_score"] > criticised["sentiment_score"]).all()


def test_a_clear_answer_keeps_its_sentiment_whatever_the_question(embedder: Embedder) -> None:
    texts = PRAISE[:5] + COMPLAINTS[:5]
    expected = ["positive"] * 5 + ["negative"] * 5
    model = SentimentModel(embedder=embedder)
    vectors = embedder.embed(texts)
    for question in (PRAISE_QUESTIONS[1], IMPROVE_QUESTIONS[1]):
        result = model.predict(vectors, texts, questions=[question] * len(texts))
        agree = (result["sentiment"] == pd.Series(expected)).sum()
        assert agree >= 9, result.assign(text=texts, question=question)


def test_a_neutral_or_missing_question_changes_nothing(embedder: Embedder) -> None:
    texts = ["Nothing", "The car park", *MIXED]
    model = SentimentModel(embedder=embedder)
    vectors = embedder.embed(texts)
    alone = model.predict(vectors, texts)
    why = model.predict(vectors, texts, questions=[NEUTRAL_QUESTIONS[0]] * len(texts))
    missing = model.predict(vectors, texts, questions=[None] * len(texts))
    pd.testing.assert_frame_equal(alone, why)
    pd.testing.assert_frame_equal(alone, missing)


def test_it_rejects_questions_that_do_not_match_the_texts(model: SentimentModel) -> None:
    with pytest.raises(InputError, match="one question per text"):
        model.predict(np.zeros((2, 384), dtype=np.float32), ["a", "b"], questions=["Why?"])


def _two_question_survey() -> pd.DataFrame:
    """A small survey export: each visitor answered a praise and an improvement question."""
    good, better = "What was good about your visit?", "What could we do better next time?"
    rows = [
        (good, "Nothing"),
        (better, "Nothing"),
        (good, "Nothing really"),
        (better, "Nothing really"),
        (good, "The physiotherapist was patient and explained every exercise"),
        (better, "The car park was full and I was late for my slot"),
        (good, "Friendly receptionist who found me a wheelchair"),
        (better, "Letters arrived after the appointment date"),
        (good, "Being seen on time for once"),
        (better, "Answer the phone before ten in the morning"),
        (good, "The nurse remembered my name from last time"),
        (better, "Longer appointments, I felt rushed"),
        (good, "Clean waiting area and a water fountain"),
        (better, "The waiting room chairs are very uncomfortable"),
        (good, "Quick blood test, in and out in ten minutes"),
        (better, "Clearer signs to the outpatient clinic"),
    ] * 2
    return pd.DataFrame(
        {
            "question": [q for q, _ in rows],
            "answer": [a for _, a in rows],
            "visit": range(len(rows)),
        }
    )


def test_find_themes_reads_answers_under_their_question_and_records_the_column(
    embedder: Embedder,
) -> None:
    import heard

    survey = _two_question_survey()
    with_question = heard.find_themes(
        survey, text="answer", question="question", embedder=embedder, redact=False
    )
    without = heard.find_themes(survey, text="answer", embedder=embedder, redact=False)
    sentiment = with_question.responses["sentiment"]
    nothing = survey["answer"] == "Nothing"
    asked_good = survey["question"].str.startswith("What was good")
    assert (sentiment[nothing & asked_good] == "negative").all()
    assert (sentiment[nothing & ~asked_good] != "negative").all()
    assert with_question.settings["question"] == "question"
    assert without.settings["question"] is None
    assert with_question.settings["question_kinds"] == {
        "asks what was good": len(survey) // 2,
        "asks what to improve": len(survey) // 2,
        "neither or both": 0,
    }
    # The question changes sentiment only: themes and assignments are the same.
    pd.testing.assert_frame_equal(with_question.assignments, without.assignments)
    themes = [c for c in with_question.themes.columns if c not in SENTIMENT_COLUMNS]
    pd.testing.assert_frame_equal(with_question.themes[themes], without.themes[themes])


SENTIMENT_COLUMNS = {*SENTIMENT_LABELS, "sentiment_score"}


def test_a_question_column_that_is_the_text_column_is_refused(embedder: Embedder) -> None:
    import heard

    with pytest.raises(SettingsError, match="--question"):
        heard.find_themes(
            _two_question_survey(), text="answer", question="answer", embedder=embedder
        )
