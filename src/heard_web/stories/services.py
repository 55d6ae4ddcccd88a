"""Stories: the only module of this app that calls the heard library (ingest, redact, embed).

Views and tasks call these functions; they turn ORM rows into library types and back.
"""

from __future__ import annotations
