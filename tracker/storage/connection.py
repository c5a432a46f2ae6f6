"""Opening the DuckDB file and keeping its schema current.

DuckDB allows one read-write process per file. The dashboard and a scheduled collector
must both work, so nobody keeps a connection open: each unit of work opens, does its
work in a transaction and closes (about 30 ms). A second process that meets the lock
waits and retries for a bounded time instead of failing at once.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pyarrow as pa

from tracker import settings
from tracker.errors import UserError
from tracker.storage import file_lock

MIGRATION_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")
# Bytes 8-11 of every DuckDB database file.
DUCKDB_MAGIC = b"DUCK"
# DuckDB would otherwise download and load an extension to read a file it does not know
# (a SQLite file pulls in sqlite_scanner from the internet): the tracker promises no network.
CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
_migrated: set[str] = set()
T = TypeVar("T")


class DatabaseLockedError(RuntimeError):
    """Another process held the database longer than we were willing to wait."""


class DatabaseRefusedError(UserError):
    """The file is no DuckDB database, or one written by a newer version of the tracker."""


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc)
    return "Could not set lock" in text or "Conflicting lock" in text


def _not_duckdb(db_file: Path) -> DatabaseRefusedError:
    return DatabaseRefusedError(f"{db_file} ist keine DuckDB-Datenbank (TRACKER_DB prüfen)")


def _check_file(db_file: Path) -> None:
    """Refuse a file that is not a DuckDB database before DuckDB tries to make sense of it."""
    try:
        with db_file.open("rb") as handle:
            header = handle.read(12)
    except FileNotFoundError:
        return
    except IsADirectoryError:
        raise DatabaseRefusedError(f"{db_file} ist ein Verzeichnis, keine DuckDB-Datenbank (TRACKER_DB prüfen)") \
            from None
    if header and header[8:12] != DUCKDB_MAGIC:
        raise _not_duckdb(db_file)


def _connect(db_file: Path, *, wait_seconds: float | None = None, migrate: bool = True) -> duckdb.DuckDBPyConnection:
    """Open the database read-write, waiting out another process's lock (``TRACKER_DB_WAIT_SECONDS``).

    Refuses (``DatabaseRefusedError``) a file that is no DuckDB database and a database
    whose schema has migrations this code does not know: a newer version wrote it, and an
    older one must not write to it. Holds the process's file lock (``storage.file_lock``)
    until ``open_db`` releases it.
    """
    wait = settings.get().db_wait_seconds if wait_seconds is None else wait_seconds
    db_file.parent.mkdir(parents=True, exist_ok=True)
    _check_file(db_file)
    deadline = time.monotonic() + wait
    try:
        file_lock.acquire(db_file, deadline)
    except file_lock.LockTimeout:
        raise _locked(db_file, wait) from None
    try:
        return _open(db_file, deadline, wait, migrate)
    except BaseException:
        file_lock.release(db_file)
        raise


def _locked(db_file: Path, wait: float) -> DatabaseLockedError:
    return DatabaseLockedError(f"Datenbank {db_file} ist von einem anderen Prozess gesperrt "
                               f"(nach {wait:.0f} s aufgegeben)")


def _open(db_file: Path, deadline: float, wait: float, migrate: bool) -> duckdb.DuckDBPyConnection:
    delay = 0.02
    while True:
        try:
            con = duckdb.connect(str(db_file), config=CONFIG)
            break
        except duckdb.IOException as exc:
            if "not a valid DuckDB database" in str(exc):
                raise _not_duckdb(db_file) from None
            if not _is_lock_error(exc):
                raise
            if time.monotonic() >= deadline:  # a process that does not take our file lock
                raise _locked(db_file, wait) from exc
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
    try:
        _refuse_newer_schema(con, db_file)
        key = str(db_file.resolve())
        if migrate and key not in _migrated:
            apply_migrations(con)
            _migrated.add(key)
    except BaseException:
        con.close()
        raise
    return con


def _refuse_newer_schema(con: duckdb.DuckDBPyConnection, db_file: Path) -> None:
    """Checked on every connection: a newer tracker may have migrated the file meanwhile."""
    known = [version for version, _, _ in available_migrations()]
    try:
        row = con.execute("SELECT list(version ORDER BY version) FROM schema_migrations"
                          " WHERE NOT list_contains(?, version)", [known]).fetchone()
    except duckdb.CatalogException:
        return  # a new, empty database
    unknown = row[0] if row else None
    if unknown:
        raise DatabaseRefusedError(
            f"Datenbank {db_file} hat Schema-Version {max(unknown)}, dieses Programm kennt nur bis "
            f"{max(known)}: sie stammt von einer neueren Version des Konsultationsradars und wird nicht "
            "verändert – bitte das Programm aktualisieren")


@contextmanager
def open_db(path: Path | str | None = None, **kwargs: object) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection that is closed when the block ends, whatever happens in it (and the
    process's file lock given up with the last one, ``storage.file_lock``)."""
    db_file = Path(path) if path is not None else settings.get().db_path
    con = _connect(db_file, **kwargs)  # type: ignore[arg-type]
    try:
        yield con
    finally:
        try:
            con.close()
        finally:
            file_lock.release(db_file)


# What DuckDB raises when a parallel transaction in this process wrote the same row first
# (optimistic concurrency): "Conflict on update", or a duplicate key from two inserts.
CONFLICTS = (duckdb.TransactionException, duckdb.ConstraintException)


def retry_on_conflict(statement: Callable[[], T], *, attempts: int = 60) -> T:
    """Run a single-statement write again while parallel writers of the same row win.

    Only for a statement outside an explicit transaction: a conflict then rolls back just
    that statement, so running it again counts it exactly once. Waits a few milliseconds,
    growing, between tries; raises the last conflict after ``attempts`` tries."""
    delay = 0.002
    for attempt in range(attempts):
        try:
            return statement()
        except CONFLICTS:
            if attempt == attempts - 1:
                raise
            time.sleep(delay * (1 + random.random()))
            delay = min(delay * 1.5, 0.1)
    raise AssertionError("unreachable")


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


def dict_rows(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """A result's rows as dicts by column name."""
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


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


@lru_cache(maxsize=1)
def available_migrations() -> tuple[tuple[int, str, str], ...]:
    """(version, name, sql) of every migration file shipped, in version order."""
    found = []
    for entry in resources.files("tracker.storage.migrations").iterdir():
        match = MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    versions = [v for v, _, _ in found]
    if len(versions) != len(set(versions)):
        raise RuntimeError(f"two migrations share a number: {sorted(versions)}")
    return tuple(sorted(found))


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
