"""How every ``heard`` command turns errors into messages (shared by all commands).

heard's own errors become one red line and exit status 1; running out of memory a
hint and status 1; Ctrl-C status 130; anything else a short apology, status 2, and
the traceback only with ``--debug``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

from heard.errors import HeardError

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["friendly_errors"]


def friendly_errors(memory_hint: str) -> Callable[[F], F]:
    """Decorate a click command; ``memory_hint`` says what to try when memory runs out."""

    def decorate(func: F) -> F:
        @wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            debug = bool(kwargs.get("debug"))
            try:
                return func(*args, **kwargs)
            except HeardError as exc:
                if debug:
                    raise
                click.secho(f"Error: {exc}", err=True, fg="red")
                sys.exit(1)
            except KeyboardInterrupt:
                click.echo("Stopped. Nothing was written.", err=True)
                sys.exit(130)
            except MemoryError:
                click.secho(
                    f"Error: this machine ran out of memory. {memory_hint}", err=True, fg="red"
                )
                sys.exit(1)
            except Exception as exc:
                if debug:
                    raise
                click.secho(
                    f"heard hit an unexpected problem ({type(exc).__name__}: {exc}). Nothing was written. "
                    "Run the same command with --debug to see the details, and please report it.",
                    err=True,
                    fg="red",
                )
                sys.exit(2)

        return wrapper  # type: ignore[return-value]

    return decorate
