"""``heard serve --demo``: the bundled sample as a ready workspace, for a first look.

Creates (or refreshes) a demo administrator with a new generated password, an organisation
and a project, imports ``adoption-journeys.csv`` through the stories service and analyses it
through the analysis service, exactly as a person would from the pages, but waiting for each
step here so the printed address shows a finished project. Run again, it keeps the project
(no duplicate stories, no second analysis) and only sets a new password.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEMO_USERNAME = "demo"
PROJECT_NAME = "Adoption journeys (sample)"
ORGANISATION_NAME = "Sample adoption service"
SAMPLE = Path(__file__).resolve().parents[1] / "heard" / "data" / "sample" / "adoption-journeys.csv"
# The sample's columns (see src/heard/data/sample/README.md).
COLUMNS: dict[str, Any] = {
    "text": "response",
    "id": "id",
    "by": ["role", "area", "channel"],
    "time": "date",
    "sheet": None,
}


@dataclass
class Demo:
    """What the demo set up: who to sign in as, and where to look."""

    username: str
    password: str
    project: Any
    stories: int
    themes: int


def set_up_demo(
    *,
    sample: Path = SAMPLE,
    columns: dict[str, Any] | None = None,
    say: Callable[[str], None] = print,
) -> Demo:
    """The demo account and the sample project, imported and analysed (Django must be set up)."""
    from django.contrib.auth import get_user_model
    from django.core.files import File

    from heard.errors import HeardError
    from heard_web.accounts.models import Organisation
    from heard_web.accounts.services import create_organisation
    from heard_web.analysis import services as analysis
    from heard_web.analysis.models import ThemeKind
    from heard_web.projects.models import Project
    from heard_web.projects.services import create_project
    from heard_web.stories import services as stories
    from heard_web.stories.models import JobStatus

    User = get_user_model()
    password = secrets.token_urlsafe(12)
    user = User.objects.filter(username=DEMO_USERNAME).first()
    if user is None:
        user = User.objects.create_superuser(DEMO_USERNAME, "demo@example.org", password)
    else:
        user.set_password(password)
        user.save(update_fields=["password"])

    project = Project.objects.filter(name=PROJECT_NAME, memberships__user=user).first()
    if project is None:
        organisation = Organisation.objects.filter(
            name=ORGANISATION_NAME, projects__memberships__user=user
        ).first() or create_organisation(ORGANISATION_NAME, user)
        project = create_project(
            user,
            name=PROJECT_NAME,
            description="A fictional listening exercise bundled with heard, to try it on.",
            organisation=organisation,
        )

    if not project.stories.exists():
        say(f"Importing the sample ({sample.name}): removing personal data, then embedding...")
        with sample.open("rb") as handle:
            job = stories.store_upload(project, File(handle, name=sample.name), user)
        job = stories.start_import(job, columns or COLUMNS, user)
        # The queued task finds the job finished and does nothing; here we wait for it.
        job = stories.run_import(job.pk)
        if job.status != JobStatus.SUCCEEDED:
            raise HeardError(f"The demo could not import the sample: {job.error_message}")
        say(f"  {job.stage}")

    run = project.analysis_runs.filter(status=JobStatus.SUCCEEDED).first()
    if run is None:
        say("Analysing the stories (themes, sentiment, quotes): a minute or two the first time...")
        run = analysis.start_run(project, by=user)
        analysis.run_analysis(run.pk)
        run.refresh_from_db()
        if run.status != JobStatus.SUCCEEDED:
            raise HeardError(f"The demo could not analyse the sample: {run.error_message}")
    themes = (
        run.themes.filter(parent__isnull=True, merged_into__isnull=True)
        .exclude(kind=ThemeKind.NONE)
        .count()
    )
    return Demo(
        username=DEMO_USERNAME,
        password=password,
        project=project,
        stories=project.stories.count(),
        themes=themes,
    )


def serve_demo(*, host: str, port: int, worker: bool, threads: int) -> None:
    """Set up the demo (in ./heard-demo unless HEARD_DATA_DIR says otherwise), print how to
    sign in, and serve it."""
    import os

    os.environ.setdefault("HEARD_DATA_DIR", str(Path("heard-demo").resolve()))
    from heard_web.server import prepare, serve, setup

    setup()
    prepare(interactive=False, quiet=True)
    demo = set_up_demo()
    shown = "127.0.0.1" if host in {"0.0.0.0", "::"} else (f"[{host}]" if ":" in host else host)
    print(
        f"\nThe sample project is ready: {demo.stories:,} stories in {demo.themes} themes.\n"
        f"  Open     http://{shown}:{port}{demo.project.get_absolute_url()}\n"
        f"  Sign in  username {demo.username}, password {demo.password}\n"
        "  (a new password each time the demo starts; the data stays in "
        f"{os.environ['HEARD_DATA_DIR']})\n",
        flush=True,
    )
    serve(host=host, port=port, worker=worker, threads=threads)
