"""Theme discovery: a readable number of themes, each with sub-themes, from response vectors.

How it works, and why:

1. The unit-length 384-d vectors are centred and reduced with PCA (48 dimensions
   keep the structure that matters for grouping and make every later step cheap).
   When the responses are long stories (the median response has at least
   ``long_text_words`` words), the words themselves are added as a second view:
   TF-IDF reduced to at most 100 dimensions by a truncated SVD, given ``word_weight``
   of the similarity. A story's vector is the mean of everything it says, which
   blurs the several things a long story is about; its words keep them. Short
   comments are left to the vectors alone (words add noise there: measured in
   docs/adr/0001-theme-discovery.md).
2. Ward's hierarchical clustering (exact, deterministic) runs on a sample of at most
   ``sample_size`` responses and is cut into the wanted number of groups; every
   response then joins its nearest group centre, refined by a few Lloyd rounds on all
   responses. With more responses than the sample holds, this is done on
   ``n_samples`` samples drawn with ``random_state`` and the runs vote (after lining
   their groups up), so that the themes are a property of the data rather than of
   the seed: the benchmark prints the agreement (ARI) between two seeds.
3. The number of themes grows with the logarithm of the amount of text, counted in
   units of about a short comment (``WORDS_PER_UNIT`` words; a response counts at
   least once): 10 for 400 short comments, 21 for 10,000, at most 25. A long story
   makes several points, so 2,000 stories get about as many themes as 10,000
   comments. The user can fix the number instead.
4. A response also joins any other theme almost as close as its main one (a
   response about two things gets both), and a response close to no theme at all
   goes to "No clear theme".
5. Each theme is split the same way into at most ``max_subthemes`` sub-themes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from heard.errors import SettingsError

__all__ = ["ThemeModel", "content_units", "default_theme_count"]

#: A response of this many words counts as one unit of text for the theme count.
WORDS_PER_UNIT = 20
#: The word view's TF-IDF keeps words in at least this many responses.
_WORD_MIN_DF = 3
#: The word view's SVD: at most this many dimensions, fitted on at most this many responses.
_WORD_DIMS = 100
_WORD_FIT_ROWS = 20000


def _unit(z: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(z, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return z / norms


def _centres(z: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Sum of the rows of ``z`` per label (k x d), without Python loops."""
    from scipy import sparse

    onehot = sparse.csr_matrix(
        (np.ones(len(labels)), (labels, np.arange(len(labels)))), shape=(k, len(labels))
    )
    return np.asarray(onehot @ z)


def _ward_labels(z: np.ndarray, k: int) -> np.ndarray:
    """Ward's hierarchical clustering of ``z`` cut into at most ``k`` groups (labels 0..)."""
    from scipy.cluster.hierarchy import fcluster, linkage

    tree = linkage(z, method="ward")
    labels = fcluster(tree, k, criterion="maxclust") - 1
    _, labels = np.unique(labels, return_inverse=True)
    return np.asarray(labels, dtype=np.int64)


def _refine(z: np.ndarray, centres: np.ndarray, rounds: int) -> tuple[np.ndarray, np.ndarray]:
    """Lloyd rounds on the sphere from the given centres; returns labels and centres."""
    k = len(centres)
    labels = np.argmax(z @ centres.T, axis=1)
    for _ in range(rounds):
        new = _centres(z, labels, k)
        empty = ~new.any(axis=1)
        new[empty] = centres[empty]
        centres = _unit(new)
        new_labels = np.argmax(z @ centres.T, axis=1)
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
    return labels, centres


def default_theme_count(n: float, min_themes: int, max_themes: int) -> int:
    """A readable number of themes for ``n`` units of text: 10 for 400, 15 for 2,000, 21 for 10,000.

    It grows with the logarithm of ``n``: more text can support finer themes, but a
    reader can take in only so many (never more than ``max_themes``). ``n`` is the
    number of responses, or :func:`content_units` of their texts.
    """
    if n <= 0:
        return min_themes
    guess = round(2.4 * np.log2(max(n, 2) / 25.0))
    return int(min(max(guess, min_themes), max_themes))


