"""Small key/value facts about the database itself (e.g. that it holds shifted demo data), and the
collection runs: who runs one, when it ended and how."""

from __future__ import annotations

from datetime import datetime

import duckdb

from tracker.vocabulary import RunOutcome


def get_meta(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    row = con.execute("SELECT value FROM app_meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def set_meta(con: duckdb.DuckDBPyConnection, key: str, value: str | None) -> None:
    con.execute(
        "INSERT INTO app_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )


def get_or_create_meta(con: duckdb.DuckDBPyConnection, key: str, value: str) -> str:
    """The stored value of ``key``; ``value`` is stored first if there is none (the first
    writer wins when two processes race)."""
    con.execute("INSERT INTO app_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", [key, value])
    return get_meta(con, key) or value


def start_run(con: duckdb.DuckDBPyConnection, *, now: datetime, sources_total: int, holder: str | None = None) -> int:
    row = con.execute(
        "INSERT INTO collect_runs (started_at, sources_total, holder) VALUES (?, ?, ?) RETURNING id",
        [now, sources_total, holder]).fetchone()
    return int(row[0])


def finish_run(con: duckdb.DuckDBPyConnection, run_id: int, *, now: datetime, sources_failed: int,
               items_new: int, items_changed: int) -> None:
    con.execute(
        "UPDATE collect_runs SET finished_at = ?, sources_failed = ?, items_new = ?, items_changed = ?, outcome = ? "
        "WHERE id = ?", [now, sources_failed, items_new, items_changed, RunOutcome.COMPLETED, run_id])


def open_runs(con: duckdb.DuckDBPyConnection) -> list[dict[str, object]]:
    """Runs without an end or outcome: still running, or killed half way."""
    rel = con.execute("SELECT id, started_at, holder FROM collect_runs WHERE outcome IS NULL AND finished_at IS NULL")
    return [{"id": r[0], "started_at": r[1], "holder": r[2]} for r in rel.fetchall()]


def mark_runs_aborted(con: duckdb.DuckDBPyConnection, run_ids: list[int]) -> None:
    """Runs whose process ended before them: an outcome, and still no end time (it is not known)."""
    if run_ids:
        con.execute("UPDATE collect_runs SET outcome = ? WHERE list_contains(?, id) AND outcome IS NULL",
                    [RunOutcome.ABORTED, run_ids])


def recent_runs(con: duckdb.DuckDBPyConnection, limit: int = 10) -> list[dict[str, object]]:
    rel = con.execute("SELECT * FROM collect_runs ORDER BY id DESC LIMIT ?", [limit])
    names = [d[0] for d in rel.description]
    return [dict(zip(names, row, strict=True)) for row in rel.fetchall()]


DEMO_SHIFT_KEY = "demo_shift_days"


def demo_shift_days(con: duckdb.DuckDBPyConnection) -> int | None:
    """Days the stored demo data was shifted by; None when the database holds no demo data."""
    value = get_meta(con, DEMO_SHIFT_KEY)
    return int(value) if value is not None else None
