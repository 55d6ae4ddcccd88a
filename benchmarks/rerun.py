"""How well a re-run of the web workspace places new stories in the themes people shaped.

Data: ``phase_1/text_data.csv`` from the pxtextmining datasets (kept outside the
repository, in ``../shared/data/nhs-patient-feedback``): NHS feedback, each row with one of
9 major categories given by people (``label``). Nothing here is tuned on it.

For each seed: a sample of ``--n`` responses is split into a first batch (80%) and new
responses (20%). heard finds themes in the first batch; a "person" then merges every group of
themes whose stories people mostly labelled the same (the tidying-up an analyst does). The new
responses are placed as a re-run in the workspace places them (``heard_web.analysis.matching``:
fit to the nearest stories of each theme, else the matched fresh cluster), and, for
comparison, by nearest centroid with the same thresholds and fallback. A placement is right
when the theme's own majority label is the response's label. Printed beside it: the same
measure for the first batch's own stories (how pure the themes are) and for the new
responses in a fresh analysis of everything (what re-clustering from scratch would give).
``--no-merge`` leaves the first run's themes as they are.

    HEARD_CACHE_DIR=/work/cache HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/rerun.py [--n 2000] [--seeds 0 1 2] [--no-merge]
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

DEFAULT_DATA_DIR = (
    Path(__file__).resolve().parents[1].parent / "shared" / "data" / "nhs-patient-feedback"
)


def load(data_dir: Path) -> pd.DataFrame:
    path = Path(data_dir) / "phase_1" / "text_data.csv"
    frame = pd.read_csv(path)
    frame = frame[frame["feedback"].fillna("").str.strip() != ""]
    return frame[["feedback", "label"]].reset_index(drop=True)


def majority(labels: list[str]) -> str:
    return Counter(labels).most_common(1)[0][0] if labels else ""


def place_by_centroid(vectors, ref, ref_theme, k, fresh_cluster, matched):
    from heard_web.analysis import matching

    centroids = np.stack([matching.centroid(ref, np.flatnonzero(ref_theme == j)) for j in range(k)])
    fits = matching.unit(vectors) @ centroids.T
    thresholds = np.array(
        [
            matching.fit_threshold(matching.unit(ref[ref_theme == j]) @ centroids[j])
            for j in range(k)
        ]
    )
    return matching.place(fits, thresholds, fresh_cluster, matched)


def one(frame: pd.DataFrame, n: int, seed: int, embedder, merge: bool = True) -> dict[str, float]:
    import heard
    from heard_web.analysis import matching

    sample = frame.sample(n=n, random_state=seed).reset_index(drop=True)
    cut = int(n * 0.8)
    labels = sample["label"].tolist()
    vectors = embedder.embed_documents(sample["feedback"].tolist()).vectors.astype(np.float64)
    first = heard.find_themes(
        sample.iloc[:cut], text="feedback", random_state=seed, embedder=embedder, redact=False
    )
    theme_of = first.responses["theme_id"].astype(str).tolist()
    themes = sorted({t for t in theme_of if t != "none"}, key=lambda t: int(t))
    majority_of = {t: majority([labels[i] for i in range(cut) if theme_of[i] == t]) for t in themes}
    # The person's merge: themes with the same majority label become one.
    merged = {t: majority_of[t] if merge else t for t in themes}
    groups = sorted(set(merged.values()))
    index = {g: j for j, g in enumerate(groups)}
    group_label = [majority_of[g] if not merge else g for g in groups]
    ref_theme = np.array([index[merged[t]] if t != "none" else -1 for t in theme_of])
    keep = ref_theme >= 0
    ref, ref_theme = vectors[:cut][keep], ref_theme[keep]
    first_right = np.mean(
        [labels[i] == majority_of[theme_of[i]] for i in range(cut) if theme_of[i] != "none"]
    )

    fresh = heard.find_themes(
        sample, text="feedback", random_state=seed, embedder=embedder, redact=False
    )
    fresh_ids = fresh.responses["theme_id"].astype(str).tolist()
    clusters = sorted({t for t in fresh_ids if t != "none"}, key=lambda t: int(t))
    cluster_index = {t: c for c, t in enumerate(clusters)}
    story_cluster = np.array([cluster_index.get(t, -1) for t in fresh_ids])
    k = len(groups)
    centroids = np.stack([matching.centroid(ref, np.flatnonzero(ref_theme == j)) for j in range(k)])
    fresh_centroids = np.stack(
        [
            matching.centroid(vectors, np.flatnonzero(story_cluster == c))
            for c in range(len(clusters))
        ]
    )
    matched = matching.match_themes(centroids, fresh_centroids)

    new = np.arange(cut, n)
    fits = matching.theme_fits(vectors[new], ref, ref_theme, k)
    thresholds = matching.member_thresholds(ref, ref_theme, k)
    by_neighbours = matching.place(fits, thresholds, story_cluster[new], matched)
    by_centroid = place_by_centroid(vectors[new], ref, ref_theme, k, story_cluster[new], matched)

    def score(placement) -> tuple[float, float]:
        placed = placement.theme >= 0
        right = [
            labels[i] == group_label[t] for i, t in zip(new, placement.theme, strict=True) if t >= 0
        ]
        return float(placed.mean()), float(np.mean(right)) if right else 0.0

    fresh_majority = {
        c: majority([labels[i] for i in range(cut) if story_cluster[i] == c])
        for c in range(len(clusters))
    }
    fresh_right = [
        labels[i] == fresh_majority[story_cluster[i]] for i in new if story_cluster[i] >= 0
    ]
    nb_placed, nb_right = score(by_neighbours)
    ce_placed, ce_right = score(by_centroid)
    return {
        "themes": len(themes),
        "after merge": k,
        "first batch right": float(first_right),
        "neighbours placed": nb_placed,
        "neighbours right": nb_right,
        "centroid placed": ce_placed,
        "centroid right": ce_right,
        "fresh analysis placed": float(np.mean(story_cluster[new] >= 0)),
        "fresh analysis right": float(np.mean(fresh_right)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", default=DEFAULT_DATA_DIR, type=Path)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument(
        "--no-merge", action="store_true", help="keep the first run's themes as they are"
    )
    args = parser.parse_args()
    from heard.embed import Embedder

    frame = load(args.data_dir)
    embedder = Embedder()
    rows = [one(frame, args.n, seed, embedder, merge=not args.no_merge) for seed in args.seeds]
    table = pd.DataFrame(rows, index=[f"seed {s}" for s in args.seeds])
    table.loc["mean"] = table.mean()
    pd.set_option("display.width", 200)
    print(table.round(3).T.to_string())


if __name__ == "__main__":
    main()
