"""Person names, found without a language model.

No named-entity model can be downloaded, so heard weighs evidence a reader would use:

- a title or role right before the words: "Mrs Achterberg", "social worker Dawn",
  "my son Tyler", "Nana Pat", "a boy called Kai" (strongest);
- a project's own list of known names (participants, staff, children);
- a given name from the bundled lists of many cultures ("Ngozi", "Siobhán", "Tomasz"),
  capitalised; at the start of a sentence only when it is not also an everyday word
  ("Will", "Hope", "Grace" need more evidence there);
- a capitalised word in mid-sentence that is rare as an ordinary English word
  ("Okafor", "Whitfield"), unless a place word comes before it ("moved to Harlow");
- a word already found as a name elsewhere in the same text.

Capitalised runs holding an organisation word ("Virtual School", "Family Court") or
made of everyday words ("Adoption Support Fund") are not names, and neither is anything
on the allow-list of places, services and organisations.
"""

from __future__ import annotations

from collections.abc import Sequence

from heard.redact import _lexicon as lx
from heard.redact._context import (
    cue_after,
    mark_allowed,
    me_and_before,
    place_before,
    role_after,
    subject_after,
    trigger_before,
)
from heard.redact._types import Found
from heard.redact._words import (
    ABBREVIATED,
    AMBIGUOUS,
    GIVEN,
    INITIAL,
    INITIAL_GAP,
    KNOWN,
    NAMEY,
    PARTICLE,
    RARE,
    RARE_ZIPF,
    RUN_GAP,
    SURNAME,
    SURNAME_WORD,
    WORD,
    Allow,
    KnownNames,
    Tok,
    classify,
    tokens,
)

__all__ = ["Allow", "KnownNames", "find_names"]


