"""The report and tables a user gets from `heard analyse ... -o DIR`.

The analyses here are built by hand (synthetic, invented text), so these tests do not
depend on the theme-finding pipeline or the embedding model.
"""

from __future__ import annotations

import datetime
import html
import io
import re
import time
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from heard.errors import SettingsError
from heard.report import render_html, write_outputs
from heard.report.tables import assignments_csv, themes_csv
from heard.report.wording import shorten
from heard.result import NO_THEME_ID, NO_THEME_LABEL, SENTIMENT_LABELS, Analysis

# Synthetic analyses --------------------------------------------------------------------

#: theme id -> (label, key phrases, {sub-theme id: (label, key phrases, example texts)})
THEMES: dict[str, tuple[str, str, dict[str, tuple[str, str, list[str]]]]] = {
    "1": (
        "Waiting to be approved",
        "waiting; approval panel; months; no updates",
        {
            "1.1": (
                "Long gaps between assessment visits",
                "gaps between visits; assessment; social worker availability",
                [
                    "We waited nearly four months between our second and third assessment visits.",
                    "The assessment stalled over summer and nobody could tell us why.",
                    "Our social worker was lovely but clearly had far too many families to visit.",
                ],
            ),
            "1.2": (
                "Not knowing what happens next",
                "next steps; updates; uncertainty",
                [
                    "Nobody explained what would happen after panel, so we just kept waiting.",
                    "I rang every fortnight for an update and usually heard nothing back.",
                    "It would help so much to have a simple timeline of the steps & who to call.",
                ],
            ),
        },
    ),
    "2": (
        "Support after the children moved in",
        "support; therapy; after placement; peer groups",
        {
            "2.1": (
                "Getting therapy for the children",
                "therapy; CAMHS; adoption support fund",
                [
                    "Getting therapy through the support fund took almost a year of forms.",
                    "Our son needed help with trauma and the waiting list was eighteen months.",
                ],
            ),
            "2.2": (
                "Meeting other adoptive families",
                "peer support; coffee mornings; other adopters",
                [
                    "The coffee mornings with other adopters were a lifeline for us.",
                    "Meeting families a few years ahead of us made us feel normal again.",
                ],
            ),
        },
    ),
    "3": (
        "Training & preparation <course>",
        "preparation course; training days; realistic",
        {},
    ),
}

THEME_TEXTS = {
    "3": [
        "The preparation course was honest about how hard the first year can be.",
        "Training days were useful but they were all on weekdays when we work.",
    ]
}

NO_THEME_TEXTS = [
    "Thanks.",
    "n/a",
    "=SUM(1,2) is roughly how many calls it took",
    "<script>alert('hello')</script> just testing the form",
]

LONG_TEXT = (
    "When we first enquired we were told the whole process would take around six months, "
    "and we planned our lives around that, but in the end it took nearly two years from "
    "the first phone call to the day our daughter came home, and at almost every stage we "
    "had to chase for news, repeat information we had already given, and wait for people "
    "who were clearly overstretched and doing their best in a system that does not work."
)

ROLES = ["Adopter", "Prospective adopter", "Social worker <team>"]
AREAS = ["North", "South"]


