"""Load test of the public story form: many people sending stories at once, nothing lost.

Loopback only, bounded in time and count, stops by itself. For each database (SQLite in a
fresh data folder, the default; then PostgreSQL in a fresh database it creates and drops):

1. prepares a project with an open story form (``heard manage migrate`` + a seed script);
2. starts ``heard serve`` on a free 127.0.0.1 port (with its worker, as by default);
3. runs ``--concurrency`` submitters for ``--duration`` seconds; each loops: open the form
   (GET: CSRF cookie and the form's one-time token), send a story (POST) whose text holds a
   unique token, and count it acknowledged only when the confirmation page shows a reference;
4. stops the server and checks the database: every acknowledged token stored exactly once,
   with the reference the person was shown; no 5xx; prints throughput and p50/p95 latency.

The per-client rate limit (``HEARD_FORM_RATE_LIMIT``) would stop one address sending
hundreds of stories an hour, and here every submitter is 127.0.0.1: the run sets it to
10,000,000 and says so.

    .venv/bin/python benchmarks/form_load.py                       # 200 for 60 s, both DBs
    .venv/bin/python benchmarks/form_load.py --concurrency 50 --duration 20 --db sqlite
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from heard_web.testing import ServerDidNotStart, running_server

RATE_LIMIT = "10000000"
SLUG = "form-load"
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
REFERENCE = re.compile(r'data-testid="reference">([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})<')
SEED = f"""
import django
django.setup()
from django.contrib.auth import get_user_model
from heard_web.accounts.models import Membership, Organisation
from heard_web.listen.models import StoryForm
from heard_web.projects.models import Project
user, _ = get_user_model().objects.get_or_create(username="load-owner")
org, _ = Organisation.objects.get_or_create(name="Load test", defaults={{"slug": "load-test"}})
project, _ = Project.objects.get_or_create(slug="{SLUG}", defaults={{"name": "Form load", "organisation": org}})
Membership.objects.get_or_create(project=project, user=user, defaults={{"role": "owner"}})
StoryForm.objects.update_or_create(project=project, defaults={{"is_open": True}})
"""
COUNT = f"""
import django, json, re, sys
django.setup()
from heard_web.stories.models import Story
rows = Story.objects.filter(project__slug="{SLUG}").values_list("redacted_text", "reference")
print(json.dumps([[re.findall(r"tok([a-z0-9]{{20}})", t), r] for t, r in rows]))
"""


def django_python(env: dict[str, str], code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600
    )
    if done.returncode:
        raise SystemExit(f"Preparing the database failed:\n{done.stderr[-3000:]}")
    return done.stdout


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    acknowledged: dict[str, str] = field(default_factory=dict)  # token -> reference
    sent: int = 0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)


def submit_one(base: str, token: str, tally: Tally, timeout: float = 60) -> None:
    """Open the form and send one story holding ``token``; record what the server said."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    url = f"{base}/tell/{SLUG}/"
    try:
        page = opener.open(url, timeout=timeout).read().decode()
        fields = {
            name: re.search(f'name="{name}" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
            for name in ("csrfmiddlewaretoken", "submission")
        }
        text = f"Story tok{token}. The wait after the panel felt long but the team was kind."
        body = urllib.parse.urlencode({**fields, "answer_0": text, "consent_analysis": "on"})
        start = time.perf_counter()
        with tally.lock:
            tally.sent += 1
        try:
            response = opener.open(
                urllib.request.Request(url, body.encode(), headers={"Referer": url}),
                timeout=timeout,
            )
            status, content = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, content = error.code, ""
        elapsed = time.perf_counter() - start
        found = REFERENCE.search(content)
        with tally.lock:
            tally.statuses[status] += 1
            tally.latencies.append(elapsed)
            if status == 200 and found:
                tally.acknowledged[token] = found.group(1)
    except Exception as error:  # a timeout or reset: not acknowledged, counted
        with tally.lock:
            tally.errors[type(error).__name__] += 1


def load(base: str, concurrency: int, duration: float) -> tuple[Tally, float]:
    tally = Tally()
    stop_at = time.monotonic() + duration

    def submitter() -> None:
        while time.monotonic() < stop_at:
            submit_one(base, secrets.token_hex(10), tally)

    threads = [threading.Thread(target=submitter, daemon=True) for _ in range(concurrency)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=duration + 180)  # bounded: a stuck request gives up with the run
    return tally, time.monotonic() - started


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(db: str, args: argparse.Namespace) -> bool:
    work = Path(tempfile.mkdtemp(prefix=f"heard-form-load-{db}-"))
    env = {
        **os.environ,
        "HEARD_DATA_DIR": str(work / "data"),
        "HF_HUB_OFFLINE": "1",
        "DJANGO_SETTINGS_MODULE": "heard_web.settings",
        "HEARD_FORM_RATE_LIMIT": RATE_LIMIT,
        "DJANGO_SUPERUSER_USERNAME": "admin",
        "DJANGO_SUPERUSER_PASSWORD": secrets.token_urlsafe(16),
        "DJANGO_SUPERUSER_EMAIL": "admin@example.org",
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    database = ""
    if db == "postgres":
        import psycopg

        database = f"heard_form_load_{os.getpid()}"
        with psycopg.connect(
            PG_ADMIN.replace("postgres://", "postgresql://"), autocommit=True
        ) as c:
            c.execute(f'CREATE DATABASE "{database}"')
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"
    try:
        subprocess.run(
            [sys.executable, "-m", "heard.cli", "manage", "migrate", "-v", "0"],
            env=env,
            check=True,
            timeout=600,
        )
        django_python(env, SEED)
        with running_server(
            env,
            ["--no-worker"] if args.no_worker else [],
            log_path=work / "serve.log",
            timeout=180,
            grace=60,
        ) as (base, _):
            print(
                f"[{db}] {args.concurrency} submitters for {args.duration:.0f} s against "
                f"{base} (heard serve, {'with' if not args.no_worker else 'without'} its worker; "
                f"HEARD_FORM_RATE_LIMIT={RATE_LIMIT} so one address may send them all)",
                flush=True,
            )
            tally, elapsed = load(base, args.concurrency, args.duration)
        stored = __import__("json").loads(django_python(env, COUNT))
        per_token: Counter[str] = Counter()
        reference_of: dict[str, str] = {}
        for tokens, reference in stored:
            for token in tokens:
                per_token[token] += 1
                reference_of[token] = reference
        acked = tally.acknowledged
        lost = [t for t in acked if per_token[t] == 0]
        duplicated = [t for t, n in per_token.items() if n > 1]
        wrong_ref = [t for t in acked if per_token[t] and reference_of[t] != acked[t]]
        unacked_stored = [t for t in per_token if t not in acked]
        server_errors = sum(n for s, n in tally.statuses.items() if s >= 500)
        ok = not lost and not duplicated and not wrong_ref and not server_errors
        print(
            f"[{db}] sent {tally.sent}, acknowledged {len(acked)}, rows stored {len(stored)}; "
            f"lost {len(lost)}, duplicated {len(duplicated)}, wrong reference {len(wrong_ref)}, "
            f"stored but not acknowledged (client gave up) {len(unacked_stored)}\n"
            f"[{db}] statuses {dict(sorted(tally.statuses.items()))}, 5xx {server_errors}, "
            f"client errors {dict(tally.errors) or 0}\n"
            f"[{db}] throughput {len(acked) / elapsed:.1f} stories/s over {elapsed:.1f} s; "
            f"POST latency p50 {statistics.median(tally.latencies) * 1000:.0f} ms, "
            f"p95 {pct(tally.latencies, 0.95) * 1000:.0f} ms, "
            f"max {max(tally.latencies, default=0) * 1000:.0f} ms\n"
            f"[{db}] {'PASS' if ok else 'FAIL'}",
            flush=True,
        )
        return ok
    finally:
        if database:
            import psycopg

            with psycopg.connect(
                PG_ADMIN.replace("postgres://", "postgresql://"), autocommit=True
            ) as c:
                c.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--concurrency", type=int, default=200, help="submitters at once")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--no-worker", action="store_true", help="serve without the background worker"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.concurrency <= 1000 or not 1 <= args.duration <= 600:
        parser.error("--concurrency must be 1..1000 and --duration 1..600 seconds")
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results = [run(db, args) for db in dbs]
    return 0 if all(results) else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ServerDidNotStart as exc:
        sys.exit(str(exc))
