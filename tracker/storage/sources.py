"""Sources as configured, their fetch state (ETag, Last-Modified) and their health."""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import pyarrow as pa

from tracker.models import MailboxMark, Source
from tracker.storage.connection import execute_with_rows
from tracker.vocabulary import SourceHealth


@dataclass(frozen=True)
class FetchState:
    etag: str | None
    last_modified: str | None
    last_item_count: int | None
    resume_from: datetime | None = None  # start of the last run that read every page
    last_success_at: datetime | None = None
    mailbox: MailboxMark | None = None  # a mailbox source's UIDVALIDITY and last UID taken


_SYNC_SCHEMA = pa.schema([
    ("id", pa.string()), ("name", pa.string()), ("url", pa.string()), ("kind", pa.string()),
    ("publisher", pa.string()), ("jurisdiction", pa.string()), ("language", pa.string()), ("enabled", pa.bool_()),
    ("expect_every_seconds", pa.int64()),
])


def sync_sources(con: duckdb.DuckDBPyConnection, sources: Sequence[Source],
                 expect_every_seconds: Sequence[int | None] | None = None, *, now: datetime | None = None) -> None:
    """Bring the configured fields of each source up to date; health columns stay. A new
    source is stamped as added ``now``; ``expect_every_seconds`` (one per source, None for
    no cadence) is its resolved expected cadence."""
    if not sources:
        return
    cadence = list(expect_every_seconds) if expect_every_seconds is not None else [None] * len(sources)
    configured = pa.Table.from_pylist([
        {"id": s.id, "name": s.name, "url": s.url, "kind": s.kind, "publisher": s.publisher,
         "jurisdiction": s.jurisdiction, "language": s.language, "enabled": s.enabled,
         "expect_every_seconds": seconds}
        for s, seconds in zip(sources, cadence, strict=True)
    ], schema=_SYNC_SCHEMA)
    execute_with_rows(con, """
            INSERT INTO sources (id, name, url, kind, publisher, jurisdiction, language, enabled, added_at,
                                 expect_every_seconds)
            SELECT id, name, url, kind, publisher, jurisdiction, language, enabled, $now, expect_every_seconds
            FROM rows
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, url = excluded.url,
                kind = excluded.kind, publisher = excluded.publisher,
                jurisdiction = excluded.jurisdiction, language = excluded.language,
                enabled = excluded.enabled, expect_every_seconds = excluded.expect_every_seconds,
                added_at = coalesce(sources.added_at, excluded.added_at)
        """, configured, {"now": now or datetime.now(UTC)})


def fetch_states(con: duckdb.DuckDBPyConnection, source_ids: Sequence[str]) -> dict[str, FetchState]:
    """ETag, Last-Modified, last item count, last success and mailbox mark of each source,
    in one query (unknown: all None)."""
    rows = con.execute(
        "SELECT id, etag, last_modified, last_item_count, resume_from, last_success_at, mail_uidvalidity, "
        "mail_last_uid FROM sources WHERE id IN (SELECT unnest($ids))",
        {"ids": list(source_ids)},
    ).fetchall() if source_ids else []
    found = {row[0]: FetchState(*row[1:6], mailbox=MailboxMark(row[6], row[7] or 0) if row[6] is not None else None)
             for row in rows}
    return {source_id: found.get(source_id, FetchState(None, None, None)) for source_id in source_ids}


def record_mailbox_marks(con: duckdb.DuckDBPyConnection, marks: dict[str, MailboxMark]) -> None:
    """Where each mailbox source stands after its mails were stored (same transaction)."""
    for source_id, mark in marks.items():
        con.execute("UPDATE sources SET mail_uidvalidity = ?, mail_last_uid = ? WHERE id = ?",
                    [mark.uidvalidity, mark.last_uid, source_id])


def record_success(con: duckdb.DuckDBPyConnection, source_id: str, *, now: datetime,
                   status: int | None, etag: str | None, last_modified: str | None,
                   item_count: int | None, warning: str | None, duration_ms: int, capped: bool = False) -> None:
    """A fetch that delivered (or was not modified). ``item_count`` None keeps the old count;
    ``capped``: the page cap stopped the reading."""
    con.execute("""
        UPDATE sources SET last_attempt_at = $now, last_success_at = $now, last_status = $status,
            etag = coalesce($etag, etag), last_modified = coalesce($last_modified, last_modified),
            consecutive_failures = 0, last_error = NULL, last_warning = $warning,
            last_item_count = coalesce($item_count, last_item_count), last_duration_ms = $duration,
            last_capped = $capped
        WHERE id = $id
    """, {"now": now, "status": status, "etag": etag, "last_modified": last_modified,
          "warning": warning, "item_count": item_count, "duration": duration_ms, "id": source_id,
          "capped": capped})


