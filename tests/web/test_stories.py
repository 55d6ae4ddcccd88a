"""Stories: the list, its filters, keyword and semantic search, the story page, and that no
story of another project ever shows (list, search, semantic search, a guessed id).

Semantic search runs the real bundled model over a small synthetic corpus written here.
"""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from heard_web.stories import services
from heard_web.stories.models import Passage, Story

CORPUS = [
    ("After we were approved nobody contacted us for eight months; the waiting was agony.", "adopter", "North"),
    ("The training days were well organised and the trainers were kind.", "adopter", "South"),
    ("Parking at the council offices is impossible on weekdays.", "foster carer", "North"),
    ("Our social worker changed three times in one year.", "foster carer", "South"),
    ("The forms asked for the same information again and again.", "adopter", "North"),
    ("Support groups on Thursday evenings kept us going.", "foster carer", "North"),
    ("The medical assessment was quick and friendly.", "adopter", "South"),
    ("We loved meeting other families at the summer picnic.", "foster carer", "South"),
    ("The panel asked thoughtful questions and explained the decision.", "adopter", "North"),
    ("Letterbox contact with the birth family is confusing to arrange.", "adopter", "South"),
]  # fmt: skip
WAITING = 0  # the story about waiting after approval


def when(month, day=1):
    return timezone.make_aware(datetime(2026, month, day, 12, 0))


@pytest.fixture
def corpus(roles):
    """The project's stories (embedded), and a near-copy of the planted one in another project."""
    from factories import make_source, make_story

    from heard_web.stories.services.store import remember_segments

    project = roles["project"]
    survey = make_source(project, "Survey export")
    notes = make_source(project, "Field notes")
    stories = []
    for n, (text, role, area) in enumerate(CORPUS):
        stories.append(
            make_story(
                project,
                text,
                source=survey if n % 2 == 0 else notes,
                attributes={"role": role, "area": area},
                received_at=when(1 + n % 6, 1 + n),
                sentiment="negative" if n in (0, 2, 3, 4, 9) else "positive",
                sentiment_score=0.5,
            )
        )
    remember_segments(survey, [s.attributes for s in stories])
    other = roles["other_project"]
    secret = make_story(
        other,
        "Since approval nobody contacted us for eight months; the waiting after approval hurt.",
        attributes={"role": "adopter"},
    )
    services.embed_stories(project)
    services.embed_stories(other)
    return {"project": project, "stories": stories, "secret": secret, "survey": survey}


def url(name, project, **kwargs):
    return reverse(name, kwargs={"project_slug": project.slug, **kwargs})


def client_for(client, roles, who):
    if who != "anonymous":
        client.force_login(roles[who])
    return client


def listed(client, project, **params):
    response = client.get(url("stories:index", project), params)
    assert response.status_code == 200
    return response


def ids_in(response, corpus):
    page = response.content.decode()
    return [n for n, s in enumerate(corpus["stories"]) if f'/stories/{s.pk}/"' in page]


# --- access ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [("owner", 200), ("analyst", 200), ("viewer", 200), ("outsider", 404), ("anonymous", 302)],
)
def test_every_member_reads_the_story_list_and_nobody_else(client, roles, who, expected):
    response = client_for(client, roles, who).get(url("stories:index", roles["project"]))
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [("owner", 200), ("analyst", 200), ("viewer", 200), ("outsider", 404), ("anonymous", 302)],
)
def test_every_member_reads_a_story_and_nobody_else(client, roles, who, expected):
    from factories import make_story

    story = make_story(roles["project"], "The wait felt endless.")
    response = client_for(client, roles, who).get(
        url("stories:show", roles["project"], story_id=story.pk)
    )
    assert response.status_code == expected


def test_a_story_of_another_project_is_not_found_by_its_id(client, roles):
    from factories import make_story

    theirs = make_story(roles["other_project"], "A story from someone else's project.")
    client.force_login(roles["owner"])
    response = client.get(url("stories:show", roles["project"], story_id=theirs.pk))
    assert response.status_code == 404
    assert b"someone else" not in response.content


# --- the list and its filters ---------------------------------------------------------------


