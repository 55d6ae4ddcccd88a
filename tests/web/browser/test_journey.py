"""A new user's journey through heard in a real browser, clicking what they would click.

Every step leaves a screenshot in test-output/browser/<test>/ (HEARD_TEST_OUTPUT moves it) and
is checked with axe-core for WCAG 2.2 A and AA.
"""

from __future__ import annotations

import re

import pytest
from browsing import Journey, Server
from playwright.sync_api import expect

pytestmark = pytest.mark.slow


def sign_in(journey: Journey, server: Server, username: str, password: str) -> None:
    page = journey.page
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in to heard")).to_be_visible()
    journey.step("sign in page")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your projects")).to_be_visible()
    journey.step("your projects, empty")


def create_project(journey: Journey, name: str) -> None:
    page = journey.page
    page.get_by_role("button", name="Create a project").click()
    expect(page.get_by_role("heading", name="Create a project")).to_be_visible()
    journey.step("create a project")
    page.get_by_label("Project name").fill(name)
    page.get_by_label("What is it about? (optional)").fill(
        "What adopters and prospective adopters told us in 2026."
    )
    page.get_by_role("button", name="Create the project").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    expect(page.get_by_text(f"Project ‘{name}’ created.")).to_be_visible()
    journey.step("project overview, new")


def test_a_new_user_signs_in_imports_stories_shapes_themes_and_downloads_the_report(
    journey: Journey, heard_server: Server
):
    username, password = heard_server.make_user("nadia")
    sign_in(journey, heard_server, username, password)
    create_project(journey, "Adoption journeys 2026")
    page = journey.page
    assert re.search(r"/projects/adoption-journeys-2026/$", page.url)

    journey.assert_accessible()
