"""Stories per month are counted in the local time zone (settings.TIME_ZONE), not in UTC.

London is UTC in winter (GMT) and an hour ahead in summer (BST, from 01:00 UTC on 30 March
2025 to 01:00 UTC on 26 October 2025): a story at 23:30 UTC on the last day of a summer
month was sent just after midnight on the first of the next month.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from factories import make_run, make_story, make_theme

from heard_web.analysis.edits import refresh_stats
from heard_web.reports import services as reports


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


#: When each story was sent (UTC), and the London month it was sent in.
SENT = {
    "winter month end": (utc(2025, 1, 31, 23, 30), "January 2025"),  # GMT: still 31 January
    "before the clocks go forward": (utc(2025, 3, 30, 0, 30), "March 2025"),  # 00:30 GMT
    "summer month end": (utc(2025, 3, 31, 23, 30), "April 2025"),  # 00:30 BST on 1 April
    "middle of a summer month": (utc(2025, 4, 15, 12, 0), "April 2025"),
    "summer month end in autumn": (utc(2025, 9, 30, 23, 30), "October 2025"),  # 1 October BST
    "after the clocks go back": (utc(2025, 10, 31, 23, 30), "October 2025"),  # 23:30 GMT
}


@pytest.fixture
def dated(roles):
    """A finished run over six stories, five of them sent at month ends in summer and winter time."""
    project = roles["project"]
    run = make_run(project, stories_count=6, parameters={"segments": [], "time": True})
    stories = {
        name: make_story(project, f"Story sent at the {name}.", received_at=when)
        for name, (when, _) in SENT.items()
    }
    waiting = make_theme(
        run,
        "Waiting for a match",
        key="1",
        position=0,
        stories=[stories[n] for n in ("winter month end", "summer month end")]
        + [stories["summer month end in autumn"]],
    )
    make_theme(
        run,
        "Training",
        key="2",
        position=1,
        stories=[
            stories[n]
            for n in (
                "before the clocks go forward",
                "middle of a summer month",
                "after the clocks go back",
            )
        ],
    )
    refresh_stats(run)
    return {**roles, "run": run, "stories": stories, "waiting": waiting}


def theme_months(client, project, key="1"):
    """The theme page's month table: {month: (stories about the theme, stories that month)}."""
    page = client.get(
        reverse("analysis:theme_show", kwargs={"project_slug": project.slug, "key": key})
    ).content.decode()
    rows = re.findall(
        r'<td class="govuk-table__cell">(\w+ \d{4})</td>'
        r'<td class="govuk-table__cell govuk-table__cell--numeric">(\d+) of (\d+)</td>',
        page,
    )
    return {month: (int(n), int(total)) for month, n, total in rows}


def test_a_theme_page_counts_each_story_in_the_london_month_it_was_sent_in(client, dated):
    client.force_login(dated["viewer"])
    assert theme_months(client, dated["project"]) == {
        "January 2025": (1, 1),
        "March 2025": (0, 1),
        "April 2025": (1, 2),
        "October 2025": (1, 2),
    }
    assert theme_months(client, dated["project"], key="2") == {
        "January 2025": (0, 1),
        "March 2025": (1, 1),
        "April 2025": (1, 2),
        "October 2025": (1, 2),
    }


def test_the_runs_monthly_totals_are_kept_with_their_time_zone(client, dated):
    client.force_login(dated["viewer"])
    theme_months(client, dated["project"])
    dated["run"].refresh_from_db()
    totals = dated["run"].parameters["totals"]
    assert totals["months"] == {"2025-01": 1, "2025-03": 1, "2025-04": 2, "2025-10": 2}
    assert totals["zone"] == "Europe/London"


def test_totals_counted_in_utc_before_months_were_local_are_counted_again(client, dated):
    run = dated["run"]
    run.parameters = {
        **run.parameters,
        "totals": {
            "months": {"2025-01": 1, "2025-03": 2, "2025-04": 1, "2025-09": 1, "2025-10": 1},
            "segments": {},
        },
    }
    run.save(update_fields=["parameters"])
    client.force_login(dated["viewer"])
    months = theme_months(client, dated["project"])
    assert months["April 2025"] == (1, 2) and "September 2025" not in months
    run.refresh_from_db()
    assert run.parameters["totals"]["months"]["2025-04"] == 2


