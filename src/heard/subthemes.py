"""Sub-themes for themes that come from elsewhere, split the way :func:`heard.find_themes` splits.

The web app's re-run keeps the themes people shaped and adds the new ones it finds (see the
web app's ``docs/adr/0003-web-reruns-keep-edits.md``); those themes, and the kept ones that have
grown, need the sub-themes a first run would give them. This asks the library's own theme model
for them: :meth:`heard.themes.ThemeModel.fit_codebook` takes the themes as given (as the
codebook mode does) and splits each the same way as a first run, into as many sub-themes as its
size calls for (none under 16 responses); the sub-themes are labelled as a first run labels them.

One difference from a first run: for long stories (median 40 words or more) a first run also
weighs the stories' words when it groups; here, as in the codebook mode, the vectors alone do.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import numpy as np

from heard.errors import SettingsError

__all__ = ["SubTheme", "find_subthemes"]


@dataclass
class SubTheme:
    """One sub-theme: its rows (indices into the vectors given), label and key phrases."""

    rows: np.ndarray
    label: str
    key_phrases: list[str] = field(default_factory=list)


def find_subthemes(
    vectors: np.ndarray,
    texts: Sequence[str],
    themes: Sequence[int] | np.ndarray,
    labels: Sequence[str],
    *,
    only: Collection[int] | None = None,
    random_state: int = 0,
) -> dict[int, list[SubTheme]]:
    """The sub-themes of given themes: ``{theme: [SubTheme, ...]}``, biggest first.

    ``vectors`` (n x d, unit length) and ``texts`` are the responses; ``themes[i]`` is the
    theme of response ``i`` (0..len(labels)-1, or -1 for none) and ``labels[t]`` the name of
    theme ``t`` (a sub-theme's label says what sets it apart from it). Every response with a
    theme helps to shape the space the themes are split in, as in a first run. ``only`` limits
    the answer to those themes. A theme too small to split is not in the answer; otherwise every
    one of its responses is in exactly one of its (two or more) sub-themes.
    """
    from heard._describe import _subtheme_labels
    from heard.analysis import _phrase_text
    from heard.themes import ThemeModel

    x = np.asarray(vectors, dtype=np.float64)
    groups = np.asarray(themes, dtype=np.int64).reshape(-1)
    k = len(labels)
    if len(x) != len(groups) or len(texts) != len(groups):
        raise SettingsError(
            f"find_subthemes was given {len(x)} vectors, {len(texts)} texts and {len(groups)} "
            "themes; it needs one text and one theme per vector."
        )
    if len(groups) and (groups.max() >= k or groups.min() < -1):
        raise SettingsError(
            f"find_subthemes was given a theme number outside 0..{k - 1} (or -1 for none)."
        )
    wanted = set(range(k)) if only is None else {int(t) for t in only}
    usable = groups >= 0
    if not usable.any():
        return {}
    assigned = np.zeros((len(groups), k), dtype=bool)
    assigned[np.flatnonzero(usable), groups[usable]] = True
    model = ThemeModel(random_state=int(random_state)).fit_codebook(
        x, groups, assigned, usable=usable
    )
    phrase_texts = [_phrase_text(str(t)) for t in texts]
    plain = [str(t) for t in texts]
    out: dict[int, list[SubTheme]] = {}
    for t in range(model.n_themes_):
        theme = int(model.origin_[t])
        n_sub = model.n_subthemes_[t]
        if theme not in wanted or n_sub < 2:
            continue
        members = np.flatnonzero(model.labels_ == t)
        subs = model.sublabels_[members]
        names, words = _subtheme_labels(
            labels[theme],
            f"Sub-theme {theme + 1}",
            members,
            subs,
            n_sub,
            phrase_texts,
            plain,
            random_state,
        )
        out[theme] = [
            SubTheme(rows=members[subs == s], label=names[s], key_phrases=words[s][:8])
            for s in range(n_sub)
        ]
    return out
