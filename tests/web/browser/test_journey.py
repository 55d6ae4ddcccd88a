"""A new user's journey through heard in a real browser, clicking what they would click.

Every step leaves a screenshot in test-output/browser/<test>/ (HEARD_TEST_OUTPUT moves it) and
is checked with axe-core for WCAG 2.2 A and AA; the imports and analyses really run in the
background worker of ``heard serve``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browsing import Journey, Server
from playwright.sync_api import expect
from stories import write_first, write_new

pytestmark = pytest.mark.slow

PROJECT = "Adoption journeys 2026"
RENAMED = "Waiting after approval"
IMPORT_SECONDS = 150
ANALYSIS_SECONDS = 240


def sign_in(journey: Journey, username: str, password: str) -> None:
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


def menu(journey: Journey, item: str) -> None:
    journey.page.get_by_role("navigation", name="Project").get_by_role("link", name=item).click()


def import_file(journey: Journey, path: Path, rows: int, label: str) -> None:
    """Upload a CSV, choose its columns on the preview, and watch the import finish."""
    page = journey.page
    menu(journey, "Imports")
    expect(page.get_by_role("heading", name="Import stories")).to_be_visible()
    journey.step(f"imports, before {label}")
    page.get_by_label("Upload a file").set_input_files(str(path))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("heading", name="Choose the columns")).to_be_visible()
    expect(page.get_by_text(f"heard read {rows} rows")).to_be_visible()
    page.get_by_label("Which column holds what people said?").select_option("response")
    page.get_by_label("Which column identifies each response? (optional)").select_option("id")
    for segment in ("role", "area"):
        page.get_by_role(
            "group", name="Which columns describe who said it? (optional)"
        ).get_by_label(segment, exact=True).check()
    page.get_by_label("Which column holds the date? (optional)").select_option("date")
    journey.step(f"choose the columns of {label}")
    page.get_by_role("button", name=f"Import {rows} rows").click()
    expect(page.get_by_role("heading", name=path.name)).to_be_visible()
    journey.step(f"import of {label} started")
    expect(page.get_by_role("heading", name="Import finished")).to_be_visible(
        timeout=IMPORT_SECONDS * 1000
    )
    expect(page.get_by_text(f"{rows} stories added", exact=True)).to_be_visible()
    journey.step(f"import of {label} finished")


def run_analysis(journey: Journey, button: str, label: str) -> None:
    """Start an analysis from the Themes page and watch it finish, then open the themes."""
    page = journey.page
    menu(journey, "Themes")
    expect(page.get_by_role("heading", name="Themes", exact=True)).to_be_visible()
    journey.step(f"themes, before {label}")
    page.get_by_role("button", name=button).click()
    expect(page.get_by_role("heading", name=f"Analysis of {PROJECT}")).to_be_visible()
    journey.step(f"{label} started")
    expect(page.get_by_role("heading", name="The analysis has finished")).to_be_visible(
        timeout=ANALYSIS_SECONDS * 1000
    )
    journey.step(f"{label} finished")
    page.get_by_role("link", name="See the themes").click()
    expect(page.get_by_role("table", name="Themes, biggest first")).to_be_visible()
    journey.step(f"themes after {label}")


def theme_labels(journey: Journey) -> list[str]:
    links = journey.page.get_by_role("table", name="Themes, biggest first").locator("tbody a")
    return [text.strip() for text in links.all_inner_texts()]


def main_theme_of(journey: Journey, search: str, story_ref: str | None = None) -> str:
    """Search the stories, open one, and read its main theme from the story page."""
    page = journey.page
    menu(journey, "Stories")
    page.get_by_label("Search", exact=True).fill(search)
    page.get_by_label("Stories with these words").check()
    page.get_by_role("button", name="Show stories").click()
    expect(page.locator("#story-results")).to_contain_text(f"with “{search}”")
    # htmx swapped the results in: the live region tells screen readers the new count
    expect(page.get_by_role("status")).to_contain_text(f"with “{search}”")
    results = page.locator("#story-list")
    if story_ref:
        results.get_by_role("link", name=f"Story {story_ref}", exact=True).click()
    else:
        results.get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="Themes")).to_be_visible()
    journey.step(f"a story about {search}")
    # "Theme (0.62, main theme)", or "Theme: Sub-theme (0.62, main theme)" for a sub-theme.
    main = page.locator("li", has_text="main theme").first.inner_text()
    label = re.sub(r"\s*\([^()]*main theme[^()]*\)\s*$", "", main).strip()
    return label.split(": ", 1)[0]


def test_a_new_user_signs_in_imports_stories_shapes_themes_and_downloads_the_report(
    journey: Journey, heard_server: Server, tmp_path: Path
):
    page = journey.page
    username, password = heard_server.make_user("nadia")
    sign_in(journey, username, password)
    create_project(journey, PROJECT)
    assert re.search(r"/projects/adoption-journeys-2026/$", page.url)

    # Import 80 stories, choosing the columns on the preview.
    import_file(journey, write_first(tmp_path / "adoption-stories.csv"), 80, "the first file")
    page.get_by_role("link", name="See the stories from adoption-stories.csv").click()
    expect(page.locator("#story-results")).to_contain_text("80 stories")
    journey.step("stories of the first file")

    # Run the analysis.
    run_analysis(journey, "Run the analysis", "the first analysis")
    first_labels = theme_labels(journey)
    assert len([t for t in first_labels if t != "No clear theme"]) >= 3, first_labels

    # Open the theme people's waiting stories are in, and rename it.
    waiting = main_theme_of(journey, "approval")
    menu(journey, "Themes")
    page.get_by_role("link", name=waiting, exact=True).click()
    expect(page.get_by_role("heading", name=waiting)).to_be_visible()
    journey.step("a theme")
    page.get_by_label("New name").fill(RENAMED)
    page.get_by_role("button", name="Rename the theme").click()
    expect(page.get_by_role("heading", name=RENAMED)).to_be_visible()
    expect(page.get_by_text(f"heard called it “{waiting}”.")).to_be_visible()
    journey.step("the theme renamed")

    # Merge the themes of the school stories and the money stories, keeping school's name.
    school = main_theme_of(journey, "teacher")
    money = main_theme_of(journey, "allowance")
    assert len({school, money, RENAMED}) == 3, (school, money)
    menu(journey, "Themes")
    to_merge = page.get_by_role("group", name="Themes to merge")
    for label in (school, money):
        to_merge.get_by_label(label, exact=True).check()
    page.get_by_label("Keep the name of").select_option(label=school)
    journey.step("merge two themes")
    page.get_by_role("button", name="Merge the themes").click()
    expect(page.get_by_role("heading", name=school)).to_be_visible()
    journey.step("the merged theme")
    menu(journey, "Themes")
    expect(page.get_by_role("table", name="Themes, biggest first")).to_be_visible()
    merged_labels = theme_labels(journey)
    assert school in merged_labels and money not in merged_labels, merged_labels
    assert RENAMED in merged_labels
    journey.step("themes after the merge")

    # New stories arrive: import them and run the analysis again.
    import_file(journey, write_new(tmp_path / "new-stories.csv"), 6, "new stories")
    run_analysis(journey, "Run the analysis again", "the re-run")

    # The edits are kept...
    rerun_labels = theme_labels(journey)
    assert RENAMED in rerun_labels, rerun_labels
    assert school in rerun_labels and money not in rerun_labels, rerun_labels
    expect(
        page.get_by_role("row").filter(has_text=RENAMED).get_by_text("(named by a person)")
    ).to_be_visible()
    # ...and the new stories are placed in the themes they are about.
    assert main_theme_of(journey, "approved", "NEW-01") == RENAMED
    assert main_theme_of(journey, "classroom", "NEW-05") == school

    # Download the report.
    menu(journey, "Reports")
    expect(page.get_by_role("heading", name="Reports and downloads")).to_be_visible()
    journey.step("reports")
    page.get_by_role("button", name="Make the report (HTML)").click()
    download_link = page.get_by_role("link", name=re.compile(r"^Download "))
    expect(download_link).to_be_visible(timeout=120_000)
    journey.step("the report is ready")
    with page.expect_download() as event:
        download_link.click()
    report = journey.folder / event.value.suggested_filename
    event.value.save_as(report)
    html = report.read_text(encoding="utf-8")
    assert RENAMED in html and school in html
    assert report.suffix == ".html"

    journey.assert_accessible()
