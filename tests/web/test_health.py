"""The health endpoint and the API's health and error envelope."""

from __future__ import annotations

from django.urls import reverse


def test_health_says_the_database_and_task_queue_answer(client, db):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["tasks"]["ok"] is True
    assert body["tasks"]["backend"] in {"database", "rq"}


def test_the_api_health_route_needs_no_token(client, db):
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_the_openapi_document_is_published(client, db):
    schema = client.get("/api/openapi.json").json()
    assert schema["info"]["title"] == "heard API"
    assert "/api/health" in schema["paths"]


def test_api_errors_use_one_envelope(client, db):
    unauthenticated = client.get("/api/me")
    assert unauthenticated.status_code == 401
    assert set(unauthenticated.json()) == {"error"}
    assert unauthenticated.json()["error"]["code"] == "not_authenticated"
    missing = client.get("/api/no-such-route")
    assert missing.status_code == 404


def test_a_token_acts_as_its_user_and_sees_only_their_projects(client, roles):
    from factories import make_token

    _, raw = make_token(roles["viewer"])
    response = client.get("/api/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert response.json() == {"username": "vera-viewer", "projects": [roles["project"].slug]}


def test_a_revoked_token_is_refused(client, roles):
    from django.utils import timezone
    from factories import make_token

    token, raw = make_token(roles["viewer"])
    token.revoked_at = timezone.now()
    token.save()
    response = client.get("/api/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_pages_work_without_javascript_and_name_heard_not_govuk(client, db):
    page = client.get(reverse("login")).content.decode()
    assert 'class="govuk-skip-link"' in page
    assert "heard" in page
    assert "GOV.UK" not in page
    assert '<form method="post"' in page


def test_the_api_docs_load_nothing_from_other_sites(client, db):
    page = client.get("/api/docs").content.decode()
    assert "swagger" in page.lower()
    assert "cdn" not in page and "https://" not in page
