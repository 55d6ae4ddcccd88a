"""heard backup / heard restore round trip, as a person runs them: on a real data folder with
SQLite, and on a PostgreSQL database of its own when DATABASE_URL is set.

Data is made, backed up, then changed (the project renamed, a new story, a download file
deleted), restored, and everything is as it was at the backup. A story erased after the
backup is the exception: the erasure ledger in the data folder lists it, and the restore
erases it again (with its theme places and downloads), keeping none of its words.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

MAKE = """
from factories import make_project, make_story, make_user
owner = make_user("backup-owner")
project = make_project(owner=owner, name="Before the backup")
make_story(project, "The panel kept us waiting for a year.", external_id="kept")
"""
CHANGE = """
from heard_web.projects.models import Project
from factories import make_story
project = Project.objects.get()
project.name = "Changed after the backup"
project.save()
make_story(project, "Added after the backup.", external_id="later")
"""
SHOW = """
import json
from heard_web.projects.models import Project
project = Project.objects.get()
print(json.dumps({"name": project.name,
                  "stories": sorted(project.stories.values_list("external_id", "redacted_text"))}))
"""


def _heard(env, *args, input_=None):
    return subprocess.run(
        [sys.executable, "-m", "heard.cli", *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        input=input_,
        timeout=300,
    )


def _shell(env, code):
    setup = f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
    out = _heard(env, "manage", "shell", "--no-imports", "-c", setup + code).stdout
    return out.strip().splitlines()[-1] if out.strip() else ""


def _psql(db, sql):
    subprocess.run(
        ["psql", "-h", db["HOST"], "-p", str(db["PORT"] or 5432), "-U", db["USER"], "-d",
         "postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql],
        check=True,
    )  # fmt: skip


@pytest.fixture
def workspace(tmp_path):
    """The environment of a fresh workspace (its own data folder, its own PostgreSQL db)."""
    env = {**os.environ, "HEARD_DATA_DIR": str(tmp_path / "data"), "HF_HUB_OFFLINE": "1"}
    env.pop("REDIS_URL", None)
    db = settings.DATABASES["default"]
    name = f"heard_backup_{os.getpid()}"
    postgres = "postgresql" in db["ENGINE"]
    if postgres:
        env["DATABASE_URL"] = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + name
        _psql(db, f"DROP DATABASE IF EXISTS {name}")
        _psql(db, f"CREATE DATABASE {name}")
    _heard(env, "manage", "migrate", "--verbosity", "0")
    yield env
    if postgres:
        _psql(db, f"DROP DATABASE IF EXISTS {name}")


def test_a_backup_restores_the_database_and_the_data_folder(workspace, tmp_path):
    data = tmp_path / "data"
    _shell(workspace, MAKE)
    download = data / "exports" / "1" / "1-report.html"
    download.parent.mkdir(parents=True)
    download.write_text("<p>report</p>")
    before = json.loads(_shell(workspace, SHOW))
    assert before["name"] == "Before the backup"

    (tmp_path / "backups").mkdir()  # a folder: the backup gets a dated name in it
    made = _heard(workspace, "backup", str(tmp_path / "backups"))
    assert "Backed up the" in made.stdout
    (archive,) = (tmp_path / "backups").glob("heard-backup-*.tar.gz")

    _shell(workspace, CHANGE)
    download.unlink()
    changed = json.loads(_shell(workspace, SHOW))
    assert changed != before

    restored = _heard(workspace, "restore", "--yes", str(archive))
    assert "Restored the backup made" in restored.stdout
    assert json.loads(_shell(workspace, SHOW)) == before
    assert download.read_text() == "<p>report</p>"


def test_restoring_something_that_is_not_a_backup_says_so(workspace, tmp_path):
    bogus = tmp_path / "notes.tar.gz"
    bogus.write_text("not an archive")
    done = subprocess.run(
        [sys.executable, "-m", "heard.cli", "restore", "--yes", str(bogus)],
        env=workspace,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "is not a heard backup" in done.stderr + done.stdout


TOLD = "Our social worker Priya rang every Friday without fail, even in the floods."
MAKE_ANALYSED = f"""
from factories import make_project, make_run, make_story, make_theme, make_user
from heard_web.analysis.edits import refresh_stats
from heard_web.reports import services as reports
owner = make_user("backup-owner")
project = make_project(owner=owner, name="Before the backup")
kept = make_story(project, "The panel kept us waiting for a year.", external_id="kept")
told = make_story(project, {TOLD!r}, external_id="told", reference="K7MX-3QPA-9TZE")
run = make_run(project)
make_theme(run, "Contact", stories=[kept, told])
refresh_stats(run)
export = reports.start_export(project, "responses", {{}}, by=owner)
reports.run_export(export.pk)
export.refresh_from_db()
print(export.path)
"""
WITHDRAW = """
from heard_web.projects.models import Project
from heard_web.stories.erasure import erase_by_reference
print(erase_by_reference(Project.objects.get(), "K7MX-3QPA-9TZE"))
"""
STATE = """
import json
from heard_web.accounts.models import AuditEvent
from heard_web.analysis.models import Theme
from heard_web.reports.models import Export
from heard_web.stories.models import Story
print(json.dumps({
    "stories": sorted(Story.objects.values_list("external_id", flat=True)),
    "theme_size": Theme.objects.get().size,
    "exports": Export.objects.count(),
    "erased_again": [e.details["stories"] for e in AuditEvent.objects.filter(action="story_erased")
                     if e.details.get("reason") == "restore"],
}))
"""


def test_a_story_erased_after_the_backup_is_erased_again_when_it_is_restored(workspace, tmp_path):
    data = tmp_path / "data"
    download = Path(_shell(workspace, MAKE_ANALYSED))
    assert download.is_file() and "floods" in download.read_text()
    archive = tmp_path / "backup.tar.gz"
    _heard(workspace, "backup", str(archive))

    assert _shell(workspace, WITHDRAW) == "True"
    ledger = data / "erasure-ledger.jsonl"
    (line,) = ledger.read_text().splitlines()
    assert json.loads(line)["reason"] == "withdrawn"

    restored = _heard(workspace, "restore", "--yes", str(archive))
    assert "Erased again 1 story that had been erased after the backup" in restored.stdout
    state = json.loads(_shell(workspace, STATE))
    # Gone again, through the usual erasure: its theme place, and the download that held it.
    assert state == {"stories": ["kept"], "theme_size": 1, "exports": 0, "erased_again": [1]}
    assert not download.exists()

    # The ledger holds identifiers only: none of the story's words, nor its reference.
    kept = ledger.read_bytes()
    assert kept.count(b"\n") == 1  # the restore added nothing; it knew the story already
    entry = json.loads(kept)
    assert set(entry) == {"v", "project", "story", "created_at", "erased_at", "reason"}
    words = [w.strip(",.").lower() for w in TOLD.split() if len(w.strip(",.")) >= 4]
    for needle in [*words, "k7mx", "3qpa", "9tze"]:
        assert needle.encode() not in kept.lower(), needle

    # Restoring the same backup again erases it again; nothing else changes.
    again = _heard(workspace, "restore", "--yes", str(archive))
    assert "Erased again 1 story" in again.stdout
    assert json.loads(_shell(workspace, STATE))["stories"] == ["kept"]
    assert ledger.read_bytes() == kept
