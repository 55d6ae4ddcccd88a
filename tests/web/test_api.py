"""The REST API at /api/: projects, sources, stories, analysis runs and themes.

Every call here uses a real API token over the test client, on a real database (SQLite, or
PostgreSQL with ``make test-web-pg``). Outsiders get 404 (as for a missing project), roles
too low get 403, and every error is the one envelope {"error": {code, message, details}}.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from heard_web.accounts.models import ApiToken
from heard_web.analysis.models import AnalysisRun
from heard_web.stories.models import Source, Story


class Api:
    """Calls the API as one user, with a fresh personal token."""

    def __init__(self, client, user=None, raw=None):
        from factories import make_token

        self.client = client
        self.raw = raw if raw is not None else (make_token(user)[1] if user else None)

    def headers(self):
        return {"Authorization": f"Bearer {self.raw}"} if self.raw else {}

    def get(self, path, **params):
        return self.client.get("/api" + path, params, headers=self.headers())

    def post(self, path, body=None):
        return self.client.post(
            "/api" + path, body or {}, content_type="application/json", headers=self.headers()
        )


@pytest.fixture
def as_(client, roles):
    return lambda who: Api(client, roles[who])


def assert_envelope(response, status, code=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["message"].strip()
    if code:
        assert body["error"]["code"] == code
    return body["error"]


# Tokens -------------------------------------------------------------------------------------


def test_a_valid_token_acts_as_its_user(as_, roles):
    response = as_("viewer").get("/me")
    assert response.status_code == 200
    assert response.json() == {"username": "vera-viewer", "projects": [roles["project"].slug]}


def test_a_call_without_a_token_is_401_in_the_envelope(client, roles):
    error = assert_envelope(Api(client).get("/projects"), 401, "not_authenticated")
    assert "Authorization: Bearer" in error["message"]


@pytest.mark.parametrize("state", ["revoked", "expired", "made up", "not a bearer"])
def test_a_token_that_is_not_valid_now_is_401(client, roles, state):
    from factories import make_token

    token, raw = make_token(roles["owner"])
    if state == "revoked":
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    elif state == "expired":
        ApiToken.objects.filter(pk=token.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
    elif state == "made up":
        raw = "heard_" + "x" * 43
    headers = {"Authorization": f"Token {raw}" if state == "not a bearer" else f"Bearer {raw}"}
    response = client.get(f"/api/projects/{roles['project'].slug}", headers=headers)
    assert_envelope(response, 401, "not_authenticated")


def test_a_token_of_a_deactivated_user_is_401(client, roles):
    api = Api(client, roles["owner"])
    roles["owner"].is_active = False
    roles["owner"].save()
    assert_envelope(api.get("/projects"), 401)


def test_a_token_records_when_it_was_last_used(client, roles):
    from factories import make_token

    token, raw = make_token(roles["viewer"])
    Api(client, raw=raw).get("/projects")
    token.refresh_from_db()
    assert token.last_used_at is not None


# Projects -----------------------------------------------------------------------------------


def test_the_project_list_holds_only_the_callers_projects_with_their_role(as_, roles):
    from factories import make_run, make_story

    make_story(roles["project"])
    run = make_run(roles["project"])
    body = as_("analyst").get("/projects").json()
    assert [(p["slug"], p["role"]) for p in body] == [(roles["project"].slug, "analyst")]
    assert body[0]["stories_count"] == 1 and body[0]["sources_count"] == 1
    assert body[0]["latest_run_id"] == run.pk
    assert body[0]["organisation"]["name"] == roles["project"].organisation.name


def test_a_project_reads_with_the_callers_role(as_, roles):
    response = as_("viewer").get(f"/projects/{roles['project'].slug}")
    assert response.status_code == 200
    assert response.json()["name"] == "Adoption journeys"
    assert response.json()["role"] == "viewer"


def test_someone_elses_project_is_404_exactly_like_a_missing_one(as_, roles):
    api = as_("owner")
    theirs = api.get(f"/projects/{roles['other_project'].slug}")
    missing = api.get("/projects/no-such-project")
    assert_envelope(theirs, 404, "not_found")
    assert theirs.json() == missing.json()


# Sources ------------------------------------------------------------------------------------


def test_members_list_the_sources_with_their_story_counts(as_, roles):
    from factories import make_source, make_story

    source = make_source(roles["project"], "Exit survey")
    make_story(roles["project"], source=source)
    make_source(roles["other_project"], "Not theirs")
    body = as_("viewer").get(f"/projects/{roles['project'].slug}/sources").json()
    assert [(s["name"], s["stories_count"]) for s in body] == [("Exit survey", 1)]


def test_an_analyst_adds_a_source_and_gets_its_location(as_, roles):
    slug = roles["project"].slug
    response = as_("analyst").post(f"/projects/{slug}/sources", {"name": " Partner feed "})
    assert response.status_code == 201
    source = Source.objects.get(project=roles["project"])
    assert (source.name, source.kind) == ("Partner feed", "api")
    assert response["Location"] == f"/api/projects/{slug}/sources/{source.pk}"
    assert as_("viewer").get(f"/projects/{slug}/sources/{source.pk}").json()["name"] == (
        "Partner feed"
    )


def test_a_viewer_cannot_add_a_source(as_, roles):
    response = as_("viewer").post(f"/projects/{roles['project'].slug}/sources", {"name": "x"})
    error = assert_envelope(response, 403, "forbidden")
    assert "viewer" in error["message"] and "analyst" in error["message"]
    assert not Source.objects.exists()


def test_a_source_without_a_name_is_422_with_details(as_, roles):
    response = as_("owner").post(f"/projects/{roles['project'].slug}/sources", {"name": "  "})
    error = assert_envelope(response, 422, "invalid_request")
    assert error["details"][0]["loc"][-1] == "name"


def test_a_source_of_another_project_is_not_found(as_, roles):
    from factories import make_source

    theirs = make_source(roles["other_project"])
    response = as_("owner").get(f"/projects/{roles['project'].slug}/sources/{theirs.pk}")
    assert_envelope(response, 404, "not_found")


# Stories ------------------------------------------------------------------------------------


def test_the_story_list_pages_with_limit_and_offset(as_, roles):
    from factories import make_story

    stories = [make_story(roles["project"], f"Story {i} about waiting.") for i in range(5)]
    api, slug = as_("viewer"), roles["project"].slug
    first = api.get(f"/projects/{slug}/stories", limit=2).json()
    assert (first["count"], first["limit"], first["offset"], first["next_offset"]) == (5, 2, 0, 2)
    seen = [s["id"] for s in first["items"]]
    offset = first["next_offset"]
    while offset is not None:
        page = api.get(f"/projects/{slug}/stories", limit=2, offset=offset).json()
        seen += [s["id"] for s in page["items"]]
        offset = page["next_offset"]
    assert sorted(seen) == sorted(s.pk for s in stories)


def test_the_story_list_filters_by_source_and_keyword(as_, roles):
    from factories import make_source, make_story

    survey, calls = make_source(roles["project"], "Survey"), make_source(roles["project"], "Calls")
    make_story(roles["project"], "The social worker never rang back.", source=survey)
    make_story(roles["project"], "Panel day was kind and quick.", source=survey)
    make_story(roles["project"], "Nobody rang back after the panel.", source=calls)
    api, slug = as_("viewer"), roles["project"].slug
    by_source = api.get(f"/projects/{slug}/stories", source=calls.pk).json()
    assert [s["text"] for s in by_source["items"]] == ["Nobody rang back after the panel."]
    by_word = api.get(f"/projects/{slug}/stories", q="rang back").json()
    assert by_word["count"] == 2
    assert all("rang back" in s["text"] for s in by_word["items"])


def test_semantic_search_ranks_stories_by_meaning_within_the_filters(as_, roles):
    from factories import make_source

    from heard_web.stories import services

    project = roles["project"]
    survey, calls = make_source(project, "Survey"), make_source(project, "Calls")
    rows = [
        "After approval we waited eleven months to be matched with a child.",
        "The training evenings were friendly and the biscuits were good.",
        "Parking at the council offices is impossible.",
    ]
    services.add_stories(project, survey, [{"text": t} for t in rows])
    services.add_stories(project, calls, [{"text": "Months of waiting once we were approved."}])
    services.embed_stories(project)  # what the background task does
    api, slug = as_("viewer"), project.slug
    body = api.get(f"/projects/{slug}/stories", semantic="a long wait after approval").json()
    assert body["items"][0]["text"].startswith(("After approval we waited", "Months of waiting"))
    assert body["count"] is None
    assert body["items"][0]["score"] > body["items"][-1]["score"]
    only_survey = api.get(
        f"/projects/{slug}/stories", semantic="a long wait after approval", source=survey.pk
    ).json()
    assert only_survey["items"][0]["text"].startswith("After approval we waited")
    assert all(s["source_id"] == survey.pk for s in only_survey["items"])
    page = api.get(f"/projects/{slug}/stories", semantic="waiting", limit=2).json()
    assert len(page["items"]) == 2 and page["next_offset"] == 2


def test_the_story_list_filters_by_segment_date_and_sentiment(as_, roles):
    from datetime import datetime

    from factories import make_story

    project = roles["project"]
    when = timezone.make_aware(datetime(2026, 3, 10, 12))
    make_story(project, "A", attributes={"role": "adopter"}, received_at=when, sentiment="negative")
    make_story(project, "B", attributes={"role": "foster carer"}, received_at=when)
    make_story(project, "C", attributes={"role": "adopter"}, received_at=when - timedelta(days=40))
    api, slug = as_("viewer"), project.slug

    def texts(**params):
        return sorted(
            s["text"] for s in api.get(f"/projects/{slug}/stories", **params).json()["items"]
        )

    assert texts(segment="role=adopter") == ["A", "C"]
    assert texts(**{"segment": "role=adopter", "from": "2026-03-01"}) == ["A"]
    assert texts(**{"to": "2026-03-01"}) == ["C"]
    assert texts(sentiment="negative") == ["A"]


def test_a_story_reads_with_its_redacted_text_and_themes_never_the_original(as_, roles):
    from factories import make_run, make_story, make_theme

    story = make_story(
        roles["project"],
        "[NAME] from the team called every week.",
        original_text="Priya Example from the team called every week.",
        redaction_counts={"NAME": 1},
        attributes={"role": "adopter"},
    )
    make_theme(make_run(roles["project"]), "An earlier run's theme", stories=[story])
    theme = make_theme(make_run(roles["project"]), "Contact with the team", stories=[story])
    response = as_("owner").get(f"/projects/{roles['project'].slug}/stories/{story.pk}")
    body = response.json()
    assert body["text"] == "[NAME] from the team called every week."
    assert "Priya" not in response.content.decode()
    assert body["redaction_counts"] == {"NAME": 1}
    assert body["attributes"] == {"role": "adopter"}
    assert [(t["id"], t["label"], t["primary"]) for t in body["themes"]] == [
        (theme.pk, "Contact with the team", True)
    ]


def test_a_story_of_another_project_is_not_found(as_, roles):
    from factories import make_story

    theirs = make_story(roles["other_project"])
    response = as_("owner").get(f"/projects/{roles['project'].slug}/stories/{theirs.pk}")
    assert_envelope(response, 404)


def test_added_stories_are_redacted_before_they_are_stored_and_duplicates_are_skipped(as_, roles):
    from factories import make_source

    source = make_source(roles["project"], "Partner feed", kind="api")
    api, slug = as_("analyst"), roles["project"].slug
    batch = {
        "source_id": source.pk,
        "stories": [
            {"text": "Call me on 07700 900123 about the panel.", "external_id": "r1"},
            {"text": "The wait after approval was long.", "attributes": {"role": "adopter"}},
        ],
    }
    first = api.post(f"/projects/{slug}/stories", batch)
    assert first.status_code == 201, first.content
    assert (first.json()["added"], first.json()["duplicates"]) == (2, 0)
    texts = set(
        Story.objects.filter(project=roles["project"]).values_list("redacted_text", flat=True)
    )
    assert "07700 900123" not in " ".join(texts)
    assert any("[PHONE]" in t for t in texts)
    again = api.post(f"/projects/{slug}/stories", batch)
    assert (again.json()["added"], again.json()["duplicates"]) == (0, 2)
    assert Story.objects.filter(project=roles["project"]).count() == 2


def test_stories_for_a_source_of_another_project_are_refused(as_, roles):
    from factories import make_source

    theirs = make_source(roles["other_project"])
    response = as_("owner").post(
        f"/projects/{roles['project'].slug}/stories",
        {"source_id": theirs.pk, "stories": [{"text": "Hello"}]},
    )
    error = assert_envelope(response, 422, "unknown_source")
    assert "GET /api/projects/" in error["message"]
    assert not Story.objects.exists()


def test_a_viewer_cannot_add_stories(as_, roles):
    from factories import make_source

    source = make_source(roles["project"])
    response = as_("viewer").post(
        f"/projects/{roles['project'].slug}/stories",
        {"source_id": source.pk, "stories": [{"text": "Hello"}]},
    )
    assert_envelope(response, 403)
    assert not Story.objects.exists()


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 10_000}, {"offset": -1}, {"source": "abc"}, {"q": "a\x00b"}],
)
def test_bad_list_parameters_are_422_in_the_envelope(as_, roles, params):
    response = as_("viewer").get(f"/projects/{roles['project'].slug}/stories", **params)
    error = assert_envelope(response, 422, "invalid_request")
    assert error["details"]


@pytest.mark.parametrize("story_id", ["0", "abc", str(2**70)])
def test_an_id_that_cannot_exist_is_422_not_a_crash(as_, roles, story_id):
    response = as_("viewer").get(f"/projects/{roles['project'].slug}/stories/{story_id}")
    assert_envelope(response, 422)


def test_a_body_that_is_not_json_is_an_error_in_the_envelope(client, roles):
    from factories import make_token

    _, raw = make_token(roles["owner"])
    response = client.post(
        f"/api/projects/{roles['project'].slug}/sources",
        "{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    error = assert_envelope(response, 400, "invalid_json")
    assert "not valid JSON" in error["message"]


# Analysis runs ------------------------------------------------------------------------------


def test_runs_list_newest_first_and_read_with_progress(as_, roles):
    from factories import make_run

    old = make_run(roles["project"])
    new = make_run(roles["project"], status="running", progress=0.4, stage="Finding themes")
    make_run(roles["other_project"])
    api, slug = as_("viewer"), roles["project"].slug
    assert [r["id"] for r in api.get(f"/projects/{slug}/runs").json()] == [new.pk, old.pk]
    body = api.get(f"/projects/{slug}/runs/{new.pk}").json()
    assert (body["status"], body["progress"], body["stage"]) == ("running", 0.4, "Finding themes")


def test_an_analyst_starts_a_run_and_is_told_where_to_follow_it(
    as_, roles, django_capture_on_commit_callbacks
):
    from factories import make_story

    for i in range(3):
        make_story(roles["project"], f"Synthetic story {i} about the wait for a match.")
    slug = roles["project"].slug
    with django_capture_on_commit_callbacks(execute=False):
        response = as_("analyst").post(f"/projects/{slug}/runs")
    assert response.status_code == 202, response.content
    run = AnalysisRun.objects.get(project=roles["project"])
    assert response.json()["id"] == run.pk
    assert response.json()["status"] in ("pending", "running")
    assert response["Location"] == f"/api/projects/{slug}/runs/{run.pk}"


def test_a_viewer_cannot_start_a_run(as_, roles):
    assert_envelope(as_("viewer").post(f"/projects/{roles['project'].slug}/runs"), 403)
    assert not AnalysisRun.objects.exists()


def test_a_run_of_another_project_is_not_found(as_, roles):
    from factories import make_run

    theirs = make_run(roles["other_project"])
    assert_envelope(as_("owner").get(f"/projects/{roles['project'].slug}/runs/{theirs.pk}"), 404)


# Themes -------------------------------------------------------------------------------------


@pytest.fixture
def themed(roles):
    """A finished run with two themes (one with a sub-theme), one merged away."""
    from factories import make_run, make_story, make_theme

    project = roles["project"]
    quotable = make_story(project, "We waited months after panel for any news.")
    private = make_story(project, "Private: the wait nearly broke us.", consent_quote=False)
    other = make_story(project, "Training was friendly.")
    old_run = make_run(project)
    make_theme(old_run, "Old waiting theme")
    run = make_run(project)
    waiting = make_theme(run, "Waiting", key="1", stories=[quotable, private], share=0.66)
    sub = make_theme(run, "Waiting after panel", key="1.1", parent=waiting, stories=[quotable])
    training = make_theme(run, "Training", key="2", stories=[other])
    gone = make_theme(run, "Merged away", key="3", merged_into=training)
    # The analysis marks each theme's representative quotes; the private one is among them.
    waiting.assignments.filter(story=private).update(quote_rank=1)
    waiting.assignments.filter(story=quotable).update(quote_rank=2)
    return {
        "run": run,
        "old_run": old_run,
        "waiting": waiting,
        "sub": sub,
        "training": training,
        "gone": gone,
    }


def test_themes_of_the_latest_run_come_with_their_sub_themes(as_, roles, themed):
    body = as_("viewer").get(f"/projects/{roles['project'].slug}/themes").json()
    assert body["run"]["id"] == themed["run"].pk
    assert [t["label"] for t in body["themes"]] == ["Waiting", "Training"]
    assert [c["label"] for c in body["themes"][0]["children"]] == ["Waiting after panel"]


def test_themes_of_a_given_run(as_, roles, themed):
    slug = roles["project"].slug
    body = as_("viewer").get(f"/projects/{slug}/themes", run=themed["old_run"].pk).json()
    assert [t["label"] for t in body["themes"]] == ["Old waiting theme"]


def test_a_project_without_a_finished_run_has_no_themes_yet(as_, roles):
    body = as_("viewer").get(f"/projects/{roles['project'].slug}/themes").json()
    assert body == {"run": None, "themes": []}


def test_a_theme_shows_only_quotes_people_consented_to(as_, roles, themed):
    response = as_("viewer").get(f"/projects/{roles['project'].slug}/themes/{themed['waiting'].pk}")
    body = response.json()
    assert [q["text"] for q in body["quotes"]] == ["We waited months after panel for any news."]
    assert "Private" not in response.content.decode()


def test_a_theme_of_another_project_is_not_found(as_, roles):
    from factories import make_run, make_theme

    theirs = make_theme(make_run(roles["other_project"]), "Theirs")
    slug = roles["project"].slug
    assert_envelope(as_("owner").get(f"/projects/{slug}/themes/{theirs.pk}"), 404)
    assert_envelope(as_("owner").get(f"/projects/{slug}/themes", run=theirs.run_id), 404)


def test_an_analyst_renames_a_theme(as_, roles, themed):
    slug, theme = roles["project"].slug, themed["waiting"]
    response = as_("analyst").post(
        f"/projects/{slug}/themes/{theme.pk}/rename", {"label": "Delays"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["label"] == "Delays"
    theme.refresh_from_db()
    assert (theme.label, theme.renamed) == ("Delays", True)


def test_an_analyst_pins_a_theme(as_, roles, themed):
    slug, theme = roles["project"].slug, themed["training"]
    response = as_("analyst").post(f"/projects/{slug}/themes/{theme.pk}/pin", {"pinned": True})
    assert response.status_code == 200, response.content
    theme.refresh_from_db()
    assert theme.pinned


def test_an_analyst_merges_two_themes(as_, roles, themed):
    slug = roles["project"].slug
    response = as_("analyst").post(
        f"/projects/{slug}/themes/merge",
        {"theme_ids": [themed["training"].pk], "into": themed["waiting"].pk},
    )
    assert response.status_code == 200, response.content
    labels = [t["label"] for t in as_("viewer").get(f"/projects/{slug}/themes").json()["themes"]]
    assert "Training" not in labels and "Waiting" in labels


def test_only_themes_of_the_latest_run_can_be_edited(as_, roles, themed):
    from factories import make_theme

    old = make_theme(themed["old_run"], "Waiting", key=themed["waiting"].key)
    response = as_("owner").post(
        f"/projects/{roles['project'].slug}/themes/{old.pk}/rename", {"label": "Delays"}
    )
    error = assert_envelope(response, 409, "not_current_run")
    assert error["details"]["current_run_id"] == themed["run"].pk
    themed["waiting"].refresh_from_db()
    assert themed["waiting"].label == "Waiting"


def test_an_edit_the_analysis_refuses_is_409_with_its_reason(as_, roles, themed):
    from factories import make_theme

    nothing = make_theme(themed["run"], "No clear theme", key="none", kind="none")
    response = as_("owner").post(
        f"/projects/{roles['project'].slug}/themes/{nothing.pk}/rename", {"label": "Other"}
    )
    error = assert_envelope(response, 409, "edit_refused")
    assert "cannot be renamed" in error["message"]


def test_a_viewer_cannot_edit_themes(as_, roles, themed):
    slug, theme = roles["project"].slug, themed["waiting"]
    api = as_("viewer")
    assert_envelope(api.post(f"/projects/{slug}/themes/{theme.pk}/rename", {"label": "X"}), 403)
    assert_envelope(api.post(f"/projects/{slug}/themes/{theme.pk}/pin", {"pinned": True}), 403)
    merge = {"theme_ids": [themed["training"].pk], "into": theme.pk}
    assert_envelope(api.post(f"/projects/{slug}/themes/merge", merge), 403)
    theme.refresh_from_db()
    assert (theme.label, theme.pinned) == ("Waiting", False)


def test_merging_a_theme_of_another_project_is_not_found(as_, roles, themed):
    from factories import make_run, make_theme

    theirs = make_theme(make_run(roles["other_project"]), "Theirs")
    response = as_("owner").post(
        f"/projects/{roles['project'].slug}/themes/merge",
        {"theme_ids": [theirs.pk], "into": themed["waiting"].pk},
    )
    assert_envelope(response, 404)
    theirs.refresh_from_db()
    assert theirs.merged_into is None


# The schema ---------------------------------------------------------------------------------


def test_every_operation_documents_its_errors_in_the_envelope(client, db):
    schema = client.get("/api/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            statuses = set(operation["responses"])
            if path != "/api/health":
                assert "401" in statuses, (method, path)
            if "{slug}" in path:
                assert {"404", "422"} <= statuses, (method, path)
            if method != "get":
                assert "403" in statuses, (method, path)
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")) and path != "/api/health":
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith("/ErrorOut"), (method, path, status)


def test_a_run_that_cannot_start_is_409_with_the_reason(as_, roles):
    from factories import make_run, make_story

    slug = roles["project"].slug
    error = assert_envelope(as_("owner").post(f"/projects/{slug}/runs"), 409, "analysis_refused")
    assert "no stories to analyse" in error["message"]
    make_story(roles["project"])
    make_run(roles["project"], status="running")
    error = assert_envelope(as_("owner").post(f"/projects/{slug}/runs"), 409, "analysis_refused")
    assert "already waiting or running" in error["message"]


def test_a_wrong_method_is_405_in_the_envelope(as_, roles):
    response = as_("owner").client.delete(
        f"/api/projects/{roles['project'].slug}/sources", headers=as_("owner").headers()
    )
    error = assert_envelope(response, 405, "method_not_allowed")
    assert sorted(error["details"]["allowed"]) == ["GET", "POST"]
    assert sorted(response["Allow"].split(", ")) == ["GET", "POST"]


def test_an_unknown_api_path_is_404_in_the_envelope(as_):
    error = assert_envelope(as_("owner").get("/no/such/route"), 404, "not_found")
    assert "/api/docs" in error["message"]
