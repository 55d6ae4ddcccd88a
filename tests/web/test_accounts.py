"""A person's API tokens, the site administration, and the pages' shared behaviour."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from heard_web.accounts.models import ApiToken, AuditEvent


def test_a_new_token_is_shown_once_and_works_with_the_api(client, roles):
    client.force_login(roles["viewer"])
    page = client.post(reverse("tokens"), {"name": "dashboard"}).content.decode()
    raw = re.search(r'<code id="new-token">([^<]+)</code>', page).group(1)
    assert raw.startswith("heard_")
    assert ApiToken.objects.get().token_hash != raw  # only a fingerprint is stored
    assert raw not in client.get(reverse("tokens")).content.decode()
    client.logout()
    me = client.get("/api/me", headers={"Authorization": f"Bearer {raw}"})
    assert me.json()["username"] == "vera-viewer"
    assert AuditEvent.objects.filter(action="token_created").exists()


def test_a_revoked_token_stops_working(client, roles):
    from factories import make_token

    token, raw = make_token(roles["viewer"])
    client.force_login(roles["viewer"])
    assert client.post(reverse("token_revoke", kwargs={"token_id": token.pk})).status_code == 302
    client.logout()
    assert client.get("/api/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_nobody_can_revoke_someone_elses_token(client, roles):
    from factories import make_token

    token, _ = make_token(roles["owner"])
    client.force_login(roles["viewer"])
    assert client.post(reverse("token_revoke", kwargs={"token_id": token.pk})).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_token_without_a_name_shows_the_error_summary(client, roles):
    client.force_login(roles["viewer"])
    response = client.post(reverse("tokens"), {"name": ""})
    assert response.status_code == 400
    assert "Enter what the token is for" in response.content.decode()


@pytest.mark.parametrize("model", ["organisation", "membership", "apitoken", "auditevent"])
def test_site_administrators_can_open_the_admin_pages(admin_client, roles, model):
    assert admin_client.get(f"/admin/accounts/{model}/").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/admin/projects/project/",
        "/admin/stories/story/",
        "/admin/stories/importjob/",
        "/admin/analysis/theme/",
        "/admin/analysis/analysisrun/",
    ],
)
def test_the_admin_lists_every_model(admin_client, roles, path):
    assert admin_client.get(path).status_code == 200


def test_the_admin_never_shows_original_story_text(admin_client, roles):
    from factories import make_story

    story = make_story(
        roles["project"], "Redacted [NAME] text", original_text="Original with Alex Example"
    )
    page = admin_client.get(f"/admin/stories/story/{story.pk}/change/").content.decode()
    assert "Redacted [NAME] text" in page
    assert "Alex Example" not in page


def test_people_who_are_not_staff_cannot_open_the_admin(client, roles):
    client.force_login(roles["owner"])
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_health_check_says_503_when_the_task_queue_does_not_answer(client, db, monkeypatch):
    from heard_web.core import views

    def broken():
        raise ConnectionError("no queue")

    monkeypatch.setattr(views, "backend_status", broken)
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["tasks"] == {"ok": False, "error": "ConnectionError"}


def test_htmx_requests_get_the_partial_and_others_the_whole_page(client, roles):
    client.force_login(roles["viewer"])
    whole = client.get(reverse("projects:index")).content.decode()
    part = client.get(reverse("projects:index"), headers={"HX-Request": "true"}).content.decode()
    assert "<html" in whole and 'id="project-list"' in whole
    assert "<html" not in part and 'id="project-list"' in part
    assert "Adoption journeys" in part


def test_responses_vary_on_htmx_so_caches_keep_both(client, roles):
    client.force_login(roles["viewer"])
    response = client.get(reverse("projects:index"))
    assert "HX-Request" in response["Vary"]


def test_a_missing_page_uses_heards_own_404_page(client, roles):
    client.force_login(roles["viewer"])
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
