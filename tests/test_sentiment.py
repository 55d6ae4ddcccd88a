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
from heard.sentiment import SentimentModel, rollup

EXAMPLES = (
    Path(__file__).resolve().parents[1] / "src" / "heard" / "data" / "sentiment" / "examples.csv"
)

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


def test_the_test_sentences_are_not_training_examples() -> None:
    training = set(pd.read_csv(EXAMPLES, keep_default_na=False)["text"].str.lower())
    for text in PRAISE + COMPLAINTS + MIXED:
        assert text.lower() not in training


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
    assert model.hidden_weights_.shape[1] == 384
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
