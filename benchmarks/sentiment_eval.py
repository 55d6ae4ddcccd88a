"""How well heard's sentiment agrees with people's labels on real NHS feedback.

Data: ``v6framework_230831.csv`` from the pxtextmining datasets (kept outside the
repository, in ``../shared/data/nhs-patient-feedback``). Text ``FFT answer``, label
``Comment sentiment`` 1-5 folded to three classes (1-2 positive, 3 mixed or neutral,
4-5 negative); rows without a label or without text are left out. heard's model was
never trained or tuned on these rows.

heard runs twice: as a user with this export would run it, naming the ``FFT
question`` column (``heard analyse --question "FFT question"``), and with the
answers alone. Beside it: VADER (``vaderSentiment``, compound >= 0.05 positive,
<= -0.05 negative, else mixed or neutral) and always guessing the commonest class.

    HEARD_CACHE_DIR=.heard-cache .venv/bin/python benchmarks/sentiment_eval.py [data_dir]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pandas as pd

DEFAULT_DATA_DIR = (
    Path(__file__).resolve().parents[1].parent / "shared" / "data" / "nhs-patient-feedback"
)
FILE = "v6framework_230831.csv"
TEXT, LABEL, QUESTION = "FFT answer", "Comment sentiment", "FFT question"
FOLD = {1: "positive", 2: "positive", 3: "mixed or neutral", 4: "negative", 5: "negative"}


def load(data_dir: Path) -> pd.DataFrame:
    """The labelled, non-empty rows as ``text``, ``label`` (three classes) and ``question``."""
    path = Path(data_dir) / FILE
    if not path.is_file():
        raise FileNotFoundError(
            f"No {FILE} in {data_dir}. Pass the folder of the NHS feedback data "
            "(../shared/data/nhs-patient-feedback from the project root)."
        )
    raw = pd.read_csv(path, usecols=[TEXT, LABEL, QUESTION])
    text = raw[TEXT].fillna("").astype(str).str.strip()
    keep = raw[LABEL].notna() & (text.str.strip() != "")
    return pd.DataFrame(
        {
            "text": text[keep].to_numpy(),
            "label": raw.loc[keep, LABEL].astype(int).map(FOLD).to_numpy(),
            "question": raw.loc[keep, QUESTION].to_numpy(),
        }
    )


def vader_labels(texts: list[str]) -> list[str]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyser = SentimentIntensityAnalyzer()
    out = []
    for text in texts:
        compound = analyser.polarity_scores(text)["compound"]
        out.append(
            "positive"
            if compound >= 0.05
            else "negative"
            if compound <= -0.05
            else "mixed or neutral"
        )
    return out


def scores(truth: list[str], predicted: list[str]) -> dict[str, Any]:
    """Accuracy, macro-F1 and per-class F1 of ``predicted`` against ``truth``."""
    from sklearn.metrics import accuracy_score, f1_score

    from heard.result import SENTIMENT_LABELS

    labels = list(SENTIMENT_LABELS)
    per_class = f1_score(truth, predicted, labels=labels, average=None, zero_division=0)
    return {
        "accuracy": float(accuracy_score(truth, predicted)),
        "macro_f1": float(
            f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)
        ),
        "f1": {label: float(v) for label, v in zip(labels, per_class, strict=True)},
    }


def evaluate(data_dir: Path = DEFAULT_DATA_DIR, embedder: Any = None) -> dict[str, Any]:
    """Scores of heard, VADER and the majority baseline on the NHS sentiment labels.

    ``embedder`` is a :class:`heard.embed.Embedder` (a new one when ``None``). Returns
    ``{"n": rows, "class_shares": {...}, "heard": {...}, "heard_no_prior": {...},
    "vader": {...}, "majority": {...}, "confusion": [[...]]}``, each score dict with
    ``accuracy``, ``macro_f1`` and per-class ``f1``; ``confusion`` has a row per true
    class and a column per heard class, in :data:`heard.result.SENTIMENT_LABELS` order.
    ``"heard"`` is heard given the ``FFT question`` column, ``"heard_answers_only"``
    heard on the answers alone; ``"question_kinds"`` counts the rows per kind of
    question heard read. Everything in it is plain JSON-able data.
    """
    from sklearn.metrics import confusion_matrix

    from heard.embed import Embedder
    from heard.result import SENTIMENT_LABELS
    from heard.sentiment import SentimentModel

    data = load(data_dir)
    texts = data["text"].tolist()
    truth = data["label"].tolist()
    embedder = embedder if embedder is not None else Embedder()
    questions = data["question"].tolist()
    vectors = embedder.embed_documents(texts).vectors
    model = SentimentModel(embedder=embedder)
    heard = model.predict(vectors, texts, questions=questions)["sentiment"].tolist()
    alone = model.predict(vectors, texts)["sentiment"].tolist()
    flat = (
        SentimentModel(prior=(1, 1, 1), embedder=embedder)
        .predict(vectors, texts, questions=questions)["sentiment"]
        .tolist()
    )
    kinds = pd.Series(model.question_kinds(questions)).value_counts()
    commonest = str(data["label"].value_counts().idxmax())
    labels = list(SENTIMENT_LABELS)
    return {
        "n": len(data),
        "class_shares": data["label"].value_counts(normalize=True).reindex(labels).to_dict(),
        "heard": scores(truth, heard),
        "heard_answers_only": scores(truth, alone),
        "heard_no_prior": scores(truth, flat),
        "vader": scores(truth, vader_labels(texts)),
        "majority": scores(truth, [commonest] * len(truth)),
        "confusion": confusion_matrix(truth, heard, labels=labels).tolist(),
        "confusion_answers_only": confusion_matrix(truth, alone, labels=labels).tolist(),
        "question_kinds": {str(k): int(v) for k, v in kinds.items()},
    }


def format_table(result: dict[str, Any]) -> str:
    rows = []
    names = {
        "heard": "heard (with FFT question)",
        "heard_answers_only": "heard (answers only)",
        "heard_no_prior": "heard (with question, no prior)",
        "vader": "vader",
        "majority": "majority",
    }
    for name, title in names.items():
        s = result[name]
        rows.append(
            {
                "method": title,
                "accuracy": s["accuracy"],
                "macro-F1": s["macro_f1"],
                **{f"F1 {k}": v for k, v in s["f1"].items()},
            }
        )
    table = pd.DataFrame(rows).set_index("method")
    shares = ", ".join(f"{k} {v:.1%}" for k, v in result["class_shares"].items())
    labels = list(result["class_shares"])
    matrices = []
    for key, what in (
        ("confusion", "with FFT question"),
        ("confusion_answers_only", "answers only"),
    ):
        confusion = pd.DataFrame(
            result[key],
            index=pd.Index([f"true {x}" for x in labels]),
            columns=pd.Index([f"heard {x}" for x in labels]),
        )
        matrices.append(f"heard's confusion matrix ({what}):\n{confusion.to_string()}")
    kinds = ", ".join(f"{k} {v}" for k, v in result["question_kinds"].items())
    return (
        f"NHS FFT sentiment, {result['n']} labelled responses ({shares})\n"
        f"{table.to_string(float_format=lambda v: f'{v:.3f}')}\n\n"
        f"FFT question read as: {kinds} responses\n\n" + "\n\n".join(matrices)
    )


if __name__ == "__main__":
    directory = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DATA_DIR
    outcome = evaluate(directory)
    print(format_table(outcome))
