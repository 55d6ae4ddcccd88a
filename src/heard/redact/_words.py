"""The words of a text as the name finder sees them, and what each word could be.

A word's class comes from the bundled lists (given names, surnames), its frequency
as an ordinary English word (wordfreq) and its shape (capitals inside "FaceTime" or
"HCAs" are not a name's).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from heard.redact import _lexicon as lx
from heard.redact._lexicon import words

TOKEN = re.compile(r"[^\W\d_]+(?:['\u2019\-\u2010\u2011][^\W\d_]+)*")


_SENTENCE_BREAK = re.compile(r"[.!?\n\r:;\u2022*\"\u201c\u201d(\[<>]|^\s*[-\u2013]\s")


RUN_GAP = re.compile(r"^[ \u00a0]$")


INITIAL_GAP = re.compile(r"^\.?[ \u00a0]$")


_POSSESSIVE = ("'s", "\u2019s")


# endings of medical words and English place names, rare in given names and surnames
_NOT_NAME_ENDINGS = (
    "itis", "osis", "aemia", "emia", "algia", "ectomy", "otomy", "oscopy", "azepam", "azole",
    "mycin", "cillin", "pril", "sartan", "olol", "statin", "tidine", "prazole", "oxetine",
    "amine", "idone", "profen", "codeine", "morphine", "bury", "borough", "brough", "thorpe",
    "minster", "chester", "caster", "cester", "mouth", "combe", "bridge", "brook", "stow",
)  # fmt: skip


_CAMEL = re.compile(r"[a-z\u00e0-\u00ff][A-Z]")


_NAME_PREFIX = re.compile(r"^(?:Mc|Mac|O'|O\u2019|D'|D\u2019|De|Di|Da|Du|La|Le|Van|Von|St)[A-Z]")


ABBREVIATED = frozenset(
    words(
        """
        mr mrs ms dr prof rev revd fr cllr st sgt capt
        """
    )
)


# token classes
KNOWN, GIVEN, AMBIGUOUS, SURNAME, SURNAME_WORD, RARE, WORD, INITIAL, PARTICLE = range(9)


NAMEY = frozenset({KNOWN, GIVEN, AMBIGUOUS, SURNAME, SURNAME_WORD, RARE, INITIAL, PARTICLE})


RARE_ZIPF = 3.3  # about twice per million words, or rarer


_SURNAME_WORD_ZIPF = 3.5


class Tok:
    """A word of the text, with what the name finder needs to know about it."""

    __slots__ = (
        "start", "end", "word", "fold", "gap", "cap", "lower", "acronym", "possessive",
        "sentence_start", "dotted", "allowed", "blocked", "cls",
    )  # fmt: skip

    def __init__(
        self,
        start: int,
        end: int,  # without a possessive 's
        word: str,  # without a possessive 's
        fold: str,
        gap: str,  # text between the previous word and this one
        cap: bool,
        lower: bool,
        acronym: bool,
        possessive: bool,
        sentence_start: bool,
        dotted: bool,  # followed at once by "."
        allowed: bool,
        blocked: bool,
    ) -> None:
        self.start = start
        self.end = end
        self.word = word
        self.fold = fold
        self.gap = gap
        self.cap = cap
        self.lower = lower
        self.acronym = acronym
        self.possessive = possessive
        self.sentence_start = sentence_start
        self.dotted = dotted
        self.allowed = allowed
        self.blocked = blocked
        self.cls = WORD


class KnownNames:
    """A project's own names, matched whole ("Priya Kaur") or by any one part ("Priya")."""

    def __init__(self, names: Iterable[str]) -> None:
        self.phrases: set[tuple[str, ...]] = set()
        self.parts: set[str] = set()
        for name in names:
            words = tuple(lx.fold(w) for w in TOKEN.findall(str(name)))
            if not words:
                continue
            self.phrases.add(words)
            self.parts.update(w for w in words if len(w) > 1 and w not in lx.PARTICLES)
        self.longest = max((len(p) for p in self.phrases), default=0)


