"""The public story form in a real browser: a member of the public tells their story on a phone
and on a desktop, gets a reference, and later takes the story back with it; every public page
passes axe-core (WCAG 2.2 A/AA); the form works with JavaScript turned off.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browsing import Journey, Server, new_journey, shots_dir
from playwright.sync_api import expect

pytestmark = pytest.mark.slow

PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
QUESTION = "What happened when you applied to adopt?"
REFERENCE = re.compile(r"^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$")


@pytest.fixture(scope="session")
def form_project(heard_server: Server) -> str:
    """A project with an open story form (and a second one whose form is closed); its slug."""
    heard_server.manage(
        "shell",
        "-c",
        "from heard_web.accounts.models import Organisation; "
        "from heard_web.listen.models import StoryForm; "
        "from heard_web.projects.models import Project; "
        "o = Organisation.objects.create(name='Northshire Council', slug='northshire'); "
        "p = Project.objects.create(organisation=o, name='Adoption voices', slug='adoption-voices'); "
        "StoryForm.objects.create(project=p, is_open=True, "
        f"questions={QUESTION + chr(10) + 'What would have helped?'!r}, "
        "role_choices='Adopter\\nFoster carer\\nSocial worker', area_choices='North\\nSouth', "
        "age_choices='18 to 34\\n35 to 54\\n55 or over', privacy_contact='The adoption team'); "
        "c = Project.objects.create(organisation=o, name='Last year', slug='last-year'); "
        "StoryForm.objects.create(project=c, is_open=False)",
    )
    return "adoption-voices"


def visit(browser: Any, heard_server: Server, output_root: Path, request: Any, **ctx: Any):
    journey = new_journey(browser, heard_server.url, shots_dir(output_root, request), **ctx)
    return journey


@pytest.fixture(params=["phone", "desktop"])
def person(browser, heard_server: Server, output_root: Path, request) -> Iterator[Journey]:
    journey = visit(
        browser,
        heard_server,
        output_root,
        request,
        **(PHONE if request.param == "phone" else DESKTOP),
    )
    yield journey
    journey.page.screenshot(path=str(journey.folder / "zz-last.png"), full_page=True)
    journey.page.context.close()


def tell(journey: Journey, slug: str, text: str) -> str:
    """Fill in and send the form like a person would; the reference on the confirmation page."""
    page = journey.page
    page.goto(f"/tell/{slug}/")
    expect(page.get_by_role("heading", name="Tell us your story")).to_be_visible()
    journey.step("the story form")
    page.get_by_role("button", name="Send my story").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert page.title().startswith("Error: ")
    journey.step("the form says what is missing")
    page.get_by_label(QUESTION).fill(text)
    page.get_by_label("What would have helped?").fill("A named contact from the start.")
    page.get_by_label("Adopter").check()
    page.get_by_label("35 to 54").check()
    page.get_by_label("You can use my story").check()
    page.get_by_label("You can quote my words").check()
    journey.step("the form filled in")
    page.get_by_role("button", name="Send my story").click()
    expect(page.get_by_role("heading", name="Thank you: your story was received")).to_be_visible()
    journey.step("the confirmation with the reference")
    reference = page.get_by_test_id("reference").inner_text().strip()
    assert REFERENCE.match(reference), reference
    return reference


def test_a_person_tells_their_story_and_later_takes_it_back_with_the_reference(
    person: Journey, form_project: str, heard_server: Server
):
    page = person.page
    text = f"Our social worker ({person.page.viewport_size['width']}px) was kind but the panel took months."
    reference = tell(person, form_project, text)
    page.get_by_role("link", name="What happens to your story").first.click()
    expect(page.get_by_role("heading", name="What happens to your story")).to_be_visible()
    person.step("the privacy notice")
    stored = heard_server.manage(
        "shell",
        "-c",
        "from heard_web.stories.models import Story; "
        f"s = Story.objects.get(reference={reference!r}); print(s.moderation, s.redacted_text)",
    )
    assert "\npending Our social worker" in stored and "the panel took months" in stored

    # Later, in a new visit: the withdrawal page, a wrong reference first.
    page.goto(f"/tell/{form_project}/withdraw/")
    expect(page.get_by_role("heading", name="Take your story back")).to_be_visible()
    person.step("the withdrawal page")
    page.get_by_label("Your reference").fill("AAAA-BBBB-CCCC")
    page.get_by_role("button", name="Delete my story").click()
    expect(page.get_by_text("No story has this reference").first).to_be_visible()
    person.step("a wrong reference")
    page.get_by_label("Your reference").fill(reference.lower().replace("-", " "))
    page.get_by_role("button", name="Delete my story").click()
    expect(page.get_by_role("heading", name="Your story has been deleted")).to_be_visible()
    person.step("the story is deleted")
    gone = heard_server.manage(
        "shell",
        "-c",
        "from heard_web.stories.models import Story; "
        f"print(Story.objects.filter(reference={reference!r}).count())",
    )
    assert gone.strip().splitlines()[-1] == "0"
    page.goto("/tell/last-year/")
    expect(page.get_by_role("heading", name="This form is closed")).to_be_visible()
    person.step("a closed form")
    person.assert_accessible()


@pytest.fixture
def no_js(browser, heard_server: Server, output_root: Path, request) -> Iterator[Journey]:
    journey = new_journey(
        browser,
        heard_server.url,
        shots_dir(output_root, request),
        check_axe=False,
        java_script_enabled=False,
        **DESKTOP,
    )
    yield journey
    journey.page.context.close()


def test_the_form_sends_a_story_with_javascript_turned_off(
    no_js: Journey, form_project: str, heard_server: Server
):
    reference = tell(no_js, form_project, "Without scripts: the preparation course was useful.")
    stored = heard_server.manage(
        "shell",
        "-c",
        "from heard_web.stories.models import Story; "
        f"print(Story.objects.get(reference={reference!r}).redacted_text)",
    )
    assert "the preparation course was useful" in stored


def test_an_owner_sets_up_the_form_and_moderates_what_arrives(
    browser, heard_server: Server, form_project: str, output_root: Path, request
):
    username, password = heard_server.make_user("olu-owner")
    heard_server.manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import User; "
        "from heard_web.accounts.models import Membership; "
        "from heard_web.projects.models import Project; "
        f"Membership.objects.create(user=User.objects.get(username={username!r}), "
        f"project=Project.objects.get(slug={form_project!r}), role='owner')",
    )
    public = new_journey(browser, heard_server.url, shots_dir(output_root, request), **DESKTOP)
    tell(public, form_project, "The first meeting was warm and the forms were clear.")
    public.page.context.close()

    owner = new_journey(browser, heard_server.url, shots_dir(output_root, request), **DESKTOP)
    page = owner.page
    page.goto("/accounts/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/projects/{form_project}/")
    page.get_by_role("link", name="Story form").first.click()
    expect(page.get_by_role("heading", name="Stories from the form")).to_be_visible()
    owner.step("the moderation queue")
    card = page.locator(".govuk-summary-card", has_text="The first meeting was warm")
    card.get_by_role("button", name="Flag a safeguarding concern").click()
    expect(page.get_by_text("flagged as a safeguarding concern")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^Safeguarding")).click()
    expect(page.get_by_role("heading", name="Safeguarding concern").first).to_be_visible()
    owner.step("a flagged story with its banner")
    card = page.locator(".govuk-summary-card", has_text="The first meeting was warm")
    card.get_by_role("link", name=re.compile(r"^Open")).click()
    banner = page.locator("#moderation-banner")
    expect(banner).to_contain_text("Safeguarding concern")
    expect(banner).to_contain_text("Only owners can see it")
    owner.step("the flagged story's own page, under its banner")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("approved: it will be in the next analysis")).to_be_visible()
    expect(page.locator("#moderation-banner")).to_have_count(0)
    owner.step("approved from the story's page")
    page.goto(f"/projects/{form_project}/listen/")
    owner.step("approved")
    page.get_by_role("link", name="Change the form's settings").click()
    expect(page.get_by_role("heading", name="Story form")).to_be_visible()
    owner.step("the form's settings")
    page.get_by_label("Title").fill("Tell us about adopting")
    page.get_by_role("button", name="Save the form's settings").click()
    expect(page.get_by_text("The story form's settings are saved.")).to_be_visible()
    owner.step("settings saved")
    page.screenshot(path=str(owner.folder / "zz-last.png"), full_page=True)
    page.context.close()
    heard_server.manage(
        "shell",
        "-c",
        "from heard_web.listen.models import StoryForm; "
        f"StoryForm.objects.filter(project__slug={form_project!r}).update(title='Tell us your story')",
    )
    owner.assert_accessible()
