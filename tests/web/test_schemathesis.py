"""schemathesis against /api/openapi.json: no server errors and no undocumented answers.

Every operation of the published schema is called in-process (WSGI) with a valid token of
the owner of a seeded project, with data that fits the schema and data that does not. Each
response must not be a 5xx, must use a status code the schema documents for that operation,
and must match the documented body and content type. Bounded and seeded, so CI is stable:
``MAX_EXAMPLES`` cases per operation, derandomized.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, settings

MAX_EXAMPLES = 25
_app = WSGIHandler()
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", _app)
schema.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True)

schemathesis.checks.load_all_checks()
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.response_headers_conformance,
]


@pytest.fixture
def seeded(db):
    """A project with sources, stories, a finished run with themes, and its owner's token."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections
    from factories import (
        make_project,
        make_run,
        make_source,
        make_story,
        make_theme,
        make_token,
        make_user,
    )

    owner = make_user("sam-seeded")
    project = make_project(owner=owner, name="Seeded", slug="seeded")
    source = make_source(project, "Survey")
    stories = [
        make_story(project, f"Synthetic seeded story {i} about waiting.", source=source)
        for i in range(6)
    ]
    run = make_run(project)
    theme = make_theme(run, "Waiting", key="1", stories=stories[:3])
    make_theme(run, "Waiting after panel", key="1.1", parent=theme, stories=stories[:1])
    make_theme(run, "Training", key="2", stories=stories[3:])
    _, raw = make_token(owner)
    # The requests run inside the test's transaction: keep Django from closing the
    # connection around each one (as its own test client does).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield {
        "token": raw,
        "slug": project.slug,
        "ids": {
            "source_id": [source.pk],
            "story_id": [s.pk for s in stories],
            "run_id": [run.pk],
            "theme_id": list(project.themes.values_list("pk", flat=True)),
        },
    }
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def aim_at_the_seeded_project(case, seeded):
    """Most cases use the seeded project and its real ids, so routes get past the 404."""
    params = case.path_parameters or {}
    if "slug" in params and hash(str(params["slug"])) % 5:
        params["slug"] = seeded["slug"]
    for name, real in seeded["ids"].items():
        value = params.get(name)
        if isinstance(value, int) and value % 3:
            params[name] = real[value % len(real)]


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_the_api_answers_every_request_as_its_schema_says(case, seeded):
    aim_at_the_seeded_project(case, seeded)
    case.call_and_validate(headers={"Authorization": f"Bearer {seeded['token']}"}, checks=CHECKS)