def tokens(text: str, blocked: Sequence[tuple[int, int]]) -> list[Tok]:
    out: list[Tok] = []
    prev_end = 0
    spans = sorted(blocked)
    k = 0
    previous: Tok | None = None
    for m in TOKEN.finditer(text):
        start, end = m.span()
        word = m.group(0)
        possessive = False
        if word[-2:] in _POSSESSIVE and len(word) > 2:
            word, end, possessive = word[:-2], end - 2, True
        gap = text[prev_end:start]
        prev_end = m.end()
        upper = word.isupper()
        acronym = upper and len(word) > 1
        if previous is None:
            sentence_start = True
        elif (
            gap == " "
            or (previous.fold in ABBREVIATED or (len(previous.word) == 1 and previous.cap))
            and INITIAL_GAP.match(gap)
        ):
            sentence_start = False
        else:
            sentence_start = _SENTENCE_BREAK.search(gap) is not None
        is_blocked = False
        if spans:
            while k < len(spans) and spans[k][1] <= start:
                k += 1
            is_blocked = k < len(spans) and spans[k][0] < prev_end
        fold = word.lower()
        if "\u2019" in fold:
            fold = fold.replace("\u2019", "'")
        first = word[0]
        previous = Tok(
            start,
            end,
            word,
            fold,
            gap,
            first.isupper() and not acronym,
            first.islower(),
            acronym,
            possessive,
            sentence_start,
            text[prev_end : prev_end + 1] == ".",
            False,
            is_blocked,
        )
        out.append(previous)
    return out


class Allow:
    """Phrases that are never names, indexed by their first word for a quick look-up."""

    def __init__(self, phrases: Iterable[tuple[str, ...]]) -> None:
        # words are compared without a possessive 's, as the tokens are: Barnardo's
        self.phrases = frozenset(
            tuple(w[:-2] if w.endswith("'s") and len(w) > 2 else w for w in p) for p in phrases if p
        )
        self.starts: dict[str, int] = {}
        for phrase in self.phrases:
            self.starts[phrase[0]] = max(self.starts.get(phrase[0], 0), len(phrase))

    def __contains__(self, phrase: object) -> bool:
        return phrase in self.phrases


_CLASS_OF_WORD: dict[str, int] = {}


_PARTS = re.compile(r"['\u2019\-\u2010\u2011]")


def _name_shaped(word: str) -> bool:
    """False for words whose capitals show they are not names: FaceTime, HCAs, DTi."""
    for part in _PARTS.split(word):
        if sum(ch.isupper() for ch in part) > 1 and not _NAME_PREFIX.match(part):
            return False
    return True


def classify(tok: Tok, known: KnownNames) -> int:
    f = tok.fold
    if f in known.parts:
        return KNOWN
    if len(tok.word) == 1:
        if not tok.word.isupper():
            return WORD
        return INITIAL if tok.word not in ("I", "A") or tok.dotted else WORD
    if tok.lower and f in lx.PARTICLES:
        return PARTICLE
    if not _name_shaped(tok.word):
        return WORD  # FaceTime, YouTube, HCAs, DTi
    cls = _CLASS_OF_WORD.get(f)
    if cls is None:
        cls = _word_class(f)
        if len(_CLASS_OF_WORD) < 200_000:
            _CLASS_OF_WORD[f] = cls
    return cls


def _word_class(f: str) -> int:
    """The class of a folded word on its own, from the word lists."""
    if f in lx.ROLE_WORDS or f in lx.HONORIFICS or f in lx.KIN_TITLES:
        return WORD  # "Adopter", "Nurse", "Nana" on their own are roles, not names
    given, sur, ambiguous, zipf = lx.given_names(), lx.surnames(), lx.ambiguous_names(), lx.zipf()
    plain = lx.strip_accents(f)
    if zipf.get(f, 0.0) >= 6.0 and f not in lx.NAME_WORDS:
        return WORD  # "As", "So", "It": never names, whatever a list says
    if f in given or plain in given:
        return AMBIGUOUS if f in ambiguous else GIVEN
    if f in sur or plain in sur:
        return SURNAME_WORD if zipf.get(f, 0.0) >= _SURNAME_WORD_ZIPF else SURNAME
    parts = [p for p in re.split(r"['\u2019\-\u2010\u2011]", f) if p]
    if len(parts) > 1:
        if parts[0] in ("o", "mc", "mac", "d", "al", "el"):  # O'Neill, Al-Hassan
            return SURNAME
        if all(p in given for p in parts):
            return GIVEN  # Ellie-May, Summer-Rose
        if all(p in given or p in sur or zipf.get(p, 0.0) < RARE_ZIPF for p in parts):
            return SURNAME  # Smith-Jones, Osei-Bonsu
        return WORD  # Welsh-speaking, YouTube-type
    if f in lx.NOT_NAMES:
        return WORD
    if zipf.get(f, 0.0) >= RARE_ZIPF:
        return WORD
    if f.endswith(_NOT_NAME_ENDINGS):
        return WORD  # Tendonitis, Diazepam, Highbury, Middlesbrough
    return RARE
