"""The public story form: configured by owners, open to anyone, moderated, protected from abuse."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from heard_web.listen import services
from heard_web.listen.models import ContactRequest, StoryForm
from heard_web.stories.models import Moderation, Story

pytestmark = pytest.mark.django_db

REFERENCE = re.compile(r"\b([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})\b")


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings):
    """With REDIS_URL the counts live in Redis, which the test's rollback does not undo."""
    if settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL)
        for key in client.scan_iter("heard:rate:*"):
            client.delete(key)


@pytest.fixture
def open_form(roles):
    return StoryForm.objects.create(
        project=roles["project"],
        is_open=True,
        questions="What happened?\nWhat would have helped?",
        role_choices="Adopter\nFoster carer",
        area_choices="North\nSouth",
    )


def form_url(project, name="listen:form"):
    return reverse(name, kwargs={"project_slug": project.slug})


def fields_of(client, project):
    page = client.get(form_url(project))
    assert page.status_code == 200
    token = re.search(rb'name="submission" value="([^"]+)"', page.content).group(1).decode()
    csrf = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content).group(1)
    return {"submission": token, "csrfmiddlewaretoken": csrf.decode()}


def send(client, project, text="The panel was kind and the wait was short.", **extra):
    data = {**fields_of(client, project), "answer_0": text, "consent_analysis": "on", **extra}
    return client.post(form_url(project), data)


def test_a_member_of_the_public_sends_a_story_without_signing_in_and_gets_a_reference(
    client, roles, open_form
):
    response = send(client, roles["project"], role="Adopter", consent_quote="on")
    assert response.status_code == 200
    reference = REFERENCE.search(response.content.decode()).group(1)
    story = Story.objects.get(reference=reference)
    assert story.project == roles["project"]
    assert story.redacted_text == "The panel was kind and the wait was short."
    assert story.moderation == Moderation.PENDING
    assert story.attributes == {"role": "Adopter"}
    assert story.consent_quote and story.consent_analysis and not story.consent_contact
    assert story.source.kind == "form"


def test_it_redacts_the_story_and_keeps_the_original_only_when_the_project_says_so(
    client, roles, open_form
):
    text = "Call me on 07700 900123 about the panel."
    send(client, roles["project"], text)
    story = Story.objects.get(source__kind="form")
    assert "07700" not in story.redacted_text and story.original_text == ""
    roles["project"].keep_original_text = True
    roles["project"].save()
    send(Client(), roles["project"], text + " Again.")
    kept = Story.objects.filter(source__kind="form").exclude(pk=story.pk).get()
    assert kept.original_text == text + " Again." and "07700" not in kept.redacted_text


def test_sending_the_same_form_twice_stores_one_story_with_one_reference(client, roles, open_form):
    data = {
        **fields_of(client, roles["project"]),
        "answer_0": "The training days were useful.",
        "consent_analysis": "on",
    }
    first = client.post(form_url(roles["project"]), data)
    second = client.post(form_url(roles["project"]), data)
    ref = REFERENCE.search(first.content.decode()).group(1)
    assert REFERENCE.search(second.content.decode()).group(1) == ref
    assert Story.objects.filter(source__kind="form").count() == 1


def test_both_answers_are_kept_and_the_first_is_required(client, roles, open_form):
    response = send(client, roles["project"], "", answer_1="More information.")
    assert response.status_code == 400
    assert b"Write your story, then send it." in response.content
    assert b"Error: " in response.content
    send(client, roles["project"], "It went well.", answer_1="A named social worker.")
    assert Story.objects.get().redacted_text == "It went well.\n\nA named social worker."


def test_consent_to_analysis_is_required(client, roles, open_form):
    data = {**fields_of(client, roles["project"]), "answer_0": "A story."}
    response = client.post(form_url(roles["project"]), data)
    assert response.status_code == 400
    assert b"Tick the box to say we can use your story" in response.content
    assert not Story.objects.exists()


def test_contact_details_are_kept_apart_from_the_story(client, roles, open_form):
    response = send(
        client,
        roles["project"],
        "I would like to talk about the matching stage.",
        consent_contact="on",
        contact_name="Sam Example",
        contact="sam@example.org",
    )
    story = Story.objects.get(reference=REFERENCE.search(response.content.decode()).group(1))
    assert "sam@example.org" not in story.redacted_text and "Sam" not in story.redacted_text
    assert "example.org" not in str(story.attributes)
    contact = ContactRequest.objects.get(story=story)
    assert contact.contact == "sam@example.org" and story.consent_contact


def test_asking_to_be_contacted_without_details_says_what_is_missing(client, roles, open_form):
    response = send(client, roles["project"], consent_contact="on")
    assert response.status_code == 400
    assert b"Enter an e-mail address or phone number" in response.content


