"""Build heard's sentiment training set and train the shipped sentiment weights.

Three steps, all deterministic:

1. ``examples.csv`` = the hand-written examples in ``handwritten.csv`` plus examples
   composed from the slot fillers in ``compose.json`` (templates below), read with no
   question; the hand-written (question, answer) pairs in ``questions.csv``, whose
   short answers mean different things under a question asking for praise and one
   asking what to improve; and each example whose answer is not among those pairs
   again under a praise or an improvement question from ``question_kinds.csv`` (a
   clear "the nurses were lovely" is praise in either box). Every text was written
   for heard; none comes from any benchmark.
2. A logistic regression on the MiniLM vectors of the questions in
   ``question_kinds.csv`` (praise, improve, neutral), for questions whose wording the
   rules in :func:`heard.sentiment.question_kind_by_rules` cannot read.
3. A small neural network (one hidden layer, a few seeds merged into one) on the
   MiniLM embeddings of the examples plus two inputs for the kind of question
   (praise, improve; both 0 for a neutral question or none), saved with the question
   classifier as ``src/heard/models/sentiment.npz`` (weight matrices, biases, and the
   class priors it was trained with), so prediction needs no training.

Run from the project root::

    HEARD_CACHE_DIR=.heard-cache .venv/bin/python scripts/train_sentiment.py
    .venv/bin/python scripts/train_sentiment.py --cv   # also report cross-validation

The settings (the network's regularisation ALPHA, the question classifier's C, the
weight of the (question, answer) pairs) were chosen by cross-validation on the
examples written here only (``--cv``; ``--cv-pairs`` for the pair weight alone),
each by a one-standard-error rule, never on benchmark data. Training takes a couple
of minutes on two cores (``--cv`` a good deal longer); texts already in the
embedding cache are not embedded again. The same script on the same examples writes
byte-identical weights.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "heard" / "data" / "sentiment"
MODEL = ROOT / "src" / "heard" / "models" / "sentiment.npz"
LABELS = ("negative", "mixed or neutral", "positive")
SEED = 20240611
#: The network: one hidden layer of HIDDEN units, L2 penalty ALPHA (chosen with --cv
#: on the hand-written examples, one-standard-error rule), ITERATIONS passes, one
#: network per seed in SEEDS, merged.
HIDDEN = 64
ALPHA = 0.1
#: Inverse regularisation of the question classifier (chosen with --cv on
#: question_kinds.csv: leave-one-out accuracy when unsure answers count as neutral,
#: one-standard-error rule).
QUESTION_C = 10.0
#: How much each (question, answer) pair weighs against any other example (chosen
#: with --cv: accuracy on held-out pairs, one-standard-error rule). The pairs are the
#: only examples in which the question changes the answer's label, and few beside
#: the rest, so at weight 1 the network barely listens to the question.
PAIR_WEIGHT = 4.0
#: The question kinds that get an input of their own; "neutral" is all zeros, the
#: same as no question.
CONTEXT = ("praise", "improve")
ITERATIONS = 300
SEEDS = (0, 1, 2)
#: How many composed examples of each kind to draw.
COMPOSED = {
    "positive": 400,
    "negative": 380,
    "suggestion": 160,
    "mixed": 440,
    "neutral": 80,
    # Real answers have a long tail (a fifth run past 20 words); without these, length
    # alone would tell the classifier which class a text is.
    "long positive": 120,
    "long negative": 110,
    "long mixed": 150,
}

Slots = dict[str, list[str]]


# -- composing examples ----------------------------------------------------------


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _pos(rng: random.Random, s: Slots) -> str:
    """A praising clause, lower case, no full stop."""
    kind = rng.random()
    if kind < 0.45:
        return rng.choice(s["pos_clause"])
    if kind < 0.75:
        return f"the {rng.choice(s['staff_plural'])} were {rng.choice(s['pos_adj'])}"
    return f"the {rng.choice(s['staff_singular'])} was {rng.choice(s['pos_adj'])}"


def _neg(rng: random.Random, s: Slots) -> str:
    """A complaining clause, lower case, no full stop."""
    kind = rng.random()
    if kind < 0.5:
        return rng.choice(s["neg_clause"])
    if kind < 0.65:
        return f"waited {rng.choice(s['duration'])} for {rng.choice(s['wait_object'])}"
    if kind < 0.85:
        return f"the {rng.choice(s['staff_plural'])} were {rng.choice(s['neg_adj'])}"
    return f"the {rng.choice(s['staff_singular'])} was {rng.choice(s['neg_adj'])}"


def _positive(rng: random.Random, s: Slots) -> str:
    t = rng.randrange(10)
    if t == 9:
        return f"{_cap(rng.choice(s['event']))}. {_cap(_pos(rng, s))} and {_pos(rng, s)}. {rng.choice(s['pos_closer'])}"
    if t == 0:
        return _cap(_pos(rng, s))
    if t == 1:
        return f"{_cap(_pos(rng, s))} and {_pos(rng, s)}"
    if t == 2:
        return f"{_cap(_pos(rng, s))}. {_cap(_pos(rng, s))}."
    if t == 3:
        return f"{_cap(_pos(rng, s))}. {rng.choice(s['pos_closer'])}"
    if t == 4:
        opener = rng.choice(
            ["Nothing", "Nothing to improve", "Nothing really", "Can't think of anything", "None"]
        )
        return f"{opener}, {_pos(rng, s)}"
    if t == 5:
        return f"{rng.choice(['Great', 'Brilliant', 'Lovely', 'Excellent', 'Fantastic', 'Good'])} {rng.choice(s['pos_np'])}"
    if t == 6:
        return f"{_cap(_pos(rng, s))}. {rng.choice(s['systemic'])}"
    if t == 7:
        return f"{_cap(_pos(rng, s))}, {_pos(rng, s)} and {_pos(rng, s)}"
    return f"{rng.choice(['Very happy', 'Really pleased', 'So grateful', 'Very impressed'])}, {_pos(rng, s)}"


def _negative(rng: random.Random, s: Slots) -> str:
    t = rng.randrange(10)
    if t == 9:
        return f"{_cap(rng.choice(s['event']))}. {_cap(_neg(rng, s))} and {_neg(rng, s)}. {rng.choice(s['neg_closer'])}"
    if t == 0:
        return _cap(_neg(rng, s))
    if t == 1:
        return f"{_cap(_neg(rng, s))} and {_neg(rng, s)}"
    if t == 2:
        return f"{_cap(_neg(rng, s))}. {_cap(_neg(rng, s))}."
    if t == 3:
        return f"{_cap(_neg(rng, s))}. {rng.choice(s['neg_closer'])}"
    if t == 4:
        return _cap(rng.choice(s["core_fix"]))
    if t == 5:
        lead = rng.choice(
            ["Please", "You need to", "Just", "Could you please", "Try to", "Need to"]
        )
        return f"{lead} {rng.choice(s['core_fix'])}"
    if t == 6:
        return f"{_cap(rng.choice(s['core_fix']))}. {_cap(_neg(rng, s))}."
    if t == 7:
        # Faint praise swamped by complaints and an angry close is still negative.
        return (
            f"The {rng.choice(s['staff_plural'])} were nice enough but {_neg(rng, s)} "
            f"and {_neg(rng, s)}. {rng.choice(s['neg_closer'])}"
        )
    return f"{_cap(_neg(rng, s))}, {_neg(rng, s)} and {_neg(rng, s)}"


def _mixed(rng: random.Random, s: Slots) -> str:
    t = rng.randrange(14)
    if t == 11:
        return f"{_cap(_pos(rng, s))}. {rng.choice(['More', 'Maybe', 'It would be nice to have'])} {rng.choice(s['gentle_suggestion'])}."
    if t == 12:
        return f"{_cap(_pos(rng, s))} and {_pos(rng, s)}, but {_neg(rng, s)}."
    if t == 13:
        return f"{_cap(_pos(rng, s))}. {_cap(_neg(rng, s))}. {rng.choice(s['mixed_closer'])}"
    if t == 0:
        return f"{_cap(_pos(rng, s))} but {_neg(rng, s)}"
    if t == 1:
        return f"{_cap(_pos(rng, s))}, however {_neg(rng, s)}"
    if t == 2:
        return f"{_cap(_neg(rng, s))} but {_pos(rng, s)}"
    if t == 3:
        return f"{_cap(_pos(rng, s))}. Shame about {rng.choice(s['neg_np'])}."
    if t == 4:
        return f"{_cap(_pos(rng, s))}, only thing was {rng.choice(s['neg_np'])}"
    if t == 5:
        return f"{_cap(_pos(rng, s))} apart from {rng.choice(s['neg_np'])}"
    if t == 6:
        return f"{_cap(_pos(rng, s))}. {_cap(_neg(rng, s))}."
    if t == 7:
        return f"{_cap(_neg(rng, s))}. {_cap(_pos(rng, s))}."
    if t == 8:
        np_ = rng.choice(s["pos_np"])
        return f"{rng.choice(['Good', 'Great', 'Lovely', 'Nice'])} {np_}, shame about {rng.choice(s['neg_np'])}"
    if t == 9:
        return f"My only complaint is {rng.choice(s['neg_np'])}, {_pos(rng, s)}"
    return f"{rng.choice(['Overall ok', 'Mostly good', 'Generally fine', 'Not bad'])} but {_neg(rng, s)}"


def _neutral(rng: random.Random, s: Slots) -> str:
    if rng.random() < 0.6:
        return _cap(rng.choice(s["event"]))
    return f"{_cap(rng.choice(s['event']))}. {_cap(rng.choice(s['event']))}."


def _suggestion(rng: random.Random, s: Slots) -> str:
    """A bare request for change: it names a shortfall, so it counts as mild criticism."""
    t = rng.randrange(4)
    if t == 0:
        lead = rng.choice(
            ["More", "Maybe", "Perhaps", "It would be nice to have", "Could you provide", "Need"]
        )
        return f"{lead} {rng.choice(s['gentle_suggestion'])}"
    if t == 1:
        return f"{_cap(rng.choice(s['gentle_suggestion']))} would be helpful"
    if t == 2:
        return f"{rng.choice(['Suggestion:', 'Idea -', 'Please think about', 'Why not have'])} {rng.choice(s['gentle_suggestion'])}"
    return f"{_cap(rng.choice(s['core_fix']))} and {rng.choice(s['core_fix'])}"


def _story(rng: random.Random, s: Slots, parts: list[str]) -> str:
    """Several sentences: an account of what happened, then the given clauses."""
    start = [_cap(rng.choice(s["event"])) + "."] if rng.random() < 0.7 else []
    return " ".join(start + [_cap(p) + "." for p in parts])


def _long_positive(rng: random.Random, s: Slots) -> str:
    parts = [_pos(rng, s) for _ in range(rng.randint(2, 4))]
    if rng.random() < 0.5:
        parts[-1] = f"{parts[-1]} and {_pos(rng, s)}"
    return f"{_story(rng, s, parts)} {rng.choice(s['pos_closer'])}"


def _long_negative(rng: random.Random, s: Slots) -> str:
    parts = [_neg(rng, s) for _ in range(rng.randint(2, 4))]
    if rng.random() < 0.5:
        parts[-1] = f"{parts[-1]} and {_neg(rng, s)}"
    if rng.random() < 0.25:
        # A courtesy that does not change the verdict.
        parts.insert(1, f"the {rng.choice(s['staff_plural'])} were polite enough")
    return f"{_story(rng, s, parts)} {rng.choice(s['neg_closer'])}"


def _long_mixed(rng: random.Random, s: Slots) -> str:
    good = [_pos(rng, s) for _ in range(rng.randint(1, 3))]
    bad = [_neg(rng, s) for _ in range(rng.randint(1, 3))]
    if rng.random() < 0.6:
        first, second = good, bad
        link = rng.choice(
            ["However,", "But", "On the other hand", "The downside was that", "Unfortunately"]
        )
    else:
        first, second = bad, good
        link = rng.choice(["However,", "But", "To be fair", "That said,", "On the plus side"])
    joined = " and ".join(second)
    text = _story(rng, s, first) + f" {link} {joined}."
    if rng.random() < 0.5:
        text += f" {rng.choice(s['mixed_closer'])}"
    return text


def _roughen(rng: random.Random, text: str) -> str:
    """Make a composed text look typed in a hurry now and then: case, punctuation, typos."""
    r = rng.random()
    if r < 0.15:
        text = text.lower()
    elif r < 0.2:
        text = text.upper()
    if rng.random() < 0.3:
        text = text.rstrip(".")
    if rng.random() < 0.12:
        text = text.replace("'", "")
    if rng.random() < 0.08:
        words = text.split()
        i = rng.randrange(len(words))
        w = words[i]
        if len(w) > 4:
            j = rng.randrange(1, len(w) - 2)
            words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
        text = " ".join(words)
    return text


def compose_examples(slots: Slots, seed: int = SEED) -> pd.DataFrame:
    """Examples built from templates and slot fillers, the same for the same seed."""
    rng = random.Random(seed)
    makers: dict[str, tuple[Callable[[random.Random, Slots], str], str]] = {
        "positive": (_positive, "positive"),
        "negative": (_negative, "negative"),
        "mixed": (_mixed, "mixed or neutral"),
        "suggestion": (_suggestion, "negative"),
        "neutral": (_neutral, "mixed or neutral"),
        "long positive": (_long_positive, "positive"),
        "long negative": (_long_negative, "negative"),
        "long mixed": (_long_mixed, "mixed or neutral"),
    }
    rows: list[tuple[str, str]] = []
    seen: set[str] = set()
    for kind, count in COMPOSED.items():
        make, label = makers[kind]
        made, tries = 0, 0
        while made < count and tries < count * 20:
            tries += 1
            text = _roughen(rng, make(rng, slots))
            key = text.lower()
            if key in seen:
                continue
            seen.add(key)
            rows.append((text, label))
            made += 1
    return pd.DataFrame(rows, columns=["text", "label"])


def _key(text: str) -> str:
    """A text as a reader would compare answers: lower case, no punctuation or spacing."""
    return " ".join("".join(c if c.isalnum() else " " for c in text.casefold()).split())


def build_examples(kind_of: Callable[[list[str]], list[str]]) -> pd.DataFrame:
    """Every training example: ``question`` ("" for none), ``text``, ``label``, ``kind``, ``source``.

    Hand-written answers first, then composed ones, then the (question, answer)
    pairs, then the copies of the first two under a question. ``kind_of`` reads
    question kinds the way heard does at run time.
    """
    hand = pd.read_csv(DATA / "handwritten.csv", dtype=str, keep_default_na=False)
    slots = json.loads((DATA / "compose.json").read_text(encoding="utf-8"))
    composed = compose_examples({k: v for k, v in slots.items() if not k.startswith("_")})
    base = pd.concat(
        [hand.assign(source="hand"), composed.assign(source="composed")], ignore_index=True
    )
    base = base[base["text"].str.strip() != ""]
    base = base.drop_duplicates("text", keep="first").reset_index(drop=True)
    base.insert(0, "question", "")

    pairs = pd.read_csv(DATA / "questions.csv", dtype=str, keep_default_na=False)
    pairs = pairs.rename(columns={"answer": "text"}).assign(source="pair")
    pairs = pairs.drop_duplicates(["question", "text"]).reset_index(drop=True)

    # An answer the pairs give under a question is read only with its question;
    # every other example means the same under either kind of question.
    asked = {_key(t) for t in pairs["text"]}
    prototypes = pd.read_csv(DATA / "question_kinds.csv", dtype=str, keep_default_na=False)
    phrasings = {k: prototypes.loc[prototypes["kind"] == k, "question"].tolist() for k in CONTEXT}
    rng = random.Random(SEED + 1)
    copies = base[[_key(t) not in asked for t in base["text"]]].copy()
    copies["question"] = [rng.choice(phrasings[rng.choice(CONTEXT)]) for _ in range(len(copies))]
    copies["source"] = copies["source"] + " copy"

    frame = pd.concat([base, pairs, copies], ignore_index=True)
    frame = frame[["question", "text", "label", "source"]]
    bad = set(frame["label"]) - set(LABELS)
    if bad:
        raise SystemExit(f"Unknown labels in the examples: {sorted(bad)}")
    kinds = dict(
        zip(sorted(set(frame["question"])), kind_of(sorted(set(frame["question"]))), strict=True)
    )
    frame["kind"] = frame["question"].map(kinds)
    return frame


# -- training -------------------------------------------------------------------


Network = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _inputs(vectors: np.ndarray, kinds: list[str]) -> np.ndarray:
    """The network's input: the answer's vector, then one 0/1 column per kind in CONTEXT."""
    context = np.array([[k == name for name in CONTEXT] for k in kinds], dtype=np.float64)
    return np.hstack([vectors.astype(np.float64), context.reshape(len(kinds), len(CONTEXT))])


def fit_question_classifier(x: np.ndarray, kinds: list[str], c: float = QUESTION_C) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, max_iter=2000).fit(x, kinds)


def cross_validate_questions(x: np.ndarray, kinds: list[str], cs: list[float]) -> float:
    """Leave-one-out accuracy of the question classifier for each C; returns the C chosen.

    Accuracy counts a question the classifier is unsure of as neutral, as heard does.
    The rule is the same as for the network: the smallest C (strongest
    regularisation) within one standard error of the best.
    """
    from sklearn.model_selection import LeaveOneOut, cross_val_predict

    from heard.sentiment import QUESTION_CONFIDENCE

    results: list[tuple[float, float]] = []
    for c in cs:
        model = fit_question_classifier(x, kinds, c)
        proba = cross_val_predict(model, x, kinds, cv=LeaveOneOut(), method="predict_proba")
        labels = sorted(set(kinds))
        best = proba.argmax(axis=1)
        alone = float(np.mean([labels[b] == k for b, k in zip(best, kinds, strict=True)]))
        sure = proba.max(axis=1) >= QUESTION_CONFIDENCE
        guarded = float(
            np.mean(
                [
                    (labels[b] if s else "neutral") == k
                    for b, s, k in zip(best, sure, kinds, strict=True)
                ]
            )
        )
        print(
            f"question classifier C={c:<5} leave-one-out accuracy {alone:.3f} "
            f"(neutral unless sure: {guarded:.3f})",
            flush=True,
        )
        results.append((c, guarded))
    top = max(acc for _, acc in results)
    se = float(np.sqrt(top * (1 - top) / len(kinds)))
    chosen = min(c for c, acc in results if acc >= top - se)
    print(f"one-standard-error rule (SE {se:.3f}): C={chosen}")
    return chosen


def _fit(
    x: np.ndarray,
    y: np.ndarray,
    alpha: float,
    seeds: tuple[int, ...] = SEEDS,
    weight: np.ndarray | None = None,
) -> Network:
    """Train one small network per seed and merge them into one wider network.

    Averaging the networks' logits equals one network whose hidden layer is all of
    theirs side by side and whose output weights are divided by their number, so
    the shipped model is still two matrix multiplies.
    """
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    # Every class weighs the same in training; the model's prior is then uniform.
    counts = np.bincount(y, minlength=len(LABELS))
    sample_weight = (len(y) / (len(LABELS) * counts))[y]
    if weight is not None:
        sample_weight = sample_weight * weight
    from threadpoolctl import threadpool_limits

    hidden_w, hidden_b, out_w, out_b = [], [], [], []
    for seed in seeds:
        net = MLPClassifier((HIDDEN,), alpha=alpha, max_iter=ITERATIONS, random_state=seed)
        # One BLAS thread: as fast for matrices this small, and the sums are always
        # added in the same order, so the weights do not depend on the machine's cores.
        with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
            # A fixed number of passes is part of the recipe (it regularises, like alpha).
            warnings.simplefilter("ignore", ConvergenceWarning)
            net.fit(x, y, sample_weight=sample_weight)
        order = [list(net.classes_).index(i) for i in range(len(LABELS))]
        hidden_w.append(net.coefs_[0].T)
        hidden_b.append(net.intercepts_[0])
        out_w.append(net.coefs_[1].T[order] / len(seeds))
        out_b.append(net.intercepts_[1][order] / len(seeds))
    return (
        np.vstack(hidden_w).astype(np.float32),
        np.concatenate(hidden_b).astype(np.float32),
        np.hstack(out_w).astype(np.float32),
        np.sum(out_b, axis=0).astype(np.float32),
    )


def _predict(x: np.ndarray, net: Network) -> np.ndarray:
    hidden_w, hidden_b, out_w, out_b = net
    hidden = np.maximum(x @ hidden_w.T + hidden_b, 0.0)
    return np.argmax(hidden @ out_w.T + out_b, axis=1)


def _held_out(
    x: np.ndarray, y: np.ndarray, frame: pd.DataFrame, alpha: float, weight: np.ndarray
) -> np.ndarray:
    """Predictions for the hand-written examples, each by a network that never saw its answer.

    Folds go by answer, so an answer held out is held out with and without its
    questions; composed examples always train.
    """
    import zlib

    hand = frame["source"].isin(["hand", "hand copy", "pair"]).to_numpy()
    folds = np.array([zlib.crc32(_key(t).encode()) % 5 for t in frame["text"]])
    preds = np.full(len(y), -1)
    for k in range(5):
        test = folds == k
        net = _fit(x[~test], y[~test], alpha, seeds=SEEDS[:1], weight=weight[~test])
        preds[test & hand] = _predict(x[test & hand], net)
    return preds


def _report(label: str, y: np.ndarray, preds: np.ndarray, frame: pd.DataFrame) -> dict[str, float]:
    from sklearn.metrics import accuracy_score, f1_score

    groups = {
        "hand-written": frame["source"].isin(["hand", "hand copy", "pair"]).to_numpy(),
        "no question": (frame["source"] == "hand").to_numpy(),
        "under a question": frame["source"].isin(["hand copy", "pair"]).to_numpy(),
        "pairs only": (frame["source"] == "pair").to_numpy(),
    }
    accuracy = {name: float(accuracy_score(y[m], preds[m])) for name, m in groups.items()}
    parts = "  ".join(
        f"{name} {accuracy[name]:.3f}/{f1_score(y[m], preds[m], average='macro'):.3f}"
        for name, m in groups.items()
    )
    print(f"{label}: 5-fold accuracy/macro-F1: {parts}", flush=True)
    return accuracy


def _one_se(results: list[tuple[float, float]], n: int, prefer: str) -> float:
    """The simplest setting whose accuracy is within one standard error of the best."""
    best = max(acc for _, acc in results)
    se = float(np.sqrt(best * (1 - best) / n))
    near = [value for value, acc in results if acc >= best - se]
    chosen = max(near) if prefer == "largest" else min(near)
    print(f"one-standard-error rule (SE {se:.3f}): {chosen}")
    return chosen


def cross_validate(
    x: np.ndarray, y: np.ndarray, frame: pd.DataFrame, alphas: list[float], weight: np.ndarray
) -> float:
    """The alpha for the network: the largest (strongest regularisation) whose accuracy on
    all held-out hand-written examples is within one standard error of the best.

    The examples are synthetic, so among models that CV cannot tell apart the
    simplest is the safer bet on real feedback.
    """
    results = []
    for alpha in alphas:
        acc = _report(f"alpha={alpha}", y, _held_out(x, y, frame, alpha, weight), frame)
        results.append((alpha, acc["hand-written"]))
    n = int(frame["source"].isin(["hand", "hand copy", "pair"]).sum())
    return _one_se(results, n, prefer="largest")


def cross_validate_pair_weight(
    x: np.ndarray, y: np.ndarray, frame: pd.DataFrame, alpha: float, weights: list[float]
) -> float:
    """The weight of the (question, answer) pairs: the smallest whose accuracy on held-out
    pairs is within one standard error of the best."""
    pairs = (frame["source"] == "pair").to_numpy()
    results = []
    for w in weights:
        weight = np.where(pairs, w, 1.0)
        acc = _report(
            f"pair weight {w} (alpha={alpha})", y, _held_out(x, y, frame, alpha, weight), frame
        )
        results.append((w, acc["pairs only"]))
    return _one_se(results, int(pairs.sum()), prefer="smallest")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cv", action="store_true", help="report cross-validation for several alpha and C"
    )
    parser.add_argument(
        "--cv-pairs",
        action="store_true",
        help="report cross-validation for the weight of the (question, answer) pairs only",
    )
    parser.add_argument(
        "--no-save", action="store_true", help="do not write examples.csv or the weights"
    )
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT / "src"))
    from heard.embed import MODEL_NAME, Embedder
    from heard.sentiment import QUESTION_CONFIDENCE, question_kind_by_rules

    embedder = Embedder()
    prototypes = pd.read_csv(DATA / "question_kinds.csv", dtype=str, keep_default_na=False)
    qx = embedder.embed(prototypes["question"].tolist()).astype(np.float64)
    qkinds = prototypes["kind"].tolist()
    if args.cv:
        chosen_c = cross_validate_questions(qx, qkinds, [1.0, 3.0, 10.0, 30.0])
        if chosen_c != QUESTION_C:
            print(f"note: QUESTION_C is {QUESTION_C} in this script; CV suggests {chosen_c}")
    questions = fit_question_classifier(qx, qkinds)

    def kind_of(texts: list[str]) -> list[str]:
        out = []
        for text in texts:
            rule = question_kind_by_rules(text) if text else "neutral"
            if rule is None:
                p = questions.predict_proba(embedder.embed([text]).astype(np.float64))[0]
                best = int(p.argmax())
                rule = (
                    str(questions.classes_[best]) if p[best] >= QUESTION_CONFIDENCE else "neutral"
                )
            out.append(rule)
        return out

    frame = build_examples(kind_of)
    counts = frame.groupby(["source", "kind", "label"]).size()
    print(f"{len(frame)} examples\n{counts.to_string()}")
    if not args.no_save:
        frame[["question", "text", "label"]].to_csv(DATA / "examples.csv", index=False)

    vectors = embedder.embed(frame["text"].tolist())
    x = _inputs(vectors, frame["kind"].tolist())
    y = frame["label"].map({label: i for i, label in enumerate(LABELS)}).to_numpy()
    weight = np.where((frame["source"] == "pair").to_numpy(), PAIR_WEIGHT, 1.0)
    if args.cv:
        chosen = cross_validate(x, y, frame, [0.01, 0.03, 0.1, 0.3], weight)
        if chosen != ALPHA:
            print(f"note: ALPHA is {ALPHA} in this script; CV suggests {chosen}")
    if args.cv or args.cv_pairs:
        chosen_w = cross_validate_pair_weight(x, y, frame, ALPHA, [1.0, 2.0, 4.0, 8.0])
        if chosen_w != PAIR_WEIGHT:
            print(f"note: PAIR_WEIGHT is {PAIR_WEIGHT} in this script; CV suggests {chosen_w}")

    hidden_w, hidden_b, w, b = _fit(x, y, ALPHA, weight=weight)
    # Balanced sample weights train as if the classes were equally common.
    train_prior = np.full(len(LABELS), 1.0 / len(LABELS), dtype=np.float32)
    if not args.no_save:
        MODEL.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            MODEL,
            hidden_weights=hidden_w,
            hidden_bias=hidden_b,
            weights=w,
            bias=b,
            train_prior=train_prior,
            labels=np.array(LABELS),
            question_inputs=np.array(CONTEXT),
            question_weights=questions.coef_.astype(np.float32),
            question_bias=questions.intercept_.astype(np.float32),
            question_labels=np.array([str(c) for c in questions.classes_]),
            embedding_model=np.array(MODEL_NAME),
            n_examples=np.array(len(frame)),
            alpha=np.array(ALPHA),
            pair_weight=np.array(PAIR_WEIGHT),
            hidden=np.array(HIDDEN),
        )
        print(f"wrote {MODEL.relative_to(ROOT)} ({MODEL.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
