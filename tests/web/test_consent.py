"""Consent: a story whose author did not agree to be quoted is never a quote, anywhere.

A unique marker story is one of a theme's quotes by rank, but without consent to quote
(and another is hidden by moderation); neither may appear in the theme page's quotes, the
HTML or PDF report, the CSV or XLSX downloads, or the API's quotes, while a consented
quote does (so the checks can fail).
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.urls import reverse
from factories import make_run, make_story, make_theme, make_token

from heard_web.analysis.edits import refresh_stats
from heard_web.analysis.models import Assignment
from heard_web.reports import services
from heard_web.reports.models import ExportKind

NO_CONSENT = "Zanzibar periwinkle lanterns flickered while we waited for news"
HIDDEN = "Obsidian marmoset clocks ticked all through the hidden story"
CONSENTED = "Tangerine heron kites flew while the panel met about our match"


@pytest.fixture
def quoted(roles):
    project = roles["project"]
    run = make_run(project, parameters={"segments": [], "random_state": 0})
    yes = make_story(project, CONSENTED, sentiment="negative")
    no = make_story(project, NO_CONSENT, sentiment="negative", consent_quote=False)
    hidden = make_story(project, HIDDEN, sentiment="negative", moderation="hidden")
    other = make_story(project, "The training was fine.", sentiment="positive")
    theme = make_theme(run, "Waiting", key="1", stories=[no, hidden, yes])
    make_theme(run, "Training", key="2", stories=[other])
    Assignment.objects.filter(theme=theme, story=no).update(quote_rank=1)
    Assignment.objects.filter(theme=theme, story=hidden).update(quote_rank=2)
    Assignment.objects.filter(theme=theme, story=yes).update(quote_rank=3)
    refresh_stats(run)
    return {**roles, "run": run, "theme": theme}


def _export(project, kind, owner):
    export = services.start_export(project, kind, {}, by=owner)
    services.run_export(export.pk)
    export.refresh_from_db()
    assert export.status == "succeeded", export.error_message
    return export.path.read_bytes()


def _text_of(kind: str, data: bytes) -> str:
    if kind == ExportKind.XLSX:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return " ".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    if kind == ExportKind.PDF:
        from pypdf import PdfReader

        pages = PdfReader(io.BytesIO(data)).pages
        return re.sub(r"\s+", " ", " ".join(p.extract_text() or "" for p in pages))
    return data.decode("utf-8")


@pytest.mark.parametrize("kind", [k.value for k in ExportKind])
def test_a_story_without_quote_consent_is_in_no_download(quoted, kind):
    text = _text_of(kind, _export(quoted["project"], kind, quoted["owner"]))
    assert NO_CONSENT not in text
    assert HIDDEN not in text
    if kind in (ExportKind.REPORT, ExportKind.PDF, ExportKind.XLSX, ExportKind.RESPONSES):
        assert CONSENTED in text  # the consented quote is there: the check can fail


def test_a_story_without_quote_consent_is_not_a_quote_on_the_theme_page(client, quoted):
    client.force_login(quoted["owner"])
    url = reverse(
        "analysis:theme_show", kwargs={"project_slug": quoted["project"].slug, "key": "1"}
    )
    page = client.get(url).content.decode()
    quotes = " ".join(re.findall(r"<blockquote.*?</blockquote>", page, flags=re.S))
    assert CONSENTED in quotes
    assert NO_CONSENT not in quotes
    assert HIDDEN not in quotes


def test_a_story_without_quote_consent_is_not_a_quote_in_the_api(client, quoted):
    _, raw = make_token(quoted["viewer"])
    slug, theme = quoted["project"].slug, quoted["theme"]
    response = client.get(
        f"/api/projects/{slug}/themes/{theme.pk}", headers={"Authorization": f"Bearer {raw}"}
    )
    assert response.status_code == 200
    quotes = [q["text"] for q in response.json()["quotes"]]
    assert quotes == [CONSENTED]
    listing = client.get(
        f"/api/projects/{slug}/themes", headers={"Authorization": f"Bearer {raw}"}
    ).content.decode()
    assert NO_CONSENT not in listing and HIDDEN not in listing
