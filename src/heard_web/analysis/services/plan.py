"""What a run saves, worked out before anything is written: themes, and every story's place.

A first run takes what the library found (:func:`_fresh_plan`); a re-run keeps the previous
run's themes as people shaped them and places the stories in them (:func:`_update_plan`, with
:mod:`heard_web.analysis.matching`), then splits and quotes each theme as it now is.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from heard_web.analysis import edits
from heard_web.analysis.models import AnalysisRun, AssignedBy, Assignment, Theme, ThemeKind
from heard_web.analysis.services.corpus import _Corpus

NO_THEME_KEY = edits.NO_THEME_KEY
QUOTES_PER_THEME = 5
QUOTES_PER_SUBTHEME = 2
#: A re-run knows each old theme by at most this many of its stories (sampled, seeded).
REFERENCE_PER_THEME = 3000
#: A newcomer also joins another theme that it fits within this margin of its best one.
SECONDARY_MARGIN = 0.06
#: How a re-run placed the stories that had no place yet (counted in the run's parameters).
PLACED_HOW = ("nearest", "cluster", "new_theme", "no_theme")


@dataclass
class _ThemePlan:
    key: str
    label: str
    parent: str = ""
    kind: str = ThemeKind.DISCOVERED
    machine_label: str = ""
    key_phrases: list[str] = field(default_factory=list)
    renamed: bool = False
    pinned: bool = False
    quotes: list[int] = field(default_factory=list)  # story ids, best first
    centroid: Any = None


def _kept_plan(theme: Theme, parent: str = "") -> _ThemePlan:
    """The plan of a theme carried over from the previous run as it stands."""
    return _ThemePlan(
        key=theme.key,
        parent=parent,
        label=theme.label,
        kind=theme.kind,
        machine_label=theme.machine_label,
        key_phrases=list(theme.key_phrases),
        renamed=theme.renamed,
        pinned=theme.pinned,
    )


@dataclass
class _Plan:
    """What a run saves: themes, and every story's place."""

    themes: dict[str, _ThemePlan] = field(default_factory=dict)
    primary: dict[int, tuple[str, float, str]] = field(
        default_factory=dict
    )  # story: key, score, by
    sub: dict[int, tuple[str, float, str]] = field(default_factory=dict)
    secondary: list[tuple[int, str, float, str]] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)


def _phrases(value: Any) -> list[str]:
    return [p.strip() for p in str(value or "").split(";") if p.strip()][:8]


def _fresh_plan(result: Any, corpus: _Corpus) -> _Plan:
    """A first run: the library's themes, sub-themes, places and quotes as they are.

    ``result`` is None when no story has text: there is nothing to find, so there are no
    themes (the run puts each story in "No clear theme").
    """
    plan = _Plan(notes={"mode": "discovered"})
    if result is None:
        return plan
    for row in result.themes.to_dict("records"):
        key = str(row["theme_id"])
        kind = (
            ThemeKind.NONE
            if key == NO_THEME_KEY
            else str(row.get("source") or ThemeKind.DISCOVERED)
        )
        plan.themes[key] = _ThemePlan(
            key=key,
            parent=str(row.get("parent_id") or ""),
            kind=kind,
            label=str(row["label"]),
            machine_label=str(row["label"]),
            key_phrases=_phrases(row.get("key_phrases")),
        )
    for row in result.quotes.sort_values(["theme_id", "rank"]).to_dict("records"):
        theme = plan.themes.get(str(row["theme_id"]))
        if theme is not None:
            theme.quotes.append(int(row["response_id"]))
    for row in result.assignments.to_dict("records"):
        sid, key, score = int(row["response_id"]), str(row["theme_id"]), float(row["score"])
        if row["primary"]:
            plan.primary[sid] = (key, score, AssignedBy.MACHINE)
            if row.get("subtheme_id"):
                plan.sub[sid] = (str(row["subtheme_id"]), score, AssignedBy.MACHINE)
        else:
            plan.secondary.append((sid, key, score, AssignedBy.MACHINE))
    return plan


