"""Queries behind the dashboard: the inbox page, facet counts, item detail, deadlines, charts.

Filters are applied in two layers. Non-facet filters (text, dates, score, changed) shape
the base set once; facet filters (topic, source, ...) are applied on top, so each facet can
be counted "with every other filter but its own" in the same statement.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import duckdb

from tracker.storage.connection import dict_rows
from tracker.storage.hearings import item_hearings
from tracker.vocabulary import FOLLOWED_STATUSES, TriageStatus
from tracker.work import inbox
from tracker.work.inbox import InboxFilter

_BASE = """
WITH base AS MATERIALIZED (
    SELECT i.id,
           i.deadline,
           coalesce(i.jurisdiction, '') AS jurisdiction,
           coalesce(j.stage, i.stage, '') AS stage,
           coalesce(t.status, $default_status) AS status,
           coalesce(t.owner, $no_owner) AS owner,
           coalesce(j.topics, []::VARCHAR[]) AS topics,
           coalesce(s.source_ids, []::VARCHAR[]) AS source_ids,
           coalesce(j.score, 0.0) AS score,
           (i.is_changed AND (t.updated_at IS NULL OR i.changed_at > t.updated_at)) AS changed,
           CAST(coalesce(i.published_at, i.first_seen_at) AS DATE) AS day,
           -- the team's last verdict wins over the judge's; followed items always count
           (coalesce(l.relevant, j.relevant, FALSE)
            OR list_contains($followed, coalesce(t.status, $default_status))) AS relevant
    FROM items i
    LEFT JOIN item_judgements j ON j.item_id = i.id
    LEFT JOIN item_triage t ON t.item_id = i.id
    LEFT JOIN (SELECT item_id, arg_max(relevant, id) AS relevant FROM relevance_labels
               WHERE relevant IS NOT NULL GROUP BY item_id) l ON l.item_id = i.id
    LEFT JOIN (SELECT item_id, list(source_id ORDER BY source_id) AS source_ids
               FROM item_sources GROUP BY item_id) s ON s.item_id = i.id
    WHERE {base_where}
)
"""

# facet name -> (SQL predicate on base, list column or None)
_FACETS: dict[str, tuple[str, str | None]] = {
    "topics": ("list_has_any(topics, $topics)", "topics"),
    "sources": ("list_has_any(source_ids, $sources)", "source_ids"),
    "jurisdictions": ("list_contains($jurisdictions, jurisdiction)", None),
    "stages": ("list_contains($stages, stage)", None),
    "statuses": ("list_contains($statuses, status)", None),
    "owners": ("list_contains($owners, owner)", None),
}
_FACET_COLUMN = {"jurisdictions": "jurisdiction", "stages": "stage", "statuses": "status",
                 "owners": "owner"}

_STAGE_BONUS = "CASE stage " + " ".join(f"WHEN '{code}' THEN {bonus}" for code, bonus in inbox.STAGE_BONUS.items()) \
    + " ELSE 0.0 END"
_RANK = f"""(score + $urgency_weight * CASE WHEN deadline IS NULL OR deadline < $today THEN 0.0
             ELSE greatest(0.0, 1.0 - CAST(deadline - $today AS DOUBLE) / $horizon) END
           + CASE WHEN changed THEN $changed_bonus ELSE 0.0 END
           + {_STAGE_BONUS}
           - CASE WHEN day < $today - {inbox.AGE_PENALTY_AFTER_DAYS} THEN {inbox.AGE_PENALTY} ELSE 0.0 END)"""

_ORDER = {
    "rank": f"{_RANK} DESC, deadline ASC NULLS LAST, id",
    "deadline": "(deadline IS NULL OR deadline < $today), deadline, score DESC, id",
    "newest": "day DESC NULLS LAST, id",
    "score": "score DESC, id",
}


def _base_sql(f: InboxFilter) -> tuple[str, dict[str, Any]]:
    where = ["TRUE"]
    params: dict[str, Any] = {"no_owner": inbox.NO_OWNER, "default_status": TriageStatus.NEU,
                              "followed": list(FOLLOWED_STATUSES)}
    for n, word in enumerate(inbox.clean_search(f.text).split()):
        # Both spellings of umlauts ("Waermeplanung" finds "Wärmeplanung"); see bench/search.py.
        where.append(f"(regexp_matches(i.title, $w{n}) OR regexp_matches(coalesce(i.summary, ''), $w{n}))")
        params[f"w{n}"] = inbox.search_pattern(word)
    if f.date_from:
        where.append("CAST(coalesce(i.published_at, i.first_seen_at) AS DATE) >= $date_from")
        params["date_from"] = f.date_from
    if f.date_to:
        where.append("CAST(coalesce(i.published_at, i.first_seen_at) AS DATE) <= $date_to")
        params["date_to"] = f.date_to
    if f.min_score > 0:
        where.append("coalesce(j.score, 0.0) >= $min_score")
        params["min_score"] = float(f.min_score)
    if f.only_changed:
        where.append("i.is_changed AND (t.updated_at IS NULL OR i.changed_at > t.updated_at)")
    return _BASE.format(base_where=" AND ".join(where)), params


def _facet_where(f: InboxFilter, params: dict[str, Any], skip: str | None = None, *,
                 relevance: bool = True) -> str:
    clauses = ["TRUE" if f.include_irrelevant or not relevance else "relevant"]
    for name, (predicate, _) in _FACETS.items():
        values = getattr(f, name)
        if name == skip or not values:
            continue
        params[name] = list(values)
        clauses.append(predicate)
    return " AND ".join(clauses)


_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")


def _run(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> duckdb.DuckDBPyConnection:
    """Execute with the named parameters the statement uses (DuckDB rejects unused ones)."""
    used = set(_PARAM.findall(sql))
    return con.execute(sql, {name: value for name, value in params.items() if name in used})


def inbox_page(con: duckdb.DuckDBPyConnection, f: InboxFilter, *, today: date,
               sort: str = inbox.DEFAULT_SORT, limit: int = inbox.PAGE_SIZE,
               offset: int = 0) -> list[dict[str, Any]]:
    """One page of the inbox, display columns joined only for the rows shown."""
    if sort not in _ORDER:
        raise ValueError(f"unknown sort {sort!r}")
    base, params = _base_sql(f)
    params.update(today=today, urgency_weight=inbox.URGENCY_WEIGHT, horizon=float(inbox.URGENCY_HORIZON_DAYS),
                  changed_bonus=inbox.CHANGED_BONUS, limit=limit, offset=offset)
    sql = f"""{base},
    page AS (SELECT *, row_number() OVER () AS pos FROM
             (SELECT * FROM base WHERE {_facet_where(f, params)} ORDER BY {_ORDER[sort]}
              LIMIT $limit OFFSET $offset))
    SELECT p.id, i.title, left(coalesce(i.summary, ''), 400) AS summary, i.link,
           p.deadline, i.deadline_text, p.stage, p.jurisdiction, p.score, p.topics,
           p.status, nullif(p.owner, $no_owner) AS owner, p.changed, p.day, p.relevant,
           i.first_seen_at, p.source_ids, i.is_baseline,
           json_extract_string(i.extra, '$.mail.reading') AS mail_reading,
           json_extract_string(i.extra, '$.mail.ministry.short') AS ministry,
           (SELECT j.possible_deadline FROM item_judgements j WHERE j.item_id = p.id) AS possible_deadline,
           (SELECT list(coalesce(s.name, x) ORDER BY x) FROM unnest(p.source_ids) AS u(x)
            LEFT JOIN sources s ON s.id = u.x) AS source_names
    FROM page p JOIN items i ON i.id = p.id
    ORDER BY p.pos"""
    return dict_rows(_run(con, sql, params))


def facet_counts(con: duckdb.DuckDBPyConnection, f: InboxFilter) -> tuple[int, dict[str, dict[str, int]]]:
    """(matching items, {facet: {value: count}}); each facet counted without its own filter.
    ``counts["hidden"][""]`` is how many more match but are hidden as not relevant."""
    base, params = _base_sql(f)
    parts = [f"SELECT 'total' AS facet, '' AS value, count(*) AS n FROM base WHERE {_facet_where(f, params)}",
             f"SELECT 'hidden', '', count(*) FROM base WHERE NOT relevant AND "
             f"{_facet_where(f, params, relevance=False)} AND {'FALSE' if f.include_irrelevant else 'TRUE'}"]
    for name, (_, list_column) in _FACETS.items():
        where = _facet_where(f, params, skip=name)
        if list_column:
            parts.append(f"SELECT '{name}', v, count(*) FROM (SELECT unnest({list_column}) AS v "
                         f"FROM base WHERE {where}) GROUP BY v")
        else:
            column = _FACET_COLUMN[name]
            parts.append(f"SELECT '{name}', {column}, count(*) FROM base WHERE {where} GROUP BY {column}")
    rows = _run(con, base + "\n UNION ALL ".join(parts), params).fetchall()
    counts: dict[str, dict[str, int]] = {name: {} for name in (*_FACETS, "hidden")}
    total = 0
    for facet, value, n in rows:
        if facet == "total":
            total = int(n)
        else:
            counts[facet][value] = int(n)
    return total, counts


@dataclass(frozen=True)
class InboxView:
    """Everything one inbox page shows, read in one connection."""

    all_items: int
    source_names: dict[str, str]
    total: int
    counts: dict[str, dict[str, int]]
    page: int
    rows: list[dict[str, Any]]


def inbox_view(con: duckdb.DuckDBPyConnection, f: InboxFilter, *, today: date, sort: str = inbox.DEFAULT_SORT,
               page: int = 1, page_size: int = inbox.PAGE_SIZE) -> InboxView:
    """Counts first, so a page number beyond the (filtered) end is pulled back before reading rows."""
    total, counts = facet_counts(con, f)
    page = inbox.clamp_page(page, total, page_size)
    rows = inbox_page(con, f, today=today, sort=sort, limit=page_size, offset=inbox.page_offset(page, page_size))
    return InboxView(item_total(con), source_names(con), total, counts, page, rows)


def source_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("SELECT id, name FROM sources ORDER BY name").fetchall())


def owner_choices(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Team users plus anyone already named as owner, so old assignments stay selectable."""
    rows = con.execute(
        "SELECT id FROM users WHERE active AND role IN ('admin', 'team') "
        "UNION SELECT owner FROM item_triage WHERE owner IS NOT NULL ORDER BY 1").fetchall()
    return [r[0] for r in rows]


