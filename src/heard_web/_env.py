"""Strict readers for environment variables: a typo is an error, never a silent default.

Each reader names the variable and the values it accepts, so a message such as
``DEBUG='ture' is not a yes/no value`` tells the person what to fix.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "", environ: Mapping[str, str] | None = None) -> str:
    """The variable's value with surrounding spaces removed, or ``default`` when unset."""
    environ = os.environ if environ is None else environ
    value = environ.get(name)
    return default if value is None else value.strip()


def env_bool(name: str, default: bool = False, environ: Mapping[str, str] | None = None) -> bool:
    """A yes/no variable: 1/0, true/false, yes/no, on/off (any case)."""
    environ = os.environ if environ is None else environ
    raw = environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a yes/no value. Use one of: true, false, 1, 0, yes, no, on, off."
    )


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """A whole number, optionally within [minimum, maximum]."""
    environ = os.environ if environ is None else environ
    raw = environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ImproperlyConfigured(
            f"{name}={value} is out of range: use a number from {minimum} to {maximum}."
        )
    return value


def env_list(
    name: str, default: list[str] | None = None, environ: Mapping[str, str] | None = None
) -> list[str]:
    """A comma-separated list (unset or empty: ``default``); an empty item is an error."""
    environ = os.environ if environ is None else environ
    raw = environ.get(name)
    if raw is None or not raw.strip():
        return list(default or [])
    items = [item.strip() for item in raw.split(",")]
    if any(not item for item in items):
        raise ImproperlyConfigured(
            f"{name}={raw!r} has an empty item. Separate values with single commas, e.g. "
            "'heard.example.org,localhost'."
        )
    return [item for item in items if item]


def env_choice(
    name: str, choices: tuple[str, ...], default: str, environ: Mapping[str, str] | None = None
) -> str:
    """One of a fixed set of words (case-insensitive)."""
    value = env_str(name, default, environ).lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of: {', '.join(choices)}.")
    return value


@dataclass(frozen=True)
class DatabaseURL:
    """The parts of DATABASE_URL that Django needs."""

    engine: str
    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""
    options: tuple[tuple[str, str], ...] = ()


def parse_database_url(name: str, raw: str) -> DatabaseURL:
    """postgres://user:password@host:port/dbname?sslmode=require, or sqlite:///path/to/file.db."""
    parts = urlsplit(raw.strip())
    scheme = parts.scheme.lower()
    if scheme in {"postgres", "postgresql", "pgsql"}:
        database = unquote(parts.path.lstrip("/"))
        if not database:
            raise ImproperlyConfigured(
                f"{name} has no database name. Write it as postgres://USER@HOST:5432/DATABASE."
            )
        try:
            port = str(parts.port or "")
        except ValueError:
            raise ImproperlyConfigured(f"{name} has a port that is not a number.") from None
        return DatabaseURL(
            engine="django.db.backends.postgresql",
            name=database,
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            host=unquote(parts.hostname or ""),
            port=port,
            options=tuple(parse_qsl(parts.query)),
        )
    if scheme == "sqlite":
        path = unquote(parts.path)
        if raw.startswith("sqlite:////"):
            path = "/" + path.lstrip("/")
        elif path.startswith("/"):
            path = path[1:]
        if not path:
            raise ImproperlyConfigured(f"{name} has no file name. Write it as sqlite:///heard.db.")
        return DatabaseURL(engine="django.db.backends.sqlite3", name=str(Path(path)))
    raise ImproperlyConfigured(
        f"{name} starts with {scheme + '://' if scheme else 'nothing heard recognises'}; heard "
        "works with PostgreSQL (postgres://USER:PASSWORD@HOST:5432/DATABASE) or SQLite "
        "(leave it unset to use HEARD_DATA_DIR/heard.sqlite3)."
    )


def redis_url(name: str, raw: str) -> str:
    """A redis:// or rediss:// URL, checked for its scheme."""
    value = raw.strip()
    if urlsplit(value).scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a Redis URL. Write it as redis://HOST:6379/0."
        )
    return value
