"""Structured identifiers: email, web and IP addresses, phone, NHS and NI numbers, postcodes.

The patterns follow Presidio's UK and generic recognizers (MIT licence), widened to
the forms people type (docs/adr/0002-redaction-patterns-without-presidio.md
says why heard runs them itself): phone numbers with any spacing, dashes, +44, 0044
or (0), judged by their digits rather than by a phone-number library's list of
issued ranges; NHS numbers checked with their mod-11 digit; NI numbers including
HMRC's QQ example prefix; postcodes with or without the space. Each finder yields
:class:`Found` tuples; a cheap test on the text skips finders that cannot match.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from heard.redact._types import Found

_SEP = r"[ \u00a0\u2009\u202f]"  # space, no-break space, thin spaces
_DASH = r"[\-\u2010\u2011\u2012\u2013]"

# --- email ------------------------------------------------------------------------
_EMAIL = re.compile(
    r"(?<![\w.!#$%&'*+/=?^`{|}~-])"
    r"[\w!#$%&'*+/=?^`{|}~-]+(?:\.[\w!#$%&'*+/=?^`{|}~-]+)*"
    r"@(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]{2,}(?![\w-])"
)


def find_emails(text: str) -> Iterator[Found]:
    if "@" not in text:
        return
    for m in _EMAIL.finditer(text):
        yield Found(m.start(), m.end(), "EMAIL", "email.pattern", 0.95)


# --- web address --------------------------------------------------------------------
_TLDS = (
    r"co\.uk|org\.uk|gov\.uk|nhs\.uk|ac\.uk|sch\.uk|police\.uk|net\.uk|ltd\.uk|me\.uk|"
    r"com|org|net|uk|info|biz|eu|ie|scot|wales|cymru|london|online|site|app|dev"
)
_URL = re.compile(
    r"(?i:\b(?:https?://|www\d{0,3}\.)[^\s<>\"'\[\]{}|\\^`]+)"
    r"|(?<![@\w.\-/])(?i:(?:[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?\.)+)"
    r"(?:" + _TLDS + r")(?:/[^\s<>\"'\[\]{}|\\^`]*)?(?![\w@\-])"
)
_URL_TRAIL = ".,;:!?)'\"’”»"


_URL_HINT = re.compile(r"://|www|[A-Za-z0-9]\.[A-Za-z]{2}")


def find_urls(text: str) -> Iterator[Found]:
    if not _URL_HINT.search(text):
        return
    for m in _URL.finditer(text):
        start, end = m.start(), m.end()
        while end > start and text[end - 1] in _URL_TRAIL:
            if text[end - 1] == ")" and "(" in text[start:end]:
                break
            end -= 1
        if end - start >= 4:
            yield Found(start, end, "URL", "url.pattern", 0.85)


# --- IP address ---------------------------------------------------------------------
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IP = re.compile(
    rf"(?<![\w.]){_OCTET}(?:\.{_OCTET}){{3}}(?![\w.]|\.\d)"
    r"|(?<![\w:])(?i:(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4})(?![\w:])"
)


_IP_HINT = re.compile(r"\d\.\d{1,3}\.\d|[0-9A-Fa-f]:[0-9A-Fa-f]{1,4}:")


def find_ips(text: str) -> Iterator[Found]:
    if not _IP_HINT.search(text):
        return
    for m in _IP.finditer(text):
        yield Found(m.start(), m.end(), "IP_ADDRESS", "ip.pattern", 0.8)


# --- phone numbers ------------------------------------------------------------------
# A run of digits and the separators people put between them, starting with +, 00, 0
# or "(0". It is split into groups and judged by its digits in _phone_ok.
_PHONE = re.compile(
    r"(?<![\w+£$€#/\\.,\-])"
    r"(?:\+|\(\s?\+?|\b)\d[\d \u00a0\u2009\u202f()./\-\u2010\u2011\u2012\u2013]{5,24}\d"
    r"(?![\w/]|[.,]\d)"
)
_PHONE_GAP = re.compile(r"[^\d+]+")
_PHONE_GAP_OK = re.compile(r"^(?:\s?[\-\u2010-\u2013./]\s?|\s|\s?\(\s?|\s?\)\s?|\s?\(0\)\s?)$")
_PHONE_NOT = re.compile(
    r"(?i)(?:\b(?:ref|reference|account|acc|a/c|sort code|invoice|order|policy|claim|serial|"
    r"case|crime|licence|license|passport|nhs|chi|number of)\b\W*(?:no\.?|number|num|#|is|was|:)?\W*)$"
)
_PHONE_CUE = re.compile(
    r"(?i)(?:\b(?:tel|telephone|phone|mobile|mob|landline|call|ring|text|whatsapp|contact|"
    r"number|on|fax)\b\W*(?:no\.?|number|is|was|:)?\W*)$"
)


def _phone_digits_ok(raw: str) -> float:
    """The confidence that ``raw`` (a digit run with separators) is a phone number, or 0."""
    digits = re.sub(r"\D", "", raw)
    stripped = raw.lstrip("( ")
    if stripped.startswith("+") or digits.startswith("00"):
        national = digits[2:] if digits.startswith("00") else digits
        if national.startswith("44"):
            rest = national[2:]
            if rest.startswith("0"):
                rest = rest[1:]
            return 0.9 if len(rest) in (9, 10) and rest[0] in "1235789" else 0.0
        return 0.75 if 8 <= len(national) <= 15 and national[0] != "0" else 0.0
    if not digits.startswith("0"):
        return 0.0
    national = digits[1:]
    if len(national) in (9, 10) and national[0] in "1235789":
        return 0.85
    return 0.0


def _phone_parts(text: str, start: int, end: int) -> Iterator[tuple[int, int, float]]:
    """Valid phone numbers inside one digit run, which may hold two numbers side by side."""
    raw = text[start:end]
    groups = [(m.start(), m.end()) for m in re.finditer(r"\+?\d+", raw)]
    gaps = [raw[a[1] : b[0]] for a, b in zip(groups, groups[1:], strict=False)]
    # a gap that is not a separator (two spaces, ". ", letters) ends the number
    i = 0
    while i < len(groups):
        best: tuple[int, float] | None = None
        for j in range(i, len(groups)):
            if j > i and not _PHONE_GAP_OK.match(gaps[j - 1]):
                break
            piece_start = groups[i][0]
            if piece_start > 0 and raw[piece_start - 1] == "(":
                piece_start -= 1
            score = _phone_digits_ok(raw[piece_start : groups[j][1]])
            if score:
                best = (j, score)
        if best is None:
            i += 1
            continue
        j, score = best
        a = groups[i][0]
        if a > 0 and raw[a - 1] == "(":
            a -= 1
        yield start + a, start + groups[j][1], score
        i = j + 1


_DIGITS3 = re.compile(r"\d\d\d")


def find_phones(text: str) -> Iterator[Found]:
    if not _DIGITS3.search(text):
        return
    for m in _PHONE.finditer(text):
        for start, end, score in _phone_parts(text, m.start(), m.end()):
            before = text[max(0, start - 40) : start]
            if _PHONE_NOT.search(before) and not _PHONE_CUE.search(before[-12:]):
                continue
            yield Found(start, end, "PHONE", "phone.pattern", score)


# --- NHS numbers --------------------------------------------------------------------
_NHS = re.compile(
    rf"(?<![\w+£$€#/.,\-])(\d{{3}})(?:{_SEP}|{_DASH}|{_SEP}{_DASH}{_SEP})?(\d{{3}})"
    rf"(?:{_SEP}|{_DASH}|{_SEP}{_DASH}{_SEP})?(\d{{4}})(?![\w/]|[.,]\d)"
)
_NHS_CONTEXT = re.compile(r"(?i)\b(?:nhs|chi|health|hospital|patient|gp)\b")
_NHS_LABEL = re.compile(r"(?i)\b(?:nhs|chi)\s*(?:no\.?|number|num|#)?\s*(?:is|was|:)?\s*$")


def nhs_checksum_ok(digits: str) -> bool:
    """True when ten digits pass the NHS number's mod-11 check."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def find_nhs_numbers(text: str) -> Iterator[Found]:
    if not _DIGITS3.search(text):
        return
    for m in _NHS.finditer(text):
        digits = m.group(1) + m.group(2) + m.group(3)
        before = text[max(0, m.start() - 60) : m.start()]
        labelled = bool(_NHS_LABEL.search(before[-25:]))
        if nhs_checksum_ok(digits):
            if digits.startswith("0") and not labelled:
                score = 0.4  # more likely a phone number; the phone finder decides
            else:
                score = 1.0 if labelled or _NHS_CONTEXT.search(before) else 0.9
            yield Found(m.start(), m.end(), "NHS_NUMBER", "nhs.checksum", score)
        elif labelled:
            # a mistyped NHS number is still someone's NHS number
            yield Found(m.start(), m.end(), "NHS_NUMBER", "nhs.label", 0.6)


