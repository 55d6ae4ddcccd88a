"""The erasure test's scenario, run as its own process against a real data folder and database.

``python erasure_scenario.py OUT.json`` with HEARD_DATA_DIR, HEARD_CACHE_DIR (and DATABASE_URL
for PostgreSQL) set: migrates, imports synthetic stories (one of them the target, holding a
phone number so its original differs from its redacted text), embeds them, runs the real
analysis (the worker's embedder fills the on-disk cache), makes every kind of download, then
erases the target as an owner and makes every download again. OUT.json tells the test what to
look for (the texts and the vectors' bytes) and what was seen before the erasure.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "heard_web.settings")
os.environ.setdefault("SECRET_KEY", "test-secret-key-that-is-long-enough-0123456789")

TARGET = (
    "The quince coloured waiting room at the panel office was where Marigold Febland "
    "told us our approval had lapsed without warning, call me on 07700 900123 about it, "
    "and after that nobody at the agency answered a single letter about the match."
)


def main(out: Path) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)

    from corpus import stories_for
    from factories import make_project, make_source, make_user

    from heard_web.analysis import services as analysis
    from heard_web.reports import services as reports
    from heard_web.reports.models import ExportKind
    from heard_web.stories import services
    from heard_web.stories.erasure import erase_story
    from heard_web.stories.models import Passage, Story

    owner = make_user("erasure-owner")
    project = make_project(owner=owner, name="Erasure scenario")
    project.keep_original_text = True
    project.save()
    source = make_source(project)
    rows = [{"text": TARGET, "external_id": "target"}]
    for topic in ("waiting", "social worker", "training", "money"):
        rows += [{"text": t} for t in stories_for(topic, 8)]
    services.add_stories(project, source, rows, owner)
    services.embed_stories(project)
    run = analysis.start_run(project, by=owner)
    analysis.run_analysis(run.pk)
    run.refresh_from_db()
    assert run.status == "succeeded", run.error_message

    story = Story.objects.get(project=project, external_id="target")
    vectors = [bytes(p.embedding) for p in Passage.objects.filter(story=story)]
    # The worker's embedder (on-disk cache) has the text too, as the analysis embedded it.
    worker_vectors = analysis.embedder().embed([story.redacted_text, TARGET])
    vectors += [v.tobytes() for v in worker_vectors]
    before = {
        "redacted": story.redacted_text,
        "original": story.original_text,
        "passages": list(Passage.objects.filter(story=story).values_list("text", flat=True)),
        "quoted": story.assignments.filter(quote_rank__isnull=False).exists(),
    }
    kinds = [k.value for k in ExportKind]
    for kind in kinds:
        export = reports.start_export(project, kind, {}, by=owner)
        reports.run_export(export.pk)
    old_files = [e.stored_path for e in project.exports.all()]
    _snapshot(out.parent / "before")
    erase_story(story, actor=owner)
    new_files = []
    for kind in kinds:
        export = reports.start_export(project, kind, {}, by=owner)
        reports.run_export(export.pk)
        export.refresh_from_db()
        assert export.status == "succeeded", export.error_message
        new_files.append(export.stored_path)
    # As the files are while the server still runs (connections open, WAL not yet folded in).
    _snapshot(out.parent / "live")
    analysis.embedder().close()
    out.write_text(
        json.dumps(
            {
                **before,
                "vectors": [v.hex() for v in vectors],
                "old_files": old_files,
                "new_files": new_files,
                "story_id": story.pk,
            }
        )
    )


def _snapshot(folder: Path) -> None:
    """Copies of the data folder and the cache (and a dump of a PostgreSQL database): before
    the erasure, so the test can show it finds the story where it was, and just after it,
    while the connections are open."""
    import shutil
    import subprocess

    from django.conf import settings
    from django.db import connection

    shutil.copytree(settings.DATA_DIR, folder / "data")
    shutil.copytree(os.environ["HEARD_CACHE_DIR"], folder / "cache")
    if connection.vendor == "postgresql":
        db = settings.DATABASES["default"]
        subprocess.run(
            [
                "pg_dump",
                "-h",
                db["HOST"],
                "-p",
                str(db["PORT"] or 5432),
                "-U",
                db["USER"],
                "-f",
                str(folder / "dump.sql"),
                db["NAME"],
            ],
            check=True,
        )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