def synthetic_analysis(
    n: int = 60, *, seed: int = 0, with_time: bool = True, redact: bool | None = True
) -> Analysis:
    """A small, deterministic analysis: three themes (two with sub-themes) and no-clear-theme rows."""
    rng = np.random.default_rng(seed)
    theme_cycle = ["1", "1", "2", "1", "2", "3", "1", NO_THEME_ID, "2", "1"]
    rows = []
    sub_counter: dict[str, int] = {}
    for i in range(n):
        tid = theme_cycle[i % len(theme_cycle)]
        role = ROLES[0] if tid == "2" and i % 3 else ROLES[i % len(ROLES)]
        if tid == NO_THEME_ID:
            label, sid, slabel = NO_THEME_LABEL, "", ""
            text = NO_THEME_TEXTS[(i // len(theme_cycle)) % len(NO_THEME_TEXTS)]
        else:
            label, _, subs = THEMES[tid]
            k = sub_counter.get(tid, 0)
            sub_counter[tid] = k + 1
            if subs:
                sid = sorted(subs)[k % len(subs)]
                slabel, _, texts = subs[sid]
                text = texts[(k // len(subs)) % len(texts)]
            else:
                sid, slabel = "", ""
                text = THEME_TEXTS[tid][k % len(THEME_TEXTS[tid])]
        if i == 3:
            text = LONG_TEXT
        score = float(np.round(rng.uniform(-1, 1), 6))
        if tid == "1":
            score = -abs(score)
        sentiment = (
            SENTIMENT_LABELS[0]
            if score < -0.2
            else SENTIMENT_LABELS[2]
            if score > 0.2
            else SENTIMENT_LABELS[1]
        )
        rows.append(
            {
                "response_id": f"R{i + 1:03d}",
                "text": text,
                "role": role,
                "area": AREAS[i % 2],
                "time": pd.Timestamp("2025-01-05") + pd.Timedelta(days=int(i * 170 / max(1, n))),
                "theme_id": tid,
                "theme": label,
                "subtheme_id": sid,
                "subtheme": slabel,
                "sentiment": sentiment,
                "sentiment_score": score,
            }
        )
    columns = ["response_id", "text", "role", "area", "time", "theme_id", "theme"]
    columns += ["subtheme_id", "subtheme", "sentiment", "sentiment_score"]
    responses = pd.DataFrame(rows, columns=columns)
    if not with_time:
        responses = responses.drop(columns="time")
    themes = _themes_table(responses)
    assignments = pd.DataFrame(
        {
            "response_id": responses["response_id"],
            "theme_id": responses["theme_id"],
            "theme": responses["theme"],
            "subtheme_id": responses["subtheme_id"],
            "subtheme": responses["subtheme"],
            "score": np.where(
                responses["theme_id"] == NO_THEME_ID,
                0.0,
                np.round(rng.uniform(0.3, 0.9, len(responses)), 6),
            ),
            "primary": True,
        }
    )
    quotes = (
        responses[responses["theme_id"] != NO_THEME_ID]
        .groupby("theme_id", sort=False)
        .head(4)
        .assign(rank=lambda d: d.groupby("theme_id").cumcount() + 1)[
            ["theme_id", "rank", "response_id", "text"]
        ]
        .reset_index(drop=True)
    )
    settings = {
        "title": "Adoption journeys 2025",
        "text": "response",
        "by": ["role", "area"],
        "time": "date" if with_time else None,
        "model": "all-MiniLM-L6-v2",
        "random_state": seed,
        "redact": redact,
        "version": "0.1.0",
    }
    if redact is None:
        del settings["redact"]
    return Analysis(responses, themes, assignments, quotes, settings)


def _themes_table(responses: pd.DataFrame) -> pd.DataFrame:
    n = len(responses)
    rows = []

    def row(tid: str, parent: str, level: int, label: str, phrases: str, part: pd.DataFrame):
        mix = part["sentiment"].value_counts(normalize=True)
        return {
            "theme_id": tid,
            "parent_id": parent,
            "level": level,
            "label": label,
            "key_phrases": phrases,
            "size": len(part),
            "mentions": len(part) + (2 if level == 1 and tid != NO_THEME_ID else 0),
            "share": len(part) / n if n else 0.0,
            **{s: float(mix.get(s, 0.0)) for s in SENTIMENT_LABELS},
            "sentiment_score": float(part["sentiment_score"].mean()) if len(part) else 0.0,
            "source": "discovered",
        }

    order = sorted(THEMES, key=lambda t: -(responses["theme_id"] == t).sum())
    for tid in order:
        label, phrases, subs = THEMES[tid]
        part = responses[responses["theme_id"] == tid]
        rows.append(row(tid, "", 1, label, phrases, part))
        for sid, (slabel, sphrases, _) in subs.items():
            rows.append(row(sid, tid, 2, slabel, sphrases, part[part["subtheme_id"] == sid]))
    none = responses[responses["theme_id"] == NO_THEME_ID]
    rows.append(row(NO_THEME_ID, "", 1, NO_THEME_LABEL, "", none))
    return pd.DataFrame(rows)


def large_analysis(n: int = 100_000, n_themes: int = 25, seed: int = 1) -> Analysis:
    """A big analysis for timing: ``n`` responses over ``n_themes`` themes with segments and dates."""
    rng = np.random.default_rng(seed)
    weights = np.linspace(3, 1, n_themes + 1)
    weights /= weights.sum()
    ids = np.array([str(i + 1) for i in range(n_themes)] + [NO_THEME_ID])
    tid = rng.choice(ids, size=n, p=weights)
    score = rng.uniform(-1, 1, n).round(4)
    sentiment = np.select(
        [score < -0.2, score > 0.2], [SENTIMENT_LABELS[0], SENTIMENT_LABELS[2]], SENTIMENT_LABELS[1]
    )
    labels = {t: f"Theme number {t} about something" for t in ids}
    labels[NO_THEME_ID] = NO_THEME_LABEL
    theme = pd.Series(tid).map(labels)
    sub = np.where(
        tid == NO_THEME_ID, "", pd.Series(tid) + "." + pd.Series(rng.integers(1, 4, n)).astype(str)
    )
    responses = pd.DataFrame(
        {
            "response_id": [f"R{i}" for i in range(n)],
            "text": "Some words about the service that were said by somebody " + pd.Series(tid),
            "service": rng.choice([f"Ward {c}" for c in "ABCDEFGHIJKLMNOP"], n),
            "age": rng.choice(["16-24", "25-44", "45-64", "65+"], n),
            "time": pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D"),
            "theme_id": tid,
            "theme": theme,
            "subtheme_id": sub,
            "subtheme": sub,
            "sentiment": sentiment,
            "sentiment_score": score,
        }
    )
    rows = []
    counts = responses["theme_id"].value_counts()
    for t in ids:
        size = int(counts.get(t, 0))
        rows.append(
            {"theme_id": t, "parent_id": "", "level": 1, "label": labels[t], "key_phrases": "a; b; c",
             "size": size, "mentions": size, "share": size / n, "negative": 0.3,
             "mixed or neutral": 0.4, "positive": 0.3, "sentiment_score": 0.0, "source": "discovered"}
        )  # fmt: skip
        if t != NO_THEME_ID:
            for k in (1, 2, 3):
                rows.append(
                    {"theme_id": f"{t}.{k}", "parent_id": t, "level": 2, "label": f"Sub {t}.{k}",
                     "key_phrases": "d; e", "size": size // 3, "mentions": size // 3,
                     "share": size / n / 3, "negative": 0.3, "mixed or neutral": 0.4,
                     "positive": 0.3, "sentiment_score": 0.0, "source": "discovered"}
                )  # fmt: skip
    themes = pd.DataFrame(rows).sort_values("size", ascending=False, kind="stable")
    assignments = responses[["response_id", "theme_id", "theme", "subtheme_id", "subtheme"]].assign(
        score=rng.uniform(0, 1, n).round(4), primary=True
    )
    quotes = (
        responses.groupby("theme_id")
        .head(5)
        .assign(rank=1)[["theme_id", "rank", "response_id", "text"]]
    )
    settings = {"by": ["service", "age"], "time": "date", "random_state": seed, "redact": True}
    return Analysis(responses, themes, assignments, quotes, settings)


# Fixtures ------------------------------------------------------------------------------


@pytest.fixture
def analysis() -> Analysis:
    return synthetic_analysis()


@pytest.fixture
def report(analysis: Analysis) -> str:
    return render_html(analysis)


def _text_of(page: str) -> str:
    """The page as a reader sees it: tags removed, entities decoded, spaces collapsed."""
    page = re.sub(r"<style.*?</style>|<title.*?</title>|<desc.*?</desc>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


# The HTML report -----------------------------------------------------------------------


def test_the_report_names_the_largest_theme_first(analysis: Analysis, report: str) -> None:
    summary = report[report.index('id="summary"') : report.index('id="sizes"')]
    items = re.findall(r"<li><a href=\"#(theme-[^\"]+)\">", summary)
    assert items == ["theme-1", "theme-2", "theme-3"]
    text = _text_of(summary)
    assert (
        "60 responses. The biggest issues are: Waiting to be approved (50% of responses, mostly negative)"
        in text
    )
    first_mention = {
        label: _text_of(report).index(label)
        for label in ("Waiting to be approved", "Support after the children moved in")
    }
    assert (
        first_mention["Waiting to be approved"]
        < first_mention["Support after the children moved in"]
    )


def test_the_report_is_titled_from_the_settings_or_a_plain_default(analysis: Analysis) -> None:
    assert "<h1>Adoption journeys 2025</h1>" in render_html(analysis)
    analysis.settings.pop("title")
    assert "<h1>What people told us</h1>" in render_html(analysis)


def test_it_shows_every_theme_and_sub_theme_with_its_quotes(
    analysis: Analysis, report: str
) -> None:
    for label in analysis.themes["label"]:
        assert html.escape(label, quote=False) in report
    for theme_id in analysis.top_themes["theme_id"]:
        assert f'<section class="theme" id="theme-{theme_id}"' in report
        for text in analysis.quotes_for(theme_id)["text"]:
            assert html.escape(shorten(text)[0], quote=False) in report
    section = report[report.index('id="theme-1"') : report.index('id="theme-2"')]
    assert section.count("<blockquote>") == 4
    assert "Long gaps between assessment visits" in section
    assert "gaps between visits; assessment; social worker availability" in section


def test_it_says_how_many_responses_fit_no_clear_theme_and_shows_examples(report: str) -> None:
    text = _text_of(report)
    assert "10% of responses (6) did not fit any clear theme." in text
    none = _text_of(report[report.index('id="theme-none"') :])
    assert "Thanks." in none and "n/a" in none


def test_it_states_overall_sentiment_in_words(report: str) -> None:
    assert re.search(
        r"Overall, \d+% negative, \d+% mixed or neutral and \d+% positive\.", _text_of(report)
    )


def test_it_escapes_text_from_responses_labels_and_segments(report: str) -> None:
    assert "<script" not in report
    assert "&lt;script&gt;alert(" in report
    assert "Training &amp; preparation &lt;course&gt;" in report
    assert "Social worker &lt;team&gt;" in report
    assert "<course>" not in report and "<team>" not in report


def test_the_report_loads_nothing_from_outside_the_file(report: str) -> None:
    assert not re.search(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:|//|ftp:)""", report, re.I)
    assert "http://" not in report and "https://" not in report
    assert "@import" not in report and "url(" not in report
    assert not re.search(r"<(?:script|link|img|iframe|object|embed)\b", report, re.I)


def test_it_warns_prominently_when_personal_data_was_not_removed() -> None:
    page = render_html(synthetic_analysis(redact=False))
    warning = "Personal data was NOT removed from this report"
    assert warning in page
    assert page.index(warning) < page.index('id="summary"'), "the warning comes before the findings"
    assert warning not in render_html(synthetic_analysis(redact=True))
    unknown = render_html(synthetic_analysis(redact=None))
    assert warning not in unknown
    assert "does not record whether personal data was removed" in unknown


def test_it_shows_themes_over_time_only_when_responses_have_dates() -> None:
    dated = render_html(synthetic_analysis(with_time=True))
    assert 'id="over-time"' in dated
    assert "Responses per month" in dated and "Jan 2025" in dated and "Jun 2025" in dated
    undated = render_html(synthetic_analysis(with_time=False))
    assert 'id="over-time"' not in undated and "Themes over time" not in undated


def test_it_counts_by_quarter_over_a_long_span(analysis: Analysis) -> None:
    analysis.responses["time"] = pd.date_range(
        "2021-01-01", "2024-12-01", periods=analysis.n_responses
    )
    page = render_html(analysis)
    assert "Responses per quarter" in page and "Q1 2021" in page and "Q4 2024" in page


def test_it_says_so_when_all_dates_fall_in_one_month(analysis: Analysis) -> None:
    analysis.responses["time"] = pd.Timestamp("2025-03-10")
    text = _text_of(render_html(analysis))
    assert "All dated responses fall in Mar 2025, so there is no change over time to show." in text


def test_it_groups_the_smallest_of_many_segment_values_as_other(analysis: Analysis) -> None:
    analysis.responses["age"] = [
        float(i % 15) if i % 7 else np.nan for i in range(analysis.n_responses)
    ]
    analysis.settings["by"] = ["age"]
    page = render_html(analysis)
    table = page[page.index('id="segment-age"') :]
    assert "Other (" in table and "Not recorded" in table
    assert "The smallest 7 groups of age are combined as “Other”." in _text_of(table)


def test_heat_table_text_contrasts_with_its_background() -> None:
    from heard.report.charts import heat_colours

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    for step in range(101):
        background, text = heat_colours(step / 100)
        light, dark = sorted((luminance(background), luminance(text)), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 4.5, (step, background, text)


def test_it_compares_themes_across_each_segment_and_marks_notable_differences(report: str) -> None:
    for column in ("role", "area"):
        assert f'id="segment-{column}"' in report
        assert f"Themes by {column}" in report
    role = report[report.index('id="segment-role"') : report.index('id="segment-area"')]
    assert 'class="notable"' in role
    assert "Support after the children moved in: 56% of responses from role “Adopter”" in _text_of(
        role
    )


def test_every_chart_has_a_title_a_description_and_a_table_or_text_alternative(report: str) -> None:
    charts = re.findall(r"<svg\b[^>]*>.*?</svg>", report, flags=re.S)
    assert len(charts) >= 6
    for svg in charts:
        if 'role="img"' not in svg[:400]:
            continue  # the positioning boxes nested inside a chart
        title = re.search(r'<title id="([^"]+)">([^<]+)</title>', svg)
        desc = re.search(r'<desc id="([^"]+)">([^<]+)</desc>', svg)
        assert title and desc, svg[:200]
        assert f'aria-labelledby="{title.group(1)} {desc.group(1)}"' in svg
    assert report.count("Show as a table") >= 2


def test_the_report_has_landmarks_and_headings_in_order(report: str) -> None:
    for landmark in ("<main", "<nav", "<header", "<footer", 'lang="en-GB"', "Skip to main content"):
        assert landmark in report
    levels = [int(h) for h in re.findall(r"<h([1-6])\b", report)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), levels


def test_long_quotes_are_cut_at_a_word_with_an_ellipsis(report: str) -> None:
    cut, shortened = shorten(LONG_TEXT)
    assert shortened and cut.endswith("…")
    assert len(cut[:-1].split()) == 60
    assert LONG_TEXT.startswith(cut[:-1])
    assert html.escape(cut, quote=False) in report
    assert "(shortened)" in report
    assert shorten("A short quote.") == ("A short quote.", False)


def test_how_this_was_made_lists_the_settings(report: str) -> None:
    footer = _text_of(report[report.index('id="how-made"') :])
    for expected in (
        "Responses analysed 60",
        "all-MiniLM-L6-v2",
        "Random seed (random_state) 0",
        "role, area",
    ):
        assert expected in footer


def test_it_writes_a_report_for_an_analysis_with_no_responses(tmp_path: Path) -> None:
    paths = write_outputs(synthetic_analysis(n=0), tmp_path)
    text = _text_of(paths["report"].read_text(encoding="utf-8"))
    assert "0 responses. No clear themes were found." in text
    assert openpyxl.load_workbook(paths["xlsx"])["Responses"].max_row == 1


def test_it_renders_100000_responses_in_a_couple_of_seconds() -> None:
    big = large_analysis()
    start = time.perf_counter()
    page = render_html(big)
    elapsed = time.perf_counter() - start
    assert "Theme number" in page
    assert elapsed < 5, f"render took {elapsed:.1f}s"


# CSV and XLSX --------------------------------------------------------------------------


def test_the_csv_files_are_byte_identical_for_the_same_input(tmp_path: Path) -> None:
    first = write_outputs(synthetic_analysis(seed=3), tmp_path / "a")
    second = write_outputs(synthetic_analysis(seed=3), tmp_path / "b")
    for key in ("themes", "assignments", "xlsx"):
        assert first[key].read_bytes() == second[key].read_bytes(), key
    data = first["themes"].read_bytes()
    assert b"\r" not in data and data.endswith(b"\n")
    assert data.decode("utf-8")


def test_themes_csv_keeps_the_documented_columns_and_rounds_numbers(analysis: Analysis) -> None:
    table = pd.read_csv(io.BytesIO(themes_csv(analysis)), dtype=str, keep_default_na=False)
    assert list(table.columns) == [
        "theme_id", "parent_id", "level", "label", "key_phrases", "size", "mentions", "share",
        *SENTIMENT_LABELS, "sentiment_score", "source",
    ]  # fmt: skip
    assert list(table["theme_id"]) == list(analysis.themes["theme_id"])
    assert table.loc[0, "share"] == "0.5000"
    assert table.loc[0, "size"] == "30"
    assert all(re.fullmatch(r"-?\d+\.\d{4}", v) for v in table["sentiment_score"])
    assignments = pd.read_csv(io.BytesIO(assignments_csv(analysis)), dtype=str)
    assert list(assignments.columns) == [
        "response_id",
        "theme_id",
        "theme",
        "subtheme_id",
        "subtheme",
        "score",
        "primary",
    ]
    assert len(assignments) == analysis.n_responses


def test_the_workbook_has_the_expected_sheets_and_runs_no_formulas(tmp_path: Path) -> None:
    paths = write_outputs(synthetic_analysis(), tmp_path)
    book = openpyxl.load_workbook(paths["xlsx"])
    assert book.sheetnames == ["Summary", "Themes", "Assignments", "Responses", "Quotes"]
    responses = book["Responses"]
    assert responses.freeze_panes == "A2"
    assert [c.value for c in responses[1]][:4] == ["response_id", "text", "role", "area"]
    assert responses.max_row == 61
    risky = [
        cell
        for sheet in book
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value.startswith("=")
    ]
    assert risky, "the fixture has a response starting with '='"
    assert all(cell.data_type == "s" for cell in risky)
    assert not [c for s in book for row in s.iter_rows() for c in row if c.data_type == "f"]
    assert isinstance(responses["E2"].value, datetime.datetime)
    assert book["Themes"]["H2"].value == 0.5 and book["Themes"]["H2"].number_format == "0.0%"


def test_the_workbook_shortens_cells_beyond_excels_limit(tmp_path: Path) -> None:
    analysis = synthetic_analysis()
    analysis.responses.loc[0, "text"] = "word " * 10_000
    paths = write_outputs(analysis, tmp_path)
    book = openpyxl.load_workbook(paths["xlsx"])
    cell = book["Responses"]["B2"].value
    assert len(cell) <= 32_767 and cell.endswith("Excel cells hold at most 32,767 characters]")
    summary = [row[1] for row in book["Summary"].iter_rows(values_only=True) if row[0] == "Note"]
    assert summary and "shortened" in summary[0]


def test_write_outputs_creates_the_folder_and_returns_paths_that_exist(tmp_path: Path) -> None:
    outdir = tmp_path / "nested" / "out"
    paths = write_outputs(synthetic_analysis(), outdir)
    assert set(paths) == {"report", "themes", "assignments", "xlsx"}
    assert {p.name for p in paths.values()} == {
        "report.html",
        "themes.csv",
        "assignments.csv",
        "results.xlsx",
    }
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths.values())
    assert sorted(p.name for p in outdir.iterdir()) == sorted(p.name for p in paths.values()), (
        "no temp files left"
    )
    assert "Waiting to be approved" in paths["report"].read_text(encoding="utf-8")


def test_write_outputs_replaces_earlier_results(tmp_path: Path) -> None:
    write_outputs(synthetic_analysis(n=40), tmp_path)
    paths = write_outputs(synthetic_analysis(n=60), tmp_path)
    assert len(pd.read_csv(paths["assignments"])) == 60


def test_it_refuses_to_write_into_a_file(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    target.write_text("not a folder")
    with pytest.raises(SettingsError, match="is a file, not a folder"):
        write_outputs(synthetic_analysis(), target)


def test_the_analysis_can_save_and_render_itself(tmp_path: Path, analysis: Analysis) -> None:
    assert analysis.to_html() == render_html(analysis)
    assert analysis.save(tmp_path)["report"].exists()


def test_the_csv_files_open_in_excel_as_utf8(analysis: Analysis) -> None:
    for data in (themes_csv(analysis), assignments_csv(analysis)):
        assert data.startswith(b"\xef\xbb\xbf")  # the UTF-8 byte-order mark Excel looks for
        assert data.decode("utf-8-sig").startswith(("theme_id", "response_id"))
