"""A collection killed half way (SIGKILL) leaves a database that opens and a rerun that completes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from tests.support.feeds import make_rss, write_feeds_toml
from tests.support.feedserver import FeedServer
from tracker.storage import open_db

N_SOURCES = 8
ITEMS_PER_SOURCE = 400


def _counts(db_path):
    with open_db(db_path) as con:
        return con.execute("""
            SELECT (SELECT count(*) FROM items), (SELECT count(DISTINCT id) FROM items),
                   (SELECT count(*) FROM item_sources),
                   (SELECT count(*) FROM (SELECT DISTINCT item_id, source_id FROM item_sources)),
                   (SELECT count(*) FROM item_history)
        """).fetchone()


def _collect(env, timeout=None):
    return subprocess.Popen([sys.executable, "-m", "tracker.cli.app", "collect"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_sigkill_half_way_then_rerun_completes_without_duplicates(tmp_path, db_path):
    with FeedServer() as server:
        for n in range(N_SOURCES):
            # Staggered delays so the kill lands while some sources are written and others pending.
            server.route(f"/s{n}.xml", make_rss(ITEMS_PER_SOURCE, prefix=f"s{n}"), delay=0.4 * n)
        toml = write_feeds_toml(tmp_path / "feeds.toml", {f"s{n}": server.url(f"/s{n}.xml") for n in range(N_SOURCES)},
                                collector="concurrency = 2\nretries = 0\ntotal_deadline = 30")
        env = {**os.environ, "TRACKER_DB": str(db_path), "TRACKER_FEEDS": str(toml)}

        victim = _collect(env)
        deadline = time.monotonic() + 60
        # Kill once the first source's batch is visible in the WAL/file, i.e. truly half way.
        while time.monotonic() < deadline and len(server.requests(f"/s{N_SOURCES // 2}.xml")) == 0:
            time.sleep(0.05)
        time.sleep(0.3)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        assert victim.returncode == -signal.SIGKILL

        items, distinct, provenance, distinct_provenance, history = _counts(db_path)
        assert items == distinct and provenance == distinct_provenance and history == 0
        assert items < N_SOURCES * ITEMS_PER_SOURCE, "the kill came too late to test anything"
        assert items % ITEMS_PER_SOURCE == 0, "a source's batch must be stored whole or not at all"

        rerun = _collect(env)
        out, err = rerun.communicate(timeout=120)
        assert rerun.returncode == 0, err.decode()
        assert _counts(db_path) == (N_SOURCES * ITEMS_PER_SOURCE,) * 4 + (0,)
        # The killed run is closed as aborted by the rerun (no made-up end time); the rerun completed.
        with open_db(db_path) as con:
            runs = con.execute("SELECT outcome, finished_at IS NULL FROM collect_runs ORDER BY id").fetchall()
        assert runs == [("abgebrochen", True), ("abgeschlossen", False)]
