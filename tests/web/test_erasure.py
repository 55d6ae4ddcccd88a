"""Erasure (owner deletion, withdrawal by reference, retention) and the owner-only story pages.

The first test runs a whole scenario in its own process on a real data folder (SQLite file,
or a PostgreSQL database of its own when DATABASE_URL is set): real import, embedding,
analysis and every download, then erasure. Afterwards neither the story's text, nor any
8-word fragment of it, nor its vectors are found in the database (the SQLite file with its
WAL and a dump of every table, or pg_dump), the data folder, the embedding cache, or the
downloads made again. The same search finds them in a copy taken before the erasure.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from erasure_search import find, find_in_bytes, text_needles, vector_needles
from factories import make_run, make_story, make_theme

from heard_web.accounts.models import AuditEvent
from heard_web.analysis.edits import refresh_stats
from heard_web.analysis.models import Assignment
from heard_web.reports import services as reports
from heard_web.stories.erasure import apply_retention, erase_by_reference, erase_story
from heard_web.stories.models import Passage, Story

HERE = Path(__file__).resolve().parent
WHO = ["owner", "analyst", "viewer", "outsider", "anonymous"]
OWNER_ONLY = {"owner": 200, "analyst": 403, "viewer": 403, "outsider": 404, "anonymous": 302}


def _postgres_url(name: str) -> str:
    base = os.environ["DATABASE_URL"]
    return base.rsplit("/", 1)[0] + "/" + name


def _psql(db: dict, sql: str) -> None:
    subprocess.run(
        ["psql", "-h", db["HOST"], "-p", str(db["PORT"] or 5432), "-U", db["USER"], "-d",
         "postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql],
        check=True,
    )  # fmt: skip


def test_after_erasure_nothing_of_the_story_is_left_anywhere(tmp_path):
    env = {
        **os.environ,
        "HEARD_DATA_DIR": str(tmp_path / "data"),
        "HEARD_CACHE_DIR": str(tmp_path / "cache"),
        "HF_HUB_OFFLINE": "1",
    }
    env.pop("REDIS_URL", None)
    db = settings.DATABASES["default"]
    postgres = "postgresql" in db["ENGINE"]
    name = f"heard_erasure_{os.getpid()}"
    if postgres:
        env["DATABASE_URL"] = _postgres_url(name)
        _psql(db, f"DROP DATABASE IF EXISTS {name}")
        _psql(db, f"CREATE DATABASE {name}")
    try:
        out = tmp_path / "out.json"
        subprocess.run(
            [sys.executable, str(HERE / "erasure_scenario.py"), str(out)],
            env=env,
            check=True,
            timeout=600,
        )
        seen = json.loads(out.read_text())
        dump = b""
        if postgres:
            dump = subprocess.run(
                ["pg_dump", "-h", db["HOST"], "-p", str(db["PORT"] or 5432), "-U", db["USER"],
                 name],
                check=True,
                capture_output=True,
            ).stdout  # fmt: skip
    finally:
        if postgres:
            _psql(db, f"DROP DATABASE IF EXISTS {name}")
    texts = text_needles([seen["redacted"], seen["original"], *seen["passages"]])
    vectors = vector_needles(bytes.fromhex(v) for v in seen["vectors"])
    before, after = tmp_path / "before", [tmp_path / "data", tmp_path / "cache"]

    # The search finds the story where it was: the database, the downloads, the cache.
    assert find([before / "data"], texts), "the text was not found before the erasure"
    assert find([before / "cache"], vectors), "the vectors were not found in the cache before"
    if postgres:
        assert find_in_bytes("dump", (before / "dump.sql").read_bytes(), texts + vectors)
    else:
        assert find([before / "data"], vectors)  # heard.sqlite3 and its -wal

    assert find(after, texts + vectors) == []
    live = tmp_path / "live"  # copied while the scenario's connections were still open
    assert find([live / "data", live / "cache"], texts + vectors) == []
    if postgres:
        assert find_in_bytes("live dump", (live / "dump.sql").read_bytes(), texts + vectors) == []
    assert find_in_bytes("pg_dump", dump, texts + vectors) == []
    assert not any(Path(p).exists() for p in seen["old_files"])
    assert all(Path(p).exists() for p in seen["new_files"])


# In the test database -----------------------------------------------------------------


@pytest.fixture
def analysed(roles):
    """A run with two themes; the story to erase is the first quote of "Waiting"."""
    project = roles["project"]
    run = make_run(project, parameters={"segments": [], "random_state": 0})
    waiting = [make_story(project, f"We waited {n} months for a match.") for n in range(5)]
    training = [make_story(project, f"Training day {n} was useful.") for n in range(3)]
    target = waiting[0]
    Passage.objects.create(story=target, index=0, text=target.redacted_text, embedding=b"\1" * 8)
    theme = make_theme(run, "Waiting", key="1", stories=waiting)
    make_theme(run, "Training", key="2", stories=training)
    for rank, story in enumerate(waiting[:3], start=1):
        Assignment.objects.filter(theme=theme, story=story).update(quote_rank=rank)
    refresh_stats(run)
    return {**roles, "run": run, "theme": theme, "target": target}


def test_erasing_a_story_removes_its_rows_and_exports_and_recounts_its_themes(analysed):
    project, target, theme = analysed["project"], analysed["target"], analysed["theme"]
    export = reports.start_export(project, "responses", {}, by=analysed["owner"])
    reports.run_export(export.pk)
    export.refresh_from_db()
    path = export.path
    assert path.exists()

    done = erase_story(target, actor=analysed["owner"])

    assert done.stories == 1 and done.exports_deleted == 1
    assert not Story.objects.filter(pk=target.pk).exists()
    assert not Passage.objects.filter(story_id=target.pk).exists()
    assert not Assignment.objects.filter(story_id=target.pk).exists()
    assert not path.exists() and not project.exports.exists()
    theme.refresh_from_db()
    assert theme.size == 4 and theme.share == pytest.approx(4 / 7, abs=1e-3)
    ranks = sorted(theme.assignments.exclude(quote_rank=None).values_list("quote_rank", flat=True))
    assert ranks == [1, 2, 3]  # the erased quote was replaced


def test_the_audit_log_records_who_erased_and_when_but_no_content(analysed):
    target = analysed["target"]
    words = target.redacted_text
    erase_story(target, actor=analysed["owner"])
    event = AuditEvent.objects.get(action="story_erased")
    assert event.actor == analysed["owner"] and event.project == analysed["project"]
    assert event.details["stories"] == 1
    assert words not in json.dumps(event.details)
    assert not AuditEvent.objects.filter(details__icontains="waited").exists()


def test_a_story_is_withdrawn_with_its_reference_and_only_in_its_project(analysed):
    target = analysed["target"]
    Story.objects.filter(pk=target.pk).update(reference="HRD-7Q2K-99XA")
    assert not erase_by_reference(analysed["other_project"], "HRD-7Q2K-99XA")
    assert not erase_by_reference(analysed["project"], "")
    assert erase_by_reference(analysed["project"], " hrd-7q2k-99xa ")
    assert not Story.objects.filter(pk=target.pk).exists()
    event = AuditEvent.objects.get(action="story_withdrawn")
    assert event.actor is None
    assert not erase_by_reference(analysed["project"], "HRD-7Q2K-99XA")


def _login(client, roles, who):
    if who != "anonymous":
        client.force_login(roles[who])
    return client


@pytest.mark.parametrize("who", WHO)
def test_only_owners_can_open_and_confirm_the_erase_page(client, analysed, who):
    target = analysed["target"]
    url = reverse(
        "stories:delete",
        kwargs={"project_slug": analysed["project"].slug, "story_id": target.pk},
    )
    _login(client, analysed, who)
    assert client.get(url).status_code == OWNER_ONLY[who]
    response = client.post(url)
    assert response.status_code == (302 if who in ("owner", "anonymous") else OWNER_ONLY[who])
    assert Story.objects.filter(pk=target.pk).exists() == (who != "owner")


@pytest.mark.parametrize("who", WHO)
def test_only_owners_see_the_original_text_and_each_view_is_audited(client, analysed, who):
    project = analysed["project"]
    project.keep_original_text = True
    project.save()
    story = make_story(project, "Call [NAME] please.", original_text="Call Jo Bloggs please.")
    url = reverse("stories:original", kwargs={"project_slug": project.slug, "story_id": story.pk})
    _login(client, analysed, who)
    page = client.get(url)
    assert page.status_code == OWNER_ONLY[who]
    assert b"Jo Bloggs" not in page.content  # asked for with a button, not shown at once
    shown = client.post(url)
    assert shown.status_code == OWNER_ONLY[who]
    assert (b"Jo Bloggs" in shown.content) == (who == "owner")
    assert AuditEvent.objects.filter(action="original_viewed").count() == (who == "owner")


def test_the_original_page_is_not_found_when_the_project_keeps_no_originals(client, analysed):
    story = make_story(analysed["project"], "Text.", original_text="Text as written.")
    client.force_login(analysed["owner"])
    url = reverse(
        "stories:original", kwargs={"project_slug": analysed["project"].slug, "story_id": story.pk}
    )
    assert client.get(url).status_code == 404


# Retention ---------------------------------------------------------------------------


def test_retention_erases_stories_once_the_clock_passes_the_period(analysed):
    project, other = analysed["project"], analysed["other_project"]
    project.retention_days = 30
    project.save()
    kept_elsewhere = make_story(other, "Another project keeps everything.")
    count = project.stories.count()
    assert apply_retention() == {}  # nothing is old yet
    later = timezone.now() + timedelta(days=20)
    newer = make_story(project, "Arrived twenty days later.", created_at=later)
    with mock.patch("django.utils.timezone.now", return_value=later + timedelta(days=11)):
        assert apply_retention() == {project.slug: count}
    assert list(project.stories.all()) == [newer]
    assert Story.objects.filter(pk=kept_elsewhere.pk).exists()
    event = AuditEvent.objects.get(action="retention_run")
    assert event.actor is None and event.details["stories"] == count


def test_the_retention_command_erases_by_hand(analysed, capsys):
    project = analysed["project"]
    project.retention_days = 7
    project.save()
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(days=8)):
        call_command("apply_retention")
    assert not project.stories.exists()
    assert f"{project.slug}: 8 stories erased." in capsys.readouterr().out
    call_command("apply_retention")
    assert "No story is past" in capsys.readouterr().out


def test_the_worker_applies_retention_when_it_starts_and_then_daily():
    from heard_web import server

    calls = []

    def once():
        calls.append(1)
        server.retention_stop.set()  # the loop ends after this round

    try:
        with (
            mock.patch("heard_web.stories.erasure.apply_retention", side_effect=once),
            mock.patch.object(server.retention_stop, "wait") as wait,
        ):
            server._retention_daily().join(10)
    finally:
        server.retention_stop.clear()
    assert calls == [1]
    wait.assert_called_once_with(24 * 3600)