def _update_plan(previous: AnalysisRun, result: Any, corpus: _Corpus, vectors: Any) -> _Plan:
    """A re-run: carry over the previous themes, match, place the rest, discover what is new.

    ``result`` is None when no story has text: only the carrying over is done, so the pinned
    themes stay as people left them (the run puts each story in "No clear theme").
    """
    import numpy as np

    from heard.themes import key_phrases
    from heard_web.analysis import matching

    plan = _Plan()
    pos = corpus.position
    old = list(edits.live_themes(previous).select_related("parent"))
    old_top = [t for t in old if t.parent_id is None and t.kind != ThemeKind.NONE]
    rows = list(
        Assignment.objects.filter(theme__run=previous, theme__merged_into__isnull=True).values_list(
            "story_id", "theme_id", "primary", "source", "score"
        )
    )
    key_of = {t.pk: t.key for t in old}
    parent_of = {t.pk: t.parent_id for t in old}
    for sid, tid, primary, source, score in rows:
        if sid not in pos or parent_of.get(tid) is not None:
            continue
        key = key_of[tid]
        if primary:
            if key == NO_THEME_KEY and source != AssignedBy.PERSON:
                continue  # placed again below: a new theme may fit it now
            plan.primary[sid] = (key, score, source)
    for sid, tid, primary, source, score in rows:
        if sid not in plan.primary:
            continue
        key = key_of[tid]
        parent = parent_of.get(tid)
        if parent is not None:
            if key_of.get(parent) == plan.primary[sid][0]:
                plan.sub[sid] = (key, score, source)
        elif not primary and key != plan.primary[sid][0] and plan.primary[sid][0] != NO_THEME_KEY:
            plan.secondary.append((sid, key, score, source))

    # Carry over the live themes that still have stories, and every pinned one.
    members: dict[str, list[int]] = defaultdict(list)
    for sid, (key, _, _) in plan.primary.items():
        members[key].append(pos[sid])
    kept = [t for t in old_top if members.get(t.key) or t.pinned]
    kept_keys = {t.key for t in kept}
    for t in kept:
        plan.themes[t.key] = _kept_plan(t)
    for t in old:
        if t.parent_id is not None and t.parent.key in kept_keys:
            plan.themes[t.key] = _kept_plan(t, parent=t.parent.key)
    plan.themes[NO_THEME_KEY] = _ThemePlan(
        key=NO_THEME_KEY,
        label=edits.NO_THEME_LABEL,
        kind=ThemeKind.NONE,
        machine_label=edits.NO_THEME_LABEL,
    )
    plan.sub = {sid: v for sid, v in plan.sub.items() if v[0] in plan.themes}
    plan.secondary = [s for s in plan.secondary if s[1] in kept_keys]
    counts = dict.fromkeys(PLACED_HOW, 0)
    if result is None:
        return _noted(plan, previous, old, matched={}, counts=counts)

    # Centroids (for matching) and the stories each theme is known by (for placing).
    dims = vectors.shape[1] if len(vectors) else 384
    centroids = np.zeros((len(kept), dims))
    for j, t in enumerate(kept):
        rows_j = members.get(t.key, [])
        if rows_j:
            centroids[j] = matching.centroid(vectors, rows_j)
        elif t.centroid:
            centroids[j] = matching.unit(np.frombuffer(bytes(t.centroid), dtype=np.float32))
    ref_rows: list[int] = []
    ref_theme: list[int] = []
    rng = np.random.default_rng(int(previous.parameters.get("random_state", 0)))
    for j, t in enumerate(kept):
        rows_j = sorted(members.get(t.key, []))
        if len(rows_j) > REFERENCE_PER_THEME:
            rows_j = sorted(rng.choice(rows_j, REFERENCE_PER_THEME, replace=False).tolist())
        ref_rows.extend(rows_j)
        ref_theme.extend([j] * len(rows_j))
    reference = vectors[np.asarray(ref_rows, dtype=np.int64)] if ref_rows else np.zeros((0, dims))
    ref_theme_arr = np.asarray(ref_theme, dtype=np.int64)
    thresholds = matching.member_thresholds(reference, ref_theme_arr, len(kept))
    for j, t in enumerate(kept):
        if not members.get(t.key) and not t.centroid:
            thresholds[j] = np.inf  # an empty pinned theme with nothing to compare: people fill it

    # The fresh clusters, and which old theme each one is.
    fresh_rows = result.themes[
        (result.themes["level"] == 1) & (result.themes["theme_id"] != NO_THEME_KEY)
    ]
    fresh_ids = [str(x) for x in fresh_rows["theme_id"]]
    fresh_index = {tid: c for c, tid in enumerate(fresh_ids)}
    story_cluster = np.array(
        [fresh_index.get(str(t), -1) for t in result.responses["theme_id"]], dtype=np.int64
    )
    fresh_centroids = np.zeros((len(fresh_ids), dims))
    for c in range(len(fresh_ids)):
        fresh_centroids[c] = matching.centroid(vectors, np.flatnonzero(story_cluster == c))
    matched = matching.match_themes(centroids, fresh_centroids)

    # Place every story that has no place yet.
    todo = [i for i, sid in enumerate(corpus.ids) if sid not in plan.primary]
    fits = matching.theme_fits(vectors[todo], reference, ref_theme_arr, len(kept))
    for j in range(len(kept)):
        if not (ref_theme_arr == j).any() and centroids[j].any():
            fits[:, j] = vectors[todo] @ centroids[j]  # a pinned theme known only by its centroid
    placed = matching.place(fits, thresholds, story_cluster[todo], matched)
    leftovers: dict[int, list[int]] = defaultdict(list)
    for n, i in enumerate(todo):
        sid = corpus.ids[i]
        j = int(placed.theme[n])
        if j < 0:
            leftovers[int(story_cluster[i])].append(i)
            continue
        key = kept[j].key
        counts[placed.how[n]] += 1
        plan.primary[sid] = (key, round(float(max(placed.score[n], 0.0)), 4), AssignedBy.MACHINE)
        row = fits[n]
        for k in np.flatnonzero((row >= row[j] - SECONDARY_MARGIN) & (row >= thresholds)):
            if k != j:
                plan.secondary.append(
                    (sid, kept[k].key, round(float(row[k]), 4), AssignedBy.MACHINE)
                )

    # What fits nothing: a new theme where an unmatched fresh cluster gathers enough of it.
    numbers = [int(k) for k in (t.key for t in old) if k.isdigit()]
    next_number = max(numbers, default=0) + 1
    labels_taken = {t.label.lower() for t in plan.themes.values()}
    fresh_by_id = {str(r["theme_id"]): r for r in result.themes.to_dict("records")}
    for c, rows_c in sorted(leftovers.items()):
        if c < 0 or c in matched or len(rows_c) < matching.MIN_NEW_THEME:
            for i in rows_c:
                plan.primary[corpus.ids[i]] = (NO_THEME_KEY, 0.0, AssignedBy.MACHINE)
                counts["no_theme"] += 1
            continue
        fresh = fresh_by_id[fresh_ids[c]]
        key = str(next_number)
        next_number += 1
        label = str(fresh["label"])
        base, extra = label, 2
        while label.lower() in labels_taken:
            label, extra = f"{base} ({extra})", extra + 1
        labels_taken.add(label.lower())
        plan.themes[key] = _ThemePlan(
            key=key,
            label=label,
            machine_label=label,
            key_phrases=_phrases(fresh.get("key_phrases")),
        )
        centre = matching.centroid(vectors, rows_c)
        for i in rows_c:
            plan.primary[corpus.ids[i]] = (
                key,
                round(float(max(vectors[i] @ centre, 0.0)), 4),
                AssignedBy.MACHINE,
            )
            counts["new_theme"] += 1

    # Sub-themes: a story of a theme that has them joins the nearest; a theme without them
    # (found now, or grown) is split as a first run would split it.
    _place_in_subthemes(plan, corpus, vectors)
    taken = set(previous.themes.values_list("key", flat=True))
    _split_themes(plan, corpus, vectors, taken, int(result.settings.get("random_state", 0)))

    # Key phrases for the themes as they now are (a pinned theme keeps its own).
    tops, groups = _top_groups(plan, corpus)
    if len(tops) and (groups >= 0).any():
        phrases = key_phrases(corpus.texts, groups, len(tops), top_n=8)
        for key, words in zip(tops, phrases, strict=True):
            if words and not plan.themes[key].pinned:
                plan.themes[key].key_phrases = [w for w, _ in words][:8]
    _pick_quotes(plan, corpus, vectors)
    return _noted(plan, previous, old, matched=matched, counts=counts)


