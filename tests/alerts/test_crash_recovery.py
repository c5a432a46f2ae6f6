"""A process killed while sending loses nothing and sends nothing twice that the receiver had
acknowledged: an acknowledged message is journalled at once and only recorded by the next
run; a message handed over but never acknowledged is resent with the same Message-ID."""

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
from tracker.storage.acks import AckJournal

CHILD = """
import os, signal, sys
from datetime import datetime
from tracker.alerts import outbox
die = lambda _id: os.kill(os.getpid(), signal.SIGKILL)
hook = {"before_send": die} if sys.argv[3] == "before" else {"after_send": die}
outbox.run(now=datetime.fromisoformat(sys.argv[1]), db_path=sys.argv[2],
           policy=outbox.SendPolicy(pauses=(0.0,), sleep=lambda _: None, **hook))
print("finished without crash")
"""


def _killed_run(db_path: Path, where: str) -> None:
    child = subprocess.run([sys.executable, "-c", CHILD, NOW.isoformat(), str(db_path), where], env=dict(os.environ),
                           capture_output=True, text=True, timeout=120)
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert "finished" not in child.stdout


def test_kill_after_the_server_accepted_does_not_send_again(db_path: Path, smtp_server: SmtpServer) -> None:
    _world(db_path)
    _killed_run(db_path, "after")
    assert len(smtp_server.received) == 1           # the first message went out, then the process died
    crashed = smtp_server.received[0]
    assert outbox.status(db_path=db_path).counts == {"sending": 3}  # nothing recorded, nothing lost
    assert AckJournal.beside(db_path).acknowledged() == {crashed.message["Message-ID"]}

    rerun = outbox.run(now=NOW + timedelta(minutes=5), policy=FAST, db_path=db_path)
    assert [m.message_id for m in rerun.recovered] == [crashed.message["Message-ID"]]
    assert len(rerun.sent) == 1 and rerun.sent[0].recipient != crashed.rcpt_tos[0]
    assert outbox.status(db_path=db_path).counts == {"sent": 3}
    assert not AckJournal.beside(db_path).path.exists()

    # Every recipient got their digest exactly once.
    assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == ["alice@stadtwerke.example",
                                                                    "bob@kommune.example"]
    assert outbox.run(now=NOW + timedelta(minutes=10), policy=FAST, db_path=db_path).messages == []


def test_kill_before_the_server_answered_resends_with_the_same_message_id(db_path: Path,
                                                                          smtp_server: SmtpServer) -> None:
    _world(db_path)
    _killed_run(db_path, "before")
    assert smtp_server.received == []
    rows = outbox.status(db_path=db_path).open_rows
    handed = {r["message_id"] for r in rows if r["handed_over_at"] is not None}
    assert len(handed) == 1  # marked as handed over before the channel got it

    rerun = outbox.run(now=NOW + timedelta(minutes=5), policy=FAST, db_path=db_path)
    assert len(rerun.sent) == 2 and all(m.resent for m in rerun.sent) and not rerun.recovered
    received = {r.message["Message-ID"]: r for r in smtp_server.received}
    assert handed <= set(received) and len(smtp_server.received) == 2
    assert outbox.status(db_path=db_path).counts == {"sent": 3}