# --- National Insurance numbers -----------------------------------------------------
_NI = re.compile(
    rf"(?<![\w])([A-Za-z]{{2}})(?:{_SEP}|{_DASH})?(\d{{2}})(?:{_SEP}|{_DASH})?(\d{{2}})"
    rf"(?:{_SEP}|{_DASH})?(\d{{2}})(?:(?:{_SEP}|{_DASH})?([A-Da-d]))?(?![\w])"
)
_NI_BAD_PREFIX = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}
_NI_CONTEXT = re.compile(r"(?i)(?:national\s+insurance|\bni\b|\bnino\b|\bnin\b)")


def _ni_prefix_ok(prefix: str) -> bool:
    p = prefix.upper()
    if p == "QQ":  # HMRC's example prefix: never issued, but used in forms and training
        return True
    if p in _NI_BAD_PREFIX:
        return False
    return p[0] not in "DFIQUV" and p[1] not in "DFIOQUV"


_NI_HINT = re.compile(r"\d\d[ \u00a0\-]?\d\d[ \u00a0\-]?\d\d")


def find_ni_numbers(text: str) -> Iterator[Found]:
    if not _NI_HINT.search(text):
        return
    for m in _NI.finditer(text):
        prefix, suffix = m.group(1), m.group(5)
        if not _ni_prefix_ok(prefix):
            continue
        context = bool(_NI_CONTEXT.search(text[max(0, m.start() - 50) : m.start()]))
        upper = prefix.isupper() and (suffix is None or suffix.isupper())
        if (suffix is None or not upper) and not context:
            continue
        yield Found(m.start(), m.end(), "NI_NUMBER", "ni.pattern", 0.95 if context else 0.85)