def test_the_list_shows_the_projects_stories_newest_first_in_pages(client, roles):
    from factories import make_story

    project = roles["project"]
    for n in range(30):
        make_story(
            project, f"Synthetic story {n:02d} about the service.", received_at=when(1, 1 + n)
        )
    make_story(roles["other_project"], "Not ours at all.")
    client.force_login(roles["viewer"])
    first = listed(client, project).content.decode()
    assert "30 stories" in first
    assert "Synthetic story 29" in first and "Synthetic story 05" in first
    assert "Synthetic story 04" not in first and "Not ours" not in first
    second = listed(client, project, page=2).content.decode()
    assert "Synthetic story 04" in second and "Synthetic story 29" not in second
    assert "Page 2 of 2" in second


def test_a_long_list_says_more_than_instead_of_counting_every_story(client, roles, monkeypatch):
    from factories import make_story

    monkeypatch.setattr("heard_web.stories.views.stories.COUNT_CAP", 5)
    project = roles["project"]
    for n in range(7):
        make_story(project, f"Synthetic story {n} about the wait.")
    client.force_login(roles["viewer"])
    assert "More than 5 stories" in listed(client, project, q="wait").content.decode()
    assert "More than" not in listed(client, project, q="story 3").content.decode()


def test_filters_narrow_the_list_and_combine(client, roles, corpus):
    project = corpus["project"]
    client.force_login(roles["viewer"])
    assert ids_in(listed(client, project, source=corpus["survey"].pk), corpus) == [0, 2, 4, 6, 8]
    assert sorted(ids_in(listed(client, project, **{"a.role": "foster carer"}), corpus)) == [
        2,
        3,
        5,
        7,
    ]
    both = listed(client, project, **{"a.role": "adopter", "a.area": "North"})
    assert sorted(ids_in(both, corpus)) == [0, 4, 8]
    dated = listed(client, project, **{"from": "2026-02-01", "to": "2026-03-31"})
    assert sorted(ids_in(dated, corpus)) == [1, 2, 7, 8]
    negative = listed(client, project, sentiment="negative", source=corpus["survey"].pk)
    assert sorted(ids_in(negative, corpus)) == [0, 2, 4]


def test_the_filter_form_keeps_its_state_in_the_link(client, roles, corpus):
    project = corpus["project"]
    client.force_login(roles["viewer"])
    page = listed(client, project, **{"a.role": "adopter", "sentiment": "negative"}).content
    page = page.decode()
    assert '<option value="adopter" selected>' in page
    assert '<option value="negative" selected>' in page
    assert 'name="a.role"' in page and 'name="a.area"' in page  # from the source's columns


