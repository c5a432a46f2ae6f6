"""Tables ``organisations`` and ``users``.

Password hashes go in and out of this module as opaque strings; hashing and checking
happen in ``tracker.access.auth``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb

from tracker.storage.connection import retry_on_conflict

_ORG_COLUMNS = ("id", "name", "short_name", "kind", "contact_name", "contact_email", "address",
                "is_member", "is_demo")
_USER_COLUMNS = ("id", "display_name", "email", "role", "organisation_id", "active", "is_demo",
                 "last_login_at", "created_at")


def _rows(cursor: duckdb.DuckDBPyConnection, columns: tuple[str, ...]) -> list[dict[str, Any]]:
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def upsert_organisation(con: duckdb.DuckDBPyConnection, org: dict[str, Any]) -> None:
    values = [org.get(c) for c in _ORG_COLUMNS]
    values[_ORG_COLUMNS.index("is_member")] = bool(org.get("is_member", True))
    values[_ORG_COLUMNS.index("is_demo")] = bool(org.get("is_demo", False))
    updates = ", ".join(f"{c} = excluded.{c}" for c in _ORG_COLUMNS[1:])
    con.execute(
        f"INSERT INTO organisations ({', '.join(_ORG_COLUMNS)}) VALUES ({', '.join('?' * len(values))}) "
        f"ON CONFLICT (id) DO UPDATE SET {updates}",
        values,
    )


def list_organisations(con: duckdb.DuckDBPyConnection, *, members_only: bool = False) -> list[dict[str, Any]]:
    where = "WHERE is_member" if members_only else ""
    return _rows(con.execute(f"SELECT {', '.join(_ORG_COLUMNS)} FROM organisations {where} ORDER BY name"),
                 _ORG_COLUMNS)


def get_organisation(con: duckdb.DuckDBPyConnection, org_id: str) -> dict[str, Any] | None:
    rows = _rows(con.execute(f"SELECT {', '.join(_ORG_COLUMNS)} FROM organisations WHERE id = ?", [org_id]),
                 _ORG_COLUMNS)
    return rows[0] if rows else None


def insert_user(con: duckdb.DuckDBPyConnection, *, user_id: str, display_name: str, email: str | None,
                role: str, organisation_id: str | None, password_hash: str, is_demo: bool,
                now: datetime) -> None:
    con.execute(
        "INSERT INTO users (id, display_name, email, role, organisation_id, password_hash, active,"
        " is_demo, created_at, password_changed_at) VALUES (?, ?, ?, ?, ?, ?, TRUE, ?, ?, ?)",
        [user_id, display_name, email, role, organisation_id, password_hash, is_demo, now, now],
    )


def user_exists(con: duckdb.DuckDBPyConnection, user_id: str) -> bool:
    return con.execute("SELECT count(*) FROM users WHERE id = ?", [user_id]).fetchone()[0] > 0


def get_user(con: duckdb.DuckDBPyConnection, user_id: str) -> dict[str, Any] | None:
    rows = _rows(con.execute(f"SELECT {', '.join(_USER_COLUMNS)} FROM users WHERE id = ?", [user_id]),
                 _USER_COLUMNS)
    return rows[0] if rows else None


def get_login(con: duckdb.DuckDBPyConnection, user_id: str) -> tuple[dict[str, Any], str | None] | None:
    """The active user and its stored hash, for checking a login."""
    row = con.execute(
        f"SELECT {', '.join(_USER_COLUMNS)}, password_hash FROM users WHERE id = ? AND active", [user_id]
    ).fetchone()
    if row is None:
        return None
    return dict(zip(_USER_COLUMNS, row[:-1], strict=True)), row[-1]


def list_users(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    return _rows(con.execute(f"SELECT {', '.join(_USER_COLUMNS)} FROM users ORDER BY role, id"), _USER_COLUMNS)


def set_password_hash(con: duckdb.DuckDBPyConnection, user_id: str, password_hash: str, now: datetime) -> int:
    return len(con.execute(
        "UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ? RETURNING id",
        [password_hash, now, user_id],
    ).fetchall())


def set_active(con: duckdb.DuckDBPyConnection, user_id: str, active: bool) -> int:
    return len(con.execute("UPDATE users SET active = ? WHERE id = ? RETURNING id",
                           [active, user_id]).fetchall())


def record_login(con: duckdb.DuckDBPyConnection, user_id: str, now: datetime) -> None:
    retry_on_conflict(lambda: con.execute("UPDATE users SET last_login_at = ? WHERE id = ?", [now, user_id]))


def has_demo_users(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute("SELECT count(*) FROM users WHERE is_demo AND active").fetchone()[0] > 0


def count_users(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT count(*) FROM users").fetchone()[0]


def count_login_attempt(con: duckdb.DuckDBPyConnection, login_key: str, now: datetime,
                        window_start: datetime) -> int:
    """Count one more attempt for this login name and return the count within the window.

    One statement (its own transaction): parallel attempts each get a different count, so
    none can read a count, check a password and write back a count another one already
    raised. A count whose last attempt is older than ``window_start`` starts again at 1.
    Retried when a parallel attempt in this process wrote the row first."""
    row = retry_on_conflict(lambda: con.execute(
        "INSERT INTO login_failures VALUES (?, 1, ?) ON CONFLICT (login_key) DO UPDATE SET"
        " failures = CASE WHEN login_failures.last_failed_at < ? THEN 1 ELSE login_failures.failures + 1 END,"
        " last_failed_at = excluded.last_failed_at RETURNING failures",
        [login_key, now, window_start]).fetchone())
    return int(row[0])


def clear_login_failures(con: duckdb.DuckDBPyConnection, login_key: str) -> None:
    retry_on_conflict(lambda: con.execute("DELETE FROM login_failures WHERE login_key = ?", [login_key]))


def set_email(con: duckdb.DuckDBPyConnection, user_id: str, email: str | None) -> int:
    return len(con.execute("UPDATE users SET email = ? WHERE id = ? RETURNING id", [email, user_id]).fetchall())
