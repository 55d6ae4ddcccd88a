"""The Redactor: runs every finder over a text, settles overlaps, writes placeholders."""

from __future__ import annotations

import difflib
import hashlib
import math
import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal

from heard.errors import InputError, SettingsError, TooLargeError
from heard.redact import _lexicon as lx
from heard.redact._address import find_addresses
from heard.redact._dates import find_dates_of_birth
from heard.redact._names import Allow, KnownNames, find_names
from heard.redact._structured import FINDERS
from heard.redact._types import KINDS, Found, RedactedSpan, Redaction

#: The longest text :meth:`Redactor.redact` accepts, in characters (about a book).
MAX_TEXT_CHARS = 1_000_000

Pseudonyms = Literal["none", "story", "project"]
_PSEUDONYMS = ("none", "story", "project")

# When two finds of different kinds overlap, the surer one wins; on a tie, the more
# specific kind.
_PRIORITY = {
    "EMAIL": 9,
    "URL": 8,
    "NHS_NUMBER": 7,
    "NI_NUMBER": 7,
    "PHONE": 6,
    "IP_ADDRESS": 6,
    "POSTCODE": 5,
    "DATE_OF_BIRTH": 4,
    "ADDRESS": 3,
    "NAME": 1,
}
_SURROGATE = re.compile("[\ud800-\udfff]")
_NORMAL = re.compile(r"[\s\-\u2010-\u2013().]+")


def as_text(value: Any) -> str:
    """A cell as text: missing values are empty, numbers print as themselves.

    Bytes are read as UTF-8, else Windows-1252; characters that cannot be written to
    a file (lone surrogates from a broken decode) become U+FFFD, one for one, so
    offsets still match the original.
    """
    if isinstance(value, str):
        text = value
    elif value is None:
        return ""
    elif isinstance(value, float):
        if math.isnan(value):
            return ""
        text = str(int(value)) if value.is_integer() and abs(value) < 1e16 else str(value)
    elif isinstance(value, bytes | bytearray):
        try:
            text = bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            text = bytes(value).decode("cp1252", errors="replace")
    elif type(value).__name__ in ("NAType", "NaTType"):
        return ""
    else:
        try:
            if value != value:  # numpy NaN and friends
                return ""
        except (TypeError, ValueError):
            pass
        if hasattr(value, "is_integer") and hasattr(value, "__float__"):
            return as_text(float(value))
        text = str(value)
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
    return text


class _Book:
    """Numbers for pseudonyms, keyed by salted hashes so no value is kept in memory."""

    def __init__(self) -> None:
        self._salt = secrets.token_bytes(16)
        self._numbers: dict[str, dict[str, int]] = {}
        self._name_parts: list[tuple[int, set[str]]] = []

    def _key(self, value: str) -> str:
        return hashlib.blake2b(value.encode("utf-8"), key=self._salt, digest_size=12).hexdigest()

    def number(self, kind: str, value: str) -> int:
        if kind == "NAME":
            return self._name(value)
        normal = _NORMAL.sub("", lx.fold(value))
        if kind == "PHONE":
            digits = re.sub(r"\D", "", normal)
            normal = "0" + digits[2:] if digits.startswith("44") else digits
        table = self._numbers.setdefault(kind, {})
        key = self._key(normal)
        if key not in table:
            table[key] = len(table) + 1
        return table[key]

    def _name(self, value: str) -> int:
        words = [lx.fold(w) for w in re.findall(r"[^\W\d_]+(?:['\u2019\-][^\W\d_]+)*", value)]
        words = [w for w in words if len(w) > 1 and w not in lx.PARTICLES] or [lx.fold(value)]
        parts = {self._key(w) for w in words}
        whole = self._key(" ".join(words))
        table = self._numbers.setdefault("NAME", {})
        if whole in table:
            return table[whole]
        # "Priya" after "Priya Kaur" (or before it) is the same person when only one
        # person seen so far shares that word
        sharing = [n for n, seen in self._name_parts if seen & parts]
        if len(set(sharing)) == 1:
            number = sharing[0]
            for n, seen in self._name_parts:
                if n == number:
                    seen |= parts
                    break
        else:
            number = len(self._name_parts) + 1
            self._name_parts.append((number, set(parts)))
        table[whole] = number
        return number


