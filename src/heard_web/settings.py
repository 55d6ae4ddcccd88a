"""Django settings for heard's web application, read only from environment variables.

Every variable is listed in ``.env.example`` and the README. Readers in ``_env`` reject a
value they do not understand instead of guessing.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from heard_web._env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    parse_database_url,
    redis_url,
)

PACKAGE_DIR = Path(__file__).resolve().parent

# --- data folder: the SQLite database, uploaded files and the generated secret key ---
DATA_DIR = Path(env_str("HEARD_DATA_DIR", "heard-data") or "heard-data").expanduser().resolve()
if DATA_DIR.exists() and not DATA_DIR.is_dir():
    raise ImproperlyConfigured(
        f"HEARD_DATA_DIR={DATA_DIR} is a file, not a folder. Point it at a folder heard can use."
    )
DATA_DIR.mkdir(parents=True, exist_ok=True)
UPLOAD_DIR = DATA_DIR / "uploads"

DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    """SECRET_KEY, or a key generated on first run and kept in the data folder."""
    given = env_str("SECRET_KEY")
    if given:
        if len(given) < 32:
            raise ImproperlyConfigured(
                "SECRET_KEY is shorter than 32 characters. Leave it unset (heard then keeps a "
                "generated key in HEARD_DATA_DIR) or use a long random value."
            )
        return given
    path = DATA_DIR / "secret_key"
    if not path.exists():
        key = secrets.token_urlsafe(50)
        # O_EXCL: two processes starting at once (server and worker) must not both write it.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(key)
    key = path.read_text(encoding="ascii").strip()
    if not key:
        raise ImproperlyConfigured(
            f"{path} is empty. Delete it and restart heard to generate a new key."
        )
    return key


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SECURE_COOKIES = env_bool("SECURE_COOKIES", False)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
CSRF_FAILURE_VIEW = "heard_web.core.views.csrf_failure"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_HTTPS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Reverse proxies in front of heard that append the client's address to X-Forwarded-For
# (0: none, the header is ignored). The rate limits and the audit log then read the address
# the outermost trusted proxy saw, never one a client wrote itself (core/clients.py).
TRUSTED_PROXIES = env_int("HEARD_TRUSTED_PROXIES", 0, minimum=0, maximum=10)

# --- applications: one per concern (see README.md in this folder) ---
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    # ninja's own static files: the API docs page then loads nothing from a CDN.
    "ninja",
    "heard_web.core",
    "heard_web.accounts",
    "heard_web.projects",
    "heard_web.stories",
    "heard_web.analysis",
    "heard_web.reports",
    "heard_web.listen",
    "heard_web.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "heard_web.core.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "heard_web.urls"
WSGI_APPLICATION = "heard_web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "heard_web.core.context_processors.heard",
            ],
        },
    }
]

# --- database: SQLite in the data folder, or PostgreSQL from DATABASE_URL ---
_database_url = env_str("DATABASE_URL")
_db = parse_database_url("DATABASE_URL", _database_url) if _database_url else None
if _db is not None and _db.engine == "django.db.backends.postgresql":
    DATABASES = {
        "default": {
            "ENGINE": _db.engine,
            "NAME": _db.name,
            "USER": _db.user,
            "PASSWORD": _db.password,
            "HOST": _db.host,
            "PORT": _db.port,
            "OPTIONS": dict(_db.options),
            "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0, maximum=86400),
            "CONN_HEALTH_CHECKS": True,
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "heard.sqlite3" if _db is None else Path(_db.name)),
            "OPTIONS": {
                # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock
                # at BEGIN so concurrent writers queue on the busy timeout instead of failing.
                # secure_delete: deleted rows are overwritten with zeros (erasure, issue 5).
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                    "PRAGMA secure_delete=ON;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": env_int("SQLITE_BUSY_TIMEOUT", 30, minimum=1, maximum=600),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- background tasks: the database backend by default, RQ on Redis when REDIS_URL is set ---
_redis = env_str("REDIS_URL")
REDIS_URL = redis_url("REDIS_URL", _redis) if _redis else ""
TASK_QUEUES = ["default"]
if REDIS_URL:
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 6 * 3600} for name in TASK_QUEUES}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": TASK_QUEUES}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": TASK_QUEUES}}

# --- accounts and e-mail ---
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "projects:index"
LOGOUT_REDIRECT_URL = "login"

EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1, maximum=65535)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    # No mail server configured: e-mails (password resets) are printed to the console.
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "heard@localhost")

# --- files ---
MAX_UPLOAD_MB = env_int("HEARD_MAX_UPLOAD_MB", 200, minimum=1, maximum=10_000)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_MB * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = None

# --- the public story form (heard_web.listen) ---
# Stories a client (an IP address) may send per hour, and withdrawals it may try per hour;
# 0 turns the limit off (benchmarks/form_load.py sets it high).
FORM_RATE_LIMIT = env_int("HEARD_FORM_RATE_LIMIT", 20, minimum=0, maximum=10_000_000)
WITHDRAW_RATE_LIMIT = env_int("HEARD_WITHDRAW_RATE_LIMIT", 20, minimum=0, maximum=10_000_000)
# Longest answer, in characters; a request body over a few times that is refused unread.
HEARD_FORM_MAX_CHARS = env_int("HEARD_FORM_MAX_CHARS", 10_000, minimum=100, maximum=200_000)

# --- static files: compiled once into the package (make assets), served by WhiteNoise ---
STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "Europe/London")
USE_I18N = False
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice("LOG_LEVEL", ("debug", "info", "warning", "error"), "info").upper(),
    },
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
