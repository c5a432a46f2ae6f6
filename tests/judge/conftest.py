"""A judge built once per test session (loading spaCy costs about a second)."""

from __future__ import annotations

import pytest

from tracker.judge import Judge
from tracker.judge.taxonomy import load_taxonomy


@pytest.fixture(scope="session")
def rules_judge() -> Judge:
    return Judge(load_taxonomy())