class Redactor:
    """Finds personal data in text and replaces it with typed placeholders.

    >>> r = Redactor()
    >>> r.redact("Ring Dawn on 07700 900123.").text
    'Ring [NAME] on [PHONE].'

    Parameters
    ----------
    kinds:
        The kinds to redact (see :data:`heard.redact.KINDS`), or None for all.
    pseudonyms:
        "none": every name becomes ``[NAME]``. "story": numbered within each text
        (``[NAME-1]``, ``[NAME-2]``), so a reader can tell people apart. "project":
        numbered across every text this Redactor sees; the numbering lives in memory
        only, as salted hashes, and :meth:`reset` forgets it.
    known_names:
        Names that are always redacted wherever they appear: participants, staff,
        children. Matched whole or by any one part, ignoring case.
    allow:
        Words and phrases that are never redacted (added to heard's own list of
        places, services and organisations): a town, a team, a service's own phone
        number.
    language:
        Only "en" (UK English) is supported.
    """

    def __init__(
        self,
        kinds: Sequence[str] | None = None,
        pseudonyms: Pseudonyms = "none",
        known_names: Sequence[str] = (),
        allow: Sequence[str] = (),
        language: str = "en",
    ) -> None:
        self.kinds = kinds
        self.pseudonyms = pseudonyms
        self.known_names = known_names
        self.allow = allow
        self.language = language
        self._ready = False
        self._book = _Book()

    # --- set-up ------------------------------------------------------------------------
    def _prepare(self) -> None:
        if self._ready:
            return
        self.kinds_ = _check_kinds(self.kinds)
        if self.pseudonyms not in _PSEUDONYMS:
            raise SettingsError(
                f"pseudonyms={self.pseudonyms!r} is not an option. Use 'none' ([NAME]), "
                "'story' ([NAME-1] numbered within each text) or 'project' (numbered across texts)."
            )
        if str(self.language).lower() not in ("en", "en-gb", "en_gb"):
            raise SettingsError(
                f"Redaction supports English only (language='en'), not {self.language!r}. "
                "Names in other languages are still found when they follow a title or role."
            )
        if isinstance(self.known_names, str) or isinstance(self.allow, str):
            raise SettingsError(
                "known_names and allow take a list of names, e.g. known_names=['Priya Kaur'], "
                "not one string."
            )
        self._known = KnownNames(as_text(n) for n in self.known_names)
        extra = {tuple(lx.fold(as_text(a)).split()) for a in self.allow if as_text(a).strip()}
        self._allow = Allow(lx.allow_phrases() | extra)
        # load the word lists now, not inside the first text
        lx.given_names(), lx.surnames(), lx.zipf(), lx.ambiguous_names()
        self._ready = True

    # --- finding -----------------------------------------------------------------------
    def find(self, text: str) -> list[Found]:
        """Every stretch of ``text`` to redact, in order, without overlaps."""
        self._prepare()
        found: list[Found] = []
        for finder in FINDERS.values():
            found.extend(finder(text))
        found.extend(find_dates_of_birth(text))
        found.extend(find_addresses(text))
        settled = _settle(found)
        blocked = [(f.start, f.end) for f in settled]
        names = find_names(text, self._known, self._allow, blocked)
        settled = _settle(settled + names)
        keep = self.kinds_
        # names are checked against the allow-list word by word inside find_names (a
        # name after a role is kept even when it is also a month: "our worker April")
        return [
            f
            for f in settled
            if f.kind in keep and (f.kind == "NAME" or not self._allowed(text[f.start : f.end]))
        ]

    def _allowed(self, value: str) -> bool:
        return tuple(lx.fold(value).split()) in self._allow

    # --- redacting ---------------------------------------------------------------------
    def redact(self, text: Any) -> Redaction:
        """``text`` with its personal data replaced, and the record of what was replaced."""
        self._prepare()
        value = as_text(text)
        if len(value) > MAX_TEXT_CHARS:
            raise TooLargeError(
                f"This text has {len(value):,} characters; heard redacts up to "
                f"{MAX_TEXT_CHARS:,} at a time. Split it into smaller parts (one answer, "
                "page or interview turn each) and redact those."
            )
        if not value.strip():
            return Redaction(text=value, spans=[], original_length=len(value))
        finds = self.find(value)
        book = self._book if self.pseudonyms == "project" else _Book()
        pieces: list[str] = []
        spans: list[RedactedSpan] = []
        last = 0
        for f in finds:
            if self.pseudonyms == "none":
                placeholder = f"[{f.kind}]"
            else:
                placeholder = f"[{f.kind}-{book.number(f.kind, value[f.start : f.end])}]"
            pieces.append(value[last : f.start])
            pieces.append(placeholder)
            spans.append(RedactedSpan(f.start, f.end, f.kind, f.detector, f.score, placeholder))
            last = f.end
        pieces.append(value[last:])
        return Redaction(text="".join(pieces), spans=spans, original_length=len(value))

    def redact_many(
        self,
        texts: Iterable[Any],
        progress: Any = None,
    ) -> list[Redaction]:
        """Redact each text in order.

        ``progress`` may be a :class:`heard.progress.Progress`, True (a progress bar on
        the terminal), or a callable ``(done, total)``.
        """
        self._prepare()
        items = list(texts)
        total = len(items)
        out: list[Redaction] = []
        with _progress(progress, total) as update:
            for n, item in enumerate(items, 1):
                try:
                    out.append(self.redact(item))
                except TooLargeError as exc:
                    raise TooLargeError(f"Text {n:,}: {exc}") from None
                if update is not None and (n % 200 == 0 or n == total):
                    update(n, total)
        return out

    def reset(self) -> Redactor:
        """Forget the project's pseudonym numbering (the next name is [NAME-1] again)."""
        self._book = _Book()
        return self

    def __repr__(self) -> str:
        return (
            f"Redactor(kinds={self.kinds!r}, pseudonyms={self.pseudonyms!r}, "
            f"known_names=<{len(self.known_names)} names>, allow=<{len(self.allow)} entries>)"
        )