def _json(value: Any) -> Any:
    if value is None or isinstance(value, (dict, list)):
        return value
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return None


def item_detail(con: duckdb.DuckDBPyConnection, item_id: str) -> dict[str, Any] | None:
    """Everything the Vorgang page shows about one item, or None if it does not exist."""
    rows = dict_rows(con.execute(
        """SELECT i.*, j.score, j.topics, j.topic_scores, j.evidence, j.stage AS judged_stage,
                  j.relevant, j.in_remit, j.model_version, j.judged_at, j.language_supported,
                  j.possible_deadline, j.possible_deadline_text, j.possible_deadline_confidence,
                  coalesce(t.status, ?) AS status, t.owner, t.member_input_due,
                  t.board_signoff_due, t.updated_by, t.updated_at AS triaged_at
           FROM items i LEFT JOIN item_judgements j ON j.item_id = i.id
           LEFT JOIN item_triage t ON t.item_id = i.id WHERE i.id = ?""", [TriageStatus.NEU, item_id]))
    if not rows:
        return None
    item = rows[0]
    item["topic_scores"] = _json(item["topic_scores"]) or {}
    item["evidence"] = _json(item["evidence"]) or []
    item["extra"] = _json(item["extra"]) or {}
    item["topics"] = list(item["topics"] or [])
    item["sources"] = dict_rows(con.execute(
        """SELECT s.id, coalesce(s.name, s.id) AS name, s.publisher, s.jurisdiction, x.link,
                  x.first_seen_at, x.last_seen_at
           FROM item_sources x LEFT JOIN sources s ON s.id = x.source_id
           WHERE x.item_id = ? ORDER BY x.first_seen_at""", [item_id]))
    item["history"] = dict_rows(con.execute(
        """SELECT recorded_at, source_id, recorded_by, changed_fields, old_title, new_title,
                  old_deadline, new_deadline
           FROM item_history WHERE item_id = ? ORDER BY recorded_at DESC, id DESC""", [item_id]))
    item["hearings"] = item_hearings(con, item_id)
    return item


