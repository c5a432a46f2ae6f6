"""Judgements, relevance labels and re-tagging: all SQL of the judge lives here.

Rows go in as Arrow tables, not ``executemany`` (slow in DuckDB). ``apply_tagging``
writes judgements and text deadlines of a batch in one transaction, recording each
moved text deadline in ``item_history`` and flagging the item as changed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from tracker.judge.types import Judgement
from tracker.storage.connection import dict_rows, execute_with_rows, open_db, transaction
from tracker.vocabulary import DeadlineOrigin

_JUDGEMENT_SCHEMA = pa.schema([
    ("item_id", pa.string()), ("judged_at", pa.timestamp("us", tz="UTC")), ("model_version", pa.string()),
    ("taxonomy_hash", pa.string()), ("language", pa.string()), ("language_supported", pa.bool_()),
    ("in_remit", pa.bool_()), ("relevant", pa.bool_()), ("score", pa.float64()), ("stage", pa.string()),
    ("topics", pa.list_(pa.string())), ("topic_scores", pa.string()), ("evidence", pa.string()),
    ("source_id", pa.string()), ("possible_deadline", pa.date32()), ("possible_deadline_text", pa.string()),
    ("possible_deadline_confidence", pa.float64()),
])


@dataclass(frozen=True)
class StoredItem:
    """What re-tagging needs of a stored item (a ``judge.enrich.Publication``)."""

    id: str
    source_id: str | None
    title: str
    summary: str
    text: str
    language: str | None
    jurisdiction: str | None
    published_at: datetime | None
    deadline: date | None
    deadline_text: str | None
    deadline_origin: str | None


@dataclass(frozen=True)
class LabelledItem:
    """The newest team label of an item, with the text the model learns from."""

    item_id: str
    title: str
    summary: str
    language: str | None
    relevant: bool
    topics: tuple[str, ...]
    labelled_by: str
    labelled_at: datetime


def _judgement_table(judgements: Sequence[Judgement], taxonomy_sha: str | None, now: datetime) -> pa.Table:
    columns: dict[str, list[object]] = {name: [] for name in _JUDGEMENT_SCHEMA.names}
    for j in judgements:
        columns["item_id"].append(j.id)
        columns["judged_at"].append(now)
        columns["model_version"].append(j.model_version)
        columns["taxonomy_hash"].append(taxonomy_sha)
        columns["language"].append(j.language)
        columns["language_supported"].append(j.language_supported)
        columns["in_remit"].append(j.in_remit)
        columns["relevant"].append(j.relevant)
        columns["score"].append(j.score)
        columns["stage"].append(j.stage)
        columns["topics"].append(list(j.topics))
        columns["topic_scores"].append(json.dumps(j.topic_scores, ensure_ascii=False))
        columns["evidence"].append(json.dumps([e.to_dict() for e in j.evidence], ensure_ascii=False))
        columns["source_id"].append(j.source)
        possible = j.possible_deadline
        columns["possible_deadline"].append(possible.day if possible else None)
        columns["possible_deadline_text"].append(possible.sentence if possible else None)
        columns["possible_deadline_confidence"].append(possible.confidence if possible else None)
    return pa.table(columns, schema=_JUDGEMENT_SCHEMA)


def save_judgements(con: duckdb.DuckDBPyConnection, judgements: Sequence[Judgement], *,
                    now: datetime | None = None, taxonomy_sha: str | None = None) -> int:
    """Insert or replace judgements on an open connection; the caller owns the transaction.

    ``taxonomy_sha`` defaults to the hash of the taxonomy file in use, so a later
    ``tracker tag`` can tell which items were judged under an older taxonomy.
    """
    if not judgements:
        return 0
    if taxonomy_sha is None:
        taxonomy_sha = taxonomy_file_sha()
    execute_with_rows(
        con,
        "INSERT OR REPLACE INTO item_judgements (item_id, judged_at, model_version, taxonomy_hash, language,"
        " language_supported, in_remit, relevant, score, stage, topics, topic_scores, evidence, source_id,"
        " possible_deadline, possible_deadline_text, possible_deadline_confidence)"
        " SELECT item_id, judged_at, model_version, taxonomy_hash, language, language_supported, in_remit,"
        " relevant, score, stage, topics, topic_scores::JSON, evidence::JSON, source_id,"
        " possible_deadline, possible_deadline_text, possible_deadline_confidence FROM rows",
        _judgement_table(judgements, taxonomy_sha, now or datetime.now(UTC)))
    return len(judgements)


def taxonomy_file_sha(path: Path | None = None) -> str | None:
    from tracker.judge.taxonomy import DEFAULT_TAXONOMY_PATH, file_sha

    try:
        return file_sha(path or DEFAULT_TAXONOMY_PATH)
    except OSError:
        return None


def load_judgement(item_id: str, path: Path | None = None) -> dict[str, object] | None:
    with open_db(path) as con:
        cursor = con.execute("SELECT * FROM item_judgements WHERE item_id = ?", [item_id])
        row = cursor.fetchone()
        if row is None:
            return None
        out = dict(zip([d[0] for d in cursor.description], row, strict=True))
    for key in ("topic_scores", "evidence"):
        if isinstance(out.get(key), str):
            out[key] = json.loads(out[key])
    return out


def items_to_tag(path: Path | None = None, *, only_unjudged: bool = False) -> list[StoredItem]:
    """Stored items in a stable order, optionally only those without a judgement, each with
    the source it was judged with (before that was recorded: the source that carried it last)."""
    where = " WHERE j.item_id IS NULL" if only_unjudged else ""
    with open_db(path) as con:
        rows = con.execute(
            "SELECT i.id, coalesce(j.source_id, (SELECT s.source_id FROM item_sources s WHERE s.item_id = i.id"
            "  ORDER BY s.last_seen_at DESC, s.source_id LIMIT 1)),"
            " i.title, coalesce(i.summary, ''), coalesce(i.text, ''), i.language, i.jurisdiction,"
            " i.published_at, i.deadline, i.deadline_text, i.deadline_origin"
            " FROM items i LEFT JOIN item_judgements j ON j.item_id = i.id" + where +
            " ORDER BY i.first_seen_at, i.id").fetchall()
    return [StoredItem(*row) for row in rows]


def _deadline_changes(items: Sequence[StoredItem], judgements: Sequence[Judgement]) -> list[dict[str, object]]:
    by_id = {item.id: item for item in items}
    changes = []
    for j in judgements:
        item = by_id.get(j.id)
        # A structured deadline from an adapter is the source's own word, and one of unknown
        # origin may be too: only a deadline the judge itself read from text is re-read.
        if item is None or j.deadline_origin == DeadlineOrigin.STRUCTURED or (
                item.deadline is not None and item.deadline_origin != DeadlineOrigin.TEXT):
            continue
        if j.deadline == item.deadline and (j.deadline is None or j.deadline_text == item.deadline_text):
            continue
        changes.append({"id": j.id, "old": item.deadline, "new": j.deadline, "text": j.deadline_text,
                        "origin": j.deadline_origin, "confidence": j.deadline_confidence,
                        "moved": item.deadline != j.deadline and item.deadline is not None})
    return changes


def apply_tagging(items: Sequence[StoredItem], judgements: Sequence[Judgement], taxonomy_sha: str | None,
                  path: Path | None = None) -> int:
    """Store a batch of judgements and their text deadlines in one transaction.

    Returns how many deadlines moved (changed from one date to another or disappeared);
    each is recorded in ``item_history`` and flags the item as changed.
    """
    changes = _deadline_changes(items, judgements)
    now = datetime.now(UTC)
    with open_db(path) as con, transaction(con):
        save_judgements(con, judgements, now=now, taxonomy_sha=taxonomy_sha)
        if not changes:
            return 0
        table = pa.table({
            "id": pa.array([c["id"] for c in changes], pa.string()),
            "old": pa.array([c["old"] for c in changes], pa.date32()),
            "new": pa.array([c["new"] for c in changes], pa.date32()),
            "text": pa.array([c["text"] for c in changes], pa.string()),
            "origin": pa.array([c["origin"] for c in changes], pa.string()),
            "confidence": pa.array([c["confidence"] for c in changes], pa.float64()),
            "moved": pa.array([c["moved"] for c in changes], pa.bool_()),
        })
        execute_with_rows(
            con,
            "UPDATE items SET deadline = d.new, deadline_text = d.text, deadline_origin = d.origin,"
            " deadline_confidence = d.confidence,"
            " is_changed = items.is_changed OR d.moved,"
            " changed_at = CASE WHEN d.moved THEN ?::TIMESTAMPTZ ELSE items.changed_at END"
            " FROM rows d WHERE items.id = d.id", table, [now])
        execute_with_rows(
            con,
            "INSERT INTO item_history (item_id, recorded_at, changed_fields, old_deadline, new_deadline)"
            " SELECT id, ?::TIMESTAMPTZ, ['deadline'], old, new FROM rows WHERE moved", table, [now])
    return sum(1 for c in changes if c["moved"])


def load_labels(path: Path | None = None) -> list[LabelledItem]:
    """The newest label per item that says relevant or not, joined with the item's text."""
    with open_db(path) as con:
        rows = con.execute(
            "SELECT l.item_id, i.title, coalesce(i.summary, ''), i.language, l.relevant,"
            " coalesce(l.topics, []::VARCHAR[]), l.labelled_by, l.labelled_at"
            " FROM relevance_labels l JOIN items i ON i.id = l.item_id"
            " WHERE l.relevant IS NOT NULL"
            " QUALIFY row_number() OVER (PARTITION BY l.item_id ORDER BY l.labelled_at DESC, l.id DESC) = 1"
            " ORDER BY l.item_id").fetchall()
    return [LabelledItem(item_id=r[0], title=r[1], summary=r[2], language=r[3], relevant=bool(r[4]),
                         topics=tuple(r[5]), labelled_by=r[6], labelled_at=r[7]) for r in rows]