def _noted(
    plan: _Plan,
    previous: AnalysisRun,
    old: list[Theme],
    matched: dict[Any, Any],
    counts: dict[str, int],
) -> _Plan:
    """``plan`` with what a re-run records about itself (in its run's parameters)."""
    old_keys = {t.key for t in old}
    plan.notes = {
        "mode": "updated",
        "previous_run": previous.pk,
        "matched_clusters": len(matched),
        "placed": counts,
        "new_themes": [
            k for k, plan_t in plan.themes.items() if k not in old_keys and not plan_t.parent
        ],
    }
    return plan


def _top_groups(plan: _Plan, corpus: _Corpus) -> tuple[list[str], Any]:
    """The plan's top-level themes (not "No clear theme") and each story's place among them
    (its row's number in that list, -1 for none), as the library takes groups."""
    import numpy as np

    tops = [k for k, t in plan.themes.items() if not t.parent and k != NO_THEME_KEY]
    index = {k: n for n, k in enumerate(tops)}
    pos = corpus.position
    groups = np.full(len(corpus.ids), -1, dtype=np.int64)
    for sid, (key, _, _) in plan.primary.items():
        if sid in pos and key in index:
            groups[pos[sid]] = index[key]
    return tops, groups


def _place_in_subthemes(plan: _Plan, corpus: _Corpus, vectors: Any) -> None:
    """Put each story of a theme with sub-themes, but in none of them, in the nearest one.

    As in a first run, where every story of a theme with sub-themes is in one: new stories, and
    stories a person moved into the theme (the person chose the theme; the sub-theme is the
    machine's). Nearest by centroid, as the library's own split assigns its stories.
    """
    from heard_web.analysis import matching

    pos = corpus.position
    members: dict[str, list[int]] = defaultdict(list)
    for sid, (skey, _, _) in plan.sub.items():
        if sid in pos:
            members[skey].append(pos[sid])
    centres: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    for skey, theme in plan.themes.items():
        if theme.parent and members.get(skey):
            centres[theme.parent].append((skey, matching.centroid(vectors, members[skey])))
    for sid, (key, _, _) in plan.primary.items():
        if sid in plan.sub or not centres.get(key) or sid not in pos:
            continue
        i = pos[sid]
        score, skey = max((float(vectors[i] @ c), skey) for skey, c in centres[key])
        plan.sub[sid] = (skey, round(max(score, 0.0), 4), AssignedBy.MACHINE)


