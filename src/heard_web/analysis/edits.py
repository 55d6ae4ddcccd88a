"""A person's edits to the themes: applied at once, and logged as ThemeEdit so a re-run keeps them.

Every edit names themes by ``Theme.key`` (stable across runs) and stories by id, so the same
payload can be applied to the run it was made on and replayed on a newer one (an edit made
while a re-run was working is replayed on its result; see ``services.run_analysis``).

Payloads (as in :class:`~heard_web.analysis.models.ThemeEdit`):

- rename ``{"key", "label"}``
- merge ``{"keys": [...], "into", "label"?}``: stories, quotes and sub-themes of the others join
  ``into``; the others stay as rows pointing at it (``merged_into``) and leave every page.
- split ``{"key", "new_key", "label", "story_ids", "subtheme"?}``: the chosen stories leave the
  theme for a new one made by a person (``subtheme``: the sub-theme they came from, removed).
- move ``{"story_ids", "from", "to"}``: the stories' place becomes the person's (source person).
- pin / unpin ``{"key"}``.

No call to the heard library here: it is all rows.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from typing import Any

from django.db import transaction
from django.db.models import Count

from heard_web.analysis.models import (
    AnalysisRun,
    AssignedBy,
    Assignment,
    EditKind,
    Theme,
    ThemeEdit,
    ThemeKind,
)
from heard_web.stories.models import JobStatus

NO_THEME_KEY = "none"
NO_THEME_LABEL = "No clear theme"
SENTIMENTS = ("negative", "mixed or neutral", "positive")


class EditError(Exception):
    """An edit that cannot be made, with a message for the person who tried."""


def current_run(project: Any) -> AnalysisRun | None:
    """The run whose themes the project shows and people edit: the latest that succeeded."""
    return (
        project.analysis_runs.filter(status=JobStatus.SUCCEEDED)
        .order_by("-created_at", "-id")
        .first()
    )


def live_themes(run: AnalysisRun) -> Any:
    """The run's themes and sub-themes that are shown (not merged into another)."""
    return run.themes.filter(merged_into__isnull=True)


def _theme(run: AnalysisRun, key: str, *, top: bool | None = None) -> Theme:
    theme = live_themes(run).filter(key=str(key)).first()
    if theme is None:
        raise EditError(
            f"There is no theme {key!r} in this analysis any more. Reload the page and try again."
        )
    if top is True and theme.parent_id is not None:
        raise EditError(f"“{theme.label}” is a sub-theme; choose a theme.")
    return theme


def no_theme(run: AnalysisRun) -> Theme:
    """The run's "No clear theme" group (made when first needed)."""
    theme, _ = Theme.objects.get_or_create(
        run=run,
        key=NO_THEME_KEY,
        defaults={
            "project": run.project,
            "kind": ThemeKind.NONE,
            "label": NO_THEME_LABEL,
            "machine_label": NO_THEME_LABEL,
            "position": 10_000,
        },
    )
    return theme


# Applying ------------------------------------------------------------------------------


def rename(run: AnalysisRun, payload: dict[str, Any]) -> None:
    theme = _theme(run, payload["key"])
    label = " ".join(str(payload.get("label", "")).split())
    if not label:
        raise EditError("Enter the theme's new name.")
    if len(label) > 200:
        raise EditError("A theme's name can be at most 200 characters.")
    if theme.kind == ThemeKind.NONE:
        raise EditError(
            "“No clear theme” cannot be renamed; move its stories into a theme instead."
        )
    theme.label = label
    theme.renamed = label != theme.machine_label
    theme.save(update_fields=["label", "renamed"])


def pin(run: AnalysisRun, payload: dict[str, Any], value: bool = True) -> None:
    theme = _theme(run, payload["key"])
    theme.pinned = value
    theme.save(update_fields=["pinned"])


