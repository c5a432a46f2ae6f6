"""Several processes, each with several threads, opening and closing the database as the
dashboard, a cron collection and the alerts do: every committed write survives.

DuckDB 2.0.1 gives its file lock up before it has finished with its write-ahead log;
without ``storage.file_lock`` this test lost more than half of 800 counted attempts, and
some openings failed with "the WAL checkpoint iteration does not match the database file".
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tracker.storage import open_db
from tracker.storage import users as store

PROCESSES, THREADS, ROUNDS = 4, 8, 25

WORKER = f"""
import sys, threading
from datetime import UTC, datetime, timedelta
from tracker.storage import open_db
from tracker.storage import users as store
errors = []
def work():
    for _ in range({ROUNDS}):
        try:
            now = datetime.now(UTC)
            with open_db() as con:
                store.count_login_attempt(con, "zaehler", now, now - timedelta(days=1))
        except Exception as exc:
            errors.append(repr(exc))
threads = [threading.Thread(target=work) for _ in range({THREADS})]
[t.start() for t in threads]
[t.join() for t in threads]
sys.stdout.write("\\n".join(errors))
"""


def test_every_attempt_counted_by_parallel_processes_and_threads_is_kept(db_path: Path) -> None:
    with open_db(db_path):
        pass  # schema in place before the workers start
    env = {**os.environ, "TRACKER_DB": str(db_path)}
    workers = [subprocess.Popen([sys.executable, "-c", WORKER], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(PROCESSES)]
    results = [worker.communicate(timeout=300) for worker in workers]
    assert all(worker.returncode == 0 for worker in workers), [err[-2000:] for _, err in results]
    assert [out for out, _ in results] == [""] * PROCESSES  # no opening or write failed
    now = datetime.now(UTC)
    with open_db(db_path) as con:
        after = store.count_login_attempt(con, "zaehler", now, now - timedelta(days=1))
    assert after == PROCESSES * THREADS * ROUNDS + 1