def test_a_closed_form_says_so_and_stores_nothing(client, roles, open_form):
    open_form.is_open = False
    open_form.save()
    page = client.get(form_url(roles["project"]))
    assert page.status_code == 200 and b"This form is closed" in page.content
    client.post(form_url(roles["project"]), {"answer_0": "A story.", "consent_analysis": "on"})
    assert not Story.objects.exists()


def test_a_project_without_a_form_has_no_public_page(client, roles):
    for name in ("listen:form", "listen:privacy", "listen:withdraw"):
        assert client.get(form_url(roles["project"], name)).status_code == 404


def test_the_privacy_notice_says_what_happens_in_plain_english(client, roles, open_form):
    roles["project"].retention_days = 365
    roles["project"].save()
    page = client.get(form_url(roles["project"], "listen:privacy")).content.decode()
    assert "What happens to your story" in page
    assert "deleted 365 days after you send it" in page
    assert "kept apart from your story" in page


def test_the_person_withdraws_their_story_with_the_reference(client, roles, open_form):
    response = send(client, roles["project"], consent_contact="on", contact="0161 496 0000")
    reference = REFERENCE.search(response.content.decode()).group(1)
    typed = reference.lower().replace("-", " ")
    done = Client().post(form_url(roles["project"], "listen:withdraw"), {"reference": typed})
    assert done.status_code == 200 and b"Your story has been deleted" in done.content
    assert not Story.objects.filter(reference=reference).exists()
    assert not ContactRequest.objects.exists()


def test_a_wrong_reference_withdraws_nothing_and_says_why(client, roles, open_form):
    send(client, roles["project"])
    response = client.post(
        form_url(roles["project"], "listen:withdraw"), {"reference": "AAAA-BBBB-CCCC"}
    )
    assert response.status_code == 400 and b"No story has this reference" in response.content
    assert Story.objects.count() == 1


def test_a_reference_only_withdraws_in_its_own_project(client, roles, open_form):
    reference = REFERENCE.search(send(client, roles["project"]).content.decode()).group(1)
    StoryForm.objects.create(project=roles["other_project"], is_open=True)
    client.post(form_url(roles["other_project"], "listen:withdraw"), {"reference": reference})
    assert Story.objects.filter(reference=reference).exists()


def test_references_are_three_groups_of_four_unambiguous_characters():
    refs = {services.new_reference() for _ in range(500)}
    assert len(refs) == 500
    for ref in refs:
        assert REFERENCE.fullmatch(ref)
        assert not set(ref) & set("01ILOU")
    assert services.normalise_reference(" k7mx 3qpa-9tze ") == "K7MX-3QPA-9TZE"


# Abuse protection ----------------------------------------------------------------------------


def test_a_filled_honeypot_stores_nothing(client, roles, open_form):
    response = send(client, roles["project"], website="http://spam.example")
    assert response.status_code == 400 and b"was not saved" in response.content
    assert not Story.objects.exists()


def test_too_many_stories_from_one_client_get_a_friendly_429(client, roles, open_form, settings):
    settings.FORM_RATE_LIMIT = 2
    for n in range(2):
        assert send(client, roles["project"], f"Story number {n}.").status_code == 200
    response = send(client, roles["project"], "One too many.")
    assert response.status_code == 429
    assert b"Too many attempts from your connection" in response.content
    assert Story.objects.count() == 2
    other = Client(REMOTE_ADDR="192.0.2.77")
    assert send(other, roles["project"], "From somewhere else.").status_code == 200


def test_withdrawal_guesses_are_rate_limited(client, roles, open_form, settings):
    settings.WITHDRAW_RATE_LIMIT = 3
    url = form_url(roles["project"], "listen:withdraw")
    codes = [client.post(url, {"reference": "AAAA-BBBB-CCCC"}).status_code for _ in range(4)]
    assert codes == [400, 400, 400, 429]


def test_an_answer_over_the_limit_is_refused_with_a_message(client, roles, open_form, settings):
    settings.HEARD_FORM_MAX_CHARS = 200
    response = send(client, roles["project"], "word " * 100)
    assert response.status_code == 400
    assert b"longer than 200 characters" in response.content
    huge = {**fields_of(client, roles["project"]), "answer_0": "x" * 2_000_000}
    too_big = client.post(form_url(roles["project"]), huge)
    assert too_big.status_code == 413 and b"too long to send" in too_big.content
    assert not Story.objects.exists()


def test_a_post_without_the_csrf_token_is_refused(roles, open_form):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        form_url(roles["project"]), {"answer_0": "A story.", "consent_analysis": "on"}
    )
    assert response.status_code == 403
    assert b"Nothing was saved: please send the form again" in response.content
    assert not Story.objects.exists()
    assert send(client, roles["project"]).status_code == 200  # with the token from the page


# The team's pages ----------------------------------------------------------------------------