def _move_rows(rows: Any, target: Theme, *, source: str | None = None, quotes: bool = True) -> None:
    """Put the assignment rows ``rows`` (a queryset) on ``target``; where a story is there
    already, its row there stays (made primary if the moved one was). In a few queries, so a
    merge of big themes is quick."""
    there = Assignment.objects.filter(theme=target)
    promote: dict[str, Any] = {"primary": True}
    if source:
        promote["source"] = source
    there.filter(story_id__in=rows.filter(primary=True).values("story_id")).update(**promote)
    rows.filter(story_id__in=there.values("story_id")).delete()
    fields: dict[str, Any] = {"theme": target}
    if source:
        fields["source"] = source
    if not quotes:
        fields["quote_rank"] = None
    rows.update(**fields)


def merge(run: AnalysisRun, payload: dict[str, Any]) -> None:
    keys = [str(k) for k in payload.get("keys", [])]
    into = str(payload.get("into", ""))
    if into not in keys:
        keys.append(into)
    keys = list(dict.fromkeys(keys))
    if len(keys) < 2:
        raise EditError("Choose at least two themes to merge.")
    themes = [_theme(run, k, top=True) for k in keys]
    if any(t.kind == ThemeKind.NONE for t in themes):
        raise EditError("“No clear theme” cannot be merged; move its stories into a theme instead.")
    target = next(t for t in themes if t.key == into)
    for other in themes:
        if other.pk == target.pk:
            continue
        _move_rows(other.assignments.all(), target)
        other.children.update(parent=target)
        other.merged_into = target
        other.save(update_fields=["merged_into"])
    if payload.get("label"):
        rename(run, {"key": target.key, "label": payload["label"]})


def split(run: AnalysisRun, payload: dict[str, Any]) -> None:
    theme = _theme(run, payload["key"], top=True)
    if theme.kind == ThemeKind.NONE:
        raise EditError("Move stories out of “No clear theme” instead of splitting it.")
    label = " ".join(str(payload.get("label", "")).split())
    if not label:
        raise EditError("Enter a name for the new theme.")
    ids = {int(i) for i in payload.get("story_ids", [])}
    rows = theme.assignments.filter(story_id__in=ids)
    if not rows.exists():
        raise EditError("Choose at least one story of this theme to put in the new theme.")
    new_key = str(payload.get("new_key") or new_theme_key())
    if run.themes.filter(key=new_key).exists():
        raise EditError("That theme has been made already. Reload the page.")
    new = Theme.objects.create(
        project=run.project,
        run=run,
        key=new_key,
        kind=ThemeKind.PERSON,
        label=label,
        machine_label=label,
        renamed=True,
        position=theme.position,
    )
    moved = list(rows.filter(primary=True).values_list("story_id", flat=True))
    _move_rows(rows, new, source=AssignedBy.PERSON)
    Assignment.objects.filter(theme__parent=theme, story_id__in=moved).delete()
    if payload.get("subtheme"):
        theme.children.filter(key=str(payload["subtheme"])).delete()


def move(run: AnalysisRun, payload: dict[str, Any]) -> None:
    source = _theme(run, payload["from"], top=True)
    target = (
        no_theme(run) if payload["to"] == NO_THEME_KEY else _theme(run, payload["to"], top=True)
    )
    if source.pk == target.pk:
        raise EditError("Choose a different theme to move the stories to.")
    ids = {int(i) for i in payload.get("story_ids", [])}
    rows = source.assignments.filter(story_id__in=ids)
    if not rows.exists():
        raise EditError("Choose at least one story to move.")
    moved = list(rows.filter(primary=True).values_list("story_id", flat=True))
    # A moved story is no longer a quote: quotes are picked as typical of their theme.
    _move_rows(rows, target, source=AssignedBy.PERSON, quotes=False)
    Assignment.objects.filter(theme__parent=source, story_id__in=moved).delete()
    if target.kind == ThemeKind.NONE:
        # "No clear theme" means no theme at all: its stories are in no other.
        Assignment.objects.filter(
            theme__run=run, theme__parent__isnull=True, story_id__in=moved
        ).exclude(theme=target).delete()


