"""An optional scheduler inside the dashboard process: collect, send alerts, write calendars.

Set ``TRACKER_SCHEDULE_MINUTES`` (e.g. 60) and the dashboard starts one background
thread per process. Each tick claims a slot in the database (a lease that stays until
the interval has passed), so several dashboard processes, or a restart, never run the
same slot twice. Use either this or cron, not both: cron does not claim the slot.
The daily digest goes out on the first tick after ``TRACKER_DIGEST_HOUR`` (default 7,
Berlin time); immediate alerts on every tick.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tracker import settings
from tracker.alerts import calendars, lease, outbox

log = logging.getLogger(__name__)
SLOT_NAME = "scheduler"
FIRST_TICK_DELAY = 5.0


def schedule_minutes() -> int | None:
    """The interval from TRACKER_SCHEDULE_MINUTES, or None when the scheduler is off."""
    return settings.get().schedule_minutes


@dataclass
class TickReport:
    started_at: datetime
    ran: bool = False
    collected: str | None = None
    alerts: str | None = None
    calendars: str | None = None
    errors: list[str] = field(default_factory=list)


def _collect(db_path: Path | None) -> str:
    from tracker.collect.run import run_collection  # late: the dashboard must start even if collection is broken

    report = run_collection(db_path=db_path)
    return f"{len(report.outcomes)} Quellen, {report.items_new} neu, {len(report.failed)} mit Fehler"


def tick(*, interval: timedelta, now: datetime | None = None, holder: str | None = None,
         collect: Callable[[Path | None], str] | None = _collect, db_path: Path | None = None) -> TickReport:
    """One scheduled run, if this process wins the slot. Each step runs even if one before failed."""
    now = now or datetime.now(UTC)
    holder = holder or lease.new_holder()
    report = TickReport(started_at=now)
    if not lease.try_acquire(SLOT_NAME, holder, now=now, ttl=interval, db_path=db_path, reentrant=False):
        return report
    report.ran = True
    if collect is not None:
        try:
            report.collected = collect(db_path)
        except Exception as exc:  # a broken collection must not stop the alerts
            log.exception("scheduled collection failed")
            report.errors.append(f"Sammeln: {type(exc).__name__}: {exc}")
    try:
        result = outbox.run(now=now, include_digest=outbox.digest_due(now, db_path=db_path), db_path=db_path)
        report.alerts = f"{result.new} neu, {len(result.sent)} gesendet, {len(result.failed)} fehlgeschlagen"
    except Exception as exc:
        log.exception("scheduled alert run failed")
        report.errors.append(f"Benachrichtigungen: {type(exc).__name__}: {exc}")
    ics_dir = settings.get().ics_dir
    if ics_dir:
        try:
            report.calendars = f"{len(calendars.write_calendars(ics_dir, db_path=db_path))} Dateien"
        except Exception as exc:
            log.exception("writing calendars failed")
            report.errors.append(f"Kalender: {type(exc).__name__}: {exc}")
    lease.keep_until(SLOT_NAME, holder, acquired_at=now, until=now + interval, db_path=db_path)
    return report


class Scheduler:
    def __init__(self, interval: timedelta, *, db_path: Path | None = None,
                 collect: Callable[[Path | None], str] | None = _collect) -> None:
        self.interval = interval
        self.db_path = db_path
        self.collect = collect
        self.holder = lease.new_holder()
        self.last: TickReport | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="tracker-scheduler", daemon=True)

    def start(self, first_delay: float = FIRST_TICK_DELAY) -> None:
        self._first_delay = first_delay
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _loop(self) -> None:
        # Ticks come more often than the interval; the slot in the database decides who runs.
        wait = self._first_delay
        while not self._stop.wait(wait):
            try:
                self.last = tick(interval=self.interval, holder=self.holder, collect=self.collect,
                                 db_path=self.db_path)
            except Exception:
                log.exception("scheduler tick failed")
            wait = min(60.0, self.interval.total_seconds() / 4)


_lock = threading.Lock()
_instance: Scheduler | None = None


def start_in_background() -> Scheduler | None:
    """Start this process's scheduler once (Streamlit reruns the page script often)."""
    global _instance
    minutes = schedule_minutes()
    if minutes is None:
        return None
    with _lock:
        if _instance is None or not _instance.running:
            _instance = Scheduler(timedelta(minutes=minutes))
            _instance.start()
        return _instance
