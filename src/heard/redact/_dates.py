"""Dates of birth: a date (in figures or words) that the words around it call a birth date.

A date alone is not personal ("panel was on 3 March 2019"); one after "born", "DOB" or
"date of birth", or one followed by "(her date of birth)", is. Years alone are left:
"born in 2019" says little more than an age.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from heard.redact._types import Found

_MONTHS = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december|(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?)"
)
_UNITS = r"(?:one|two|three|four|five|six|seven|eight|nine)"
_TEENS = r"(?:ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)"
_TENS = r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
_UNDER_100 = rf"(?:{_TENS}(?:[\s-]{_UNITS})?|{_TEENS}|{_UNITS})"
_ORDINAL_UNITS = r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)"
_ORDINAL_WORD = (
    rf"(?:(?:twenty|thirty)[\s-]{_ORDINAL_UNITS}|{_ORDINAL_UNITS}|tenth|eleventh|twelfth|"
    r"thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|"
    r"twentieth|thirtieth)"
)
_YEAR_WORDS = (
    rf"(?:two\s+thousand(?:\s+and)?(?:[\s-]+{_UNDER_100})?"
    rf"|(?:nineteen|twenty)[\s-]+(?:oh[\s-]+{_UNITS}|{_UNDER_100}))"
)
_YEAR = rf"(?:(?:19|20)\d\d|'\d\d|{_YEAR_WORDS})"
_DAY = rf"(?:(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?|{_ORDINAL_WORD})"

_DATE = re.compile(
    r"(?i)(?<![\w/.\-])(?:"
    r"(?:[12]\d|3[01]|0?[1-9])[/.\-](?:1[0-2]|0?[1-9])[/.\-](?:(?:19|20)\d\d|\d\d)"  # 14/07/2016
    r"|(?:19|20)\d\d-(?:1[0-2]|0?[1-9])-(?:[12]\d|3[01]|0?[1-9])"  # 2016-07-14
    rf"|{_DAY}(?:\s+of)?\s+{_MONTHS}(?:,?\s+{_YEAR})?"  # 3rd of March 2019
    rf"|{_MONTHS}\s+(?:the\s+)?{_DAY}(?:,?\s+{_YEAR})?"  # March 3rd, 2019
    rf"|{_MONTHS},?\s+(?:(?:19|20)\d\d|{_YEAR_WORDS})"  # March 2019
    r")(?![\w/]|[.\-]\d)"
)

# "born", "DOB", "date of birth" before the date, in the same sentence
_BEFORE = re.compile(
    r"(?i)(?P<word>\bborn\b|\bd\.?\s?o\.?\s?b\b\.?|\bdate\s+of\s+birth\b|\bbirth\s?date\b|\bbirthday\b)"
    r"(?P<between>[^.!?\n]{0,45})$"
)
_BIRTHDAY_GAP = re.compile(r"(?i)^[\s:,\-(]*(?:(?:is|was|on|falls|the|of|=)\s*)*$")
# "(her date of birth)", "- DOB", "is his birthday" after the date
_AFTER = re.compile(
    r"(?i)^[\s,(\-:]*(?:(?:is|was|being)\s+)?(?:(?:his|her|their|my|our|your|the\s+\w+'s|"
    r"[A-Z][\w\-]+'s)\s+)?(?:date\s+of\s+birth|d\.?o\.?b\b|birthday|birth\s?date)"
)


def _dates_near_triggers(text: str) -> Iterator[re.Match[str]]:
    """Dates within reach of a birth word; the rest of the text is never scanned."""
    regions: list[list[int]] = []
    for t in _TRIGGER.finditer(text):
        a, b = max(0, t.start() - _REACH), min(len(text), t.end() + _REACH)
        if regions and a <= regions[-1][1]:
            regions[-1][1] = b
        else:
            regions.append([a, b])
    for a, b in regions:
        for m in _DATE.finditer(text, a, b):
            full = _DATE.match(text, m.start())  # the window may have cut the date short
            if full is not None:
                yield full


def find_dates_of_birth(text: str) -> Iterator[Found]:
    for m in _dates_near_triggers(text):
        start, end = m.start(), m.end()
        value = m.group(0)
        if value.lower().startswith("the "):
            start += 4
        before = text[max(0, start - 60) : start]
        trigger = _BEFORE.search(before)
        if trigger:
            between = trigger.group("between")
            is_birthday = trigger.group("word").lower() == "birthday"
            if _DATE.search(between):
                trigger = None  # another date sits between: that one is the birth date
            elif is_birthday and not _BIRTHDAY_GAP.match(between):
                trigger = None
        if trigger or _AFTER.match(text[end : end + 40]):
            yield Found(start, end, "DATE_OF_BIRTH", "dob.context", 0.9)


_TRIGGER = re.compile(
    r"(?i)\bborn\b|\bd\.?\s?o\.?\s?b\b|\bdate\s+of\s+birth\b|\bbirth\s?date\b|\bbirthday\b"
)
_REACH = 70  # characters either side of a birth word searched for a date
