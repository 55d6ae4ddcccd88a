"""What the words around a name say: a title or role before it, a verb after it.

Every helper takes the text's words (:class:`heard.redact._words.Tok`) and a position.
"""

from __future__ import annotations

import re

from heard.redact import _lexicon as lx
from heard.redact._lexicon import words
from heard.redact._words import Allow, Tok

_TRIGGER_GAP = re.compile(
    r"^(?:[ \u00a0]|,[ \u00a0]|[ \u00a0]?[:(][ \u00a0]?|[ \u00a0][-\u2013][ \u00a0])$"
)


_AGES = frozenset(
    words(
        """
        one two three four five six seven eight nine ten eleven twelve thirteen fourteen
        fifteen sixteen seventeen eighteen
        """
    )
)


_AGE_AFTER = re.compile(
    r"[ \u00a0]+\d{1,2}(?:[ \u00a0]*(?:years?|yrs?|months?)\b|[ \u00a0]+(?:and|now|today|but)\b|"
    r"[ \u00a0]*[.,;!?)]|[ \u00a0]*$)"
)


_DEFINITION_WORDS = frozenset(
    words(
        """
        the a an what all everything something key vital important essential hard difficult
        needed required running wearing thin not no never
        """
    )
)


def mark_allowed(toks: list[Tok], allow: Allow) -> None:
    given = lx.given_names()
    starts = allow.starts
    i = 0
    n_toks = len(toks)
    while i < n_toks:
        longest = starts.get(toks[i].fold)
        if longest is None:
            i += 1
            continue
        matched = 0
        for n in range(min(longest, n_toks - i), 0, -1):
            if tuple(t.fold for t in toks[i : i + n]) in allow.phrases:
                matched = n
                break
        if matched == 1 and toks[i].fold in given and trigger_before(toks, i):
            matched = 0  # "our social worker April": a name after a role, not the month
        if matched:
            for t in toks[i : i + matched]:
                t.allowed = True
            i += matched
        else:
            i += 1


def trigger_before(toks: list[Tok], i: int) -> str | None:
    """The kind of word right before token i that introduces a name, if any."""
    if i == 0 or not _TRIGGER_GAP.match(toks[i].gap):
        return None
    prev = toks[i - 1]
    if prev.fold in lx.HONORIFICS and not prev.possessive:
        return "honorific"
    if prev.fold in lx.KIN_TITLES and prev.cap:
        return "kin"
    if prev.fold in lx.ROLE_WORDS or prev.fold in lx.KIN_TITLES:
        return "role"
    if prev.fold in lx.NAMING_WORDS:
        return "naming"
    if prev.fold in ("is", "was") and i >= 2 and toks[i - 2].fold in ("name", "name's"):
        return "naming"
    return None


def me_and_before(toks: list[Tok], i: int) -> bool:
    """True after "me and": young people name friends this way ("me and darren")."""
    return (
        i >= 2
        and toks[i - 1].fold == "and"
        and toks[i - 2].fold == "me"
        and not toks[i].gap.strip()
        and not toks[i - 1].gap.strip()
    )


def place_before(toks: list[Tok], i: int) -> bool:
    if i == 0 or toks[i].gap.strip():
        return False
    prev = toks[i - 1]
    if prev.fold in lx.ARTICLES:
        return True
    if prev.fold not in lx.PLACE_PREPOSITIONS:
        return False
    return not (prev.fold == "to" and i >= 2 and toks[i - 2].fold in lx.TALK_VERBS)


def subject_after(toks: list[Tok], j: int) -> bool:
    """True when token j is followed by a verb it is the subject of: "Amber is six"."""
    if j + 1 >= len(toks) or toks[j].possessive:
        return False
    nxt = toks[j + 1]
    if nxt.gap.strip() or not nxt.lower:
        return False
    if nxt.fold in lx.SUBJECT_VERBS:
        # "Patience is the one thing", "Hope is what kept us going": a word, not a name
        after = toks[j + 2].fold if j + 2 < len(toks) else ""
        return not (nxt.fold in ("is", "was") and after in _DEFINITION_WORDS)
    return len(nxt.fold) > 4 and nxt.fold.endswith("ed")


def role_after(toks: list[Tok], j: int) -> bool:
    """True when a role follows token j in brackets or after a comma: "darren (my foster
    brother)", "jade, my daughter"."""
    if j + 2 >= len(toks) or toks[j + 1].gap.strip() not in (",", "(", "-", "\u2013"):
        return False
    words = [t.fold for t in toks[j + 1 : j + 5]]
    if words[0] in ("my", "our", "his", "her", "their", "the", "a", "your"):
        return any(w in lx.ROLE_WORDS for w in words[1:4])
    return words[0] in lx.ROLE_WORDS


def cue_after(toks: list[Tok], j: int, text: str = "") -> bool:
    """True when the words after token j show that it names a person."""
    if j + 1 >= len(toks):
        return False
    nxt = toks[j + 1]
    gap = nxt.gap.strip()
    if gap == "" and nxt.fold in lx.PERSON_CUES:
        return True
    if gap == "" and nxt.fold in ("from", "at") and j + 2 < len(toks):
        # "Priti from Adoption Matters", "Okafor from the Virtual School"
        k = j + 3 if toks[j + 2].fold == "the" and j + 3 < len(toks) else j + 2
        if toks[k].cap or toks[k].acronym:
            return True
    if gap == "" and nxt.fold in ("is", "was", "turns", "turned") and j + 1 < len(toks):
        after = toks[j + 2] if j + 2 < len(toks) else nxt
        if after.fold in _AGES or (
            after.gap.strip() == "" and after.fold in ("aged", "nearly", "almost")
        ):
            return True  # "Darcey is six"
        if _AGE_AFTER.match(text, toks[j + 1].end):
            return True
    if gap == "" and nxt.fold in ("and", "with") and j + 3 < len(toks):
        # "Blessing and her sister", "Kai with his foster carer"
        words = [t.fold for t in toks[j + 2 : j + 5]]
        if words[0] in ("his", "her", "their") and any(w in lx.ROLE_WORDS for w in words[1:]):
            return True
    if gap in (",", "(", "-", "\u2013"):
        if nxt.fold == "who":
            return True
        words = [t.fold for t in toks[j + 1 : j + 5]]
        if words and words[0] in ("my", "our", "his", "her", "their", "the", "a", "your"):
            return any(w in lx.ROLE_WORDS for w in words[1:4])
        return bool(words) and words[0] in lx.ROLE_WORDS
    return False
