"""Labels read like something a person would write: noun phrases, not clipped clauses, and
never only a number or a span of time."""

from __future__ import annotations

import numpy as np

from heard.themes.phrases import (
    _analyzer,
    key_phrases,
    label_from_phrases,
    surface_forms,
    weak_phrase,
)


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


def test_a_theme_of_nothing_answers_says_what_people_wrote():
    assert label_from_phrases(["nothing", "none"], "T", short_answers=True) == (
        "Answered “nothing” or “none”"
    )
    # in long stories "nothing" means "there is nothing for us": not an answer
    assert label_from_phrases(["nothing", "support"], "T") == "Support"
    assert label_from_phrases(["nope"], "T", short_answers=True) == "Answered “nope”"
    # "nothing" beside real content: the content labels it
    label = label_from_phrases(["nothing", "fine", "happy", "perfect"], "T", short_answers=True)
    assert label == "Fine, happy"


def test_masked_names_are_never_phrases():
    grams = _analyzer("Dr XXXX and XXXX were so helpful with the exercises")
    assert not any("xxxx" in g for g in grams)
    assert "exercises" in grams


def test_labels_keep_real_capitals_but_not_a_sentence_start_or_odd_case():
    texts = [
        "Excellent care. The CAMHS team were great.",
        "Excellent. Our Virtual School head helped.",
        "CAMHS were slow but the Virtual School was good.",
        "Please vIsIt more often; a visit helps.",
        "vIsIt times were short",
    ]
    forms = surface_forms(["excellent", "camhs", "virtual school", "visit"], texts)
    assert forms.get("camhs") == "CAMHS" and forms.get("virtual school") == "Virtual School"
    assert "excellent" not in forms  # only ever capitalised at the start of a sentence
    assert "visit" not in forms  # "vIsIt" is no way to write a label
