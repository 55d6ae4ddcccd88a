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

Many surveys ask two questions ("What was good?", "What could we do better?"), and
a short answer means opposite things under each: "Nothing" to the first is a
complaint, to the second praise; "The parking" is praise or a grumble. Given the
question each response answers, :meth:`SentimentModel.question_kinds` reads whether it
asks for praise (``"praise"``), for problems or improvements (``"improve"``) or for
neither or both (``"neutral"``), with rules for the usual wordings and, for the rest,
a classifier on the question's vector trained on questions written for heard
(``heard/data/sentiment/question_kinds.csv``). The network takes the kind as two
extra inputs; it learnt them from (question, answer) examples written for heard
(``heard/data/sentiment/questions.csv``). A neutral question, or none, is read the
way heard reads answers with no question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from heard.errors import InputError, SettingsError
from heard.result import SENTIMENT_LABELS

__all__ = ["DEFAULT_PRIOR", "QUESTION_KINDS", "SentimentModel", "question_kind_by_rules", "rollup"]

#: The share of negative, mixed or neutral and positive responses assumed before
#: reading a text. Feedback on public services is mostly positive (most Friends and
#: Family Test respondents rate their care good), so positive gets 0.6 and the rest is
#: split evenly. It was set by that reasoning, not fitted to any labelled data.
DEFAULT_PRIOR: tuple[float, float, float] = (0.2, 0.2, 0.6)

_NEUTRAL = SENTIMENT_LABELS.index("mixed or neutral")

#: What a survey question asks for: neither or both (``"neutral"``), what was good
#: (``"praise"``), or what went wrong or could be better (``"improve"``).
QUESTION_KINDS: tuple[str, str, str] = ("neutral", "praise", "improve")

#: The classifier on question vectors decides only when it is at least this sure;
#: otherwise the question counts as neutral, which changes nothing.
QUESTION_CONFIDENCE = 0.6

# Rules for the usual wordings. A praise word that is negated or asked about as a
# scale ("least helpful", "didn't go well", "how well") is not a request for praise.
_NEGATED_PRAISE = re.compile(
    r"\b(?:least|not|never|less|n't|no longer)\s+(?:\w+\s+){0,2}?"
    r"(?:good|well|helpful|useful|like|liked|enjoy\w*|happy|pleased|satisfied|right|work(?:ed)?)\b"
    r"|\b(?:like|liked|enjoy(?:ed)?|helpful|useful|good)\s+(?:\w+\s+)?least\b"
)
_SCALE = re.compile(r"\bhow\s+(?:well|good|happy|pleased|satisfied|likely|helpful|useful)\b")
# Words that look like praise or change but are not: "would you like to", "what is it
# like", "the proposed changes".
_NOT_A_CUE = re.compile(
    r"\b(?:would|'d|do|should)\s+(?:you\s+|we\s+)?like(?:\s+to)?\b|\blike to\b"
    r"|\b(?:is|was|it|be|feel)\s+like\b|\b(?:proposed|planned|recent|new|the)\s+changes?\b"
)
_PRAISE = re.compile(
    r"\b(?:good|well|best|great|like|liked|enjoy\w*|pleased|happy|helpful|helped|useful|"
    r"thank\w*|positive|positives|right|keep doing|appreciat\w*|valued|impressed|"
    r"satisfied|praise|compliment\w*|strengths?|excellent|outstanding|stood out|"
    r"highlights?|value|valued|went right|above and beyond)\b"
)
_IMPROVE = re.compile(
    r"\b(?:improve\w*|better|change\w*|differently|wrong|worst|least|disappoint\w*|"
    r"unhappy|dissatisf\w*|problems?|issues?|complain\w*|complaints?|concerns?|"
    r"frustrat\w*|difficult\w*|hard|stop doing|suggest\w*|fix|fixed|easier|"
    r"let you down|letdown|let down|negatives?|poor|bad|annoy\w*|get in the way|"
    r"got in the way|barriers?|missing|lacking|lacked|upset|unhelpful|weakness\w*|badly|"
    r"harder|fall short|fell short|not happy)\b"
)
_WHY = re.compile(r"\bwhy\b|\breasons?\b|\bexplain\b")


