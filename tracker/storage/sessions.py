"""Table ``login_sessions``: dashboard sessions held on the server.

Tokens and one-time codes go in and out of this module only as SHA-256 hashes; making
and checking them happens in ``tracker.access.sessions``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb

_COLUMNS = ("id", "user_id", "created_at", "last_seen_at", "expires_at", "ended_at", "end_reason")


def insert_session(con: duckdb.DuckDBPyConnection, *, session_id: str, user_id: str, token_hash: str,
                   handoff_hash: str, handoff_expires_at: datetime, now: datetime, expires_at: datetime) -> None:
    con.execute(
        "INSERT INTO login_sessions (id, user_id, token_hash, handoff_hash, handoff_expires_at, created_at,"
        " last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [session_id, user_id, token_hash, handoff_hash, handoff_expires_at, now, now, expires_at])


def redeem_handoff(con: duckdb.DuckDBPyConnection, handoff_hash: str, new_token_hash: str,
                   now: datetime) -> dict[str, Any] | None:
    """Use a one-time code once: the session it belongs to gets ``new_token_hash``.
    None when the code is unknown, used, expired, or its session ended."""
    row = con.execute(
        "UPDATE login_sessions SET token_hash = ?, handoff_hash = NULL, handoff_expires_at = NULL"
        " WHERE handoff_hash = ? AND handoff_expires_at > ? AND ended_at IS NULL AND expires_at > ?"
        f" RETURNING {', '.join(_COLUMNS)}", [new_token_hash, handoff_hash, now, now]).fetchone()
    return dict(zip(_COLUMNS, row, strict=True)) if row else None


def live_session(con: duckdb.DuckDBPyConnection, token_hash: str, now: datetime) -> dict[str, Any] | None:
    """The session of this token with its user, if neither has ended."""
    row = con.execute(
        f"SELECT s.{', s.'.join(_COLUMNS)}, u.display_name, u.role, u.organisation_id, u.email"
        " FROM login_sessions s JOIN users u ON u.id = s.user_id"
        " WHERE s.token_hash = ? AND s.ended_at IS NULL AND s.expires_at > ? AND u.active",
        [token_hash, now]).fetchone()
    names = (*_COLUMNS, "display_name", "role", "organisation_id", "email")
    return dict(zip(names, row, strict=True)) if row else None


def touch(con: duckdb.DuckDBPyConnection, session_id: str, now: datetime) -> None:
    con.execute("UPDATE login_sessions SET last_seen_at = ? WHERE id = ?", [now, session_id])


def end_session(con: duckdb.DuckDBPyConnection, token_hash: str, reason: str, now: datetime) -> int:
    return len(con.execute(
        "UPDATE login_sessions SET ended_at = ?, end_reason = ?, handoff_hash = NULL"
        " WHERE token_hash = ? AND ended_at IS NULL RETURNING id", [now, reason, token_hash]).fetchall())


def end_user_sessions(con: duckdb.DuckDBPyConnection, user_id: str, reason: str, now: datetime) -> int:
    return len(con.execute(
        "UPDATE login_sessions SET ended_at = ?, end_reason = ?, handoff_hash = NULL"
        " WHERE user_id = ? AND ended_at IS NULL RETURNING id", [now, reason, user_id]).fetchall())


def open_sessions(con: duckdb.DuckDBPyConnection, user_id: str, now: datetime) -> int:
    return con.execute("SELECT count(*) FROM login_sessions WHERE user_id = ? AND ended_at IS NULL"
                       " AND expires_at > ?", [user_id, now]).fetchone()[0]


def prune(con: duckdb.DuckDBPyConnection, before: datetime) -> int:
    """Forget sessions that ended or expired before ``before``."""
    return len(con.execute("DELETE FROM login_sessions WHERE coalesce(ended_at, expires_at) < ? RETURNING id",
                           [before]).fetchall())
