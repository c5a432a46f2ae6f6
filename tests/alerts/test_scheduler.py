"""The in-process scheduler: one run per slot across processes, every step isolated."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tracker import scheduler
from tracker.alerts import lease
from tracker.errors import ConfigError

T = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


class Counter:
    def __init__(self, fail: bool = False) -> None:
        self.calls = 0
        self.fail = fail

    def __call__(self, db_path: Path | None) -> str:
        self.calls += 1
        if self.fail:
            raise RuntimeError("Quelle kaputt")
        return "ok"


def test_a_slot_runs_once_whoever_ticks(db_path: Path) -> None:
    collect = Counter()
    first = scheduler.tick(interval=HOUR, now=T, holder="host-a:1:x", collect=collect, db_path=db_path)
    same_slot = [scheduler.tick(interval=HOUR, now=T + timedelta(minutes=m), holder=h, collect=collect,
                                db_path=db_path)
                 for m, h in ((1, "host-b:2:y"), (30, "host-a:1:x"), (59, "host-b:2:y"))]
    assert first.ran and not any(r.ran for r in same_slot)
    next_slot = scheduler.tick(interval=HOUR, now=T + HOUR, holder="host-b:2:y", collect=collect, db_path=db_path)
    assert next_slot.ran and collect.calls == 2
    assert next_slot.alerts is not None and next_slot.errors == []


def test_broken_collection_does_not_stop_alerts(db_path: Path) -> None:
    report = scheduler.tick(interval=HOUR, now=T, collect=Counter(fail=True), db_path=db_path)
    assert report.ran and report.alerts is not None
    assert report.errors == ["Sammeln: RuntimeError: Quelle kaputt"]


def test_holder_killed_mid_run_does_not_block_the_slot(db_path: Path) -> None:
    # A process that claimed the slot and was killed before finishing: its pid is gone.
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    holder = f"{socket.gethostname()}:{dead.stdout.strip()}:gone"
    assert lease.try_acquire(scheduler.SLOT_NAME, holder, now=T, ttl=HOUR, db_path=db_path, reentrant=False)
    collect = Counter()
    assert scheduler.tick(interval=HOUR, now=T + timedelta(minutes=5), collect=collect, db_path=db_path).ran
    # A finished run keeps its slot even though its process has ended.
    assert not scheduler.tick(interval=HOUR, now=T + timedelta(minutes=6), collect=collect, db_path=db_path).ran
    assert collect.calls == 1


def test_two_processes_race_for_one_slot(db_path: Path, tmp_path: Path) -> None:
    script = (
        "import sys; from datetime import datetime, timedelta; from pathlib import Path\n"
        "from tracker import scheduler\n"
        "def collect(db):\n"
        "    Path(sys.argv[2]).open('a').write('x')\n"
        "    return 'ok'\n"
        "r = scheduler.tick(interval=timedelta(hours=1), now=datetime.fromisoformat(sys.argv[1]), collect=collect)\n"
        "print('ran' if r.ran else 'skipped')\n"
    )
    marks = tmp_path / "collections"
    procs = [subprocess.Popen([sys.executable, "-c", script, T.isoformat(), str(marks)], env=os.environ.copy(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = sorted(p.communicate(timeout=120)[0].strip() for p in procs)
    assert outputs == ["ran", "skipped"]
    assert marks.read_text() == "x"


def test_background_thread_ticks_and_stops(db_path: Path) -> None:
    collect = Counter()
    sched = scheduler.Scheduler(timedelta(seconds=2), db_path=db_path, collect=collect)
    sched.start(first_delay=0.0)
    deadline = time.monotonic() + 30
    while sched.last is None and time.monotonic() < deadline:
        time.sleep(0.05)
    sched.stop()
    assert not sched.running
    assert sched.last is not None and sched.last.ran and collect.calls >= 1


def test_schedule_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACKER_SCHEDULE_MINUTES", raising=False)
    monkeypatch.setenv("TRACKER_SECRETS", "/nonexistent/secrets.toml")
    assert scheduler.schedule_minutes() is None
    monkeypatch.setenv("TRACKER_SCHEDULE_MINUTES", "30")
    assert scheduler.schedule_minutes() == 30
    monkeypatch.setenv("TRACKER_SCHEDULE_MINUTES", "halbstündlich")
    with pytest.raises(ConfigError, match="TRACKER_SCHEDULE_MINUTES"):
        scheduler.schedule_minutes()
