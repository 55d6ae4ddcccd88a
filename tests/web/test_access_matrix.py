"""Every URL and every API route × (owner, analyst, viewer, outsider, anonymous).

The URL patterns come from Django's resolver and the API routes from the published OpenAPI
schema, so a page or route added later is caught: a test fails until it has a row in
``PAGES`` or ``API`` below (one line each). For each row and person, GET and POST must give
the expected answer: anonymous people are sent to sign in (401 in the API), outsiders get
404 (never 403), members whose role is too low get 403 and nothing in the database changes,
and nobody ever sees the other project's stories (a marker planted in them is searched for
in every response, and searched for directly).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

WHO = ["owner", "analyst", "viewer", "outsider", "anonymous"]
RANK = {"viewer": 1, "analyst": 2, "owner": 3}
PUBLIC, USER, VIEWER, ANALYST, OWNER = "public", "user", "viewer", "analyst", "owner"
# Only in the other project: MARKER is what people search for, SECRET what must never show
# (a search page may echo the words searched for, never the story behind them).
MARKER = "Zanzibar-quokka-7731"
SECRET = "kept-in-the-other-project-4417"
OK_GET = {200, 301, 302, 303}
OK_POST = OK_GET | {201, 202, 204, 400}


@dataclass
class Page:
    """Who may use a URL: ``role`` (public, user = signed in, or a project role), the
    methods its view accepts (others answer 405 once access is granted), a valid POST body,
    and any outcome that differs from the rule (``expect={"viewer POST": 404}``, or
    ``{"viewer": 404}`` for both methods)."""

    role: str
    methods: str = "GET"
    data: Any = None
    expect: dict[str, int] = field(default_factory=dict)


def csv_upload(ctx):
    body = "ref,comment\n1,The wait after approval was long.\n"
    return {"file": SimpleUploadedFile("feedback.csv", body.encode(), "text/csv")}


# One row per URL name (or route, for unnamed patterns). Admin URLs: see test_the_admin_...
PAGES: dict[str, Page] = {
    "home": Page(PUBLIC, "GET POST"),
    "health": Page(PUBLIC),
    "login": Page(PUBLIC, "GET POST"),
    "logout": Page(PUBLIC, "POST"),
    "password_change": Page(USER, "GET POST"),
    "password_change_done": Page(USER),
    "password_reset": Page(PUBLIC, "GET POST", {"email": "nobody@example.org"}),
    "password_reset_done": Page(PUBLIC),
    "password_reset_confirm": Page(PUBLIC, "GET POST"),
    "password_reset_complete": Page(PUBLIC),
    "tokens": Page(USER, "GET POST", {"name": "script"}),
    # The token is the owner's: everyone else is told it does not exist.
    "token_revoke": Page(
        USER, "POST", expect={"analyst POST": 404, "viewer POST": 404, "outsider POST": 404}
    ),
    "projects:index": Page(USER, "GET POST"),
    "projects:new": Page(USER, "GET POST", {"name": "Another", "new_organisation": "Org"}),
    "projects:show": Page(VIEWER, "GET POST"),
    "projects:settings": Page(
        OWNER, "GET POST", {"name": "Renamed", "pseudonyms": "none", "description": ""}
    ),
    "projects:members": Page(VIEWER, "GET POST"),
    "projects:member_create": Page(
        OWNER, "POST", {"username_or_email": "nina-newcomer", "role": "viewer"}
    ),
    "projects:member_update": Page(OWNER, "POST", {"role": "viewer"}),
    "projects:member_delete": Page(OWNER, "POST"),
    "projects:audit": Page(OWNER, "GET POST"),
    "stories:index": Page(VIEWER, "GET POST"),
    "stories:show": Page(VIEWER, "GET POST"),
    "stories:delete": Page(OWNER, "GET POST"),
    "stories:original": Page(OWNER, "GET POST"),
    "stories:imports": Page(ANALYST, "GET POST"),
    "stories:import_create": Page(ANALYST, "POST", csv_upload),
    "stories:import_show": Page(ANALYST, "GET POST"),
    "stories:import_preview": Page(ANALYST, "GET POST", {"text": "comment"}),
    "stories:import_sheet": Page(ANALYST, "POST"),
    "stories:import_delete": Page(ANALYST, "POST"),
    "analysis:index": Page(VIEWER, "GET POST"),
    "analysis:run_create": Page(ANALYST, "POST"),
    "analysis:run_show": Page(VIEWER, "GET POST"),
    "analysis:theme_merge": Page(ANALYST, "POST", lambda ctx: {"keys": ["2"], "into": "1"}),
    "analysis:theme_show": Page(VIEWER, "GET POST"),
    "analysis:theme_rename": Page(ANALYST, "POST", {"label": "Renamed"}),
    "analysis:theme_pin": Page(ANALYST, "POST", {"pinned": "1"}),
    "analysis:theme_split": Page(
        ANALYST, "POST", lambda ctx: {"label": "Split", "story_ids": [ctx["story"].pk]}
    ),
    "analysis:theme_move": Page(
        ANALYST, "POST", lambda ctx: {"story_ids": [ctx["story"].pk], "to": "2"}
    ),
    # The public story form (its project has an open form in ctx) and the team's pages.
    "listen:form": Page(PUBLIC, "GET POST"),
    "listen:privacy": Page(PUBLIC),
    "listen:withdraw": Page(PUBLIC, "GET POST", {"reference": "AAAA-BBBB-CCCC"}),
    "listen:index": Page(ANALYST),
    "listen:edit": Page(OWNER, "GET POST", {"questions": "What happened?", "title": "Tell us"}),
    "listen:update": Page(ANALYST, "POST", {"action": "hide"}),
    "reports:index": Page(VIEWER, "GET POST"),
    "reports:create": Page(ANALYST, "POST", {"kind": "responses"}),
    "reports:show": Page(VIEWER, "GET POST"),
    "reports:download": Page(VIEWER, "GET POST"),
    # ninja's own pages: the schema and its viewer are public (they hold no data).
    "api:openapi-json": Page(PUBLIC, "GET POST"),
    "api:openapi-view": Page(PUBLIC, "GET POST"),
    "api:api-root": Page(PUBLIC, "GET POST", expect=dict.fromkeys(WHO, 404)),
    "api:not-found": Page(PUBLIC, "GET POST", expect=dict.fromkeys(WHO, 404)),
}

# One row per API operation: the role it needs, and a valid body for the changes.
API: dict[str, Page] = {
    "GET /api/health": Page(PUBLIC),
    "GET /api/me": Page(USER),
    "GET /api/projects": Page(USER),
    "GET /api/projects/{slug}": Page(VIEWER),
    "GET /api/projects/{slug}/sources": Page(VIEWER),
    "POST /api/projects/{slug}/sources": Page(ANALYST, data={"name": "Feed"}),
    "GET /api/projects/{slug}/sources/{source_id}": Page(VIEWER),
    "GET /api/projects/{slug}/stories": Page(VIEWER),
    "POST /api/projects/{slug}/stories": Page(
        ANALYST,
        data=lambda ctx: {"source_id": ctx["source"].pk, "stories": [{"text": "New story."}]},
    ),
    "GET /api/projects/{slug}/stories/{story_id}": Page(VIEWER),
    "GET /api/projects/{slug}/runs": Page(VIEWER),
    "POST /api/projects/{slug}/runs": Page(ANALYST),
    "GET /api/projects/{slug}/runs/{run_id}": Page(VIEWER),
    "GET /api/projects/{slug}/themes": Page(VIEWER),
    "GET /api/projects/{slug}/themes/{theme_id}": Page(VIEWER),
    "POST /api/projects/{slug}/themes/{theme_id}/rename": Page(ANALYST, data={"label": "New"}),
    "POST /api/projects/{slug}/themes/{theme_id}/pin": Page(ANALYST, data={"pinned": True}),
    "POST /api/projects/{slug}/themes/merge": Page(
        ANALYST, data=lambda ctx: {"theme_ids": [ctx["theme2"].pk], "into": ctx["theme"].pk}
    ),
}

# How to fill each URL keyword from the test data (all within the members' project).
KWARGS = {
    "project_slug": lambda ctx: ctx["project"].slug,
    "slug": lambda ctx: ctx["project"].slug,
    "member_id": lambda ctx: ctx["analyst_membership"].pk,
    "token_id": lambda ctx: ctx["token"].pk,
    "story_id": lambda ctx: ctx["story"].pk,
    "source_id": lambda ctx: ctx["source"].pk,
    "job_id": lambda ctx: ctx["job"].pk,
    "run_id": lambda ctx: ctx["run"].pk,
    "theme_id": lambda ctx: ctx["theme"].pk,
    "key": lambda ctx: ctx["theme"].key,
    "export_id": lambda ctx: ctx["export"].pk,
    "uidb64": lambda ctx: "MQ",
    "token": lambda ctx: "set-password",
}


# The URL map ---------------------------------------------------------------------------------


def url_patterns(patterns=None, prefix="", namespace=""):
    """(key, route) for every URL pattern: key is the URL name (or the route if unnamed)."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(filter(None, [namespace, p.namespace]))
            yield from url_patterns(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            name = ":".join(filter(None, [namespace, p.name])) if p.name else route
            yield name, route


def page_patterns():
    """The app's own pages: everything but the admin and the API's operations."""
    api_paths = {"/" + route for _, route in url_patterns() if route.startswith("api/")}
    del api_paths
    return {
        key: route
        for key, route in url_patterns()
        if not route.startswith("admin/")
        and not (route.startswith("api/") and key not in PAGES and key.startswith("api:"))
    }


def fill(route, ctx):
    """The route with every <converter:name> replaced by a value from KWARGS."""

    def value(match):
        name = match.group(2)
        assert name in KWARGS, f"No test value for URL keyword {name!r}: add it to KWARGS."
        return str(KWARGS[name](ctx))

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route).replace("^", "").replace("$", "")


