"""The analysis app's own error (the views show its message; the API puts it in its envelope)."""

from __future__ import annotations


class AnalysisError(Exception):
    """A run that cannot start or finish, with a message for the person who asked for it."""
