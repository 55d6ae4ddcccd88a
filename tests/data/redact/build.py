"""Build cases.jsonl from the hand-written cases.txt.

Usage (from the project root):

    python tests/data/redact/build.py          # rewrite cases.jsonl
    python tests/data/redact/build.py --check  # exit 1 if cases.jsonl is out of date

cases.txt holds one case per line: "P " and a sentence that carries personal data, or "T " and a trap
sentence that carries none. A personal value is marked {value|KIND}; the markup is removed and the
value becomes a span whose offsets are Python string indices into the plain text. Lines starting with
"#" and blank lines are ignored. Ids (r0001, r0002, ...) follow the order of the lines.

The output is deterministic: the same cases.txt always gives byte-for-byte the same cases.jsonl.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "cases.txt"
TARGET = HERE / "cases.jsonl"

KINDS = (
    "NAME",
    "PHONE",
    "EMAIL",
    "NHS_NUMBER",
    "NI_NUMBER",
    "POSTCODE",
    "ADDRESS",
    "DATE_OF_BIRTH",
    "URL",
)
MARK = re.compile(r"\{([^{}|]+)\|([A-Z_]+)\}")


class SourceError(ValueError):
    """A line of cases.txt is not well formed."""


def parse_line(line: str, lineno: int) -> tuple[str, list[dict[str, object]], bool]:
    """Turn one "P ..." or "T ..." line into (text, spans, trap)."""
    tag, _, body = line.partition(" ")
    if tag not in {"P", "T"} or not body.strip():
        raise SourceError(f"cases.txt line {lineno}: expected 'P <sentence>' or 'T <sentence>'")
    text_parts: list[str] = []
    spans: list[dict[str, object]] = []
    length = 0
    last = 0
    for match in MARK.finditer(body):
        before = body[last : match.start()]
        text_parts.append(before)
        length += len(before)
        value, kind = match.group(1), match.group(2)
        if kind not in KINDS:
            raise SourceError(f"cases.txt line {lineno}: unknown kind {kind!r}")
        if value != value.strip():
            raise SourceError(f"cases.txt line {lineno}: value {value!r} has spaces at its ends")
        spans.append({"start": length, "end": length + len(value), "kind": kind})
        text_parts.append(value)
        length += len(value)
        last = match.end()
    text_parts.append(body[last:])
    text = "".join(text_parts)
    if any(ch in text for ch in "{}"):
        raise SourceError(f"cases.txt line {lineno}: stray brace, markup is {{value|KIND}}")
    trap = tag == "T"
    if trap and spans:
        raise SourceError(f"cases.txt line {lineno}: a trap sentence must not carry spans")
    if not trap and not spans:
        raise SourceError(f"cases.txt line {lineno}: a 'P' sentence needs at least one span")
    return text, spans, trap


def build(source: Path = SOURCE) -> str:
    """Return the text of cases.jsonl for the given cases.txt."""
    lines: list[str] = []
    for lineno, raw in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.rstrip()
        if not line or line.startswith("#"):
            continue
        text, spans, trap = parse_line(line, lineno)
        case = {"id": f"r{len(lines) + 1:04d}", "text": text, "spans": spans, "trap": trap}
        lines.append(json.dumps(case, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    output = build()
    if "--check" in argv:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != output:
            print("cases.jsonl is out of date: run python tests/data/redact/build.py")
            return 1
        return 0
    TARGET.write_text(output, encoding="utf-8")
    print(f"wrote {output.count(chr(10))} cases to {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
