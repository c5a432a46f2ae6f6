"""Shared test fixtures: a fresh database per test, paths to shared fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = PROJECT_ROOT.parent / "shared"
SHARED_FIXTURES = SHARED_DIR / "fixtures"
FEED_FIXTURES = SHARED_FIXTURES / "feeds"
IN_CI = bool(os.environ.get("CI"))


def require_shared(path: Path) -> Path:
    """Skip when the shared fixtures are absent, but fail in CI where they must be there."""
    if not path.exists():
        if IN_CI:
            pytest.fail(f"shared fixture missing in CI: {path}")
        pytest.skip(f"shared fixture not present: {path}")
    return path


@pytest.fixture
def shared_feeds() -> Path:
    return require_shared(FEED_FIXTURES)


@pytest.fixture
def relevance_dev() -> Path:
    return require_shared(SHARED_FIXTURES / "relevance_dev.tsv")


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh database file for this test, also exported as TRACKER_DB."""
    path = tmp_path / "tracker.duckdb"
    monkeypatch.setenv("TRACKER_DB", str(path))
    return path
