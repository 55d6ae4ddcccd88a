"""Responses about more than one thing: the other themes a response also belongs to.

A response's vector is one point, so "the nurses were lovely but parking was
impossible" sits between the nurses theme and the parking theme and is closest to
one of them. It also joins another theme when it *says* one of that theme's key
phrases and its vector is still reasonably close to that theme (at least
``ratio`` of its similarity to its main theme). Saying the words alone is not
enough ("no problems with parking" in a theme about staff is weak evidence), and
closeness alone is not enough either (themes in real feedback overlap a lot).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

__all__ = ["also_about"]


def also_about(
    texts: Sequence[str],
    phrases: Sequence[Sequence[str]],
    scores: np.ndarray,
    labels: np.ndarray,
    ratio: float = 0.5,
    floor: float = 0.1,
    per_theme: int = 3,
) -> np.ndarray:
    """Boolean (responses x themes): themes each response also mentions, besides its main one."""
    n, k = scores.shape
    result = np.zeros((n, k), dtype=bool)
    if n == 0 or k == 0:
        return result
    best = scores[np.arange(n), np.maximum(labels, 0)]
    has_theme = labels >= 0
    lowered = [t.lower() for t in texts]
    for t in range(k):
        words = [p for p in list(phrases[t])[:per_theme] if p]
        if not words:
            continue
        pattern = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b")
        close = has_theme & (labels != t) & (scores[:, t] >= np.maximum(ratio * best, floor))
        for i in np.flatnonzero(close):
            if pattern.search(lowered[i]):
                result[i, t] = True
    return result