class _Finder:
    def __init__(self, text: str, toks: list[Tok], known: KnownNames) -> None:
        self.text = text
        self.toks = toks
        self.known = known
        self.found: list[tuple[int, int, str, float]] = []  # token index range [a, b]

    def emit(self, a: int, b: int, detector: str, score: float) -> None:
        while b > a and self.toks[b].cls == PARTICLE:
            b -= 1  # "Dawn van" ends before "van"
        if all(self.toks[k].cls in (INITIAL, PARTICLE) for k in range(a, b + 1)):
            return
        self.found.append((a, b, detector, score))

    # --- capitalised runs ------------------------------------------------------------
    def runs(self) -> list[list[int]]:
        toks = self.toks
        out: list[list[int]] = []
        run: list[int] = []
        for i, t in enumerate(toks):
            usable = (t.cap or t.cls == INITIAL) and not t.allowed and not t.blocked
            particle = (
                t.lower
                and t.fold in lx.PARTICLES
                and run
                and i + 1 < len(toks)
                and toks[i + 1].cap
                and RUN_GAP.match(toks[i + 1].gap) is not None
            )
            joins = bool(run) and (
                RUN_GAP.match(t.gap) is not None
                or (
                    INITIAL_GAP.match(t.gap) is not None
                    and (toks[run[-1]].cls == INITIAL or toks[run[-1]].fold in ABBREVIATED)
                )
            )
            if (usable or particle) and run and joins and not toks[run[-1]].possessive:
                run.append(i)
                continue
            if run:
                out.append(run)
                run = []
            if usable:
                run = [i]
        if run:
            out.append(run)
        return out

    def judge_run(self, run: list[int]) -> None:
        toks = self.toks
        support = trigger_before(toks, run[0])
        initial = toks[run[0]].sentence_start and support is None
        segment: list[int] = []
        for pos, i in enumerate(run):
            t = toks[i]
            more = pos + 1 < len(run)
            if t.fold in lx.HONORIFICS and more and t.cls != KNOWN:
                self.judge_segment(segment, support, initial)
                segment, support, initial = [], "honorific", False
            elif t.fold in lx.KIN_TITLES and more:
                self.judge_segment(segment, support, initial)
                segment, support, initial = [], "kin", False
            elif t.fold in lx.ROLE_WORDS and more:
                self.judge_segment(segment, support, initial)
                segment, support, initial = [], "role", False
            else:
                segment.append(i)
        self.judge_segment(segment, support, initial)

    def judge_segment(self, seg: list[int], support: str | None, initial: bool) -> None:
        if not seg:
            return
        toks = self.toks
        classes = [toks[i].cls for i in seg]
        folds = [toks[i].fold for i in seg]
        if support != "honorific" and any(f in lx.ORG_HEADS for f in folds):
            return
        if support is None and folds[0] in lx.ORG_STARTS:
            return
        if support is not None:
            # a title or role: take the name-like words that follow, at most four
            end = 0
            while (
                end < len(seg)
                and end < 4
                and (
                    classes[end] in NAMEY
                    or (end == 0 and support in ("honorific", "kin") and self._plain_word(seg[0]))
                )
            ):
                end += 1
            if end:
                score = {"honorific": 0.95, "kin": 0.9}.get(support, 0.9)
                self.emit(seg[0], seg[end - 1], f"names.{support}", score)
            if end < len(seg):
                self.judge_segment(seg[end:], None, False)
            return
        if initial:
            first = classes[0]
            if first in (KNOWN, GIVEN):
                end = self._namey_prefix(classes)
                if first == GIVEN and end == 1 and self._alone(seg[0]):
                    return  # "No support. Zero. Nada.": a one-word sentence
                det = "names.known" if KNOWN in classes[:end] else "names.given"
                self.emit(seg[0], seg[end - 1], det, 1.0 if det == "names.known" else 0.85)
                if end < len(seg):
                    self.judge_segment(seg[end:], None, False)
                return
            if first in (WORD, SURNAME_WORD):
                self.judge_segment(seg[1:], None, False)  # "Ring Dawn Whitfield"
                return
            end = self._namey_prefix(classes)
            pair: tuple[int, ...] = (KNOWN, GIVEN, SURNAME, RARE, INITIAL)
            if first == AMBIGUOUS:
                pair = (*pair, SURNAME_WORD)
            if end >= 2 and classes[1] in pair:
                self.emit(seg[0], seg[end - 1], "names.pair", 0.75)
            elif cue_after(toks, seg[end - 1], self.text):
                self.emit(seg[0], seg[end - 1], "names.cue", 0.7)
            elif first == AMBIGUOUS and end == 1 and subject_after(toks, seg[0]):
                self.emit(seg[0], seg[0], "names.subject", 0.65)
            else:
                end = 1  # the first word alone proves nothing; judge the rest
            if end < len(seg):
                self.judge_segment(seg[end:], None, False)
            return
        # mid-sentence: split at everyday words; each stretch is judged on its own
        stretch: list[int] = []
        for i, c in zip(seg, classes, strict=True):
            if c == WORD:
                if stretch:
                    self.judge_middle(stretch, in_title=True)
                stretch = []
            else:
                stretch.append(i)
        if stretch:
            self.judge_middle(stretch, in_title=len(stretch) < len(seg))

    def _plain_word(self, i: int) -> bool:
        """A word after a title that may still be a name ("Mrs Young", "Nana Pat"), unlike
        "I", "Team" or "the" ("the nurse I saw", "the District Nurse Team")."""
        t = self.toks[i]
        return (
            len(t.word) > 1
            and t.fold not in lx.NOT_NAMES
            and t.fold not in lx.ORG_HEADS
            and lx.zipf().get(t.fold, 0.0) < 4.5
        )

    def _alone(self, i: int) -> bool:
        """True when token i is a sentence on its own and an everyday word too."""
        after = self.text[self.toks[i].end : self.toks[i].end + 2]
        return (
            lx.zipf().get(self.toks[i].fold, 0.0) >= RARE_ZIPF - 0.3
            and after[:1] in (".", "!", "?")
            and (i + 1 >= len(self.toks) or self.toks[i + 1].sentence_start)
        )

    @staticmethod
    def _namey_prefix(classes: list[int]) -> int:
        end = 0
        while end < len(classes) and classes[end] in NAMEY:
            end += 1
        return max(end, 1)

    def judge_middle(self, seg: list[int], in_title: bool) -> None:
        toks = self.toks
        classes = {toks[i].cls for i in seg}
        a, b = seg[0], seg[-1]
        if len(seg) > 1 and toks[b].fold in lx.PLACE_HEADS and not classes & {KNOWN, GIVEN}:
            return  # Hebden Bridge, Bethnal Green
        if KNOWN in classes:
            self.emit(a, b, "names.known", 1.0)
        elif GIVEN in classes:
            if place_before(toks, a) and toks[a - 1].fold in lx.ARTICLES:
                return
            self.emit(a, b, "names.given", 0.85)
        elif in_title:
            return
        elif place_before(toks, a):
            if cue_after(toks, b, self.text):
                self.emit(a, b, "names.cue", 0.6)
        elif SURNAME in classes or (RARE in classes and len(seg) > 1):
            self.emit(a, b, "names.surname" if SURNAME in classes else "names.rare", 0.75)
        elif RARE in classes:
            self.emit(a, b, "names.rare", 0.65)
        elif AMBIGUOUS in classes:
            self.emit(a, b, "names.given", 0.6)
        elif cue_after(toks, b, self.text):
            self.emit(a, b, "names.cue", 0.6)

    # --- lower-case names after a role, and known names anywhere ----------------------
    def lowercase_after_triggers(self, flat: bool) -> None:
        toks = self.toks
        zipf = lx.zipf()
        for i, t in enumerate(toks):
            if not t.lower or t.blocked or t.allowed or t.cls not in (GIVEN, AMBIGUOUS):
                continue
            if t.cls == AMBIGUOUS and zipf.get(t.fold, 0.0) >= 4.5:
                continue
            if trigger_before(toks, i) is None and not (
                t.cls == GIVEN
                and (
                    me_and_before(toks, i)
                    or role_after(toks, i)
                    # in text typed all in lower case, "tia said" is as good as "Tia said"
                    or (flat and cue_after(toks, i, self.text) and not place_before(toks, i))
                )
            ):
                continue
            b = i
            if (
                i + 1 < len(toks)
                and RUN_GAP.match(toks[i + 1].gap)
                and toks[i + 1].cls in (SURNAME, RARE)
                and not toks[i + 1].blocked
            ):
                b = i + 1
            self.emit(i, b, "names.role", 0.7)

    def known_phrases(self) -> None:
        if not self.known.phrases:
            return
        toks = self.toks
        zipf = lx.zipf()
        i = 0
        while i < len(toks):
            for n in range(min(self.known.longest, len(toks) - i), 0, -1):
                window = toks[i : i + n]
                if any(t.blocked for t in window):
                    continue
                if n > 1 and any(not RUN_GAP.match(t.gap) for t in window[1:]):
                    continue
                words = tuple(t.fold for t in window)
                if words not in self.known.phrases and not (
                    n == 1 and words[0] in self.known.parts
                ):
                    continue
                if n == 1 and window[0].lower and zipf.get(window[0].fold, 0.0) >= 3.5:
                    continue
                self.emit(i, i + n - 1, "names.known", 1.0)
                i += n - 1
                break
            i += 1

    def pairs(self) -> None:
        """A capitalised word joined by "and" to a name is a name too ("Jun and Li Na Wong",
        "Hope and Tyler"), unless it is an everyday word ("Tyler and Mum")."""
        toks = self.toks
        covered = {k for a, b, _, _ in self.found for k in range(a, b + 1)}
        extra: set[int] = set()
        for a, b, _, _ in list(self.found):
            # (the joining word, the word beyond it): "X and <name>", "<name> and X"
            for joint, k in ((a - 1, a - 2), (b + 1, b + 2)):
                if k < 0 or k >= len(toks) or k in covered:
                    continue
                word, other = toks[joint], toks[k]
                if word.fold not in ("and", "&"):
                    continue
                if toks[joint].gap.strip() or toks[joint + 1].gap.strip():
                    continue  # only spaces either side of "and"
                if not other.cap or other.allowed or other.blocked:
                    continue
                if other.cls in (AMBIGUOUS, RARE, SURNAME, GIVEN, KNOWN):
                    extra.add(k)
        for k in sorted(extra):
            self.emit(k, k, "names.pair", 0.7)

    def repeats(self) -> None:
        """A word found as a name once is a name wherever it is capitalised in the text."""
        covered = set()
        names = set()
        for a, b, _, _ in self.found:
            for k in range(a, b + 1):
                covered.add(k)
                if self.toks[k].cls not in (INITIAL, PARTICLE):
                    names.add(self.toks[k].fold)
        if not names:
            return
        for i, t in enumerate(self.toks):
            if i in covered or t.blocked or t.allowed or not t.cap or t.fold not in names:
                continue
            if t.fold in lx.HONORIFICS or t.fold in lx.ROLE_WORDS:
                continue
            if t.sentence_start and t.cls in (WORD, SURNAME_WORD):
                continue
            if len(t.word) == 1:
                continue
            self.emit(i, i, "names.repeat", 0.8)


def find_names(
    text: str,
    known: KnownNames,
    allow: Allow,
    blocked: Sequence[tuple[int, int]] = (),
) -> list[Found]:
    """Person names in ``text``, skipping the stretches in ``blocked``."""
    toks = tokens(text, blocked)
    if not toks:
        return []
    mark_allowed(toks, allow)
    for t in toks:
        t.cls = classify(t, known)
    finder = _Finder(text, toks, known)
    has_upper = any(c.isupper() for c in text)
    has_lower = any(c.islower() for c in text)
    if has_upper and has_lower:
        for run in finder.runs():
            finder.judge_run(run)
    else:
        # all capitals or no capitals: a capital letter carries no information
        for t in toks:
            t.cap, t.lower = False, True
    finder.lowercase_after_triggers(flat=not (has_upper and has_lower))
    finder.known_phrases()
    if has_upper and has_lower:
        finder.pairs()
        finder.repeats()
    out = []
    for a, b, detector, score in finder.found:
        out.append(Found(toks[a].start, toks[b].end, "NAME", detector, score))
    return out