def _word_counts(texts: Sequence[str]) -> np.ndarray:
    return np.asarray([len(t.split()) for t in texts], dtype=np.float64)


def content_units(texts: Sequence[str]) -> float:
    """How much there is to say in ``texts``: each counts ``words / WORDS_PER_UNIT``, at least 1.

    10,000 short comments (median 8 words) count about 12,000; 2,000 stories of
    median 68 words count about 10,000.
    """
    return float(np.maximum(1.0, _word_counts(texts) / WORDS_PER_UNIT).sum())


def _word_view(texts: Sequence[str], rng: np.random.Generator) -> np.ndarray | None:
    """Unit vectors of the texts' words (TF-IDF, truncated SVD), or None when too few words.

    Stop words are kept: in stories, who is talking about whom ("she", "they", "my")
    says much about what a story is about (measured: dropping them lost about 0.005
    NMI on co.csv). The SVD's own seed is fixed so the view does not depend on
    ``random_state``.
    """
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer

    n = len(texts)
    fit_idx = np.arange(n) if n <= _WORD_FIT_ROWS else np.sort(rng.choice(n, _WORD_FIT_ROWS, False))
    vectorizer = TfidfVectorizer(min_df=_WORD_MIN_DF, sublinear_tf=True, dtype=np.float64)
    try:
        fitted = vectorizer.fit_transform([texts[int(i)] for i in fit_idx])
    except ValueError:  # no word occurs in enough responses
        return None
    dims = int(min(_WORD_DIMS, fitted.shape[1] - 1, len(fit_idx) - 1))
    if dims < 2:
        return None
    svd = TruncatedSVD(dims, random_state=0).fit(fitted)
    words = fitted if n <= _WORD_FIT_ROWS else vectorizer.transform(texts)
    return _unit(svd.transform(words))


@dataclass
class _Partition:
    labels: np.ndarray
    centres: np.ndarray  # unit vectors in the reduced space