def _check_kinds(kinds: Sequence[str] | None) -> frozenset[str]:
    if kinds is None:
        return frozenset(KINDS)
    if isinstance(kinds, str):
        kinds = [k for k in re.split(r"[,\s]+", kinds) if k]
    chosen = set()
    for kind in kinds:
        name = str(kind).strip().upper().replace("-", "_").replace(" ", "_")
        name = {
            "NHS": "NHS_NUMBER",
            "NI": "NI_NUMBER",
            "DOB": "DATE_OF_BIRTH",
            "IP": "IP_ADDRESS",
        }.get(name, name)
        if name not in KINDS:
            close = difflib.get_close_matches(name, KINDS, n=1)
            hint = f" Did you mean {close[0].lower()}?" if close else ""
            raise SettingsError(
                f"'{kind}' is not a kind heard redacts.{hint} The kinds are: "
                f"{', '.join(k.lower() for k in KINDS)}."
            )
        chosen.add(name)
    if not chosen:
        raise SettingsError("No kinds to redact were given. Leave kinds out to redact every kind.")
    return frozenset(chosen)


def _settle(found: list[Found]) -> list[Found]:
    """Overlapping finds resolved: same kind merges; otherwise the stronger one wins."""
    if len(found) < 2:
        return list(found)
    ordered = sorted(found, key=lambda f: (f.start, -f.end))
    out: list[Found] = []
    cluster = [ordered[0]]
    reach = ordered[0].end
    for f in ordered[1:]:
        if f.start < reach:
            cluster.append(f)
            reach = max(reach, f.end)
        else:
            out.extend(_settle_cluster(cluster))
            cluster, reach = [f], f.end
    out.extend(_settle_cluster(cluster))
    return out


def _settle_cluster(cluster: list[Found]) -> list[Found]:
    """One group of finds that overlap one another, settled (usually one or two finds)."""
    if len(cluster) == 1:
        return cluster
    ranked = sorted(
        cluster, key=lambda f: (-f.score, -_PRIORITY.get(f.kind, 0), -(f.end - f.start), f.start)
    )
    kept: list[Found] = []
    for f in ranked:
        clash = False
        for k, g in enumerate(kept):
            if f.start < g.end and g.start < f.end:
                if f.kind == g.kind:
                    kept[k] = g._replace(start=min(f.start, g.start), end=max(f.end, g.end))
                clash = True
                break
        if not clash:
            kept.append(f)
    kept.sort(key=lambda f: f.start)
    # a merge can make two kept finds of the same kind overlap
    out: list[Found] = []
    for f in kept:
        if out and f.start < out[-1].end:
            if f.kind == out[-1].kind:
                out[-1] = out[-1]._replace(end=max(out[-1].end, f.end))
            continue
        out.append(f)
    return out


class _progress:
    """A context manager that turns the ``progress`` argument into an update function."""

    def __init__(self, progress: Any, total: int) -> None:
        self.progress = progress
        self.total = total
        self._stage: Any = None

    def __enter__(self) -> Callable[[int, int], None] | None:
        p = self.progress
        if p is None or p is False:
            return None
        if p is True:
            from heard.progress import Progress

            p = Progress(enabled=True)
        if hasattr(p, "stage"):
            self._stage = p.stage("Redacting", total=self.total, unit="text")
            update: Callable[[int, int], None] = self._stage.__enter__()
            return update
        if callable(p):
            return p
        raise InputError(
            "progress must be a heard.progress.Progress, True, or a function (done, total)."
        )

    def __exit__(self, *exc: object) -> None:
        if self._stage is not None:
            self._stage.__exit__(*exc)
