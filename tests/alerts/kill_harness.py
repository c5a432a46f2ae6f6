"""SIGKILL the installed ``tracker alerts run`` while it sends to a real SMTP server, then
let the next run recover, and count what arrived: duplicates and losses per kill.

Used by ``tests/alerts/test_kill_while_sending.py`` (a few kills) and
``bench/alerts_kill.py`` (the figures in docs/BENCHMARKS.md). A kill lands after a random
number of messages went out plus a random part of one message's sending time, so kills
fall evenly over every step of sending one message: hand-over, the server's reply, and
recording it.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from tests.alerts import seed
from tests.alerts.smtp_server import SmtpServer
from tracker.alerts import subscriptions

NOW = seed.T0 + timedelta(hours=1)
TRACKER = Path(sys.executable).parent / "tracker"


def build_world(db: Path, recipients: int) -> None:
    """One relevant energy item; ``recipients`` users with an energy e-mail digest each."""
    seed.add_items(db, [seed.make_item("wpg", "Referentenentwurf zur Änderung des Wärmeplanungsgesetzes")])
    seed.judge(db, "wpg", score=0.9, topics=["energy"])
    for n in range(recipients):
        seed.add_user(db, f"u{n:02d}", f"u{n:02d}@stadtwerke.example")
        subscriptions.subscribe(f"u{n:02d}", topics=["energy"], min_score=0.5, db_path=db, now=seed.T0)


def _env(db: Path, server: SmtpServer) -> dict[str, str]:
    return {**os.environ, "TRACKER_DB": str(db), "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(server.port),
            "SMTP_STARTTLS": "false", "SMTP_FROM": "Konsultationsradar <radar@verband.example>",
            "TRACKER_LAND": "NW", "TRACKER_BASE_URL": "https://radar.verband.example"}


def _run(db: Path, server: SmtpServer, minutes_later: int) -> subprocess.CompletedProcess[str]:
    moment = (NOW + timedelta(minutes=minutes_later)).isoformat()
    return subprocess.run([str(TRACKER), "alerts", "run", "--now", moment],
                          env=_env(db, server), capture_output=True, text=True, timeout=300)


def _arrivals(server: SmtpServer) -> list[float]:
    """Monotonic arrival time of every accepted message (the handler appends in order)."""
    return getattr(server.handler, "arrived_at", [])


def _watch_arrivals(server: SmtpServer) -> None:
    handler = server.handler
    handler.arrived_at = []  # type: ignore[attr-defined]
    original = handler.handle_DATA

    async def timed(srv, session, envelope):  # noqa: ANN001 - aiosmtpd's hook signature
        reply = await original(srv, session, envelope)
        if reply.startswith("250"):
            handler.arrived_at.append(time.monotonic())  # type: ignore[attr-defined]
        return reply

    handler.handle_DATA = timed  # type: ignore[method-assign]


@dataclass
class KillResult:
    killed_after: int            # messages accepted before the kill was due
    offset: float                # seconds into the next message's cycle
    exit_code: int | None        # -9 when the kill landed, else the run had finished
    received: int                # messages accepted over the killed run and the recovery
    duplicates: int              # accepted more than once (same Message-ID)
    lost: int                    # recipients who never got their message
    same_id_and_body: bool       # every duplicate identical to its first copy


@dataclass
class KillReport:
    recipients: int
    cycle_seconds: float
    results: list[KillResult] = field(default_factory=list)

    @property
    def kills(self) -> int:
        return sum(1 for r in self.results if r.exit_code == -signal.SIGKILL)

    @property
    def duplicates(self) -> int:
        return sum(r.duplicates for r in self.results)

    @property
    def lost(self) -> int:
        return sum(r.lost for r in self.results)


def calibrate(template: Path, workdir: Path, recipients: int) -> float:
    """Mean seconds between two accepted messages of an unkilled run."""
    db = workdir / "calibrate.duckdb"
    shutil.copy(template, db)
    with SmtpServer() as server:
        _watch_arrivals(server)
        result = _run(db, server, 0)
        assert result.returncode == 0, result.stderr
        times = _arrivals(server)
    assert len(times) == recipients, (len(times), result.stdout)
    return (times[-1] - times[0]) / max(1, len(times) - 1)


def kill_once(template: Path, workdir: Path, recipients: int, cycle: float, rng: random.Random,
              index: int) -> KillResult:
    db = workdir / f"kill-{index:03d}.duckdb"
    shutil.copy(template, db)
    killed_after = rng.randrange(0, recipients - 1)
    offset = rng.uniform(0, cycle)
    with SmtpServer() as server:
        _watch_arrivals(server)
        victim = subprocess.Popen([str(TRACKER), "alerts", "run", "--now", NOW.isoformat()], env=_env(db, server),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def kill_when_due() -> None:
            deadline = time.monotonic() + 240
            while len(_arrivals(server)) < killed_after and victim.poll() is None and time.monotonic() < deadline:
                time.sleep(0.0005)
            if killed_after:
                time.sleep(max(0.0, _arrivals(server)[killed_after - 1] + offset - time.monotonic()))
            else:  # before the first message: wait for the first SMTP connection
                while server.handler.rcpt_seen == 0 and victim.poll() is None and time.monotonic() < deadline:
                    time.sleep(0.0005)
                time.sleep(offset)
            if victim.poll() is None:
                victim.send_signal(signal.SIGKILL)

        killer = threading.Thread(target=kill_when_due)
        killer.start()
        victim.wait(timeout=300)
        killer.join(timeout=300)
        recovery = _run(db, server, 5)
        assert recovery.returncode == 0, recovery.stdout + recovery.stderr
        received = list(server.received)
    ids = Counter(r.message["Message-ID"] for r in received)
    first = {}
    same = True
    for r in received:
        key = r.message["Message-ID"]
        body = r.message.get_body(("plain",)).get_content()
        if key in first and (first[key][0] != r.rcpt_tos or first[key][1] != body):
            same = False
        first.setdefault(key, (r.rcpt_tos, body))
    reached = {r.rcpt_tos[0] for r in received}
    return KillResult(killed_after=killed_after, offset=offset, exit_code=victim.returncode, received=len(received),
                      duplicates=sum(n - 1 for n in ids.values()), lost=recipients - len(reached),
                      same_id_and_body=same)


def kill_series(workdir: Path, *, kills: int, recipients: int, seed_value: int = 15) -> KillReport:
    template = workdir / "template.duckdb"
    build_world(template, recipients)
    cycle = calibrate(template, workdir, recipients)
    report = KillReport(recipients=recipients, cycle_seconds=cycle)
    rng = random.Random(seed_value)
    for index in range(kills):
        report.results.append(kill_once(template, workdir, recipients, cycle, rng, index))
    return report
