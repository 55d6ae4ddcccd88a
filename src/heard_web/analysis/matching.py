"""How a re-run keeps the themes people have shaped: match, place, then discover what is new.

A re-run reads every story again (sentiment, fresh clusters from the library), but it does not
throw away the themes of the previous run. In order:

1. **Carry over.** Every live theme of the previous run keeps its key, label, kind, pin and
   sub-themes; every story it had keeps its place (a person's placement always, a machine's
   too, so that nothing reshuffles when a few stories arrive). A theme left with no stories is
   dropped unless it is pinned.
2. **Match.** The fresh clusters are lined up with the old themes by the cosine similarity of
   their centroids (mean unit vectors in the model's 384-d space): one to one first, with the
   Hungarian algorithm (``scipy.optimize.linear_sum_assignment``), then each cluster left over
   joins the old theme most like it (a merged theme is seen again as several clusters); a
   pair counts only at ``MATCH_MIN`` or more. A matched cluster is an old theme seen again.
3. **Place.** A story without a place (new, or machine-placed in "No clear theme" before) goes
   to the old theme it fits best, if it fits at least as well as most of that theme's own
   stories do (``fit_threshold``: the theme's 10th percentile, never under ``FIT_FLOOR``);
   failing that, to the old theme its fresh cluster matched (if it fits it at least
   ``FIT_FLOOR``). Fit is the mean similarity to the
   story's ``NEIGHBOURS`` nearest stories of the theme rather than to its centroid: the
   centroid of a theme people merged from two lies between both and fits neither half.
4. **Discover.** What still fits nothing is grouped by its fresh cluster: an unmatched cluster
   holding at least ``MIN_NEW_THEME`` such stories becomes a new theme (with the library's
   label and key phrases, and the next free key); the rest is "No clear theme".
5. **Sub-themes** (``services.plan._update_plan``): a story of a theme with sub-themes joins the
   nearest; a theme without any is split by the library as a first run splits its themes.

So renamed labels, merges, splits, moves and pins survive because the themes they made are the
ones carried over, and new stories join them; only what is really new makes a new theme, like
the library's codebook mode. Every function here is plain NumPy, so it is tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Least centroid similarity for a fresh cluster to count as an old theme seen again.
MATCH_MIN = 0.6
#: A story never joins a theme it is less similar to than this (cosine, 384-d).
FIT_FLOOR = 0.25
#: The share of a theme's own stories that may sit further from its centroid than a newcomer.
FIT_QUANTILE = 0.10
#: Fewest unplaced stories that make a new theme in a re-run.
MIN_NEW_THEME = 3
#: A newcomer's fit to a theme is its mean similarity to this many of the theme's stories.
NEIGHBOURS = 5


def unit(v: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    v = np.asarray(v, dtype=np.float64)
    if v.ndim == 1:
        n = float(np.linalg.norm(v))
        return v / n if n > 0 else v
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return v / norms


def centroid(vectors: np.ndarray, rows: np.ndarray | list[int]) -> np.ndarray:
    """The unit mean of ``vectors[rows]`` (zeros when there are none)."""
    rows = np.asarray(rows, dtype=np.int64)
    if len(rows) == 0:
        return np.zeros(vectors.shape[1])
    return unit(vectors[rows].astype(np.float64).mean(axis=0))


def match_themes(
    old: np.ndarray, fresh: np.ndarray, minimum: float = MATCH_MIN
) -> dict[int, tuple[int, float]]:
    """Line up fresh clusters with old themes: ``{fresh index: (old index, similarity)}``.

    First one to one, maximising the total centroid similarity (Hungarian): that pairs each
    old theme with the cluster that is most nearly it. Then every cluster left over joins the
    old theme it is most similar to, since a theme people merged from several is rightly seen
    again as several clusters. Pairs under ``minimum`` are never made, so a cluster unlike
    every old theme stays unmatched (a new topic). Zero rows (a pinned theme with no stories)
    never match.
    """
    from scipy.optimize import linear_sum_assignment

    if len(old) == 0 or len(fresh) == 0:
        return {}
    sims = unit(fresh) @ unit(old).T
    rows, cols = linear_sum_assignment(-sims)
    matched = {
        int(r): (int(c), float(sims[r, c]))
        for r, c in zip(rows, cols, strict=True)
        if sims[r, c] >= minimum
    }
    for r in range(len(fresh)):
        c = int(np.argmax(sims[r]))
        if r not in matched and sims[r, c] >= minimum:
            matched[r] = (c, float(sims[r, c]))
    return matched


def fit_threshold(member_fits: np.ndarray) -> float:
    """How well a newcomer must fit a theme: as well as most of its own stories do."""
    if len(member_fits) == 0:
        return 2 * FIT_FLOOR  # a pinned theme with no stories yet: only clear newcomers
    return max(FIT_FLOOR, float(np.quantile(member_fits, FIT_QUANTILE)))


def _top_mean(sims: np.ndarray, k: int) -> np.ndarray:
    """Mean of each row's ``k`` largest values (all of them when a row has fewer)."""
    if sims.shape[1] == 0:
        return np.full(len(sims), -1.0)
    k = min(k, sims.shape[1])
    return np.partition(sims, sims.shape[1] - k, axis=1)[:, -k:].mean(axis=1)


