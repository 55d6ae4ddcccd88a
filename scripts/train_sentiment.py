"""Build heard's sentiment training set and train the shipped sentiment weights.

Two steps, both deterministic:

1. ``examples.csv`` = the hand-written examples in ``handwritten.csv`` plus examples
   composed from the slot fillers in ``compose.json`` (templates below). Every text
   was written for heard; none comes from any benchmark.
2. A small neural network (one hidden layer, a few seeds merged into one) on the
   MiniLM embeddings of those examples, saved as ``src/heard/models/sentiment.npz``
   (two weight matrices, two biases, and the class priors it was trained with), so
   prediction needs no training.

Run from the project root::

    HEARD_CACHE_DIR=.heard-cache .venv/bin/python scripts/train_sentiment.py
    .venv/bin/python scripts/train_sentiment.py --cv   # also report cross-validation

The regularisation strength was chosen by cross-validation on the hand-written
examples only (``--cv``), never on benchmark data. Training takes a few minutes on
two cores; texts already in the embedding cache are not embedded again.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Callable
from pathlib import Path

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
ALPHA = 0.03
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


def build_examples() -> pd.DataFrame:
    """Hand-written plus composed examples, without duplicates, hand-written first."""
    hand = pd.read_csv(DATA / "handwritten.csv", dtype=str, keep_default_na=False)
    slots = json.loads((DATA / "compose.json").read_text(encoding="utf-8"))
    composed = compose_examples({k: v for k, v in slots.items() if not k.startswith("_")})
    frame = pd.concat(
        [hand.assign(source="hand"), composed.assign(source="composed")], ignore_index=True
    )
    frame = frame[frame["text"].str.strip() != ""]
    frame = frame.drop_duplicates("text", keep="first").reset_index(drop=True)
    bad = set(frame["label"]) - set(LABELS)
    if bad:
        raise SystemExit(f"Unknown labels in the examples: {sorted(bad)}")
    return frame


# -- training -------------------------------------------------------------------


Network = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _fit(x: np.ndarray, y: np.ndarray, alpha: float, seeds: tuple[int, ...] = SEEDS) -> Network:
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
    hidden_w, hidden_b, out_w, out_b = [], [], [], []
    for seed in seeds:
        net = MLPClassifier((HIDDEN,), alpha=alpha, max_iter=ITERATIONS, random_state=seed)
        with warnings.catch_warnings():
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


def cross_validate(x: np.ndarray, y: np.ndarray, hand: np.ndarray, alphas: list[float]) -> float:
    """Accuracy on held-out hand-written examples for each alpha; composed ones always train.

    Returns the largest alpha (strongest regularisation) whose accuracy is within
    one standard error of the best: the examples are synthetic, so among models that
    CV cannot tell apart the simplest is the safer bet on real feedback.
    """
    from sklearn.metrics import accuracy_score, f1_score

    rng = np.random.default_rng(SEED)
    folds = rng.integers(0, 5, size=len(y))
    results: list[tuple[float, float]] = []
    for alpha in alphas:
        preds = np.full(len(y), -1)
        for k in range(5):
            test = hand & (folds == k)
            net = _fit(x[~test], y[~test], alpha, seeds=SEEDS[:1])
            preds[test] = _predict(x[test], net)
        acc = float(accuracy_score(y[hand], preds[hand]))
        f1 = f1_score(y[hand], preds[hand], average="macro")
        print(
            f"alpha={alpha:<6} hand-written 5-fold: accuracy {acc:.3f}  macro-F1 {f1:.3f}",
            flush=True,
        )
        results.append((alpha, acc))
    best = max(acc for _, acc in results)
    se = float(np.sqrt(best * (1 - best) / int(hand.sum())))
    chosen = max(alpha for alpha, acc in results if acc >= best - se)
    print(f"one-standard-error rule (SE {se:.3f}): alpha={chosen}")
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cv", action="store_true", help="report cross-validation for several alpha"
    )
    parser.add_argument(
        "--no-save", action="store_true", help="do not write examples.csv or the weights"
    )
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT / "src"))
    from heard.embed import MODEL_NAME, Embedder

    frame = build_examples()
    counts = frame.groupby(["source", "label"]).size()
    print(f"{len(frame)} examples\n{counts.to_string()}")
    if not args.no_save:
        frame[["text", "label"]].to_csv(DATA / "examples.csv", index=False)

    texts = frame["text"].tolist()
    x = Embedder().embed(texts).astype(np.float64)
    y = frame["label"].map({label: i for i, label in enumerate(LABELS)}).to_numpy()
    if args.cv:
        chosen = cross_validate(
            x, y, (frame["source"] == "hand").to_numpy(), [0.01, 0.03, 0.1, 0.3]
        )
        if chosen != ALPHA:
            print(f"note: ALPHA is {ALPHA} in this script; CV suggests {chosen}")

    hidden_w, hidden_b, w, b = _fit(x, y, ALPHA)
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
            embedding_model=np.array(MODEL_NAME),
            n_examples=np.array(len(frame)),
            alpha=np.array(ALPHA),
            hidden=np.array(HIDDEN),
        )
        print(f"wrote {MODEL.relative_to(ROOT)} ({MODEL.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
