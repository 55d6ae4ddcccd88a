"""Small synthetic story files for the browser journey, written here (no real person's words).

Five clear topics, so an analysis of 80 stories finds themes in well under a minute, and a
second file of new stories on two of them, to check where a re-run places them.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

TOPICS: dict[str, tuple[list[str], list[str]]] = {
    "waiting": (
        [
            "After approval we waited {n} months before anyone mentioned a possible match.",
            "We were approved at panel and then heard nothing for {n} months.",
            "The wait after approval was far longer than anyone told us it would be.",
            "Since approval in the spring we have waited and waited for news of a match.",
        ],
        [
            "Every call to the family finding team ended with 'nothing yet'.",
            "Nobody explained why the wait after approval was so long.",
            "A monthly update while we waited would have helped us cope.",
            "The silence after approval made us doubt ourselves.",
        ],
    ),
    "training": (
        [
            "The preparation course was the best part of the whole assessment.",
            "Our trainers on the preparation course were honest and experienced.",
            "The training sessions on attachment and trauma were excellent.",
            "The preparation group met over {n} weeks and every session was useful.",
        ],
        [
            "Hearing an adoptive parent speak at the course stayed with us.",
            "Evening training sessions would suit working parents better.",
            "We still keep in touch with couples from our preparation group.",
            "The course workbook and reading list were really helpful.",
        ],
    ),
    "school": (
        [
            "Our son's school did not understand his needs as an adopted child.",
            "The teacher had no training about trauma and the classroom was overwhelming.",
            "School threatened exclusion twice in year {n} before anyone listened.",
            "The virtual school head helped us when the school would not.",
        ],
        [
            "We had to explain his history to every new teacher.",
            "An education plan meeting at school finally changed things.",
            "The school now gives him a quiet space at lunchtime.",
            "Teachers need adoption-aware training as standard.",
        ],
    ),
    "money": (
        [
            "The adoption allowance was cut without warning after {n} months.",
            "Nobody explained which costs the council would pay for.",
            "Travel costs for contact visits came out of our own pocket.",
            "The means test for the allowance was long and intrusive.",
        ],
        [
            "Clear written information about money and allowances would help.",
            "Payments arrived late and we had to chase the finance team.",
            "Families should not be out of pocket for the child's contact.",
            "The setting-up grant was paid quickly, which we appreciated.",
        ],
    ),
    "social worker": (
        [
            "Our social worker changed {n} times in two years.",
            "Our social worker never returned calls or answered emails.",
            "Each new social worker asked us the same questions again.",
            "We had four different social workers and lost track of who was who.",
        ],
        [
            "Papers went missing every time the social worker changed.",
            "One named social worker who answers the phone is all we ask.",
            "When the social worker did call back she was rushed.",
            "Continuity of social worker matters more than anything.",
        ],
    ),
}
ROLES = ["adopter", "prospective adopter", "foster carer"]
AREAS = ["North", "South", "East", "West"]

# New stories for the re-run: about waiting after approval and about school.
NEW_STORIES = [
    (
        "NEW-01",
        "waiting",
        "We were approved a year ago and are still waiting for a match. The wait after approval is the hardest part.",
    ),
    (
        "NEW-02",
        "waiting",
        "Since approval we have heard nothing for eight months; nobody tells us why the wait is so long.",
    ),
    (
        "NEW-03",
        "waiting",
        "After approval the waiting went on and on, with no update from the family finding team.",
    ),
    (
        "NEW-04",
        "waiting",
        "The long wait after panel approval, with no news of a match, has been really hard.",
    ),
    (
        "NEW-05",
        "school",
        "Our daughter's school has no idea how trauma affects her in the classroom; the teacher keeps punishing her.",
    ),
    (
        "NEW-06",
        "school",
        "The school finally agreed an education plan after we explained her needs to every teacher.",
    ),
]


def write_first(path: Path, per_topic: int = 16) -> Path:
    """80 stories (16 on each topic) with id, date, role, area and the response."""
    rng = random.Random(4)
    rows = []
    for topic, (openers, details) in TOPICS.items():
        for k in range(per_topic):
            text = f"{openers[k % 4]} {details[(k // 4 + k) % 4]}".format(n=rng.randint(2, 9))
            rows.append((topic, text))
    rng.shuffle(rows)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "date", "role", "area", "response"])
        for i, (_, text) in enumerate(rows, start=1):
            month = 1 + i % 12
            writer.writerow(
                [
                    f"J-{i:03d}",
                    f"2025-{month:02d}-{1 + i % 27:02d}",
                    ROLES[i % 3],
                    AREAS[i % 4],
                    text,
                ]
            )
    return path


def write_new(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "date", "role", "area", "response"])
        for i, (ref, _, text) in enumerate(NEW_STORIES):
            writer.writerow([ref, f"2026-0{1 + i % 6}-15", ROLES[i % 3], AREAS[i % 4], text])
    return path
