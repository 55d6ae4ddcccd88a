"""The few-shot classifier: trained on the examples and descriptions, refined on the corpus.

A softmax classifier on the response vector plus TF-IDF word features; how common each
code is in the corpus is estimated by EM, then the classifier is refitted on the responses
it is confident about (see :mod:`heard.codebook` for the figures).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from heard.codebook._evidence import _Evidence

#: Weight of one example (and one description phrasing) against one confident response.
EXAMPLE_WEIGHT = 3.0
#: Inverse L2 penalty of the classifier (as scikit-learn's ``C``), first fit and refits.
C_EXAMPLES = 10.0
C_REFIT = 3.0
#: Self-training: passes (each re-estimates the codes' shares, then refits), rounds
#: per pass, the least probability for a response to be used, and the most responses
#: used per round (sampled with ``random_state`` beyond that).
PASSES = 2
PASS_ROWS = 20
PASS_EXAMPLES = 15
ROUNDS = 3
CONFIDENT = 0.6
#: Strength of the pull of the estimated code shares towards equal shares, in
#: pseudo-responses per code.
PRIOR_ROWS = 5.0
#: The most responses used to estimate the codes' shares (a seeded sample beyond).
EM_ROWS = 20_000
MAX_REFIT_ROWS = 3000
#: Optimiser iterations for the first fit and for each (warm-started) refit (measured:
#: 200 and 60 give the same F1; 30 for the refits +0.001 micro-F1 for 20% more time).
MAX_ITER = 60
REFIT_ITER = 20
LBFGS_MEMORY = 3
#: Word features: weight of the TF-IDF block beside the unit-length vector, and the
#: most words and word pairs kept (the most frequent).
WORD_WEIGHT = 1.0
MAX_WORDS = 3000


class _FewShot:
    """The few-shot classifier: trained on examples and descriptions, refined on the corpus."""

    def __init__(self, evidence: _Evidence, random_state: int) -> None:
        self.evidence = evidence
        self.random_state = random_state

    def fit(self, x: np.ndarray, texts: list[str], fits: np.ndarray) -> _FewShot:
        """Fit on the corpus ``x`` / ``texts``; only the responses that ``fit`` (close
        enough to some description or example) take part in estimating the codes'
        shares and in the refits. Sets ``proba_`` (n, k) and ``shares_`` (k,)."""
        from scipy import sparse

        evidence = self.evidence
        k = evidence.k
        rng = np.random.default_rng(self.random_state)
        self.words_, words = _word_vectorizer(texts, evidence)
        n, m = len(texts), len(evidence.example_texts)
        corpus = _Features(np.asarray(x, dtype=np.float32), words[:n])
        # Training rows: every example, and two phrasings of each description.
        labelled = _Features(
            np.vstack([evidence.example_vectors, evidence.variants[0], evidence.variants[1]]),
            sparse.vstack([words[n : n + m], words[n + m :], words[n + m :]]).tocsr(),
        )
        lab_y = np.concatenate([evidence.example_codes, np.arange(k), np.arange(k)])
        targets = np.eye(k)[lab_y]
        weights = np.full(len(lab_y), EXAMPLE_WEIGHT)
        model = _Softmax(k, C_EXAMPLES).fit(labelled, targets, weights)
        first = model.predict(corpus)
        train_prior = targets.sum(axis=0) / len(lab_y)
        proba = first.copy()
        shares: np.ndarray | None = None
        # Counted shares mean something only with enough responses per code, and only
        # from a classifier with enough examples (measured on v6: a second pass gains
        # 0.015 micro-F1 with 20 examples per code, nothing with 10, loses 0.03 with 5).
        per_code = np.bincount(evidence.example_codes, minlength=k)
        enough = fits.sum() >= PASS_ROWS * k and np.median(per_code) >= PASS_EXAMPLES
        passes = PASSES if enough else 1
        for _ in range(passes):
            # The codes' shares in this corpus: by EM at first, then as counted by the
            # refined classifier (measured: better, mostly where EM went wrong).
            if fits.any():
                if shares is None:
                    proba[fits], _ = _adjust_priors(first[fits], train_prior, rng)
                else:
                    proba[fits] = _reweight(first[fits], shares / train_prior)
            for _ in range(ROUNDS):
                confidence = proba.max(axis=1)
                rows = np.flatnonzero((confidence >= CONFIDENT) & fits)
                if len(rows) < k:
                    break
                if len(rows) > MAX_REFIT_ROWS:
                    rows = np.sort(rng.choice(rows, MAX_REFIT_ROWS, replace=False))
                model = _Softmax(k, C_REFIT, REFIT_ITER).fit(
                    _Features.stack(labelled, corpus.take(rows)),
                    np.vstack([targets, np.eye(k)[proba[rows].argmax(axis=1)]]),
                    np.concatenate([weights, confidence[rows]]),
                    start=model,
                )
                proba = model.predict(corpus)
            counts = np.bincount(proba[fits].argmax(axis=1), minlength=k)
            pseudo = PRIOR_ROWS * k * train_prior
            shares = (counts + pseudo) / (counts.sum() + pseudo.sum())
        self.model_ = model
        self.proba_ = proba
        self.shares_ = np.bincount(proba.argmax(axis=1), minlength=k) / max(len(proba), 1)
        return self

    def predict(self, x: np.ndarray, texts: list[str]) -> np.ndarray:
        """(n, k) probabilities for other texts (clauses) with vectors ``x``."""
        words = self.words_.transform(texts).tocsr() * WORD_WEIGHT
        return self.model_.predict(_Features(np.asarray(x, dtype=np.float32), words))


def _reweight(proba: np.ndarray, factor: np.ndarray) -> np.ndarray:
    adjusted = proba * factor
    adjusted /= adjusted.sum(axis=1, keepdims=True)
    return np.asarray(adjusted)


def _adjust_priors(
    proba: np.ndarray, train_prior: np.ndarray, rng: np.random.Generator, iterations: int = 200
) -> tuple[np.ndarray, np.ndarray]:
    """Re-weight class probabilities to the class shares of this corpus, estimated by EM.

    The estimate starts from, and is pulled towards, the shares in the training rows by
    ``PRIOR_ROWS`` pseudo-responses per code, so that a small corpus cannot run away to
    one code. Beyond ``EM_ROWS`` responses, a sample of that many estimates the shares.
    """
    ratio = proba / np.maximum(train_prior, 1e-12)
    sample = ratio
    if len(ratio) > EM_ROWS:
        sample = ratio[np.sort(rng.choice(len(ratio), EM_ROWS, replace=False))]
    prior = train_prior.copy()
    pseudo = PRIOR_ROWS * len(train_prior) * train_prior
    for _ in range(iterations):
        adjusted = sample * prior
        adjusted /= adjusted.sum(axis=1, keepdims=True)
        new = (adjusted.sum(axis=0) + pseudo) / (len(adjusted) + pseudo.sum())
        converged = np.abs(new - prior).max() < 1e-6
        prior = new
        if converged:
            break
    return _reweight(ratio, prior), prior


def _word_vectorizer(texts: list[str], evidence: _Evidence) -> tuple[Any, Any]:
    """TF-IDF of words and word pairs, fitted on the corpus, examples and descriptions;
    returns the vectorizer and the matrix of those texts, in that order."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    everything = texts + evidence.example_texts + evidence.description_texts[1]
    vectorizer = TfidfVectorizer(
        sublinear_tf=True, min_df=2, ngram_range=(1, 2), max_features=MAX_WORDS, dtype=np.float32
    )
    try:
        matrix = vectorizer.fit_transform(everything)
    except ValueError:  # no word appears twice: no word features worth having
        vectorizer = TfidfVectorizer(min_df=1, dtype=np.float32)
        matrix = vectorizer.fit_transform([*everything, "heard"])[: len(everything)]
    return vectorizer, matrix.tocsr() * WORD_WEIGHT


