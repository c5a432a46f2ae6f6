"""What NEU means in the inbox: new since this user last looked.

A look lasts while the user keeps coming back within ``LOOK_GAP`` (reloads, other tabs,
the login's own reload): during it, items first seen after the cutoff are NEU. A user
who returns after a longer pause starts a new look, whose cutoff is the end of the last
one. A first look counts from the start of the last collection (or, before any
collection, the last week; ``tracker.work.inbox.new_cutoff``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tracker.models import User
from tracker.storage import inbox as store
from tracker.storage import open_db
from tracker.work import inbox

LOOK_GAP = timedelta(minutes=30)


def start_looking(user: User, *, now: datetime | None = None) -> datetime:
    """The NEU cutoff for the user's current look (call when a dashboard session opens the inbox)."""
    now = now or datetime.now(UTC)
    with open_db() as con:
        visit = store.inbox_visit(con, user.id)
        if visit is not None and now - visit[0] <= LOOK_GAP:
            return visit[1]  # the same look goes on
        cutoff = inbox.new_cutoff(visit[0] if visit else None, store.last_collection_start(con), now)
        store.record_inbox_visit(con, user.id, now, new_since=cutoff)
    return cutoff


def looked(user: User, *, now: datetime | None = None) -> None:
    """Remember that the user is looking at the inbox now."""
    with open_db() as con:
        store.record_inbox_visit(con, user.id, now or datetime.now(UTC))
