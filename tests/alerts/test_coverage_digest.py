"""Baseline imports raise no new-item alert, later news does, and every digest states its
coverage: collections from a real local feed server, digests over a real SMTP server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.alerts import seed
from tests.alerts.smtp_server import SmtpServer
from tests.collect.test_cadence import collect_at, feed, letter, write_feeds
from tests.support.feedserver import FeedServer
from tracker.alerts import outbox, rules, subscriptions
from tracker.alerts.channels import OutgoingMessage
from tracker.alerts.channels.webhook import payload
from tracker.collect import coverage

NOW = datetime.now(UTC).replace(microsecond=0)
FAST = outbox.SendPolicy(pauses=(0.0,), sleep=lambda _: None)
NOISE = "Pressemitteilung: Tag der offenen Tür im Ministerium mit Kaffee und Kuchen für Familien."


def _bodies(received: object) -> tuple[str, str]:
    message = received.message  # type: ignore[attr-defined]
    return (message.get_body(preferencelist=("plain",)).get_content(),
            message.get_body(preferencelist=("html",)).get_content())


@pytest.fixture
def world(db_path: Path, tmp_path: Path, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch):
    with FeedServer() as server:
        deadline = (NOW + timedelta(days=60)).date()
        server.route("/bmwe.xml", body=feed([letter(deadline), letter(deadline), NOISE]))
        server.route("/stumm.xml", body=feed([NOISE], prefix="stumm"))
        server.route("/kaputt.xml", status=503, body="Wartung")
        feeds = write_feeds(tmp_path / "feeds.toml", {"bmwe": (server.url("/bmwe.xml"), None),
                                                      "stumm": (server.url("/stumm.xml"), "1h"),
                                                      "kaputt": (server.url("/kaputt.xml"), None)})
        monkeypatch.setenv("TRACKER_FEEDS", str(feeds))
        seed.add_user(db_path, "alice", "alice@stadtwerke.example")
        subscriptions.subscribe("alice", topics=[], min_score=0.5, db_path=db_path, now=NOW - timedelta(days=1))
        yield server, feeds, deadline


def test_baseline_raises_no_alert_and_later_news_does(world, db_path: Path, smtp_server: SmtpServer) -> None:
    server, feeds, deadline = world
    collect_at(feeds, db_path, NOW - timedelta(hours=3))  # the sources' first collection: a baseline
    entries, _ = outbox.compute(NOW - timedelta(hours=2, minutes=30), db_path=db_path)
    assert [e.alert.kind for e in entries] == []  # two relevant letters, and not one alert

    server.route("/bmwe.xml", body=feed([letter(deadline), letter(deadline), NOISE, letter(deadline)]))
    collect_at(feeds, db_path, NOW - timedelta(hours=2))
    report = outbox.run(now=NOW, policy=FAST, db_path=db_path)
    assert not report.failed and len(smtp_server.received) == 1
    kinds = sorted(e.alert.kind for e in outbox.compute(NOW, db_path=db_path)[0])
    assert kinds == ["new_item", "source_overdue"]  # the news; the silent source (the failing one has 2 < 3 tries)

    text, html = _bodies(smtp_server.received[0])
    assert text.count("Bekanntmachung a ") == 1 and "Bekanntmachung a 3" in text
    assert "Quelle Feed stumm überfällig: " in text
    footer = text.split("Abdeckung (Funkstille ist keine Entwarnung)")[1]
    assert "Von 3 beobachteten Quellen sind nicht alle lückenlos gelesen" in footer, footer
    assert "* Quelle Feed kaputt: fehlerhaft – " in footer and "503" in footer, footer
    assert "* Quelle Feed stumm: überfällig – kein erfolgreicher Abruf seit" in footer, footer
    # The noise of bmwe and stumm, both judged not relevant, since the first digest's lookback.
    assert "2 Einträge als nicht relevant bewertet" in footer, footer
    assert "https://radar.verband.example/quellen" in footer, footer
    assert "Abdeckung (Funkstille ist keine Entwarnung)</h2>" in html and "Feed kaputt: fehlerhaft" in html


def test_next_digest_counts_since_the_last_one(world, db_path: Path, smtp_server: SmtpServer) -> None:
    server, feeds, deadline = world
    collect_at(feeds, db_path, NOW - timedelta(hours=3))
    server.route("/bmwe.xml", body=feed([letter(deadline), letter(deadline), NOISE, letter(deadline)]))
    collect_at(feeds, db_path, NOW - timedelta(hours=2))
    outbox.run(now=NOW - timedelta(hours=1), policy=FAST, db_path=db_path)
    server.route("/bmwe.xml", body=feed([letter(deadline), letter(deadline), NOISE, letter(deadline),
                                         letter(deadline)]))
    collect_at(feeds, db_path, NOW - timedelta(minutes=30))
    outbox.run(now=NOW, policy=FAST, db_path=db_path)
    assert len(smtp_server.received) == 2
    text, _ = _bodies(smtp_server.received[1])
    assert "Bekanntmachung a 4" in text and "Bekanntmachung a 3" not in text
    assert "0 Einträge als nicht relevant bewertet" in text  # nothing hidden since the last digest


def test_coverage_when_everything_was_read() -> None:
    since = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
    lines = coverage.Coverage(since=since, sources_watched=4, not_relevant=1).lines()
    assert lines == ["Alle 4 beobachteten Quellen wurden abgerufen, keine ist überfällig oder an der "
                     "Seitenobergrenze.",
                     "Seit 02.03.2026 07:00 Uhr: 1 Eintrag als nicht relevant bewertet (im Eingang ausgeblendet, "
                     "„Auch als nicht relevant bewertete Einträge“ zeigt sie)."]
    capped = coverage.coverage_from([{"id": "hys", "name": "Have Your Say", "enabled": True, "state": "ok",
                                      "last_capped": True, "overdue": None}], 0, since)
    assert capped.capped[0].reason == coverage.CAPPED_REASON and not capped.complete


def test_webhooks_carry_the_coverage_too() -> None:
    alert = rules.Alert(key="k", kind="source_overdue", title="Feed stumm", source_id="stumm", detail="lange still")
    message = OutgoingMessage("<m@x>", "webhook:team", "team", (alert,), NOW.date(), ("Kopf", "Quelle X: fehlerhaft"))
    assert payload(message, "generic", "https://r.example")["coverage"] == ["Kopf", "Quelle X: fehlerhaft"]
    assert "Quelle X: fehlerhaft" in str(payload(message, "slack", "https://r.example"))
    assert "Quelle X: fehlerhaft" in str(payload(message, "teams", "https://r.example"))
    assert "Quelle X: fehlerhaft" in payload(message, "matrix", "https://r.example")["text"]


def test_sources_never_read_are_not_vouched_for() -> None:
    since = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
    rows = [{"id": f"s{n}", "name": f"Quelle {n}", "enabled": True, "state": "nie_abgerufen", "overdue": None}
            for n in range(7)]
    never = coverage.coverage_from(rows, 0, since)
    assert not never.complete
    assert never.lines()[0].startswith("Von 7 beobachteten Quellen sind nicht alle lückenlos gelesen")
    assert never.lines()[1] == "7 Quelle(n) noch nie abgerufen: Quelle 0, Quelle 1, Quelle 2, Quelle 3, Quelle 4 und " \
                               "2 weitere"
