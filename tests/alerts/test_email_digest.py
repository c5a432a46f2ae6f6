"""E-mail digests against a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import os
import socket
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.alerts import seed
from tests.alerts.smtp_server import SmtpServer
from tracker.alerts import lease, outbox, render, subscriptions

NOW = seed.T0 + timedelta(hours=1)   # Monday 2 March 2026, 08:00 in Berlin
FAST = outbox.SendPolicy(pauses=(0.0,), sleep=lambda _: None)


def _items(db: Path) -> None:
    seed.add_items(db, [
        seed.make_item("a", "Referentenentwurf zur Änderung des Wärmeplanungsgesetzes",
                       deadline=date(2026, 3, 4)),
        seed.make_item("b", "Datennutzungsgesetz: Verbändeanhörung eröffnet"),
        seed.make_item("c", "Straßenbau in Köln"),
        seed.make_item("d", "Energieeffizienz: Hinweis ohne großen Belang"),
    ])
    seed.judge(db, "a", score=0.92, topics=["energy"])
    seed.judge(db, "b", score=0.81, topics=["urban_data"])
    seed.judge(db, "c", score=0.05, topics=[], relevant=False)
    seed.judge(db, "d", score=0.5, topics=["energy"])


def _world(db: Path) -> None:
    """The items plus alice (energy, e-mail) and bob (urban data, e-mail); carol has no subscription."""
    _items(db)
    for user, email in (("alice", "alice@stadtwerke.example"), ("bob", "Bob@Kommune.example"),
                        ("carol", "carol@verband.example")):
        seed.add_user(db, user, email)
    subscriptions.subscribe("alice", topics=["energy"], min_score=0.6, db_path=db, now=seed.T0)
    subscriptions.subscribe("bob", topics=["urban_data"], min_score=0.4, db_path=db, now=seed.T0)


def _bodies(received) -> tuple[str, str]:
    msg = received.message
    text = msg.get_body(preferencelist=("plain",)).get_content()
    html = msg.get_body(preferencelist=("html",)).get_content()
    return text, html


def test_each_recipient_gets_one_digest_with_their_items(db_path: Path, smtp_server: SmtpServer) -> None:
    _world(db_path)
    report = outbox.run(now=NOW, policy=FAST, db_path=db_path)
    assert not report.failed
    by_rcpt = {tuple(r.rcpt_tos): r for r in smtp_server.received}
    assert sorted(by_rcpt) == [("alice@stadtwerke.example",), ("bob@kommune.example",)]

    alice_text, alice_html = _bodies(by_rcpt[("alice@stadtwerke.example",)])
    assert "Referentenentwurf zur Änderung des Wärmeplanungsgesetzes" in alice_text
    assert "Frist am Mi, 04.03.2026 (noch 2 Arbeitstage)" in alice_text
    assert "https://radar.verband.example/vorgang?item=a" in alice_text
    assert "Wärmeplanungsgesetzes" in alice_html and 'href="https://radar.verband.example/vorgang?item=a"' in alice_html
    for other in ("Datennutzungsgesetz", "Straßenbau", "Energieeffizienz"):
        assert other not in alice_text

    bob = by_rcpt[("bob@kommune.example",)]
    bob_text, _ = _bodies(bob)
    assert "Datennutzungsgesetz: Verbändeanhörung eröffnet" in bob_text
    assert "Wärmeplanungsgesetz" not in bob_text
    assert "Verbändeanhörung" in str(bob.message["Subject"])
    assert bob.message["Message-ID"].endswith("@verband.example>")
    assert bob.message["From"].addresses[0].addr_spec == "radar@verband.example"


def test_second_run_sends_nothing(db_path: Path, smtp_server: SmtpServer) -> None:
    _world(db_path)
    first = outbox.run(now=NOW, policy=FAST, db_path=db_path)
    assert len(first.sent) == 2
    second = outbox.run(now=NOW + timedelta(minutes=30), policy=FAST, db_path=db_path)
    assert second.new == 0 and second.messages == []
    assert len(smtp_server.received) == 2
    assert outbox.status(db_path=db_path).counts == {"sent": 3}


def test_next_reminder_comes_on_its_working_day_only(db_path: Path, smtp_server: SmtpServer) -> None:
    _world(db_path)
    outbox.run(now=NOW, policy=FAST, db_path=db_path)            # Monday: 2 working days left
    outbox.run(now=NOW + timedelta(days=1), policy=FAST, db_path=db_path)  # Tuesday: no new offset
    assert len(smtp_server.received) == 2
    outbox.run(now=NOW + timedelta(days=2), policy=FAST, db_path=db_path)  # Wednesday: the day itself
    assert len(smtp_server.received) == 3
    text, _ = _bodies(smtp_server.received[-1])
    assert "Frist am Mi, 04.03.2026 (heute)" in text


@pytest.mark.parametrize("stage", ["refuse", "refuse_data"])
def test_refused_then_accepted_is_delivered_exactly_once(db_path: Path, smtp_server: SmtpServer,
                                                         stage: str) -> None:
    _world(db_path)
    setattr(smtp_server.handler, stage, ["451 4.3.0 Bitte später erneut versuchen"])
    report = outbox.run(now=NOW, policy=FAST, db_path=db_path)
    assert len(report.sent) == 2 and not report.failed
    assert sorted(m.tries for m in report.sent) == [1, 2]
    assert len(smtp_server.received) == 2
    assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == ["alice@stadtwerke.example",
                                                                   "bob@kommune.example"]


def test_failure_stays_visible_and_is_retried_in_a_later_run(db_path: Path, smtp_server: SmtpServer) -> None:
    _world(db_path)
    smtp_server.handler.refuse = ["451 4.3.0 Greylisted"] * 6   # every try of both messages in run 1
    first = outbox.run(now=NOW, policy=FAST, db_path=db_path)
    assert len(first.failed) == 2 and "451" in (first.failed[0].error or "")
    state = outbox.status(db_path=db_path)
    assert state.counts == {"failed": 3} and all("451" in r["last_error"] for r in state.open_rows)
    # Not due yet: the backoff holds it back.
    assert outbox.run(now=NOW + timedelta(seconds=10), policy=FAST, db_path=db_path).messages == []
    later = outbox.run(now=NOW + timedelta(minutes=2), policy=FAST, db_path=db_path)
    assert len(later.sent) == 2 and all(m.resent for m in later.sent)
    assert len(smtp_server.received) == 2
    assert {r.message["Message-ID"] for r in smtp_server.received} == {m.message_id for m in first.failed}
    assert outbox.status(db_path=db_path).counts == {"sent": 3}


def test_dry_run_stores_and_sends_nothing(db_path: Path, smtp_server: SmtpServer) -> None:
    _world(db_path)
    report = outbox.run(now=NOW, dry_run=True, db_path=db_path)
    assert {(e.recipient, e.alert.kind) for e in report.would_send} == {
        ("alice@stadtwerke.example", "reminder"), ("alice@stadtwerke.example", "new_item"),
        ("bob@kommune.example", "new_item")}
    assert smtp_server.received == []
    assert outbox.status(db_path=db_path).counts == {}


def test_immediate_mode_sends_one_mail_per_alert_with_id_from_its_key(db_path: Path,
                                                                      smtp_server: SmtpServer) -> None:
    _items(db_path)
    seed.add_user(db_path, "dora", "dora@stadtwerke.example")
    subscriptions.subscribe("dora", topics=["energy"], mode="immediate", db_path=db_path, now=seed.T0)
    report = outbox.run(now=NOW, policy=FAST, db_path=db_path)
    assert len(report.sent) == 2 and len(smtp_server.received) == 2
    keys = {f"{alert_key}|email|dora@stadtwerke.example"
            for alert_key in ("new_item|a", "reminder|a|external|2026-03-04|2")}
    expected = {render.message_id([key], "verband.example") for key in keys}
    assert {r.message["Message-ID"] for r in smtp_server.received} == expected
    subjects = sorted(str(r.message["Subject"]) for r in smtp_server.received)
    assert subjects[0].startswith("Konsultationsradar: Frist am Mi, 04.03.2026")


def test_paused_subscription_gets_nothing(db_path: Path, smtp_server: SmtpServer) -> None:
    _world(db_path)
    subscriptions.set_active(1, False, db_path=db_path)   # alice pauses
    report = outbox.run(now=NOW, policy=FAST, db_path=db_path)
    assert [r.rcpt_tos for r in smtp_server.received] == [["bob@kommune.example"]]
    assert len(report.sent) == 1


def test_unreachable_server_is_tried_once_per_run_and_nothing_is_lost(db_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    with SmtpServer() as server:
        dead_port = server.port
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(dead_port))
    monkeypatch.setenv("SMTP_STARTTLS", "false")
    _world(db_path)
    report = outbox.run(now=NOW, policy=FAST, db_path=db_path)
    assert [m.tries for m in report.failed] == [3, 0]   # the second recipient is not waited for
    assert "Nicht versucht" in (report.failed[1].error or "")
    assert outbox.status(db_path=db_path).counts == {"failed": 3}


def test_a_run_in_progress_elsewhere_makes_this_one_skip(db_path: Path, smtp_server: SmtpServer) -> None:
    _world(db_path)
    other = f"{socket.gethostname()}:{os.getpid()}:other-run"
    assert lease.try_acquire(outbox.LEASE_NAME, other, now=NOW, db_path=db_path)
    report = outbox.run(now=NOW, policy=FAST, db_path=db_path)
    assert report.locked and report.messages == [] and smtp_server.received == []
    lease.release(outbox.LEASE_NAME, other, db_path=db_path)
    assert len(outbox.run(now=NOW, policy=FAST, db_path=db_path).sent) == 2


def test_a_new_item_with_a_possible_deadline_says_check_it_and_is_not_reminded_of(
        db_path: Path, smtp_server: SmtpServer) -> None:
    from tracker.judge.types import PossibleDeadline

    seed.add_items(db_path, [seed.make_item("p", "Förderaufruf Wärmenetze: dritter Aufruf geplant",
                                            summary="Ein 3. Förderaufruf ist für den 03.03.2026 – 05.03.2026 "
                                                    "geplant.")])
    seed.judge(db_path, "p", score=0.9, topics=["energy"],
               possible=PossibleDeadline(date(2026, 3, 5), "Ein 3. Förderaufruf ist geplant.", 0.49))
    seed.add_user(db_path, "alice", "alice@stadtwerke.example")
    subscriptions.subscribe("alice", topics=["energy"], db_path=db_path, now=seed.T0)
    report = outbox.run(now=NOW, policy=FAST, db_path=db_path)
    assert [m.tries for m in report.sent] == [1]
    text, html = _bodies(smtp_server.received[0])
    assert "Frist prüfen: vielleicht Do, 05.03.2026" in text and "Frist prüfen" in html
    assert "Frist am" not in text  # a possible deadline is never reminded of
