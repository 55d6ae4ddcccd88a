"""Errors that heard raises, each with a message a person can act on.

Every message says what happened, why, and what to do next. The command line turns
these into a one-line message and a non-zero exit; the library lets them propagate.

    HeardError
    ├── InputError                 the input file or table cannot be used
    │   ├── EmptyInputError        no rows, or no text in any row
    │   ├── ColumnNotFoundError    a named column (--text, --id, --by, --time, --question) is missing
    │   ├── UnreadableFileError    wrong format, binary, undecodable, corrupt
    │   └── TooLargeError          a cell, sheet or file beyond heard's limits
    ├── CodebookError              the codebook file cannot be used
    ├── SettingsError              an option has a value heard cannot use
    └── MissingDependencyError     an optional package is not installed
"""

from __future__ import annotations

__all__ = [
    "CodebookError",
    "ColumnNotFoundError",
    "EmptyInputError",
    "HeardError",
    "InputError",
    "MissingDependencyError",
    "SettingsError",
    "TooLargeError",
    "UnreadableFileError",
]


class HeardError(Exception):
    """Base class for every error heard raises on purpose."""


class InputError(HeardError):
    """The input cannot be used as it is."""


class EmptyInputError(InputError):
    """The input has no rows, or no text to analyse."""


class ColumnNotFoundError(InputError):
    """A column named by the user is not in the input."""


class UnreadableFileError(InputError):
    """The file is not in a format heard can read, or is damaged."""


class TooLargeError(InputError):
    """A cell, sheet or file is beyond what heard accepts."""


class CodebookError(HeardError):
    """The codebook cannot be used."""


class SettingsError(HeardError):
    """An option has a value heard cannot use."""


class MissingDependencyError(HeardError):
    """An optional package is needed but not installed."""

    def __init__(self, package: str, extra: str | None = None, purpose: str = "") -> None:
        install = f'pip install "heard[{extra}]"' if extra else f"pip install {package}"
        why = f" to {purpose}" if purpose else ""
        super().__init__(
            f"heard needs the package '{package}'{why}, and it is not installed. Install it with: {install}"
        )
        self.package = package