def body(page, ctx):
    data = page.data(ctx) if callable(page.data) else page.data
    return dict(data or {})


# Test data -----------------------------------------------------------------------------------


@pytest.fixture
def ctx(roles):
    """The members' project with one of everything; the other project holds the marker."""
    from factories import make_run, make_source, make_story, make_theme, make_token, make_user

    from heard_web.accounts.models import Membership
    from heard_web.stories.services import store_upload

    project, other = roles["project"], roles["other_project"]
    source = make_source(project, "Survey")
    project.keep_original_text = True  # the owner's audited "original" page has something
    project.save()
    story = make_story(
        project,
        "We waited a long time after approval.",
        source=source,
        original_text="We waited a long time after approval, said Jo.",
    )
    story2 = make_story(project, "Training was friendly.", source=source)
    run = make_run(project)
    theme = make_theme(run, "Waiting", key="1", stories=[story])
    theme2 = make_theme(run, "Training", key="2", stories=[story2])
    job = store_upload(project, csv_upload(None)["file"], roles["analyst"])  # at its preview
    # The other project: its story, source and theme carry the marker.
    theirs = make_source(other, f"Source {MARKER} {SECRET}")
    marked = make_story(other, f"Private story {MARKER} {SECRET} about the panel.", source=theirs)
    make_theme(make_run(other), f"Theme {MARKER} {SECRET}", key="1", stories=[marked])
    make_user("nina-newcomer")
    from heard_web.listen.models import StoryForm

    StoryForm.objects.create(project=project, is_open=True)
    ctx = {
        **roles,
        "source": source,
        "story": story,
        "run": run,
        "theme": theme,
        "theme2": theme2,
        "job": job,
        "token": make_token(roles["owner"])[0],
        "analyst_membership": Membership.objects.get(project=project, user=roles["analyst"]),
    }
    ctx["export"] = make_export(project, "responses", {}, roles["owner"])
    return ctx


