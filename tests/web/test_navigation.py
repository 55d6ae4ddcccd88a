"""The project menu marks exactly one item as the current page, the section the page is in."""

from __future__ import annotations

import re

from django.urls import reverse
from factories import PASSWORD, make_story

from heard_web.stories.models import ImportJob


def current_items(client, url: str) -> list[str]:
    page = client.get(url)
    assert page.status_code == 200
    return re.findall(
        r'aria-current="page">\s*<strong[^>]*>([^<]+)</strong>', page.content.decode()
    )


def test_an_import_page_is_under_imports_and_a_story_under_stories(client, roles):
    project = roles["project"]
    client.login(username=roles["analyst"].username, password=PASSWORD)
    story = make_story(project)
    job = ImportJob.objects.create(
        project=project, file_name="answers.csv", options={"confirmed": True}
    )
    kwargs = {"project_slug": project.slug}

    assert current_items(client, reverse("stories:imports", kwargs=kwargs)) == ["Imports"]
    assert current_items(
        client, reverse("stories:import_show", kwargs={**kwargs, "job_id": job.pk})
    ) == ["Imports"]
    assert current_items(client, reverse("stories:index", kwargs=kwargs)) == ["Stories"]
    assert current_items(
        client, reverse("stories:show", kwargs={**kwargs, "story_id": story.pk})
    ) == ["Stories"]
    assert current_items(client, reverse("projects:show", kwargs=kwargs)) == ["Overview"]
