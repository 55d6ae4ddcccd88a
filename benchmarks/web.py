"""heard's web workspace under load: 100,000 stories, then the pages people wait for.

One run, on this machine's loopback only:

1. seeds a project with N synthetic stories (default 100,000; text generated here from
   templates, with role/area/channel attributes and dates over two years), each with one
   passage vector, plus a finished analysis run with themes and assignments; kept in
   ``--work-dir`` and reused by the next run with the same settings (``--fresh`` rebuilds);
2. starts ``heard serve --no-worker`` against it on a free 127.0.0.1 port;
3. signs in and times, after a warm-up, ``--requests`` GETs each of the story list, a theme
   page and a semantic search (a different query each time), printing median and p95 in ms
   beside the 300 ms median target (PASS/FAIL), side by side.

Vectors: ``--real`` stories (default 3,000) are embedded for real with heard's Embedder
(all-MiniLM-L6-v2, cached in the work dir, so only the first run pays); every other story
gets the real vector of a story on the same topic plus Gaussian noise, normalised (cosine
about 0.9 to it). A semantic search's cost depends on the number and size of the vectors,
not on where they came from; the query itself is embedded for real by the server each time.

It reports; it is not a test: the exit code is 0 whatever the figures. Every request has a
timeout and the whole run a time limit (``--max-minutes``); the server is stopped at the end.

    .venv/bin/python benchmarks/web.py                    # 100,000 stories, 50 requests each
    .venv/bin/python benchmarks/web.py --stories 20000 --requests 20   # while developing
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import statistics
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from heard_web.testing import ServerDidNotStart, running_server

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parents[1]
TARGET_MS = 300.0
SEED_VERSION = 1  # bump when the generated data changes, so old work dirs are rebuilt
USERNAME, PASSWORD = "bench-analyst", "a long benchmark password 42"
SLUG = "web-benchmark"

# --- synthetic stories ----------------------------------------------------------------------

# Twelve topics people raise about adoption and fostering services, each a few ways of
# opening, a detail and a closing thought. Combined with numbers and segments they give
# varied, realistic-sounding text; nothing here comes from a real person.
TOPICS: dict[str, tuple[list[str], list[str], list[str]]] = {
    "Waiting after approval": (
        [
            "After we were approved we waited {n} months before anyone mentioned a match.",
            "The wait after panel was the hardest part of the whole process.",
            "Nobody told us how long the wait after approval would be.",
            "We were approved in {month} and heard nothing until {month2}.",
        ],
        [
            "Every time we rang we were told the family finding team was busy.",
            "We started to wonder whether we had done something wrong.",
            "Friends who adopted elsewhere were matched in half the time.",
            "The silence made us doubt whether we should carry on.",
        ],
        [
            "A simple monthly update would have made a huge difference.",
            "Please tell people honestly how long it might take.",
            "I know there are reasons, but the silence was cruel.",
        ],
    ),
    "Social worker communication": (
        [
            "Our social worker changed {n} times in two years.",
            "Emails to our social worker often went unanswered for weeks.",
            "Our social worker was kind but impossible to reach.",
            "The social worker never returned calls on a {day}.",
        ],
        [
            "Each new worker asked us the same questions again.",
            "Important papers were lost between workers.",
            "We found out about the meeting from another family.",
            "When she did call back she was rushed and apologetic.",
        ],
        [
            "Continuity of worker matters more than anything.",
            "I would like one named person who actually answers.",
            "It felt like nobody owned our case.",
        ],
    ),
    "Preparation training": (
        [
            "The preparation course was excellent and honest about the challenges.",
            "The training days in {month} were the best part of the assessment.",
            "Our preparation group was small and the trainers were experienced.",
            "The course covered trauma and attachment really well.",
        ],
        [
            "Hearing from an adoptive parent who had been through it was powerful.",
            "The session on life story work stayed with me for weeks.",
            "We still meet some of the other couples from the course.",
            "The reading list was useful but very long.",
        ],
        [
            "I would recommend it to anyone thinking about adopting.",
            "More evening sessions would help working parents.",
            "It prepared us for things nobody else talks about.",
        ],
    ),
    "Support after placement": (
        [
            "Once our son moved in the support seemed to disappear.",
            "Post-adoption support took {n} weeks to even assess us.",
            "We needed help in the first year and it was hard to find.",
            "The support after placement has been a lifeline.",
        ],
        [
            "The therapeutic parenting course made a real difference.",
            "We were passed between three teams before anyone helped.",
            "The adoption support fund application took months.",
            "A peer support group run by other adopters kept us going.",
        ],
        [
            "Support should start before families reach crisis point.",
            "Please make post-adoption support easier to ask for.",
            "We would not have managed without the peer group.",
        ],
    ),
    "Matching and panel": (
        [
            "The matching panel was intimidating but fair.",
            "Panel asked thoughtful questions about our support network.",
            "We felt judged at the matching panel in {month}.",
            "The matching process moved quickly once a child was found.",
        ],
        [
            "The child's permanence report was detailed and honest.",
            "We were not given enough time to read the reports.",
            "Meeting the foster carer before panel helped a lot.",
            "The medical adviser answered every question we had.",
        ],
        [
            "More preparation for what panel is like would help.",
            "Overall it felt thorough and child-centred.",
            "I understand why it is rigorous, but it was stressful.",
        ],
    ),
    "Introductions and moving in": (
        [
            "Introductions lasted {n} days and felt rushed at the end.",
            "The foster carers made introductions warm and gentle.",
            "Moving day was emotional for everyone.",
            "The introductions plan changed at the last minute.",
        ],
        [
            "Our daughter's foster carer sent photos and a memory box.",
            "Nobody planned for the foster family's goodbye.",
            "We stayed in a hotel for a week during introductions.",
            "The transition plan was built around the child's routine.",
        ],
        [
            "Keeping in touch with the foster carers has helped her settle.",
            "A slower pace would have been kinder for the child.",
            "It was the best and hardest fortnight of our lives.",
        ],
    ),
    "Contact with birth family": (
        [
            "Letterbox contact has been confusing and inconsistent.",
            "The letterbox letter we sent in {month} was never answered.",
            "Direct contact with the birth siblings has gone well.",
            "We were not told what to write in the first letter.",
        ],
        [
            "The letterbox service lost a letter once.",
            "Our son asks about his birth mother more often now.",
            "Meeting the birth grandparents was hard but worthwhile.",
            "There was no guidance on how to use social media safely.",
        ],
        [
            "Better guidance on contact would help everyone involved.",
            "Contact needs a named coordinator, not a shared inbox.",
            "It matters so much to the children.",
        ],
    ),
    "Assessment and paperwork": (
        [
            "The home study took {n} months and felt very intrusive.",
            "We filled in the same forms three times.",
            "The assessment was thorough and our assessor was lovely.",
            "Medical checks delayed our assessment by {n} weeks.",
        ],
        [
            "References were chased slowly by the agency.",
            "The online portal kept losing our documents.",
            "We were asked about our childhoods in great depth.",
            "The timeline slipped without anyone explaining why.",
        ],
        [
            "A checklist at the start would save everyone time.",
            "It was tiring but I understand why it matters.",
            "Please fix the portal before asking for uploads.",
        ],
    ),
    "School and education": (
        [
            "School did not understand our daughter's needs at first.",
            "The virtual school head was a great help with the school move.",
            "The pupil premium plus money was spent without asking us.",
            "Our son's teacher had no training about adoption.",
        ],
        [
            "An education plan meeting finally got things moving.",
            "The school now has a calm space for him to use.",
            "We had to explain trauma to every new teacher.",
            "Exclusion was threatened twice in year {n}.",
        ],
        [
            "Schools need adoption-aware training as standard.",
            "Things improved once someone listened.",
            "The virtual school should be better known.",
        ],
    ),
    "Money and allowances": (
        [
            "The adoption allowance was reduced without warning.",
            "Nobody explained which costs the agency would cover.",
            "We had to take {n} weeks of unpaid leave during introductions.",
            "Financial support was clear and paid on time.",
        ],
        [
            "Adoption leave rules at work were confusing.",
            "Travel costs for contact visits added up quickly.",
            "The means test form was long and intrusive.",
            "Setting-up costs were reimbursed within a month.",
        ],
        [
            "Clear written information on money would help.",
            "Families should not be out of pocket for contact.",
            "I was relieved it was straightforward.",
        ],
    ),
    "Foster carers' experience": (
        [
            "As foster carers we felt left out of the adoption plan.",
            "Nobody asked our view of the match as the child's carers.",
            "The adopters were welcoming to us during introductions.",
            "We have fostered for {n} years and this move went well.",
        ],
        [
            "We were given two days' notice of the move.",
            "The child's social worker kept us informed throughout.",
            "We were not offered support after the child left.",
            "Saying goodbye is always hard for our own children too.",
        ],
        [
            "Foster carers know the child best and should be heard.",
            "A debrief after each move would help carers.",
            "I would happily support more transitions like this.",
        ],
    ),
    "Information and the website": (
        [
            "The website was out of date when we first enquired.",
            "The information evening answered most of our questions.",
            "We waited {n} weeks for someone to reply to our enquiry.",
            "The online information about eligibility was clear.",
        ],
        [
            "Phone numbers on the site went to a voicemail.",
            "A short video explaining the stages would help.",
            "We found more useful information on a charity's site.",
            "The enquiry form did not confirm it had been received.",
        ],
        [
            "A clear timeline on the website would manage expectations.",
            "First impressions really matter for people considering adoption.",
            "It made us feel welcome from the start.",
        ],
    ),
}
ROLES = ["adopter", "prospective adopter", "foster carer", "birth relative", "social worker"]
AREAS = ["North", "South", "East", "West", "Central"]
CHANNELS = ["online form", "phone", "survey", "interview"]
MONTHS = ["January", "March", "April", "June", "September", "November"]
DAYS = ["Monday", "Friday", "Wednesday"]
SENTIMENTS = ["negative", "mixed or neutral", "positive"]
QUERY_STARTS = [
    "waiting a long time after",
    "nobody answered my calls about",
    "really helpful support with",
    "confusing information on",
    "felt judged during",
    "money worries during",
    "school did not understand",
    "foster carers left out of",
    "lovely staff during",
    "delays and lost paperwork in",
]
QUERY_ENDS = [
    "approval",
    "the matching panel",
    "introductions",
    "letterbox contact",
    "the home study",
    "the first year",
]


def story_text(rng: random.Random, topic: str) -> str:
    openers, details, closers = TOPICS[topic]
    month, month2 = rng.sample(MONTHS, 2)
    parts = [rng.choice(openers), rng.choice(details)]
    if rng.random() < 0.5:
        parts.append(rng.choice(details))
    if rng.random() < 0.7:
        parts.append(rng.choice(closers))
    if rng.random() < 0.25:  # stories often touch a second topic
        other = rng.choice([t for t in TOPICS if t != topic])
        parts.append(rng.choice(TOPICS[other][1]))
    text = " ".join(parts)
    return text.format(n=rng.randint(2, 18), month=month, month2=month2, day=rng.choice(DAYS))


def queries(count: int) -> list[str]:
    pairs = [f"{a} {b}" for a in QUERY_STARTS for b in QUERY_ENDS]
    random.Random(7).shuffle(pairs)
    return (pairs * (count // len(pairs) + 1))[:count]


# --- seeding --------------------------------------------------------------------------------


def setup_django(work_dir: Path, cache_dir: Path) -> None:
    os.environ["HEARD_DATA_DIR"] = str(work_dir / "data")
    os.environ["HEARD_CACHE_DIR"] = str(cache_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "heard_web.settings"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789-abcdefghij")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def seed(n_stories: int, n_real: int, cache_dir: Path, say: Any) -> dict[str, Any]:
    """The benchmark project: stories, passages with vectors, one finished analysis run."""
    import numpy as np
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from heard.embed import MODEL_NAME, Embedder
    from heard_web.analysis.models import AnalysisRun, Assignment, Theme
    from heard_web.projects.models import Project
    from heard_web.projects.services import create_project
    from heard_web.stories.models import JobStatus, Passage, Source, Story, story_content_hash

    rng = random.Random(2026)
    nprng = np.random.default_rng(2026)
    topics = list(TOPICS)
    started = time.perf_counter()

    User = get_user_model()
    user = User.objects.filter(username=USERNAME).first() or User.objects.create_user(
        USERNAME, f"{USERNAME}@example.org", PASSWORD
    )
    Project.objects.filter(slug=SLUG).delete()
    project = create_project(user, name="Web benchmark", new_organisation="Benchmark team")
    Project.objects.filter(pk=project.pk).update(slug=SLUG)
    project.refresh_from_db()

    say(f"generating {n_stories:,} stories...")
    topic_of = [rng.randrange(len(topics)) for _ in range(n_stories)]
    texts = [story_text(rng, topics[t]) for t in topic_of]
    start_day = datetime(2024, 4, 1, 9, tzinfo=UTC)
    attrs = [
        {"role": rng.choice(ROLES), "area": rng.choice(AREAS), "channel": rng.choice(CHANNELS)}
        for _ in range(n_stories)
    ]
    received = [start_day + timedelta(minutes=rng.randrange(730 * 24 * 60)) for _ in texts]

    # Real vectors for n_real stories spread over the topics; the rest near one of them.
    real_idx = sorted(rng.sample(range(n_stories), min(n_real, n_stories)))
    say(f"embedding {len(real_idx):,} stories for real (cached in {cache_dir})...")
    t0 = time.perf_counter()
    embedder = Embedder(cache_dir=cache_dir)
    real_vecs = np.asarray(embedder.embed([texts[i] for i in real_idx]), dtype=np.float32)
    embed_seconds = time.perf_counter() - t0
    dim = real_vecs.shape[1]
    by_topic: dict[int, list[int]] = {}
    for row, i in enumerate(real_idx):
        by_topic.setdefault(topic_of[i], []).append(row)
    vectors = np.empty((n_stories, dim), dtype=np.float32)
    vectors[real_idx] = real_vecs
    is_real = np.zeros(n_stories, dtype=bool)
    is_real[real_idx] = True
    fake = np.flatnonzero(~is_real)
    bases = np.array([rng.choice(by_topic.get(topic_of[i], [0])) for i in fake], dtype=np.int64)
    noisy = real_vecs[bases] + nprng.normal(0, 0.025, size=(len(fake), dim)).astype(np.float32)
    vectors[fake] = noisy / np.linalg.norm(noisy, axis=1, keepdims=True)

    say("saving stories, passages, the analysis run, themes and assignments...")
    weights = [rng.random() for _ in topics]
    with transaction.atomic():
        source = Source.objects.create(
            project=project,
            name="benchmark-stories.csv",
            created_by=user,
            columns={
                "text": "response",
                "id": "id",
                "by": ["role", "area", "channel"],
                "time": "date",
                "values": {"role": ROLES, "area": AREAS, "channel": CHANNELS},
            },
        )
        story_ids: list[int] = []
        batch = 2000
        for start in range(0, n_stories, batch):
            rows = []
            for i in range(start, min(start + batch, n_stories)):
                sentiment = rng.choices(SENTIMENTS, [weights[topic_of[i]], 0.6, 0.8])[0]
                rows.append(
                    Story(
                        project=project,
                        source=source,
                        external_id=f"B-{i:06d}",
                        redacted_text=texts[i],
                        attributes=attrs[i],
                        received_at=received[i],
                        content_hash=story_content_hash(
                            texts[i], external_id=f"B-{i:06d}", attributes=attrs[i]
                        ),
                        sentiment=sentiment,
                        sentiment_score=round(rng.uniform(-1, 1), 3),
                    )
                )
            saved = Story.objects.bulk_create(rows)
            story_ids.extend(s.pk for s in saved)
            Passage.objects.bulk_create(
                Passage(
                    story_id=s.pk,
                    index=0,
                    text=s.redacted_text,
                    start=0,
                    end=len(s.redacted_text),
                    embedding=vectors[start + k].tobytes(),
                    model_name=MODEL_NAME,
                )
                for k, s in enumerate(saved)
            )

        now = datetime.now(UTC)
        run = AnalysisRun.objects.create(
            project=project,
            status=JobStatus.SUCCEEDED,
            progress=1.0,
            stage="Finished",
            parameters={"benchmark": True, "random_state": 2026},
            stories_count=n_stories,
            created_by=user,
            started_at=now,
            finished_at=now,
        )
        sizes = [topic_of.count(t) for t in range(len(topics))]
        order = sorted(range(len(topics)), key=lambda t: -sizes[t])
        themes = []
        for position, t in enumerate(order):
            members = np.flatnonzero(np.asarray(topic_of) == t)
            centroid = vectors[members].mean(axis=0)
            themes.append(
                Theme(
                    project=project,
                    run=run,
                    key=str(t + 1),
                    label=topics[t],
                    machine_label=topics[t],
                    key_phrases=TOPICS[topics[t]][0][0].lower().split()[:4],
                    size=sizes[t],
                    mentions=sizes[t],
                    share=sizes[t] / n_stories,
                    sentiment_mix={"negative": 0.4, "mixed or neutral": 0.35, "positive": 0.25},
                    centroid=(centroid / np.linalg.norm(centroid)).astype(np.float32).tobytes(),
                    position=position,
                )
            )
        themes = Theme.objects.bulk_create(themes)
        theme_for = {int(th.key) - 1: th.pk for th in themes}
        for start in range(0, n_stories, batch):
            rows = []
            for i in range(start, min(start + batch, n_stories)):
                theme_id = theme_for[topic_of[i]]
                rank = None
                rows.append(
                    Assignment(
                        story_id=story_ids[i],
                        theme_id=theme_id,
                        score=round(rng.uniform(0.5, 0.95), 3),
                        primary=True,
                        quote_rank=rank,
                    )
                )
                if rng.random() < 0.2:  # a second, weaker theme
                    other = rng.choice([t for t in theme_for if t != topic_of[i]])
                    rows.append(
                        Assignment(
                            story_id=story_ids[i],
                            theme_id=theme_for[other],
                            score=round(rng.uniform(0.3, 0.5), 3),
                        )
                    )
            Assignment.objects.bulk_create(rows)
        for th in themes:  # the five most central stories of each theme are its quotes
            members = [story_ids[i] for i in range(n_stories) if theme_for[topic_of[i]] == th.pk]
            for rank, story_id in enumerate(members[:5], start=1):
                Assignment.objects.filter(theme=th, story_id=story_id).update(quote_rank=rank)
    return {
        "version": SEED_VERSION,
        "stories": n_stories,
        "real": len(real_idx),
        "embed_seconds": round(embed_seconds, 1),
        "seed_seconds": round(time.perf_counter() - started, 1),
        "theme_id": themes[0].pk,
        "theme_label": themes[0].label,
        "theme_size": themes[0].size,
    }


# --- serving and measuring ------------------------------------------------------------------


def signed_in(base: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    sign_in = base + "/accounts/sign-in/"
    opener.open(sign_in, timeout=30).read()
    token = next(c.value for c in jar if c.name == "csrftoken")
    body = urllib.parse.urlencode(
        {"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(sign_in, data=body, headers={"Referer": sign_in})
    with opener.open(request, timeout=30) as response:
        if "/sign-in/" in response.geturl():
            raise SystemExit("Could not sign in to the benchmark server.")
    return opener


def timed_get(opener: urllib.request.OpenerDirector, url: str, expect: str) -> float:
    """One GET's wall time in ms; the page must answer 200 and contain ``expect``."""
    t0 = time.perf_counter()
    with opener.open(url, timeout=30) as response:
        body = response.read().decode("utf-8", "replace")
        status = response.status
    ms = (time.perf_counter() - t0) * 1000
    if status != 200 or expect not in body:
        raise SystemExit(f"GET {url} answered {status} without {expect!r}")
    return ms


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--real", type=int, default=3_000, help="stories embedded for real")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per page first")
    parser.add_argument("--work-dir", type=Path, default=ROOT / "benchmarks/results/web")
    parser.add_argument("--fresh", action="store_true", help="rebuild the seeded project")
    parser.add_argument("--max-minutes", type=float, default=30.0)
    args = parser.parse_args(argv)
    args.requests = max(1, min(args.requests, 1000))
    began = time.monotonic()
    deadline = began + args.max_minutes * 60

    def say(message: str) -> None:
        print(f"[{time.monotonic() - began:6.1f} s] {message}", flush=True)

    work_dir = args.work_dir.resolve()
    work_dir.mkdir(parents=True, exist_ok=True)
    cache_dir = work_dir / "embedding-cache"
    # SQLite in the work dir, always: the benchmark never touches a configured server.
    for name in ("DATABASE_URL", "REDIS_URL"):
        os.environ.pop(name, None)
    setup_django(work_dir, cache_dir)
    marker = work_dir / "seeded.json"
    wanted = {"version": SEED_VERSION, "stories": args.stories, "real": args.real}
    info = json.loads(marker.read_text()) if marker.exists() and not args.fresh else {}
    if {k: info.get(k) for k in wanted} != wanted:
        marker.unlink(missing_ok=True)
        info = seed(args.stories, args.real, cache_dir, say)
        marker.write_text(json.dumps(info, indent=2) + "\n")
        say(f"seeded in {info['seed_seconds']} s (real embeddings: {info['embed_seconds']} s)")
    else:
        say(f"reusing the seeded project in {work_dir} ({info['stories']:,} stories)")

    from django.urls import reverse

    from heard_web.analysis.models import Theme

    theme = Theme.objects.get(pk=info["theme_id"])
    pages = bench_pages(reverse, theme, args.requests + args.warmup)

    env = {**os.environ}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    results: dict[str, list[float]] = {}
    serve_log = work_dir / "serve.log"
    with running_server(env, ["--no-worker"], log_path=serve_log, timeout=120) as (base, _):
        say(f"heard serve on {base}; signing in")
        opener = signed_in(base)
        for name, urls, expect in pages:
            say(f"{name}: {args.warmup} warm-up + {args.requests} timed requests")
            times = []
            for k, path in enumerate(urls):
                if time.monotonic() > deadline:
                    say("time limit reached; stopping early")
                    break
                ms = timed_get(opener, base + path, expect)
                if k >= args.warmup:
                    times.append(ms)
            results[name] = times

    print()
    print(
        f"heard web benchmark: {info['stories']:,} stories in one project "
        f"({info['real']:,} embedded for real, the rest near them; SQLite; loopback)"
    )
    print(f"theme page: '{info['theme_label']}' with {info['theme_size']:,} stories")
    print(f"{'page':<18}{'n':>5}{'median ms':>12}{'p95 ms':>10}{'target':>12}  result")
    for name, times in results.items():
        if not times:
            print(f"{name:<18}{0:>5}{'-':>12}{'-':>10}{'< 300 med':>12}  NOT MEASURED (no page)")
            continue
        median = statistics.median(times)
        verdict = "PASS" if median < TARGET_MS else "FAIL"
        print(
            f"{name:<18}{len(times):>5}{median:>12.1f}{p95(times):>10.1f}"
            f"{'< 300 med':>12}  {verdict}"
        )
    say("done")
    return 0


def bench_pages(reverse: Any, theme: Any, count: int) -> list[tuple[str, list[str], str]]:
    """(name, the URL of each request, a text the page must contain) for each measured page."""
    from django.urls import NoReverseMatch

    kwargs = {"project_slug": SLUG}
    story_list = reverse("stories:index", kwargs=kwargs)
    searches = [
        story_list + "?" + urllib.parse.urlencode({"q": q, "mode": "semantic"})
        for q in queries(count)
    ]
    try:
        theme_page = [reverse("analysis:theme_show", kwargs={**kwargs, "key": theme.key})]
    except NoReverseMatch:
        theme_page = []  # reported as NOT MEASURED
    return [
        ("story list", [story_list] * count, "Stories"),
        ("theme page", theme_page * count, re.sub(r"'", "&#x27;", theme.label)),
        ("semantic search", searches, "Stories"),
    ]


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ServerDidNotStart as exc:
        sys.exit(str(exc))