def make_export(project, kind, params, user, *, must_succeed=True):
    """A download, made as the worker would make it."""
    from heard_web.reports import services

    export = services.start_export(project, kind, params, by=user)
    services.run_export(export.pk)
    export.refresh_from_db()
    assert export.status == "succeeded" or not must_succeed, export.error_message
    return export


def client_for(ctx, who):
    client = Client()
    if who != "anonymous":
        client.force_login(ctx[who])
    return client


def api_client_for(ctx, who):
    from factories import make_token

    if who == "anonymous":
        return Client(), {}
    return Client(), {"Authorization": f"Bearer {make_token(ctx[who])[1]}"}


def content(response):
    """The response body; for a workbook (a zip), the text of every file inside it."""
    import io
    import zipfile

    data = response.content if not getattr(response, "streaming", False) else None
    if data is None:
        data = b"".join(response.streaming_content)
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return b"".join(archive.read(name) for name in archive.namelist())
    return data


VOLATILE = {"last_login", "last_used_at", "session_data", "expire_date"}
# Sessions change with every sign-in; the audit log records reads too (downloads).
SKIP_MODELS = {"sessions.session", "accounts.auditevent"}


# Derived caches a page may fill on first view (not changes anyone made): (model, field) ->
# the keys of that JSON field left out of the comparison.
CACHES = {("analysis.analysisrun", "parameters"): ("totals",)}


