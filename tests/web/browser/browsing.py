"""The browser tests' helpers: the served app, the accessibility check, a user's journey.

- ``heard_server``: ``heard serve`` (web server and background worker) in a subprocess on a
  free loopback port, with its own data folder (and its own PostgreSQL database when
  DATABASE_URL is set), so imports and analyses really run in the background.
- ``browser``: Debian's chromium (``/usr/bin/chromium``), never a browser downloaded by
  Playwright; ``.ci/run`` installs the package when it is missing.
- ``journey``: one page of a user's journey; ``journey.step("name")`` leaves a screenshot under
  the run's output folder (test-output/browser/<test>/) and checks the page with axe-core.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

HEARD = [sys.executable, "-m", "heard.cli"]
CHROMIUM = os.environ.get("HEARD_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# axe-core from npm (frontend/package.json), copied here by `make assets`: nothing is fetched.
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PASSWORD = "a long synthetic password 42"


@dataclass
class Server:
    url: str
    env: dict[str, str]
    data_dir: Path
    process: subprocess.Popen[str]
    log: Path

    def manage(self, *args: str, timeout: float = 120) -> str:
        """``heard manage ARGS`` against this server's database; its output."""
        done = subprocess.run(
            [*HEARD, "manage", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def analysed_project(self, csv_path: Path) -> tuple[str, str, str]:
        """A project with ``csv_path`` imported and analysed through the services (as the demo
        does): (project URL, username, password)."""
        out = self.manage(
            "shell",
            "-c",
            "from pathlib import Path; from heard_web.demo import set_up_demo; "
            f"d = set_up_demo(sample=Path({str(csv_path)!r}), columns={{'text': 'response', "
            "'id': 'id', 'by': ['role', 'area'], 'time': 'date', 'sheet': None}, "
            "say=lambda _: None); "
            "print('DEMO', d.project.get_absolute_url(), d.username, d.password)",
            timeout=600,
        )
        line = next(x for x in out.splitlines() if x.startswith("DEMO "))
        _, url, username, password = line.split()
        return url, username, password

    def make_user(self, username: str, password: str = PASSWORD) -> tuple[str, str]:
        """An account made the way a site administrator would (not a superuser)."""
        self.manage(
            "shell",
            "-c",
            "from django.contrib.auth.models import User; "
            f"User.objects.create_user({username!r}, {username + '@example.org'!r}, {password!r})",
        )
        return username, password


def shots_dir(output_root: Path, request: pytest.FixtureRequest) -> Path:
    folder = output_root / "browser" / re.sub(r"[^\w.-]+", "-", request.node.name).strip("-")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.2 A/AA violations on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map((n) => ({target: n.target, summary: n.failureSummary})),
            }));
        }""",
        WCAG_TAGS,
    )


def describe_violations(found: dict[str, list[dict[str, Any]]]) -> str:
    """axe's findings, readable: step, rule, what it asks, which elements."""
    lines = []
    for step, violations in found.items():
        for violation in violations:
            lines.append(
                f"{step}: {violation['id']} ({violation['impact']}): {violation['help']} "
                f"[{violation['helpUrl']}]"
            )
            for node in violation["nodes"][:5]:
                lines.append(f"    at {' '.join(map(str, node['target']))}")
                summary = (node.get("summary") or "").strip().replace("\n", "\n       ")
                if summary:
                    lines.append(f"       {summary}")
            if len(violation["nodes"]) > 5:
                lines.append(f"    ...and {len(violation['nodes']) - 5} more elements")
    return "\n".join(lines)


class Journey:
    """One person's visit: every ``step`` leaves a numbered screenshot and an axe check."""

    def __init__(self, page: Any, folder: Path, *, check_axe: bool = True) -> None:
        self.page = page
        self.folder = folder
        self.check_axe = check_axe
        self.count = 0
        self.violations: dict[str, list[dict[str, Any]]] = {}
        self.visited: list[str] = []

    def step(self, name: str) -> None:
        """The page as the user sees it now: screenshot, then accessibility check."""
        self.count += 1
        label = f"{self.count:02d}-{re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')}"
        self.page.wait_for_load_state("load")
        self.page.screenshot(path=str(self.folder / f"{label}.png"), full_page=True)
        self.visited.append(f"{label}: {self.page.url}")
        if self.check_axe:
            found = axe_violations(self.page)
            if found:
                self.violations[f"{label} ({self.page.url})"] = found

    def assert_accessible(self) -> None:
        (self.folder / "pages.txt").write_text("\n".join(self.visited) + "\n")
        report = describe_violations(self.violations)
        (self.folder / "axe.txt").write_text(report or "No violations.\n")
        assert not self.violations, "axe-core found WCAG 2.2 A/AA violations:\n" + report


def new_journey(
    browser: Any, base_url: str, folder: Path, *, check_axe: bool = True, **context: Any
) -> Journey:
    ctx = browser.new_context(base_url=base_url, accept_downloads=True, **context)
    ctx.set_default_timeout(15_000)
    return Journey(ctx.new_page(), folder, check_axe=check_axe)
