"""A re-run gives its themes sub-themes the way a first run does (the library's own split).

The real embedding model on a small planted corpus whose topics each hold two sub-topics:
a theme that a re-run finds, and an old theme that grows past the size at which the library
splits a theme, get sub-themes that keep each sub-topic together, and every story of such a
theme is in one of them; a person's edits survive.
"""

from __future__ import annotations

import itertools

import pytest
from corpus import planted, stories_for
from factories import make_project, make_story, make_user, run_analysis_now

from heard_web.analysis import edits
from heard_web.analysis.models import AssignedBy, Assignment, EditKind, Theme

OLD = {"waiting": 14, "social worker": 9, "training": 9, "money": 9}

# Two sub-topics per topic, each built from its own openings and endings (written here).
SUBTOPICS: dict[str, dict[str, tuple[list[str], list[str]]]] = {
    "school": {
        "exclusions": (
            [
                "Our son keeps being excluded from school for his behaviour in class",
                "The school excluded our daughter again for her behaviour in lessons",
                "The head teacher threatened to exclude our son from school for his behaviour",
                "Our child was sent home from school and excluded after a meltdown in class",
            ],
            [
                "and every exclusion from school set our child back.",
                "and the school behaviour rules punished him for being frightened.",
                "so we kept being called to collect our child from school.",
            ],
        ),
        "bullying": (
            [
                "Other children at school bully our son in the playground every break time",
                "Our daughter is bullied at school by a group of girls in her class",
                "The bullying at school about our son being adopted went on for a whole term",
                "Children at school call our son names in the playground and push him around",
            ],
            [
                "and the school did nothing to stop the bullies.",
                "so our child cried every morning before school.",
                "and the teachers said it was just playground teasing.",
            ],
        ),
    },
    "money": {
        "allowance": (
            [
                "The adoption allowance payments stopped without warning",
                "Our financial support allowance was cut and nobody explained the money decision",
                "The council was slow to pay the adoption allowance",
                "The monthly adoption allowance was reduced with no letter about the money",
            ],
            [
                "and the money worries put real strain on the family budget.",
                "so we paid the bills out of our own savings.",
                "and chasing the allowance payments took hours.",
            ],
        ),
        "therapy fund": (
            [
                "Getting the adoption support fund to pay for therapy took months of forms",
                "The adoption support fund application for our son's therapy was delayed",
                "The therapy funding from the adoption support fund ran out after ten sessions",
                "We waited half a year for the adoption support fund to approve play therapy",
            ],
            [
                "and the therapist could not start until the fund paid.",
                "so his therapy sessions stopped halfway.",
                "and the support fund forms asked the same questions again.",
            ],
        ),
    },
}


def sub_stories(topic: str, sub: str, count: int, *, offset: int = 0) -> list[str]:
    openings, endings = SUBTOPICS[topic][sub]
    pairs = list(itertools.product(openings, endings))
    pairs.sort(key=lambda p: (endings.index(p[1]) + openings.index(p[0])) % len(endings))
    chosen = pairs[offset : offset + count]
    assert len(chosen) == count, f"only {len(pairs)} stories about {sub}"
    return [f"{a} {b}" for a, b in chosen]


def add(project, topic: str, sub: str, count: int, offset: int = 0) -> list:
    return [
        make_story(project, text, attributes={"role": "adopter"})
        for text in sub_stories(topic, sub, count, offset=offset)
    ]


def placed(story, run) -> tuple[Theme, Theme | None]:
    """A story's main theme in ``run``, and its sub-theme there (None when it has none)."""
    rows = Assignment.objects.filter(story=story, theme__run=run, primary=True).select_related(
        "theme"
    )
    main = [r.theme for r in rows if r.theme.parent_id is None]
    subs = [r.theme for r in rows if r.theme.parent_id is not None]
    assert len(main) == 1 and len(subs) <= 1, (main, subs)
    if subs:
        assert subs[0].parent_id == main[0].pk, "a story's sub-theme is one of its theme's"
    return main[0], (subs[0] if subs else None)


def the_theme(stories, run) -> Theme:
    themes = {placed(s, run)[0] for s in stories}
    assert len(themes) == 1, sorted(t.label for t in themes)
    return themes.pop()


def subthemes(theme: Theme) -> list[Theme]:
    return list(edits.live_themes(theme.run).filter(parent=theme))


def assert_split_like_the_library(theme: Theme, by_sub: dict[str, list]) -> None:
    """``theme`` has sub-themes, every one of its stories is in one, each sub-topic in its own."""
    run = theme.run
    assert len(subthemes(theme)) >= 2, f"{theme.label!r} has no sub-themes"
    members = Assignment.objects.filter(theme=theme, primary=True).values_list("story", flat=True)
    with_sub = Assignment.objects.filter(theme__parent=theme, primary=True).values_list(
        "story", flat=True
    )
    assert sorted(members) == sorted(with_sub), "every story of the theme is in one sub-theme"
    where = {sub: {placed(s, run)[1].key for s in stories} for sub, stories in by_sub.items()}
    for sub, keys in where.items():
        assert len(keys) == 1, f"the {sub} stories are spread over sub-themes {keys}"
    assert len({k for keys in where.values() for k in keys}) == len(by_sub)
    for sub_theme in subthemes(theme):
        assert sub_theme.label and sub_theme.machine_label == sub_theme.label
        assert sub_theme.label != theme.label
        assert sub_theme.key.startswith(f"{theme.key}.")
        assert sub_theme.key_phrases and sub_theme.size >= 2
        assert sub_theme.assignments.exclude(quote_rank=None).exists(), "quotes were picked"


