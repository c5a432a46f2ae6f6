"""Tables ``statement_versions`` and ``statement_submissions``."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import duckdb

VERSION_COLUMNS = ("id", "item_id", "version", "body_md", "origin", "note", "author", "created_at")
SUBMISSION_COLUMNS = ("id", "item_id", "version_id", "version", "submitted_on", "channel", "recipient",
                      "file_name", "file_format", "file_sha256", "note", "recorded_by", "recorded_at",
                      "withdrawn_at", "withdrawn_by", "withdraw_reason")
CORRECTABLE = ("submitted_on", "channel", "recipient", "note")
EVENT_COLUMNS = ("id", "submission_id", "item_id", "action", "changes", "reason", "actor", "occurred_at")


def _rows(cur: duckdb.DuckDBPyConnection, columns: tuple[str, ...]) -> list[dict[str, Any]]:
    return [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]


def add_version(con: duckdb.DuckDBPyConnection, item_id: str, body_md: str, origin: str, note: str | None,
                author: str, now: datetime) -> dict[str, Any]:
    """Append the next version number for the item (callers hold a transaction)."""
    number = con.execute("SELECT coalesce(max(version), 0) + 1 FROM statement_versions WHERE item_id = ?",
                         [item_id]).fetchone()[0]
    row = con.execute(
        "INSERT INTO statement_versions (item_id, version, body_md, origin, note, author, created_at)"
        f" VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING {', '.join(VERSION_COLUMNS)}",
        [item_id, number, body_md, origin, note, author, now],
    ).fetchone()
    return dict(zip(VERSION_COLUMNS, row, strict=True))


def versions(con: duckdb.DuckDBPyConnection, item_id: str) -> list[dict[str, Any]]:
    return _rows(con.execute(f"SELECT {', '.join(VERSION_COLUMNS)} FROM statement_versions"
                             " WHERE item_id = ? ORDER BY version", [item_id]), VERSION_COLUMNS)


def version(con: duckdb.DuckDBPyConnection, item_id: str, number: int | None) -> dict[str, Any] | None:
    """One version by number, or the latest when ``number`` is None."""
    order = "" if number is not None else " ORDER BY version DESC LIMIT 1"
    where = " AND version = ?" if number is not None else ""
    params = [item_id, number] if number is not None else [item_id]
    rows = _rows(con.execute(f"SELECT {', '.join(VERSION_COLUMNS)} FROM statement_versions"
                             f" WHERE item_id = ?{where}{order}", params), VERSION_COLUMNS)
    return rows[0] if rows else None


def add_submission(con: duckdb.DuckDBPyConnection, values: dict[str, Any]) -> dict[str, Any]:
    cols = SUBMISSION_COLUMNS[1:-3]
    row = con.execute(
        f"INSERT INTO statement_submissions ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        f" RETURNING {', '.join(SUBMISSION_COLUMNS)}", [values.get(c) for c in cols]).fetchone()
    return dict(zip(SUBMISSION_COLUMNS, row, strict=True))


def submissions(con: duckdb.DuckDBPyConnection, item_id: str) -> list[dict[str, Any]]:
    return _rows(con.execute(f"SELECT {', '.join(SUBMISSION_COLUMNS)} FROM statement_submissions"
                             " WHERE item_id = ? ORDER BY submitted_on DESC, id DESC", [item_id]),
                 SUBMISSION_COLUMNS)


def submission(con: duckdb.DuckDBPyConnection, item_id: str, submission_id: int) -> dict[str, Any] | None:
    rows = _rows(con.execute(f"SELECT {', '.join(SUBMISSION_COLUMNS)} FROM statement_submissions"
                             " WHERE item_id = ? AND id = ?", [item_id, submission_id]), SUBMISSION_COLUMNS)
    return rows[0] if rows else None


def correct_submission(con: duckdb.DuckDBPyConnection, submission_id: int, changes: dict[str, Any]) -> None:
    fields = [c for c in CORRECTABLE if c in changes]
    if fields:
        con.execute(f"UPDATE statement_submissions SET {', '.join(f'{c} = ?' for c in fields)} WHERE id = ?",
                    [*(changes[c] for c in fields), submission_id])


def withdraw_submission(con: duckdb.DuckDBPyConnection, submission_id: int, actor: str, reason: str,
                        now: datetime) -> None:
    con.execute("UPDATE statement_submissions SET withdrawn_at = ?, withdrawn_by = ?, withdraw_reason = ?"
                " WHERE id = ?", [now, actor, reason, submission_id])


def add_submission_event(con: duckdb.DuckDBPyConnection, *, submission_id: int, item_id: str, action: str,
                         changes: dict[str, Any] | None, reason: str | None, actor: str, now: datetime) -> None:
    con.execute("INSERT INTO submission_events (submission_id, item_id, action, changes, reason, actor,"
                " occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [submission_id, item_id, action, json.dumps(changes, default=str) if changes else None, reason,
                 actor, now])


def submission_events(con: duckdb.DuckDBPyConnection, item_id: str) -> list[dict[str, Any]]:
    rows = _rows(con.execute(f"SELECT {', '.join(EVENT_COLUMNS)} FROM submission_events WHERE item_id = ?"
                             " ORDER BY occurred_at DESC, id DESC", [item_id]), EVENT_COLUMNS)
    for row in rows:
        row["changes"] = json.loads(row["changes"]) if isinstance(row["changes"], str) else row["changes"]
    return rows


def submitted_on(con: duckdb.DuckDBPyConnection, item_id: str) -> date | None:
    row = con.execute("SELECT max(submitted_on) FROM statement_submissions WHERE item_id = ?",
                      [item_id]).fetchone()
    return row[0] if row else None