@dataclass
class ThemeModel:
    """Finds themes and sub-themes in unit-length response vectors.

    Parameters (stored as given; checked in :meth:`fit`)
    ----------
    n_themes: "auto" or a fixed number of top-level themes.
    min_themes, max_themes: bounds for "auto".
    max_subthemes: most sub-themes per theme (0 turns sub-themes off).
    dims: PCA dimensions used for grouping.
    sample_size: responses used to build the tree; the rest join by nearest centre.
    secondary_margin: a response joins another theme too when its similarity to that
        theme's centre is within this margin of its main theme's.
    long_text_words, word_weight: when the median response (with text) has at least
        ``long_text_words`` words and :meth:`fit` is given the texts, their words
        count for ``word_weight`` of the similarity (the vectors for the rest).
    no_theme_below: similarity (in the reduced space) under which a response has no
        clear theme.
    random_state: seed for the sample and PCA.

    Learned attributes: ``labels_`` (main theme per response, -1 for none, themes
    numbered by size, biggest 0), ``sublabels_`` (sub-theme within the theme, -1 for
    none), ``scores_`` (responses x themes similarity, 0..1), ``assigned_`` (boolean
    responses x themes), ``n_themes_``, ``n_subthemes_`` (per theme), ``centres_``,
    ``used_words_`` (True when the texts' words joined the vectors).
    """

    n_themes: int | str = "auto"
    min_themes: int = 5
    max_themes: int = 25
    max_subthemes: int = 6
    dims: int = 48
    sample_size: int = 2000
    n_samples: int = 5
    refine_rounds: int = 30
    secondary_margin: float = 0.06
    no_theme_below: float = 0.12
    long_text_words: int = 40
    word_weight: float = 0.6
    random_state: int = 0
    labels_: np.ndarray = field(init=False, repr=False)
    sublabels_: np.ndarray = field(init=False, repr=False)
    scores_: np.ndarray = field(init=False, repr=False)
    assigned_: np.ndarray = field(init=False, repr=False)
    centres_: np.ndarray = field(init=False, repr=False)
    n_themes_: int = field(init=False, repr=False, default=0)
    n_subthemes_: list[int] = field(init=False, repr=False, default_factory=list)
    used_words_: bool = field(init=False, repr=False, default=False)

    def _check(self) -> None:
        if self.n_themes != "auto" and (not isinstance(self.n_themes, int) or self.n_themes < 1):
            raise SettingsError(
                f"n_themes must be 'auto' or a whole number of at least 1, not {self.n_themes!r}."
            )
        if not 1 <= self.min_themes <= self.max_themes:
            raise SettingsError(
                f"min_themes ({self.min_themes}) must be at least 1 and no more than max_themes ({self.max_themes})."
            )

    def _reduce(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        from sklearn.decomposition import PCA

        n = len(x)
        dims = int(min(self.dims, n - 1, x.shape[1]))
        if dims < 2:
            return _unit(x.astype(np.float64))
        mean = x.mean(axis=0)
        fit_rows = x if n <= 50000 else x[np.sort(rng.choice(n, 50000, replace=False))]
        pca = PCA(dims, svd_solver="covariance_eigh").fit(fit_rows - mean)
        comps = pca.components_
        # fix each component's sign so the result never depends on the solver's choice
        signs = np.sign(comps[np.arange(len(comps)), np.argmax(np.abs(comps), axis=1)])
        comps = comps * signs[:, None]
        return _unit((x - mean) @ comps.T)

    def _one_partition(self, z: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
        n = len(z)
        rows = (
            np.arange(n)
            if n <= self.sample_size
            else np.sort(rng.choice(n, self.sample_size, replace=False))
        )
        sample_labels = _ward_labels(z[rows], k)
        centres = _unit(_centres(z[rows], sample_labels, int(sample_labels.max()) + 1))
        labels, _ = _refine(z, centres, rounds=self.refine_rounds)
        return labels

    def _partition(
        self, z: np.ndarray, k: int, rng: np.random.Generator, runs: int | None = None
    ) -> _Partition:
        """Group ``z`` into ``k`` clusters: the consensus of Ward trees on several samples."""
        from scipy.optimize import linear_sum_assignment

        n = len(z)
        if n <= 2 or k <= 1:
            return _Partition(np.zeros(n, dtype=np.int64), _unit(z.mean(axis=0, keepdims=True)))
        k = min(k, n - 1)
        if n <= self.sample_size:
            runs = 1  # one exact Ward tree on everything: nothing random left
        elif runs is None:
            runs = self.n_samples
        parts = [self._one_partition(z, k, rng) for _ in range(runs)]
        reference = parts[0]
        k = int(reference.max()) + 1
        if runs > 1:
            # Line up each run's groups with the first run's, then let each response vote.
            votes = np.zeros((n, k))
            for labels in parts:
                kk = max(k, int(labels.max()) + 1)
                table = np.zeros((kk, k))
                np.add.at(table, (labels, reference), 1)
                rows, cols = linear_sum_assignment(-table)
                mapping = np.full(kk, -1)
                mapping[rows] = cols
                ok = mapping[labels] >= 0
                votes[np.flatnonzero(ok), mapping[labels[ok]]] += 1
            reference = np.argmax(votes, axis=1)
        centres = _unit(_centres(z, reference, k))
        labels, centres = _refine(z, centres, rounds=self.refine_rounds)
        return _Partition(labels, centres)

    def _with_words(
        self, z: np.ndarray, texts: Sequence[str], rng: np.random.Generator
    ) -> np.ndarray:
        """``z`` joined by the word view when the texts are long stories (else ``z`` unchanged)."""
        if not 0.0 < self.word_weight < 1.0 or len(texts) < 2:
            return z
        if float(np.median(_word_counts(texts))) < self.long_text_words:
            return z
        words = _word_view(texts, rng)
        if words is None:
            return z
        return np.hstack([np.sqrt(1.0 - self.word_weight) * z, np.sqrt(self.word_weight) * words])

    def fit(
        self,
        vectors: np.ndarray,
        usable: np.ndarray | None = None,
        texts: Sequence[str] | None = None,
    ) -> ThemeModel:
        """Find themes in ``vectors`` (n x d, unit length). ``usable`` marks responses with text.

        ``texts`` (one per row, optional) sets the theme count by the amount of text
        and, for long stories, adds their words to the vectors (see the module notes).
        """
        self._check()
        self.used_words_ = False
        x = np.asarray(vectors, dtype=np.float64)
        n = len(x)
        if texts is not None and len(texts) != n:
            raise SettingsError(
                f"ThemeModel.fit was given {len(texts)} texts for {n} vectors; it needs one text per vector."
            )
        usable = np.ones(n, dtype=bool) if usable is None else np.asarray(usable, dtype=bool)
        rng = np.random.default_rng(self.random_state)
        idx = np.flatnonzero(usable)
        self.labels_ = np.full(n, -1, dtype=np.int64)
        self.sublabels_ = np.full(n, -1, dtype=np.int64)
        if len(idx) == 0:
            self.n_themes_, self.n_subthemes_ = 0, []
            self.scores_ = np.zeros((n, 0))
            self.assigned_ = np.zeros((n, 0), dtype=bool)
            self.centres_ = np.zeros((0, x.shape[1]))
            return self
        z = self._reduce(x[idx], rng)
        used_texts = None if texts is None else [str(texts[int(i)]) for i in idx]
        reduced = z.shape[1]
        if used_texts is not None:
            z = self._with_words(z, used_texts, rng)
            self.used_words_ = z.shape[1] > reduced
        if self.n_themes == "auto":
            units = len(idx) if used_texts is None else content_units(used_texts)
            wanted = default_theme_count(units, self.min_themes, self.max_themes)
        else:
            wanted = int(self.n_themes)
        part = self._partition(z, wanted, rng)
        # number themes by size, biggest first (ties by first response) for a stable order
        k = len(part.centres)
        sizes = np.bincount(part.labels, minlength=k)
        first = np.array([np.argmax(part.labels == j) if sizes[j] else n for j in range(k)])
        order = np.lexsort((first, -sizes))
        order = order[sizes[order] > 0]
        remap = np.full(k, -1)
        remap[order] = np.arange(len(order))
        centres = part.centres[order]
        labels = remap[part.labels]
        view = z
        if self.used_words_:
            # The words help to group; closeness (scores, a second theme, no clear theme)
            # is still measured on the vectors alone, so its scale does not change.
            view = _unit(z[:, :reduced])
            centres = _unit(_centres(view, labels, len(centres)))
        sims = view @ centres.T  # cosine in the reduced space
        best = sims[np.arange(len(z)), labels]
        # No clear theme: responses that are not close to any theme at all.
        none = best < self.no_theme_below
        assigned = (sims >= (best[:, None] - self.secondary_margin)) & (sims >= self.no_theme_below)
        assigned[np.arange(len(z)), labels] = ~none
        labels = np.where(none, -1, labels)
        self.origin_ = np.full(len(centres), -1, dtype=np.int64)
        self._store(n, idx, z, centres, labels, np.clip(sims, 0.0, 1.0), assigned, rng)
        return self

    def fit_codebook(
        self,
        vectors: np.ndarray,
        primary: np.ndarray,
        assigned: np.ndarray,
        usable: np.ndarray | None = None,
        scores: np.ndarray | None = None,
    ) -> ThemeModel:
        """Themes from a codebook match (``primary`` code per response, -1 for none), plus new
        themes proposed for the responses that fit no code. ``origin_[t]`` is the code behind
        theme ``t``, or -1 for a proposed theme."""
        self._check()
        x = np.asarray(vectors, dtype=np.float64)
        n = len(x)
        usable = np.ones(n, dtype=bool) if usable is None else np.asarray(usable, dtype=bool)
        rng = np.random.default_rng(self.random_state)
        idx = np.flatnonzero(usable)
        primary = np.asarray(primary)[idx]
        assigned = np.asarray(assigned, dtype=bool)[idx]
        n_codes = assigned.shape[1]
        z = self._reduce(x[idx], rng) if len(idx) else np.zeros((0, 2))
        labels = primary.copy()
        origin = list(range(n_codes))
        unmatched = np.flatnonzero(labels < 0)
        # Propose new themes for what fits none, when there is enough of it to group.
        if len(unmatched) >= 10:
            count = default_theme_count(len(unmatched), 2, max(2, min(self.max_themes, 12)))
            part = self._partition(z[unmatched], count, rng)
            sims = part.centres @ z[unmatched].T
            close = sims[part.labels, np.arange(len(unmatched))] >= self.no_theme_below
            new_labels = np.where(close, part.labels + n_codes, -1)
            labels[unmatched] = new_labels
            origin += [-1] * len(part.centres)
        k = len(origin)
        centres = (
            _unit(_centres(z, np.where(labels >= 0, labels, 0), k)) if len(z) else np.zeros((k, 2))
        )
        full = np.zeros((len(z), k), dtype=bool)
        full[:, :n_codes] = assigned
        has = labels >= 0
        full[np.flatnonzero(has), labels[has]] = True
        sims = np.clip(z @ centres.T, 0.0, 1.0) if len(z) else np.zeros((0, k))
        if scores is not None:
            sims[:, :n_codes] = np.asarray(scores)[idx]
        self.origin_ = np.asarray(origin, dtype=np.int64)
        self._store(n, idx, z, centres, labels, sims, full, rng)
        return self

    def _store(
        self,
        n: int,
        idx: np.ndarray,
        z: np.ndarray,
        centres: np.ndarray,
        labels: np.ndarray,
        sims: np.ndarray,
        assigned: np.ndarray,
        rng: np.random.Generator,
    ) -> None:
        """Number themes by size (biggest first), keep the learned attributes, find sub-themes."""
        k = len(centres)
        sizes = np.bincount(labels[labels >= 0], minlength=k)
        first = np.array([np.argmax(labels == j) if sizes[j] else len(labels) for j in range(k)])
        order = np.lexsort((first, -sizes))
        order = order[sizes[order] > 0]
        remap = np.full(k, -1)
        remap[order] = np.arange(len(order))
        labels = np.where(labels >= 0, remap[np.maximum(labels, 0)], -1)
        centres = centres[order]
        self.origin_ = self.origin_[order]
        self.n_themes_ = len(order)
        self.labels_ = np.full(n, -1, dtype=np.int64)
        self.labels_[idx] = labels
        self.sublabels_ = np.full(n, -1, dtype=np.int64)
        scores = np.zeros((n, self.n_themes_))
        scores[idx] = sims[:, order]
        self.scores_ = scores
        full_assigned = np.zeros((n, self.n_themes_), dtype=bool)
        full_assigned[idx] = assigned[:, order]
        self.assigned_ = full_assigned
        self.centres_ = centres
        # Sub-themes inside each theme.
        self.n_subthemes_ = []
        for t in range(self.n_themes_):
            members = np.flatnonzero(labels == t)
            count = self._subtheme_count(len(members))
            if count < 2:
                self.n_subthemes_.append(0)
                continue
            # one sample is enough inside a theme (sub-themes are a finer, secondary view)
            sub = self._partition(z[members], count, rng, runs=1)
            ksub = len(sub.centres)
            ssizes = np.bincount(sub.labels, minlength=ksub)
            sfirst = np.array([np.argmax(sub.labels == j) if ssizes[j] else n for j in range(ksub)])
            sorder = np.lexsort((sfirst, -ssizes))
            sorder = sorder[ssizes[sorder] > 0]
            sremap = np.full(ksub, -1)
            sremap[sorder] = np.arange(len(sorder))
            self.sublabels_[idx[members]] = sremap[sub.labels]
            self.n_subthemes_.append(len(sorder))

    def _subtheme_count(self, size: int) -> int:
        if self.max_subthemes < 2 or size < 16:
            return 0
        return int(min(self.max_subthemes, max(2, round(np.sqrt(size / 12.0)))))
