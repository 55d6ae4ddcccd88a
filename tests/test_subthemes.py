"""find_subthemes splits given themes the way find_themes splits the themes it finds."""

from __future__ import annotations

import numpy as np
import pytest

import heard
from heard.errors import SettingsError
from heard.subthemes import find_subthemes
from synthetic import planted_corpus


@pytest.fixture(scope="module")
def found(embedder):
    corpus = planted_corpus(per_topic=30)
    result = heard.find_themes(corpus, text="comment", embedder=embedder, redact=False)
    vectors = embedder.embed_documents(corpus["comment"].tolist()).vectors
    return corpus, result, vectors


def test_it_gives_a_theme_the_subthemes_and_labels_a_first_run_gives_it(found):
    corpus, result, vectors = found
    level1 = result.themes[(result.themes["level"] == 1) & (result.themes["theme_id"] != "none")]
    ids = [str(t) for t in level1["theme_id"]]
    labels = [str(x) for x in level1["label"]]
    responses = result.responses
    themes = [ids.index(t) if t in ids else -1 for t in responses["theme_id"]]
    assert -1 not in themes, "every planted response has a theme"

    split = find_subthemes(vectors, corpus["comment"].tolist(), themes, labels)

    sub_rows = result.themes[result.themes["level"] == 2]
    with_subs = {ids.index(str(p)) for p in sub_rows["parent_id"]}
    assert with_subs and set(split) == with_subs
    for t, subs in split.items():
        expected = sub_rows[sub_rows["parent_id"] == ids[t]]
        assert [s.label for s in subs] == [str(x) for x in expected["label"]]
        for sub, sub_id in zip(subs, expected["theme_id"], strict=True):
            rows = np.flatnonzero(responses["subtheme_id"].to_numpy() == sub_id)
            assert sub.rows.tolist() == rows.tolist()
            assert sub.key_phrases


def test_it_leaves_a_small_theme_whole_and_answers_only_for_the_themes_asked(found):
    corpus, _, vectors = found
    themes = np.full(len(corpus), -1)
    topics = corpus["topic"].tolist()
    names = sorted(set(topics))
    big, small = names[0], names[1]
    themes[[i for i, t in enumerate(topics) if t == big]] = 0
    themes[[i for i, t in enumerate(topics) if t == small][:10]] = 1
    texts = corpus["comment"].tolist()
    split = find_subthemes(vectors, texts, themes, [big, small])
    assert list(split) == [0], "ten responses are too few to split"
    assert sorted(np.concatenate([s.rows for s in split[0]]).tolist()) == sorted(
        np.flatnonzero(themes == 0).tolist()
    ), "every response of the theme is in exactly one sub-theme"
    assert find_subthemes(vectors, texts, themes, [big, small], only=[1]) == {}


def test_it_rejects_a_theme_number_it_has_no_label_for(found):
    corpus, _, vectors = found
    with pytest.raises(SettingsError, match="outside 0..0"):
        find_subthemes(vectors, corpus["comment"].tolist(), [1] * len(corpus), ["Parking"])
