"""The audit log page: owners only; sign-ins, original views, exports, role and settings
changes, erasures; filterable and paged; never another project's events."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from factories import PASSWORD, make_story

from heard_web.accounts.models import AuditAction, AuditEvent
from heard_web.accounts.services import record_event
from heard_web.projects import services as projects
from heard_web.stories.erasure import erase_story

WHO = ["owner", "analyst", "viewer", "outsider", "anonymous"]
STATUS = {"owner": 200, "analyst": 403, "viewer": 403, "outsider": 404, "anonymous": 302}


def url(project, **query):
    base = reverse("projects:audit", kwargs={"project_slug": project.slug})
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.mark.parametrize("who", WHO)
def test_only_owners_see_the_audit_log(client, roles, who):
    if who != "anonymous":
        client.force_login(roles[who])
    assert client.get(url(roles["project"])).status_code == STATUS[who]


def test_the_log_shows_what_happened_in_the_project_and_nothing_of_another(client, roles):
    project, owner, analyst = roles["project"], roles["owner"], roles["analyst"]
    assert client.login(username=analyst.username, password=PASSWORD)  # a member signs in
    client.logout()
    membership = project.memberships.get(user=analyst)
    projects.change_role(membership, "viewer", by=owner)
    projects.update_settings(project, ["retention_days"], by=owner)
    project.keep_original_text = True
    project.save()
    story = make_story(project, "Secret words of a story.", original_text="Original words.")
    client.force_login(owner)
    client.post(
        reverse("stories:original", kwargs={"project_slug": project.slug, "story_id": story.pk})
    )
    erase_story(story, actor=owner)
    record_event(AuditAction.EXPORTED, actor=roles["outsider"], project=roles["other_project"])
    page = client.get(url(project)).content.decode()
    for label in [
        "Signed in",
        "Role changed",
        "Settings changed",
        "Original text viewed",
        "Story erased",
    ]:
        assert label in page, label
    assert analyst.username in page
    assert "Secret words" not in page and "Original words" not in page
    assert roles["outsider"].username not in page


def test_the_log_filters_by_action_person_and_date_and_pages(client, roles):
    project, owner = roles["project"], roles["owner"]
    old = timezone.now() - timedelta(days=40)
    for _ in range(55):
        record_event(AuditAction.EXPORTED, actor=owner, project=project)
    AuditEvent.objects.create(
        action=AuditAction.SETTINGS_CHANGED, actor=roles["analyst"],
        actor_label=roles["analyst"].username, project=project, at=old,
    )  # fmt: skip
    client.force_login(owner)
    first = client.get(url(project, action="exported")).content.decode()
    assert "55 events" in first and "Page 1 of 2" in first and "Settings changed</td>" not in first
    second = client.get(url(project, action="exported", page=2)).content.decode()
    assert "Page 2 of 2" in second
    by_analyst = client.get(url(project, who=roles["analyst"].username)).content.decode()
    assert "1 event<" in by_analyst and "Settings changed" in by_analyst
    day = timezone.localtime(old).date().isoformat()  # the log reads days in local time
    dated = client.get(url(project, **{"from": day, "to": day})).content.decode()
    assert "1 event<" in dated
    assert "No events match" in client.get(url(project, who="nobody")).content.decode()


def test_moderation_shows_to_owners_only_with_the_story_and_its_states_by_name(client, roles):
    from heard_web.listen.services import moderate

    project, owner = roles["project"], roles["owner"]
    story = make_story(project, "Words the log must never show.", moderation="pending")
    gone = make_story(project, "Another story, erased later.", moderation="pending")
    moderate(project, story, "approve", roles["analyst"])
    moderate(project, gone, "flag", owner)
    erase_story(gone, actor=owner)
    for who in ("analyst", "viewer", "outsider"):
        client.force_login(roles[who])
        assert client.get(url(project, action="story_moderated")).status_code != 200
    client.force_login(owner)
    page = client.get(url(project, action="story_moderated")).content.decode()
    assert "2 events<" in page and page.count("Story moderated</td>") == 2
    story_url = reverse("stories:show", kwargs={"project_slug": project.slug, "story_id": story.pk})
    assert (
        f'<a class="govuk-link" href="{story_url}">{story.pk}</a>: Waiting for moderation → Approved'
        in page
    )
    assert f"{gone.pk} (erased since): Waiting for moderation → Safeguarding concern" in page
    assert "Words the log" not in page and "Another story" not in page
    assert '<option value="story_moderated" selected>Story moderated</option>' in page
