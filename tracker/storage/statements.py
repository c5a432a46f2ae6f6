"""Tables ``statement_versions`` and ``statement_submissions``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import duckdb

VERSION_COLUMNS = ("id", "item_id", "version", "body_md", "origin", "note", "author", "created_at")
SUBMISSION_COLUMNS = ("id", "item_id", "version_id", "version", "submitted_on", "channel", "recipient",
                      "file_name", "file_format", "file_sha256", "note", "recorded_by", "recorded_at")


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
    cols = SUBMISSION_COLUMNS[1:]
    row = con.execute(
        f"INSERT INTO statement_submissions ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        f" RETURNING {', '.join(SUBMISSION_COLUMNS)}", [values.get(c) for c in cols]).fetchone()
    return dict(zip(SUBMISSION_COLUMNS, row, strict=True))


def submissions(con: duckdb.DuckDBPyConnection, item_id: str) -> list[dict[str, Any]]:
    return _rows(con.execute(f"SELECT {', '.join(SUBMISSION_COLUMNS)} FROM statement_submissions"
                             " WHERE item_id = ? ORDER BY submitted_on DESC, id DESC", [item_id]),
                 SUBMISSION_COLUMNS)


def submitted_on(con: duckdb.DuckDBPyConnection, item_id: str) -> date | None:
    row = con.execute("SELECT max(submitted_on) FROM statement_submissions WHERE item_id = ?",
                      [item_id]).fetchone()
    return row[0] if row else None
