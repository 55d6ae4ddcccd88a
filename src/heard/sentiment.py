"""Sentiment of each response (negative, mixed or neutral, positive), and its roll-up.

The classifier is a small neural network (one hidden layer) on the MiniLM sentence
vectors that :class:`heard.embed.Embedder` makes. Its weights ship in
``heard/models/sentiment.npz``; they were trained by ``scripts/train_sentiment.py``
on a few thousand short feedback examples written for heard in the voice of NHS,
council and school feedback (``heard/data/sentiment/examples.csv``). No real
feedback was used to train it. Prediction is two matrix multiplies.

General-purpose sentiment lexicons do badly on this kind of feedback: "Nothing"
answering "what could we do better?" is praise, "Answer the phone quicker" is a
complaint, and "Lovely nurses but a four-hour wait" is mixed. The examples teach
those habits of Friends and Family Test answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from heard.errors import InputError, SettingsError
from heard.result import SENTIMENT_LABELS

__all__ = ["DEFAULT_PRIOR", "SentimentModel", "rollup"]

#: The share of negative, mixed or neutral and positive responses assumed before
#: reading a text. Feedback on public services is mostly positive (most Friends and
#: Family Test respondents rate their care good), so positive gets 0.6 and the rest is
#: split evenly. It was set by that reasoning, not fitted to any labelled data.
DEFAULT_PRIOR: tuple[float, float, float] = (0.2, 0.2, 0.6)

_NEUTRAL = SENTIMENT_LABELS.index("mixed or neutral")


def _default_weights() -> Path:
    return Path(str(resources.files("heard") / "models" / "sentiment.npz"))


class SentimentModel:
    """Classifies responses as negative, mixed or neutral, or positive, from their vectors.

    Parameters
    ----------
    weights:
        A ``.npz`` file written by ``scripts/train_sentiment.py``; ``None`` uses the
        weights that ship with heard.
    prior:
        Expected shares of (negative, mixed or neutral, positive) in the data, used
        to adjust the classifier's odds. ``None`` uses :data:`DEFAULT_PRIOR`; pass
        ``(1/3, 1/3, 1/3)`` for no adjustment, or a larger negative share for a set of
        complaints.
    """

    def __init__(
        self,
        weights: str | Path | None = None,
        prior: Sequence[float] | None = None,
    ) -> None:
        self.weights = weights
        self.prior = prior

    def _load(self) -> None:
        if hasattr(self, "weights_"):
            return
        path = Path(self.weights) if self.weights is not None else _default_weights()
        try:
            with np.load(path, allow_pickle=False) as data:
                hidden_weights = np.asarray(data["hidden_weights"], dtype=np.float64)
                hidden_bias = np.asarray(data["hidden_bias"], dtype=np.float64)
                weights = np.asarray(data["weights"], dtype=np.float64)
                bias = np.asarray(data["bias"], dtype=np.float64)
                train_prior = np.asarray(data["train_prior"], dtype=np.float64)
                labels = tuple(str(v) for v in data["labels"])
        except (OSError, KeyError, ValueError) as exc:
            raise SettingsError(
                f"heard could not read sentiment weights from {path} ({exc}). "
                "Pass a file written by scripts/train_sentiment.py, or leave weights unset "
                "to use the ones that ship with heard."
            ) from exc
        if (
            labels != SENTIMENT_LABELS
            or weights.shape != (len(SENTIMENT_LABELS), hidden_weights.shape[0])
            or hidden_bias.shape != (hidden_weights.shape[0],)
        ):
            raise SettingsError(
                f"The sentiment weights in {path} are for the classes {labels} or have "
                f"mismatched shapes; heard needs {SENTIMENT_LABELS}. "
                "Retrain them with scripts/train_sentiment.py."
            )
        prior = np.asarray(
            self.prior if self.prior is not None else DEFAULT_PRIOR, dtype=np.float64
        )
        if prior.shape != (len(SENTIMENT_LABELS),) or np.any(prior <= 0):
            raise SettingsError(
                f"The sentiment prior must be three positive numbers (negative, mixed or "
                f"neutral, positive), not {self.prior!r}. Try (0.2, 0.2, 0.6)."
            )
        prior = prior / prior.sum()
        self.hidden_weights_ = hidden_weights
        self.hidden_bias_ = hidden_bias
        self.weights_ = weights
        self.bias_ = bias + np.log(prior) - np.log(train_prior)
        self.labels_ = labels

    def predict_proba(self, vectors: np.ndarray) -> np.ndarray:
        """Probabilities (n, 3) of negative, mixed or neutral and positive."""
        self._load()
        x = np.asarray(vectors, dtype=np.float64)
        dims = self.hidden_weights_.shape[1]
        if x.ndim != 2 or x.shape[1] != dims:
            raise InputError(
                f"Sentiment needs vectors of shape (n, {dims}), got {x.shape}. "
                "Make them with heard.embed.Embedder."
            )
        hidden = np.maximum(x @ self.hidden_weights_.T + self.hidden_bias_, 0.0)
        logits = hidden @ self.weights_.T + self.bias_
        logits -= logits.max(axis=1, keepdims=True)
        odds = np.exp(logits)
        return odds / odds.sum(axis=1, keepdims=True)

    def predict(self, vectors: np.ndarray, texts: Sequence[str]) -> pd.DataFrame:
        """One row per response: ``sentiment``, ``sentiment_score`` and the three probabilities.

        ``sentiment_score`` is p(positive) - p(negative), from -1 to 1. A response with
        no text is "mixed or neutral" with score 0, whatever its vector.
        """
        if len(vectors) != len(texts):
            raise InputError(
                f"Sentiment got {len(vectors)} vectors for {len(texts)} texts; "
                "pass one vector per text, in the same order."
            )
        n = len(texts)
        proba = self.predict_proba(vectors) if n else np.zeros((0, len(SENTIMENT_LABELS)))
        empty = np.array([not (isinstance(t, str) and t.strip()) for t in texts], dtype=bool)
        if empty.any():
            proba[empty] = 0.0
            proba[empty, _NEUTRAL] = 1.0
        best = proba.argmax(axis=1) if n else np.zeros(0, dtype=int)
        return pd.DataFrame(
            {
                "sentiment": pd.Series([SENTIMENT_LABELS[i] for i in best], dtype=object),
                "sentiment_score": proba[:, 2] - proba[:, 0],
                "p_negative": proba[:, 0],
                "p_mixed": proba[:, 1],
                "p_positive": proba[:, 2],
            }
        )


def rollup(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Sentiment per value of ``column`` (a segment, or ``theme``).

    Returns one row per value, missing values included: ``column``, ``n``, the share
    of each class in :data:`heard.result.SENTIMENT_LABELS` (summing to 1) and the mean
    ``sentiment_score``. Rows are in order of the values.
    """
    missing = [c for c in (column, "sentiment", "sentiment_score") if c not in frame.columns]
    if missing:
        raise InputError(
            f"Cannot roll up sentiment: the table has no column {missing[0]!r}. "
            "Add the output of SentimentModel.predict to it first, and check the column name."
        )
    unknown = {str(v) for v in frame["sentiment"].unique() if v not in SENTIMENT_LABELS}
    if unknown:
        raise InputError(
            f"Cannot roll up sentiment: {sorted(unknown)!r} are not sentiment classes. "
            f"Use the output of SentimentModel.predict, whose classes are {SENTIMENT_LABELS}."
        )
    onehot = pd.DataFrame(
        {label: (frame["sentiment"] == label).to_numpy(dtype=float) for label in SENTIMENT_LABELS}
    )
    onehot["sentiment_score"] = frame["sentiment_score"].to_numpy(dtype=float)
    onehot["_key"] = frame[column].to_numpy()
    grouped = onehot.groupby("_key", dropna=False, sort=True)
    out = grouped[[*SENTIMENT_LABELS, "sentiment_score"]].mean()
    out.insert(0, "n", grouped.size())
    out = out.rename_axis(column).reset_index()
    return out[[column, "n", *SENTIMENT_LABELS, "sentiment_score"]]
