"""heard: find the real issues in what people say, on your own machine.

    >>> import heard
    >>> result = heard.find_themes(df, text="comment", by=["role"], time="date")
    >>> result.themes, result.assignments
    >>> result.to_html()

Heavy parts (torch, the embedding model) load only when they are first needed, so
``import heard`` and ``heard --help`` stay fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from heard.errors import (
    CodebookError,
    ColumnNotFoundError,
    EmptyInputError,
    HeardError,
    InputError,
    MissingDependencyError,
    SettingsError,
    TooLargeError,
    UnreadableFileError,
)

__version__ = "0.1.0"

__all__ = [
    "Analysis",
    "CodebookError",
    "ColumnNotFoundError",
    "EmptyInputError",
    "HeardError",
    "InputError",
    "MissingDependencyError",
    "SettingsError",
    "TooLargeError",
    "UnreadableFileError",
    "__version__",
    "analyse",
    "find_themes",
    "read",
]

if TYPE_CHECKING:
    from heard.analysis import Analysis, analyse, find_themes
    from heard.ingest import read

_LAZY = {
    "Analysis": "heard.analysis",
    "analyse": "heard.analysis",
    "find_themes": "heard.analysis",
    "read": "heard.ingest",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'heard' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
