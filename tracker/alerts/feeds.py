"""Personal calendar subscriptions: one secret, revocable URL per user, served by the
dashboard process itself (``tracker.ui.routes``), so Outlook, Thunderbird or Apple
Calendar can subscribe without a separate web server.

Only the SHA-256 of a secret is stored: the address is shown once when it is made; a new
one revokes the old. What a calendar holds follows who asks:

- the team: every open deadline the team follows (``calendars.deadline_entries``), with
  the internal dates (member input, board sign-off);
- a member: the consultations its organisation was asked about and may see, with the
  hearing's deadline and the member input date, never the team's internal dates.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime

from tracker.access import auth
from tracker.alerts import calendars
from tracker.alerts.ical import DeadlineEntry, deadlines_calendar
from tracker.judge import taxonomy
from tracker.models import User
from tracker.storage import alerts as store
from tracker.storage import open_db
from tracker.storage.meta import demo_shift_days
from tracker.work import workspaces

ROUTE_PREFIX = "/kalender"


@dataclass(frozen=True)
class FeedStatus:
    created_at: datetime
    last_fetched_at: datetime | None
    fetches: int


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def path_for(secret: str) -> str:
    return f"{ROUTE_PREFIX}/{secret}.ics"


def create(user: User) -> str:
    """A new secret calendar address (path) for the user; earlier ones stop working."""
    secret = secrets.token_urlsafe(32)
    with open_db() as con:
        store.add_calendar_feed(con, user.id, _hash(secret), datetime.now(UTC))
    return path_for(secret)


def revoke(user: User) -> int:
    """Stop the user's calendar address; returns how many were live."""
    with open_db() as con:
        return store.revoke_calendar_feeds(con, user.id, datetime.now(UTC))


def status(user: User) -> FeedStatus | None:
    with open_db() as con:
        row = store.active_calendar_feed(con, user.id)
    return FeedStatus(row["created_at"], row["last_fetched_at"], row["fetches"]) if row else None


def entries_for(user: User, *, today: date | None = None) -> list[DeadlineEntry]:
    """The dates this user's calendar holds (see the module docstring)."""
    with open_db() as con:
        demo = demo_shift_days(con) is not None
    if user.is_team:
        return calendars.deadline_entries(today=today, include_demo=demo)
    entries = []
    for ws in workspaces.workspaces_for(user):
        common = dict(item_id=ws.item_id, title=ws.title, link=ws.link)
        if ws.external_deadline:
            entries.append(DeadlineEntry(**common, deadline=ws.external_deadline, kind="external"))
        if ws.member_input_due:
            entries.append(DeadlineEntry(**common, deadline=ws.member_input_due, kind="member_input"))
    return entries


def calendar_for(user: User, *, generated_at: datetime | None = None) -> bytes:
    name = "Konsultationsradar – meine Fristen" if user.is_team else "Konsultationsradar – Stellungnahmen"
    return deadlines_calendar(entries_for(user), name=name, generated_at=generated_at,
                              topic_labels=taxonomy.topic_labels())


def calendar_for_secret(secret: str) -> bytes | None:
    """The calendar behind a secret address, or None when it is unknown or revoked (or
    its user was deactivated)."""
    if not secret or len(secret) > 200:
        return None
    with open_db() as con:
        user_id = store.calendar_feed_user(con, _hash(secret), datetime.now(UTC))
    user = auth.get_user(user_id) if user_id else None
    return calendar_for(user) if user else None
