"""Small synthetic corpora with planted topics for the analysis and report tests (written here).

Each topic's stories are built from its own openings and endings, so a topic is unmistakable
to the embedding model while no two stories are the same words.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

TOPICS: dict[str, tuple[list[str], list[str]]] = {
    "waiting": (
        [
            "We waited eleven months after approval before any match was suggested",
            "The wait after panel approval for a child to be matched felt endless",
            "Nobody told us why the matching wait after approval took so long",
            "After we were approved we waited over a year for a match",
            "The months of waiting for a match after approval were the hardest part",
            "Waiting after approval with no news about matching wore us down",
        ],
        [
            "and every month of silence made it worse.",
            "and we began to wonder whether a match would ever come.",
            "while our approval sat there with no child in sight.",
        ],
    ),
    "social worker": (
        [
            "Our social worker never returned our calls",
            "We had four different social workers in two years",
            "The social worker cancelled home visits at short notice",
            "Our family social worker was impossible to reach by phone",
        ],
        [
            "and each change of social worker meant starting again.",
            "so we felt the social work team had forgotten us.",
            "and emails to the social worker went unanswered for weeks.",
        ],
    ),
    "training": (
        [
            "The preparation training course for adopters was excellent",
            "The adopter training sessions on attachment were really useful",
            "The trainers on the preparation course knew their subject",
            "The training days about trauma and attachment taught us a lot",
        ],
        [
            "and the course handouts are still on our shelf.",
            "and meeting other adopters on the course helped.",
            "and the training gave us confidence.",
        ],
    ),
    "money": (
        [
            "The adoption allowance payments stopped without warning",
            "Getting the adoption support fund to pay for therapy took months of forms",
            "Our financial support allowance was cut and nobody explained the money decision",
            "The council was slow to pay the adoption allowance",
        ],
        [
            "and the money worries put real strain on the family budget.",
            "so we paid out of our own savings.",
            "and chasing payments took hours.",
        ],
    ),
    "school": (
        [
            "Our child's school does not understand adopted children's needs",
            "The teachers at school refused extra classroom support for our son",
            "Getting the school to write an education plan took a whole year",
            "The school kept excluding our daughter instead of helping her in class",
        ],
        [
            "and the head teacher would not listen.",
            "so school mornings became a battle.",
            "and the school special needs coordinator was no help.",
        ],
    ),
}


def stories_for(topic: str, count: int, *, offset: int = 0) -> list[str]:
    """``count`` different stories about ``topic`` (``offset`` skips earlier ones)."""
    openings, endings = TOPICS[topic]
    pairs = list(itertools.product(openings, endings))
    # Interleave so the first few already mix openings and endings.
    pairs.sort(key=lambda p: (endings.index(p[1]) + openings.index(p[0])) % len(endings))
    chosen = pairs[offset : offset + count]
    if len(chosen) < count:
        raise ValueError(f"Only {len(pairs)} stories can be made about {topic}.")
    return [f"{a} {b}" for a, b in chosen]


def planted(
    project, counts: dict[str, int], *, offset: int = 0, start: datetime | None = None, **fields
):
    """Make stories in ``project`` for each topic ({topic: count}); returns {topic: [Story]}.

    Stories get a role attribute (alternating adopter / foster carer) and dates a week apart.
    """
    from factories import make_story

    start = start or datetime(2026, 1, 5, tzinfo=UTC)
    made: dict[str, list] = {}
    n = 0
    for topic, count in counts.items():
        made[topic] = []
        for i, text in enumerate(stories_for(topic, count, offset=offset)):
            made[topic].append(
                make_story(
                    project,
                    text,
                    attributes={"role": "adopter" if i % 2 == 0 else "foster carer"},
                    received_at=start + timedelta(days=7 * ((n + offset) % 20)),
                    **fields,
                )
            )
            n += 1
    return made
