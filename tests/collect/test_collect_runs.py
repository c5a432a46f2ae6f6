"""Bookkeeping of collection runs: a run whose process died is closed as aborted by the
next run; a run still going on in another live process is left alone."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.support.feeds import make_rss, write_feeds_toml
from tests.support.feedserver import FeedServer
from tracker.alerts import lease
from tracker.collect.run import run_collection
from tracker.collect.sources import load_sources
from tracker.storage import open_db
from tracker.storage.meta import recent_runs, start_run


def _dead_holder() -> str:
    """The holder a process that has since ended would have written."""
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return lease.new_holder().replace(f":{os.getpid()}:", f":{finished.stdout.strip()}:")


def test_next_run_closes_dead_runs_and_leaves_live_ones(db_path: Path, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    with open_db(db_path) as con:
        dead = start_run(con, now=now - timedelta(minutes=5), sources_total=3, holder=_dead_holder())
        legacy = start_run(con, now=now - timedelta(days=2), sources_total=3)  # written before holders existed
        alive = start_run(con, now=now - timedelta(minutes=1), sources_total=3, holder=lease.new_holder())
    with FeedServer() as server:
        server.route("/feed.xml", body=make_rss(2))
        feeds = write_feeds_toml(tmp_path / "feeds.toml", {"bmi": server.url("/feed.xml")})
        run_collection(registry=load_sources(feeds), db_path=db_path)
    with open_db(db_path) as con:
        runs = {r["id"]: r for r in recent_runs(con)}
    assert runs[dead]["outcome"] == "abgebrochen" and runs[dead]["finished_at"] is None
    assert runs[legacy]["outcome"] == "abgebrochen"
    assert runs[alive]["outcome"] is None  # another process is still collecting
    newest = max(runs)
    assert runs[newest]["outcome"] == "abgeschlossen" and runs[newest]["finished_at"] is not None
