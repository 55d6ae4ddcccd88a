"""Fixtures for the browser tests: ``heard serve``, Debian's chromium, a journey (see browsing.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browsing import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    PASSWORD,
    Journey,
    Server,
    new_journey,
    shots_dir,
)
from test_serve import scratch_database

from heard_web.testing import running_server


@pytest.fixture(scope="session")
def heard_server(
    tmp_path_factory: pytest.TempPathFactory, output_root: Path, cache_dir: Path
) -> Iterator[Server]:
    """``heard serve`` with its worker, on a free loopback port, for the browser tests."""
    data_dir = tmp_path_factory.mktemp("heard-serve-data")
    log = output_root / "browser" / "heard-serve.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with scratch_database() as database_url:
        env = {
            **os.environ,
            "HEARD_DATA_DIR": str(data_dir),
            # CI keeps an embedding cache between runs; otherwise a fresh one for this run.
            "HEARD_CACHE_DIR": os.environ.get("HEARD_CACHE_DIR", str(cache_dir)),
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "DJANGO_SUPERUSER_USERNAME": "site-admin",
            "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
            "DJANGO_SUPERUSER_EMAIL": "site-admin@example.org",
        }
        for name in ("DJANGO_SETTINGS_MODULE", "SECRET_KEY"):
            env.pop(name, None)
        if database_url:
            env["DATABASE_URL"] = database_url
        with running_server(env, log_path=log) as (url, process):
            yield Server(url=url, env=env, data_dir=data_dir, process=process, log=log)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's chromium, headless, driven by Playwright."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"The browser tests need Debian's chromium at {CHROMIUM}, which is missing. "
            "Install it with: apt-get install -y chromium (or set HEARD_TEST_CHROMIUM)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def journey(browser: Any, heard_server: Server, output_root: Path, request) -> Iterator[Journey]:
    """A fresh browser context on the served app, desktop-sized."""
    visit = new_journey(
        browser,
        heard_server.url,
        shots_dir(output_root, request),
        viewport={"width": 1280, "height": 900},
    )
    yield visit
    # The page as it was at the end (after a failure: where it stopped).
    visit.page.screenshot(path=str(visit.folder / "zz-last.png"), full_page=True)
    visit.page.context.close()