def test_only_owners_configure_the_form(client, roles):
    url = form_url(roles["project"], "listen:edit")
    data = {"is_open": "on", "title": "Tell us", "questions": "How was it?", "ask_contact": "on"}
    for who, code in [("analyst", 403), ("viewer", 403), ("outsider", 404)]:
        c = Client()
        c.force_login(roles[who])
        assert c.post(url, data).status_code == code
    assert not StoryForm.objects.exists()
    assert Client().get(url).status_code == 302
    client.force_login(roles["owner"])
    assert client.post(url, data).status_code == 302
    config = StoryForm.objects.get(project=roles["project"])
    assert config.is_open and config.question_list() == ["How was it?"]
    page = Client().get(form_url(roles["project"]))
    assert b"How was it?" in page.content


@pytest.fixture
def waiting(client, roles, open_form):
    for text in ("The first visit was friendly.", "I worry about a child in my street."):
        send(Client(), roles["project"], text)
    return list(Story.objects.filter(source__kind="form").order_by("pk"))


def moderate(who, roles, story, action):
    c = Client()
    c.force_login(roles[who])
    url = reverse(
        "listen:update", kwargs={"project_slug": roles["project"].slug, "story_id": story.pk}
    )
    return c.post(url, {"action": action})


def test_analysts_approve_hide_and_flag_and_viewers_cannot(roles, waiting):
    good, worrying = waiting
    assert moderate("viewer", roles, good, "approve").status_code == 403
    assert moderate("outsider", roles, good, "approve").status_code == 404
    assert moderate("analyst", roles, good, "approve").status_code == 302
    assert moderate("analyst", roles, worrying, "flag").status_code == 302
    good.refresh_from_db()
    worrying.refresh_from_db()
    assert good.moderation == Moderation.APPROVED and worrying.moderation == Moderation.FLAGGED
    # Once flagged, only owners see it (and may change it).
    assert moderate("analyst", roles, worrying, "approve").status_code == 404


def test_flagged_stories_show_to_owners_with_a_banner_and_not_to_analysts(roles, waiting):
    moderate("analyst", roles, waiting[1], "flag")
    url = reverse("listen:index", kwargs={"project_slug": roles["project"].slug})
    owner, analyst = Client(), Client()
    owner.force_login(roles["owner"])
    analyst.force_login(roles["analyst"])
    shown = owner.get(url + "?state=flagged").content.decode()
    assert "Safeguarding concern" in shown and "I worry about a child" in shown
    assert analyst.get(url + "?state=flagged").status_code == 404
    waiting_page = analyst.get(url).content.decode()
    assert "The first visit was friendly." in waiting_page and "I worry about" not in waiting_page


def test_only_approved_stories_are_analysed(roles, waiting):
    from heard_web.analysis.services import analysable_stories

    assert not analysable_stories(roles["project"]).filter(source__kind="form").exists()
    moderate("analyst", roles, waiting[0], "approve")
    moderate("analyst", roles, waiting[1], "hide")
    assert list(analysable_stories(roles["project"]).filter(source__kind="form")) == [waiting[0]]


def test_a_hidden_story_stops_being_a_quote(roles, waiting):
    from factories import make_run, make_theme

    from heard_web.analysis.explorer import quotes_for
    from heard_web.analysis.models import Assignment

    story = waiting[0]
    moderate("analyst", roles, story, "approve")
    Story.objects.filter(pk=story.pk).update(consent_quote=True)
    theme = make_theme(make_run(roles["project"]), "Visits", stories=[story])
    Assignment.objects.filter(theme=theme, story=story).update(quote_rank=1)
    assert [q.story_id for q in quotes_for(theme)] == [story.pk]
    moderate("analyst", roles, story, "hide")
    assert quotes_for(theme) == []


def test_owners_see_contact_details_and_analysts_do_not(roles, open_form):
    send(
        Client(),
        roles["project"],
        "Please call me.",
        consent_contact="on",
        contact="sam@example.org",
    )
    url = reverse("listen:index", kwargs={"project_slug": roles["project"].slug})
    owner, analyst = Client(), Client()
    owner.force_login(roles["owner"])
    analyst.force_login(roles["analyst"])
    assert b"sam@example.org" in owner.get(url).content
    assert b"sam@example.org" not in analyst.get(url).content


