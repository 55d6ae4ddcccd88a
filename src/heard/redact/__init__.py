"""Redaction: find personal data and replace it with typed placeholders, on this machine.

    >>> from heard.redact import Redactor
    >>> r = Redactor(pseudonyms="story")
    >>> result = r.redact("My social worker Priya Kaur rang on 07700 900123.")
    >>> result.text
    'My social worker [NAME-1] rang on [PHONE-1].'
    >>> result.counts
    {'NAME': 1, 'PHONE': 1}

Kinds (:data:`KINDS`): ``NAME``, ``PHONE``, ``EMAIL``, ``NHS_NUMBER``, ``NI_NUMBER``,
``POSTCODE``, ``ADDRESS``, ``DATE_OF_BIRTH``, ``URL``, ``IP_ADDRESS``. Each is
replaced by ``[KIND]``, or ``[KIND-n]`` with pseudonyms, so sentences stay readable
and analysis can still tell people apart.

Nothing is downloaded, ever: structured identifiers are found with patterns (after
Presidio's UK recognizers, widened to the way people type), names with heard's own
detector (titles and roles, bundled given-name and surname lists from many cultures,
word frequencies from the ``wordfreq`` package, a project's known names, and an
allow-list of places, services and organisations). Each
:class:`Redaction` carries a record (:class:`RedactedSpan`: offsets, kind, detector,
score, placeholder) that never holds the original values.

For tables, :func:`redact_frame` redacts chosen columns of a DataFrame; on the
command line, ``heard redact FILE --text COLUMN -o OUT``.
"""

from __future__ import annotations

from heard.redact._frame import redact_frame
from heard.redact._redactor import MAX_TEXT_CHARS, Redactor, as_text
from heard.redact._types import KIND_LABELS, KINDS, RedactedSpan, Redaction

__all__ = [
    "KINDS",
    "KIND_LABELS",
    "MAX_TEXT_CHARS",
    "RedactedSpan",
    "Redaction",
    "Redactor",
    "as_text",
    "redact",
    "redact_frame",
]


def redact(text: object, **options: object) -> Redaction:
    """Redact one text with a new :class:`Redactor` (``options`` as for Redactor)."""
    return Redactor(**options).redact(text)  # type: ignore[arg-type]
