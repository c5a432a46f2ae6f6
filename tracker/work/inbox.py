"""What the inbox shows and in which order: filters, ranking, urgency, paging.

Pure functions. The storage layer turns an ``InboxFilter`` and a sort key into SQL; the
ranking constants live here so the SQL and ``rank_score`` (used by tests and docs) agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from datetime import date

from tracker.work import workdays

PAGE_SIZE = 25
MAX_SEARCH_LENGTH = 200

# Relevance and urgency in one order: an item due in a few days outranks a slightly more
# relevant one due in months. Urgency rises linearly over the last URGENCY_HORIZON_DAYS
# calendar days (SQL cannot count holidays cheaply; the badge shows exact working days).
URGENCY_HORIZON_DAYS = 42
URGENCY_WEIGHT = 0.6
CHANGED_BONUS = 0.15

# Working days left at which the deadline badge turns red / amber.
CRITICAL_WORKDAYS = 5
SOON_WORKDAYS = 15

SORTS: dict[str, str] = {
    "rank": "Relevanz und Dringlichkeit",
    "deadline": "Frist zuerst",
    "newest": "Neueste zuerst",
    "score": "Relevanz",
}
DEFAULT_SORT = "rank"

URGENCY_LABELS: dict[str, str] = {
    "abgelaufen": "Frist abgelaufen",
    "kritisch": f"≤ {CRITICAL_WORKDAYS} Arbeitstage",
    "bald": f"≤ {SOON_WORKDAYS} Arbeitstage",
    "spaeter": "später",
    "keine": "keine Frist",
}


@dataclass(frozen=True)
class InboxFilter:
    """Every filter of the inbox; empty tuples mean "no restriction"."""

    topics: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    jurisdictions: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    text: str = ""
    min_score: float = 0.0
    only_changed: bool = False

    def without(self, name: str) -> InboxFilter:
        """The same filter with facet ``name`` cleared (for "how many if I pick this" counts)."""
        default = next(f.default for f in fields(self) if f.name == name)
        return replace(self, **{name: default})


FACETS = ("topics", "sources", "jurisdictions", "stages", "statuses", "owners")
NO_OWNER = "(niemand)"


def clean_search(text: str | None) -> str:
    """Collapse whitespace and cap the length; the storage layer binds it as a parameter."""
    return " ".join((text or "").split())[:MAX_SEARCH_LENGTH]


def make_filter(**values: object) -> InboxFilter:
    """Build a filter from widget values, normalising lists to sorted tuples."""
    cleaned: dict[str, object] = {}
    for name, value in values.items():
        if name in FACETS:
            cleaned[name] = tuple(sorted({str(v) for v in (value or ())}))  # type: ignore[union-attr]
        elif name == "text":
            cleaned[name] = clean_search(value)  # type: ignore[arg-type]
        else:
            cleaned[name] = value
    result = InboxFilter(**cleaned)  # type: ignore[arg-type]
    if result.date_from and result.date_to and result.date_from > result.date_to:
        result = replace(result, date_from=result.date_to, date_to=result.date_from)
    return result


def urgency_score(deadline: date | None, today: date) -> float:
    """0 without a deadline or after it, rising to 1 on the deadline day."""
    if deadline is None:
        return 0.0
    days = (deadline - today).days
    if days < 0:
        return 0.0
    return max(0.0, 1.0 - days / URGENCY_HORIZON_DAYS)


def rank_score(score: float | None, deadline: date | None, today: date, changed: bool) -> float:
    """The default inbox order, highest first (mirrored in SQL by tracker.storage.inbox)."""
    return ((score or 0.0) + URGENCY_WEIGHT * urgency_score(deadline, today)
            + (CHANGED_BONUS if changed else 0.0))


def working_days_left(deadline: date | None, today: date, land: str | None = None) -> int | None:
    if deadline is None:
        return None
    return workdays.working_days_between(today, deadline, land)


def urgency(deadline: date | None, today: date, land: str | None = None) -> str:
    """One of URGENCY_LABELS' keys, counted in working days with holidays of ``land``."""
    left = working_days_left(deadline, today, land)
    if left is None:
        return "keine"
    if deadline < today:  # type: ignore[operator]
        return "abgelaufen"
    if left <= CRITICAL_WORKDAYS:
        return "kritisch"
    if left <= SOON_WORKDAYS:
        return "bald"
    return "spaeter"


def deadline_phrase(deadline: date | None, today: date, land: str | None = None) -> str:
    """"Frist 12.05.2026 (noch 4 Arbeitstage)" in the words the team uses."""
    if deadline is None:
        return "keine Frist erkannt"
    left = working_days_left(deadline, today, land)
    if deadline < today:
        return f"Frist {deadline:%d.%m.%Y} (abgelaufen)"
    if deadline == today:
        return f"Frist {deadline:%d.%m.%Y} (heute)"
    unit = "Arbeitstag" if left == 1 else "Arbeitstage"
    return f"Frist {deadline:%d.%m.%Y} (noch {left} {unit})"


def page_count(total: int, page_size: int = PAGE_SIZE) -> int:
    return max(1, math.ceil(total / page_size))


def clamp_page(page: int, total: int, page_size: int = PAGE_SIZE) -> int:
    """Pages count from 1; a filter that shrank the result set must not leave an empty page."""
    return min(max(1, page), page_count(total, page_size))


def page_offset(page: int, page_size: int = PAGE_SIZE) -> int:
    return (max(1, page) - 1) * page_size
