"""WebVTT and SRT transcripts: one row per speaker turn.

A turn is a run of consecutive cues by the same speaker. The speaker comes from a
VTT voice tag (``<v Sam Patel>``) or a ``Name:`` at the start of a cue line (both
formats); a cue with neither is "Unknown". ``start`` and ``end`` are seconds from
the start of the recording (floats, to the millisecond); ``turn`` counts from 1.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import pandas as pd

from heard.errors import EmptyInputError, UnreadableFileError
from heard.ingest._common import Table

UNKNOWN_SPEAKER = "Unknown"
COLUMNS = ["text", "speaker", "start", "end", "turn"]

_TIME = r"(?:\d+:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
_TIMING = re.compile(rf"^\s*({_TIME})\s*-->\s*({_TIME})(?:\s.*)?$")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?(?:\s+([^>]*))?>", re.I)
_TAG = re.compile(r"</?[^>\n]*>|\{\\[^}]*\}")
# "Name:" at the start of a line: up to four words of letters (and digits, as in
# "Speaker 2"), a capital first, then a colon and a space. "At 10:30" does not match.
_NAME = re.compile(
    r"^(?:>>\s*|-\s+)?(?P<name>[^\W\d_][\w.'’()-]*(?:[ \t]+[\w.'’()-]+){0,3})[ \t]*:(?:[ \t]+|$)(?P<rest>.*)$"
)


@dataclass
class _Cue:
    start: float
    end: float
    speaker: str
    text: str


def read_transcript(text: str, name: str, source: str) -> Table:
    """Turns of a VTT or SRT transcript, whichever the text turns out to be."""
    fmt = "vtt" if text.lstrip("\ufeff \t\r\n").startswith("WEBVTT") else "srt"
    cues = _cues(text, name)
    if not cues and "-->" in text:
        raise EmptyInputError(
            f"{name} has captions but no words in them. Check you picked the right file."
        )
    if not cues:
        raise UnreadableFileError(
            f"{name} has no captions: no line like '00:00:01.000 --> 00:00:04.000' was "
            "found. Check it is a VTT or SRT transcript, or save it as .txt to read it as "
            "one story."
        )
    turns = _turns(cues)
    data = pd.DataFrame(turns, columns=COLUMNS)
    return Table(
        data=data,
        locations=[f"turn {n}" for n in data["turn"]],
        source=source,
        format=fmt,
        name=name,
    )


def _seconds(stamp: str) -> float:
    *bigger, seconds = stamp.replace(",", ".").split(":")
    total = 0
    for part in bigger:
        total = total * 60 + int(part)
    return round(total * 60 + float(seconds), 3)


def _cues(text: str, name: str) -> list[_Cue]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cues: list[_Cue] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if "-->" not in line:
            i += 1
            continue
        match = _TIMING.match(line)
        if match is None:
            raise UnreadableFileError(
                f"Line {i + 1:,} of {name} has a timing heard cannot read: "
                f"'{line.strip()[:60]}'. Times look like 00:01:02.500 --> 00:01:05.000."
            )
        payload: list[str] = []
        i += 1
        while i < len(lines) and lines[i].strip() and "-->" not in lines[i]:
            if lines[i].strip().isdigit() and i + 1 < len(lines) and "-->" in lines[i + 1]:
                break  # the next cue's number, in an SRT with no blank line between cues
            payload.append(lines[i])
            i += 1
        start, end = _seconds(match.group(1)), _seconds(match.group(2))
        for speaker, words in _speakers("\n".join(payload)):
            if words:
                cues.append(_Cue(start, end, speaker, words))
    return cues


def _speakers(payload: str) -> list[tuple[str, str]]:
    """(speaker, text) pieces of one cue: voice tags first, then Name: prefixes by line."""
    pieces = _VOICE.split(payload)
    result: list[tuple[str, str]] = []
    # re.split with one group gives [before, name1, text1, name2, text2, ...].
    untagged = pieces[0]
    result.extend(_by_prefix(untagged))
    for k in range(1, len(pieces), 2):
        voice = " ".join((pieces[k] or "").split()) or UNKNOWN_SPEAKER
        result.append((voice, _clean(pieces[k + 1])))
    return result


def _by_prefix(chunk: str) -> list[tuple[str, str]]:
    result: list[tuple[str, list[str]]] = []
    for raw in chunk.split("\n"):
        line = _clean(raw)
        if not line:
            continue
        match = _NAME.match(line)
        if match and match.group("name")[0].isupper():
            result.append((match.group("name").strip(), [match.group("rest")]))
        elif result:
            result[-1][1].append(line)
        else:
            result.append((UNKNOWN_SPEAKER, [line]))
    return [(speaker, " ".join(" ".join(words).split())) for speaker, words in result]


def _clean(fragment: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", fragment)).split())


def _turns(cues: list[_Cue]) -> list[tuple[str, str, float, float, int]]:
    """Consecutive cues by one speaker merged into a turn: (text, speaker, start, end, turn)."""
    runs: list[list[_Cue]] = []
    for cue in cues:
        if runs and runs[-1][0].speaker == cue.speaker:
            runs[-1].append(cue)
        else:
            runs.append([cue])
    return [
        (" ".join(c.text for c in run), run[0].speaker, run[0].start, run[-1].end, n)
        for n, run in enumerate(runs, start=1)
    ]
