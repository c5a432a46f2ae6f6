"""Writes of the team's decisions: triage state with an event per change, relevance labels,
a deadline the team took over from the judge's possible one.

Every write is one transaction: the new ``item_triage`` row and its ``triage_events`` rows
land together or not at all, each event naming who acted and when.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import duckdb

from tracker.storage.connection import dict_rows, transaction
from tracker.vocabulary import DeadlineOrigin
from tracker.work.triage import TriageState, changes


def triage_state(con: duckdb.DuckDBPyConnection, item_id: str) -> TriageState:
    row = con.execute(
        "SELECT status, owner, member_input_due, board_signoff_due FROM item_triage WHERE item_id = ?",
        [item_id]).fetchone()
    if row is None:
        return TriageState()
    return TriageState(status=row[0], owner=row[1], member_input_due=row[2], board_signoff_due=row[3])


def save_triage(con: duckdb.DuckDBPyConnection, item_id: str, new: TriageState, *, actor: str,
                at: datetime, in_transaction: bool = False) -> list[tuple[str, str | None, str | None]]:
    """Store ``new`` and one event per changed field; returns the changes (empty: nothing stored).

    The old state is read inside the transaction, so two people saving at once each get
    their own events against what was really stored before them. ``in_transaction``: the
    caller already holds one (the write then commits or rolls back with the caller's work).
    """
    if in_transaction:
        return _write_triage(con, item_id, new, actor=actor, at=at)
    with transaction(con):
        return _write_triage(con, item_id, new, actor=actor, at=at)


def _write_triage(con: duckdb.DuckDBPyConnection, item_id: str, new: TriageState, *, actor: str,
                  at: datetime) -> list[tuple[str, str | None, str | None]]:
    old = triage_state(con, item_id)
    diff = changes(old, new)
    if not diff:
        return []
    con.execute(
        """INSERT INTO item_triage (item_id, status, owner, member_input_due, board_signoff_due,
                                    updated_by, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (item_id) DO UPDATE SET status = excluded.status, owner = excluded.owner,
             member_input_due = excluded.member_input_due,
             board_signoff_due = excluded.board_signoff_due,
             updated_by = excluded.updated_by, updated_at = excluded.updated_at""",
        [item_id, new.status, new.owner or None, new.member_input_due, new.board_signoff_due,
         actor, at])
    for name, old_value, new_value in diff:
        con.execute(
            """INSERT INTO triage_events (item_id, occurred_at, actor, action, old_value, new_value)
               VALUES (?, ?, ?, ?, ?, ?)""", [item_id, at, actor, name, old_value, new_value])
    return diff


def triage_events(con: duckdb.DuckDBPyConnection, item_id: str) -> list[dict[str, Any]]:
    cursor = con.execute(
        """SELECT occurred_at, actor, action, old_value, new_value FROM triage_events
           WHERE item_id = ? ORDER BY occurred_at DESC, id DESC""", [item_id])
    return dict_rows(cursor)


def add_relevance_label(con: duckdb.DuckDBPyConnection, item_id: str, *, relevant: bool | None,
                        topics: list[str] | None, actor: str, at: datetime,
                        note: str | None = None) -> None:
    """Record the team's verdict; ``tracker train`` reads the latest label per item."""
    con.execute(
        """INSERT INTO relevance_labels (item_id, relevant, topics, labelled_by, labelled_at, note)
           VALUES (?, ?, ?, ?, ?, ?)""",
        [item_id, relevant, sorted(topics) if topics is not None else None, actor, at, note or None])


def relevance_labels(con: duckdb.DuckDBPyConnection, item_id: str) -> list[dict[str, Any]]:
    cursor = con.execute(
        """SELECT relevant, topics, labelled_by, labelled_at, note FROM relevance_labels
           WHERE item_id = ? ORDER BY labelled_at DESC, id DESC""", [item_id])
    return dict_rows(cursor)


def deadline_state(con: duckdb.DuckDBPyConnection, item_id: str) -> dict[str, Any] | None:
    """An item's deadline, its origin and sentence, and the judge's possible deadline."""
    cursor = con.execute(
        "SELECT i.deadline, i.deadline_origin, i.deadline_text, j.possible_deadline, j.possible_deadline_text"
        " FROM items i LEFT JOIN item_judgements j ON j.item_id = i.id WHERE i.id = ?", [item_id])
    rows = dict_rows(cursor)
    return rows[0] if rows else None


def set_team_deadline(con: duckdb.DuckDBPyConnection, item_id: str, day: date, sentence: str | None, *,
                      old: date | None, actor: str, at: datetime) -> None:
    """The item's deadline as the team set it (origin "team", kept by re-judging), with a
    history row naming who. The caller owns the transaction and the rules."""
    con.execute("UPDATE items SET deadline = ?, deadline_text = ?, deadline_origin = ?, deadline_confidence = NULL"
                " WHERE id = ?", [day, sentence, DeadlineOrigin.TEAM, item_id])
    con.execute("INSERT INTO item_history (item_id, recorded_at, changed_fields, old_deadline, new_deadline,"
                " recorded_by) VALUES (?, ?, ['deadline'], ?, ?, ?)", [item_id, at, old, day, actor])


def item_exists(con: duckdb.DuckDBPyConnection, item_id: str) -> bool:
    return con.execute("SELECT 1 FROM items WHERE id = ?", [item_id]).fetchone() is not None


def internal_dates_due(con: duckdb.DuckDBPyConnection, start: date, end: date) -> list[dict[str, Any]]:
    """Internal milestones (member input, board sign-off) falling in [start, end]."""
    cursor = con.execute(
        """SELECT * FROM (
               SELECT t.item_id, i.title, 'member_input_due' AS kind, t.member_input_due AS due,
                      t.owner, t.status FROM item_triage t JOIN items i ON i.id = t.item_id
               UNION ALL
               SELECT t.item_id, i.title, 'board_signoff_due', t.board_signoff_due,
                      t.owner, t.status FROM item_triage t JOIN items i ON i.id = t.item_id)
           WHERE due BETWEEN ? AND ? ORDER BY due, item_id""", [start, end])
    return dict_rows(cursor)
