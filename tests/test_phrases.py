"""Labels read like something a person would write: noun phrases, not clipped clauses, and
never only a number or a span of time."""

from __future__ import annotations

import numpy as np

from heard.themes.phrases import _analyzer, key_phrases, label_from_phrases, weak_phrase


def test_three_word_phrases_are_joined_only_by_small_linking_words():
    grams = _analyzer("Teachers need adoption-aware training. Mum and dad. Email has happened.")
    assert "adoption-aware training" in grams and "mum and dad" in grams
    assert "teachers need adoption-aware" not in grams
    assert "email has happened" not in grams
    assert "parking at hospital" in _analyzer("parking at hospital")


def test_a_label_is_not_only_a_number_or_a_span_of_time():
    assert weak_phrase("six months") and weak_phrase("twice a year") and weak_phrase("nothing")
    assert not weak_phrase("court date") and not weak_phrase("letter a year")
    assert label_from_phrases(["six months", "panel", "court date"], "Theme 1") == (
        "Panel, court date"
    )
    # only weak phrases: better one of them than "Theme 1"
    assert label_from_phrases(["six months", "three"], "Theme 1") == "Six months, three"


def test_key_phrases_of_a_group_are_never_clipped_clauses():
    texts = [f"Teachers need adoption-aware training, we all said {i}" for i in range(30)] + [
        f"The court date was moved again {i}" for i in range(30)
    ]
    groups = np.array([0] * 30 + [1] * 30)
    found = [[p for p, _ in group] for group in key_phrases(texts, groups, 2, top_n=5)]
    assert "teachers need adoption-aware" not in found[0]
    assert any("adoption-aware training" in p for p in found[0])
    assert "court date" in found[1]
