"""Moderation decides who sees a story: viewers approved ones only, analysts all but flagged
ones, owners everything (flagged stories with a safeguarding banner); and the API gives a
story's words only when they may be quoted.

Each story holds a unique marker; every way a member can reach stories (the list, keyword
search, semantic search, the story page, the API's list, search and story, a download) is
checked for each role, so a leak by any one of them fails.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from factories import make_run, make_source, make_story, make_theme, make_token

from heard_web.analysis.edits import refresh_stats
from heard_web.reports import services as reports
from heard_web.stories import services
from heard_web.stories.models import SourceKind

TEXTS = {
    "approved": "Approved quokka lanterns: the panel date came quickly and we felt heard.",
    "pending": "Pending walrus umbrellas: the panel date never came and nobody rang us back.",
    "hidden": "Hidden narwhal teapots: the panel date was moved four times without a reason.",
    "flagged": "Flagged ocelot bicycles: before the panel date I told my worker home is not safe.",
}
MARKERS = {state: text.split(":")[0] for state, text in TEXTS.items()}
SEES = {
    "viewer": {"approved"},
    "analyst": {"approved", "pending", "hidden"},
    "owner": {"approved", "pending", "hidden", "flagged"},
}
ROLES = list(SEES)


@pytest.fixture
def moderated(roles):
    project = roles["project"]
    form = make_source(project, "Story form", kind=SourceKind.FORM)
    stories = {
        state: make_story(project, text, source=form, moderation=state, sentiment="negative")
        for state, text in TEXTS.items()
    }
    services.embed_stories(project)
    run = make_run(project, parameters={"segments": [], "random_state": 0})
    make_theme(run, "Panel dates", key="1", stories=list(stories.values()))
    refresh_stats(run)
    return {**roles, "stories": stories}


def _page(client, moderated, role, name, **kwargs):
    client.force_login(moderated[role])
    kwargs["project_slug"] = moderated["project"].slug
    return client.get(
        reverse(name, kwargs={k: v for k, v in kwargs.items() if k != "params"}),
        kwargs.get("params", {}),
    )


def _seen(text: str) -> set[str]:
    return {state for state, marker in MARKERS.items() if marker in text}


@pytest.mark.parametrize("role", ROLES)
def test_the_story_list_and_keyword_search_show_what_the_role_may_see(client, moderated, role):
    listing = _page(client, moderated, role, "stories:index").content.decode()
    assert _seen(listing) == SEES[role]
    found = _page(client, moderated, role, "stories:index", params={"q": "panel date"})
    assert _seen(found.content.decode()) == SEES[role]


@pytest.mark.parametrize("role", ROLES)
def test_semantic_search_shows_what_the_role_may_see(client, moderated, role):
    params = {"q": "the date of the adoption panel", "mode": "semantic"}
    page = _page(client, moderated, role, "stories:index", params=params).content.decode()
    assert _seen(page) == SEES[role]


@pytest.mark.parametrize("role", ROLES)
def test_a_story_page_answers_only_a_role_that_may_see_it(client, moderated, role):
    for state, story in moderated["stories"].items():
        response = _page(client, moderated, role, "stories:show", story_id=story.pk)
        assert response.status_code == (200 if state in SEES[role] else 404), (role, state)


def test_a_flagged_story_carries_a_safeguarding_banner_for_owners(client, moderated):
    flagged = moderated["stories"]["flagged"]
    page = _page(client, moderated, "owner", "stories:show", story_id=flagged.pk).content.decode()
    assert 'id="moderation-banner"' in page and "Safeguarding concern" in page
    assert "safeguarding procedure" in page
    approved = moderated["stories"]["approved"]
    page = _page(client, moderated, "owner", "stories:show", story_id=approved.pk).content.decode()
    assert 'id="moderation-banner"' not in page


def test_a_waiting_story_says_so_to_analysts(client, moderated):
    pending = moderated["stories"]["pending"]
    page = _page(client, moderated, "analyst", "stories:show", story_id=pending.pk)
    text = page.content.decode()
    assert "Waiting for moderation" in text and 'data-state="pending"' in text
    assert "moderation queue" in text


def _api(client, user, path, **params):
    _, raw = make_token(user)
    response = client.get(path, params, headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code in (200, 404), response.content
    return response


@pytest.mark.parametrize("role", ROLES)
def test_the_api_lists_and_finds_what_the_role_may_see(client, moderated, role):
    slug, user = moderated["project"].slug, moderated[role]
    ids = {story.pk: state for state, story in moderated["stories"].items()}
    listing = _api(client, user, f"/api/projects/{slug}/stories").json()
    assert {ids[item["id"]] for item in listing["items"]} == SEES[role]
    assert listing["count"] == len(SEES[role])
    found = _api(client, user, f"/api/projects/{slug}/stories", q="panel date").json()
    assert {ids[item["id"]] for item in found["items"]} == SEES[role]
    meaning = _api(client, user, f"/api/projects/{slug}/stories", semantic="adoption panel").json()
    assert {ids[item["id"]] for item in meaning["items"]} == SEES[role]
    for story_id, state in ids.items():
        response = _api(client, user, f"/api/projects/{slug}/stories/{story_id}")
        assert response.status_code == (200 if state in SEES[role] else 404), (role, state)


def test_the_api_gives_a_storys_words_only_when_they_may_be_quoted(client, moderated):
    project, owner = moderated["project"], moderated["owner"]
    unquotable = make_story(
        project, "Saffron tortoise kites: do not quote me please.", consent_quote=False
    )
    slug = project.slug
    listing = _api(client, owner, f"/api/projects/{slug}/stories").json()["items"]
    by_id = {item["id"]: item for item in listing}
    approved = by_id[moderated["stories"]["approved"].pk]
    assert approved["text"] == TEXTS["approved"] and approved["text_withheld"] is None
    pending = by_id[moderated["stories"]["pending"].pk]
    assert pending["text"] is None and pending["text_withheld"] == "not_approved"
    assert by_id[unquotable.pk]["text"] is None
    assert by_id[unquotable.pk]["text_withheld"] == "no_quote_consent"
    detail = _api(client, owner, f"/api/projects/{slug}/stories/{unquotable.pk}").json()
    assert detail["text"] is None and detail["consent_quote"] is False
    # Nowhere in any answer: list, keyword search, semantic search, the story itself
    for params in ({}, {"q": "tortoise"}, {"semantic": "do not quote me"}):
        body = _api(client, owner, f"/api/projects/{slug}/stories", **params).content.decode()
        assert "Saffron tortoise" not in body and "Flagged ocelot" not in body
    assert "Saffron tortoise" not in str(detail)


def test_downloads_hold_only_approved_stories(moderated):
    export = reports.start_export(moderated["project"], "responses", {}, by=moderated["owner"])
    reports.run_export(export.pk)
    export.refresh_from_db()
    assert export.status == "succeeded", export.error_message
    assert export.stories_count == 1
    assert _seen(export.path.read_bytes().decode("utf-8")) == {"approved"}


def test_the_list_marks_stories_not_approved(client, moderated):
    page = _page(client, moderated, "owner", "stories:index").content.decode()
    for state in ("pending", "hidden", "flagged"):
        assert f'data-moderation="{state}"' in page
    assert 'data-moderation="approved"' not in page


@pytest.mark.parametrize("role", ROLES)
def test_a_theme_page_lists_the_stories_the_role_may_see(client, moderated, role):
    page = _page(client, moderated, role, "analysis:theme_show", key="1").content.decode()
    assert _seen(page) == SEES[role]


def test_an_analyst_moderates_from_the_story_page(client, moderated):
    pending = moderated["stories"]["pending"]
    page = _page(client, moderated, "analyst", "stories:show", story_id=pending.pk).content.decode()
    assert 'value="approve"' in page and 'name="next" value="story"' in page
    action = reverse(
        "listen:update", kwargs={"project_slug": moderated["project"].slug, "story_id": pending.pk}
    )
    response = client.post(action, {"action": "approve", "next": "story"})
    assert response.status_code == 302 and response["Location"].endswith(f"/stories/{pending.pk}/")
    pending.refresh_from_db()
    assert pending.moderation == "approved"
    # Flagging hides it from the analyst: back to the queue, not to a page they cannot open
    response = client.post(action, {"action": "flag", "next": "story"})
    assert response.status_code == 302 and "/listen/" in response["Location"]
    viewer_page = _page(client, moderated, "viewer", "stories:show", story_id=pending.pk)
    assert viewer_page.status_code == 404


def test_viewers_get_no_moderation_buttons(client, moderated):
    approved = moderated["stories"]["approved"]
    page = _page(client, moderated, "viewer", "stories:show", story_id=approved.pk).content.decode()
    assert 'value="approve"' not in page and 'value="flag"' not in page


def test_a_form_story_is_called_by_its_number_not_its_form_token(client, moderated):
    story = make_story(moderated["project"], "Teal heron scarves.", external_id="form:Tok3n-xyz")
    page = _page(client, moderated, "owner", "stories:show", story_id=story.pk).content.decode()
    assert f"Story {story.pk}</h1>" in page and "Tok3n-xyz" not in page
    imported = make_story(moderated["project"], "Plum heron scarves.", external_id="R-17")
    page = _page(client, moderated, "owner", "stories:show", story_id=imported.pk).content.decode()
    assert "Story R-17</h1>" in page


@pytest.mark.parametrize("role", ROLES)
def test_the_overview_counts_what_the_role_may_see_and_what_waits(client, moderated, role):
    page = _page(client, moderated, role, "projects:show").content.decode()
    stories = page.split(">Stories</dt>")[1].split("</dd>")[0]
    assert stories.strip().endswith(str(len(SEES[role])))
    waiting = 'id="waiting-for-moderation"' in page
    assert waiting == (role != "viewer")
    if waiting:
        assert "1 story from the form" in page


@pytest.mark.parametrize("role", ROLES)
def test_the_apis_project_counts_what_the_role_may_see(client, moderated, role):
    slug = moderated["project"].slug
    listing = _api(client, moderated[role], "/api/projects").json()
    assert [p["stories_count"] for p in listing if p["slug"] == slug] == [len(SEES[role])]
    one = _api(client, moderated[role], f"/api/projects/{slug}").json()
    assert one["stories_count"] == len(SEES[role])
