"""A story acknowledged by the form survives the server being killed (SIGKILL) mid-flight.

``heard serve`` runs in a subprocess on its own data folder (SQLite, WAL with
synchronous=NORMAL: a commit is in the write-ahead log before the page answers, which a
killed process cannot lose; only a power cut can lose the last commits) or, under
DATABASE_URL, its own PostgreSQL database. A thread pool sends stories; the server and its
children are killed with SIGKILL while requests are in flight; it is started again on the
same data and every acknowledged story must be there, once, with its text and reference.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from test_serve import scratch_database

from heard_web.testing import HEARD, free_port, running_server

SLUG = "durability"
REFERENCE = re.compile(r'data-testid="reference">([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})<')
SEED = f"""
import django
django.setup()
from heard_web.accounts.models import Organisation
from heard_web.listen.models import StoryForm
from heard_web.projects.models import Project
org = Organisation.objects.create(name="Durability", slug="durability")
project = Project.objects.create(slug="{SLUG}", name="Durability", organisation=org)
StoryForm.objects.create(project=project, is_open=True)
"""
STORED = f"""
import django, json
django.setup()
from heard_web.stories.models import Story
rows = Story.objects.filter(project__slug="{SLUG}").values_list("redacted_text", "reference")
print(json.dumps(list(rows)))
"""


def python(env: dict[str, str], code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def send(base: str, n: int) -> tuple[str, str] | None:
    """Send story ``n``; (text, reference) if the confirmation page came back, else None."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    url = f"{base}/tell/{SLUG}/"
    text = f"Story number {n} of the durability test: the wait after the panel felt long."
    try:
        page = opener.open(url, timeout=30).read().decode()
        fields = {
            name: re.search(f'name="{name}" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
            for name in ("csrfmiddlewaretoken", "submission")
        }
        body = urllib.parse.urlencode({**fields, "answer_0": text, "consent_analysis": "on"})
        answer = opener.open(urllib.request.Request(url, body.encode()), timeout=30)
        found = REFERENCE.search(answer.read().decode())
    except (OSError, urllib.error.URLError):
        return None  # the server died first: not acknowledged, so it may or may not be stored
    return (text, found.group(1)) if answer.status == 200 and found else None


def test_every_acknowledged_story_survives_a_sigkill_of_the_server(tmp_path: Path):
    with scratch_database() as database_url:
        env = {**os.environ, "HEARD_DATA_DIR": str(tmp_path / "data"), "HF_HUB_OFFLINE": "1"}
        env["HEARD_FORM_RATE_LIMIT"] = "0"  # every submitter is 127.0.0.1
        env.pop("SECRET_KEY", None)
        env.pop("REDIS_URL", None)
        if database_url:
            env["DATABASE_URL"] = database_url
        subprocess.run([*HEARD, "manage", "migrate", "-v", "0"], env=env, check=True, timeout=600)
        python(env, SEED)
        port = free_port()
        acknowledged: list[tuple[str, str]] = []
        lock = threading.Lock()
        counter = iter(range(1_000_000))
        killed = threading.Event()

        def submitter() -> None:
            while not killed.is_set():
                result = send(base, next(counter))
                if result:
                    with lock:
                        acknowledged.append(result)

        with (
            running_server(
                env, ["--no-worker"], log_path=tmp_path / "serve-1.log", port=port, timeout=120
            ) as (base, process),
            ThreadPoolExecutor(12) as pool,
        ):
            for _ in range(12):
                pool.submit(submitter)
            deadline = time.monotonic() + 60
            while len(acknowledged) < 30 and time.monotonic() < deadline:
                time.sleep(0.1)
            os.killpg(process.pid, signal.SIGKILL)  # requests are in flight right now
            process.wait(30)
            killed.set()
        assert len(acknowledged) >= 30, "too few stories were acknowledged before the kill"

        stored = json.loads(python(env, STORED))
        by_reference = {reference: text for text, reference in stored}
        assert len(by_reference) == len(stored), "a reference is stored twice"
        missing = [(t, r) for t, r in acknowledged if by_reference.get(r) != t]
        assert not missing, f"{len(missing)} acknowledged stories lost or changed: {missing[:3]}"
        texts = [text for text, _ in stored]
        assert len(texts) == len(set(texts)), "a story is stored twice"

        # The restarted server answers and takes stories on the same data.
        with running_server(
            env, ["--no-worker"], log_path=tmp_path / "serve-2.log", port=port, timeout=120
        ) as (base, _):
            again = send(base, 10_000_000)
            assert again is not None
        stored_after = json.loads(python(env, STORED))
        assert [again[0], again[1]] in stored_after
