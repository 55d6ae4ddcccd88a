"""Settings come from environment variables through strict readers: a typo is an error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from heard_web._env import env_bool, env_choice, env_int, env_list, parse_database_url, redis_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("value", ["1", "true", "Yes", " on "])
def test_yes_values_are_understood(value):
    assert env_bool("DEBUG", environ={"DEBUG": value}) is True


@pytest.mark.parametrize("value", ["0", "false", "NO", "off", ""])
def test_no_values_are_understood(value):
    assert env_bool("DEBUG", True, environ={"DEBUG": value}) is False


def test_a_misspelt_yes_no_value_is_refused_with_the_accepted_values():
    with pytest.raises(
        ImproperlyConfigured, match=r"DEBUG='ture' is not a yes/no value.*true, false"
    ):
        env_bool("DEBUG", environ={"DEBUG": "ture"})


def test_numbers_are_checked_for_range_and_form():
    assert env_int("N", 5, environ={}) == 5
    assert env_int("N", 5, minimum=1, maximum=10, environ={"N": "7"}) == 7
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        env_int("N", 5, environ={"N": "7s"})
    with pytest.raises(ImproperlyConfigured, match="out of range"):
        env_int("N", 5, minimum=1, maximum=10, environ={"N": "0"})


def test_lists_refuse_a_stray_comma_and_fall_back_when_empty():
    assert env_list("H", ["a"], environ={"H": ""}) == ["a"]
    assert env_list("H", environ={"H": "x.org, y.org"}) == ["x.org", "y.org"]
    with pytest.raises(ImproperlyConfigured, match="empty item"):
        env_list("H", environ={"H": "x.org,,y.org"})


def test_choices_name_the_allowed_words():
    with pytest.raises(ImproperlyConfigured, match="debug, info"):
        env_choice("LOG_LEVEL", ("debug", "info"), "info", environ={"LOG_LEVEL": "verbose"})


def test_a_postgres_url_is_split_into_django_settings():
    db = parse_database_url(
        "DATABASE_URL", "postgres://heard:s%40cret@db.example:6543/heard?sslmode=require"
    )
    assert (db.engine, db.name, db.user, db.password, db.host, db.port) == (
        "django.db.backends.postgresql",
        "heard",
        "heard",
        "s@cret",
        "db.example",
        "6543",
    )
    assert dict(db.options) == {"sslmode": "require"}


def test_a_database_url_heard_cannot_use_says_what_it_can_use():
    with pytest.raises(ImproperlyConfigured, match="PostgreSQL.*SQLite"):
        parse_database_url("DATABASE_URL", "mysql://root@localhost/heard")
    with pytest.raises(ImproperlyConfigured, match="no database name"):
        parse_database_url("DATABASE_URL", "postgres://localhost:5432/")


def test_a_sqlite_url_gives_the_file():
    assert (
        parse_database_url("DATABASE_URL", "sqlite:////var/heard/db.sqlite3").name
        == "/var/heard/db.sqlite3"
    )
    assert parse_database_url("DATABASE_URL", "sqlite:///heard.db").name == "heard.db"


def test_a_redis_url_must_look_like_one():
    assert redis_url("REDIS_URL", "redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
    with pytest.raises(ImproperlyConfigured, match="not a Redis URL"):
        redis_url("REDIS_URL", "127.0.0.1:6379")


def _settings_in(env: dict[str, str], expression: str) -> str:
    """Evaluate an expression on heard_web.settings loaded in a fresh process with ``env``."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
    }
    result = subprocess.run(
        [sys.executable, "-c", f"import heard_web.settings as s; print({expression})"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_default_is_sqlite_in_wal_mode_in_the_data_folder(tmp_path):
    out = _settings_in(
        {"HEARD_DATA_DIR": str(tmp_path / "d")},
        "s.DATABASES['default']['NAME'], s.DATABASES['default']['OPTIONS'], s.TASKS['default']['BACKEND']",
    )
    assert str(tmp_path / "d" / "heard.sqlite3") in out
    assert "journal_mode=WAL" in out and "'transaction_mode': 'IMMEDIATE'" in out
    assert "django_tasks_db.DatabaseBackend" in out


def test_the_secret_key_is_generated_once_and_kept(tmp_path):
    env = {"HEARD_DATA_DIR": str(tmp_path)}
    first = _settings_in(env, "s.SECRET_KEY")
    assert len(first) >= 50
    assert _settings_in(env, "s.SECRET_KEY") == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0  # only its owner can read it


def test_database_and_redis_urls_switch_the_backends(tmp_path):
    out = _settings_in(
        {
            "HEARD_DATA_DIR": str(tmp_path),
            "DATABASE_URL": "postgres://u@h:5432/d",
            "REDIS_URL": "redis://127.0.0.1:6379/3",
        },
        "s.DATABASES['default']['ENGINE'], s.TASKS['default']['BACKEND'], s.RQ_QUEUES['default']['URL']",
    )
    assert "postgresql" in out and "django_tasks_rq.RQBackend" in out and "/3" in out


def test_every_setting_is_listed_in_the_env_example_and_the_readme():
    settings_source = (ROOT / "src" / "heard_web" / "settings.py").read_text()
    import re

    names = set(re.findall(r'env_(?:str|bool|int|list|choice)\(\s*"([A-Z_]+)"', settings_source))
    example = (ROOT / ".env.example").read_text()
    readme = (ROOT / "README.md").read_text()
    assert len(names) > 10
    for name in names:
        assert f"\n{name}=" in example, name
        assert f"`{name}`" in readme, name


@pytest.mark.parametrize("value", ["one", "-1", "11", "1.5"])
def test_the_number_of_trusted_proxies_must_be_a_whole_number_from_0_to_10(tmp_path, value):
    result = subprocess.run(
        [sys.executable, "-c", "import heard_web.settings"],
        env={**os.environ, "HEARD_DATA_DIR": str(tmp_path), "HEARD_TRUSTED_PROXIES": value},
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode != 0 and "HEARD_TRUSTED_PROXIES" in result.stderr


def test_no_proxy_is_trusted_unless_the_setting_says_how_many(tmp_path):
    env = {"HEARD_DATA_DIR": str(tmp_path), "HEARD_TRUSTED_PROXIES": "2"}
    assert _settings_in(env, "s.TRUSTED_PROXIES") == "2"
    assert _settings_in({"HEARD_DATA_DIR": str(tmp_path)}, "s.TRUSTED_PROXIES") == "0"