def judged_not_relevant_since(con: duckdb.DuckDBPyConnection, since: datetime) -> int:
    """Items first seen since ``since`` that the inbox hides as not relevant: judged so and
    not labelled relevant by the team, not followed."""
    row = con.execute(
        """SELECT count(*) FROM items i
           LEFT JOIN item_judgements j ON j.item_id = i.id
           LEFT JOIN item_triage t ON t.item_id = i.id
           LEFT JOIN (SELECT item_id, arg_max(relevant, id) AS relevant FROM relevance_labels
                      WHERE relevant IS NOT NULL GROUP BY item_id) l ON l.item_id = i.id
           WHERE i.first_seen_at >= $since AND NOT i.is_demo
             AND NOT coalesce(l.relevant, j.relevant, FALSE)
             AND NOT list_contains($followed, coalesce(t.status, $default_status))""",
        {"since": since, "followed": list(FOLLOWED_STATUSES), "default_status": TriageStatus.NEU}).fetchone()
    return int(row[0]) if row else 0


def deadline_sightings(con: duckdb.DuckDBPyConnection) -> list[tuple[str, datetime, date, bool]]:
    """(source, when that source first carried the item, the item's deadline, baseline) for
    every item with a deadline: how early each source brings news."""
    return [tuple(row) for row in con.execute(  # type: ignore[misc]
        """SELECT x.source_id, x.first_seen_at, i.deadline, i.is_baseline
           FROM item_sources x JOIN items i ON i.id = x.item_id
           WHERE i.deadline IS NOT NULL""").fetchall()]


