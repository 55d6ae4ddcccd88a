"""Running the analysis: queued, run by the worker, themes found for planted topics, nothing dropped.

The real embedding model on a small synthetic corpus (tests/web/corpus.py).
"""

from __future__ import annotations

import pytest
from corpus import planted
from django.urls import reverse
from factories import make_project, make_story, make_user

from heard_web.accounts.models import AuditEvent
from heard_web.analysis import edits, services
from heard_web.analysis.models import AnalysisRun, Assignment
from heard_web.server import run_worker
from heard_web.stories.models import Passage

TOPICS = {"waiting": 10, "social worker": 8, "training": 8, "money": 8}


@pytest.mark.django_db(transaction=True)
def test_an_analyst_runs_the_analysis_and_the_worker_finds_the_planted_themes(client):
    analyst = make_user("ana")
    project = make_project(owner=make_user("own"), members={analyst: "analyst"})
    made = planted(project, TOPICS)
    quiet = make_story(project, "Nothing else to add.", consent_quote=False)
    empty = make_story(project, "   ")
    withheld = make_story(project, "The training was useless.", consent_analysis=False)
    client.force_login(analyst)
    response = client.post(
        reverse("analysis:run_create", kwargs={"project_slug": project.slug}), {"n_themes": "4"}
    )
    run = AnalysisRun.objects.get(project=project)
    assert response["Location"] == reverse(
        "analysis:run_show", kwargs={"project_slug": project.slug, "run_id": run.pk}
    )
    assert run.status == "pending" and run.task_id
    assert AuditEvent.objects.filter(project=project, action="analysed").count() == 1

    run_worker(burst=True)
    run.refresh_from_db()
    assert run.status == "succeeded", run.error_message
    assert run.progress == 1.0 and run.finished_at

    # Each planted topic is one theme, and no two topics share one.
    main = {
        a.story_id: a.theme
        for a in Assignment.objects.filter(
            theme__run=run, theme__parent=None, primary=True
        ).select_related("theme")
    }
    keys = {}
    for topic, stories in made.items():
        themes = {main[s.pk].key for s in stories}
        assert len(themes) == 1, (topic, themes)
        keys[topic] = themes.pop()
    assert len(set(keys.values())) == len(TOPICS)

    # Every analysable story is accounted for; a story withheld from analysis is in nothing.
    analysable = project.stories.exclude(pk=withheld.pk)
    assert set(main) == set(analysable.values_list("pk", flat=True))
    assert main[empty.pk].key == "none"
    assert withheld.pk not in main
    assert run.stories_count == analysable.count()

    # Sentiment per story, quotes stored, key phrases and a sentiment mix per theme.
    training = made["training"][0]
    training.refresh_from_db()
    assert training.sentiment == "positive"
    money = made["money"][0]
    money.refresh_from_db()
    assert money.sentiment == "negative"
    for theme in edits.live_themes(run).filter(parent=None).exclude(key="none"):
        assert theme.key_phrases and theme.centroid
        assert abs(sum(theme.sentiment_mix.values()) - 1) < 0.01
        assert theme.assignments.filter(quote_rank__isnull=False).exists()
    assert quiet.pk in main
    totals = run.parameters["totals"]
    assert sum(totals["segments"]["role"].values()) == run.stories_count
    assert sum(totals["months"].values()) == run.stories_count

    page = client.get(
        reverse("analysis:index", kwargs={"project_slug": project.slug})
    ).content.decode()
    assert "Stories per theme" in page  # the size chart's title
    assert "How people feel about each theme" in page


@pytest.mark.django_db
def test_stored_passage_vectors_are_used_instead_of_embedding_again():
    import numpy as np

    from heard.embed import MODEL_NAME

    project = make_project()
    made = planted(project, {"training": 6, "money": 6})
    stories = made["training"] + made["money"]
    vectors = services.embedder().embed([s.redacted_text for s in stories])
    for story, vector in zip(stories[:4], vectors[:4], strict=True):
        Passage.objects.create(
            story=story,
            index=0,
            text=story.redacted_text,
            end=len(story.redacted_text),
            embedding=np.asarray(vector, dtype=np.float32).tobytes(),
            model_name=MODEL_NAME,
        )
    run = services.start_run(project)
    services.run_analysis(run.pk)
    run.refresh_from_db()
    assert run.status == "succeeded", run.error_message
    assert run.parameters["vectors_reused"] == 4


