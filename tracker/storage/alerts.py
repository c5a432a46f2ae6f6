"""Alert subscriptions, the outbox, delivery attempts, job leases, and what the rules read.

The outbox is append-only in spirit: rows change status but are never deleted, so a
failed alert stays visible until it has gone out.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import duckdb
import pyarrow as pa

from tracker.alerts.rules import (
    AlertInputs,
    DeadlineMove,
    ItemState,
    OutboxEntry,
    SourceHealth,
    Subscription,
)
from tracker.storage.connection import execute_with_rows

_SUB_COLUMNS = ("id", "user_id", "topics", "min_score", "channels", "mode", "kinds", "reminder_days",
                "active", "created_at")
OUTBOX_COLUMNS = ("id", "dedup_key", "alert_key", "kind", "item_id", "source_id", "user_id", "channel",
                  "recipient", "mode", "payload", "created_at", "status", "message_id", "batch_formed_at",
                  "attempts", "next_attempt_at", "last_error", "sent_at", "handed_over_at")


def _rows(cursor: duckdb.DuckDBPyConnection, columns: Sequence[str]) -> list[dict[str, Any]]:
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# --- subscriptions -------------------------------------------------------------------------

def add_subscription(con: duckdb.DuckDBPyConnection, *, user_id: str, topics: Sequence[str],
                     min_score: float, channels: Sequence[str], mode: str, kinds: Sequence[str],
                     reminder_days: Sequence[int], now: datetime) -> int:
    row = con.execute(
        "INSERT INTO alert_subscriptions (user_id, topics, min_score, channels, mode, kinds, reminder_days,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [user_id, list(topics), min_score, list(channels), mode, list(kinds), list(reminder_days), now],
    ).fetchone()
    return int(row[0])  # type: ignore[index]


def set_subscription_active(con: duckdb.DuckDBPyConnection, subscription_id: int, active: bool) -> int:
    rows = con.execute("UPDATE alert_subscriptions SET active = ? WHERE id = ? RETURNING id",
                       [active, subscription_id]).fetchall()
    return len(rows)


def list_subscriptions(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    cur = con.execute(f"SELECT s.{', s.'.join(_SUB_COLUMNS)}, u.email, u.active AS user_active"
                      " FROM alert_subscriptions s LEFT JOIN users u ON u.id = s.user_id ORDER BY s.id")
    return _rows(cur, (*_SUB_COLUMNS, "email", "user_active"))


def _subscriptions(con: duckdb.DuckDBPyConnection) -> list[Subscription]:
    return [
        Subscription(id=r["id"], user_id=r["user_id"], email=r["email"], topics=tuple(r["topics"]),
                     min_score=r["min_score"], channels=tuple(r["channels"]), mode=r["mode"],
                     kinds=tuple(r["kinds"]), reminder_days=tuple(r["reminder_days"]),
                     active=bool(r["active"]) and r["user_active"] is not False)
        for r in list_subscriptions(con)
    ]


# --- what the rules read -------------------------------------------------------------------

_ITEM_STATE_SQL = """
SELECT i.id, i.title, coalesce(i.link, i.canonical_url), i.first_seen_at, i.deadline, i.deadline_at,
       coalesce(j.relevant, FALSE), coalesce(j.score, 0.0), coalesce(j.topics, []::VARCHAR[]),
       t.status, t.member_input_due, t.board_signoff_due,
       (SELECT s.name FROM item_sources x JOIN sources s ON s.id = x.source_id
         WHERE x.item_id = i.id ORDER BY x.first_seen_at LIMIT 1),
       i.is_baseline, j.possible_deadline
FROM items i
LEFT JOIN item_judgements j ON j.item_id = i.id
LEFT JOIN item_triage t ON t.item_id = i.id
WHERE NOT i.is_demo
  AND (i.first_seen_at >= ?
       OR i.deadline >= ? OR t.member_input_due >= ? OR t.board_signoff_due >= ?
       OR i.id IN (SELECT item_id FROM item_history WHERE recorded_at >= ?))
