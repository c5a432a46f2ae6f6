"""Files the tracker must not use: a SQLite file (no DuckDB extension download, no network)
and a database from a newer schema (never written to). One German line, exit code 1."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import duckdb
import pytest

from tests.conftest import IN_CI
from tests.support.cli import TRACKER, assert_no_traceback, tracker
from tracker.storage import open_db
from tracker.storage.connection import DatabaseRefusedError, available_migrations, schema_version


def _sqlite_file(path: Path) -> Path:
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE items (id TEXT)")
    return path


def test_a_sqlite_file_is_refused_without_any_network_attempt(tmp_path: Path) -> None:
    db = _sqlite_file(tmp_path / "tracker.duckdb")
    home = tmp_path / "home"
    home.mkdir()
    env = {"TRACKER_DB": str(db), "HOME": str(home)}
    result = tracker("sources", env=env)
    assert_no_traceback(result)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"Fehler: {db} ist keine DuckDB-Datenbank (TRACKER_DB prüfen)"]
    assert not (home / ".duckdb").exists(), "DuckDB prepared an extension download"
    assert db.read_bytes().startswith(b"SQLite format 3")

    strace = shutil.which("strace")
    if strace is None:
        if IN_CI:
            pytest.fail("strace missing in CI (scripts/test.sh installs it)")
        pytest.skip("strace not installed: cannot watch for network attempts")
    trace = tmp_path / "connect.trace"
    traced = subprocess.run([strace, "-f", "-qq", "-e", "trace=connect", "-o", str(trace), str(TRACKER), "sources"],
                            env={**os.environ, **env}, capture_output=True, text=True, timeout=120)
    assert traced.returncode == 1, traced.stderr
    network = [line for line in trace.read_text().splitlines() if "AF_INET" in line]
    assert network == []


def test_a_database_from_a_newer_schema_is_refused_and_left_alone(db_path: Path) -> None:
    with open_db(db_path):
        pass
    newest = max(version for version, _, _ in available_migrations())
    with duckdb.connect(str(db_path)) as con:
        con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, 'from_the_future')", [newest + 1])
    before = db_path.read_bytes()

    result = tracker("demo", env={"TRACKER_DB": str(db_path)})
    assert_no_traceback(result)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "neueren Version" in lines[0] and f"Schema-Version {newest + 1}" in lines[0], lines
    assert db_path.read_bytes() == before

    with pytest.raises(DatabaseRefusedError):
        open_db(db_path).__enter__()
    with duckdb.connect(str(db_path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM items").fetchone()[0] == 0
        assert schema_version(con) == newest + 1


def test_a_text_file_is_refused_as_well(tmp_path: Path) -> None:
    db = tmp_path / "notizen.duckdb"
    db.write_text("keine Datenbank, nur Notizen\n" * 10, encoding="utf-8")
    result = tracker("sources", env={"TRACKER_DB": str(db)})
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"Fehler: {db} ist keine DuckDB-Datenbank (TRACKER_DB prüfen)"]