def _split_themes(
    plan: _Plan, corpus: _Corpus, vectors: Any, taken: set[str], random_state: int
) -> None:
    """Sub-themes for every theme that has none, from the library (``heard.subthemes``).

    The library splits each theme as a first run does (none under 16 stories), in a space
    shaped by all the themed stories. Sub-theme keys are ``<key>.1``, ``<key>.2``... biggest
    first, never a key of the previous run (a replayed edit must not find a stranger there).
    """

    from heard.subthemes import find_subthemes
    from heard_web.analysis import matching

    tops, groups = _top_groups(plan, corpus)
    has_subs = {t.parent for t in plan.themes.values() if t.parent}
    bare = [n for n, k in enumerate(tops) if k not in has_subs]
    if not bare:
        return
    found = find_subthemes(
        vectors,
        corpus.texts,
        groups,
        [plan.themes[k].label for k in tops],
        only=bare,
        random_state=random_state,
    )
    taken = taken | set(plan.themes)
    for n, subs in found.items():
        key = tops[n]
        number = 0
        for sub in subs:
            number += 1
            while f"{key}.{number}" in taken:
                number += 1
            skey = f"{key}.{number}"
            taken.add(skey)
            plan.themes[skey] = _ThemePlan(
                key=skey,
                parent=key,
                label=sub.label,
                machine_label=sub.label,
                key_phrases=list(sub.key_phrases),
            )
            centre = matching.centroid(vectors, sub.rows)
            for i in sub.rows:
                score = round(float(max(vectors[i] @ centre, 0.0)), 4)
                plan.sub[corpus.ids[int(i)]] = (skey, score, AssignedBy.MACHINE)


def _pick_quotes(plan: _Plan, corpus: _Corpus, vectors: Any) -> None:
    """Representative quotes for every theme as it now is (the library's own picker)."""
    import numpy as np

    from heard.themes.quotes import pick_quotes
    from heard_web.analysis import matching

    pos = corpus.position
    members: dict[str, list[int]] = defaultdict(list)
    for sid, (key, _, _) in plan.primary.items():
        if sid in pos:
            members[key].append(pos[sid])
    for sid, (key, _, _) in plan.sub.items():
        if sid in pos:
            members[key].append(pos[sid])
    for key, theme in plan.themes.items():
        rows = np.asarray(sorted(members.get(key, [])), dtype=np.int64)
        if not len(rows):
            theme.quotes = []
            continue
        centre = matching.centroid(vectors, rows)
        count = QUOTES_PER_SUBTHEME if theme.parent else QUOTES_PER_THEME
        picked = pick_quotes(rows, vectors[rows] @ centre, vectors, corpus.texts, count=count)
        theme.quotes = [corpus.ids[i] for i in picked]
