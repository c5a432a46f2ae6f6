"""Items, their provenance per source, and their change history.

Writes go in bulk through an Arrow table registered with DuckDB (``executemany`` is
very slow in DuckDB). ``store_items`` must run inside the caller's transaction so that
a collection killed half way leaves either the whole source's batch or none of it.
"""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import dataclass
from datetime import datetime

import duckdb
import pyarrow as pa

from tracker.models import Item
from tracker.storage.connection import execute_with_rows
from tracker.storage.references import REFERENCES_TYPE, reference_rows, replace_incoming_references


@dataclass(frozen=True)
class _Column:
    """One column an item stores: its name (in ``items`` and in the incoming rows), its
    Arrow type, the ``Item`` attribute it comes from and how SQL reads it."""

    name: str
    arrow: pa.DataType
    attribute: str
    cast: str = ""

    @property
    def value(self) -> str:
        return f"{self.name}{self.cast}"


# The item columns, defined once: the incoming Arrow table, the INSERT and the UPDATE all
# follow this list.
ITEM_COLUMNS = (
    _Column("guid", pa.string(), "guid"),
    _Column("link", pa.string(), "link"),
    _Column("canonical_url", pa.string(), "canonical_url"),
    _Column("title", pa.string(), "title"),
    _Column("summary_html", pa.string(), "summary_html"),
    _Column("summary", pa.string(), "summary"),
    _Column("text", pa.string(), "text"),
    _Column("published_at", pa.timestamp("us", tz="UTC"), "published_at"),
    _Column("updated_at", pa.timestamp("us", tz="UTC"), "updated_at"),
    _Column("language", pa.string(), "language"),
    _Column("jurisdiction", pa.string(), "jurisdiction"),
    _Column("content_hash", pa.string(), "content_hash"),
    _Column("deadline", pa.date32(), "deadline"),
    _Column("deadline_at", pa.timestamp("us", tz="UTC"), "deadline_at"),
    _Column("deadline_text", pa.string(), "deadline_text"),
    _Column("deadline_origin", pa.string(), "deadline_origin"),
    _Column("deadline_confidence", pa.float64(), "deadline_confidence"),
    _Column("opening_date", pa.date32(), "opening_date"),
    _Column("stage", pa.string(), "stage"),
    _Column("extra", pa.string(), "extra_json", "::JSON"),
)
# Columns of the incoming rows that only matching needs.
_MATCH_COLUMNS = (
    _Column("proposed_id", pa.string(), "id"),
    _Column("source_id", pa.string(), "source_id"),
    _Column("url_is_key", pa.bool_(), "url_is_identity"),
)
_INCOMING_SCHEMA = pa.schema([("ordinal", pa.int64())] + [(c.name, c.arrow) for c in _MATCH_COLUMNS + ITEM_COLUMNS]
                             + [("refs", REFERENCES_TYPE)])
_NAMES = ", ".join(c.name for c in ITEM_COLUMNS)
_VALUES = ", ".join(c.value for c in ITEM_COLUMNS)
_NEW_VALUES = ", ".join(f"n.{c.value}" for c in ITEM_COLUMNS)


@dataclass(frozen=True)
class StoreStats:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    linked: int = 0  # already stored from another source; this source is now listed too

    @property
    def seen(self) -> int:
        return self.new + self.changed + self.unchanged + self.linked


class SourcesOverlap(Exception):  # noqa: N818 - a condition the caller handles, not a failure
    """Two sources of one batch meet the same publication; write them one after another."""


def _incoming_table(batches: Sequence[tuple[str, Sequence[Item]]]) -> pa.Table:
    # Column by column: building one dict per row costs several times more.
    items = [item for _, batch in batches for item in batch]
    columns: dict[str, list[object]] = {"ordinal": list(range(len(items)))}
    for column in _MATCH_COLUMNS + ITEM_COLUMNS:
        columns[column.name] = [getattr(item, column.attribute) for item in items]
    # The source a batch is stored for, whatever the item says.
    columns["source_id"] = [source_id for source_id, batch in batches for _ in batch]
    columns["refs"] = [reference_rows(item.references) for item in items]
    return pa.Table.from_pydict(columns, schema=_INCOMING_SCHEMA)


def store_items(con: duckdb.DuckDBPyConnection, source_id: str, items: Sequence[Item], now: datetime,
                *, demo: bool = False) -> tuple[StoreStats, list[str]]:
    """Insert new items, record changes, link items seen through another source.

    An incoming entry is matched to a stored item first by this source's guid (so an
    item keeps its identity when its link moves), then by canonical URL when the URL is
    the entry's identity (``Item.url_is_identity``), else by the id normalise proposed.

    Returns the statistics and the ids of items that are new or changed (to be judged).
    Call inside a transaction.
    """
    return store_sources_items(con, [(source_id, items)], now, demo=demo)[0]