APPLY = {
    EditKind.RENAME: rename,
    EditKind.MERGE: merge,
    EditKind.SPLIT: split,
    EditKind.MOVE: move,
    EditKind.PIN: lambda run, p: pin(run, p, True),
    EditKind.UNPIN: lambda run, p: pin(run, p, False),
}


def new_theme_key() -> str:
    """A key for a theme a person makes, unlike any the library gives ("3", "3.2", "none")."""
    return "p" + uuid.uuid4().hex[:8]


def apply(run: AnalysisRun, kind: str, payload: dict[str, Any]) -> None:
    """Apply one edit to ``run`` and bring its numbers up to date (EditError if it cannot be)."""
    with transaction.atomic():
        APPLY[EditKind(kind)](run, payload)
        refresh_stats(run)


def make_edit(project: Any, kind: str, payload: dict[str, Any], *, by: Any = None) -> ThemeEdit:
    """Apply an edit to the project's current themes and log it (EditError if it cannot be)."""
    from heard_web.projects.models import Project

    with transaction.atomic():
        # One writer at a time per project, so an edit never slips past a re-run's replay.
        Project.objects.select_for_update().filter(pk=project.pk).first()
        run = current_run(project)
        if run is None:
            raise EditError("There are no themes to edit yet. Run the analysis first.")
        if isinstance(payload.get("label"), str):
            payload = {**payload, "label": " ".join(payload["label"].split())}
        if kind == EditKind.SPLIT and not payload.get("new_key"):
            payload = {**payload, "new_key": new_theme_key()}
        apply(run, kind, payload)
        return ThemeEdit.objects.create(
            project=project, run=run, kind=kind, payload=payload, created_by=by
        )


def replay(run: AnalysisRun, edits: Any) -> list[ThemeEdit]:
    """Apply logged edits to a newer run; those that no longer fit are skipped (and returned)."""
    skipped = []
    for edit in edits:
        try:
            with transaction.atomic():
                APPLY[EditKind(edit.kind)](run, edit.payload)
        except (EditError, KeyError, ValueError, TypeError):
            skipped.append(edit)
    refresh_stats(run)
    return skipped


# Numbers -------------------------------------------------------------------------------


def refresh_stats(run: AnalysisRun) -> None:
    """Size, mentions, share, sentiment mix and order of every theme of ``run``, from its rows."""
    themes = list(run.themes.all())
    rows = (
        Assignment.objects.filter(theme__run=run)
        .values("theme_id", "primary", "story__sentiment")
        .annotate(n=Count("id"))
    )
    size: Counter[int] = Counter()
    mentions: Counter[int] = Counter()
    mix: dict[int, Counter[str]] = defaultdict(Counter)
    for r in rows:
        mentions[r["theme_id"]] += r["n"]
        if r["primary"]:
            size[r["theme_id"]] += r["n"]
            mix[r["theme_id"]][r["story__sentiment"] or ""] += r["n"]
    total = (
        Assignment.objects.filter(theme__run=run, theme__parent__isnull=True, primary=True)
        .values("story_id")
        .distinct()
        .count()
    )
    order = sorted(
        (t for t in themes if t.parent_id is None),
        key=lambda t: (t.kind == ThemeKind.NONE, -size[t.pk], t.key),
    )
    position = {t.pk: i for i, t in enumerate(order)}
    for t in themes:
        if t.merged_into_id is not None:
            t.size = t.mentions = 0
            t.share = 0.0
            t.sentiment_mix = {}
            continue
        t.size = size[t.pk]
        t.mentions = max(mentions[t.pk], t.size)
        t.share = round(t.size / total, 4) if total else 0.0
        counted = sum(mix[t.pk][s] for s in SENTIMENTS)
        t.sentiment_mix = (
            {s: round(mix[t.pk][s] / counted, 4) for s in SENTIMENTS} if counted else {}
        )
        if t.parent_id is None:
            t.position = position.get(t.pk, t.position)
    Theme.objects.bulk_update(themes, ["size", "mentions", "share", "sentiment_mix", "position"])
    run.stories_count = total
    run.save(update_fields=["stories_count"])