def question_kind_by_rules(question: str) -> str | None:
    """The kind of ``question`` from its wording, or ``None`` when the words do not say.

    A question that asks for both ("What went well and what could be better?",
    "anything you were satisfied or dissatisfied with") is ``"neutral"``, and so is
    one that asks only why ("Why did you give that rating?").
    """
    text = " ".join(str(question).casefold().replace("\u2019", "'").split())
    text = text.replace("n't", " n't")
    scale = bool(_SCALE.search(text))
    text = _NOT_A_CUE.sub(" ", _SCALE.sub(" ", text))
    if not text.strip():
        return "neutral"
    negated = bool(_NEGATED_PRAISE.search(text))
    rest = _NEGATED_PRAISE.sub(" ", text)
    # Both kinds of cue ("satisfied and/or dissatisfied"): it asks for both.
    praise = bool(_PRAISE.search(rest))
    improve = negated or bool(_IMPROVE.search(rest))
    if praise and improve:
        return "neutral"
    if praise:
        return "praise"
    if improve:
        return "improve"
    if scale or _WHY.search(text):
        return "neutral"
    return None


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
    embedder:
        A :class:`heard.embed.Embedder` for the vectors of question texts that the
        rules cannot read (see :meth:`question_kinds`); ``None`` makes a default one
        when it is first needed.
    """

    def __init__(
        self,
        weights: str | Path | None = None,
        prior: Sequence[float] | None = None,
        embedder: Any = None,
    ) -> None:
        self.weights = weights
        self.prior = prior
        self.embedder = embedder

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
                inputs = tuple(str(v) for v in data["question_inputs"])
                question_weights = np.asarray(data["question_weights"], dtype=np.float64)
                question_bias = np.asarray(data["question_bias"], dtype=np.float64)
                question_labels = tuple(str(v) for v in data["question_labels"])
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
            or not set(inputs) <= set(QUESTION_KINDS)
            or set(question_labels) != set(QUESTION_KINDS)
            or question_weights.shape
            != (len(question_labels), hidden_weights.shape[1] - len(inputs))
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
        self.question_inputs_ = inputs
        self.question_weights_ = question_weights
        self.question_bias_ = question_bias
        self.question_labels_ = question_labels

    def question_kinds(self, questions: Sequence[object]) -> list[str]:
        """What each question asks for: "praise", "improve" or "neutral" (see :data:`QUESTION_KINDS`).

        Rules read the usual wordings; any other question is embedded and classified,
        and counts as neutral unless the classifier is sure. A missing or empty
        question is neutral. Each distinct question is read once.
        """
        self._load()
        texts = ["" if _missing(q) else " ".join(str(q).split()) for q in questions]
        distinct = sorted(set(texts))
        kinds = {q: question_kind_by_rules(q) for q in distinct}
        unread = [q for q, kind in kinds.items() if kind is None]
        if unread:
            embedder = self.embedder
            if embedder is None:
                from heard.embed import Embedder

                embedder = self.embedder = Embedder()
            proba = self._question_proba(np.asarray(embedder.embed(unread), dtype=np.float64))
            for q, p in zip(unread, proba, strict=True):
                best = int(p.argmax())
                sure = p[best] >= QUESTION_CONFIDENCE
                kinds[q] = self.question_labels_[best] if sure else "neutral"
        return [str(kinds[q]) for q in texts]

    def _question_proba(self, vectors: np.ndarray) -> np.ndarray:
        logits = vectors @ self.question_weights_.T + self.question_bias_
        logits -= logits.max(axis=1, keepdims=True)
        odds = np.exp(logits)
        return odds / odds.sum(axis=1, keepdims=True)

    def predict_proba(self, vectors: np.ndarray, kinds: Sequence[str] | None = None) -> np.ndarray:
        """Probabilities (n, 3) of negative, mixed or neutral and positive.

        ``kinds`` are the kinds of the questions answered (from :meth:`question_kinds`),
        one per vector; ``None`` reads every answer as if no question were known.
        """
        self._load()
        x = np.asarray(vectors, dtype=np.float64)
        dims = self.hidden_weights_.shape[1] - len(self.question_inputs_)
        if x.ndim != 2 or x.shape[1] != dims:
            raise InputError(
                f"Sentiment needs vectors of shape (n, {dims}), got {x.shape}. "
                "Make them with heard.embed.Embedder."
            )
        context = np.zeros((len(x), len(self.question_inputs_)))
        if kinds is not None:
            if len(kinds) != len(x):
                raise InputError(
                    f"Sentiment got {len(kinds)} questions for {len(x)} responses; "
                    "pass one question per response (None where there is none)."
                )
            unknown = sorted({str(k) for k in kinds} - set(QUESTION_KINDS))
            if unknown:
                raise InputError(
                    f"{unknown!r} are not question kinds; use {QUESTION_KINDS} "
                    "(SentimentModel.question_kinds reads them from question texts)."
                )
            for j, name in enumerate(self.question_inputs_):
                context[:, j] = [k == name for k in kinds]
        hidden = np.maximum(
            np.hstack([x, context]) @ self.hidden_weights_.T + self.hidden_bias_, 0.0
        )
        logits = hidden @ self.weights_.T + self.bias_
        logits -= logits.max(axis=1, keepdims=True)
        odds = np.exp(logits)
        return odds / odds.sum(axis=1, keepdims=True)

    def predict(
        self,
        vectors: np.ndarray,
        texts: Sequence[str],
        questions: Sequence[object] | None = None,
    ) -> pd.DataFrame:
        """One row per response: ``sentiment``, ``sentiment_score`` and the three probabilities.

        ``questions`` are the questions the responses answer, one per response (a
        survey's question column; ``None`` or an empty cell where it is not known).
        Without them every answer is read on its own. ``sentiment_score`` is
        p(positive) - p(negative), from -1 to 1. A response with no text is "mixed or
        neutral" with score 0, whatever its vector.
        """
        if len(vectors) != len(texts):
            raise InputError(
                f"Sentiment got {len(vectors)} vectors for {len(texts)} texts; "
                "pass one vector per text, in the same order."
            )
        if questions is not None and len(questions) != len(texts):
            raise InputError(
                f"Sentiment got {len(questions)} questions for {len(texts)} texts; "
                "pass one question per text (None where there is none), in the same order."
            )
        n = len(texts)
        kinds = self.question_kinds(questions) if questions is not None and n else None
        proba = self.predict_proba(vectors, kinds) if n else np.zeros((0, len(SENTIMENT_LABELS)))
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


def _missing(value: object) -> bool:
    """True for None, NaN, NaT and pandas' NA: an empty cell in a question column."""
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    return isinstance(value, float | np.floating) and bool(np.isnan(value))


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
