"""Reports and downloads: who may make and take them, what is in them, consent and audit."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.urls import reverse
from factories import make_run, make_story, make_theme

from heard_web.accounts.models import AuditEvent
from heard_web.analysis.edits import refresh_stats
from heard_web.analysis.models import Assignment
from heard_web.reports import services
from heard_web.reports.models import Export

WHO = ["owner", "analyst", "viewer", "outsider", "anonymous"]
READ = {"owner": 200, "analyst": 200, "viewer": 200, "outsider": 404, "anonymous": 302}
WRITE = {"owner": 302, "analyst": 302, "viewer": 403, "outsider": 404, "anonymous": 302}
MARKER = "Quokka-secret-4471"


@pytest.fixture
def reported(roles):
    """Two themes over six stories (adopters and carers, one not to be quoted) in the project,
    and the other project with a story holding MARKER."""
    project = roles["project"]
    run = make_run(project, parameters={"segments": ["role"], "random_state": 0})
    s = [
        make_story(
            project,
            "The wait for a match after approval was endless.",
            attributes={"role": "adopter"},
            sentiment="negative",
            sentiment_score=-0.8,
        ),
        make_story(
            project,
            "Waiting months for a match with no news.",
            attributes={"role": "carer"},
            sentiment="negative",
            sentiment_score=-0.6,
        ),
        make_story(
            project,
            "Do not quote me: the wait broke us.",
            attributes={"role": "adopter"},
            sentiment="negative",
            sentiment_score=-0.9,
            consent_quote=False,
        ),
        make_story(
            project,
            "The training course was excellent.",
            attributes={"role": "adopter"},
            sentiment="positive",
            sentiment_score=0.9,
        ),
        make_story(
            project,
            "Training helped us understand attachment.",
            attributes={"role": "carer"},
            sentiment="positive",
            sentiment_score=0.7,
        ),
        make_story(
            project,
            "Fine.",
            attributes={"role": "carer"},
            sentiment="mixed or neutral",
            sentiment_score=0.0,
        ),
    ]
    waiting = make_theme(
        run, "Waiting for a match", key="1", stories=s[0:3], key_phrases=["wait", "match"]
    )
    training = make_theme(run, "Training", key="2", stories=s[3:5])
    make_theme(run, "No clear theme", key="none", kind="none", stories=s[5:6])
    Assignment.objects.create(story=s[4], theme=waiting, score=0.4, primary=False)
    Assignment.objects.filter(theme=waiting, story=s[2]).update(quote_rank=1)
    Assignment.objects.filter(theme=waiting, story=s[0]).update(quote_rank=2)
    Assignment.objects.filter(theme=training, story=s[3]).update(quote_rank=1)
    refresh_stats(run)
    other = roles["other_project"]
    other_run = make_run(other)
    make_theme(
        other_run,
        "Waiting for a match",
        key="1",
        stories=[make_story(other, f"{MARKER} waited too.", attributes={"role": "adopter"})],
    )
    return {**roles, "run": run, "stories": s, "waiting": waiting, "training": training}


def client_for(client, roles, who):
    if who != "anonymous":
        client.force_login(roles[who])
    return client


def url(name, project, **kwargs):
    return reverse(f"reports:{name}", kwargs={"project_slug": project.slug, **kwargs})


def make(project, kind, params=None, by=None):
    export = services.start_export(project, kind, params or {}, by=by)
    services.run_export(export.pk)
    export.refresh_from_db()
    assert export.status == "succeeded", export.error_message
    return export


def rows(export):
    return list(csv.DictReader(io.StringIO(export.path.read_text(encoding="utf-8-sig"))))


@pytest.mark.parametrize("who", WHO)
def test_every_member_can_see_and_download_the_exports_and_nobody_else(client, reported, who):
    export = make(reported["project"], "themes", by=reported["analyst"])
    c = client_for(client, reported, who)
    project = reported["project"]
    for page in [
        url("index", project),
        url("show", project, export_id=export.pk),
        url("download", project, export_id=export.pk),
    ]:
        assert c.get(page).status_code == READ[who], page


@pytest.mark.parametrize("who", WHO)
def test_only_analysts_and_owners_ask_for_an_export(
    client, reported, who, django_capture_on_commit_callbacks
):
    c = client_for(client, reported, who)
    with django_capture_on_commit_callbacks(execute=False):
        response = c.post(url("create", reported["project"]), {"kind": "report"})
    assert response.status_code == WRITE[who]
    assert Export.objects.count() == (1 if who in {"owner", "analyst"} else 0)


def test_an_export_of_another_project_is_not_found(client, reported):
    other_export = make(reported["other_project"], "themes")
    client.force_login(reported["owner"])
    assert (
        client.get(url("download", reported["project"], export_id=other_export.pk)).status_code
        == 404
    )
    assert (
        client.get(url("show", reported["project"], export_id=other_export.pk)).status_code == 404
    )


@pytest.mark.django_db(transaction=True)
def test_the_worker_makes_the_report_and_the_download_is_audited(client, reported):
    from heard_web.server import run_worker

    client.force_login(reported["analyst"])
    response = client.post(url("create", reported["project"]), {"kind": "report"})
    export = Export.objects.get()
    assert response["Location"] == url("show", reported["project"], export_id=export.pk)
    run_worker(burst=True)
    page = client.get(response["Location"]).content.decode()
    assert "Download report.html" in page
    download = client.get(url("download", reported["project"], export_id=export.pk))
    assert download["Content-Disposition"].startswith('attachment; filename="report.html"')
    html = b"".join(download.streaming_content).decode()
    assert "Waiting for a match" in html and "Training" in html
    assert "The wait for a match after approval was endless." in html
    assert "Do not quote me" not in html, "a story whose author did not agree is never quoted"
    assert MARKER not in html
    event = AuditEvent.objects.get(action="exported")
    assert (event.actor, event.project) == (reported["analyst"], reported["project"])
    assert event.details["kind"] == "report" and event.details["stories"] == 6


def test_a_filtered_view_has_only_its_stories_and_counts_over_them(reported):
    project, s = reported["project"], reported["stories"]
    export = make(project, "responses", {"a.role": "adopter"})
    got = rows(export)
    assert sorted(int(r["response_id"]) for r in got) == sorted([s[0].pk, s[2].pk, s[3].pk])
    assert {r["role"] for r in got} == {"adopter"}
    assert next(r for r in got if int(r["response_id"]) == s[2].pk)["text"] == "", (
        "no text without consent"
    )
    themes = {r["theme_id"]: r for r in rows(make(project, "themes", {"a.role": "adopter"}))}
    assert (
        themes["1"]["size"] == "2" and themes["2"]["size"] == "1" and themes["none"]["size"] == "0"
    )
    assert float(themes["1"]["share"]) == pytest.approx(2 / 3, abs=1e-3)
    assert float(themes["1"]["negative"]) == 1.0


def test_a_theme_filter_keeps_that_themes_stories_and_their_other_themes(reported):
    project, s = reported["project"], reported["stories"]
    export = make(project, "assignments", {"theme": str(reported["training"].pk)})
    got = rows(export)
    assert {int(r["response_id"]) for r in got} == {s[3].pk, s[4].pk}
    secondary = [r for r in got if r["primary"] == "False"]
    assert [(int(r["response_id"]), r["theme_id"]) for r in secondary] == [(s[4].pk, "1")]


def test_the_workbook_holds_the_themes_and_never_another_projects_or_unquotable_text(reported):
    export = make(reported["project"], "xlsx")
    with zipfile.ZipFile(export.path) as book:
        content = "".join(book.read(n).decode("utf-8", "ignore") for n in book.namelist())
    assert (
        "Waiting for a match" in content and "Training helped us understand attachment." in content
    )
    assert MARKER not in content and "Do not quote me" not in content


def test_an_export_of_a_view_with_no_stories_fails_with_a_message(reported):
    export = services.start_export(reported["project"], "report", {"a.role": "nobody"})
    services.run_export(export.pk)
    export.refresh_from_db()
    assert (
        export.status == "failed" and "No analysed story matches this view" in export.error_message
    )


def test_the_reports_page_offers_the_filtered_view_it_was_opened_with(client, reported):
    client.force_login(reported["analyst"])
    page = client.get(
        url("index", reported["project"]) + "?a.role=carer&unknown=1"
    ).content.decode()
    assert "role carer (3 stories)" in page
    assert '<input type="hidden" name="a.role" value="carer">' in page
    assert 'name="unknown"' not in page


def test_nothing_to_export_before_an_analysis(client, roles):
    client.force_login(roles["owner"])
    page = client.get(url("index", roles["project"])).content.decode()
    assert "have not been analysed" in page
    response = client.post(url("create", roles["project"]), {"kind": "report"}, follow=True)
    assert "run the analysis first" in response.content.decode()


def test_forgetting_a_projects_exports_deletes_their_files(reported):
    export = make(reported["project"], "themes")
    path = export.path
    assert path.is_file()
    assert services.forget_exports(reported["project"]) == 1
    assert not path.exists() and not Export.objects.exists()
