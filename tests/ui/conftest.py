"""Fixtures for dashboard tests: a seeded database and an AppTest of the real app."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.browser import chromium
from tests.ui.seed import seed, standard_specs
from tracker.ui.widgets import today

APP = Path(__file__).resolve().parents[2] / "streamlit_app.py"


@pytest.fixture(autouse=True)
def local_use(monkeypatch: pytest.MonkeyPatch) -> None:
    """Single-user mode: the acting user is TRACKER_LOCAL_USER (the login gate has its own tests)."""
    monkeypatch.setenv("TRACKER_AUTH", "off")


@pytest.fixture
def day() -> date:
    return today()


@pytest.fixture
def seeded(db_path: Path, day: date, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TRACKER_LOCAL_USER", "anna")
    monkeypatch.setenv("TRACKER_LAND", "NW")
    seed(db_path, standard_specs(day))
    return db_path


@pytest.fixture
def open_app() -> Callable[..., AppTest]:
    """Run the app, then switch to ``page`` (with ``query`` parameters) and run again."""
    def run(page: str | None = None, query: dict[str, str] | None = None) -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=60)
        at.run()
        if page or query:
            if page:
                at.switch_page(page)
            at.query_params.update(query or {})
            at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at
    return run


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian Chromium for the browser tests of one module (each test opens its own page)."""
    with chromium() as launched:
        yield launched
