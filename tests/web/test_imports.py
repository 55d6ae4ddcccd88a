"""Imports: upload, preview and choose columns, the background task, redaction, no duplicates,
clear messages for bad files, and nothing left behind when an import fails.

Every file here is synthetic, written by the test; the phone number and names are made up
(07700 900xxx is Ofcom's range for drama).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse

from heard_web.stories.models import ImportJob, JobStatus, Passage, Source, Story

WHO = ["owner", "analyst", "viewer", "outsider", "anonymous"]
PHONE = "07700 900123"
NAME = "Priya Kaur"

SURVEY = (
    "ref,comment,role,area,submitted\n"
    f"R1,My social worker {NAME} rang me on {PHONE} about the panel.,adopter,North,2026-01-05\n"
    "R2,The wait after approval felt endless; nobody told us anything for months.,adopter,South,2026-01-12\n"
    "R3,Training was excellent and the other families were kind.,foster carer,North,2026-02-01\n"
    "R4,Very good,adopter,North,2026-02-03\n"
    "R5,Very good,foster carer,South,2026-02-09\n"
    "R6,The matching meeting was rushed and we felt unheard.,foster carer,South,2026-03-15\n"
)


@pytest.fixture
def immediate(settings):
    """Tasks run as soon as they are enqueued (after the commit), in this process."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default"],
        }
    }


def client_for(client, roles, who):
    if who != "anonymous":
        client.force_login(roles[who])
    return client


def url(name, project, **kwargs):
    return reverse(name, kwargs={"project_slug": project.slug, **kwargs})


def upload(client, project, name, content):
    data = content.encode("utf-8") if isinstance(content, str) else content
    handle = io.BytesIO(data)
    handle.name = name
    return client.post(url("stories:import_create", project), {"file": handle})


def choose(client, project, job, **columns):
    data = {"text": "comment", "id": "ref", "by": ["role", "area"], "time": "submitted"}
    data.update(columns)
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(url("stories:import_preview", project, job_id=job.pk), data)


def import_file(client, project, name, content, django_capture_on_commit_callbacks, **columns):
    """Upload, choose columns and run the task; returns the finished job."""
    response = upload(client, project, name, content)
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ImportJob.objects.filter(project=project).latest("id")
    with django_capture_on_commit_callbacks(execute=True):
        response = choose(client, project, job, **columns)
    assert response.status_code == 302, response.content.decode()[:3000]
    job.refresh_from_db()
    return job


def everything_stored(project):
    """Every text the database holds for a project's stories (to search for planted values)."""
    texts = []
    for story in Story.objects.filter(project=project):
        texts += [story.redacted_text, story.original_text, story.external_id]
        texts += [json.dumps(story.attributes), json.dumps(story.redaction_counts)]
    texts += list(Passage.objects.filter(story__project=project).values_list("text", flat=True))
    for job in ImportJob.objects.filter(project=project):
        texts.append(json.dumps(job.options))
    return "\n".join(texts)


# --- access ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [("owner", 200), ("analyst", 200), ("viewer", 403), ("outsider", 404), ("anonymous", 302)],
)
def test_only_analysts_and_owners_open_the_imports_page(client, roles, who, expected):
    response = client_for(client, roles, who).get(url("stories:imports", roles["project"]))
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [("owner", 302), ("analyst", 302), ("viewer", 403), ("outsider", 404), ("anonymous", 302)],
)
def test_only_analysts_and_owners_upload(client, roles, who, expected):
    project = roles["project"]
    response = upload(client_for(client, roles, who), project, "survey.csv", SURVEY)
    assert response.status_code == expected
    assert ImportJob.objects.filter(project=project).exists() == (who in ("owner", "analyst"))


