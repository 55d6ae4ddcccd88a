"""Django for the web tests only: settings, a private data folder, per-run database and queue.

The library's tests (tests/*.py) never load Django. Here, before Django starts:
- HEARD_DATA_DIR is a fresh temporary folder (never the developer's ./heard-data);
- with DATABASE_URL (PostgreSQL), the test database gets this process's id in its name, so
  people running the suite at the same time on one server do not drop each other's database;
- with REDIS_URL, the queue uses a Redis database chosen from the process id, for the same
  reason (the worker of one run must not take another run's tasks).
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import django
import pytest

os.environ["DJANGO_SETTINGS_MODULE"] = "heard_web.settings"
os.environ["HEARD_DATA_DIR"] = tempfile.mkdtemp(prefix="heard-web-test-")
atexit.register(shutil.rmtree, os.environ["HEARD_DATA_DIR"], True)
os.environ.setdefault("SECRET_KEY", "test-secret-key-that-is-long-enough-0123456789")
# Torch's OpenMP thread pool does not survive fork(): once a test has used the embedding model
# in this process, an RQ work-horse forked from it hangs on its first use of torch (measured:
# test_imports' worker test never finished after the analysis tests). One thread makes no pool,
# and the test corpora are tiny. (`heard worker` never loads torch before it forks.)
os.environ["OMP_NUM_THREADS"] = "1"
if os.environ.get("REDIS_URL"):
    # redis://host:port or redis://host:port/0 -> redis://host:port/N, N in 1..15
    os.environ["REDIS_URL"] = re.sub(
        r"(/\d*)?$", f"/{1 + os.getpid() % 15}", os.environ["REDIS_URL"], count=1
    )

sys.path.insert(0, str(Path(__file__).resolve().parent))

django.setup()


@pytest.fixture(scope="session")
def django_db_modify_db_settings() -> None:
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("postgresql"):
        db.setdefault("TEST", {})["NAME"] = f"test_heard_{os.getpid()}"


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:
    # Real hashing takes ~0.3 s per user; the tests make many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def roles(db):
    """One project with an owner, an analyst and a viewer; an outsider in another project."""
    from factories import make_project, make_user

    owner, analyst, viewer, outsider = (
        make_user(name) for name in ("olivia-owner", "arun-analyst", "vera-viewer", "otto-outsider")
    )
    project = make_project(
        owner=owner, name="Adoption journeys", members={analyst: "analyst", viewer: "viewer"}
    )
    other = make_project(owner=outsider, name="Someone else's project")
    return {
        "owner": owner,
        "analyst": analyst,
        "viewer": viewer,
        "outsider": outsider,
        "project": project,
        "other_project": other,
    }
