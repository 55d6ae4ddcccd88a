"""Describing themes: the label, key phrases and quotes of every theme and sub-theme."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


class _ThemeInfo:
    """Labels, phrases and quotes of every theme and sub-theme."""

    def __init__(self) -> None:
        self.labels: list[str] = []
        self.phrases: list[list[str]] = []
        self.quotes: list[list[int]] = []
        self.sources: list[str] = []
        self.sub_labels: list[list[str]] = []
        self.sub_phrases: list[list[list[str]]] = []
        self.sub_quotes: list[list[list[int]]] = []
        self.best_passage: dict[int, str] = {}


def _unique_label(label: str, phrases: list[str], taken: set[str]) -> str:
    if label.lower() not in taken:
        return label
    for extra in phrases:
        candidate = f"{label} ({extra})"
        if extra.lower() not in label.lower() and candidate.lower() not in taken:
            return candidate
    number = 2
    while f"{label} ({number})".lower() in taken:
        number += 1
    return f"{label} ({number})"


def _short(texts: list[str], words: int = 4) -> bool:
    """True when the median of these texts is at most ``words`` words (short answers)."""
    return bool(texts) and float(np.median([len(t.split()) for t in texts])) <= words


def _describe(
    model: Any,
    embedder: Any,
    phrase_texts: list[str],
    texts: list[str],
    vectors: np.ndarray,
    passages: Any,
    random_state: int,
    book: Any,
) -> _ThemeInfo:
    from heard.themes import key_phrases, label_from_phrases
    from heard.themes.phrases import surface_forms
    from heard.themes.quotes import pick_quotes

    info = _ThemeInfo()
    k = model.n_themes_
    labels = model.labels_
    from heard.themes.phrases import rerank

    phrases = key_phrases(phrase_texts, labels, k, top_n=12, random_state=random_state)
    taken: set[str] = set()
    origin = getattr(model, "origin_", np.full(k, -1))
    for t in range(k):
        members = np.flatnonzero(labels == t)
        centre = vectors[members].mean(axis=0)
        centre = centre / max(float(np.linalg.norm(centre)), 1e-12)
        words = rerank(phrases[t], centre, embedder, top_n=8)
        info.phrases.append(words)
        if book is not None and origin[t] >= 0:
            label = book.entries[int(origin[t])].name
            info.sources.append("codebook")
        else:
            member_texts = [texts[i] for i in np.flatnonzero(labels == t)[:300]]
            label = label_from_phrases(
                words,
                f"Theme {t + 1}",
                surface_forms(words[:4], member_texts),
                short_answers=_short(member_texts),
            )
            info.sources.append("proposed" if book is not None else "discovered")
        label = _unique_label(label, words, taken)
        taken.add(label.lower())
        info.labels.append(label)
        centrality = model.scores_[members, t]
        info.quotes.append(pick_quotes(members, centrality, vectors, texts, count=5))
        # sub-themes
        subs = model.sublabels_[members]
        n_sub = model.n_subthemes_[t] if t < len(model.n_subthemes_) else 0
        sub_words: list[list[str]] = []
        sub_labels: list[str] = []
        sub_quotes: list[list[int]] = []
        if n_sub:
            sub_labels, sub_words = _subtheme_labels(
                label, f"Sub-theme {t + 1}", members, subs, n_sub, phrase_texts, texts, random_state
            )
            for s in range(n_sub):
                smembers = members[subs == s]
                sub_quotes.append(
                    pick_quotes(smembers, model.scores_[smembers, t], vectors, texts, count=2)
                )
        info.sub_labels.append(sub_labels)
        info.sub_phrases.append(sub_words)
        info.sub_quotes.append(sub_quotes)
    # For a long response, quote the passage closest to its theme rather than its opening.
    owner = passages.passage_owner
    if len(owner) > len(texts):
        multi = np.flatnonzero(np.bincount(owner, minlength=len(texts)) > 1)
        quoted = {i for q in info.quotes for i in q} | {
            i for qs in info.sub_quotes for q in qs for i in q
        }
        for i in sorted(quoted & set(multi.tolist())):
            rows = np.flatnonzero(owner == i)
            best = rows[int(np.argmax(passages.passage_vectors[rows] @ vectors[i]))]
            info.best_passage[i] = passages.passage_text[best]
    return info


def _subtheme_labels(
    label: str,
    fallback: str,
    members: np.ndarray,
    subs: np.ndarray,
    n_sub: int,
    phrase_texts: Sequence[str],
    texts: Sequence[str],
    random_state: int,
) -> tuple[list[str], list[list[str]]]:
    """Labels and key phrases of the ``n_sub`` sub-themes of the theme called ``label``.

    ``members`` are the theme's rows, ``subs`` the sub-theme of each (0..n_sub-1);
    ``fallback`` ("Sub-theme 3") numbers a sub-theme whose phrases make no label.
    """
    from heard.themes import key_phrases, label_from_phrases
    from heard.themes.phrases import surface_forms, weak_phrase

    sub_phr = key_phrases(
        [phrase_texts[i] for i in members], subs, n_sub, random_state=random_state
    )
    parent_words = set(label.lower().replace(",", " ").split())
    taken: set[str] = {label.lower()}
    labels: list[str] = []
    words: list[list[str]] = []
    for s in range(n_sub):
        sw = [p for p, _ in sub_phr[s]]
        # a sub-theme's label should say what sets it apart from its parent
        distinct = [
            p for p in sw if not set(p.split()) <= parent_words and not weak_phrase(p)
        ] or sw
        sub_texts = [texts[i] for i in members[subs == s][:200]]
        slabel = label_from_phrases(
            distinct,
            f"{fallback}.{s + 1}",
            surface_forms(distinct[:4], sub_texts),
            short_answers=_short(sub_texts),
        )
        slabel = _unique_label(slabel, distinct, taken)
        taken.add(slabel.lower())
        words.append(sw)
        labels.append(slabel)
    return labels, words
