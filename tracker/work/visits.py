"""What NEU means in the inbox: new since this user last looked.

When a user opens the inbox in a new dashboard session, the time of their previous look
becomes the cutoff for that session (items first seen after it are NEU); every look
moves the stored time on. A first look counts from the start of the last collection (or,
before any collection, the last week; ``tracker.work.inbox.new_cutoff``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from tracker.models import User
from tracker.storage import inbox as store
from tracker.storage import open_db
from tracker.work import inbox


def start_looking(user: User, *, now: datetime | None = None) -> datetime:
    """The NEU cutoff for this session of the user (call once per session)."""
    now = now or datetime.now(UTC)
    with open_db() as con:
        return inbox.new_cutoff(store.last_inbox_visit(con, user.id), store.last_collection_start(con), now)


def looked(user: User, *, now: datetime | None = None) -> None:
    """Remember that the user has seen the inbox now."""
    with open_db() as con:
        store.record_inbox_visit(con, user.id, now or datetime.now(UTC))
