"""``heard manage apply_retention``: erase every story older than its project's retention period.

The worker does this itself when it starts and then once a day; this runs it by hand.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Erase the stories that are older than their project's retention period, now."

    def handle(self, *args: Any, **options: Any) -> None:
        from heard_web.stories.erasure import apply_retention

        erased = apply_retention()
        if not erased:
            self.stdout.write("No story is past its project's retention period.")
            return
        for slug, count in erased.items():
            self.stdout.write(f"{slug}: {count} stor{'y' if count == 1 else 'ies'} erased.")
