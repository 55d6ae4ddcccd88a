"""Numbers and labels in plain words, shared by the report's sections."""

from __future__ import annotations

import math
import re

__all__ = ["anchor", "percent", "plural", "sentiment_phrase", "shorten"]

QUOTE_WORDS = 60
QUOTE_CHARS = 600
_SENTENCE_END = re.compile(r"[.!?][\"')”’]?(?= )")


def plural(n: int, word: str, words: str | None = None) -> str:
    """'1 response', '2,310 responses'."""
    return f"{n:,} {word if n == 1 else (words or word + 's')}"


def percent(share: float) -> str:
    """A share 0..1 as a whole percentage, never rounding a small non-zero share to 0%."""
    if not share or math.isnan(share):
        return "0%"
    if share < 0.005:
        return "less than 1%"
    if 0.995 <= share < 1:
        return "more than 99%"
    return f"{round(share * 100)}%"


def sentiment_phrase(parts: dict[str, float]) -> str:
    """How a group of responses feels, in a few words: "mostly negative", "mixed views"."""
    neg = parts.get("negative", 0.0)
    pos = parts.get("positive", 0.0)
    if not any(parts.values()):
        return "sentiment not known"
    label, top = max(parts.items(), key=lambda kv: kv[1])
    if top >= 0.5:
        return f"mostly {label}"
    if neg - pos >= 0.1:
        return "more negative than positive"
    if pos - neg >= 0.1:
        return "more positive than negative"
    return "mixed views"


def shorten(text: str, words: int = QUOTE_WORDS, chars: int = QUOTE_CHARS) -> tuple[str, bool]:
    """Cut a quote to about ``words`` words at a word boundary, ending with an ellipsis."""
    flat = " ".join(str(text).split())
    tokens = flat.split(" ")
    cut = " ".join(tokens[:words]) if len(tokens) > words else flat
    if len(cut) > chars:
        cut = cut[:chars]
        if " " in cut[chars // 2 :]:
            cut = cut[: cut.rfind(" ")]
    if cut == flat:
        return flat, False
    # End on a whole sentence when one ends in the second half of what is kept.
    ends = [m.end() for m in _SENTENCE_END.finditer(cut)]
    if ends and ends[-1] >= len(cut) // 2:
        return cut[: ends[-1]].rstrip() + " …", True
    return cut.rstrip(" ,;:-–—") + "…", True


def anchor(theme_id: str) -> str:
    """A safe HTML id for a theme: "3" -> "theme-3", "3.2" -> "theme-3-2"."""
    return "theme-" + (re.sub(r"[^A-Za-z0-9_-]+", "-", str(theme_id)).strip("-") or "x")