def first_batch(project) -> dict[str, list]:
    """Four topics; money (two sub-topics) is too small for sub-themes, waiting is not."""
    made = planted(project, {"waiting": 16, "social worker": 9, "training": 9})
    made["allowance"] = add(project, "money", "allowance", 5)
    made["therapy fund"] = add(project, "money", "therapy fund", 4)
    return made


def second_batch(project) -> dict[str, list]:
    """More about money (past the size at which the library splits a theme), and school."""
    return {
        "allowance": add(project, "money", "allowance", 7, offset=5),
        "therapy fund": add(project, "money", "therapy fund", 8, offset=4),
        "exclusions": add(project, "school", "exclusions", 12),
        "bullying": add(project, "school", "bullying", 12),
    }


@pytest.mark.django_db
def test_a_theme_a_rerun_finds_gets_subthemes_as_in_a_first_run():
    project = make_project(owner=make_user())
    first_batch(project)
    first = run_analysis_now(project, n_themes=4)
    new = second_batch(project)
    second = run_analysis_now(project)
    school = {k: new[k] for k in ("exclusions", "bullying")}
    theme = the_theme(school["exclusions"] + school["bullying"], second)
    assert theme.key not in {t.key for t in first.themes.all()}
    assert second.parameters["new_themes"] == [theme.key]
    assert_split_like_the_library(theme, school)

    # A first run of the same stories splits the school theme the same way.
    again = make_project(owner=make_user())
    first_batch(again)
    new_again = second_batch(again)
    fresh = run_analysis_now(again, n_themes=5)
    school_again = {k: new_again[k] for k in ("exclusions", "bullying")}
    fresh_theme = the_theme(school_again["exclusions"] + school_again["bullying"], fresh)
    assert_split_like_the_library(fresh_theme, school_again)


@pytest.mark.django_db
def test_an_old_theme_that_grows_is_split_into_subthemes_and_edits_survive():
    project = make_project(owner=make_user())
    made = first_batch(project)
    first = run_analysis_now(project, n_themes=4)
    money = the_theme(made["allowance"] + made["therapy fund"], first)
    waiting = the_theme(made["waiting"], first)
    training = the_theme(made["training"], first)
    social = the_theme(made["social worker"], first)
    assert subthemes(money) == [], "nine stories are too few for sub-themes"
    waiting_subs = {t.key for t in subthemes(waiting)}
    assert len(waiting_subs) >= 2

    # A person shapes the themes.
    edits.make_edit(project, EditKind.RENAME, {"key": money.key, "label": "Money for support"})
    edits.make_edit(project, EditKind.PIN, {"key": money.key})
    moved_in = made["social worker"][0]
    edits.make_edit(
        project,
        EditKind.MOVE,
        {"story_ids": [moved_in.pk], "from": social.key, "to": waiting.key},
    )
    edits.make_edit(
        project, EditKind.MERGE, {"keys": [social.key, training.key], "into": training.key}
    )
    moved = made["waiting"][0]
    edits.make_edit(
        project,
        EditKind.MOVE,
        {"story_ids": [moved.pk], "from": waiting.key, "to": training.key},
    )
    split_off = made["waiting"][1:4]
    split = edits.make_edit(
        project,
        EditKind.SPLIT,
        {
            "key": waiting.key,
            "label": "Silence from the team",
            "story_ids": [s.pk for s in split_off],
        },
    )

    new = second_batch(project)
    new_waiting = [make_story(project, t) for t in stories_for("waiting", 2, offset=16)]
    second = run_analysis_now(project)

    themes = {t.key: t for t in edits.live_themes(second)}
    grown = themes[money.key]
    assert grown.label == "Money for support" and grown.renamed and grown.pinned
    money_stories = {sub: made[sub] + new[sub] for sub in ("allowance", "therapy fund")}
    assert the_theme(money_stories["allowance"] + money_stories["therapy fund"], second) == grown
    assert_split_like_the_library(grown, money_stories)

    # The theme that had sub-themes keeps them, and its new stories are in one of them.
    kept = themes[waiting.key]
    assert {t.key for t in subthemes(kept)} == waiting_subs
    for story in [*new_waiting, *made["waiting"][4:], moved_in]:
        theme, sub = placed(story, second)
        assert theme == kept and sub is not None and sub.key in waiting_subs

    # Every edit is still there.
    assert social.key not in themes, "merged themes stay merged"
    for story in made["social worker"][1:] + made["training"]:
        assert placed(story, second)[0].key == training.key
    # Merged from two small themes, it is big enough to split now: along the old line.
    merged = {"social worker": made["social worker"][1:], "training": made["training"]}
    assert_split_like_the_library(themes[training.key], merged)
    for story, where in ((moved, training), (moved_in, waiting)):
        row = Assignment.objects.get(
            story=story, theme__run=second, primary=True, theme__parent=None
        )
        assert row.theme.key == where.key and row.source == AssignedBy.PERSON
    split_theme = themes[split.payload["new_key"]]
    assert split_theme.label == "Silence from the team"
    for story in split_off:
        assert placed(story, second) == (split_theme, None)
    total = project.stories.count()
    assert second.stories_count == total
