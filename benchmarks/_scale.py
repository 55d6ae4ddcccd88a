"""The ``--scale N`` part of the themes benchmark: many distinct responses, one cold run.

The parent (``benchmarks/themes.py --scale N``) starts a fresh Python process,

    python benchmarks/themes.py --_scale-child N --cache-dir TMP --data-dir DIR

so that the peak memory it reads (``ru_maxrss``) belongs to one analysis only. The child
builds N responses by repeating the texts of ``phase_1/text_data.csv`` with small seeded
changes (a word dropped or repeated, a change of case, punctuation, a digit), so every
response is a different text that has to be embedded, runs the whole ``find_themes``
against the empty cache folder, and prints one line ``SCALE-RESULT {json}``. It then runs
again with another seed (the cache now warm) to measure how much the themes depend on the
seed when sampling matters (beyond ``ThemeModel.sample_size`` responses).
"""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

RESULT_PREFIX = "SCALE-RESULT "
_PUNCTUATION = ("!", ".", "?", "...", ",", " -")


def _perturb(text: str, rng: random.Random) -> str:
    """One or two small edits that leave the meaning of ``text`` intact."""
    words = text.split() or [text]
    for _ in range(rng.randint(1, 2)):
        edit = rng.randrange(5)
        i = rng.randrange(len(words))
        if edit == 0 and len(words) > 3:
            del words[i]
        elif edit == 1:
            words.insert(i, words[i])
        elif edit == 2:
            words[i] = rng.choice((str.upper, str.lower, str.capitalize))(words[i])
        elif edit == 3:
            words[-1] = words[-1] + rng.choice(_PUNCTUATION)
        else:
            words.append(str(rng.randrange(10)))
    return " ".join(words)


def scaled_texts(texts: list[str], n: int, seed: int = 0) -> list[str]:
    """``n`` distinct texts: ``texts`` once as they are, then changed copies of them, in turn."""
    base = [t for t in texts if t]
    if not base:
        raise ValueError("scaled_texts needs at least one non-empty text")
    rng = random.Random(seed)
    seen: set[str] = set()
    out: list[str] = []
    i = 0
    while len(out) < n:
        candidate = base[i % len(base)]
        if i >= len(base) or candidate in seen:
            candidate = _perturb(candidate, rng)
        while candidate in seen:
            candidate = _perturb(candidate, rng)
        seen.add(candidate)
        out.append(candidate)
        i += 1
    return out


def peak_rss_bytes() -> int:
    """Peak resident memory of this process so far (``ru_maxrss`` is in KiB on Linux)."""
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024


def child_main(n: int, cache_dir: Path, data_dir: Path) -> int:
    """Run in the fresh child process: one cold analysis of ``n`` responses, then another seed."""
    started = time.perf_counter()
    import sentence_transformers  # noqa: F401  (imports are timed apart from the analysis)
    import torch  # noqa: F401
    from sklearn.metrics import adjusted_rand_score

    import heard

    source = pd.read_csv(data_dir / "phase_1" / "text_data.csv", usecols=["feedback"])
    texts = scaled_texts(source["feedback"].fillna("").astype(str).str.strip().tolist(), n)
    frame = pd.DataFrame({"feedback": texts})
    ready = time.perf_counter()

    t0 = time.perf_counter()
    first = heard.find_themes(frame, text="feedback", cache_dir=cache_dir, random_state=0)
    seconds = time.perf_counter() - t0
    peak = peak_rss_bytes()
    result: dict[str, Any] = {
        "n": len(texts),
        "distinct": len(set(texts)),
        "seconds": seconds,
        "setup_seconds": ready - started,
        "peak_rss_bytes": peak,
        "timings": dict(first.timings),
        "themes": len(first.top_themes),
        "no_theme_share": first.no_theme_share,
    }
    t0 = time.perf_counter()
    second = heard.find_themes(frame, text="feedback", cache_dir=cache_dir, random_state=1)
    result["seed1_warm_seconds"] = time.perf_counter() - t0
    result["seed_ari"] = float(
        adjusted_rand_score(
            first.responses["theme_id"].to_numpy(), second.responses["theme_id"].to_numpy()
        )
    )
    result["peak_rss_bytes_after_seed1"] = peak_rss_bytes()
    print(RESULT_PREFIX + json.dumps(result), flush=True)
    return 0


def run_child(script: Path, n: int, cache_dir: Path, data_dir: Path) -> dict[str, Any]:
    """Start the child process and return what it measured (``wall_seconds`` added)."""
    command = [
        sys.executable,
        str(script),
        "--_scale-child",
        str(n),
        "--cache-dir",
        str(cache_dir),
        "--data-dir",
        str(data_dir),
    ]
    t0 = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    for line in done.stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            result: dict[str, Any] = json.loads(line[len(RESULT_PREFIX) :])
            result["wall_seconds"] = wall
            return result
    tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
    raise RuntimeError(f"the scale run exited with code {done.returncode}:\n{tail}")
