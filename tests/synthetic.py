"""A small synthetic feedback corpus with planted topics, written for heard's tests.

Every sentence is invented. Each topic has its own vocabulary and several ways of
saying things, so that finding the topics needs the model, not string matching.
"""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd

#: The bundled fictional sample (adoption journeys). Imported from here, not from
#: conftest: several conftest modules exist and "import conftest" may find another one.
SAMPLE_DIR = Path(__file__).resolve().parents[1] / "src" / "heard" / "data" / "sample"

TOPICS: dict[str, dict[str, list[str]]] = {
    "parking": {
        "keyword": ["parking", "car park"],
        "templates": [
            "Parking at the hospital is a nightmare, I drove round the car park for {n} minutes.",
            "The car park was full again and I nearly missed my appointment.",
            "Parking charges are far too high for people visiting every day.",
            "There are not enough disabled parking spaces near the main entrance.",
            "I could not find anywhere to park, the car park needs to be bigger.",
            "Paying {n} pounds for parking while your child is on the ward is wrong.",
            "The parking machines never work and the car park queue goes onto the road.",
            "Please sort out the parking, it is the worst part of every visit.",
            "Parking was impossible so I had to leave the car at a supermarket.",
            "The car park barrier was broken and nobody came to help with the parking ticket.",
        ],
    },
    "waiting": {
        "keyword": ["waiting", "wait", "waited", "appointment"],
        "templates": [
            "I waited {n} weeks for an appointment and nobody told me why.",
            "The waiting list for the appointment is far too long.",
            "We were left waiting in the waiting room for {n} hours.",
            "Waiting times for a first appointment need to come down.",
            "My appointment was cancelled twice and now the wait is another {n} months.",
            "It took {n} months on the waiting list before anyone saw my son.",
            "The wait for a follow-up appointment was longer than the treatment.",
            "Waiting so long for an appointment made my anxiety much worse.",
            "Why do we have to wait {n} weeks just to get an appointment letter?",
            "I sat in the waiting area for hours past my appointment time.",
        ],
    },
    "nurses": {
        "keyword": ["nurses", "nurse", "nursing"],
        "templates": [
            "The nurses on the ward were kind and caring throughout.",
            "A special thank you to the night nurse who sat with my mum.",
            "Every nurse we met was patient, gentle and reassuring.",
            "The nursing staff went above and beyond for our family.",
            "The nurses explained everything and made me feel safe.",
            "Lovely caring nurses, nothing was too much trouble for them.",
            "The nurse who looked after my dad was an absolute angel.",
            "Brilliant nurses, so compassionate even when they were run off their feet.",
            "I want to thank the nurses for their kindness during a hard week.",
            "The nursing team were friendly and always had time for a chat.",
        ],
    },
    "food": {
        "keyword": ["food", "meals", "meal"],
        "templates": [
            "The food on the ward was cold and tasteless.",
            "Hospital meals need more choice for people with allergies.",
            "The food was lovely, hot meals and a good choice every day.",
            "There was no vegetarian meal left by the time the trolley reached me.",
            "The breakfast food was stale and the tea was always cold.",
            "Better food please, the meals were the same every single day.",
            "My dad could not eat the meals because the food was too hard to chew.",
            "The food portions were tiny and I was hungry all evening.",
            "Nobody helped my mum cut up her food so the meal went back untouched.",
            "The sandwiches and hot food were much better than I expected.",
        ],
    },
}

OPENERS = [
    "",
    "Honestly, ",
    "To be fair, ",
    "Overall, ",
    "I have to say ",
    "As a carer, ",
    "Sadly, ",
]
ROLES = ["patient", "carer", "parent", "visitor"]


def planted_corpus(per_topic: int = 30, seed: int = 0) -> pd.DataFrame:
    """Responses about four planted topics, with a role, a date and the true topic."""
    rng = random.Random(seed)
    rows = []
    for topic, spec in TOPICS.items():
        templates = spec["templates"]
        for i in range(per_topic):
            template = templates[i % len(templates)]
            text = template.format(n=rng.choice([2, 3, 4, 5, 6, 8, 10, 12, 40]))
            opener = rng.choice(OPENERS)
            if opener:
                text = opener + text[0].lower() + text[1:]
            rows.append(
                {
                    "topic": topic,
                    "comment": text,
                    "role": rng.choice(ROLES),
                    "date": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                }
            )
    rng.shuffle(rows)
    frame = pd.DataFrame(rows)
    frame.insert(0, "ref", [f"R{i:03d}" for i in range(1, len(frame) + 1)])
    return frame


TWO_TOPICS = (
    "The nurses were so kind to my dad, but parking at the hospital car park was impossible."
)
