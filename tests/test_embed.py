"""The embedder on the real model: vectors that do not depend on what else is embedded."""

from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd

import heard
from heard.embed import Embedder, EmbeddingCache
from synthetic import planted_corpus

TEXTS = [
    "Waiting times",
    "The wait for the panel date after approval was far too long for us.",
    "Our social worker changed three times in a year and nobody told us why.",
    "Car park",
    "Lovely staff who listened to us and kept us informed at every step of the way.",
    "The training course for adopters was useful but the venue was hard to reach by bus.",
    "Letterbox contact with the birth family",
    "We waited months for the matching meeting and heard nothing in between.",
]


def test_an_exact_vector_is_the_same_whatever_it_is_embedded_with():
    embedder = Embedder(use_cache=False)
    together = embedder.embed(TEXTS, exact=True)
    alone = np.vstack([embedder.embed([t], exact=True) for t in TEXTS])
    # with texts of other lengths around it, and in another batch size
    embedder.batch_size = 3
    longer = [*reversed(TEXTS), "A much longer sentence. " * 20]
    mixed = embedder.embed(longer, exact=True)[: len(TEXTS)][::-1]
    assert np.array_equal(together, alone)
    assert np.array_equal(together, mixed)


def test_an_exact_vector_read_from_the_cache_equals_a_fresh_one(tmp_path):
    warm = Embedder(cache_dir=tmp_path)
    warm.embed([TEXTS[0], "Something else entirely, and much longer than the rest of them."] * 2)
    warm.embed(TEXTS[3:6], exact=True)  # cached beside other texts
    fresh = Embedder(use_cache=False).embed(TEXTS, exact=True)
    assert np.array_equal(warm.embed(TEXTS, exact=True), fresh)
    assert warm.stats["cached"] >= 3


def test_exact_and_batched_vectors_agree_closely():
    embedder = Embedder(use_cache=False)
    cosine = np.sum(embedder.embed(TEXTS) * embedder.embed(TEXTS, exact=True), axis=1)
    assert cosine.min() > 0.999


def test_erasing_a_text_removes_every_vector_of_it(tmp_path):
    embedder = Embedder(cache_dir=tmp_path)
    embedder.embed(TEXTS[:2])
    embedder.embed(TEXTS[:2], exact=True)
    embedder.close()
    cache = EmbeddingCache(tmp_path)
    assert cache.delete_texts([TEXTS[0]]) == 2
    with sqlite3.connect(cache.path) as conn:
        left = conn.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]
    assert left == 2


def test_an_erased_vector_leaves_no_bytes_in_the_cache_files(tmp_path):
    embedder = Embedder(cache_dir=tmp_path)
    vectors = embedder.embed(TEXTS[:3])
    embedder.close()
    cache = EmbeddingCache(tmp_path)
    cache.delete_texts([TEXTS[1]])
    files = b"".join(f.read_bytes() for f in tmp_path.iterdir() if f.is_file())
    cache.close()
    assert vectors[1].astype(np.float32).tobytes()[:64] not in files
    assert vectors[0].astype(np.float32).tobytes()[:64] in files  # the others stay


def test_a_cache_filled_by_other_runs_gives_the_same_files_as_a_new_one(tmp_path):
    corpus = planted_corpus(per_topic=15)
    # A cache that already holds some of these texts, embedded beside different ones.
    used = tmp_path / "used-cache"
    other = planted_corpus(per_topic=9, seed=7)
    heard.find_themes(pd.concat([corpus.iloc[::3], other]), text="comment", cache_dir=used)
    fresh = heard.find_themes(corpus, text="comment", cache_dir=tmp_path / "new-cache")
    warm = heard.find_themes(corpus, text="comment", cache_dir=used)
    a, b = fresh.save(tmp_path / "fresh"), warm.save(tmp_path / "warm")
    for name in ["themes", "assignments"]:
        assert a[name].read_bytes() == b[name].read_bytes(), name


def test_progress_counts_every_new_text_once(tmp_path):
    seen: list[tuple[int, int]] = []
    embedder = Embedder(cache_dir=tmp_path)
    embedder.embed(TEXTS, progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, len(TEXTS))
    assert seen[-1] == (len(TEXTS), len(TEXTS))
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    seen.clear()
    embedder.embed(TEXTS, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(0, 0)]