# --- postcodes ----------------------------------------------------------------------
_POSTCODE = re.compile(
    rf"(?<![\w\-])(?:GIR{_SEP}?0AA|[A-Z]{{1,2}}\d[A-Z\d]?{_SEP}?\d[A-Z]{{2}})(?![\w\-])"
    rf"|(?<![\w\-])(?i:[a-z]{{1,2}}\d[a-z\d]?{_SEP}?\d[a-z]{{2}})(?![\w\-])"
)
_ORDINAL_END = ("st", "nd", "rd", "th")


_POSTCODE_HINT = re.compile(r"\d[A-Za-z]{2}(?![A-Za-z])")


def find_postcodes(text: str) -> Iterator[Found]:
    if not _POSTCODE_HINT.search(text):
        return
    for m in _POSTCODE.finditer(text):
        value = m.group(0)
        if not value.isupper() and value[-2:].lower() in _ORDINAL_END:
            continue  # "b12 3rd"
        yield Found(m.start(), m.end(), "POSTCODE", "postcode.pattern", 0.9)


FINDERS = {
    "EMAIL": find_emails,
    "URL": find_urls,
    "IP_ADDRESS": find_ips,
    "PHONE": find_phones,
    "NHS_NUMBER": find_nhs_numbers,
    "NI_NUMBER": find_ni_numbers,
    "POSTCODE": find_postcodes,
}