@pytest.mark.django_db
def test_a_project_without_stories_cannot_be_analysed(client):
    owner = make_user()
    project = make_project(owner=owner)
    client.force_login(owner)
    response = client.post(
        reverse("analysis:run_create", kwargs={"project_slug": project.slug}), follow=True
    )
    assert "no stories to analyse yet" in response.content.decode()
    assert not AnalysisRun.objects.exists()


@pytest.mark.django_db
def test_a_second_run_cannot_start_while_one_is_waiting(django_capture_on_commit_callbacks):
    project = make_project()
    make_story(project, "A story.")
    with django_capture_on_commit_callbacks(execute=False):
        services.start_run(project)
        with pytest.raises(services.AnalysisError, match="already waiting or running"):
            services.start_run(project)


@pytest.mark.django_db
def test_a_run_that_fails_says_why_and_leaves_the_last_themes_in_place():
    from factories import make_run, make_theme

    project = make_project()
    story = make_story(project, "A story.")
    good = make_run(project)
    make_theme(good, "Kept", key="1", stories=[story])
    story.consent_analysis = False
    story.save()
    run = AnalysisRun.objects.create(project=project, previous_run=good)
    services.run_analysis(run.pk)
    run.refresh_from_db()
    assert run.status == "failed"
    assert "no stories to analyse" in run.error_message
    assert edits.current_run(project) == good


# No import, API call or story form stores a blank story (each leaves blank text out, and
# erasure deletes the row it blanks), so these tests make the blank stories directly.


@pytest.mark.django_db
def test_a_project_whose_stories_are_all_blank_is_analysed_with_every_story_in_no_clear_theme(
    client,
):
    owner = make_user()
    project = make_project(owner=owner)
    stories = [
        make_story(project, "   ", external_id="R1"),
        make_story(project, "\n\t", external_id="R2"),
    ]
    run = services.start_run(project)
    services.run_analysis(run.pk)
    run.refresh_from_db()
    assert run.status == "succeeded", run.error_message
    assert [t.key for t in edits.live_themes(run)] == ["none"]
    main = dict(
        Assignment.objects.filter(theme__run=run, primary=True).values_list(
            "story_id", "theme__key"
        )
    )
    assert main == {s.pk: "none" for s in stories}
    client.force_login(owner)
    page = client.get(reverse("analysis:index", kwargs={"project_slug": project.slug}))
    assert page.status_code == 200
    assert "No clear theme" in page.content.decode()


@pytest.mark.django_db
def test_a_rerun_over_only_blank_stories_keeps_the_pinned_themes_and_puts_every_story_in_no_clear_theme():
    from factories import make_run, make_theme

    project = make_project()
    waiting = make_story(project, "   ", external_id="R1")
    money = make_story(project, " ", external_id="R2")
    first = make_run(project, parameters={"random_state": 0})
    pinned = make_theme(
        first, "Waiting for panel dates", key="1", stories=[waiting], pinned=True, renamed=True
    )
    make_theme(first, "Panel letters", key="1.1", parent=pinned)
    make_theme(first, "Money", key="2", stories=[money])
    run = make_run(project, status="pending", previous_run=first, parameters={"random_state": 0})
    services.run_analysis(run.pk)
    run.refresh_from_db()
    assert run.status == "succeeded", run.error_message
    assert run.parameters["mode"] == "updated"
    themes = {t.key: t for t in edits.live_themes(run)}
    assert set(themes) == {"1", "1.1", "none"}, "a theme left with only blank stories goes"
    assert themes["1"].label == "Waiting for panel dates"
    assert themes["1"].pinned and themes["1"].renamed
    assert themes["1.1"].parent_id == themes["1"].pk
    main = dict(
        Assignment.objects.filter(theme__run=run, primary=True).values_list(
            "story_id", "theme__key"
        )
    )
    assert main == {waiting.pk: "none", money.pk: "none"}
    assert edits.current_run(project) == run
