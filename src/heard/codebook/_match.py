"""Mapping responses to codes: scores, the codes each response gets, and its clauses."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from heard.codebook._book import Codebook
from heard.codebook._evidence import Embedding, _Evidence
from heard.codebook._fewshot import _FewShot
from heard.errors import SettingsError
from heard.result import NO_THEME_LABEL

#: Few-shot: a response also gets each code whose probability is at least this share
#: of its best code's (measured on v6, micro-F1: 0.5 -0.03, 0.6 -0.01, 0.7 -0.004
#: against 0.8; 0.9 and 1.0 the same as 0.8).
RELATIVE = 0.8
#: Zero-shot: a response also gets each code whose similarity is within this of its best.
ZERO_SHOT_MARGIN = 0.02
#: Clauses: a response of several clauses also gets a code that one clause fits with
#: at least this probability (few-shot) or cosine similarity (zero-shot). Measured on
#: v6: +0.007 micro-F1 few-shot, +0.01 zero-shot, +0.01 to 0.03 macro-F1.
CLAUSE_CONFIDENT = 0.7
ZERO_SHOT_CLAUSE = 0.4
#: ... or (zero-shot) at least this similarity, ahead of the clause's next code by
#: ``CLAUSE_GAP`` (a clause plainly about one thing; same F1 on v6).
ZERO_SHOT_CLAUSE_CLEAR = 0.25
CLAUSE_GAP = 0.1
#: Clauses have at least this many words; longer responses than this (characters)
#: are not split (they are better served by passages).
CLAUSE_WORDS = 3
MAX_CLAUSE_TEXT = 1000
#: Clauses are looked at by default for corpora up to this size: each new clause must
#: be embedded, which for a big corpus costs about as much as embedding it again.
MAX_CLAUSE_RESPONSES = 20_000
#: Default "fits none" floors: the least cosine similarity between a response and the
#: closest description (zero-shot) or description or example (few-shot). Unrelated
#: sentences score about 0.0 to 0.17; but paraphrases of a description can score as
#: little as 0.19, so zero-shot keeps a lower floor. On v6 (every response has a code)
#: zero-shot leaves 0.0% fitting none at 0.15 (1.2% at 0.2, 4.9% at 0.25; micro-F1
#: 0.380, 0.383, 0.386), few-shot 0.0% at 0.25 (0.2% at 0.3).
ZERO_SHOT_FLOOR = 0.15
FEW_SHOT_FLOOR = 0.25


@dataclass
class CodebookMatch:
    """How every response fits the codes of a codebook.

    Attributes
    ----------
    names:
        The code names, in codebook order (column ``j`` of the arrays below).
    scores:
        ``(n, k)`` in 0..1: how well each response fits each code. Zero-shot, the cosine
        similarity to the code's description; few-shot, the classifier's probability.
        Where a clause of the response gave it a code, its score is the clause's.
    assigned:
        ``(n, k)`` bool: the codes each response is given (several when it is about
        several things; none when it fits none).
    primary:
        ``(n,)`` int: the main code of each response, -1 when it fits none.
    similarity:
        ``(n,)`` the cosine similarity of each response to its closest description or
        example, the figure compared with ``min_score``.
    method:
        "zero-shot" or "few-shot".
    shares:
        ``(k,)`` the share of responses whose best code each code is, before the
        "fits none" floor (few-shot: as estimated on this corpus).
    """

    names: list[str]
    scores: np.ndarray
    assigned: np.ndarray
    primary: np.ndarray
    similarity: np.ndarray
    method: str
    min_score: float
    shares: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def none_mask(self) -> np.ndarray:
        """``(n,)`` bool: the responses that fit no code."""
        return np.asarray(self.primary < 0)

    @property
    def n_none(self) -> int:
        return int(self.none_mask.sum())

    def counts(self) -> pd.DataFrame:
        """Per code: ``primary`` (responses whose main code it is) and ``mentions``."""
        k = len(self.names)
        primary = np.bincount(self.primary[self.primary >= 0], minlength=k)
        return pd.DataFrame(
            {"code": self.names, "primary": primary, "mentions": self.assigned.sum(axis=0)}
        )

    def to_frame(self, response_ids: Sequence[Any] | None = None) -> pd.DataFrame:
        """One row per (response, code given): ``response_id``, ``code``, ``code_index``,
        ``score``, ``primary``; main code first. A response that fits none has one row,
        code "No clear theme", code index -1 and its best score."""
        n = len(self.primary)
        ids = list(range(n)) if response_ids is None else list(response_ids)
        if len(ids) != n:
            raise ValueError(f"{len(ids)} response ids for {n} responses")
        rows, cols = np.nonzero(self.assigned)
        none = np.flatnonzero(self.none_mask)
        best = self.scores.max(axis=1) if self.scores.size else np.zeros(n)
        frame = pd.DataFrame(
            {
                "row": np.concatenate([rows, none]),
                "code_index": np.concatenate([cols, np.full(len(none), -1)]).astype(int),
                "score": np.concatenate([self.scores[rows, cols], best[none]]),
            }
        )
        frame["primary"] = (frame["code_index"] == self.primary[frame["row"]]) | (
            frame["code_index"] < 0
        )
        frame = frame.sort_values(
            ["row", "primary", "score"], ascending=[True, False, False], kind="stable"
        )
        names = np.array([*self.names, NO_THEME_LABEL], dtype=object)  # index -1: none
        frame.insert(0, "response_id", [ids[i] for i in frame["row"]])
        frame.insert(2, "code", names[frame["code_index"].to_numpy()])
        return frame.drop(columns=["row"]).reset_index(drop=True)


# -- mapping ------------------------------------------------------------------------


def map_codebook(
    codebook: Codebook,
    vectors: np.ndarray,
    texts: Sequence[str],
    embedder: Embedding,
    random_state: int = 0,
    min_score: float | None = None,
    split_clauses: bool | None = None,
) -> CodebookMatch:
    """Map responses to the codes of ``codebook`` (several codes per response allowed).

    ``vectors`` are the responses' unit-length embeddings (row ``i`` for ``texts[i]``);
    ``embedder`` embeds the names, descriptions and examples. ``min_score`` is the least
    cosine similarity between a response and the closest description or example for the
    response to fit any code (default :data:`ZERO_SHOT_FLOOR` without examples,
    :data:`FEW_SHOT_FLOOR` with). With ``split_clauses``, a response of several clauses
    ("the wait was long, but the staff were kind") also gets the code that one of its
    clauses clearly fits on its own (the clauses are embedded too, once, then cached);
    the default (None) does so for up to :data:`MAX_CLAUSE_RESPONSES` responses.
    The same inputs and ``random_state`` give the same result.
    """
    x = np.asarray(vectors, dtype=np.float32)
    n = len(x)
    if x.ndim != 2 or len(texts) != n:
        raise ValueError(f"vectors {x.shape} and {len(texts)} texts do not line up")
    if min_score is not None and not -1.0 <= float(min_score) <= 1.0:
        raise SettingsError(
            f"min_score is {min_score}, but it is a cosine similarity between -1 and 1. "
            f"Try {FEW_SHOT_FLOOR} (lower keeps more responses in the codes)."
        )
    evidence = _Evidence.build(codebook, embedder)
    few_shot = codebook.has_examples
    floor = float(
        min_score if min_score is not None else (FEW_SHOT_FLOOR if few_shot else ZERO_SHOT_FLOOR)
    )
    k = len(codebook)
    if n == 0:
        empty = np.zeros((0, k))
        return CodebookMatch(
            codebook.names,
            empty,
            empty.astype(bool),
            np.zeros(0, dtype=np.int64),
            np.zeros(0),
            "few-shot" if few_shot else "zero-shot",
            floor,
            np.zeros(k),
        )
    similarity = evidence.closest(x, use_examples=few_shot)
    text_list = [str(t) for t in texts]
    fits = (similarity >= floor) & np.array([bool(t.strip()) for t in text_list])
    few: _FewShot | None = None
    if few_shot:
        few = _FewShot(evidence, random_state).fit(x, text_list, fits)
        scores, shares = few.proba_, few.shares_
    else:
        scores = np.clip(evidence.description_similarity(x), 0.0, 1.0)
        shares = np.bincount(scores.argmax(axis=1), minlength=k) / n
    assigned, primary = _decode(scores, fits, few_shot)
    if split_clauses or (split_clauses is None and n <= MAX_CLAUSE_RESPONSES):
        _add_clause_codes(scores, assigned, fits, text_list, embedder, evidence, few, floor)
    return CodebookMatch(
        names=codebook.names,
        scores=scores,
        assigned=assigned,
        primary=primary,
        similarity=similarity,
        method="few-shot" if few_shot else "zero-shot",
        min_score=floor,
        shares=shares,
    )


def _decode(scores: np.ndarray, fits: np.ndarray, few_shot: bool) -> tuple[np.ndarray, np.ndarray]:
    """Main code = the best; also the codes close to it; nothing for a response below the floor."""
    best = scores.max(axis=1, keepdims=True)
    primary = np.where(fits, scores.argmax(axis=1), -1).astype(np.int64)
    close = scores >= (RELATIVE * best if few_shot else best - ZERO_SHOT_MARGIN)
    assigned = close & (scores > 0) & fits[:, None]
    rows = np.flatnonzero(primary >= 0)
    assigned[rows, primary[rows]] = True
    return assigned, primary


_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\s*\n+\s*")
_CLAUSE = re.compile(
    r",?\s+(?:but|and|although|though|however|whereas|also|plus)\s+|,\s+|\s+-+\s+",
    re.IGNORECASE,
)


def clauses(text: str) -> list[str]:
    """The clauses of a response: its sentences, cut again at commas and at "and",
    "but", "although" and the like; a piece shorter than three words joins the one
    before it, and pieces still shorter are dropped."""
    out: list[str] = []
    for sentence in _SENTENCE.split(text):
        pieces: list[str] = []
        for piece in _CLAUSE.split(sentence):
            piece = piece.strip()
            if not piece:
                continue
            if len(piece.split()) < CLAUSE_WORDS and pieces:
                pieces[-1] = f"{pieces[-1]} {piece}"
            else:
                pieces.append(piece)
        out.extend(p for p in pieces if len(p.split()) >= CLAUSE_WORDS)
    return out


def _add_clause_codes(
    scores: np.ndarray,
    assigned: np.ndarray,
    fits: np.ndarray,
    texts: list[str],
    embedder: Embedding,
    evidence: _Evidence,
    few: _FewShot | None,
    floor: float,
) -> None:
    """Give each response (in place) the codes its clauses clearly fit on their own."""
    owners: list[int] = []
    parts: list[str] = []
    for i in np.flatnonzero(fits):
        text = texts[i]
        if len(text) > MAX_CLAUSE_TEXT:
            continue
        found = clauses(text)
        if len(found) >= 2:
            owners.extend([int(i)] * len(found))
            parts.extend(found)
    if not parts:
        return
    vectors = np.asarray(embedder.embed(parts), dtype=np.float32)
    owner = np.asarray(owners, dtype=np.int64)
    if few is not None:
        part_scores = few.predict(vectors, parts)
        ok = (part_scores.max(axis=1) >= CLAUSE_CONFIDENT) & (
            evidence.closest(vectors, use_examples=True) >= floor
        )
    else:
        part_scores = np.clip(evidence.description_similarity(vectors), 0.0, 1.0)
        ranked = np.sort(part_scores, axis=1)
        best = ranked[:, -1]
        gap = best - ranked[:, -2] if part_scores.shape[1] > 1 else best
        ok = (best >= ZERO_SHOT_CLAUSE) | ((best >= ZERO_SHOT_CLAUSE_CLEAR) & (gap >= CLAUSE_GAP))
    codes = part_scores.argmax(axis=1)
    rows, cols = owner[ok], codes[ok]
    assigned[rows, cols] = True
    np.maximum.at(scores, (rows, cols), part_scores[ok, cols])
