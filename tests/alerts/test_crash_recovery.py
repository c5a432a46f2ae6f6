"""A process killed between sending and recording loses nothing and resends with the same Message-ID."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from tests.alerts.smtp_server import SmtpServer
from tests.alerts.test_email_digest import FAST, NOW, _world
from tracker.alerts import outbox

CHILD = """
import os, signal, sys
from datetime import datetime
from tracker.alerts import outbox
outbox.run(now=datetime.fromisoformat(sys.argv[1]), db_path=sys.argv[2],
           policy=outbox.SendPolicy(pauses=(0.0,), sleep=lambda _: None,
                                    after_send=lambda _id: os.kill(os.getpid(), signal.SIGKILL)))
print("finished without crash")
"""


def test_kill_after_send_then_rerun_loses_nothing(db_path: Path, smtp_server: SmtpServer) -> None:
    _world(db_path)
    child = subprocess.run([sys.executable, "-c", CHILD, NOW.isoformat(), str(db_path)], env=dict(os.environ),
                           capture_output=True, text=True, timeout=120)
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert "finished" not in child.stdout
    assert len(smtp_server.received) == 1           # the first message went out, then the process died
    crashed = smtp_server.received[0]

    state = outbox.status(db_path=db_path)
    assert state.counts == {"sending": 3}           # nothing marked sent, nothing lost

    rerun = outbox.run(now=NOW + timedelta(minutes=5), policy=FAST, db_path=db_path)
    assert len(rerun.sent) == 2 and all(m.resent for m in rerun.sent)
    assert outbox.status(db_path=db_path).counts == {"sent": 3}

    resent = [r for r in smtp_server.received[1:] if r.rcpt_tos == crashed.rcpt_tos]
    assert len(resent) == 1
    assert resent[0].message["Message-ID"] == crashed.message["Message-ID"]
    assert resent[0].message.get_body(("plain",)).get_content() == crashed.message.get_body(("plain",)).get_content()
    # Every recipient got their digest; the crashed one at most twice, identically identified.
    assert sorted({r.rcpt_tos[0] for r in smtp_server.received}) == ["alice@stadtwerke.example",
                                                                      "bob@kommune.example"]
    assert outbox.run(now=NOW + timedelta(minutes=10), policy=FAST, db_path=db_path).messages == []
