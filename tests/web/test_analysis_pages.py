"""The theme explorer's pages and a person's edits, for owner, analyst, viewer, outsider, anonymous.

Themes here are made directly (factories), so these tests need no model; the analysis itself
is tested in test_analysis_run.py and test_analysis_rerun.py.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from factories import make_run, make_story, make_theme

from heard_web.analysis import edits
from heard_web.analysis.models import AnalysisRun, AssignedBy, Assignment, Theme, ThemeEdit

WHO = ["owner", "analyst", "viewer", "outsider", "anonymous"]
READ = {"owner": 200, "analyst": 200, "viewer": 200, "outsider": 404, "anonymous": 302}
WRITE = {"owner": 302, "analyst": 302, "viewer": 403, "outsider": 404, "anonymous": 302}


@pytest.fixture
def themed(roles):
    """The project with a finished run: three themes and "No clear theme", two stories each."""
    project = roles["project"]
    run = make_run(project, stories_count=8, parameters={"segments": ["role"]})
    stories = [
        make_story(
            project,
            f"Story {i} about {topic}.",
            attributes={"role": "adopter" if i % 2 else "carer"},
        )
        for i, topic in enumerate(
            ["waiting"] * 2 + ["training"] * 2 + ["money"] * 2 + ["other"] * 2
        )
    ]
    waiting = make_theme(run, "Waiting for a match", key="1", stories=stories[0:2], position=0)
    training = make_theme(run, "Training", key="2", stories=stories[2:4], position=1)
    money = make_theme(run, "Money", key="3", stories=stories[4:6], position=2)
    none = make_theme(
        run, "No clear theme", key="none", kind="none", stories=stories[6:8], position=3
    )
    Assignment.objects.filter(theme=waiting, story=stories[0]).update(quote_rank=1)
    edits.refresh_stats(run)
    return {
        **roles,
        "run": run,
        "stories": stories,
        "waiting": waiting,
        "training": training,
        "money": money,
        "none": none,
    }


def client_for(client, roles, who):
    if who != "anonymous":
        client.force_login(roles[who])
    return client


def url(name, project, **kwargs):
    return reverse(f"analysis:{name}", kwargs={"project_slug": project.slug, **kwargs})


@pytest.mark.parametrize("who", WHO)
def test_every_member_can_explore_the_themes_and_nobody_else(client, themed, who):
    c = client_for(client, themed, who)
    project = themed["project"]
    for page in [
        url("index", project),
        url("theme_show", project, key="1"),
        url("run_show", project, run_id=themed["run"].pk),
    ]:
        response = c.get(page)
        assert response.status_code == READ[who], page
    if who == "viewer":
        page = c.get(url("theme_show", project, key="1")).content.decode()
        assert "Waiting for a match" in page and "Story 0 about waiting." in page
        assert "Rename the theme" not in page, "a viewer is offered no edits"
        story = themed["stories"][0]
        assert (
            reverse("stories:show", kwargs={"project_slug": project.slug, "story_id": story.pk})
            in page
        )


def _posts(themed):
    project, s = themed["project"], themed["stories"]
    return [
        ("theme_rename", {"key": "1"}, {"label": "The long wait"}),
        ("theme_pin", {"key": "1"}, {"pinned": "1"}),
        ("theme_merge", {}, {"keys": ["2", "3"], "into": "2"}),
        ("theme_split", {"key": "1"}, {"label": "Split off", "story_ids": [s[0].pk]}),
        ("theme_move", {"key": "1"}, {"to": "2", "story_ids": [s[1].pk]}),
    ], project


@pytest.mark.parametrize("who", WHO)
def test_only_analysts_and_owners_edit_themes_and_a_viewers_post_changes_nothing(
    client, themed, who
):
    posts, project = _posts(themed)
    c = client_for(client, themed, who)
    for name, kwargs, data in posts:
        response = c.post(url(name, project, **kwargs), data)
        assert response.status_code == WRITE[who], name
    changed = ThemeEdit.objects.filter(project=project).count()
    assert changed == (5 if who in {"owner", "analyst"} else 0)
    if who not in {"owner", "analyst"}:
        assert Theme.objects.get(run=themed["run"], key="1").label == "Waiting for a match"


@pytest.mark.parametrize("who", WHO)
def test_only_analysts_and_owners_start_an_analysis(
    client, themed, who, django_capture_on_commit_callbacks
):
    c = client_for(client, themed, who)
    with django_capture_on_commit_callbacks(execute=False):
        response = c.post(url("run_create", themed["project"]), {"n_themes": "auto"})
    assert response.status_code == WRITE[who]
    assert AnalysisRun.objects.filter(project=themed["project"]).count() == (
        2 if who in {"owner", "analyst"} else 1
    )


def test_renaming_a_theme_shows_the_new_name_and_keeps_the_machine_one(client, themed):
    client.force_login(themed["analyst"])
    response = client.post(
        url("theme_rename", themed["project"], key="1"),
        {"label": "  The long   wait "},
        follow=True,
    )
    assert "The long wait" in response.content.decode()
    theme = Theme.objects.get(run=themed["run"], key="1")
    assert (theme.label, theme.machine_label, theme.renamed) == (
        "The long wait",
        "Waiting for a match",
        True,
    )
    edit = ThemeEdit.objects.get()
    assert (edit.kind, edit.payload, edit.created_by) == (
        "rename",
        {"key": "1", "label": "The long wait"},
        themed["analyst"],
    )


def test_an_empty_name_is_refused_with_a_message_and_changes_nothing(client, themed):
    client.force_login(themed["analyst"])
    response = client.post(url("theme_rename", themed["project"], key="1"), {"label": "  "})
    assert response.status_code == 400
    assert "Enter the theme" in response.content.decode()
    assert Theme.objects.get(run=themed["run"], key="1").label == "Waiting for a match"
    assert not ThemeEdit.objects.exists()


def test_merging_themes_puts_all_their_stories_in_one(client, themed):
    client.force_login(themed["owner"])
    response = client.post(url("theme_merge", themed["project"]), {"keys": ["2", "3"], "into": "3"})
    assert response.status_code == 302
    money = Theme.objects.get(run=themed["run"], key="3")
    assert money.size == 4 and money.share == 0.5
    assert Theme.objects.get(run=themed["run"], key="2").merged_into == money
    index = client.get(url("index", themed["project"])).content.decode()
    assert ">Training<" not in index


def test_merging_needs_two_themes(client, themed):
    client.force_login(themed["owner"])
    client.post(url("theme_merge", themed["project"]), {"keys": ["2"], "into": "2"}, follow=True)
    assert not ThemeEdit.objects.exists()


def test_splitting_off_chosen_stories_makes_a_theme_a_person_named(client, themed):
    client.force_login(themed["analyst"])
    s = themed["stories"]
    client.post(
        url("theme_split", themed["project"], key="1"),
        {"label": "Matching panels", "story_ids": [s[0].pk]},
    )
    new = Theme.objects.get(run=themed["run"], label="Matching panels")
    assert new.kind == "person" and new.size == 1
    row = Assignment.objects.get(story=s[0], theme__run=themed["run"], primary=True)
    assert row.theme == new and row.source == AssignedBy.PERSON
    assert Theme.objects.get(run=themed["run"], key="1").size == 1


def test_splitting_by_a_sub_theme_makes_it_a_theme(client, themed):
    client.force_login(themed["analyst"])
    run, s = themed["run"], themed["stories"]
    sub = Theme.objects.create(
        project=run.project, run=run, parent=themed["waiting"], key="1.1", label="Panel dates"
    )
    Assignment.objects.create(story=s[1], theme=sub, primary=True)
    client.post(url("theme_split", themed["project"], key="1"), {"subtheme": "1.1"})
    new = Theme.objects.get(run=run, label="Panel dates", parent=None)
    assert list(new.assignments.values_list("story_id", flat=True)) == [s[1].pk]
    assert not Theme.objects.filter(pk=sub.pk).exists()


def test_moving_stories_to_another_theme_or_to_no_clear_theme(client, themed):
    client.force_login(themed["analyst"])
    s = themed["stories"]
    client.post(url("theme_move", themed["project"], key="1"), {"to": "2", "story_ids": [s[0].pk]})
    client.post(
        url("theme_move", themed["project"], key="1"), {"to": "none", "story_ids": [s[1].pk]}
    )
    main = {
        a.story_id: a.theme.key
        for a in Assignment.objects.filter(theme__run=themed["run"], primary=True)
    }
    assert main[s[0].pk] == "2" and main[s[1].pk] == "none"
    assert Theme.objects.get(run=themed["run"], key="1").size == 0
    assert Theme.objects.get(run=themed["run"], key="none").size == 3


def test_a_story_of_another_theme_cannot_be_moved_from_this_one(client, themed):
    client.force_login(themed["analyst"])
    response = client.post(
        url("theme_move", themed["project"], key="1"),
        {"to": "2", "story_ids": [themed["stories"][4].pk]},
    )
    assert response.status_code == 400
    assert "Choose at least one story" in response.content.decode()
    assert not ThemeEdit.objects.exists()


def test_pinning_a_theme_shows_it_pinned(client, themed):
    client.force_login(themed["analyst"])
    response = client.post(
        url("theme_pin", themed["project"], key="2"), {"pinned": "1"}, follow=True
    )
    assert "Pinned" in response.content.decode()
    assert Theme.objects.get(run=themed["run"], key="2").pinned
    client.post(url("theme_pin", themed["project"], key="2"), {"pinned": "0"})
    assert not Theme.objects.get(run=themed["run"], key="2").pinned


def test_quotes_come_only_from_stories_whose_authors_agreed(client, themed):
    client.force_login(themed["viewer"])
    page = client.get(url("theme_show", themed["project"], key="1")).content.decode()
    assert "“Story 0 about waiting.”" in page
    themed["stories"][0].consent_quote = False
    themed["stories"][0].save()
    page = client.get(url("theme_show", themed["project"], key="1")).content.decode()
    assert "“Story 0 about waiting.”" not in page


def test_a_theme_page_shows_segments_and_months(client, themed):
    client.force_login(themed["viewer"])
    page = client.get(url("theme_show", themed["project"], key="1")).content.decode()
    assert "By role" in page and "adopter" in page and "carer" in page
    assert "month by month" in page
    assert f"/reports/?theme={themed['waiting'].pk}" in page  # a report of just this theme


def test_a_theme_of_another_project_is_not_found(client, themed):
    from factories import make_project

    other = make_project(owner=themed["outsider"])
    other_run = make_run(other)
    make_theme(
        other_run, "Secret", key="9", stories=[make_story(other, "Another project's story.")]
    )
    client.force_login(themed["owner"])
    assert client.get(url("theme_show", themed["project"], key="9")).status_code == 404
    assert (
        client.post(url("theme_rename", themed["project"], key="9"), {"label": "x"}).status_code
        == 404
    )


def test_the_run_page_polls_while_running_and_stops_when_finished(client, themed):
    client.force_login(themed["viewer"])
    run = make_run(themed["project"], status="running", progress=0.4, stage="Embedding responses")
    page = client.get(url("run_show", themed["project"], run_id=run.pk))
    html = page.content.decode()
    assert 'hx-trigger="every 2s"' in html and "Embedding responses" in html and "40%" in html
    partial = client.get(
        url("run_show", themed["project"], run_id=run.pk), headers={"HX-Request": "true"}
    )
    assert (
        "<html" not in partial.content.decode()
        and "Embedding responses" in partial.content.decode()
    )
    run.status, run.stories_count = "succeeded", 8
    run.save()
    done = client.get(
        url("run_show", themed["project"], run_id=run.pk), headers={"HX-Request": "true"}
    ).content.decode()
    assert "hx-trigger" not in done and "The analysis has finished" in done


def test_themes_can_be_merged_from_the_themes_page(client, themed):
    client.force_login(themed["analyst"])
    page = client.get(url("index", themed["project"])).content.decode()
    assert 'type="checkbox" name="keys" value="2"' in page
    assert 'type="checkbox" name="keys" value="3"' in page
    assert 'value="none"' not in page.split('name="keys"', 1)[1].split("</form>", 1)[0]
    response = client.post(
        url("theme_merge", themed["project"]), {"keys": ["2", "3"], "into": "2"}, follow=True
    )
    assert "Merged “Money” into “Training”." in response.content.decode()


def test_stories_with_no_clear_theme_can_be_moved_into_a_theme(client, themed):
    client.force_login(themed["analyst"])
    page = client.get(url("theme_show", themed["project"], key="none")).content.decode()
    assert "Move the stories" in page and "Split them into a new theme" not in page
    story = themed["stories"][6]
    client.post(
        url("theme_move", themed["project"], key="none"), {"to": "3", "story_ids": [story.pk]}
    )
    row = Assignment.objects.get(story=story, theme__run=themed["run"], primary=True)
    assert row.theme.key == "3" and row.source == AssignedBy.PERSON


def test_a_run_saved_without_totals_has_them_counted_once_and_kept(client, themed):
    client.force_login(themed["viewer"])
    assert "totals" not in themed["run"].parameters
    client.get(url("theme_show", themed["project"], key="1"))
    themed["run"].refresh_from_db()
    totals = themed["run"].parameters["totals"]
    assert totals["segments"]["role"] == {"adopter": 4, "carer": 4}
    assert sum(totals["months"].values()) == 8