def test_moderating_writes_one_audit_event_with_who_which_story_and_the_states_only(roles, waiting):
    from heard_web.accounts.models import AuditAction, AuditEvent

    story = waiting[1]
    assert moderate("analyst", roles, story, "flag").status_code == 302
    (event,) = AuditEvent.objects.filter(action=AuditAction.STORY_MODERATED)
    assert event.actor == roles["analyst"] and event.project == roles["project"]
    assert event.target_type == "stories.story" and event.target_id == str(story.pk)
    assert event.details == {"story": story.pk, "from": "pending", "to": "flagged"}
    assert event.ip_address == "127.0.0.1"
    stored = json.dumps([event.details, event.target_id, event.actor_label])
    assert "worry" not in stored and "child" not in stored
    # Choosing the state it is already in changes nothing, so nothing is recorded.
    assert moderate("owner", roles, story, "flag").status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.STORY_MODERATED).count() == 1
    assert moderate("owner", roles, story, "pending").status_code == 302
    last = AuditEvent.objects.filter(action=AuditAction.STORY_MODERATED).first()
    assert last.actor == roles["owner"]
    assert last.details == {"story": story.pk, "from": "flagged", "to": "pending"}


# Rate limits behind reverse proxies (HEARD_TRUSTED_PROXIES) ---------------------------------

PROXY = "10.0.0.1"  # what REMOTE_ADDR is for every visitor behind the proxy


def visitor(forwarded_for=None, remote=PROXY):
    headers = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return Client(**headers)


def test_by_default_a_forged_forwarded_for_header_does_not_escape_the_limit(
    roles, open_form, settings
):
    settings.FORM_RATE_LIMIT = 2
    assert settings.TRUSTED_PROXIES == 0
    codes = [
        send(visitor(f"198.51.100.{n}", remote="192.0.2.10"), roles["project"], f"Try {n}.")
        for n in range(3)
    ]
    assert [c.status_code for c in codes] == [200, 200, 429]
    assert Story.objects.count() == 2


def test_behind_one_proxy_each_visitor_has_their_own_limit_from_the_right_most_entry(
    roles, open_form, settings
):
    settings.FORM_RATE_LIMIT = 2
    settings.TRUSTED_PROXIES = 1
    project = roles["project"]
    assert send(visitor("203.0.113.5"), project, "First from A.").status_code == 200
    # A forged entry on the left is what the client wrote; the proxy appended the real one.
    assert send(visitor("198.51.100.1, 203.0.113.5"), project, "Second from A.").status_code == 200
    assert send(visitor("198.51.100.2,203.0.113.5"), project, "Third from A.").status_code == 429
    assert send(visitor("203.0.113.6"), project, "First from B.").status_code == 200
    assert Story.objects.count() == 3


@pytest.mark.parametrize("header", [None, "", "not-an-address", "203.0.113.5, ", "999.1.1.1"])
def test_a_missing_or_malformed_forwarded_for_header_falls_back_to_the_proxy_address(
    roles, open_form, settings, header
):
    settings.FORM_RATE_LIMIT = 2
    settings.TRUSTED_PROXIES = 1
    project = roles["project"]
    assert send(visitor(header), project, "One.").status_code == 200
    assert send(visitor(header), project, "Two.").status_code == 200
    # Every such request shares the proxy's bucket; a well-formed one keeps its own.
    assert send(visitor(header), project, "Three.").status_code == 429
    assert send(visitor("203.0.113.7"), project, "Someone else.").status_code == 200


def test_a_header_shorter_than_the_proxy_chain_is_not_believed(roles, open_form, settings):
    settings.FORM_RATE_LIMIT = 1
    settings.TRUSTED_PROXIES = 2
    project = roles["project"]
    assert send(visitor("203.0.113.8"), project, "One.").status_code == 200
    assert send(visitor("203.0.113.9"), project, "Two.").status_code == 429  # same proxy
    # With both proxies' entries, the client is the second from the right.
    assert (
        send(visitor("198.51.100.3, 203.0.113.8, 10.0.0.2"), project, "Three.").status_code == 200
    )


def test_an_ipv6_visitor_is_counted_by_their_64_network_not_by_each_address(
    roles, open_form, settings
):
    # An IPv6 connection is given a whole /64: one visitor can use a fresh address each time.
    settings.FORM_RATE_LIMIT = 2
    project = roles["project"]
    same_network = ["2001:db8:1:2::1", "2001:db8:1:2::abcd", "2001:db8:1:2:ffff:ffff:ffff:ffff"]
    codes = [
        send(visitor(remote=address), project, f"Try {n}.").status_code
        for n, address in enumerate(same_network)
    ]
    assert codes == [200, 200, 429]
    # The next /64 is someone else.
    assert send(visitor(remote="2001:db8:1:3::1"), project, "Neighbour.").status_code == 200
    assert Story.objects.count() == 3


def test_an_ipv4_address_mapped_into_ipv6_shares_the_ipv4_limit(roles, open_form, settings):
    settings.FORM_RATE_LIMIT = 1
    project = roles["project"]
    assert send(visitor(remote="192.0.2.44"), project, "One.").status_code == 200
    assert send(visitor(remote="::ffff:192.0.2.44"), project, "Two.").status_code == 429
    assert send(visitor(remote="::ffff:192.0.2.45"), project, "Three.").status_code == 200
