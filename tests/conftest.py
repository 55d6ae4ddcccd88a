"""Shared fixtures: one real embedding model per test session, a private cache per test run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "src" / "heard" / "data" / "sample"


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An embedding cache shared by the tests of one run (never the user's own cache)."""
    return tmp_path_factory.mktemp("heard-cache")


@pytest.fixture(scope="session")
def embedder(cache_dir: Path):
    from heard.embed import Embedder

    return Embedder(cache_dir=cache_dir)


@pytest.fixture(scope="session")
def output_root() -> Path:
    """Where tests leave files worth looking at after a run (test-output/ in the project)."""
    root = Path(
        os.environ.get("HEARD_TEST_OUTPUT", Path(__file__).resolve().parents[1] / "test-output")
    )
    root.mkdir(parents=True, exist_ok=True)
    return root