def _plain(label, name, value):
    if isinstance(value, memoryview):
        return bytes(value)
    drop = CACHES.get((label, name))
    if drop and isinstance(value, dict):
        return {k: v for k, v in value.items() if k not in drop}
    return value


def snapshot():
    """Every row of every model (minus sign-in bookkeeping), to prove nothing changed."""
    state = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in SKIP_MODELS or not model._meta.managed:  # e.g. django_rq's dashboard
            continue
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in VOLATILE]
        rows = model._default_manager.order_by("pk").values_list(*names)
        state[label] = [
            tuple(_plain(label, n, v) for n, v in zip(names, row, strict=True)) for row in rows
        ]
    return state


def expected(page, who, method, *, api=False):
    """The status the rule gives (or a set of acceptable ones)."""
    for key in (f"{who} {method}", who):
        if key in page.expect:
            return {page.expect[key]}
    accepts = method in page.methods.split() or (api and method in ("GET", "POST"))
    ok = (OK_GET if method == "GET" else OK_POST) if accepts else {405}
    if page.role == PUBLIC:
        return ok
    if who == "anonymous":
        return {401} if api else {302}
    if page.role == USER:
        return ok
    if who == "outsider":
        return {404}
    if RANK[who] < RANK[page.role]:
        return {403}
    return ok


def call(client, method, url, data, headers=None, *, api=False, compare=True):
    """One request, its effects rolled back so each person starts from the same data."""
    with transaction.atomic():
        before = snapshot() if method != "GET" and compare else None
        if method == "GET":
            response = client.get(url, headers=headers or {})
        elif api:
            response = client.post(
                url, data or {}, content_type="application/json", headers=headers or {}
            )
        else:
            response = client.post(url, data or {}, headers=headers or {})
        changed = before is not None and snapshot() != before
        transaction.set_rollback(True)
    return response, changed


def check(response, changed, allowed, who, method, url, *, api=False, project_page=True):
    label = f"{who} {method} {url}"
    assert response.status_code in allowed, f"{label}: {response.status_code}, not {allowed}"
    if response.status_code == 302 and who == "anonymous" and not api and allowed == {302}:
        assert "/accounts/sign-in/" in response["Location"], label
    if response.status_code in (401, 403, 404, 405):
        assert not changed, f"{label} answered {response.status_code} but changed the database"
    if who == "viewer" and method == "POST" and project_page:
        assert not changed, f"a viewer changed something with {label}"
    shown = content(response)
    assert MARKER.encode() not in shown and SECRET.encode() not in shown, (
        f"{label} shows the other project's stories"
    )
    if api and response.status_code >= 400:
        assert set(response.json()) == {"error"}, label