def test_htmx_gets_only_the_results(client, roles, corpus):
    client.force_login(roles["viewer"])
    response = client.get(
        url("stories:index", corpus["project"]), {"q": "parking"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="story-results">')
    assert "<html" not in body and "Parking" in body
    # screen readers hear the new count: the page's live region is updated out of band
    status = re.search(r'<p id="story-results-status" hx-swap-oob="innerHTML">([^<]*)</p>', body)
    assert status and "stor" in status.group(1) and "parking" in status.group(1)
    page = listed(client, corpus["project"], q="parking").content.decode()
    assert '<p id="story-results-status" class="govuk-visually-hidden" role="status"></p>' in page
    assert 'role="status">' not in page.split('id="story-results"')[1]  # the heading keeps its role


def test_the_theme_filter_uses_the_latest_analysis(client, roles, corpus):
    from factories import make_run, make_theme

    project = corpus["project"]
    stories = corpus["stories"]
    old = make_run(project, created_at=when(1))
    old_theme = make_theme(old, "Waiting (old run)", stories=stories[:5])
    new = make_run(project, created_at=when(2))
    waiting = make_theme(new, "Waiting", stories=[stories[0], stories[4]])
    sub = make_theme(new, "Waiting for a match", stories=[stories[9]], parent=waiting)
    client.force_login(roles["viewer"])
    assert sorted(ids_in(listed(client, project, theme=waiting.pk), corpus)) == [0, 4, 9]
    assert sorted(ids_in(listed(client, project, theme=sub.pk), corpus)) == [9]
    assert ids_in(listed(client, project, theme=old_theme.pk), corpus) == []
    page = listed(client, project).content.decode()
    assert "Waiting for a match" in page and "Waiting (old run)" not in page


def test_keyword_search_ignores_case_and_needs_every_word(client, roles, corpus):
    project = corpus["project"]
    client.force_login(roles["viewer"])
    found = listed(client, project, q="SOCIAL worker")
    assert ids_in(found, corpus) == [3]
    assert "<mark>social</mark>" in found.content.decode().lower()
    assert ids_in(listed(client, project, q="social picnic"), corpus) == []
    assert ids_in(listed(client, project, q='"summer picnic"'), corpus) == [7]
    combined = listed(client, project, q="the", **{"a.role": "foster carer", "a.area": "North"})
    assert sorted(ids_in(combined, corpus)) == [2]


def test_keyword_search_never_shows_another_projects_stories(client, roles, corpus):
    client.force_login(roles["owner"])
    page = listed(client, corpus["project"], q="approval hurt").content.decode()
    assert "0 stories" in page
    assert "the waiting after approval hurt" not in page


def test_keyword_search_follows_edits_and_erasures(client, roles):
    from factories import make_story

    project = roles["project"]
    story = make_story(project, "The ferry was late again.")
    search = {"source": story.source_id}
    assert services.filter_stories(project, {"q": "FERRY", **search}, role="owner").get() == story
    story.redacted_text = "The bus was late again."
    story.save()
    assert not services.filter_stories(project, {"q": "ferry"}, role="owner").exists()
    assert services.filter_stories(project, {"q": "bus late"}, role="owner").get() == story
    assert (
        services.filter_stories(project, {"q": "us"}, role="owner").get() == story
    )  # short: no index
    story.delete()
    assert not services.filter_stories(project, {"q": "bus"}, role="owner").exists()


def test_the_search_words_are_escaped(client, roles, corpus):
    client.force_login(roles["viewer"])
    page = listed(client, corpus["project"], q="<script>alert(1)</script>").content.decode()
    assert "<script>alert(1)</script>" not in page


# --- semantic search ------------------------------------------------------------------------


def test_semantic_search_finds_the_story_that_means_the_same(client, roles, corpus):
    project = corpus["project"]
    hits = services.semantic_search(project, "waiting after approval", 5)
    assert hits[0][0].pk == corpus["stories"][WAITING].pk
    assert all(-1 <= score <= 1 for _, score, _ in hits)
    assert [h[1] for h in hits] == sorted((h[1] for h in hits), reverse=True)
    assert hits[0][2].story_id == hits[0][0].pk  # the best-matching passage
    client.force_login(roles["viewer"])
    response = listed(client, project, q="waiting after approval", mode="semantic")
    assert ids_in(response, corpus)[0] == WAITING
    assert "closest in meaning" in response.content.decode()


def test_semantic_search_never_returns_another_projects_stories(client, roles, corpus):
    project = corpus["project"]
    hits = services.semantic_search(project, "waiting after approval hurt", 50)
    assert corpus["secret"].pk not in {story.pk for story, _, _ in hits}
    assert {story.project_id for story, _, _ in hits} == {project.pk}
    client.force_login(roles["owner"])
    page = listed(client, project, q="waiting after approval", mode="semantic").content.decode()
    assert "hurt" not in page


def test_semantic_search_combines_with_the_filters(client, roles, corpus):
    project = corpus["project"]
    client.force_login(roles["viewer"])
    response = listed(
        client, project, q="waiting after approval", mode="semantic", **{"a.role": "foster carer"}
    )
    found = ids_in(response, corpus)
    assert WAITING not in found and sorted(found) == [2, 3, 5, 7]
    queryset = services.filter_stories(project, {"sentiment": "positive"}, role="owner")
    hits = services.semantic_search(project, "waiting after approval", 3, queryset=queryset)
    assert len(hits) == 3
    assert all(story.sentiment == "positive" for story, _, _ in hits)


def test_semantic_search_sees_new_stories_and_forgets_deleted_ones(roles, corpus, monkeypatch):
    from factories import make_story

    project = corpus["project"]
    before = services.semantic_search(project, "the dog bit the postman", 1)
    assert before
    newcomer = make_story(project, "Our dog bit the postman when he delivered the letters.")
    services.embed_stories(project, [newcomer.pk])
    assert services.semantic_search(project, "the dog bit the postman", 1)[0][0].pk == newcomer.pk
    # Another process (the worker) erasing a story: never shown, and dropped from this
    # process's vectors at the next check.
    Story.objects.filter(pk=newcomer.pk).delete()
    after = services.semantic_search(project, "the dog bit the postman", 3)
    assert newcomer.pk not in {story.pk for story, _, _ in after}
    monkeypatch.setattr(services.search, "RECHECK_SECONDS", 0.0)
    assert newcomer.pk not in services.search.project_matrix(project).story_ids


def test_semantic_search_notices_stories_embedded_by_another_process(roles, corpus, monkeypatch):
    from factories import make_story

    project = corpus["project"]
    services.semantic_search(project, "a cat on the roof", 1)  # the matrix is cached now
    # The worker embeds in its own process: this one's cache is not told.
    monkeypatch.setattr("heard_web.stories.services.search.forget_matrix", lambda pk: None)
    newcomer = make_story(project, "A cat sat on our roof during the whole home visit.")
    services.embed_stories(project, [newcomer.pk])
    (hit,) = services.semantic_search(project, "a cat on the roof", 1)
    assert hit[0].pk == newcomer.pk


def test_long_stories_are_split_into_passages_and_the_best_one_is_the_snippet(roles):
    from factories import make_story

    project = roles["project"]
    filler = " ".join(
        f"On day {n} we filled in another form about our home and our routines." for n in range(60)
    )
    story = make_story(
        project,
        filler + " The hardest part was the silence after approval, waiting for any news.",
    )
    services.embed_stories(project)
    passages = Passage.objects.filter(story=story).order_by("index")
    assert passages.count() > 1
    assert all(story.redacted_text[p.start : p.end].startswith(p.text[:30]) for p in passages)
    (hit,) = services.semantic_search(project, "silence after approval", 1)
    assert hit[0].pk == story.pk
    assert "silence after approval" in hit[2].text


# --- the story page -------------------------------------------------------------------------


def test_the_story_page_shows_the_redacted_text_attributes_themes_and_sentiment(
    client, roles, corpus
):
    from factories import make_run, make_theme

    project = corpus["project"]
    story = corpus["stories"][WAITING]
    story.redaction_counts = {"NAME": 1}
    story.save()
    run = make_run(project)
    make_theme(run, "Waiting after approval", stories=[story])
    client.force_login(roles["viewer"])
    page = client.get(url("stories:show", project, story_id=story.pk)).content.decode()
    assert story.redacted_text in page
    assert "adopter" in page and "North" in page and "Survey export" in page
    assert "Waiting after approval" in page and "0.80" in page and "main theme" in page
    assert "Negative" in page
    assert "1 × name" in page
    assert "1 January 2026" in page


def test_the_original_text_is_never_shown_on_the_story_page(client, roles):
    from factories import make_story

    project = roles["project"]
    project.keep_original_text = True
    project.save()
    story = make_story(
        project, "Ring [NAME] on [PHONE].", original_text="Ring Dawn on 07700 900456."
    )
    for who in ("owner", "analyst", "viewer"):
        client.force_login(roles[who])
        page = client.get(url("stories:show", project, story_id=story.pk)).content.decode()
        assert "07700 900456" not in page and "Dawn" not in page
        assert ('id="original-hook"' in page) == (who == "owner")


# --- the services other apps use ------------------------------------------------------------


def test_filter_stories_takes_a_plain_dict_and_stays_in_the_project(roles, corpus):
    project = corpus["project"]
    found = services.filter_stories(project, {"a.role": ["adopter"], "q": "panel"}, role="owner")
    assert [s.pk for s in found] == [corpus["stories"][8].pk]
    assert services.filter_stories(project, {}, role="owner").count() == len(CORPUS)
    assert not services.filter_stories(
        project, {"source": str(corpus["secret"].source_id)}, role="owner"
    )


def test_add_stories_redacts_skips_duplicates_and_embeds_them(
    roles, settings, django_capture_on_commit_callbacks
):
    from factories import make_source

    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default"],
        }
    }
    project = roles["project"]
    source = make_source(project, "API")
    rows = [
        {"text": "Call Priya Kaur on 07700 900123 please.", "external_id": "a1"},
        {"text": "The wait after approval was long.", "attributes": {"role": "adopter"}},
        {"text": "   "},
    ]
    with django_capture_on_commit_callbacks(execute=True):
        result = services.add_stories(project, source, rows, roles["analyst"])
    assert (len(result.stories), result.duplicates, result.empty) == (2, 0, 1)
    first = Story.objects.get(project=project, external_id="a1")
    assert "07700" not in first.redacted_text and "Priya" not in first.redacted_text
    assert Passage.objects.filter(story__project=project).count() == 2
    source.refresh_from_db()
    assert source.columns["values"] == {"role": ["adopter"]}
    again = services.add_stories(project, source, rows, roles["analyst"])
    assert (len(again.stories), again.duplicates) == (0, 2)
    assert Story.objects.filter(project=project).count() == 2