def store_sources_items(con: duckdb.DuckDBPyConnection, batches: Sequence[tuple[str, Sequence[Item]]],
                        now: datetime, *, demo: bool = False,
                        baseline: Set[str] = frozenset()) -> list[tuple[StoreStats, list[str]]]:
    """``store_items`` for several sources at once, with one set of statements for all.

    Each source's entries are matched as ``store_items`` would match them. Storing one
    source after another differs only where sources meet: an item one source inserts is
    what the next one links to. So when two sources of the batch resolve to the same item
    or carry the same canonical URL, nothing is written and ``SourcesOverlap`` is raised;
    the caller then stores them one by one. Items a source in ``baseline`` inserts are
    marked as baseline (its first collection: no new-item alert). Call inside a transaction.
    """
    if len({source_id for source_id, _ in batches}) != len(batches):
        raise ValueError("one batch per source")
    if not any(items for _, items in batches):
        return [(StoreStats(), []) for _ in batches]
    execute_with_rows(con, """
        CREATE OR REPLACE TEMP TABLE incoming AS
        WITH arrived AS (SELECT * FROM rows),
        by_guid AS (
            SELECT s.source_id, s.guid, min(s.item_id) AS guid_item FROM item_sources s
            WHERE s.guid IS NOT NULL
              AND (s.source_id, s.guid) IN (SELECT (source_id, guid) FROM arrived WHERE guid IS NOT NULL)
            GROUP BY s.source_id, s.guid
        ), by_url AS (
            SELECT i.canonical_url, min(i.id) AS url_item FROM items i
            WHERE i.canonical_url IN (SELECT canonical_url FROM arrived WHERE url_is_key)
            GROUP BY i.canonical_url
        ), resolved AS (
            SELECT a.*, coalesce(g.guid_item, CASE WHEN a.url_is_key THEN u.url_item END, a.proposed_id) AS item_id
            FROM arrived a
            LEFT JOIN by_guid g ON g.source_id = a.source_id AND g.guid = a.guid
            LEFT JOIN by_url u ON u.canonical_url = a.canonical_url
        ), deduped AS (
            SELECT * FROM resolved
            QUALIFY row_number() OVER (PARTITION BY source_id, item_id ORDER BY ordinal) = 1
        )
        SELECT r.*,
               CASE WHEN it.id IS NULL THEN 'new'
                    WHEN s.item_id IS NULL THEN 'linked'
                    WHEN s.content_hash <> r.content_hash THEN 'changed'
                    ELSE 'unchanged' END AS outcome
        FROM deduped r
        LEFT JOIN items it ON it.id = r.item_id
        LEFT JOIN item_sources s ON s.item_id = r.item_id AND s.source_id = r.source_id
    """, _incoming_table(batches))
    rows = con.execute(
        "SELECT source_id, item_id, outcome, canonical_url, url_is_key FROM incoming ORDER BY ordinal").fetchall()
    if len(batches) > 1 and _sources_meet(rows):
        con.execute("DROP TABLE incoming")
        raise SourcesOverlap
    counts = dict.fromkeys(("new", "changed", "unchanged", "linked"), 0)
    for _, _, outcome, _, _ in rows:
        counts[outcome] += 1
    _write_incoming(con, counts, now, demo, sorted(baseline))
    replace_incoming_references(con)
    con.execute("DROP TABLE incoming")
    per_source: dict[str, dict[str, int]] = {source_id: dict.fromkeys(counts, 0) for source_id, _ in batches}
    touched: dict[str, list[str]] = {source_id: [] for source_id, _ in batches}
    for source_id, item_id, outcome, _, _ in rows:
        per_source[source_id][outcome] += 1
        if outcome in ("new", "changed"):
            touched[source_id].append(item_id)
    return [(StoreStats(**per_source[source_id]), touched[source_id]) for source_id, _ in batches]


def _sources_meet(rows: Sequence[tuple[str, str, str, str | None, bool]]) -> bool:
    """Whether storing these sources one after another could differ from storing them
    together: two of them resolve to one item, or one matches by a URL (its identity) that
    another source's entry carries, which that source may insert first."""
    item_source: dict[str, str] = {}
    url_sources: dict[str, set[str]] = {}
    identity_urls: set[str] = set()
    for source_id, item_id, _, url, url_is_key in rows:
        if item_source.setdefault(item_id, source_id) != source_id:
            return True
        if url is not None:
            url_sources.setdefault(url, set()).add(source_id)
            if url_is_key:
                identity_urls.add(url)
    return any(len(url_sources[url]) > 1 for url in identity_urls)


