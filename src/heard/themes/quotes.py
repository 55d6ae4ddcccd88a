"""Representative quotes: central to their theme, and different from each other."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["pick_quotes"]


def _length_fit(n_words: int) -> float:
    """How well a quote's length suits a report: 8-60 words reads best."""
    if n_words < 4:
        return 0.55
    if n_words < 8:
        return 0.85
    if n_words <= 60:
        return 1.0
    return 0.9


def pick_quotes(
    members: np.ndarray,
    centrality: np.ndarray,
    vectors: np.ndarray,
    texts: Sequence[str],
    count: int = 5,
    diversity: float = 0.5,
    duplicate_above: float = 0.92,
) -> list[int]:
    """Pick up to ``count`` quotes for one theme, most representative first.

    ``members`` are response positions; ``centrality`` their similarity to the theme's
    centre (same order); ``vectors`` the unit response vectors (all responses). Quotes
    are chosen by maximal marginal relevance: central, of a readable length, and not
    near-duplicates of a quote already chosen (same text, or cosine above
    ``duplicate_above``).
    """
    if len(members) == 0:
        return []
    lengths = np.array([len(texts[i].split()) for i in members])
    usable = lengths > 0
    members, centrality, lengths = members[usable], centrality[usable], lengths[usable]
    if len(members) == 0:
        return []
    fit = np.array([_length_fit(int(n)) for n in lengths])
    relevance = centrality * fit
    # Consider the most relevant few hundred only: quotes come from the centre anyway.
    top = np.argsort(-relevance, kind="stable")[:300]
    cand = members[top]
    rel = relevance[top]
    cv = vectors[cand]
    chosen: list[int] = []
    seen_texts: set[str] = set()
    max_sim = np.full(len(cand), -1.0)
    available = np.ones(len(cand), dtype=bool)
    while len(chosen) < count and available.any():
        score = np.where(available, rel - diversity * np.maximum(max_sim, 0.0), -np.inf)
        j = int(np.argmax(score))
        available[j] = False
        key = " ".join(texts[cand[j]].lower().split())
        if key in seen_texts or max_sim[j] > duplicate_above:
            continue
        chosen.append(int(cand[j]))
        seen_texts.add(key)
        max_sim = np.maximum(max_sim, cv @ cv[j])
    return chosen
