"""Reports and downloads: the only module of this app that calls the heard library (report)."""

from __future__ import annotations
