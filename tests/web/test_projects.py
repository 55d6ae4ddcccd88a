"""Creating a project, and the forms' error messages."""

from __future__ import annotations

from django.urls import reverse

from heard_web.accounts.models import AuditEvent, Membership


def test_creating_a_project_makes_the_creator_its_owner(client, db):
    from factories import make_user

    user = make_user("olivia")
    client.force_login(user)
    response = client.post(
        reverse("projects:new"),
        {"name": "Adoption journeys 2026", "new_organisation": "Northshire Council"},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user=user)
    assert membership.role == "owner"
    assert membership.project.slug == "adoption-journeys-2026"
    assert membership.project.organisation.name == "Northshire Council"
    assert response["Location"] == membership.project.get_absolute_url()
    assert AuditEvent.objects.filter(action="project_created", project=membership.project).exists()


def test_a_project_without_a_name_shows_the_error_summary(client, db):
    from factories import make_user

    client.force_login(make_user())
    response = client.post(reverse("projects:new"), {"name": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert 'href="#id_name"' in page
    assert "Enter a name for the project" in page
    assert "<title>Error: " in page


def test_a_project_called_new_does_not_hide_the_create_page(client, db):
    from factories import make_user

    client.force_login(make_user())
    client.post(reverse("projects:new"), {"name": "New"})
    assert client.get(reverse("projects:new")).status_code == 200
    assert Membership.objects.get().project.slug != "new"


def test_signing_in_and_out_is_audited(client, db):
    from factories import PASSWORD, make_user

    make_user("olivia")
    response = client.post(reverse("login"), {"username": "olivia", "password": PASSWORD})
    assert response.status_code == 302
    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": "olivia", "password": "wrong"})
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["sign_in", "sign_out", "sign_in_failed"]
    assert "wrong" not in str(AuditEvent.objects.last().details)


def test_a_wrong_password_says_what_to_do(client, db):
    from factories import make_user

    make_user("olivia")
    page = client.post(
        reverse("login"), {"username": "olivia", "password": "nope"}
    ).content.decode()
    assert "The username or password is not right" in page
    assert "There is a problem" in page


def test_password_reset_sends_an_email_with_a_working_link(client, db, mailoutbox):
    from factories import make_user

    make_user("olivia", email="olivia@example.org")
    client.post(reverse("password_reset"), {"email": "olivia@example.org"})
    assert len(mailoutbox) == 1
    link = next(line for line in mailoutbox[0].body.splitlines() if "/password/reset/" in line)
    path = link.split("testserver", 1)[1]
    response = client.get(path, follow=True)
    assert "Choose a new password" in response.content.decode()
