"""The raw archive: every fetched document, gzip-compressed, with hash and fetch time.

It lets us re-parse a source after a parser fix and shows what a publisher really sent
when an item looks wrong. Unchanged documents are not stored twice in a row.
"""

from __future__ import annotations

import gzip
import hashlib
from datetime import datetime, timedelta

import duckdb


def archive_document(con: duckdb.DuckDBPyConnection, *, source_id: str, url: str | None, body: bytes,
                     fetched_at: datetime, http_status: int | None, content_type: str | None) -> bool:
    """Store ``body`` unless it equals the source's last archived document. True if stored."""
    digest = hashlib.sha256(body).hexdigest()
    last = con.execute(
        "SELECT sha256 FROM raw_documents WHERE source_id = ? ORDER BY fetched_at DESC, id DESC LIMIT 1",
        [source_id],
    ).fetchone()
    if last and last[0] == digest:
        return False
    con.execute(
        "INSERT INTO raw_documents (source_id, url, fetched_at, http_status, content_type, sha256, "
        "size_bytes, body_gzip) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [source_id, url, fetched_at, http_status, content_type, digest, len(body),
         gzip.compress(body, compresslevel=6)],
    )
    return True


def prune_archive(con: duckdb.DuckDBPyConnection, *, retention_days: int, now: datetime) -> int:
    """Delete archived documents older than the retention, keeping each source's newest."""
    cutoff = now - timedelta(days=retention_days)
    rows = con.execute("""
        DELETE FROM raw_documents d
        WHERE d.fetched_at < $cutoff
          AND d.id <> (SELECT max(id) FROM raw_documents n WHERE n.source_id = d.source_id)
        RETURNING id
    """, {"cutoff": cutoff}).fetchall()
    return len(rows)


def archived_documents(con: duckdb.DuckDBPyConnection, source_id: str) -> list[dict[str, object]]:
    rel = con.execute(
        "SELECT id, url, fetched_at, http_status, content_type, sha256, size_bytes "
        "FROM raw_documents WHERE source_id = ? ORDER BY fetched_at DESC, id DESC", [source_id])
    names = [d[0] for d in rel.description]
    return [dict(zip(names, row, strict=True)) for row in rel.fetchall()]


def archived_body(con: duckdb.DuckDBPyConnection, document_id: int) -> bytes:
    row = con.execute("SELECT body_gzip FROM raw_documents WHERE id = ?", [document_id]).fetchone()
    if row is None:
        raise KeyError(document_id)
    return gzip.decompress(row[0])