@pytest.mark.parametrize("page", ["stories:import_preview", "stories:import_show"])
@pytest.mark.parametrize(
    ("who", "expected"),
    [("owner", 200), ("analyst", 200), ("viewer", 403), ("outsider", 404), ("anonymous", 302)],
)
def test_only_analysts_and_owners_see_an_import(client, roles, page, who, expected):
    project = roles["project"]
    client.force_login(roles["analyst"])
    upload(client, project, "survey.csv", SURVEY)
    job = ImportJob.objects.get(project=project)
    if page == "stories:import_show":
        ImportJob.objects.filter(pk=job.pk).update(options={**job.options, "confirmed": True})
    client.logout()
    response = client_for(client, roles, who).get(url(page, project, job_id=job.pk))
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [("owner", 302), ("analyst", 302), ("viewer", 403), ("outsider", 404), ("anonymous", 302)],
)
def test_only_analysts_and_owners_start_an_import(
    client, roles, who, expected, immediate, django_capture_on_commit_callbacks
):
    project = roles["project"]
    client.force_login(roles["owner"])
    upload(client, project, "survey.csv", SURVEY)
    job = ImportJob.objects.get(project=project)
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        response = choose(client_for(client, roles, who), project, job)
    assert response.status_code == expected
    assert Story.objects.filter(project=project).exists() == (who in ("owner", "analyst"))


def test_an_import_of_another_project_is_not_found(client, roles):
    client.force_login(roles["outsider"])
    upload(client, roles["other_project"], "survey.csv", SURVEY)
    theirs = ImportJob.objects.get(project=roles["other_project"])
    client.force_login(roles["owner"])
    for name in ("stories:import_preview", "stories:import_show"):
        assert client.get(url(name, roles["project"], job_id=theirs.pk)).status_code == 404
    response = client.post(url("stories:import_delete", roles["project"], job_id=theirs.pk))
    assert response.status_code == 404
    assert ImportJob.objects.filter(pk=theirs.pk).exists()


# --- the journey ----------------------------------------------------------------------------


def test_the_preview_shows_the_columns_and_first_rows_with_guesses_chosen(client, roles):
    project = roles["project"]
    client.force_login(roles["analyst"])
    response = upload(client, project, "survey.csv", SURVEY)
    job = ImportJob.objects.get(project=project)
    assert response["Location"] == url("stories:import_preview", project, job_id=job.pk)
    page = client.get(response["Location"]).content.decode()
    for column in ("ref", "comment", "role", "area", "submitted"):
        assert f'<th scope="col" class="govuk-table__header">{column}</th>' in page
    assert "The wait after approval felt endless" in page
    assert "heard read 6 rows" in page
    assert '<option value="comment" selected>' in page  # heard's own guess of the text
    assert '<option value="submitted" selected>' in page
    id_select = page[page.index('name="id"') :]
    assert '<option value="ref" selected>' in id_select[: id_select.index("</select>")]
    assert re.search(r'value="role" id="[^"]+" checked', page)
    assert re.search(r'value="area" id="[^"]+" checked', page)
    assert not re.search(r'value="comment" id="[^"]+" checked', page)
    assert job.options["columns"]["by"] == ["role", "area"]


def test_the_preview_shows_no_personal_data(client, roles):
    project = roles["project"]
    client.force_login(roles["analyst"])
    upload(client, project, "survey.csv", SURVEY)
    job = ImportJob.objects.get(project=project)
    page = client.get(url("stories:import_preview", project, job_id=job.pk)).content.decode()
    assert PHONE not in page and "Priya" not in page
    assert "[PHONE]" in page
    assert PHONE not in json.dumps(job.options)