def _write_incoming(con: duckdb.DuckDBPyConnection, counts: dict[str, int], now: datetime, demo: bool,
                    baseline: list[str]) -> None:
    if counts["changed"]:
        _apply_changes(con, now)
    if counts["unchanged"] or counts["linked"]:
        con.execute("""
            UPDATE items SET last_seen_at = $now
            FROM incoming n WHERE items.id = n.item_id AND n.outcome IN ('unchanged', 'linked')
        """, {"now": now})
    if counts["new"]:
        con.execute(f"""
            INSERT INTO items (id, {_NAMES}, first_seen_at, last_seen_at, is_demo, is_baseline)
            SELECT item_id, {_VALUES}, $now, $now, $demo, list_contains(CAST($baseline AS VARCHAR[]), source_id)
            FROM incoming WHERE outcome = 'new'
        """, {"now": now, "demo": demo, "baseline": baseline})
    if counts["changed"] or counts["unchanged"]:
        con.execute("""
            UPDATE item_sources SET content_hash = n.content_hash, last_seen_at = $now,
                   guid = n.guid, link = n.link
            FROM incoming n
            WHERE item_sources.item_id = n.item_id AND item_sources.source_id = n.source_id
              AND n.outcome IN ('changed', 'unchanged')
        """, {"now": now})
    if counts["new"] or counts["linked"]:
        con.execute("""
            INSERT INTO item_sources (item_id, source_id, guid, link, content_hash, first_seen_at, last_seen_at)
            SELECT item_id, source_id, guid, link, content_hash, $now, $now
            FROM incoming WHERE outcome IN ('new', 'linked')
        """, {"now": now})


def _apply_changes(con: duckdb.DuckDBPyConnection, now: datetime) -> None:
    """History rows with old and new values, then the items take the new values."""
    con.execute("""
        INSERT INTO item_history (item_id, source_id, recorded_at, changed_fields,
            old_title, new_title, old_summary, new_summary, old_deadline, new_deadline,
            old_content_hash, new_content_hash)
        SELECT n.item_id, n.source_id, $now,
               list_filter([
                   CASE WHEN it.title IS DISTINCT FROM n.title THEN 'title' END,
                   CASE WHEN it.summary IS DISTINCT FROM n.summary THEN 'summary' END,
                   CASE WHEN it.deadline IS DISTINCT FROM n.deadline THEN 'deadline' END],
                   lambda f: f IS NOT NULL),
               it.title, n.title, it.summary, n.summary, it.deadline, n.deadline,
               it.content_hash, n.content_hash
        FROM incoming n JOIN items it ON it.id = n.item_id
        WHERE n.outcome = 'changed'
    """, {"now": now})
    con.execute(f"""
        UPDATE items SET
            ({_NAMES}) = ({_NEW_VALUES}),
            changed_at = $now, is_changed = TRUE, last_seen_at = $now
        FROM incoming n
        WHERE items.id = n.item_id AND n.outcome = 'changed'
    """, {"now": now})


def count_items(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute("SELECT count(*) FROM items").fetchone()[0])


def item_history(con: duckdb.DuckDBPyConnection, item_id: str) -> list[dict[str, object]]:
    """The recorded versions of an item, oldest first."""
    rel = con.execute(
        "SELECT recorded_at, source_id, changed_fields, old_title, new_title, old_summary, "
        "new_summary, old_deadline, new_deadline FROM item_history WHERE item_id = ? ORDER BY id",
        [item_id],
    )
    names = [d[0] for d in rel.description]
    return [dict(zip(names, row, strict=True)) for row in rel.fetchall()]


def item_sources(con: duckdb.DuckDBPyConnection, item_id: str) -> list[dict[str, object]]:
    """Every source that carried the item, with name and the link it gave."""
    rel = con.execute(
        "SELECT s.source_id, src.name, src.publisher, s.link, s.first_seen_at, s.last_seen_at "
        "FROM item_sources s LEFT JOIN sources src ON src.id = s.source_id "
        "WHERE s.item_id = ? ORDER BY s.first_seen_at, s.source_id",
        [item_id],
    )
    names = [d[0] for d in rel.description]
    return [dict(zip(names, row, strict=True)) for row in rel.fetchall()]


def backdate_demo_first_seen(con: duckdb.DuckDBPyConnection) -> None:
    """Demo items count as first seen at their publication time (never later than stored)."""
    con.execute("UPDATE items SET first_seen_at = least(first_seen_at, coalesce(published_at, first_seen_at))"
                " WHERE is_demo")
    con.execute("UPDATE item_sources SET first_seen_at = least(item_sources.first_seen_at, i.first_seen_at)"
                " FROM items i WHERE i.id = item_sources.item_id AND i.is_demo")
