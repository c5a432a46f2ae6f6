"""What the dashboard's reading pages show, read for a user who may see it.

Eingang, Vorgang, Themen and Quellen are the policy team's pages: each read checks the team
role here, not only in the navigation, and a member asking gets ``PermissionDenied``. Each
read is one short connection, which also gives the demo shift the page's banner shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from tracker.access import permissions
from tracker.models import User
from tracker.storage import inbox as store
from tracker.storage import open_db
from tracker.storage.meta import demo_shift_days, recent_runs
from tracker.work.inbox import DEFAULT_SORT, InboxFilter


@dataclass(frozen=True)
class Read:
    """What a page read, with the days the stored demo data was shifted by (None: no demo)."""

    shift: int | None
    data: Any


def demo_shift() -> int | None:
    """For pages everyone sees: only the demo banner's days."""
    with open_db() as con:
        return demo_shift_days(con)


def inbox(user: User, wanted: InboxFilter, *, today: date, sort: str = DEFAULT_SORT, page: int = 1) -> Read:
    """One page of the inbox with its facet counts (``storage.inbox.InboxView``)."""
    permissions.require_team(user)
    with open_db() as con:
        return Read(demo_shift_days(con), store.inbox_view(con, wanted, today=today, sort=sort, page=page))


@dataclass(frozen=True)
class ItemPage:
    item: dict[str, Any] | None  # None: no such item (any more)
    owners: list[str]  # who can be made responsible


def item(user: User, item_id: str) -> Read:
    """One item with its judgement, triage, sources and history (``ItemPage``)."""
    permissions.require_team(user)
    with open_db() as con:
        return Read(demo_shift_days(con), ItemPage(store.item_detail(con, item_id), store.owner_choices(con)))


@dataclass(frozen=True)
class TopicStatistics:
    weeks: list[dict[str, Any]]  # items per topic and week since the date asked for
    scores: list[dict[str, Any]]  # the score histogram
    per_source: list[dict[str, Any]]
    per_jurisdiction: list[dict[str, Any]]


def topic_statistics(user: User, *, since: date) -> Read:
    permissions.require_team(user)
    with open_db() as con:
        return Read(demo_shift_days(con), TopicStatistics(
            store.topic_week_counts(con, since), store.score_histogram(con), store.items_per_source(con),
            store.items_per_jurisdiction(con)))


def collection_runs(user: User, limit: int = 5) -> Read:
    """The latest collection runs, newest first."""
    permissions.require_team(user)
    with open_db() as con:
        return Read(demo_shift_days(con), recent_runs(con, limit=limit))