ORDER BY i.id
"""


def load_alert_inputs(con: duckdb.DuckDBPyConnection, *, today: date, since: datetime) -> AlertInputs:
    """Everything the rules need: items with a future date or recent news, moves, sources."""
    items = [
        ItemState(item_id=r[0], title=r[1], link=r[2], first_seen_at=_utc(r[3]), deadline=r[4],  # type: ignore[arg-type]
                  deadline_at=_utc(r[5]), relevant=bool(r[6]), score=float(r[7]), topics=tuple(r[8]),
                  triage_status=r[9], member_input_due=r[10], board_signoff_due=r[11], source_name=r[12],
                  baseline=bool(r[13]), possible_deadline=r[14])
        for r in con.execute(_ITEM_STATE_SQL, [since, today, today, today, since]).fetchall()
    ]
    # A deadline the team corrected by hand is no news from the publisher ("Frist verlängert"
    # would mislead); its reminders follow the corrected date all the same.
    moves = [
        DeadlineMove(history_id=r[0], item_id=r[1], old_deadline=r[2], new_deadline=r[3],
                     recorded_at=_utc(r[4]))  # type: ignore[arg-type]
        for r in con.execute(
            "SELECT id, item_id, old_deadline, new_deadline, recorded_at FROM item_history"
            " WHERE recorded_at >= ? AND old_deadline IS NOT NULL AND new_deadline IS NOT NULL"
            " AND old_deadline <> new_deadline AND recorded_by IS NULL ORDER BY id", [since]).fetchall()
    ]
    sources = [
        SourceHealth(source_id=r[0], name=r[1], consecutive_failures=r[2], last_error=r[3],
                     last_success_at=_utc(r[4]))
        for r in con.execute("SELECT id, name, consecutive_failures, last_error, last_success_at FROM sources"
                             " WHERE enabled AND consecutive_failures > 0 ORDER BY id").fetchall()
    ]
    return AlertInputs(items=items, moves=moves, sources=sources, subscriptions=_subscriptions(con))


def deadline_rows(con: duckdb.DuckDBPyConnection, *, since: date, include_demo: bool = False) -> list[dict[str, Any]]:
    """Items with an external or internal date on or after ``since`` for the calendars.

    Demo items (shifted dates) only with ``include_demo``: the dashboard's download of a
    demo database shows them, subscribed calendar files never do.

    ``moves``/``moved_at`` count and date the recorded deadline changes (SEQUENCE and
    LAST-MODIFIED of the calendar event).
    """
    cur = con.execute(
        """
        SELECT i.id, i.title, coalesce(i.link, i.canonical_url), i.deadline, i.deadline_at,
               coalesce(j.relevant, FALSE), coalesce(j.topics, []::VARCHAR[]), t.status,
               t.member_input_due, t.board_signoff_due,
               (SELECT s.name FROM item_sources x JOIN sources s ON s.id = x.source_id
                 WHERE x.item_id = i.id ORDER BY x.first_seen_at LIMIT 1),
               (SELECT count(*) FROM item_history h WHERE h.item_id = i.id
                 AND h.old_deadline IS DISTINCT FROM h.new_deadline AND list_contains(h.changed_fields, 'deadline')),
               (SELECT max(h.recorded_at) FROM item_history h WHERE h.item_id = i.id
                 AND h.old_deadline IS DISTINCT FROM h.new_deadline AND list_contains(h.changed_fields, 'deadline'))
        FROM items i
        LEFT JOIN item_judgements j ON j.item_id = i.id
        LEFT JOIN item_triage t ON t.item_id = i.id
        WHERE (? OR NOT i.is_demo) AND (i.deadline >= ? OR t.member_input_due >= ? OR t.board_signoff_due >= ?)
        ORDER BY i.id
        """, [include_demo, since, since, since])
    columns = ("item_id", "title", "link", "deadline", "deadline_at", "relevant", "topics", "status",
               "member_input_due", "board_signoff_due", "source", "moves", "moved_at")
    rows = _rows(cur, columns)
    for row in rows:
        row["deadline_at"] = _utc(row["deadline_at"])
        row["moved_at"] = _utc(row["moved_at"])
    return rows


# --- outbox --------------------------------------------------------------------------------

def enqueue(con: duckdb.DuckDBPyConnection, entries: Sequence[OutboxEntry], now: datetime) -> int:
    """Store entries whose dedup key is new; returns how many were new."""
    if not entries:
        return 0
    incoming = pa.table({
        "dedup_key": [e.dedup_key for e in entries],
        "alert_key": [e.alert.key for e in entries],
        "kind": [e.alert.kind for e in entries],
        "item_id": [e.alert.item_id for e in entries],
        "source_id": [e.alert.source_id for e in entries],
        "user_id": [e.user_id for e in entries],
        "channel": [e.channel for e in entries],
        "recipient": [e.recipient for e in entries],
        "mode": [e.mode for e in entries],
        "payload": [json.dumps(e.alert.to_payload(), ensure_ascii=False) for e in entries],
    })
    rows = execute_with_rows(
        con,
        "INSERT INTO alert_outbox (dedup_key, alert_key, kind, item_id, source_id, user_id, channel,"
        " recipient, mode, payload, created_at, next_attempt_at)"
        " SELECT DISTINCT ON (dedup_key) dedup_key, alert_key, kind, item_id, source_id, user_id, channel,"
        " recipient, mode, payload::JSON, ?, ? FROM rows"
        " WHERE dedup_key NOT IN (SELECT dedup_key FROM alert_outbox) RETURNING id", incoming, [now, now]).fetchall()
    return len(rows)


def known_dedup_keys(con: duckdb.DuckDBPyConnection, keys: Sequence[str]) -> set[str]:
    if not keys:
        return set()
    rows = con.execute("SELECT dedup_key FROM alert_outbox WHERE list_contains(?, dedup_key)",
                       [list(keys)]).fetchall()
    return {r[0] for r in rows}


def _outbox(con: duckdb.DuckDBPyConnection, where: str, params: Sequence[object]) -> list[dict[str, Any]]:
    cur = con.execute(f"SELECT {', '.join(OUTBOX_COLUMNS)} FROM alert_outbox WHERE {where} ORDER BY id",
                      list(params))
    rows = _rows(cur, OUTBOX_COLUMNS)
    for row in rows:
        row["payload"] = json.loads(row["payload"])
    return rows


def unbatched(con: duckdb.DuckDBPyConnection, *, include_digest: bool) -> list[dict[str, Any]]:
    """Pending rows not yet part of a message."""
    where = "status = 'pending' AND message_id IS NULL"
    if not include_digest:
        where += " AND mode <> 'digest'"
    return _outbox(con, where, [])


def form_batch(con: duckdb.DuckDBPyConnection, ids: Sequence[int], message_id: str, now: datetime) -> None:
    """Fix which rows go into one message, and its Message-ID, before anything is sent."""
    con.execute("UPDATE alert_outbox SET status = 'sending', message_id = ?, batch_formed_at = ?"
                " WHERE list_contains(?, id) AND message_id IS NULL", [message_id, now, list(ids)])


def batches_due(con: duckdb.DuckDBPyConnection, now: datetime) -> list[dict[str, Any]]:
    """Rows of every formed message not yet sent: new, interrupted, or failed and due again."""
    return _outbox(con, "message_id IS NOT NULL AND (status = 'sending'"
                        " OR (status = 'failed' AND next_attempt_at <= ?))", [now])


def mark_handed_over(con: duckdb.DuckDBPyConnection, message_id: str, now: datetime) -> None:
    """Note that a message is about to be handed to its channel (before the hand-over)."""
    con.execute("UPDATE alert_outbox SET handed_over_at = ? WHERE message_id = ? AND status <> 'sent'",
                [now, message_id])


def unsent_messages(con: duckdb.DuckDBPyConnection, message_ids: Sequence[str]) -> list[dict[str, Any]]:
    """Rows of these messages that are not recorded as sent (for acknowledgements to record)."""
    return _outbox(con, "list_contains(?, message_id) AND status <> 'sent'", [list(message_ids)])


def mark_sent(con: duckdb.DuckDBPyConnection, message_id: str, now: datetime, attempts: int) -> None:
    con.execute("UPDATE alert_outbox SET status = 'sent', sent_at = ?, attempts = attempts + ?,"
                " last_error = NULL, next_attempt_at = NULL WHERE message_id = ? AND status <> 'sent'",
                [now, attempts, message_id])


def mark_failed(con: duckdb.DuckDBPyConnection, message_id: str, error: str, attempts: int,
                next_attempt_at: datetime) -> None:
    con.execute("UPDATE alert_outbox SET status = 'failed', attempts = attempts + ?, last_error = ?,"
                " next_attempt_at = ? WHERE message_id = ? AND status <> 'sent'",
                [attempts, error[:2000], next_attempt_at, message_id])


def record_delivery(con: duckdb.DuckDBPyConnection, *, message_id: str, channel: str, recipient: str,
                    alert_count: int, attempted_at: datetime, ok: bool, error: str | None,
                    duration_ms: int) -> None:
    con.execute("INSERT INTO alert_deliveries (message_id, channel, recipient, alert_count, attempted_at, ok,"
                " error, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [message_id, channel, recipient, alert_count, attempted_at, ok, error, duration_ms])


def outbox_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return dict(con.execute("SELECT status, count(*) FROM alert_outbox GROUP BY status").fetchall())


def outbox_rows(con: duckdb.DuckDBPyConnection, *, statuses: Sequence[str], limit: int = 100) -> list[dict[str, Any]]:
    """The newest ``limit`` rows in the given statuses, newest first."""
    cur = con.execute(f"SELECT {', '.join(OUTBOX_COLUMNS)} FROM alert_outbox WHERE list_contains(?, status)"
                      " ORDER BY id DESC LIMIT ?", [list(statuses), limit])
    rows = _rows(cur, OUTBOX_COLUMNS)
    for row in rows:
        row["payload"] = json.loads(row["payload"])
    return rows


def recent_deliveries(con: duckdb.DuckDBPyConnection, limit: int = 20) -> list[dict[str, Any]]:
    columns = ("message_id", "channel", "recipient", "alert_count", "attempted_at", "ok", "error", "duration_ms")
    cur = con.execute(f"SELECT {', '.join(columns)} FROM alert_deliveries ORDER BY id DESC LIMIT ?", [limit])
    return _rows(cur, columns)


# --- daily digest and job leases ------------------------------------------------------------

def digest_sent_on(con: duckdb.DuckDBPyConnection, day: date) -> bool:
    return con.execute("SELECT count(*) FROM alert_digest_runs WHERE day = ?", [day]).fetchone()[0] > 0  # type: ignore[index]


def last_digest_at(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """When the last daily digest went out (None: never)."""
    row = con.execute("SELECT max(sent_at) FROM alert_digest_runs").fetchone()
    return _utc(row[0]) if row else None


def record_digest_day(con: duckdb.DuckDBPyConnection, day: date, now: datetime) -> None:
    con.execute("INSERT INTO alert_digest_runs (day, sent_at) VALUES (?, ?) ON CONFLICT DO NOTHING", [day, now])


def get_lease(con: duckdb.DuckDBPyConnection, name: str) -> dict[str, Any] | None:
    cur = con.execute("SELECT name, holder, acquired_at, expires_at FROM job_leases WHERE name = ?", [name])
    rows = _rows(cur, ("name", "holder", "acquired_at", "expires_at"))
    return rows[0] if rows else None


def put_lease(con: duckdb.DuckDBPyConnection, name: str, holder: str, now: datetime, expires_at: datetime) -> None:
    con.execute("INSERT INTO job_leases (name, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at,"
                " expires_at = excluded.expires_at", [name, holder, now, expires_at])


def drop_lease(con: duckdb.DuckDBPyConnection, name: str, holder: str) -> None:
    con.execute("DELETE FROM job_leases WHERE name = ? AND holder = ?", [name, holder])


# --- personal calendar feeds ---------------------------------------------------------------

_FEED_COLUMNS = ("user_id", "created_at", "revoked_at", "last_fetched_at", "fetches")


def add_calendar_feed(con: duckdb.DuckDBPyConnection, user_id: str, secret_hash: str, now: datetime) -> None:
    """A new feed for the user; the user's earlier feeds are revoked with it."""
    con.execute("UPDATE calendar_feeds SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", [now, user_id])
    con.execute("INSERT INTO calendar_feeds (secret_hash, user_id, created_at) VALUES (?, ?, ?)",
                [secret_hash, user_id, now])


def revoke_calendar_feeds(con: duckdb.DuckDBPyConnection, user_id: str, now: datetime) -> int:
    return len(con.execute("UPDATE calendar_feeds SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL"
                           " RETURNING user_id", [now, user_id]).fetchall())


def active_calendar_feed(con: duckdb.DuckDBPyConnection, user_id: str) -> dict[str, Any] | None:
    rows = _rows(con.execute(f"SELECT {', '.join(_FEED_COLUMNS)} FROM calendar_feeds WHERE user_id = ?"
                             " AND revoked_at IS NULL ORDER BY created_at DESC LIMIT 1", [user_id]), _FEED_COLUMNS)
    return rows[0] if rows else None


def calendar_feed_user(con: duckdb.DuckDBPyConnection, secret_hash: str, now: datetime) -> str | None:
    """The (active) user of a live feed secret, counting the fetch; None otherwise."""
    row = con.execute(
        "UPDATE calendar_feeds SET last_fetched_at = ?, fetches = fetches + 1 WHERE secret_hash = ?"
        " AND revoked_at IS NULL AND user_id IN (SELECT id FROM users WHERE active) RETURNING user_id",
        [now, secret_hash]).fetchone()
    return row[0] if row else None
