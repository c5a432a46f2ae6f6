"""Dated hearings from calendar invitations (``item_hearings``), one row per event UID."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import duckdb
import pyarrow as pa

from tracker.storage.connection import dict_rows, execute_with_rows

_COLUMNS = ("uid", "item_id", "last_item_id", "source_id", "sequence", "stamped_at", "status", "summary", "location",
            "organizer", "starts_at", "ends_at", "all_day", "start_day", "time_zone", "first_seen_at", "updated_at")
_SCHEMA = pa.schema([
    ("uid", pa.string()), ("item_id", pa.string()), ("source_id", pa.string()), ("sequence", pa.int32()),
    ("stamped_at", pa.timestamp("us", tz="UTC")), ("status", pa.string()), ("summary", pa.string()),
    ("location", pa.string()), ("organizer", pa.string()), ("starts_at", pa.timestamp("us", tz="UTC")),
    ("ends_at", pa.timestamp("us", tz="UTC")), ("all_day", pa.bool_()), ("start_day", pa.date32()),
    ("time_zone", pa.string()),
])


def _rows_in_utc(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    rows = dict_rows(cursor)
    for row in rows:
        for key in ("stamped_at", "starts_at", "ends_at", "first_seen_at", "updated_at"):
            if isinstance(row.get(key), datetime):
                row[key] = row[key].astimezone(UTC)
    return rows


def stored_hearings(con: duckdb.DuckDBPyConnection, uids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The stored version of each of these hearings, by UID."""
    if not uids:
        return {}
    return {row["uid"]: row for row in _rows_in_utc(con.execute(
        f"SELECT {', '.join(_COLUMNS)} FROM item_hearings WHERE list_contains(?, uid)", [list(uids)]))}


def save_hearings(con: duckdb.DuckDBPyConnection, rows: Sequence[dict[str, Any]], now: datetime) -> None:
    """Insert new hearings and replace stored ones with these versions (the caller decided
    which versions win); the item a hearing first came with stays its item."""
    if not rows:
        return
    table = pa.Table.from_pylist([{name: row.get(name) for name in _SCHEMA.names} for row in rows], schema=_SCHEMA)
    execute_with_rows(con, """
        INSERT INTO item_hearings (uid, item_id, last_item_id, source_id, sequence, stamped_at, status, summary,
                                   location, organizer, starts_at, ends_at, all_day, start_day, time_zone,
                                   first_seen_at, updated_at)
        SELECT uid, item_id, item_id, source_id, sequence, stamped_at, status, summary, location, organizer,
               starts_at, ends_at, all_day, start_day, time_zone, $now, $now FROM rows
        ON CONFLICT (uid) DO UPDATE SET last_item_id = excluded.last_item_id, sequence = excluded.sequence,
            stamped_at = excluded.stamped_at, status = excluded.status, summary = excluded.summary,
            location = excluded.location, organizer = excluded.organizer, starts_at = excluded.starts_at,
            ends_at = excluded.ends_at, all_day = excluded.all_day, start_day = excluded.start_day,
            time_zone = excluded.time_zone, updated_at = excluded.updated_at
    """, table, {"now": now})


def item_hearings(con: duckdb.DuckDBPyConnection, item_id: str) -> list[dict[str, Any]]:
    """Hearings an item's invitation (or a later update or cancellation) carried, by date."""
    return _rows_in_utc(con.execute(
        f"SELECT {', '.join(_COLUMNS)} FROM item_hearings WHERE item_id = ? OR last_item_id = ?"
        " ORDER BY coalesce(start_day, DATE '9999-12-31'), starts_at NULLS LAST, uid", [item_id, item_id]))


def upcoming_hearings(con: duckdb.DuckDBPyConnection, since: date) -> list[dict[str, Any]]:
    """Hearings on or after ``since`` with the title of their item, for the deadline pages
    and calendars; cancelled ones too (calendars must be told of a cancellation)."""
    return _rows_in_utc(con.execute(
        f"SELECT h.{', h.'.join(_COLUMNS)}, i.title AS item_title FROM item_hearings h"
        " JOIN items i ON i.id = h.item_id WHERE h.start_day >= ? ORDER BY h.start_day, h.starts_at, h.uid",
        [since]))
