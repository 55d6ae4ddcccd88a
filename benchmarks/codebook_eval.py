"""Codebook mode on the NHS v6 framework data: zero-shot, 20-shot, and a supervised baseline.

Data: ``v6framework_230831.csv`` (pxtextmining), read from ``--data-dir``; never copied.
Text column ``FFT answer``; the 50 one-hot category columns after ``Comment sentiment``
(blank = 0). Rows with text and at least one label are used. Four categories have no
positive row at all; they are left out of the codebook and of every score.

* Zero-shot: heard's codebook mode with the category names and the one-line
  descriptions written for this benchmark (``v6_codebook.csv``), no examples; scored on
  every labelled row.
* 20-shot: the same codebook plus 20 example responses per category, sampled with a
  seed from the labelled rows (rarest category first, each row used once; a category
  with fewer than 40 rows gives half of them, so that some are left to score: Parking
  and Learning organisation have one row each and so get none). The examples' rows are
  removed and heard codes all the other labelled rows; repeated for each seed.
* Baseline: one-vs-rest logistic regression (scikit-learn defaults, C=1) on the same
  embeddings, 5-fold cross-validated predictions (``cross_val_predict``) on all labelled
  rows, decoded two ways: probability >= 0.5, and "at least the top label" (the top
  label plus any other >= 0.5). heard is compared with the stronger, both on all rows
  and on the very rows heard was scored on (these exclude the 20-shot examples, which
  are mostly from rare categories, so they are easier: the fairer comparison).

Micro and macro F1 are scikit-learn's, on the multi-label indicator matrices.

Run: ``HEARD_CACHE_DIR=.heard-cache python benchmarks/codebook_eval.py``
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

DATA_FILE = "v6framework_230831.csv"
DEFAULT_DATA_DIR = Path("/work/shared/data/nhs-patient-feedback")
CODEBOOK_FILE = Path(__file__).resolve().with_name("v6_codebook.csv")
TEXT_COLUMN = "FFT answer"
LAST_COLUMN_BEFORE_CATEGORIES = "Comment sentiment"
SHOTS = 20


def load(data_dir: Path) -> tuple[list[str], np.ndarray, list[str], list[str]]:
    """Texts, the label matrix, the categories scored, and those left out (no positives)."""
    frame = pd.read_csv(Path(data_dir) / DATA_FILE)
    start = list(frame.columns).index(LAST_COLUMN_BEFORE_CATEGORIES) + 1
    categories = list(frame.columns[start:])
    labels = frame[categories].fillna(0).astype(float).to_numpy() > 0
    texts = frame[TEXT_COLUMN].fillna("").astype(str).str.strip()
    keep = (texts != "").to_numpy() & labels.any(axis=1)
    labels = labels[keep]
    scored = [c for c, n in zip(categories, labels.sum(axis=0), strict=True) if n > 0]
    excluded = [c for c in categories if c not in scored]
    columns = [categories.index(c) for c in scored]
    return list(texts[keep]), labels[:, columns], scored, excluded


def sample_examples(
    labels: np.ndarray, seed: int, shots: int = SHOTS
) -> tuple[dict[int, np.ndarray], np.ndarray]:
    """Example rows per category (rarest first, each row once) and the rows left to score."""
    rng = np.random.default_rng(seed)
    used = np.zeros(len(labels), dtype=bool)
    examples: dict[int, np.ndarray] = {}
    counts = labels.sum(axis=0)
    for j in np.argsort(counts, kind="stable"):
        want = min(shots, int(counts[j]) // 2)
        free = np.flatnonzero(labels[:, j] & ~used)
        pick = np.sort(rng.choice(free, min(want, len(free)), replace=False)) if want else free[:0]
        used[pick] = True
        examples[int(j)] = pick
    return examples, np.flatnonzero(~used)


def _f1(truth: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import f1_score

    return {
        "micro_f1": float(f1_score(truth, predicted, average="micro", zero_division=0)),
        "macro_f1": float(f1_score(truth, predicted, average="macro", zero_division=0)),
    }


def _codebook(
    categories: list[str], texts: list[str], examples: dict[int, np.ndarray] | None
) -> Any:
    from heard.codebook import Codebook, CodebookEntry

    described = pd.read_csv(CODEBOOK_FILE).set_index("name")["description"].to_dict()
    missing = [c for c in categories if c not in described]
    if missing:
        raise KeyError(f"{CODEBOOK_FILE.name} has no description for {missing}")
    entries = []
    for j, name in enumerate(categories):
        rows = examples.get(j, np.zeros(0, dtype=int)) if examples else np.zeros(0, dtype=int)
        entries.append(CodebookEntry(name, described[name], [texts[i] for i in rows]))
    return Codebook(entries, name=CODEBOOK_FILE.name)


def _heard(
    book: Any, vectors: np.ndarray, texts: list[str], embedder: Any, seed: int
) -> tuple[np.ndarray, float, float]:
    from threadpoolctl import threadpool_limits

    from heard.codebook import map_codebook

    started = time.perf_counter()
    with threadpool_limits(limits=1, user_api="blas"):
        match = map_codebook(book, vectors, texts, embedder, random_state=seed)
    return match.assigned, float(match.none_mask.mean()), time.perf_counter() - started


def logistic_baseline(vectors: np.ndarray, labels: np.ndarray, random_state: int = 0) -> np.ndarray:
    """5-fold cross-validated one-vs-rest logistic regression probabilities for every row."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import KFold, cross_val_predict
    from sklearn.multiclass import OneVsRestClassifier
    from threadpoolctl import threadpool_limits

    model = OneVsRestClassifier(LogisticRegression(C=1.0, max_iter=1000))
    folds = KFold(n_splits=5, shuffle=True, random_state=random_state)
    with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
        # A category with all its rows in one fold is constant in the other folds.
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        proba = cross_val_predict(
            model, vectors, labels.astype(int), cv=folds, method="predict_proba"
        )
    return np.asarray(proba)


