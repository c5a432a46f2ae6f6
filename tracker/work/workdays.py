"""German working-day arithmetic with federal and Land public holidays.

Association hearings are counted in working days; a date that lands on a holiday in the
configured Land is not a working day. Pure functions: dates in, dates out.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

from tracker import settings


def configured_land() -> str:
    """The Land whose holidays count: setting ``TRACKER_LAND`` (e.g. ``BY``), default NW."""
    return settings.get().land


@lru_cache(maxsize=64)
def _holidays(year: int, land: str | None) -> holidays.HolidayBase:
    return holidays.country_holidays("DE", subdiv=land, years=year, language="de")


def holiday_name(day: date, land: str | None = None) -> str | None:
    """The public holiday on ``day`` (federal or in ``land``), else None."""
    return _holidays(day.year, land).get(day)


def is_working_day(day: date, land: str | None = None) -> bool:
    """Monday to Friday and not a public holiday (federal, or in ``land`` if given)."""
    return day.weekday() < 5 and holiday_name(day, land) is None


def add_working_days(start: date, count: int, land: str | None = None) -> date:
    """The date ``count`` working days after ``start`` (before it when negative)."""
    step = 1 if count >= 0 else -1
    remaining = abs(count)
    day = start
    while remaining:
        day += timedelta(days=step)
        if is_working_day(day, land):
            remaining -= 1
    return day


def working_days_between(start: date, end: date, land: str | None = None) -> int:
    """Working days after ``start`` up to and including ``end`` (negative if end is earlier)."""
    if end < start:
        return -working_days_between(end, start, land)
    return sum(
        1 for offset in range(1, (end - start).days + 1)
        if is_working_day(start + timedelta(days=offset), land)
    )
