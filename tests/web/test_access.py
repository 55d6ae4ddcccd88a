"""Who may open and change a project's pages: owner, analyst, viewer, outsider, anonymous.

Outsiders get 404 (a project they are not in does not exist for them); anonymous people are
sent to sign in; members whose role is too low get 403 and nothing changes.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from heard_web.accounts.models import Membership

WHO = ["owner", "analyst", "viewer", "outsider", "anonymous"]


def client_for(client, roles, who):
    if who != "anonymous":
        client.force_login(roles[who])
    return client


def url(name, project, **kwargs):
    return reverse(name, kwargs={"project_slug": project.slug, **kwargs})


READ_PAGES = ["projects:show", "projects:members"]


@pytest.mark.parametrize("name", READ_PAGES)
@pytest.mark.parametrize(
    ("who", "expected"),
    [("owner", 200), ("analyst", 200), ("viewer", 200), ("outsider", 404), ("anonymous", 302)],
)
def test_every_member_can_read_the_project_pages_and_nobody_else(
    client, roles, name, who, expected
):
    response = client_for(client, roles, who).get(url(name, roles["project"]))
    assert response.status_code == expected
    if who == "anonymous":
        assert response["Location"].startswith(reverse("login") + "?next=")


@pytest.mark.parametrize(
    ("who", "expected"),
    [("owner", 200), ("analyst", 403), ("viewer", 403), ("outsider", 404), ("anonymous", 302)],
)
def test_only_owners_open_the_settings(client, roles, who, expected):
    response = client_for(client, roles, who).get(url("projects:settings", roles["project"]))
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [("owner", 302), ("analyst", 403), ("viewer", 403), ("outsider", 404), ("anonymous", 302)],
)
def test_only_owners_change_the_settings(client, roles, who, expected):
    project = roles["project"]
    response = client_for(client, roles, who).post(
        url("projects:settings", project),
        {"name": "Renamed", "pseudonyms": "none", "description": ""},
    )
    assert response.status_code == expected
    project.refresh_from_db()
    assert (project.name == "Renamed") == (who == "owner")


@pytest.mark.parametrize(
    ("who", "expected"),
    [("owner", 302), ("analyst", 403), ("viewer", 403), ("outsider", 404), ("anonymous", 302)],
)
def test_only_owners_add_members(client, roles, who, expected):
    from factories import make_user

    newcomer = make_user("nina-newcomer")
    project = roles["project"]
    response = client_for(client, roles, who).post(
        url("projects:member_create", project),
        {"username_or_email": "nina-newcomer", "role": "viewer"},
    )
    assert response.status_code == expected
    assert project.memberships.filter(user=newcomer).exists() == (who == "owner")


@pytest.mark.parametrize(
    ("who", "expected"),
    [("owner", 302), ("analyst", 403), ("viewer", 403), ("outsider", 404), ("anonymous", 302)],
)
def test_only_owners_change_roles(client, roles, who, expected):
    project = roles["project"]
    viewer = Membership.objects.get(project=project, user=roles["viewer"])
    response = client_for(client, roles, who).post(
        url("projects:member_update", project, member_id=viewer.pk), {"role": "analyst"}
    )
    assert response.status_code == expected
    viewer.refresh_from_db()
    assert (viewer.role == "analyst") == (who == "owner")


@pytest.mark.parametrize(
    ("who", "expected"),
    [("owner", 302), ("analyst", 403), ("viewer", 403), ("outsider", 404), ("anonymous", 302)],
)
def test_only_owners_remove_members(client, roles, who, expected):
    project = roles["project"]
    analyst = Membership.objects.get(project=project, user=roles["analyst"])
    response = client_for(client, roles, who).post(
        url("projects:member_delete", project, member_id=analyst.pk)
    )
    assert response.status_code == expected
    assert Membership.objects.filter(pk=analyst.pk).exists() == (who != "owner")


def _without_tokens(response):
    return re.sub(r'"X-CSRFToken": "[^"]+"|value="[^"]{32,}"', "", response.content.decode())


def test_an_unknown_project_looks_the_same_as_someone_elses(client, roles):
    client.force_login(roles["owner"])
    theirs = client.get(url("projects:show", roles["other_project"]))
    missing = client.get(reverse("projects:show", kwargs={"project_slug": "no-such-project"}))
    assert theirs.status_code == missing.status_code == 404
    # The same page, once each page's own CSRF token is set aside.
    assert _without_tokens(theirs) == _without_tokens(missing)
    assert b"Someone else" not in theirs.content


def test_a_member_id_from_another_project_is_not_found(client, roles):
    client.force_login(roles["owner"])
    elsewhere = Membership.objects.get(project=roles["other_project"], user=roles["outsider"])
    response = client.post(url("projects:member_delete", roles["project"], member_id=elsewhere.pk))
    assert response.status_code == 404
    assert Membership.objects.filter(pk=elsewhere.pk).exists()


def test_the_project_list_shows_only_the_users_own_projects(client, roles):
    client.force_login(roles["viewer"])
    page = client.get(reverse("projects:index")).content.decode()
    assert "Adoption journeys" in page
    assert "Someone else" not in page


def test_the_last_owner_cannot_be_removed_or_demoted(client, roles):
    project = roles["project"]
    client.force_login(roles["owner"])
    own = Membership.objects.get(project=project, user=roles["owner"])
    demote = client.post(
        url("projects:member_update", project, member_id=own.pk), {"role": "viewer"}
    )
    remove = client.post(url("projects:member_delete", project, member_id=own.pk))
    assert demote.status_code == remove.status_code == 400
    assert "at least one owner" in remove.content.decode()
    own.refresh_from_db()
    assert own.role == "owner"


def test_the_menu_shows_settings_to_owners_only(client, roles):
    project = roles["project"]
    settings_url = url("projects:settings", project)
    client.force_login(roles["owner"])
    assert settings_url in client.get(url("projects:show", project)).content.decode()
    client.force_login(roles["viewer"])
    assert settings_url not in client.get(url("projects:show", project)).content.decode()


@pytest.mark.parametrize("name", ["projects:index", "projects:new"])
def test_signed_out_people_are_sent_to_sign_in(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
