"""What redaction returns: the redacted text and a record that holds no personal data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

#: Every kind heard redacts, in the order summaries list them.
KINDS: tuple[str, ...] = (
    "NAME",
    "PHONE",
    "EMAIL",
    "NHS_NUMBER",
    "NI_NUMBER",
    "POSTCODE",
    "ADDRESS",
    "DATE_OF_BIRTH",
    "URL",
    "IP_ADDRESS",
)

#: What a plain-English summary calls each kind.
KIND_LABELS: dict[str, str] = {
    "NAME": "names",
    "PHONE": "phone numbers",
    "EMAIL": "email addresses",
    "NHS_NUMBER": "NHS numbers",
    "NI_NUMBER": "National Insurance numbers",
    "POSTCODE": "postcodes",
    "ADDRESS": "street addresses",
    "DATE_OF_BIRTH": "dates of birth",
    "URL": "web addresses",
    "IP_ADDRESS": "IP addresses",
}


class Found(NamedTuple):
    """A stretch of text a detector believes is personal data (internal)."""

    start: int
    end: int
    kind: str
    detector: str
    score: float


@dataclass(frozen=True, slots=True)
class RedactedSpan:
    """One replaced stretch of the original text, described without its value.

    ``start`` and ``end`` are offsets into the original text; ``detector`` names the
    rule that found it (e.g. ``"names.honorific"``) and ``score`` is its confidence
    (0..1). ``placeholder`` is what replaced it, e.g. ``"[NAME-2]"``.
    """

    start: int
    end: int
    kind: str
    detector: str
    score: float
    placeholder: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "kind": self.kind,
            "detector": self.detector,
            "score": round(self.score, 3),
            "placeholder": self.placeholder,
        }


@dataclass(frozen=True, slots=True)
class Redaction:
    """A text with its personal data replaced, and the record of what was replaced.

    ``text`` is the redacted text. ``spans`` lists the replaced stretches in order,
    with offsets into the original text and no original values. ``counts`` gives the
    number of spans per kind (only kinds that were found).
    """

    text: str
    spans: list[RedactedSpan] = field(default_factory=list)
    original_length: int = 0

    @property
    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for span in self.spans:
            out[span.kind] = out.get(span.kind, 0) + 1
        return out

    @property
    def changed(self) -> bool:
        return bool(self.spans)

    def record(self) -> dict[str, Any]:
        """The redaction record: safe to store, since it holds no personal data."""
        return {
            "original_length": self.original_length,
            "redacted_length": len(self.text),
            "counts": self.counts,
            "spans": [span.to_dict() for span in self.spans],
        }