def theme_fits(
    vectors: np.ndarray,
    reference: np.ndarray,
    ref_theme: np.ndarray,
    n_themes: int,
    k: int = NEIGHBOURS,
) -> np.ndarray:
    """How well each vector fits each theme: mean similarity to its ``k`` nearest stories there.

    Nearest stories rather than the centroid, so that a theme people made by merging two keeps
    taking stories like either half, and a story a person moved draws others like it.
    """
    out = np.full((len(vectors), n_themes), -1.0)
    if len(vectors) == 0 or len(reference) == 0:
        return out
    ref = unit(reference)
    for start in range(0, len(vectors), 1000):
        sims = unit(vectors[start : start + 1000]) @ ref.T
        for j in range(n_themes):
            cols = np.flatnonzero(ref_theme == j)
            if len(cols):
                out[start : start + 1000, j] = _top_mean(sims[:, cols], k)
    return out


def member_thresholds(
    reference: np.ndarray, ref_theme: np.ndarray, n_themes: int, k: int = NEIGHBOURS
) -> np.ndarray:
    """Each theme's :func:`fit_threshold`, from how well its own stories fit it (leaving each out)."""
    ref = unit(reference)
    out = np.zeros(n_themes)
    for j in range(n_themes):
        rows = np.flatnonzero(ref_theme == j)
        if len(rows) < 2:
            out[j] = fit_threshold(np.zeros(0)) if len(rows) == 0 else FIT_FLOOR * 2
            continue
        sims = ref[rows] @ ref[rows].T
        np.fill_diagonal(sims, -np.inf)
        out[j] = fit_threshold(_top_mean(sims, min(k, len(rows) - 1)))
    return out


@dataclass
class Placement:
    """Where ``place`` put the stories that had no place."""

    theme: np.ndarray  # per story: old theme index, or -1 (fits no old theme)
    score: np.ndarray  # how well it fits that theme (0 when none)
    how: list[str]  # "nearest", "cluster" or "" per story
    fits: np.ndarray  # stories x themes, from theme_fits


def place(
    fits: np.ndarray,
    thresholds: np.ndarray,
    fresh_cluster: np.ndarray,
    matched: dict[int, tuple[int, float]],
) -> Placement:
    """Place each story in an old theme: the best it fits well enough, else its cluster's.

    ``fits`` and ``thresholds`` come from :func:`theme_fits` and :func:`member_thresholds`;
    ``fresh_cluster[i]`` is the story's fresh cluster (-1 for the library's "No clear theme");
    ``matched`` comes from :func:`match_themes`.
    """
    n = len(fits)
    theme = np.full(n, -1, dtype=np.int64)
    score = np.zeros(n)
    how = [""] * n
    if n == 0 or fits.shape[1] == 0:
        return Placement(theme, score, how, fits)
    best = np.argmax(fits, axis=1)
    for i in range(n):
        b = int(best[i])
        if fits[i, b] >= thresholds[b]:
            theme[i], score[i], how[i] = b, float(fits[i, b]), "nearest"
            continue
        c = int(fresh_cluster[i])
        if c >= 0 and c in matched and fits[i, matched[c][0]] >= FIT_FLOOR:
            t = matched[c][0]
            theme[i], score[i], how[i] = t, float(fits[i, t]), "cluster"
    return Placement(theme, score, how, fits)
