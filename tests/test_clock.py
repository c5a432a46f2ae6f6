"""Which day is "today": Berlin's, also on a machine whose clock runs in UTC."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from tests.conftest import PROJECT_ROOT
from tracker import clock


@pytest.mark.parametrize(("moment", "day"), [
    (datetime(2026, 12, 4, 22, 59, tzinfo=UTC), date(2026, 12, 4)),   # 23:59 in Berlin (CET)
    (datetime(2026, 12, 4, 23, 2, tzinfo=UTC), date(2026, 12, 5)),    # 00:02 in Berlin: the next day
    (datetime(2026, 7, 1, 22, 30, tzinfo=UTC), date(2026, 7, 2)),     # 00:30 in Berlin (CEST)
    (datetime(2026, 7, 1, 21, 59, tzinfo=UTC), date(2026, 7, 1)),
    (datetime(2026, 12, 4, 23, 2), date(2026, 12, 5)),                 # a naive moment is UTC
])
def test_the_day_is_berlins(moment: datetime, day: date) -> None:
    assert clock.berlin_day(moment) == day


MACHINE_DAY = re.compile(r"date\.today\(\)|datetime\.now\(\)|now\(UTC\)\.date\(\)|ZoneInfo\(\"Europe/Berlin\"\)")


def test_no_other_module_reads_the_day_from_the_machine_zone() -> None:
    """The rule lives in tracker/clock.py only: a second copy is how the letter came to be
    dated a day before its submission record around midnight."""
    offenders = [
        f"{path.relative_to(PROJECT_ROOT)}:{number}"
        for folder in ("tracker", "app_pages", "scripts", "bench", "tests")
        for path in sorted((PROJECT_ROOT / folder).rglob("*.py")) if path.name != "clock.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if MACHINE_DAY.search(line)
    ]
    assert offenders == []