def open_deadlines(con: duckdb.DuckDBPyConnection, *, today: date, days_back: int = 7,
                   days_ahead: int = 365, statuses: tuple[str, ...], min_score: float = 0.0,
                   limit: int = 300) -> list[dict[str, Any]]:
    """Items with a deadline in [today - days_back, today + days_ahead] and an open status."""
    rows = dict_rows(con.execute(
        """SELECT i.id, i.title, i.link, i.deadline, i.deadline_at, i.deadline_text,
                  CAST(coalesce(i.opening_date, i.published_at, i.first_seen_at) AS DATE) AS start,
                  coalesce(j.topics, []::VARCHAR[]) AS topics, j.topic_scores,
                  coalesce(j.score, 0.0) AS score, coalesce(t.status, $default) AS status, t.owner,
                  t.member_input_due, t.board_signoff_due
           FROM items i LEFT JOIN item_judgements j ON j.item_id = i.id
           LEFT JOIN item_triage t ON t.item_id = i.id
           WHERE i.deadline BETWEEN $start AND $end AND list_contains($statuses, coalesce(t.status, $default))
             AND coalesce(j.score, 0.0) >= $min_score
           ORDER BY i.deadline, j.score DESC NULLS LAST, i.id LIMIT $limit""",
        {"default": TriageStatus.NEU, "start": today - timedelta(days=days_back),
         "end": today + timedelta(days=days_ahead), "statuses": list(statuses),
         "min_score": float(min_score), "limit": limit}))
    for row in rows:
        row["topic_scores"] = _json(row["topic_scores"]) or {}
    return rows