@dataclass
class _Features:
    dense: np.ndarray
    sparse: Any

    def __len__(self) -> int:
        return len(self.dense)

    def take(self, rows: np.ndarray) -> _Features:
        return _Features(self.dense[rows], self.sparse[rows])

    @staticmethod
    def stack(a: _Features, b: _Features) -> _Features:
        from scipy import sparse

        return _Features(np.vstack([a.dense, b.dense]), sparse.vstack([a.sparse, b.sparse]).tocsr())


class _Softmax:
    """Multinomial logistic regression with soft targets, sample weights and warm starts."""

    def __init__(self, k: int, c: float, max_iter: int = MAX_ITER) -> None:
        self.k = k
        self.c = c
        self.max_iter = max_iter
        self.theta_: np.ndarray | None = None
        self.shape_: tuple[int, int] = (0, 0)

    def _unpack(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        d, s = self.shape_
        k = self.k
        wd = theta[: k * d].reshape(k, d)
        ws = theta[k * d : k * (d + s)].reshape(k, s)
        return wd, ws, theta[k * (d + s) :]

    def fit(
        self, x: _Features, targets: np.ndarray, weights: np.ndarray, start: _Softmax | None = None
    ) -> _Softmax:
        self.shape_ = (x.dense.shape[1], x.sparse.shape[1])
        k = self.k
        dense = np.ascontiguousarray(x.dense, dtype=np.float32)
        words = x.sparse.astype(np.float32)
        wt = (targets * weights[:, None]).astype(np.float32)
        total = wt.sum(axis=1, keepdims=True, dtype=np.float64).astype(np.float32)
        penalty = 0.5 / self.c

        def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
            wd, ws, b = self._unpack(theta)
            z = dense @ wd.astype(np.float32).T
            z += words @ ws.astype(np.float32).T
            z += b.astype(np.float32)
            top = z.max(axis=1, keepdims=True)
            z -= top
            e = np.exp(z)
            norm = e.sum(axis=1, keepdims=True)
            # -sum(wt * log p) = sum(total * logsumexp) - sum(wt * z), with z shifted by top
            value = float(
                np.dot(total[:, 0].astype(np.float64), np.log(norm[:, 0], dtype=np.float64))
                - np.sum(wt * z, dtype=np.float64)
            )
            value += penalty * (float(np.vdot(wd, wd)) + float(np.vdot(ws, ws)))
            e *= total / norm
            e -= wt  # the gradient of the loss with respect to z
            gd = (e.T @ dense).astype(np.float64) + 2 * penalty * wd
            gs = np.asarray((words.T @ e).T, dtype=np.float64) + 2 * penalty * ws
            return value, np.concatenate([gd.ravel(), gs.ravel(), e.sum(axis=0, dtype=np.float64)])

        size = k * (self.shape_[0] + self.shape_[1] + 1)
        theta0 = (
            start.theta_
            if start is not None and start.theta_ is not None and len(start.theta_) == size
            else np.zeros(size)
        )
        self.theta_ = _lbfgs(loss, theta0, self.max_iter)
        return self

    def predict(self, x: _Features) -> np.ndarray:
        from scipy.special import softmax

        assert self.theta_ is not None
        wd, ws, b = self._unpack(self.theta_)
        z = x.dense @ wd.astype(np.float32).T + x.sparse @ ws.astype(np.float32).T
        return np.asarray(softmax(z.astype(np.float64) + b, axis=1))


def _lbfgs(
    fun: Any, x0: np.ndarray, max_iter: int, memory: int = LBFGS_MEMORY, tol: float = 1e-5
) -> np.ndarray:
    """Minimise a smooth convex ``fun(x) -> (value, gradient)`` by L-BFGS.

    A plain two-loop L-BFGS with a backtracking (Armijo) line search: with a million
    parameters, SciPy's L-BFGS-B spends more time in its own bookkeeping than in ``fun``.
    """
    x = x0.copy()
    value, grad = fun(x)
    steps: list[np.ndarray] = []
    changes: list[np.ndarray] = []
    for _ in range(max_iter):
        if np.abs(grad).max() < tol:
            break
        q = grad.copy()
        alphas = []
        for s, y in zip(reversed(steps), reversed(changes), strict=True):
            a = s.dot(q) / y.dot(s)
            alphas.append(a)
            q -= a * y
        if steps:
            q *= steps[-1].dot(changes[-1]) / changes[-1].dot(changes[-1])
        else:
            q /= max(1.0, float(np.linalg.norm(grad)))
        for s, y, a in zip(steps, changes, reversed(alphas), strict=True):
            q += s * (a - y.dot(q) / y.dot(s))
        direction = -q
        slope = grad.dot(direction)
        if slope >= 0:  # not a descent direction: start again from the gradient
            steps.clear()
            changes.clear()
            direction = -grad / max(1.0, float(np.linalg.norm(grad)))
            slope = grad.dot(direction)
        t = 1.0
        while True:
            candidate = x + t * direction
            new_value, new_grad = fun(candidate)
            if new_value <= value + 1e-4 * t * slope or t < 1e-8:
                break
            t *= 0.5
        s_new = candidate - x
        y_new = new_grad - grad
        if s_new.dot(y_new) > 1e-10:
            steps.append(s_new)
            changes.append(y_new)
            if len(steps) > memory:
                steps.pop(0)
                changes.pop(0)
        x, value, grad = candidate, new_value, new_grad
    return x