def test_months_follow_the_configured_time_zone_behind_utc(client, dated, settings):
    client.force_login(dated["viewer"])
    theme_months(client, dated["project"])  # totals kept in London's months first
    settings.TIME_ZONE = "America/New_York"  # EST is UTC-5, EDT (from 9 March 2025) UTC-4
    late = make_story(
        dated["project"], "Sent late on 31 March in New York.", received_at=utc(2025, 4, 1, 2, 30)
    )
    make_theme(dated["run"], "Money", key="3", position=2, stories=[late])
    assert theme_months(client, dated["project"], key="3") == {
        "January 2025": (0, 1),  # 18:30 EST on 31 January
        "March 2025": (1, 3),  # 20:30 EDT on 29 March, 19:30 on 31 March, 22:30 on 31 March
        "April 2025": (0, 1),  # 08:00 EDT on 15 April
        "September 2025": (0, 1),  # 19:30 EDT on 30 September
        "October 2025": (0, 1),  # 19:30 EDT on 31 October
    }


def test_a_theme_pages_months_are_counted_without_calling_back_into_python(client, dated):
    """TruncMonth on SQLite runs a Python function for every row; months must not."""
    client.force_login(dated["viewer"])
    theme_months(client, dated["project"])  # totals counted and kept
    with CaptureQueriesContext(connection) as queries:
        assert theme_months(client, dated["project"])["April 2025"] == (1, 2)
    assert not [q["sql"] for q in queries if "django_datetime" in q["sql"]]


def test_a_downloaded_table_of_stories_gives_each_its_london_day(dated):
    export = reports.start_export(dated["project"], "responses", {})
    reports.run_export(export.pk)
    export.refresh_from_db()
    assert export.status == "succeeded", export.error_message
    got = csv.DictReader(io.StringIO(export.path.read_text(encoding="utf-8-sig")))
    days = {int(r["response_id"]): r["time"] for r in got}
    s = dated["stories"]
    assert days[s["winter month end"].pk] == "2025-01-31"
    assert days[s["summer month end"].pk] == "2025-04-01"
    assert days[s["summer month end in autumn"].pk] == "2025-10-01"


def test_the_reports_trend_over_time_counts_stories_in_their_london_quarter(dated):
    from heard.report import render_html

    html = render_html(reports.build_analysis(dated["project"], dated["run"]))
    # Few stories over ten months: the report shows quarters. 1 April's story is in Q2, not
    # Q1 (its UTC date, 31 March), and 1 October's is in Q4, not Q3.
    assert "6 dated responses, from 2 in Q1 2025 to 2 in Q4 2025" in html


@pytest.mark.parametrize(
    "zone",
    ["Europe/London", "America/New_York", "Australia/Adelaide", "Asia/Kolkata", "Pacific/Auckland"],
)
def test_a_runs_months_match_the_local_calendar_in_any_time_zone(roles, settings, zone):
    """Times either side of every month's start in UTC and locally, and of each clock change."""
    from collections import Counter
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from heard_web.analysis import explorer

    settings.TIME_ZONE = zone
    local = ZoneInfo(zone)
    times = []
    for month in range(1, 13):
        local_start = datetime(2025, month, 1, tzinfo=local).astimezone(UTC)
        for start in (utc(2025, month, 1), local_start):
            times += [start - timedelta(seconds=1), start, start + timedelta(hours=11)]
    hours = [utc(2025, 1, 1) + timedelta(hours=h) for h in range(365 * 24)]
    for before, after in zip(hours, hours[1:], strict=False):
        if before.astimezone(local).utcoffset() != after.astimezone(local).utcoffset():
            times += [before, after]  # the hours either side of a clock change
    run = make_run(roles["project"], parameters={"segments": [], "time": True})
    stories = [
        make_story(roles["project"], f"Story {i}.", received_at=t) for i, t in enumerate(times)
    ]
    make_theme(run, "Everything", key="1", stories=stories)
    expected = Counter(f"{t.astimezone(local):%Y-%m}" for t in times)
    assert explorer.count_totals(run)["months"] == dict(expected)
