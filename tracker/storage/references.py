"""Reference numbers per item and source, and the items that share one with a given item."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb
import pyarrow as pa

REFERENCES_TYPE = pa.list_(pa.struct([("kind", pa.string()), ("value", pa.string()), ("origin", pa.string())]))


def reference_rows(references: Sequence[tuple[str, str, str]]) -> list[dict[str, str]]:
    """An item's references as the rows of the incoming table's ``refs`` column."""
    return [{"kind": kind, "value": value, "origin": origin} for kind, value, origin in references]


def replace_incoming_references(con: duckdb.DuckDBPyConnection) -> None:
    """Replace, for every (item, source) of the temp table ``incoming`` (``storage.items``),
    the stored references by the ones this version of the entry carries."""
    con.execute("""
        DELETE FROM item_references
        WHERE (item_id, source_id) IN (SELECT (item_id, source_id) FROM incoming)
    """)
    con.execute("""
        INSERT INTO item_references (item_id, source_id, kind, value, origin)
        SELECT DISTINCT item_id, source_id, ref.kind, ref.value, ref.origin
        FROM (SELECT item_id, source_id, unnest(refs) AS ref FROM incoming WHERE len(refs) > 0)
    """)


def item_references(con: duckdb.DuckDBPyConnection, item_id: str) -> list[dict[str, Any]]:
    """The item's references (each kind and value once; 'field' wins over 'text')."""
    rel = con.execute("""
        SELECT kind, value, min(origin) AS origin FROM item_references WHERE item_id = ?
        GROUP BY kind, value ORDER BY kind, value
    """, [item_id])
    names = [d[0] for d in rel.description]
    return [dict(zip(names, row, strict=True)) for row in rel.fetchall()]


def linked_items(con: duckdb.DuckDBPyConnection, item_id: str, limit: int = 200) -> list[dict[str, Any]]:
    """Items sharing at least one reference with ``item_id``: what they share, their triage,
    and their first source (kind, publisher, name, jurisdiction) to place them in the chain."""
    rel = con.execute("""
        WITH mine AS (SELECT DISTINCT kind, value FROM item_references WHERE item_id = $id),
        shared AS (
            SELECT r.item_id,
                   list(DISTINCT r.kind || chr(31) || r.value ORDER BY r.kind || chr(31) || r.value) AS shared
            FROM item_references r JOIN mine m ON m.kind = r.kind AND m.value = r.value
            WHERE r.item_id <> $id
            GROUP BY r.item_id
        ),
        first_source AS (
            SELECT s.item_id, src.kind AS source_kind, src.publisher, src.name AS source_name,
                   src.jurisdiction AS source_jurisdiction
            FROM item_sources s LEFT JOIN sources src ON src.id = s.source_id
            WHERE s.item_id IN (SELECT item_id FROM shared)
            QUALIFY row_number() OVER (PARTITION BY s.item_id ORDER BY s.first_seen_at, s.source_id) = 1
        )
        SELECT i.id, i.title, i.link, i.jurisdiction, i.deadline, i.published_at,
               coalesce(j.stage, i.stage) AS stage,
               coalesce(t.status, 'neu') AS status, t.owner,
               json_extract_string(i.extra, '$.herausgeber') AS herausgeber,
               f.source_kind, f.publisher, f.source_name, f.source_jurisdiction, sh.shared
        FROM shared sh
        JOIN items i ON i.id = sh.item_id
        LEFT JOIN item_judgements j ON j.item_id = i.id
        LEFT JOIN item_triage t ON t.item_id = i.id
        LEFT JOIN first_source f ON f.item_id = i.id
        ORDER BY i.published_at DESC NULLS LAST, i.id
        LIMIT $limit
    """, {"id": item_id, "limit": limit})
    names = [d[0] for d in rel.description]
    rows = [dict(zip(names, row, strict=True)) for row in rel.fetchall()]
    for row in rows:
        row["shared"] = [tuple(entry.split("\x1f", 1)) for entry in row["shared"]]
    return rows


def source_of_item(con: duckdb.DuckDBPyConnection, item_id: str) -> dict[str, Any] | None:
    """The item's first source and DIP publisher, to place the item itself in the chain."""
    row = con.execute("""
        SELECT i.jurisdiction, json_extract_string(i.extra, '$.herausgeber') AS herausgeber,
               src.kind AS source_kind, src.publisher, src.name AS source_name, src.jurisdiction AS source_jurisdiction
        FROM items i
        LEFT JOIN item_sources s ON s.item_id = i.id
        LEFT JOIN sources src ON src.id = s.source_id
        WHERE i.id = ?
        ORDER BY s.first_seen_at NULLS LAST, s.source_id
        LIMIT 1
    """, [item_id]).fetchone()
    if row is None:
        return None
    return dict(zip(("jurisdiction", "herausgeber", "source_kind", "publisher", "source_name",
                     "source_jurisdiction"), row, strict=True))
