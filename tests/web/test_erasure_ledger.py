"""The erasure ledger (stories.ledger): every erasure adds identifiers, never content, to a file
in the data folder, and erasing again from it touches only the very stories it names.

The restore that uses it, on SQLite and PostgreSQL, is in test_backup.py.
"""

from __future__ import annotations

import json
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone
from factories import make_run, make_story, make_theme

from heard.errors import HeardError
from heard_web.stories import ledger
from heard_web.stories.erasure import (
    Reason,
    apply_retention,
    erase_again,
    erase_by_reference,
    erase_story,
)
from heard_web.stories.models import Story

pytestmark = pytest.mark.django_db

WORDS = "Our foster carer Bronwen drove us to football every Saturday morning."


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def lines(data_dir):
    return (data_dir / ledger.LEDGER_NAME).read_text().splitlines()


def test_every_kind_of_erasure_adds_one_line_per_story_with_identifiers_only(roles, data_dir):
    project, owner = roles["project"], roles["owner"]
    deleted = make_story(project, WORDS)
    withdrawn = make_story(project, "Withdrawn words about the panel.", reference="AAAA-BBBB-CCCC")
    old = make_story(project, "Old words past retention.")
    erase_story(deleted, actor=owner)
    assert erase_by_reference(project, "AAAA-BBBB-CCCC")
    project.retention_days = 30
    project.save()
    later = timezone.now() + timedelta(days=31)
    with mock.patch("django.utils.timezone.now", return_value=later):
        apply_retention()

    entries = ledger.read()
    assert [(e.story, e.reason) for e in entries] == [
        (deleted.pk, "owner"),
        (withdrawn.pk, "withdrawn"),
        (old.pk, "retention"),
    ]
    assert all(e.project == project.pk for e in entries)
    assert entries[0].created_at == deleted.created_at
    raw = (data_dir / ledger.LEDGER_NAME).read_text()
    for line in raw.splitlines():
        assert set(json.loads(line)) == {
            "v",
            "project",
            "story",
            "created_at",
            "erased_at",
            "reason",
        }
    for word in [*WORDS.lower().split(), "withdrawn words", "aaaa", "panel", "retention."]:
        if len(word) >= 4:
            assert word not in raw.lower(), word
    assert (data_dir / ledger.LEDGER_NAME).stat().st_mode & 0o077 == 0


def test_erasing_again_takes_only_stories_whose_project_id_and_creation_time_all_match(
    roles, data_dir
):
    project = roles["project"]
    story = make_story(project, WORDS)
    same_id_elsewhere = ledger.Entry(
        project=project.pk,
        story=story.pk,
        created_at=story.created_at - timedelta(microseconds=1),
        erased_at=timezone.now(),
        reason="owner",
    )
    other_project = ledger.Entry(
        project=roles["other_project"].pk,
        story=story.pk,
        created_at=story.created_at,
        erased_at=timezone.now(),
        reason="owner",
    )
    missing_project = ledger.Entry(
        project=10**9, story=story.pk, created_at=story.created_at,
        erased_at=timezone.now(), reason="owner",
    )  # fmt: skip
    assert erase_again([same_id_elsewhere, other_project, missing_project]) == 0
    assert Story.objects.filter(pk=story.pk).exists()

    this_one = ledger.Entry(
        project=project.pk,
        story=story.pk,
        created_at=story.created_at,
        erased_at=timezone.now(),
        reason="withdrawn",
    )
    assert erase_again([same_id_elsewhere, this_one]) == 1
    assert not Story.objects.filter(pk=story.pk).exists()
    assert not (data_dir / ledger.LEDGER_NAME).exists()  # erasing again writes no new line


def test_erasing_again_recounts_themes_and_deletes_downloads_like_any_erasure(roles, data_dir):
    from heard_web.analysis.edits import refresh_stats
    from heard_web.reports import services as reports

    project = roles["project"]
    back, other = make_story(project, WORDS), make_story(project, "Second story about school.")
    run = make_run(project)
    theme = make_theme(run, "Getting about", stories=[back, other])
    refresh_stats(run)
    export = reports.start_export(project, "responses", {}, by=roles["owner"])
    reports.run_export(export.pk)
    export.refresh_from_db()
    assert export.path.exists()
    # As after a restore: the ledger names a story that the database holds again.
    entry = ledger.Entry(
        project=project.pk, story=back.pk, created_at=back.created_at,
        erased_at=timezone.now(), reason="withdrawn",
    )  # fmt: skip
    assert erase_again([entry]) == 1
    theme.refresh_from_db()
    assert theme.size == 1 and not export.path.exists() and not project.exports.exists()
    assert list(project.stories.all()) == [other]


def test_a_line_cut_short_by_a_crash_is_skipped_and_the_next_line_stays_whole(roles, data_dir):
    path = data_dir / ledger.LEDGER_NAME
    path.write_text('{"v": 1, "project": 1, "sto')
    story = make_story(roles["project"], WORDS)
    erase_story(story, reason=Reason.OWNER)
    assert [e.story for e in ledger.read()] == [story.pk]
    assert len(lines(data_dir)) == 2


def test_a_ledger_that_cannot_be_written_stops_the_erasure_and_says_what_to_do(roles, data_dir):
    (data_dir / ledger.LEDGER_NAME).mkdir()  # a folder where the file should be
    story = make_story(roles["project"], WORDS)
    with pytest.raises(HeardError, match="so nothing was erased. Check that the data folder"):
        erase_story(story)
    assert Story.objects.filter(pk=story.pk, redacted_text=WORDS).exists()


def test_merging_a_backups_ledger_adds_only_the_entries_missing(roles, data_dir, tmp_path):
    first, second = (make_story(roles["project"], f"Story {n} words.") for n in (1, 2))
    erase_story(first)
    backup_copy = tmp_path / "from-backup.jsonl"
    backup_copy.write_bytes((data_dir / ledger.LEDGER_NAME).read_bytes())
    erase_story(second)
    assert ledger.merge(backup_copy) == 0
    assert [e.story for e in ledger.read()] == [first.pk, second.pk]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert ledger.merge(data_dir / ledger.LEDGER_NAME, elsewhere / ledger.LEDGER_NAME) == 2
