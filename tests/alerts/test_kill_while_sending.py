"""SIGKILL of the installed ``tracker alerts run`` at random points while it sends to a real
SMTP server, then a normal run: nobody misses a message, and a message that arrives twice
is the same message (Message-ID and text). The counts per kill are in docs/BENCHMARKS.md
(``bench/alerts_kill.py``)."""

from __future__ import annotations

import signal
from pathlib import Path

from tests.alerts.kill_harness import kill_series


def test_random_kills_while_sending_lose_nothing(tmp_path: Path) -> None:
    report = kill_series(tmp_path, kills=4, recipients=6)
    assert report.kills >= 3, [r.exit_code for r in report.results]
    assert report.lost == 0
    assert all(r.same_id_and_body for r in report.results)
    # Only the one message in flight can arrive twice, and only in the instant between the
    # server's reply and the journal entry.
    assert all(r.duplicates <= 1 for r in report.results if r.exit_code == -signal.SIGKILL)
