"""A person's edits survive a re-run, and new stories join the themes they belong to.

The real embedding model on a small planted corpus: four topics in the first run, then new
stories about the same topics and about a topic nobody raised before.
"""

from __future__ import annotations

import numpy as np
import pytest
from corpus import planted, stories_for
from factories import make_project, make_story, make_user, run_analysis_now

from heard_web.analysis import edits, matching
from heard_web.analysis.models import AssignedBy, Assignment, EditKind, ThemeEdit
from heard_web.analysis.services import runs

FIRST = {"waiting": 14, "social worker": 9, "training": 9, "money": 9}


def main_theme(story, run):
    return Assignment.objects.get(
        story=story, theme__run=run, theme__parent=None, primary=True
    ).theme


def theme_of(topic_stories, run):
    """The theme most of a topic's stories are in."""
    keys = [main_theme(s, run).key for s in topic_stories]
    return max(set(keys), key=keys.count)


def add(project, topic, count, offset):
    return [
        make_story(project, text, attributes={"role": "adopter"})
        for text in stories_for(topic, count, offset=offset)
    ]


@pytest.mark.django_db
def test_edits_survive_a_rerun_and_new_stories_join_the_right_themes(monkeypatch):
    project = make_project(owner=make_user())
    made = planted(project, FIRST)
    first = run_analysis_now(project, n_themes=4)
    keys = {topic: theme_of(stories, first) for topic, stories in made.items()}
    assert len(set(keys.values())) == 4, "each planted topic is its own theme"

    # A person shapes the themes.
    edits.make_edit(
        project, EditKind.RENAME, {"key": keys["training"], "label": "Preparation training"}
    )
    edits.make_edit(project, EditKind.PIN, {"key": keys["money"]})
    edits.make_edit(
        project,
        EditKind.MERGE,
        {"keys": [keys["social worker"], keys["money"]], "into": keys["money"]},
    )
    moved = made["waiting"][0]
    edits.make_edit(
        project,
        EditKind.MOVE,
        {"story_ids": [moved.pk], "from": keys["waiting"], "to": keys["training"]},
    )
    split_off = made["waiting"][1:5]
    split = edits.make_edit(
        project,
        EditKind.SPLIT,
        {
            "key": keys["waiting"],
            "label": "Silence from the team",
            "story_ids": [s.pk for s in split_off],
        },
    )
    assert ThemeEdit.objects.filter(project=project).count() == 5

    # New stories arrive: more of the known topics, and one nobody raised before.
    new_waiting = add(project, "waiting", 3, offset=14)
    new_training = add(project, "training", 3, offset=9)
    new_money = add(project, "money", 3, offset=9)
    new_school = add(project, "school", 6, offset=0)
    # Someone renames a theme while the re-run is working: the edit is replayed on its result.
    update_plan = runs._update_plan

    def edit_meanwhile(*args, **kwargs):
        edits.make_edit(
            project, EditKind.RENAME, {"key": keys["waiting"], "label": "Renamed while it ran"}
        )
        return update_plan(*args, **kwargs)

    monkeypatch.setattr(runs, "_update_plan", edit_meanwhile)
    second = run_analysis_now(project, n_themes=4)
    assert second.parameters["mode"] == "updated"
    assert second.parameters["edits_replayed"] == 1

    themes = {t.key: t for t in edits.live_themes(second)}
    assert themes[keys["training"]].label == "Preparation training"
    assert themes[keys["training"]].renamed
    assert themes[keys["money"]].pinned
    assert themes[keys["waiting"]].label == "Renamed while it ran"
    assert keys["social worker"] not in themes, "merged themes stay merged"
    for story in made["social worker"] + made["money"]:
        assert main_theme(story, second).key == keys["money"]
    moved_row = Assignment.objects.get(
        story=moved, theme__run=second, primary=True, theme__parent=None
    )
    assert moved_row.theme.key == keys["training"] and moved_row.source == AssignedBy.PERSON
    new_key = split.payload["new_key"]
    assert themes[new_key].label == "Silence from the team"
    for story in split_off:
        assert main_theme(story, second).key == new_key
    for story in made["waiting"][5:]:
        assert main_theme(story, second).key == keys["waiting"]

    # The new stories joined the themes they are about; the new topic is a theme of its own.
    for story in new_training:
        assert main_theme(story, second).key == keys["training"]
    for story in new_money:
        assert main_theme(story, second).key == keys["money"]
    for story in new_waiting:
        assert main_theme(story, second).key in {keys["waiting"], new_key}
    school_keys = {main_theme(s, second).key for s in new_school}
    assert len(school_keys) == 1
    (school_key,) = school_keys
    assert school_key not in {t.key for t in edits.live_themes(first)}, (
        second.parameters["placed"],
        second.parameters["matched_clusters"],
    )
    assert second.parameters["new_themes"] == [school_key]

    # Nothing dropped: every story has exactly one main theme.
    total = project.stories.count()
    primaries = Assignment.objects.filter(theme__run=second, theme__parent=None, primary=True)
    assert primaries.count() == total
    assert primaries.values("story").distinct().count() == total
    assert second.stories_count == total
    assert sum(t.size for t in themes.values() if t.parent_id is None) == total


def test_matching_lines_up_clusters_with_the_most_similar_old_themes():
    rng = np.random.default_rng(0)
    old = matching.unit(rng.normal(size=(3, 16)))
    fresh = matching.unit(old[[2, 0, 1]] + 0.05 * rng.normal(size=(3, 16)))
    half_of_theme_0 = matching.unit(old[0] + 0.4 * rng.normal(size=16))
    unrelated = matching.unit(rng.normal(size=(1, 16)))
    matched = matching.match_themes(old, np.vstack([fresh, half_of_theme_0, unrelated]))
    assert {c: t for c, (t, _) in matched.items()} == {0: 2, 1: 0, 2: 1, 3: 0}
    assert 4 not in matched, "a cluster unlike every old theme is a new topic"


def test_the_best_pairs_are_made_one_to_one_before_the_rest_join():
    old = np.eye(2)
    fresh = matching.unit(np.array([[0.9, 0.2], [0.95, 0.05], [0.2, 0.9]]))
    matched = matching.match_themes(old, fresh)
    assert matched[1][0] == 0 and matched[2][0] == 1
    assert matched[0][0] == 0  # the weaker copy of theme 0 joins it too


def test_a_story_that_fits_no_old_theme_is_placed_by_its_cluster_or_left_out():
    fits = np.array([[0.9, 0.1, 0.0], [0.3, 0.3, 0.3], [0.3, 0.3, 0.3]])
    thresholds = np.array([0.5, 0.5, 0.5])
    placed = matching.place(fits, thresholds, np.array([0, 1, 2]), {1: (2, 0.8)})
    assert placed.theme.tolist() == [0, 2, -1]
    assert placed.how == ["nearest", "cluster", ""]


def test_a_theme_merged_from_two_takes_stories_like_either_half():
    a, b = np.eye(4)[0], np.eye(4)[1]
    reference = matching.unit(np.array([a, a + 0.1 * b, b, b + 0.1 * a, np.eye(4)[2]]))
    ref_theme = np.array([0, 0, 0, 0, 1])  # theme 0 was merged from an "a" and a "b" theme
    newcomer = matching.unit(np.array([b + 0.05 * a]))
    fits = matching.theme_fits(newcomer, reference, ref_theme, 2, k=2)
    assert fits[0, 0] > 0.9
    centroid = matching.centroid(reference, [0, 1, 2, 3])
    assert float(newcomer[0] @ centroid) < 0.8  # the centroid alone would fit it poorly