def _decodings(proba: np.ndarray) -> dict[str, np.ndarray]:
    standard = proba >= 0.5
    top = standard.copy()
    top[np.arange(len(proba)), proba.argmax(axis=1)] = True
    return {"threshold_0.5": standard, "top_label": top}


def evaluate(
    data_dir: Path, embedder: Any, seeds: tuple[int, ...] = (0, 1, 2), shots: int = SHOTS
) -> dict[str, Any]:
    """Zero-shot, few-shot and baseline micro/macro F1 on the v6 data (see the module doc)."""
    started = time.perf_counter()
    texts, labels, categories, excluded = load(Path(data_dir))
    vectors = embedder.embed(texts)

    zero_assigned, zero_none, zero_seconds = _heard(
        _codebook(categories, texts, None), vectors, texts, embedder, 0
    )
    zero = {**_f1(labels, zero_assigned), "fits_none": zero_none, "seconds": zero_seconds}

    proba = logistic_baseline(vectors, labels)
    baseline_all = {name: _f1(labels, pred) for name, pred in _decodings(proba).items()}

    per_seed: dict[str, dict[str, Any]] = {}
    same_rows: dict[str, dict[str, dict[str, float]]] = {}
    for seed in seeds:
        examples, rest = sample_examples(labels, seed, shots)
        book = _codebook(categories, texts, examples)
        assigned, none_share, seconds = _heard(
            book, vectors[rest], [texts[i] for i in rest], embedder, seed
        )
        per_seed[str(seed)] = {
            **_f1(labels[rest], assigned),
            "fits_none": none_share,
            "examples": int(sum(len(v) for v in examples.values())),
            "scored_rows": len(rest),
            "seconds": seconds,
        }
        same_rows[str(seed)] = {
            name: _f1(labels[rest], pred[rest]) for name, pred in _decodings(proba).items()
        }

    def mean(rows: list[dict[str, float]], key: str) -> float:
        return float(np.mean([r[key] for r in rows]))

    few = {
        "micro_f1": mean(list(per_seed.values()), "micro_f1"),
        "macro_f1": mean(list(per_seed.values()), "macro_f1"),
        "seeds": per_seed,
    }
    baseline_same = {
        name: {
            "micro_f1": mean([same_rows[s][name] for s in same_rows], "micro_f1"),
            "macro_f1": mean([same_rows[s][name] for s in same_rows], "macro_f1"),
        }
        for name in ("threshold_0.5", "top_label")
    }
    best_all = max(v["micro_f1"] for v in baseline_all.values())
    best_same = max(v["micro_f1"] for v in baseline_same.values())
    return {
        "rows": len(texts),
        "categories": len(categories),
        "excluded_categories": ", ".join(excluded),
        "shots": shots,
        "zero_shot": zero,
        "few_shot": few,
        "lr_baseline_all_rows": baseline_all,
        "lr_baseline_same_rows": baseline_same,
        "few_shot_over_lr": few["micro_f1"] / best_all,
        "few_shot_over_lr_same_rows": few["micro_f1"] / best_same,
        "seconds": time.perf_counter() - started,
    }


def _table(result: dict[str, Any]) -> str:
    lines = [
        f"v6 framework: {result['rows']:,} labelled rows, {result['categories']} categories "
        f"(left out, no positive rows: {result['excluded_categories']})",
        "",
        f"{'method':<52}{'micro-F1':>10}{'macro-F1':>10}",
    ]

    def row(name: str, scores: dict[str, float]) -> None:
        lines.append(f"{name:<52}{scores['micro_f1']:>10.3f}{scores['macro_f1']:>10.3f}")

    row("heard zero-shot (names + descriptions), all rows", result["zero_shot"])
    few = result["few_shot"]
    for seed, scores in few["seeds"].items():
        row(f"heard {result['shots']}-shot, seed {seed} ({scores['scored_rows']:,} rows)", scores)
    row(f"heard {result['shots']}-shot, mean of {len(few['seeds'])} seeds", few)
    for name, scores in result["lr_baseline_all_rows"].items():
        row(f"LR 5-fold CV, {name}, all rows", scores)
    for name, scores in result["lr_baseline_same_rows"].items():
        row(f"LR 5-fold CV, {name}, heard's rows", scores)
    lines += [
        "",
        f"{result['shots']}-shot micro-F1 / stronger LR micro-F1: "
        f"{result['few_shot_over_lr']:.3f} (all rows), "
        f"{result['few_shot_over_lr_same_rows']:.3f} (heard's rows); target >= 0.9",
        f"fits none: zero-shot {result['zero_shot']['fits_none']:.1%}, {result['shots']}-shot "
        + ", ".join(f"{s['fits_none']:.1%}" for s in few["seeds"].values()),
        f"time: {result['seconds']:.1f} s in all; heard mapping "
        + ", ".join(f"{s['seconds']:.2f} s" for s in few["seeds"].values())
        + f" (20-shot), {result['zero_shot']['seconds']:.2f} s (zero-shot)",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--shots", type=int, default=SHOTS)
    args = parser.parse_args(argv)
    from heard.embed import Embedder

    result = evaluate(args.data_dir, Embedder(), seeds=tuple(args.seeds), shots=args.shots)
    print(_table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