def record_failure(con: duckdb.DuckDBPyConnection, source_id: str, *, now: datetime,
                   status: int | None, error: str, duration_ms: int) -> None:
    con.execute("""
        UPDATE sources SET last_attempt_at = $now, last_status = $status,
            consecutive_failures = consecutive_failures + 1, last_error = $error,
            last_duration_ms = $duration
        WHERE id = $id
    """, {"now": now, "status": status, "error": error, "duration": duration_ms, "id": source_id})


_CHECK_SCHEMA = pa.schema([
    ("id", pa.string()), ("final_url", pa.string()), ("content_type", pa.string()), ("detected_kind", pa.string()),
    ("newest", pa.timestamp("us", tz="UTC")), ("deadlines", pa.int32()), ("pages", pa.int32()),
    ("verdict", pa.string()), ("verdict_state", pa.string()), ("resume_from", pa.timestamp("us", tz="UTC")),
])


@dataclass(frozen=True)
class CheckRecord:
    """What the last collection found at a source, as the Quellen page shows it."""

    source_id: str
    final_url: str | None
    content_type: str | None
    detected_kind: str | None
    newest: datetime | None
    deadlines: int | None
    pages: int | None
    verdict: str
    verdict_state: str
    resume_from: datetime | None = None  # None keeps the stored mark


def record_checks(con: duckdb.DuckDBPyConnection, checks: Sequence[CheckRecord]) -> None:
    """Store each source's check in one statement for all of them."""
    if not checks:
        return
    rows = pa.Table.from_pylist([
        {"id": c.source_id, "final_url": c.final_url, "content_type": c.content_type,
         "detected_kind": c.detected_kind, "newest": c.newest, "deadlines": c.deadlines, "pages": c.pages,
         "verdict": c.verdict, "verdict_state": c.verdict_state, "resume_from": c.resume_from}
        for c in checks], schema=_CHECK_SCHEMA)
    execute_with_rows(con, """
        UPDATE sources SET last_final_url = r.final_url, last_content_type = r.content_type,
            last_detected_kind = r.detected_kind, last_newest_entry_at = r.newest,
            last_deadlines = r.deadlines, last_pages = r.pages, last_verdict = r.verdict,
            last_verdict_state = r.verdict_state,
            resume_from = coalesce(r.resume_from, sources.resume_from)
        FROM rows r WHERE sources.id = r.id
    """, rows)


def source_health(con: duckdb.DuckDBPyConnection, configured: Set[str] | None = None) -> list[dict[str, object]]:
    """One row per known source: configuration, last outcome, what the last collection found
    there and items stored from it. A source not in ``configured`` (the current feeds.toml)
    is no longer collected: its state says so and it sorts last."""
    rel = con.execute("""
        SELECT s.id, s.name, s.publisher, s.jurisdiction, s.kind, s.url,
               -- no longer in feeds.toml: not collected, whatever it said when it was
               s.enabled AND ($all_configured OR list_contains($configured, s.id)) AS enabled,
               s.last_attempt_at, s.last_success_at, s.last_status, s.consecutive_failures,
               s.last_error, s.last_warning, s.last_item_count, s.last_duration_ms,
               s.last_final_url, s.last_content_type, s.last_detected_kind, s.last_newest_entry_at,
               s.last_deadlines, s.last_pages, s.last_verdict, s.last_verdict_state, s.resume_from,
               s.added_at, s.expect_every_seconds, s.last_capped, c.last_new_at,
               coalesce(c.items, 0) AS items_stored,
               CASE WHEN $all_configured = FALSE AND NOT list_contains($configured, s.id) THEN $unconfigured
                    WHEN s.last_attempt_at IS NULL THEN $never
                    WHEN s.last_error IS NOT NULL THEN $error
                    WHEN s.last_warning IS NOT NULL THEN $warning
                    ELSE $ok END AS state
        FROM sources s
        LEFT JOIN (SELECT source_id, count(*) AS items, max(first_seen_at) AS last_new_at
                   FROM item_sources GROUP BY source_id) c
               ON c.source_id = s.id
        ORDER BY (state = $unconfigured), (s.last_error IS NULL), s.consecutive_failures DESC, s.id
    """, {"never": SourceHealth.NEVER_FETCHED, "error": SourceHealth.ERROR, "warning": SourceHealth.WARNING,
          "ok": SourceHealth.OK, "unconfigured": SourceHealth.UNCONFIGURED,
          "all_configured": configured is None, "configured": sorted(configured or ())})
    names = [d[0] for d in rel.description]
    return [dict(zip(names, row, strict=True)) for row in rel.fetchall()]


def known_content_hashes(con: duckdb.DuckDBPyConnection, source_ids: Sequence[str]) -> dict[str, set[str]]:
    """Per source, the content hashes of the versions already stored from it."""
    known: dict[str, set[str]] = {source_id: set() for source_id in source_ids}
    if not source_ids:
        return known
    rows = con.execute(
        "SELECT source_id, content_hash FROM item_sources WHERE source_id IN (SELECT unnest($ids))",
        {"ids": list(source_ids)},
    ).fetchall()
    for source_id, digest in rows:
        known[source_id].add(digest)
    return known
