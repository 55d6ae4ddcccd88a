"""The main job, end to end on the real model: what a user of find_themes would notice."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import heard
from heard.result import NO_THEME_ID, NO_THEME_LABEL
from synthetic import TOPICS, TWO_TOPICS, planted_corpus


@pytest.fixture(scope="module")
def corpus() -> pd.DataFrame:
    frame = planted_corpus(per_topic=30)
    extra = pd.DataFrame(
        [
            {
                "ref": "R900",
                "topic": "two",
                "comment": TWO_TOPICS,
                "role": "carer",
                "date": "2025-06-01",
            },
            {
                "ref": "R901",
                "topic": "empty",
                "comment": "",
                "role": "patient",
                "date": "2025-06-02",
            },
            {
                "ref": "R902",
                "topic": "empty",
                "comment": "   ",
                "role": "patient",
                "date": "2025-06-03",
            },
        ]
    )
    return pd.concat([frame, extra], ignore_index=True)


@pytest.fixture(scope="module")
def result(corpus: pd.DataFrame, embedder) -> heard.Analysis:
    return heard.find_themes(
        corpus, text="comment", id="ref", by=["role"], time="date", embedder=embedder
    )


def _theme_of(result: heard.Analysis, corpus: pd.DataFrame) -> pd.Series:
    primary = result.assignments[result.assignments["primary"]].set_index("response_id")["theme_id"]
    return corpus.set_index("ref")["topic"].to_frame().join(primary)["theme_id"]


def test_it_finds_each_planted_topic_and_labels_it_with_its_key_phrases(result, corpus):
    themes = result.themes.set_index("theme_id")
    topic_of = corpus.set_index("ref")["topic"]
    theme_of = _theme_of(result, corpus)
    for topic, spec in TOPICS.items():
        in_topic = theme_of[topic_of == topic]
        # The themes that hold this topic's responses are labelled with the topic's words.
        words = spec["keyword"]
        named = [
            tid
            for tid in in_topic.unique()
            if any(
                w in (themes.loc[tid, "label"] + " " + str(themes.loc[tid, "key_phrases"])).lower()
                for w in words
            )
        ]
        share = in_topic.isin(named).mean()
        assert share >= 0.8, f"only {share:.0%} of '{topic}' responses are in themes that name it"


def test_it_keeps_each_theme_to_one_planted_topic(result, corpus):
    theme_of = _theme_of(result, corpus)
    topic_of = corpus.set_index("ref")["topic"]
    planted = topic_of.isin(list(TOPICS))
    table = pd.crosstab(theme_of[planted], topic_of[planted])
    purity = table.max(axis=1) / table.sum(axis=1)
    assert (purity >= 0.8).all(), table


def test_it_gives_a_response_about_two_topics_both_themes(result, corpus):
    rows = result.assignments[result.assignments["response_id"] == "R900"]
    labels = (
        " ".join(rows["theme"]).lower()
        + " "
        + " ".join(
            result.themes.set_index("theme_id").loc[rows["theme_id"], "key_phrases"].fillna("")
        ).lower()
    )
    assert len(rows) >= 2
    assert "nurse" in labels and ("parking" in labels or "car park" in labels)
    assert rows["primary"].sum() == 1


def test_it_accounts_for_every_response(result, corpus):
    a = result.assignments
    assert set(a["response_id"]) == set(corpus["ref"])
    assert (a.groupby("response_id")["primary"].sum() == 1).all()
    for column in ["response_id", "theme_id", "theme", "score", "primary"]:
        assert column in a.columns


def test_it_puts_empty_responses_in_no_clear_theme(result):
    rows = result.assignments[result.assignments["response_id"].isin(["R901", "R902"])]
    assert list(rows["theme"]) == [NO_THEME_LABEL, NO_THEME_LABEL]
    assert list(rows["theme_id"]) == [NO_THEME_ID, NO_THEME_ID]
    assert result.no_theme_share == pytest.approx(2 / len(result.responses), abs=0.02)


def test_it_orders_themes_biggest_first_with_sub_themes_under_them(result):
    top = result.top_themes
    assert list(top["size"]) == sorted(top["size"], reverse=True)
    subs = result.themes[result.themes["level"] == 2]
    assert set(subs["parent_id"]) <= set(top["theme_id"])
    for tid, group in subs.groupby("parent_id"):
        assert group["size"].sum() == int(top.set_index("theme_id").loc[tid, "size"])


def test_its_quotes_within_a_theme_are_distinct_and_from_the_theme(result):
    primary = result.assignments[result.assignments["primary"]].set_index("response_id")["theme_id"]
    for tid in result.top_themes["theme_id"]:
        quotes = result.quotes_for(tid)
        assert 3 <= len(quotes) <= 5, tid
        assert quotes["text"].str.lower().nunique() == len(quotes)
        assert (primary.loc[quotes["response_id"]] == tid).all()


def test_its_labels_are_phrases_without_stop_words(result):
    from heard.themes.phrases import STOP_WORDS

    for label in result.top_themes["label"]:
        for part in label.lower().split(", "):
            words = part.split()
            assert words[0] not in STOP_WORDS and words[-1] not in STOP_WORDS, label


def test_it_gives_every_response_a_sentiment(result):
    r = result.responses
    assert set(r["sentiment"]) <= {"negative", "mixed or neutral", "positive"}
    assert r["sentiment_score"].between(-1, 1).all()
    complaints = result.responses[
        result.responses["text"].str.contains("nightmare|cold and tasteless")
    ]
    praise = result.responses[
        result.responses["text"].str.contains("absolute angel|above and beyond")
    ]
    assert (complaints["sentiment"] != "positive").all()
    assert complaints["sentiment_score"].mean() < 0
    assert (praise["sentiment"] == "positive").all()


def test_the_same_input_and_seed_give_the_same_files(corpus, embedder, tmp_path):
    a = heard.find_themes(corpus, text="comment", id="ref", random_state=3, embedder=embedder)
    b = heard.find_themes(corpus, text="comment", id="ref", random_state=3, embedder=embedder)
    pa, pb = a.save(tmp_path / "a"), b.save(tmp_path / "b")
    for name in ["themes", "assignments"]:
        assert pa[name].read_bytes() == pb[name].read_bytes(), name


def test_a_fixed_number_of_themes_is_respected(corpus, embedder):
    r = heard.find_themes(corpus, text="comment", n_themes=4, embedder=embedder)
    assert len(r.top_themes) == 4


def test_the_report_names_the_largest_theme_first(result):
    html = result.to_html()
    labels = list(result.top_themes["label"])
    from html import escape

    first = html.find(escape(labels[0]))
    assert first != -1
    for other in labels[1:]:
        pos = html.find(escape(other))
        assert pos == -1 or pos > first, other


def test_it_rejects_a_random_state_that_is_not_a_number(corpus, embedder):
    with pytest.raises(heard.SettingsError):
        heard.find_themes(corpus, text="comment", random_state="abc", embedder=embedder)  # type: ignore[arg-type]


def test_a_transcript_keeps_its_speakers(embedder):
    from synthetic import SAMPLE_DIR

    responses = heard.read(SAMPLE_DIR / "interview-adopter.vtt", by=["speaker"])
    r = heard.analyse(responses, embedder=embedder)
    assert set(r.responses["speaker"]) == {"Interviewer", "Adopter"}
    assert "speaker" in r.by
    assert len(r.top_themes) >= 1


def test_long_field_notes_are_split_into_passages_and_rolled_up(embedder):
    from synthetic import SAMPLE_DIR

    responses = heard.read(SAMPLE_DIR / "field-notes")
    texts = responses.texts
    passages = embedder.embed_documents(texts)
    assert len(passages.passage_text) > len(texts)
    assert passages.vectors.shape == (len(texts), 384)
    assert np.allclose(np.linalg.norm(passages.vectors, axis=1), 1.0, atol=1e-4)
    counts = embedder.count_tokens(passages.passage_text)
    assert max(counts) <= 256


def test_the_theme_count_follows_the_amount_of_text_not_only_the_number_of_responses():
    from heard.themes.discover import content_units, default_theme_count

    comments = ["The nurses were kind to my mum."] * 10_000
    stories = [" ".join(["word"] * 70)] * 2_000
    assert default_theme_count(content_units(comments), 5, 25) == 21
    assert default_theme_count(content_units(comments[:400]), 5, 25) == 10
    # 2,000 stories of 70 words say about as much as 7,000 short comments
    assert default_theme_count(content_units(stories), 5, 25) == 20
    assert default_theme_count(len(stories), 5, 25) == 15


def test_short_comments_are_grouped_by_their_vectors_alone():
    from heard.themes import ThemeModel

    rng = np.random.default_rng(0)
    centres = rng.normal(size=(6, 384))
    vectors = centres[rng.integers(0, 6, 300)] + 0.8 * rng.normal(size=(300, 384))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    texts = [f"short comment {i} about the ward" for i in range(300)]
    with_texts = ThemeModel().fit(vectors, texts=texts)
    without = ThemeModel().fit(vectors)
    assert not with_texts.used_words_
    assert np.array_equal(with_texts.labels_, without.labels_)
    assert np.array_equal(with_texts.assigned_, without.assigned_)


def _long_stories(per_topic: int = 25) -> pd.DataFrame:
    """Stories of five sentences, all about one planted topic."""
    import random

    rng = random.Random(1)
    rows = []
    for topic, spec in TOPICS.items():
        for i in range(per_topic):
            picked = rng.sample(spec["templates"], 5)
            text = " ".join(t.format(n=rng.choice([2, 3, 5, 8, 12])) for t in picked)
            rows.append({"ref": f"{topic}-{i}", "topic": topic, "story": text})
    rng.shuffle(rows)
    return pd.DataFrame(rows)


def test_long_stories_are_grouped_by_their_words_too_and_each_theme_keeps_to_one_topic(embedder):
    from heard.themes import ThemeModel

    stories = _long_stories()
    texts = stories["story"].tolist()
    assert stories["story"].str.split().str.len().median() >= 40
    vectors = embedder.embed_documents(texts).vectors
    model = ThemeModel().fit(vectors, texts=texts)
    assert model.used_words_
    table = pd.crosstab(model.labels_, stories["topic"])
    purity = table.max(axis=1) / table.sum(axis=1)
    assert (purity >= 0.9).all(), table
    assert model.scores_.shape == (len(texts), model.n_themes_)
    again = ThemeModel(random_state=5).fit(vectors, texts=texts)
    assert np.array_equal(model.labels_, again.labels_)  # under 2,000 stories: no seed at all


def test_labels_never_show_redaction_placeholders(embedder):
    names = ["Sarah Patel", "James Wilson", "Aisha Khan", "Tom Baker", "Priya Shah", "Mark Evans"]
    thanks = [
        f"Thank you {name}, {name.split()[0]} looked after my mum so well on the ward."
        for name in names
    ] * 5
    frame = pd.concat(
        [planted_corpus(per_topic=20), pd.DataFrame({"comment": thanks})], ignore_index=True
    )
    r = heard.find_themes(frame, text="comment", embedder=embedder)
    assert r.settings["redactions"].get("NAME", 0) >= 30
    shown = " ".join(r.themes["label"]) + " " + " ".join(r.themes["key_phrases"].fillna(""))
    assert "[" not in shown and "]" not in shown and "NAME" not in shown, shown
