"""The import preview of a large upload: read from its start only, the rows counted roughly,
the whole file read (and checked) by the import. Every file here is synthetic.
"""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from heard_web.stories.models import ImportJob, JobStatus, Story

HEADER = "ref,comment,role\n"


def answers(n: int, start: int = 1) -> str:
    """``n`` rows of about 100 bytes: 4,000 of them are well past what a preview reads."""
    roles = ("adopter", "foster carer")
    return "".join(
        f'R{k},"Answer {k}: the wait after approval felt long, and the panel was kind.",'
        f"{roles[k % 2]}\n"
        for k in range(start, start + n)
    )


def url(name, project, **kwargs):
    return reverse(name, kwargs={"project_slug": project.slug, **kwargs})


def upload(client, project, name, content):
    handle = io.BytesIO(content.encode("utf-8"))
    handle.name = name
    return client.post(url("stories:import_create", project), {"file": handle})


def confirm_columns(client, project, capture):
    """Confirm the preview's columns for the project's upload; the import runs at once."""
    job = ImportJob.objects.get(project=project)
    with capture(execute=True):
        client.post(
            url("stories:import_preview", project, job_id=job.pk),
            {"text": "comment", "id": "ref", "by": ["role"], "time": ""},
        )
    job.refresh_from_db()
    return job


@pytest.fixture
def immediate(settings, monkeypatch):
    """Tasks run at once, in this process; search preparation is skipped (not tested here)."""
    from heard_web.stories.services import store

    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default"],
        }
    }
    monkeypatch.setattr(store, "embed_stories", lambda *args, **kwargs: 0)


def test_a_large_upload_is_previewed_from_its_start_with_about_how_many_rows(client, roles):
    project = roles["project"]
    client.force_login(roles["analyst"])
    response = upload(client, project, "survey.csv", HEADER + answers(4_000))
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ImportJob.objects.get(project=project)
    preview = job.options["preview"]
    assert preview["count"] is None
    assert 3_000 <= preview["estimate"] <= 5_000 and preview["estimate"] % 100 == 0
    page = client.get(response["Location"]).content.decode()
    assert re.search(r"The file has about \d,\d00 rows\. heard read only its start", page)
    assert re.search(r"Import about \d,\d00 rows</button>", page)
    assert "Answer 1: the wait" in page and "Answer 4000:" not in page
    assert '<option value="comment" selected>' in page


def test_a_large_upload_whose_last_row_is_broken_previews_and_the_import_says_where(
    client, roles, immediate, django_capture_on_commit_callbacks
):
    project = roles["project"]
    client.force_login(roles["analyst"])
    content = HEADER + answers(4_000) + "R4001,An extra, unquoted comma,adopter\n"
    response = upload(client, project, "survey.csv", content)
    assert response.status_code == 302, response.content.decode()[:2000]
    job = confirm_columns(client, project, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.FAILED
    assert "Row 4002 of 'survey.csv' has 4 fields but the header has 3" in job.error_message
    assert not Story.objects.filter(project=project).exists()


def test_a_large_upload_is_imported_whole(
    client, roles, immediate, django_capture_on_commit_callbacks
):
    project = roles["project"]
    client.force_login(roles["analyst"])
    upload(client, project, "survey.csv", HEADER + answers(4_000))
    job = confirm_columns(client, project, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.SUCCEEDED, job.error_message
    assert job.rows_read == 4_000
    assert Story.objects.filter(project=project).count() == 4_000


def test_a_problem_in_the_start_of_a_large_upload_shows_heards_whole_message(
    client, roles, tmp_path
):
    from heard.errors import HeardError
    from heard.ingest import read

    content = HEADER + "R1,Extra, unquoted,adopter\n" + answers(4_000, 2)
    content += "R4001,Another, unquoted,adopter\n"
    path = tmp_path / "survey.csv"
    path.write_text(content)
    with pytest.raises(HeardError) as caught:
        read(path)
    expected = str(caught.value)
    assert "Rows 2 and 4003" in expected  # the row far past the preview's part is named too
    project = roles["project"]
    client.force_login(roles["analyst"])
    response = upload(client, project, "survey.csv", content)
    assert response.status_code == 400
    assert escape(expected) in response.content.decode()
    assert not ImportJob.objects.filter(project=project).exists()


def test_a_long_sheet_is_previewed_from_its_first_rows(client, roles):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Responses"
    sheet.append(["ref", "comment"])
    for k in range(1, 121):
        sheet.append([f"X{k}", f"Answer {k} about the panel."])
    out = io.BytesIO()
    workbook.save(out)
    handle = io.BytesIO(out.getvalue())
    handle.name = "survey.xlsx"
    project = roles["project"]
    client.force_login(roles["analyst"])
    response = client.post(url("stories:import_create", project), {"file": handle})
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response["Location"]).content.decode()
    assert "The sheet ‘Responses’ has about 120 rows." in page
    assert "Import about 120 rows</button>" in page


def test_a_small_upload_is_still_counted_exactly(client, roles):
    project = roles["project"]
    client.force_login(roles["analyst"])
    response = upload(client, project, "survey.csv", HEADER + answers(7))
    page = client.get(response["Location"]).content.decode()
    assert "heard read 7 rows." in page and "Import 7 rows</button>" in page
    assert "has about" not in page
