"""The main pages on a phone-sized screen, and with JavaScript turned off, in a real browser.

Both use a project imported and analysed by the services (the demo's set-up, on the journey's
synthetic stories), so they do not repeat the journey's clicks.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browsing import Journey, Server, new_journey, shots_dir
from playwright.sync_api import expect
from stories import write_first

pytestmark = pytest.mark.slow

PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="session")
def analysed(
    heard_server: Server, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, str, str]:
    csv_path = write_first(tmp_path_factory.mktemp("pages") / "adoption-stories.csv")
    return heard_server.analysed_project(csv_path)


@pytest.fixture
def phone(browser, heard_server: Server, output_root: Path, request) -> Iterator[Journey]:
    visit = new_journey(browser, heard_server.url, shots_dir(output_root, request), **PHONE)
    yield visit
    visit.page.context.close()


@pytest.fixture
def no_js(browser, heard_server: Server, output_root: Path, request) -> Iterator[Journey]:
    # axe-core is JavaScript itself: the same pages are checked by the other tests.
    visit = new_journey(
        browser,
        heard_server.url,
        shots_dir(output_root, request),
        check_axe=False,
        java_script_enabled=False,
    )
    yield visit
    visit.page.context.close()


def sign_in(journey: Journey, username: str, password: str) -> None:
    page = journey.page
    page.goto("/")
    journey.step("sign in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your projects")).to_be_visible()
    journey.step("your projects")


def overflow(page: Any, width: int) -> list[str]:
    """The innermost elements wider than the screen (people would have to scroll sideways)."""
    return page.evaluate(
        """(width) => {
            if (document.documentElement.scrollWidth <= width + 1) return [];
            const scrolls = (el) => {
                // html and body scroll the page itself: only inner scrolling boxes count.
                for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
                    const x = getComputedStyle(up).overflowX;
                    if (x === "auto" || x === "scroll") return true;
                }
                return false;
            };
            const wide = [...document.querySelectorAll("body *")].filter(
                (el) => el.getBoundingClientRect().right > width + 1 && !scrolls(el)
            );
            const innermost = wide.filter((el) => !wide.some((o) => o !== el && el.contains(o)));
            const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
                + (typeof el.className === "string" && el.className.trim()
                   ? "." + el.className.trim().split(/\\s+/).join(".") : "")
                + ` (${Math.round(el.getBoundingClientRect().right)}px)`;
            const found = innermost.slice(0, 6).map(name);
            return found.length ? found : [`the page (${document.documentElement.scrollWidth}px)`];
        }""",
        width,
    )


def test_the_main_pages_fit_a_phone_screen_and_the_menu_opens(phone: Journey, analysed):
    project_url, username, password = analysed
    page = phone.page
    sign_in(phone, username, password)
    too_wide: dict[str, list[str]] = {}

    def look(name: str) -> None:
        phone.step(name)
        found = overflow(page, PHONE["viewport"]["width"])
        if found:
            too_wide[name] = found

    look("your projects on a phone")
    page.get_by_role("link", name="Adoption journeys (sample)").click()
    expect(page.get_by_role("heading", name="Adoption journeys (sample)")).to_be_visible()
    look("project overview on a phone")

    # On a phone the project menu folds behind a Menu button.
    pages = [
        ("Stories", "Stories"),
        ("Themes", "Themes"),
        ("Imports", "Import stories"),
        ("Reports", "Reports and downloads"),
        ("Members", None),
    ]
    for item, heading in pages:
        toggle = page.get_by_role("button", name="Menu")
        expect(toggle).to_be_visible()
        toggle.click()
        page.get_by_role("navigation", name="Project").get_by_role("link", name=item).click()
        if heading:
            expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        look(f"{item.lower()} on a phone")
        if item == "Stories":
            page.locator("#story-list").get_by_role("link").first.click()
            expect(page.get_by_role("heading", name="Themes")).to_be_visible()
            look("a story on a phone")
        if item == "Themes":
            table = page.get_by_role("table", name="Themes, biggest first")
            table.locator("tbody a").first.click()
            expect(page.get_by_role("heading", name="Change this theme")).to_be_visible()
            look("a theme on a phone")

    assert not too_wide, f"wider than a 375 px screen: {too_wide}"
    phone.assert_accessible()


def test_the_key_pages_work_without_javascript(no_js: Journey, analysed):
    project_url, username, password = analysed
    page = no_js.page
    sign_in(no_js, username, password)
    page.goto(project_url)
    expect(page.get_by_role("heading", name="Adoption journeys (sample)")).to_be_visible()
    no_js.step("overview")

    # Without JavaScript the whole menu shows, and every link is a plain link.
    nav = page.get_by_role("navigation", name="Project")
    nav.get_by_role("link", name="Stories").click()
    page.get_by_label("Search", exact=True).fill("approval")
    page.get_by_role("button", name="Show stories").click()
    expect(page.locator("#story-results")).to_contain_text("with “approval”")
    assert "q=approval" in page.url
    no_js.step("stories with approval")
    page.get_by_label("Stories about this (by meaning)").check()
    page.get_by_label("Search", exact=True).fill("money worries")
    # The first search by meaning loads the embedding model in the server: allow for it.
    page.get_by_role("button", name="Show stories").click(timeout=90_000)
    expect(page.locator("#story-results")).to_contain_text(
        "closest in meaning to “money worries”", timeout=90_000
    )
    no_js.step("stories about money worries")
    page.locator("#story-list").get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="Themes")).to_be_visible()
    no_js.step("a story")

    nav.get_by_role("link", name="Themes").click()
    table = page.get_by_role("table", name="Themes, biggest first")
    expect(table).to_be_visible()
    no_js.step("themes")
    first = table.locator("tbody a").first
    old = first.inner_text().strip()
    first.click()
    expect(page.get_by_role("heading", name=old)).to_be_visible()
    page.get_by_label("New name").fill("Money and allowances")
    page.get_by_role("button", name="Rename the theme").click()
    expect(page.get_by_role("heading", name="Money and allowances")).to_be_visible()
    no_js.step("a theme renamed without javascript")

    nav.get_by_role("link", name="Imports").click()
    expect(page.get_by_role("heading", name="Import stories")).to_be_visible()
    no_js.step("imports")
    nav.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Reports and downloads")).to_be_visible()
    page.get_by_role("button", name="Make themes.csv").click()
    # The page says to refresh while the worker makes it; a refresh shows the link.
    link = page.get_by_role("link", name="Download themes.csv")
    for _ in range(60):
        if link.count():
            break
        page.wait_for_timeout(1000)
        page.reload()
    expect(link).to_be_visible()
    no_js.step("reports")
    with page.expect_download() as event:
        link.click()
    assert "Money and allowances" in Path(event.value.path()).read_text(encoding="utf-8")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to heard")).to_be_visible()
    no_js.step("signed out")
