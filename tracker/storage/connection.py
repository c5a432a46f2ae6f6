"""Opening the DuckDB file and keeping its schema current.

DuckDB allows one read-write process per file. The dashboard and a scheduled collector
must both work, so nobody keeps a connection open: each unit of work opens, does its
work in a transaction and closes (about 30 ms). A second process that meets the lock
waits and retries for a bounded time instead of failing at once.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import duckdb
import pyarrow as pa

from tracker import settings

MIGRATION_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")
LOCK_RETRY_SECONDS = 30.0
_migrated: set[str] = set()


class DatabaseLockedError(RuntimeError):
    """Another process held the database longer than we were willing to wait."""


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc)
    return "Could not set lock" in text or "Conflicting lock" in text


def connect(path: Path | str | None = None, *, wait_seconds: float = LOCK_RETRY_SECONDS,
            migrate: bool = True) -> duckdb.DuckDBPyConnection:
    """Open the database read-write, waiting out another process's lock."""
    db_file = Path(path) if path is not None else settings.get().db_path
    db_file.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    delay = 0.02
    while True:
        try:
            con = duckdb.connect(str(db_file))
            break
        except duckdb.IOException as exc:
            if not _is_lock_error(exc):
                raise
            if time.monotonic() >= deadline:
                raise DatabaseLockedError(
                    f"Datenbank {db_file} ist von einem anderen Prozess gesperrt "
                    f"(nach {wait_seconds:.0f} s aufgegeben)"
                ) from exc
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
    key = str(db_file.resolve())
    if migrate and key not in _migrated:
        apply_migrations(con)
        _migrated.add(key)
    return con


@contextmanager
def open_db(path: Path | str | None = None, **kwargs: object) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection that is closed when the block ends, whatever happens in it."""
    con = connect(path, **kwargs)  # type: ignore[arg-type]
    try:
        yield con
    finally:
        con.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN … COMMIT, or ROLLBACK if the block raises."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def execute_with_rows(con: duckdb.DuckDBPyConnection, sql: str, rows: pa.Table,
                      params: dict[str, object] | list[object] | None = None) -> duckdb.DuckDBPyConnection:
    """Execute ``sql``, in which the table name ``rows`` stands for the given Arrow table.

    Bulk writes go through Arrow because ``executemany`` is very slow in DuckDB. DuckDB
    finds an Arrow table named in SQL among the calling frame's variables (its replacement
    scan): the parameter ``rows`` is that variable. ``con.register`` would name it
    explicitly, but DuckDB 2 refuses it while an earlier result on the connection is open,
    which callers inside a transaction often have.
    """
    return con.execute(sql, params) if params is not None else con.execute(sql)


def available_migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every migration file shipped, in version order."""
    found = []
    for entry in resources.files("tracker.storage.migrations").iterdir():
        match = MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    versions = [v for v, _, _ in found]
    if len(versions) != len(set(versions)):
        raise RuntimeError(f"two migrations share a number: {sorted(versions)}")
    return sorted(found)


def apply_migrations(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply every migration not yet recorded, each in its own transaction."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
        " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
    )
    done = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
    applied = []
    for version, name, sql in available_migrations():
        if version in done:
            continue
        with transaction(con):
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, name])
        applied.append(version)
    return applied


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    row = con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()
    return int(row[0]) if row else 0