def test_an_import_stores_redacted_stories_with_their_columns(
    client, roles, immediate, django_capture_on_commit_callbacks
):
    project = roles["project"]
    project.known_names = "Moss"
    project.save()
    content = SURVEY + "R7,Our link worker Mrs Moss was brilliant.,adopter,North,2026-03-20\n"
    client.force_login(roles["analyst"])
    job = import_file(client, project, "survey.csv", content, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.SUCCEEDED, job.error_message
    assert (job.rows_read, job.stories_added, job.duplicates_skipped) == (7, 7, 0)
    assert job.progress == 1.0
    stories = {s.external_id: s for s in Story.objects.filter(project=project)}
    assert set(stories) == {f"R{n}" for n in range(1, 8)}
    first = stories["R1"]
    assert first.redacted_text == "My social worker [NAME] rang me on [PHONE] about the panel."
    assert first.redaction_counts == {"NAME": 1, "PHONE": 1}
    assert first.original_text == ""  # the project does not keep originals
    assert first.attributes == {"role": "adopter", "area": "North"}
    assert first.received_at.date().isoformat() == "2026-01-05"
    assert first.source.name == "survey.csv" and first.source.columns["text"] == "comment"
    assert "Moss" not in stories["R7"].redacted_text
    stored = everything_stored(project)
    assert PHONE not in stored and "Priya" not in stored and "Kaur" not in stored
    assert "Moss" not in stored
    # Embedded for semantic search, passages of float32 vectors from the bundled model.
    passages = Passage.objects.filter(story__project=project)
    assert passages.count() == 7
    assert all(len(bytes(p.embedding)) == 384 * 4 for p in passages)
    # The uploaded file is gone once the import is done.
    assert not Path(job.stored_path).exists()


def test_an_import_also_prepares_stories_an_earlier_one_could_not(
    client, roles, immediate, django_capture_on_commit_callbacks
):
    from factories import make_story

    project = roles["project"]
    left_over = make_story(project, "A story saved before its embedding could be made.")
    client.force_login(roles["analyst"])
    import_file(client, project, "survey.csv", SURVEY, django_capture_on_commit_callbacks)
    assert Passage.objects.filter(story=left_over).count() == 1
    assert Passage.objects.filter(story__project=project).count() == 7


def test_the_original_text_is_kept_only_when_the_project_says_so(
    client, roles, immediate, django_capture_on_commit_callbacks
):
    project = roles["project"]
    project.keep_original_text = True
    project.save()
    client.force_login(roles["owner"])
    import_file(client, project, "survey.csv", SURVEY, django_capture_on_commit_callbacks)
    story = Story.objects.get(project=project, external_id="R1")
    assert PHONE in story.original_text
    assert PHONE not in story.redacted_text


def test_the_finished_page_says_what_was_added_and_links_to_the_stories(
    client, roles, immediate, django_capture_on_commit_callbacks
):
    project = roles["project"]
    client.force_login(roles["analyst"])
    job = import_file(client, project, "survey.csv", SURVEY, django_capture_on_commit_callbacks)
    page = client.get(url("stories:import_show", project, job_id=job.pk)).content.decode()
    assert "Import finished" in page
    assert "6 stories added" in page
    assert f"{url('stories:index', project)}?source={job.source_id}" in page
    assert "hx-trigger" not in page  # finished: no more polling


def test_a_running_import_shows_its_progress_and_polls_for_more(client, roles):
    project = roles["project"]
    client.force_login(roles["analyst"])
    upload(client, project, "survey.csv", SURVEY)
    job = ImportJob.objects.get(project=project)
    with pytest.MonkeyPatch.context() as patch:  # no worker: the job stays waiting
        patch.setattr("heard_web.core.tasks.enqueue_on_commit", lambda *a, **k: None)
        choose(client, project, job)
    ImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, progress=0.4, stage="Removing personal data (40 of 100)"
    )
    page = client.get(url("stories:import_show", project, job_id=job.pk)).content.decode()
    assert "Removing personal data (40 of 100)" in page
    assert 'value="40"' in page and 'hx-trigger="every 2s"' in page
    assert "<html" in page
    partial = client.get(url("stories:import_show", project, job_id=job.pk), HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode()
    assert 'id="import-progress"' in partial.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_a_queued_import(client):
    from factories import make_project, make_user

    from heard_web.server import run_worker

    owner = make_user("wendy-worker")
    project = make_project(owner=owner)
    client.force_login(owner)
    upload(client, project, "survey.csv", SURVEY)
    job = ImportJob.objects.get(project=project)
    choose(client, project, job)
    job.refresh_from_db()
    assert job.task_id and job.status == JobStatus.PENDING
    run_worker(burst=True)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error_message
    assert Story.objects.filter(project=project).count() == 6


# --- duplicates -----------------------------------------------------------------------------


def test_importing_the_same_file_again_adds_nothing(
    client, roles, immediate, django_capture_on_commit_callbacks
):
    project = roles["project"]
    client.force_login(roles["analyst"])
    import_file(client, project, "survey.csv", SURVEY, django_capture_on_commit_callbacks)
    again = import_file(client, project, "survey.csv", SURVEY, django_capture_on_commit_callbacks)
    assert again.status == JobStatus.SUCCEEDED
    assert (again.stories_added, again.duplicates_skipped) == (0, 6)
    assert again.source is None  # no empty source left behind
    assert Story.objects.filter(project=project).count() == 6
    assert Source.objects.filter(project=project).count() == 1


def test_overlapping_rows_are_added_once(
    client, roles, immediate, django_capture_on_commit_callbacks
):
    project = roles["project"]
    client.force_login(roles["analyst"])
    lines = SURVEY.strip().split("\n")
    first = "\n".join(lines[:4]) + "\n"
    second = "\n".join([lines[0], *lines[3:]]) + "\n"  # row R3 is in both
    import_file(client, project, "january.csv", first, django_capture_on_commit_callbacks)
    job = import_file(client, project, "march.csv", second, django_capture_on_commit_callbacks)
    assert (job.stories_added, job.duplicates_skipped) == (3, 1)
    assert Story.objects.filter(project=project).count() == 6


def test_the_same_words_in_two_rows_without_ids_stay_two_stories(
    client, roles, immediate, django_capture_on_commit_callbacks
):
    project = roles["project"]
    client.force_login(roles["analyst"])
    content = "comment\nVery good\nVery good\nToo slow\n"
    job = import_file(
        client, project, "short.csv", content, django_capture_on_commit_callbacks,
        id="", by=[], time="",
    )  # fmt: skip
    assert job.stories_added == 3
    again = import_file(
        client, project, "short.csv", content, django_capture_on_commit_callbacks,
        id="", by=[], time="",
    )  # fmt: skip
    assert (again.stories_added, again.duplicates_skipped) == (0, 3)


def test_the_same_file_in_another_project_is_imported_there_too(
    client, roles, immediate, django_capture_on_commit_callbacks
):
    client.force_login(roles["owner"])
    import_file(client, roles["project"], "s.csv", SURVEY, django_capture_on_commit_callbacks)
    client.force_login(roles["outsider"])
    job = import_file(
        client, roles["other_project"], "s.csv", SURVEY, django_capture_on_commit_callbacks
    )
    assert job.stories_added == 6


# --- bad files ------------------------------------------------------------------------------


def heard_message(tmp_path, name, content, **columns):
    """What the heard command line says about this file (it prints 'Error: <message>')."""
    from heard.errors import HeardError
    from heard.ingest import read

    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    with pytest.raises(HeardError) as caught:
        read(path, **columns)
    return str(caught.value)


def uploaded_files():
    from django.conf import settings

    return sorted(str(p) for p in Path(settings.UPLOAD_DIR).rglob("*"))


def assert_nothing_left(project):
    assert not Story.objects.filter(project=project).exists()
    assert not Source.objects.filter(project=project).exists()
    assert not Passage.objects.filter(story__project=project).exists()


BAD_UPLOADS = [
    ("empty.csv", ""),
    ("notes.pdf", b"%PDF-1.7 synthetic"),
    ("picture.csv", b"\x89PNG\r\n\x1a\n" + bytes(64)),
    ("blank.csv", "comment,role\n,adopter\n ,carer\n"),
    ("broken.xlsx", b"PK\x03\x04 this is not really a workbook"),
    ("list.json", '{"a": 1, "b": 2}'),
]


@pytest.mark.parametrize(("name", "content"), BAD_UPLOADS)
def test_a_file_heard_cannot_read_shows_heards_message_and_keeps_nothing(
    client, roles, tmp_path, name, content
):
    from django.utils.html import escape

    project = roles["project"]
    client.force_login(roles["analyst"])
    expected = heard_message(tmp_path, name, content)
    before = uploaded_files()
    response = upload(client, project, name, content)
    page = response.content.decode()
    assert response.status_code == 400
    assert uploaded_files() == before  # the upload was deleted
    assert escape(expected) in page
    assert "There is a problem" in page and "<title>Error: " in page
    assert not ImportJob.objects.filter(project=project).exists()
    assert_nothing_left(project)


def test_a_file_over_the_size_limit_is_refused(client, roles, settings):
    settings.MAX_UPLOAD_MB = 1
    project = roles["project"]
    client.force_login(roles["analyst"])
    big = "comment\n" + ("A long synthetic answer about waiting.\n" * 30_000)
    response = upload(client, project, "big.csv", big)
    assert response.status_code == 400
    assert "larger than 1.0 MB" in response.content.decode()
    assert "HEARD_MAX_UPLOAD_MB" in response.content.decode()
    assert not ImportJob.objects.filter(project=project).exists()


@pytest.mark.parametrize(
    ("content", "columns", "read_columns"),
    [
        (
            "ref,comment\nA1,Too slow\nA1,Very kind\n",
            {"id": "ref", "by": [], "time": ""},
            {"text": "comment", "id": "ref"},
        ),
        (
            "ref,comment,submitted\nA1,Too slow,yesterday-ish\nA2,Kind,2026-01-02\n",
            {"id": "ref", "by": [], "time": "submitted"},
            {"text": "comment", "id": "ref", "time": "submitted"},
        ),
    ],
    ids=["repeated ids", "unreadable dates"],
)
def test_a_problem_found_while_importing_shows_heards_message_and_keeps_nothing(
    client,
    roles,
    tmp_path,
    immediate,
    django_capture_on_commit_callbacks,
    content,
    columns,
    read_columns,
):
    from django.utils.html import escape

    project = roles["project"]
    client.force_login(roles["analyst"])
    expected = heard_message(tmp_path, "answers.csv", content, **read_columns)
    job = import_file(
        client, project, "answers.csv", content, django_capture_on_commit_callbacks, **columns
    )
    assert job.status == JobStatus.FAILED
    assert job.error_message == expected
    page = client.get(url("stories:import_show", project, job_id=job.pk)).content.decode()
    assert escape(expected) in page
    assert "nothing was imported" in page and "<title>Error: " in page
    assert_nothing_left(project)
    assert not Path(job.stored_path).exists()


def test_a_failure_halfway_through_saving_leaves_nothing_behind(
    client, roles, immediate, django_capture_on_commit_callbacks, monkeypatch
):
    from heard_web.stories.services import store

    project = roles["project"]
    monkeypatch.setattr(store, "BATCH", 2)  # several INSERTs, the third one fails
    calls = {"n": 0}
    real = Story.objects.bulk_create

    def failing(objs, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("the disk is full (simulated)")
        return real(objs, *args, **kwargs)

    monkeypatch.setattr(Story.objects, "bulk_create", failing)
    client.force_login(roles["analyst"])
    job = import_file(client, project, "survey.csv", SURVEY, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.FAILED
    assert "imported nothing" in job.error_message
    assert calls["n"] == 3
    assert_nothing_left(project)


def test_the_columns_must_be_different(client, roles):
    project = roles["project"]
    client.force_login(roles["analyst"])
    upload(client, project, "survey.csv", SURVEY)
    job = ImportJob.objects.get(project=project)
    response = choose(client, project, job, id="comment", by=["comment"])
    assert response.status_code == 400
    page = response.content.decode()
    assert "cannot also be the text column" in page and "<title>Error: " in page
    job.refresh_from_db()
    assert not job.options["confirmed"]


def test_an_upload_waiting_for_its_columns_is_listed_with_a_way_back(client, roles):
    project = roles["project"]
    client.force_login(roles["analyst"])
    upload(client, project, "survey.csv", SURVEY)
    job = ImportJob.objects.get(project=project)
    page = client.get(url("stories:imports", project)).content.decode()
    assert "Choose the columns" in page
    link = url("stories:import_show", project, job_id=job.pk)
    assert link in page
    assert client.get(link)["Location"] == url("stories:import_preview", project, job_id=job.pk)


def test_a_cancelled_upload_is_deleted(client, roles):
    project = roles["project"]
    client.force_login(roles["analyst"])
    upload(client, project, "survey.csv", SURVEY)
    job = ImportJob.objects.get(project=project)
    assert Path(job.stored_path).exists()
    response = client.post(url("stories:import_delete", project, job_id=job.pk))
    assert response.status_code == 302
    assert not ImportJob.objects.filter(pk=job.pk).exists()
    assert not Path(job.stored_path).exists()


# --- formats --------------------------------------------------------------------------------


def _docx(paragraphs):
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


VTT = (
    "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Interviewer>How did the assessment go?\n\n"
    "00:00:05.000 --> 00:00:09.000\n<v Parent>It took far longer than anyone said it would.\n"
)
SRT = (
    "1\n00:00:01,000 --> 00:00:04,000\nInterviewer: What helped most?\n\n"
    "2\n00:00:05,000 --> 00:00:09,000\nParent: The support group on Thursdays.\n"
)
FORMATS = [
    ("answers.tsv", "comment\trole\nToo slow\tadopter\nKind staff\tcarer\n", 2),
    ("answers.json", json.dumps([{"comment": "Too slow"}, {"comment": "Kind staff"}]), 2),
    ("answers.jsonl", '{"comment": "Too slow"}\n{"comment": "Kind staff"}\n', 2),
    ("note.txt", "We waited eight months after approval for a match.", 1),
    ("note.docx", _docx(["We waited eight months.", "Then it all happened at once."]), 1),
    ("interview.vtt", VTT, 2),
    ("interview.srt", SRT, 2),
]


@pytest.mark.parametrize(("name", "content", "count"), FORMATS, ids=[f[0] for f in FORMATS])
def test_every_format_heard_reads_can_be_imported(
    client, roles, immediate, django_capture_on_commit_callbacks, name, content, count
):
    project = roles["project"]
    client.force_login(roles["analyst"])
    response = upload(client, project, name, content)
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ImportJob.objects.get(project=project)
    guess = job.options["columns"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url("stories:import_preview", project, job_id=job.pk),
            {
                "text": guess["text"],
                "id": guess["id"] or "",
                "by": guess["by"],
                "time": guess["time"] or "",
            },
        )
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error_message
    assert Story.objects.filter(project=project).count() == count
    if name.endswith((".vtt", ".srt")):
        assert "speaker" in guess["by"]
        assert {s.attributes.get("speaker") for s in Story.objects.filter(project=project)} == {
            "Interviewer",
            "Parent",
        }


def test_a_workbook_sheet_can_be_chosen(
    client, roles, immediate, django_capture_on_commit_callbacks
):
    import openpyxl

    workbook = openpyxl.Workbook()
    first = workbook.active
    first.title = "Notes"
    first.append(["note"])
    first.append(["Read me first"])
    second = workbook.create_sheet("Responses")
    second.append(["ref", "comment", "role"])
    second.append(["X1", "The panel was kind.", "adopter"])
    second.append(["X2", "The wait was too long.", "carer"])
    out = io.BytesIO()
    workbook.save(out)
    project = roles["project"]
    client.force_login(roles["analyst"])
    upload(client, project, "survey.xlsx", out.getvalue())
    job = ImportJob.objects.get(project=project)
    page = client.get(url("stories:import_preview", project, job_id=job.pk)).content.decode()
    assert "Which sheet?" in page and "Read me first" in page
    client.post(url("stories:import_sheet", project, job_id=job.pk), {"sheet": "Responses"})
    page = client.get(url("stories:import_preview", project, job_id=job.pk)).content.decode()
    assert "The panel was kind." in page and "from the sheet ‘Responses’" in page
    with django_capture_on_commit_callbacks(execute=True):
        choose(client, project, job, id="ref", by=["role"], time="")
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error_message
    assert sorted(Story.objects.filter(project=project).values_list("external_id", flat=True)) == [
        "X1",
        "X2",
    ]


def test_a_zip_of_notes_and_transcripts_is_imported_one_story_per_file_or_turn(
    client, roles, immediate, django_capture_on_commit_callbacks
):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("visits/first.txt", "The home visit was calm and friendly.")
        archive.writestr("visits/second.md", "Nobody called back after the panel.")
        archive.writestr("interview.vtt", VTT)
        archive.writestr("../escape.txt", "A name that tries to leave the folder.")
        archive.writestr("photo.jpg", b"\xff\xd8\xff")
    project = roles["project"]
    client.force_login(roles["analyst"])
    response = upload(client, project, "fieldwork.zip", out.getvalue())
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ImportJob.objects.get(project=project)
    assert "file" in job.options["preview"]["columns"]
    with django_capture_on_commit_callbacks(execute=True):
        choose(client, project, job, text="text", id="", by=["file"], time="")
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error_message
    files = sorted(s.attributes["file"] for s in Story.objects.filter(project=project))
    assert files == ["escape.txt", "first.txt", "interview.vtt", "interview.vtt", "second.md"]
    assert not (Path(job.stored_path).parent.parent / "escape.txt").exists()
