"""The raw archive: every fetched document, gzip-compressed, with hash and fetch time.

It lets us re-parse a source after a parser fix and shows what a publisher really sent
when an item looks wrong. Unchanged documents are not stored twice in a row.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb
import pyarrow as pa

from tracker.storage.connection import execute_with_rows


@dataclass(frozen=True)
class FetchedDocument:
    """One document as a source delivered it, to be archived."""

    source_id: str
    url: str | None
    body: bytes
    http_status: int | None
    content_type: str | None


_ARCHIVE_SCHEMA = pa.schema([
    ("source_id", pa.string()), ("url", pa.string()), ("fetched_at", pa.timestamp("us", tz="UTC")),
    ("http_status", pa.int32()), ("content_type", pa.string()), ("sha256", pa.string()),
    ("size_bytes", pa.int64()), ("body_gzip", pa.binary()),
])


def archive_documents(con: duckdb.DuckDBPyConnection, documents: Sequence[FetchedDocument], *,
                      fetched_at: datetime) -> list[bool]:
    """Archive each document unless it equals the last one archived from the same source and
    address (a paged source delivers several per run); True where stored. Two statements for
    all of them."""
    if not documents:
        return []
    digests = [hashlib.sha256(d.body).hexdigest() for d in documents]
    last = {(source_id, url): digest for source_id, url, digest in con.execute("""
        SELECT source_id, url, sha256 FROM raw_documents WHERE source_id IN (SELECT unnest($ids))
        QUALIFY row_number() OVER (PARTITION BY source_id, url ORDER BY fetched_at DESC, id DESC) = 1
    """, {"ids": list({d.source_id for d in documents})}).fetchall()}
    stored = [last.get((d.source_id, d.url)) != digest for d, digest in zip(documents, digests, strict=True)]
    new = [(d, digest) for d, digest, keep in zip(documents, digests, stored, strict=True) if keep]
    if new:
        archived = pa.Table.from_pydict({
            "source_id": [d.source_id for d, _ in new], "url": [d.url for d, _ in new],
            "fetched_at": [fetched_at] * len(new), "http_status": [d.http_status for d, _ in new],
            "content_type": [d.content_type for d, _ in new], "sha256": [digest for _, digest in new],
            "size_bytes": [len(d.body) for d, _ in new],
            # Level 1: a third of level 6's time for about an eighth more bytes.
            "body_gzip": [gzip.compress(d.body, compresslevel=1) for d, _ in new],
        }, schema=_ARCHIVE_SCHEMA)
        execute_with_rows(con, "INSERT INTO raw_documents (source_id, url, fetched_at, http_status, content_type, "
                          "sha256, size_bytes, body_gzip) SELECT * FROM rows", archived)
    return stored


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
