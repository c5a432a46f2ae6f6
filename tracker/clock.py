"""The team's calendar day: the one place that says which day "today" is.

Deadlines, letters and submissions are German calendar days. The machine may run in UTC
(a server, CI): between 22:00/23:00 UTC and midnight its date is already a day behind
Berlin's, so "today" is always read in Europe/Berlin, never from the machine's clock zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")


def berlin_day(moment: datetime) -> date:
    """The Berlin calendar day of a moment (a naive moment is taken as UTC)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(BERLIN).date()


def today() -> date:
    """Today in Berlin."""
    return berlin_day(datetime.now(UTC))