# Pages ---------------------------------------------------------------------------------------


def test_every_page_has_a_row_in_the_access_table(db):
    missing = sorted(set(page_patterns()) - set(PAGES))
    assert not missing, f"Add these URLs to PAGES in {__file__}: {missing}"


def test_every_row_of_the_access_table_is_a_url_that_exists(db):
    stale = sorted(set(PAGES) - set(page_patterns()))
    assert not stale, f"PAGES has rows for URLs that no longer exist: {stale}"


@pytest.mark.parametrize("key", sorted(page_patterns()))
def test_each_page_answers_each_person_as_the_table_says(ctx, key):
    page = PAGES.get(key)
    if page is None:
        pytest.fail(f"{key} has no row in PAGES")
    url = fill(page_patterns()[key], ctx)
    for who in WHO:
        client = client_for(ctx, who)
        for method in ("GET", "POST"):
            response, changed = call(
                client, method, url, body(page, ctx) if method == "POST" else {}
            )
            allowed = expected(page, who, method)
            in_project = page.role in RANK
            check(response, changed, allowed, who, method, url, project_page=in_project)


def test_the_admin_lets_in_site_staff_only(ctx):
    admin_urls = [(k, r) for k, r in url_patterns() if r.startswith("admin/")]
    assert len(admin_urls) > 20
    values = {"object_id": "1", "content_type_id": "1", "id": "1", "url": "x"}
    for key, route in admin_urls:
        url = "/" + re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: values.get(m.group(2), "1"), route)
        url = url.replace("^", "").replace("$", "").replace("(?P", "")
        if "(" in url:  # the admin's catch-all regex
            url = "/admin/no-such-page/"
        for who in WHO:
            client = client_for(ctx, who)
            for method in ("GET", "POST"):
                # Nobody here is staff: the admin sends them away before any view runs.
                response, _ = call(client, method, url, {}, compare=False)
                label = f"{who} {method} {url}"
                if key == "admin:login":
                    assert response.status_code in (200, 302), label
                    continue
                if key == "admin:django_rq_home_json" and response.status_code == 401:
                    continue  # RQ's queue numbers: a JSON 401 for anyone not staff
                assert response.status_code == 302, f"{label}: {response.status_code}"
                where = response["Location"]
                # The admin's sign-out (a POST form) sends a GET back to the admin's start.
                assert where.startswith("/admin/login/") or (key, where) == (
                    "admin:logout",
                    "/admin/",
                ), label


# API -----------------------------------------------------------------------------------------


def api_operations():
    from heard_web.api.api import api

    schema = api.get_openapi_schema()
    return {
        f"{method.upper()} {path}": path
        for path, operations in schema["paths"].items()
        for method in operations
    }


def test_every_api_route_has_a_row_in_the_access_table(db):
    missing = sorted(set(api_operations()) - set(API))
    stale = sorted(set(API) - set(api_operations()))
    assert not missing, f"Add these API routes to API in {__file__}: {missing}"
    assert not stale, f"API has rows for routes that no longer exist: {stale}"


def test_every_api_url_is_in_the_published_schema(db):
    documented = {re.sub(r"\{(\w+)\}", r"<\1>", p).lstrip("/") for p in api_operations().values()}
    for key, route in url_patterns():
        if route.startswith("api/") and key not in PAGES:
            assert route in documented, f"{route} is served but not in /api/openapi.json"


@pytest.mark.parametrize("operation", sorted(api_operations()))
def test_each_api_route_answers_each_person_as_the_table_says(ctx, operation):
    page = API.get(operation)
    if page is None:
        pytest.fail(f"{operation} has no row in API")
    method, path = operation.split(" ", 1)
    url = re.sub(r"\{(\w+)\}", lambda m: str(KWARGS[m.group(1)](ctx)), path)
    for who in WHO:
        client, headers = api_client_for(ctx, who)
        response, changed = call(client, method, url, body(page, ctx), headers, api=True)
        allowed = expected(page, who, method, api=True)
        if method == "POST" and allowed & OK_POST:
            allowed = {200, 201, 202}
        in_project = page.role in RANK
        check(response, changed, allowed, who, method, url, api=True, project_page=in_project)


