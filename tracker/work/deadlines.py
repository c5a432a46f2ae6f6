"""Open deadlines as each user may see them (the Fristen page).

The team sees every open item's deadline with its internal dates: triage status, owner, the
members' input date and the board's sign-off. A member sees the same public deadlines, and
for the consultations its organisation was asked about the date its input is due; never the
team's status, owner or board dates. The rows a member gets do not carry those fields at all:
a page sends every column of a table to the browser, shown or not. Possible deadlines (the
judge's "Frist prüfen") are listed for the team only.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from tracker.access import permissions
from tracker.models import User
from tracker.storage import inbox as store
from tracker.storage import open_db
from tracker.work import triage, workspaces
from tracker.work.inbox import possible_deadline_to_check

# What anyone may see of an item with a deadline: the publication, never the team's work on it.
PUBLIC_FIELDS = ("id", "title", "link", "deadline", "deadline_at", "deadline_text", "start", "topics",
                 "topic_scores", "score")
INTERNAL_FIELDS = ("status", "owner", "member_input_due", "board_signoff_due")


def open_deadlines(user: User, *, today: date, min_score: float = 0.0) -> list[dict[str, Any]]:
    """Items with an open status and a deadline from a week ago on, as ``user`` may see them;
    each row says whether the user's organisation was asked (``asked``)."""
    with open_db() as con:
        rows = store.open_deadlines(con, today=today, statuses=triage.OPEN_STATUSES, min_score=min_score)
    if user.is_team:
        return [row | {"asked": False} for row in rows]
    asked = {ws.item_id: ws.member_input_due for ws in workspaces.workspaces_for(user)}
    return [member_row(row, row["id"] in asked, asked.get(row["id"])) for row in rows]


def possible_deadlines(user: User, *, today: date, min_score: float = 0.0, limit: int = 100) -> list[dict[str, Any]]:
    """Relevant open items whose text may name a deadline the judge would not take: for the
    team to check and take over on the Vorgang page."""
    permissions.require_team(user)
    with open_db() as con:
        rows = store.possible_deadlines(con, since=today, statuses=triage.OPEN_STATUSES, min_score=min_score)
    return [row for row in rows if possible_deadline_to_check(row["deadline"], row["possible_deadline"], today)][:limit]


def member_row(row: Mapping[str, Any], asked: bool, member_input_due: date | None) -> dict[str, Any]:
    """A deadline row without the team's internal fields; the input date only where asked."""
    return {field: row[field] for field in PUBLIC_FIELDS} | {"asked": asked, "member_input_due": member_input_due}
