"""Codebook mode: map responses to codes the user names, and say what fits none.

The user supplies codes (themes), each with a name, a one-line description and
optionally a few example responses. Every response gets the codes it fits (several
when it is about several things), a score per code and a main code, or "fits none";
theme discovery then proposes new themes for the responses that fit none.

How it works, and why (figures: ``benchmarks/codebook_eval.py`` on the NHS v6
framework, 46 codes, 6,656 responses scored; micro-F1 unless said):

* Zero-shot (no examples): a response's score for a code is its cosine similarity to
  the code's description, the best of "description", "name: description" and the name
  (0.38; the description alone 0.37, "name: description" alone 0.26). Letting the
  corpus re-estimate how common each code is, from such weak evidence, made it worse.
* Few-shot (examples): a softmax classifier on the response vector plus TF-IDF word
  features, trained on the examples and the descriptions, then refined on the corpus
  being coded, which is there to use at prediction time: (1) how common each code is
  in this corpus is estimated by EM (Saerens et al., 2002), because examples come in
  about equal numbers per code while real codes are very unequal; (2) the classifier
  is refitted, three rounds, on the responses it is confident about (self-training);
  (3) a second pass re-weights the first classifier by the shares the refined one
  counts, and refits again. With 20 examples per code: 0.64 (one pass 0.62, without
  EM 0.62, without self-training 0.57, without word features 0.60, without clauses
  0.63), against 0.67 for a logistic regression trained on every labelled response.
  All steps are deterministic.
* Several codes: a response also gets every code scoring at least ``RELATIVE`` times
  its best (few-shot) or within ``ZERO_SHOT_MARGIN`` of it (zero-shot), and any code
  that one of its clauses clearly fits on its own ("the wait was long, but the staff
  were kind"): one vector per response blurs the second topic.
* Fits none: a response whose closest description or example is less similar than
  ``min_score`` (cosine) fits no code.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from heard.errors import CodebookError, SettingsError
from heard.result import NO_THEME_LABEL

__all__ = [
    "MAX_CODES",
    "clauses",
    "Codebook",
    "CodebookEntry",
    "CodebookMatch",
    "map_codebook",
]

#: The most codes a codebook may have: beyond this, nobody can read the result.
MAX_CODES = 200
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

_NAME_COLUMNS = ("name", "theme", "code", "category", "label")
_DESCRIPTION_COLUMNS = ("description", "definition", "desc", "meaning")
_EXAMPLE_COLUMNS = ("examples", "example", "quotes", "quote")
_EXAMPLE_SPLIT = re.compile(r"\s+\|\s+|\s*[\r\n]+\s*")
_SUPPORTED = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".json")


class Embedding(Protocol):
    """What :func:`map_codebook` needs from an embedder: unit vectors for short texts."""

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


# -- the codebook -------------------------------------------------------------------


@dataclass
class CodebookEntry:
    """One code: a name, a one-line description, and optional example responses."""

    name: str
    description: str = ""
    examples: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.name = _clean(self.name)
        self.description = _clean(self.description)
        if isinstance(self.examples, str):
            self.examples = _split_examples(self.examples)
        self.examples = [e for e in (_strip(x) for x in self.examples or []) if e]


class Codebook:
    """A checked list of codes.

    Raises :class:`heard.errors.CodebookError` for no codes, more than
    :data:`MAX_CODES`, a code without a name, or two codes with the same name
    (ignoring case and spacing).
    """

    def __init__(self, entries: Iterable[CodebookEntry], name: str | None = None) -> None:
        self.entries: list[CodebookEntry] = list(entries)
        self.name = name
        where = f" in {name}" if name else ""
        if not self.entries:
            raise CodebookError(
                f"The codebook{where} has no codes. Add at least one row with a name and a "
                "one-line description (columns: name, description, optional examples)."
            )
        if len(self.entries) > MAX_CODES:
            raise CodebookError(
                f"The codebook{where} has {len(self.entries)} codes; heard accepts at most "
                f"{MAX_CODES}, because more cannot be read or checked by a person. Merge "
                "related codes, or split the codebook and run heard once per part."
            )
        seen: dict[str, int] = {}
        for number, entry in enumerate(self.entries, start=1):
            if not isinstance(entry, CodebookEntry):
                raise CodebookError(
                    f"Code {number} of the codebook{where} is a {type(entry).__name__}, not a "
                    "CodebookEntry. Build codebooks with Codebook.from_records or from_file."
                )
            if not entry.name:
                raise CodebookError(
                    f"Code {number} of the codebook{where} has no name. Give every code a "
                    "name, or delete the empty row."
                )
            key = entry.name.casefold()
            if key in seen:
                raise CodebookError(
                    f"The codebook{where} has two codes called '{entry.name}' (codes "
                    f"{seen[key]} and {number}). Code names must differ; rename one, or merge "
                    "them into one code."
                )
            seen[key] = number

    # -- views --
    @property
    def names(self) -> list[str]:
        return [e.name for e in self.entries]

    @property
    def has_examples(self) -> bool:
        return any(e.examples for e in self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[CodebookEntry]:
        return iter(self.entries)

    def __repr__(self) -> str:
        n_examples = sum(len(e.examples) for e in self.entries)
        return f"Codebook({len(self)} codes, {n_examples} examples)"

    def to_frame(self) -> pd.DataFrame:
        """One row per code: name, description, examples (joined with " | ")."""
        return pd.DataFrame(
            {
                "name": self.names,
                "description": [e.description for e in self.entries],
                "examples": [" | ".join(e.examples) for e in self.entries],
            }
        )

    # -- building --
    @classmethod
    def from_records(
        cls, records: Iterable[Mapping[str, Any]] | pd.DataFrame, name: str | None = None
    ) -> Codebook:
        """A codebook from rows with a name (or theme, code), description and examples.

        ``examples`` may be a list, or one string with several examples separated by
        " | " or new lines. Rows repeating a name add their examples to that code.
        """
        rows: list[Mapping[str, Any]] = (
            _frame_records(records) if isinstance(records, pd.DataFrame) else list(records)
        )
        where = f" in {name}" if name else ""
        if not rows:
            raise CodebookError(
                f"The codebook{where} has no codes. Add at least one row with a name and a "
                "one-line description (columns: name, description, optional examples)."
            )
        columns: list[str] = []
        for row in rows:
            if not isinstance(row, Mapping):
                raise CodebookError(
                    f"The codebook{where} should be a list of codes, each with a name and a "
                    f"description, but one item is a {type(row).__name__}. Write each code as "
                    '{"name": ..., "description": ..., "examples": [...]}.'
                )
            columns.extend(str(c) for c in row if str(c) not in columns)
        name_col = _find_column(columns, _NAME_COLUMNS)
        if name_col is None:
            found = ", ".join(f"'{c}'" for c in columns) or "none"
            raise CodebookError(
                f"The codebook{where} has no column for the code names (looked for "
                f"{', '.join(_NAME_COLUMNS)}; found {found}). Name the column 'name' and "
                "add a 'description' column."
            )
        desc_col = _find_column(columns, _DESCRIPTION_COLUMNS)
        example_col = _find_column(columns, _EXAMPLE_COLUMNS)
        merged: dict[str, CodebookEntry] = {}
        for number, row in enumerate(rows, start=1):
            code = _clean(row.get(name_col))
            description = _clean(row.get(desc_col)) if desc_col else ""
            examples = _as_examples(row.get(example_col)) if example_col else []
            if not code:
                if not description and not examples:
                    continue  # a blank line
                raise CodebookError(
                    f"Row {number} of the codebook{where} has no name (column '{name_col}'). "
                    "Give every code a name, or delete the row."
                )
            key = code.casefold()
            entry = merged.get(key)
            if entry is None:
                merged[key] = CodebookEntry(code, description, examples)
                continue
            if description and entry.description and description != entry.description:
                raise CodebookError(
                    f"The codebook{where} describes '{code}' twice, differently (row {number}). "
                    "Rows that repeat a name may add examples but must leave the description "
                    "empty or the same; rename one code if they are different codes."
                )
            entry.description = entry.description or description
            entry.examples.extend(e for e in examples if e not in entry.examples)
        return cls(list(merged.values()), name=name)

    @classmethod
    def from_file(cls, path: str | Path, sheet: str | int | None = None) -> Codebook:
        """A codebook from a CSV, TSV, XLSX or JSON file (see :meth:`from_records`).

        JSON may be a list of codes, ``{"codes": [...]}``, or ``{name: description}``
        (or ``{name: {"description": ..., "examples": [...]}}``).
        """
        target = Path(path).expanduser()
        label = target.name
        if not target.exists():
            raise CodebookError(
                f"The codebook file {target} does not exist. Check the path (it is relative "
                "to the folder you run heard from), or leave out --codebook to discover "
                "themes automatically."
            )
        if target.is_dir():
            raise CodebookError(
                f"The codebook {target} is a folder, not a file. Give the path of a CSV, "
                "XLSX or JSON file with a name and a description per code."
            )
        suffix = target.suffix.lower()
        if suffix not in _SUPPORTED:
            raise CodebookError(
                f"heard cannot read the codebook {label}: '{suffix or 'no extension'}' is not "
                "a codebook format. Save it as CSV, XLSX or JSON with the columns name, "
                "description and (optionally) examples."
            )
        try:
            if suffix == ".json":
                records = _json_records(target)
            elif suffix in (".xlsx", ".xlsm"):
                frame = pd.read_excel(target, sheet_name=0 if sheet is None else sheet, dtype=str)
                records = _frame_records(frame)
            else:
                records = _delimited_records(target, "\t" if suffix == ".tsv" else None)
        except CodebookError:
            raise
        except Exception as exc:
            raise CodebookError(
                f"heard could not read the codebook {label} ({type(exc).__name__}: {exc}). "
                "Check that it is a valid, unprotected file of its type; saving it again as "
                "CSV (UTF-8) usually helps."
            ) from exc
        return cls.from_records(records, name=label)


def _clean(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and np.isnan(value):
        return ""
    return " ".join(str(value).split())


def _strip(value: Any) -> str:
    """An example as given (inner spacing kept, so it matches the same response's text)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).strip()


def _split_examples(text: str) -> list[str]:
    return [p for p in (_strip(x) for x in _EXAMPLE_SPLIT.split(text)) if p]


def _as_examples(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [e for e in (_strip(x) for x in value) if e]
    text = "" if isinstance(value, float) and np.isnan(value) else str(value)
    return _split_examples(text)


def _find_column(columns: Sequence[str], wanted: Sequence[str]) -> str | None:
    simple = {re.sub(r"[\s_-]+", "", c).casefold(): c for c in reversed(columns)}
    for name in wanted:
        if name in simple:
            return simple[name]
    return None


def _delimited_records(path: Path, sep: str | None) -> list[Mapping[str, Any]]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        text = raw.decode("latin-1")
    import io

    frame = pd.read_csv(
        io.StringIO(text), sep=sep, engine="python", dtype=str, keep_default_na=False
    )
    return _frame_records(frame)


def _frame_records(frame: pd.DataFrame) -> list[Mapping[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _json_records(path: Path) -> list[Mapping[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CodebookError(
            f"The codebook {path.name} is not valid JSON ({exc}). Write it as a list of "
            '{"name": ..., "description": ..., "examples": [...]} objects.'
        ) from exc
    if isinstance(data, Mapping):
        for key in ("codes", "themes", "entries", "codebook"):
            if isinstance(data.get(key), list):
                return list(data[key])
        records: list[Mapping[str, Any]] = []
        for code, value in data.items():
            if isinstance(value, Mapping):
                records.append({"name": code, **value})
            else:
                records.append({"name": code, "description": value})
        return records
    if isinstance(data, list):
        return data
    raise CodebookError(
        f"The codebook {path.name} holds a single {type(data).__name__}, not a list of codes. "
        'Write it as a list of {"name": ..., "description": ..., "examples": [...]} objects.'
    )


# -- the match ----------------------------------------------------------------------


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


@dataclass
class _Evidence:
    """Embedded descriptions (three phrasings per code) and examples."""

    k: int
    variants: np.ndarray  # (3, k, d)
    example_vectors: np.ndarray  # (m, d)
    example_codes: np.ndarray  # (m,)
    example_texts: list[str]
    description_texts: list[list[str]]  # 3 lists of k phrasings

    @classmethod
    def build(cls, codebook: Codebook, embedder: Embedding) -> _Evidence:
        k = len(codebook)
        phrasings = [
            [e.description or e.name for e in codebook],
            [f"{e.name}: {e.description}" if e.description else e.name for e in codebook],
            [e.name for e in codebook],
        ]
        examples: list[str] = []
        codes: list[int] = []
        for j, entry in enumerate(codebook):
            seen: set[str] = set()
            for example in entry.examples:
                if example.casefold() not in seen:
                    seen.add(example.casefold())
                    examples.append(example)
                    codes.append(j)
        unique = list(dict.fromkeys([t for group in phrasings for t in group] + examples))
        vecs = np.asarray(embedder.embed(unique), dtype=np.float32)
        where = {t: i for i, t in enumerate(unique)}
        variants = np.stack([vecs[[where[t] for t in group]] for group in phrasings])
        example_vectors = (
            vecs[[where[t] for t in examples]]
            if examples
            else np.zeros((0, vecs.shape[1]), np.float32)
        )
        return cls(
            k, variants, example_vectors, np.asarray(codes, dtype=np.int64), examples, phrasings
        )

    def description_similarity(self, x: np.ndarray) -> np.ndarray:
        """(n, k) the best cosine similarity between each response and a code's phrasings."""
        out = x @ self.variants[0].T
        for v in self.variants[1:]:
            np.maximum(out, x @ v.T, out=out)
        return out.astype(np.float64)

    def closest(self, x: np.ndarray, use_examples: bool) -> np.ndarray:
        """(n,) similarity of each response to its closest description (or example)."""
        best = self.description_similarity(x).max(axis=1)
        if use_examples and len(self.example_vectors):
            for start in range(0, len(x), 4096):
                part = x[start : start + 4096] @ self.example_vectors.T
                np.maximum(
                    best[start : start + 4096], part.max(axis=1), out=best[start : start + 4096]
                )
        return best


# -- few-shot -----------------------------------------------------------------------

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
