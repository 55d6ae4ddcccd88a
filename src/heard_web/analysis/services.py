"""Analysis: the only module of this app that calls the heard library (themes, sentiment).

Views and tasks call these functions; they turn ORM rows into library types and back, and
replay a project's ThemeEdit log on each new run.
"""

from __future__ import annotations