# Searching -----------------------------------------------------------------------------------


def test_nobody_finds_another_projects_stories_by_searching(ctx):
    """Keyword and semantic search, in pages and the API, for the marker of the other project."""
    from heard_web.stories import services

    services.embed_stories(ctx["other_project"])
    services.embed_stories(ctx["project"])
    searches = [
        ("/projects/{}/stories/?" + urlencode({"q": MARKER}), False),
        ("/projects/{}/stories/?" + urlencode({"q": MARKER, "mode": "semantic"}), False),
        ("/api/projects/{}/stories?" + urlencode({"q": MARKER}), True),
        ("/api/projects/{}/stories?" + urlencode({"semantic": MARKER}), True),
        ("/api/projects/{}/stories?" + urlencode({"semantic": f"Private story {MARKER}"}), True),
        ("/api/projects/{}/themes", True),
    ]
    for template, api in searches:
        # The other project's owner finds the marker there: the search can find it at all.
        own = template.format(ctx["other_project"].slug)
        client, headers = (
            api_client_for(ctx, "outsider") if api else (client_for(ctx, "outsider"), {})
        )
        if "stories" in own:
            assert SECRET.encode() in content(client.get(own, headers=headers)), own
        for who in ("owner", "analyst", "viewer"):
            url = template.format(ctx["project"].slug)
            client, headers = api_client_for(ctx, who) if api else (client_for(ctx, who), {})
            response = client.get(url, headers=headers)
            assert response.status_code == 200, f"{who} {url}: {response.status_code}"
            assert SECRET.encode() not in content(response), f"{who} found the marker at {url}"


def test_no_download_holds_another_projects_stories(ctx):
    """Every kind of export, of the whole project and of a search for the marker."""
    from django.urls import reverse

    from heard_web.reports.models import ExportKind

    project = ctx["project"]
    for kind in ExportKind.values:
        for params in ({}, {"q": MARKER}):
            export = make_export(project, kind, params, ctx["analyst"], must_succeed=not params)
            url = reverse(
                "reports:download", kwargs={"project_slug": project.slug, "export_id": export.pk}
            )
            if export.status == "failed":  # the search found nothing to export: no file
                assert "No analysed story matches" in export.error_message
                assert client_for(ctx, "owner").get(url).status_code == 404
                continue
            for who in ("owner", "analyst", "viewer"):
                response = client_for(ctx, who).get(url)
                assert response.status_code == 200, f"{who} {kind} {params}"
                shown = content(response)
                assert SECRET.encode() not in shown, f"the {kind} export {params} leaks"
    # The other project's own export does hold it: the check can fail.
    theirs = make_export(ctx["other_project"], "responses", {}, ctx["outsider"])
    url = reverse(
        "reports:download",
        kwargs={"project_slug": ctx["other_project"].slug, "export_id": theirs.pk},
    )
    assert SECRET.encode() in content(client_for(ctx, "outsider").get(url))


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_an_api_method_a_route_does_not_document_changes_nothing(ctx, method):
    """Everyone gets the 405 envelope and nothing changes (routes added later, such as
    erasure, document their method and get a row in API instead)."""
    operations = api_operations()
    for path in sorted(set(operations.values())):
        if f"{method} {path}" in operations:
            continue
        url = re.sub(r"\{(\w+)\}", lambda m: str(KWARGS[m.group(1)](ctx)), path)
        for who in WHO:
            client, headers = api_client_for(ctx, who)
            with transaction.atomic():
                before = snapshot()
                response = client.generic(method, url, "{}", "application/json", headers=headers)
                assert snapshot() == before, f"{who} {method} {url} changed the database"
                transaction.set_rollback(True)
            assert response.status_code == 405, f"{who} {method} {url}: {response.status_code}"
            assert response.json()["error"]["code"] == "method_not_allowed"
