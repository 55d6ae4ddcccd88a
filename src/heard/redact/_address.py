"""Street addresses: a house number (or flat) and a street name ending in a street word.

"14 Larch Close", "Flat 3, 22 Mill Road", "flat 2b 7 Kingsway Avenue", "12a High St".
A postcode is found separately (kind POSTCODE). Street names without a number are
left alone: "the shops on Mill Road" does not point at a household.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from heard.redact._lexicon import words
from heard.redact._types import Found

_STREET_WORDS = (
    "road|rd|street|st|avenue|ave|lane|ln|close|cl|drive|dr|way|crescent|cres|place|pl|"
    "grove|gardens|gdns|terrace|tce|walk|row|square|sq|hill|rise|view|mews|park|parade|pde|"
    "green|vale|court|ct|wharf|yard|chase|croft|fold|gate|mount|meadow|meadows|boulevard|"
    "hollow|end|bank|brow|causeway|circus|common|dale|fields?|heights|lea|link|mead|"
    "orchard|quay|ride|wynd|approach|embankment|esplanade|broadway|passage|copse|glade|"
    "grange|holt|nook|paddock|pastures|spinney|villas|wood|garth|loke|ginnel|cottages?|"
    "buildings"
)
# street words that are everyday nouns too: "2 Family Court hearings", "3 Green bins"
_AMBIGUOUS = frozenset(
    words(
        """
        court ct park green hill view gate end bank field fields way place row walk common
        square wood mount rise chase link ride yard fold dale lea end passage
        """
    )
)
_FLAT = (
    r"(?i:(?:flat|apartment|apt|unit|room|maisonette|suite|floor)\.?\s*(?:no\.?\s*)?\d{1,4}[a-z]?)"
)
_GAP = r"(?:,\s*|\s+)"
_BUILDING = (
    r"(?:[A-Z][\w'\u2019\-]+\s+){1,3}(?:House|Court|Lodge|Mansions|Tower|Buildings?|Point|"
    r"Heights|Hall|Cottages?|Farm)"
)
_NUMBER = r"\d{1,4}[a-zA-Z]?(?:[\-\u2013/]\d{1,4}[a-zA-Z]?)?,?\s+"
# the number and street; a flat or building line before it is found by _PREFIX
_ADDRESS = re.compile(
    rf"(?<![\w£$€.,/\-]){_NUMBER}"
    rf"(?:(?:[A-Z][\w'\u2019\-]*\.?\s+){{1,3}}(?i:(?P<street>{_STREET_WORDS}))\b"
    r"|(?P<lower>(?:[a-z][a-z'\-]+\s+){1,2}?(?:road|rd|street|st|lane|close|avenue|ave|drive|"
    r"crescent|grove|terrace|gardens|way|view|court|place|walk|row|park|green|hill|mews|rise))\b)"
)
_PREFIX = re.compile(rf"(?<![\w])(?:{_FLAT}{_GAP}(?:{_BUILDING}{_GAP})?|{_BUILDING}{_GAP})$")
_FLAT_ONLY = re.compile(rf"(?<![\w]){_FLAT}{_GAP}{_BUILDING}\b")
_FLAT_WORDS = ("flat", "apartment", "apt", "unit", "room", "maisonette", "suite", "floor")
_NOT_BEFORE = re.compile(
    r"(?i)\b(?:the|of|after|over|about|within|for|than|only|all|those|these|every|least|"
    r"most|some|first|last|next|past|around|nearly|almost|approximately|another|other|"
    r"aged|age|ages|year|years|page|chapter|section|step|top)\s*$"
)
_LOWER_STOP = frozenset(
    words(
        """
        the a an of to and or in on at for with from by up down along round around this that
        my our your his her their its more less very much many few mins minutes miles hours
        days weeks months years times doors houses streets roads yards metres meters steps
        foot feet floors bus
        """
    )
)
_AFTER_OK = frozenset(
    words(
        """
        in on at and with near is was where which when that who has had for so but or to i
        we he she they it
        """
    )
)
_NEXT_WORD = re.compile(r"^[ \u00a0]+([a-z][\w'\-]*)")


def find_addresses(text: str) -> Iterator[Found]:
    lower = text.lower()
    flats = any(word in lower for word in _FLAT_WORDS)
    for m in _ADDRESS.finditer(text):
        start, end = m.start(), m.end()
        if flats or any(ch.isupper() for ch in text[max(0, start - 40) : start]):
            prefix = _PREFIX.search(text, max(0, start - 80), start)
            if prefix is not None:
                start = prefix.start()
        if _NOT_BEFORE.search(text[max(0, start - 20) : start]):
            continue
        street = (m.group("street") or "").lower()
        if m.group("lower"):
            words = m.group("lower").split()[:-1]
            if any(w in _LOWER_STOP for w in words):
                continue
            score = 0.6
        else:
            score = 0.85
        nxt = _NEXT_WORD.match(text[end : end + 30])
        if (street in _AMBIGUOUS or m.group("lower")) and nxt and nxt.group(1) not in _AFTER_OK:
            continue  # "2 Family Court hearings", "3 Green bins"
        yield Found(start, end, "ADDRESS", "address.pattern", score)
    if flats:
        yield from _flats_without_number(text)


def _flats_without_number(text: str) -> Iterator[Found]:
    """A flat in a named building with no street number after it: "Flat 3, Mill House"."""
    for m in _FLAT_ONLY.finditer(text):
        yield Found(m.start(), m.end(), "ADDRESS", "address.flat", 0.8)
