"""``heard serve --demo``: the bundled sample, imported and analysed, with a login to print."""

from __future__ import annotations

import csv
import os
import subprocess
import sys

import pytest

from heard_web.demo import SAMPLE


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_demo_sets_up_the_sample_project_imported_and_analysed(monkeypatch, cache_dir):
    from django.test import Client

    from heard_web.analysis.models import Assignment
    from heard_web.demo import set_up_demo

    monkeypatch.setenv("HEARD_CACHE_DIR", os.environ.get("HEARD_CACHE_DIR", str(cache_dir)))
    with SAMPLE.open(newline="", encoding="utf-8") as handle:
        rows = sum(1 for _ in csv.DictReader(handle))

    said: list[str] = []
    demo = set_up_demo(say=said.append)

    assert demo.stories == rows
    assert demo.themes >= 3
    placed = Assignment.objects.filter(story__project=demo.project).values("story").distinct()
    assert placed.count() == rows, "every story is in a theme or in 'No clear theme'"
    assert any(f"Finished: {rows} stories added" in line for line in said)
    client = Client()
    assert client.login(username=demo.username, password=demo.password)
    page = client.get(demo.project.get_absolute_url())
    assert page.status_code == 200 and b"Adoption journeys (sample)" in page.content

    again = set_up_demo(say=said.append)
    assert again.project.pk == demo.project.pk
    assert again.stories == rows and again.themes == demo.themes
    assert again.project.analysis_runs.count() == 1
    assert again.password != demo.password
    assert not Client().login(username=demo.username, password=demo.password)
    assert Client().login(username=again.username, password=again.password)


def test_heard_serve_offers_the_demo():
    shown = subprocess.run(
        [sys.executable, "-m", "heard.cli", "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.returncode == 0
    assert "--demo" in shown.stdout and "sample project" in shown.stdout
