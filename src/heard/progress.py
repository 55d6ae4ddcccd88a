"""Progress for long stages: bars on the terminal, or a callback for other front ends."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["Progress"]

Update = Callable[[int, int], None]


class Progress:
    """Reports progress of named stages.

    ``enabled`` draws tqdm bars on stderr; ``callback(stage, done, total)`` receives
    every update (the web app's job status uses it). Both may be off.
    """

    def __init__(
        self, enabled: bool = True, callback: Callable[[str, int, int], None] | None = None
    ) -> None:
        self.enabled = enabled
        self.callback = callback

    @contextmanager
    def stage(self, name: str, total: int | None = None, unit: str = "step") -> Iterator[Update]:
        bar: Any = None
        if self.enabled:
            from tqdm import tqdm

            bar = tqdm(
                total=total, desc=name, unit=unit, file=sys.stderr, leave=True, dynamic_ncols=True
            )

        def update(done: int, new_total: int) -> None:
            if bar is not None:
                if bar.total != new_total:
                    bar.total = new_total
                    bar.refresh()
                bar.n = done
                bar.refresh()
            if self.callback is not None:
                self.callback(name, done, new_total)

        try:
            yield update
        finally:
            if bar is not None:
                bar.close()
