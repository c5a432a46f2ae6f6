"""Late detection: how many working days before its deadline an item was first seen.

German federal hearings give on average about three working weeks; an item first seen with
fewer than ``LATE_WORKING_DAYS`` left is "spät entdeckt", and counted per source, so the
team sees which sources bring news late. A baseline import (a source's first collection)
says nothing about how early that source brings news: its items count for the item, not
for the source. Pure functions over ``work.workdays``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from tracker.clock import berlin_day
from tracker.work import workdays

LATE_WORKING_DAYS = 10


def working_days_warning(first_seen_at: datetime, deadline: date, land: str | None = None) -> int:
    """Working days from the (Berlin) day an item was first seen up to its deadline;
    zero or negative when it was first seen on or after the deadline."""
    return workdays.working_days_between(berlin_day(first_seen_at), deadline, land)


def is_late(first_seen_at: datetime | None, deadline: date | None, land: str | None = None) -> bool:
    """First seen with fewer than LATE_WORKING_DAYS working days left ("spät entdeckt")."""
    if first_seen_at is None or deadline is None:
        return False
    return working_days_warning(first_seen_at, deadline, land) < LATE_WORKING_DAYS


@dataclass(frozen=True)
class SourceLateness:
    """Of a source's items with a deadline (baseline imports aside), how many it brought late."""

    with_deadline: int = 0
    late: int = 0

    @property
    def share(self) -> float | None:
        return self.late / self.with_deadline if self.with_deadline else None


def lateness_by_source(sightings: Iterable[tuple[str, datetime, date, bool]],
                       land: str | None = None) -> dict[str, SourceLateness]:
    """Per source, from (source, that source's first sight, deadline, baseline) rows."""
    counts: dict[str, tuple[int, int]] = {}
    for source_id, seen, deadline, baseline in sightings:
        if baseline:
            continue
        total, late = counts.get(source_id, (0, 0))
        counts[source_id] = (total + 1, late + is_late(seen, deadline, land))
    return {source_id: SourceLateness(total, late) for source_id, (total, late) in counts.items()}