def label_verdicts(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The team's newest relevance verdict per item beside the item's stored judgement,
    newest verdict first (``work.feedback`` compares them)."""
    cursor = con.execute(
        """SELECT l.item_id, i.title, l.relevant AS team_relevant, l.labelled_by, l.labelled_at,
                  j.relevant AS judged_relevant, j.score, j.model_version
           FROM relevance_labels l JOIN items i ON i.id = l.item_id
           JOIN item_judgements j ON j.item_id = l.item_id
           WHERE l.relevant IS NOT NULL
           QUALIFY row_number() OVER (PARTITION BY l.item_id ORDER BY l.labelled_at DESC, l.id DESC) = 1
           ORDER BY l.labelled_at DESC, l.item_id""")
    return dict_rows(cursor)


def not_relevant_sample(con: duckdb.DuckDBPyConnection, *, since: datetime, key: str,
                        size: int) -> list[dict[str, Any]]:
    """A sample of items first seen since ``since`` that were judged not relevant and have no
    verdict of the team yet; the same ``key`` draws the same sample."""
    cursor = con.execute(
        """SELECT i.id, i.title, j.score, i.first_seen_at, coalesce(s.name, j.source_id) AS source
           FROM items i JOIN item_judgements j ON j.item_id = i.id
           LEFT JOIN sources s ON s.id = j.source_id
           WHERE i.first_seen_at >= $since AND NOT j.relevant
             AND NOT EXISTS (SELECT 1 FROM relevance_labels l WHERE l.item_id = i.id AND l.relevant IS NOT NULL)
           ORDER BY hash(i.id || $key), i.id LIMIT $size""",
        {"since": since, "key": key, "size": size})
    return dict_rows(cursor)
