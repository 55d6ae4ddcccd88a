"""``heard manage check_worker``: enqueue a ping and wait for a worker to answer it."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from heard_web.core.tasks import ping


class Command(BaseCommand):
    help = "Check that a background worker is taking tasks: enqueue a ping and wait for it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--timeout",
            type=float,
            default=30.0,
            help="Seconds to wait for the answer (default 30).",
        )

    def handle(self, *args: Any, timeout: float, **options: Any) -> None:
        started = time.monotonic()
        result = ping.enqueue(note="check_worker")
        while time.monotonic() - started < timeout:
            result.refresh()
            if result.is_finished:
                break
            time.sleep(0.2)
        else:
            raise CommandError(
                f"No worker answered within {timeout:.0f} s. Start one with `heard worker` "
                "(or `heard serve`, which starts one), then try again."
            )
        if result.status != "SUCCESSFUL":
            raise CommandError(f"The ping task ended as {result.status}; see the worker's log.")
        took = time.monotonic() - started
        self.stdout.write(f"A worker answered in {took:.1f} s: {result.return_value['worker']}.")