def possible_deadlines(con: duckdb.DuckDBPyConnection, *, since: date, statuses: tuple[str, ...],
                       min_score: float = 0.0) -> list[dict[str, Any]]:
    """Relevant open items whose judgement names a possible deadline on ``since`` or later, with
    the item's own deadline; which of them are worth a look is the library's rule
    (``work.inbox.possible_deadline_to_check``)."""
    return dict_rows(con.execute(
        """SELECT i.id, i.title, i.deadline, j.possible_deadline, j.possible_deadline_text,
                  j.possible_deadline_confidence, coalesce(j.topics, []::VARCHAR[]) AS topics, j.score
           FROM items i JOIN item_judgements j ON j.item_id = i.id
           LEFT JOIN item_triage t ON t.item_id = i.id
           WHERE j.possible_deadline >= $since AND j.relevant AND j.score >= $min_score
             AND list_contains($statuses, coalesce(t.status, $default))
           ORDER BY j.possible_deadline, j.score DESC, i.id""",
        {"since": since, "statuses": list(statuses), "min_score": float(min_score), "default": TriageStatus.NEU}))


def topic_week_counts(con: duckdb.DuckDBPyConnection, since: date) -> list[dict[str, Any]]:
    return dict_rows(con.execute(
        """SELECT CAST(date_trunc('week', day) AS DATE) AS week, topic, count(*) AS items
           FROM (SELECT CAST(coalesce(i.published_at, i.first_seen_at) AS DATE) AS day,
                        unnest(j.topics) AS topic
                 FROM items i JOIN item_judgements j ON j.item_id = i.id)
           WHERE day >= ? GROUP BY ALL ORDER BY week, topic""", [since]))


def score_histogram(con: duckdb.DuckDBPyConnection, buckets: int = 20) -> list[dict[str, Any]]:
    return dict_rows(con.execute(
        """SELECT least(floor(score * ?), ? - 1) / ? AS bucket, relevant, count(*) AS items
           FROM item_judgements GROUP BY ALL ORDER BY bucket""", [buckets, buckets, float(buckets)]))


def items_per_source(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    return dict_rows(con.execute(
        """SELECT coalesce(s.name, x.source_id) AS source, coalesce(s.jurisdiction, '') AS jurisdiction,
                  count(*) AS items
           FROM item_sources x LEFT JOIN sources s ON s.id = x.source_id
           GROUP BY ALL ORDER BY items DESC"""))


def items_per_jurisdiction(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    return dict_rows(con.execute(
        """SELECT coalesce(nullif(jurisdiction, ''), 'unbekannt') AS jurisdiction, count(*) AS items
           FROM items GROUP BY ALL ORDER BY items DESC"""))


def item_total(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT count(*) FROM items").fetchone()
    return int(row[0]) if row else 0


def inbox_visit(con: duckdb.DuckDBPyConnection, user_id: str) -> tuple[datetime, datetime] | None:
    """(last visit, NEU cutoff of the current look) of a user, if the user looked before."""
    row = con.execute("SELECT last_visit_at, new_since FROM inbox_visits WHERE user_id = ?", [user_id]).fetchone()
    return (row[0], row[1]) if row else None


def record_inbox_visit(con: duckdb.DuckDBPyConnection, user_id: str, now: datetime,
                       new_since: datetime | None = None) -> None:
    """Move the user's last visit to ``now``; ``new_since`` starts a new look."""
    con.execute("INSERT INTO inbox_visits VALUES ($user, $now, coalesce($since, $now)) ON CONFLICT (user_id)"
                " DO UPDATE SET last_visit_at = excluded.last_visit_at,"
                " new_since = coalesce($since, inbox_visits.new_since)",
                {"user": user_id, "now": now, "since": new_since})


def last_collection_start(con: duckdb.DuckDBPyConnection) -> datetime | None:
    row = con.execute("SELECT max(started_at) FROM collect_runs").fetchone()
    return row[0] if row else None
