"""Webhook deliveries against a local HTTP server: shapes, retries, isolation."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.alerts import seed
from tests.alerts.http_sink import HttpSink
from tests.alerts.smtp_server import SmtpServer
from tests.alerts.test_email_digest import FAST, NOW, _items
from tracker.alerts import outbox, subscriptions
from tracker.alerts.channels.webhook import configured_webhooks
from tracker.errors import ConfigError

HOOKS = {"m": "matrix", "t": "teams", "s": "slack", "g": "generic"}


@pytest.fixture
def sink(monkeypatch: pytest.MonkeyPatch) -> Iterator[HttpSink]:
    with HttpSink() as server:
        monkeypatch.setenv("TRACKER_WEBHOOKS", ",".join(f"{k}:{v}" for k, v in HOOKS.items()))
        for name in HOOKS:
            monkeypatch.setenv(f"WEBHOOK_{name.upper()}_URL", server.url(f"/{name}"))
        monkeypatch.setenv("TRACKER_WEBHOOK_TIMEOUT", "0.5")
        monkeypatch.setenv("TRACKER_BASE_URL", "https://radar.verband.example")
        yield server


def _team_subscription(db: Path, channels: list[str]) -> None:
    seed.add_user(db, "team", "team@verband.example")
    subscriptions.subscribe("team", topics=["energy"], channels=channels, db_path=db, now=seed.T0)


def test_payload_shape_per_format(db_path: Path, sink: HttpSink) -> None:
    _items(db_path)
    _team_subscription(db_path, [f"webhook:{n}" for n in HOOKS])
    report = outbox.run(now=NOW, policy=FAST, db_path=db_path, include_digest=True)
    assert not report.failed
    bodies = {r.path: r.body for r in sink.sink.requests}
    assert sorted(bodies) == ["/g", "/m", "/s", "/t"]
    title = "Referentenentwurf zur Änderung des Wärmeplanungsgesetzes"

    matrix = bodies["/m"]
    assert title in matrix["text"] and title in matrix["html"] and "<li>" in matrix["html"]

    teams = bodies["/t"]
    assert teams["type"] == "message"
    (attachment,) = teams["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and any(title in b["text"] for b in card["body"])

    slack = bodies["/s"]
    assert slack["blocks"][0]["type"] == "header"
    assert any("<https://radar.verband.example/vorgang?item=a|" in b["text"]["text"] for b in slack["blocks"][1:])

    generic = bodies["/g"]
    assert generic["event"] == "konsultationsradar.alerts"
    kinds = {(a["kind"], a["item_id"]) for a in generic["alerts"]}
    assert kinds == {("reminder", "a"), ("new_item", "a")}
    reminder = next(a for a in generic["alerts"] if a["kind"] == "reminder")
    assert reminder["due"] == "2026-03-04" and reminder["url"] == "https://radar.verband.example/vorgang?item=a"
    for request in sink.sink.requests:
        assert request.headers["content-type"] == "application/json"
        assert request.headers["idempotency-key"]


def test_500_and_timeout_are_retried(db_path: Path, sink: HttpSink) -> None:
    _items(db_path)
    _team_subscription(db_path, ["webhook:g", "webhook:s"])
    sink.sink.plan = {"/g": ["500", "500"], "/s": ["slow"]}
    report = outbox.run(now=NOW, policy=FAST, db_path=db_path)
    assert not report.failed
    tries = {m.channel: m.tries for m in report.sent}
    assert tries == {"webhook:g": 3, "webhook:s": 2}
    assert len(sink.sink.accepted("/g")) == 1 and len(sink.sink.accepted("/s")) == 1
    keys = {r.headers["idempotency-key"] for r in sink.sink.requests if r.path == "/g"}
    assert len(keys) == 1   # every retry of one message carries the same key


def test_one_broken_channel_does_not_block_the_others(db_path: Path, sink: HttpSink, smtp_server: SmtpServer,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead_port = closed.getsockname()[1]
    monkeypatch.setenv("TRACKER_WEBHOOKS", "down:generic,broken:generic,ok:slack")
    monkeypatch.setenv("WEBHOOK_DOWN_URL", f"http://127.0.0.1:{dead_port}/nobody")
    monkeypatch.setenv("WEBHOOK_BROKEN_URL", sink.url("/broken"))
    monkeypatch.setenv("WEBHOOK_OK_URL", sink.url("/ok"))
    sink.sink.plan = {"/broken": ["500"] * 10}
    _items(db_path)
    _team_subscription(db_path, ["webhook:down", "webhook:broken", "email", "webhook:ok", "webhook:missing"])
    report = outbox.run(now=NOW, policy=FAST, db_path=db_path)
    assert {m.channel for m in report.sent} == {"email", "webhook:ok"}
    assert {m.channel for m in report.failed} == {"webhook:down", "webhook:broken", "webhook:missing"}
    errors = {m.channel: m.error for m in report.failed}
    assert "HTTP 500" in errors["webhook:broken"]
    assert "nicht konfiguriert" in errors["webhook:missing"]
    assert len(sink.sink.accepted("/ok")) == 1
    assert "team@verband.example" in {r.rcpt_tos[0] for r in smtp_server.received}
    # The broken ones wait in the outbox and go out once their endpoint works again.
    sink.sink.plan = {}
    later = outbox.run(now=NOW + timedelta(minutes=2), policy=FAST, db_path=db_path)
    assert {m.channel for m in later.sent} == {"webhook:broken"}
    assert len(sink.sink.accepted("/broken")) == 1
    assert outbox.status(db_path=db_path).counts["failed"] == 2 * 2  # two alerts each, down and missing


def test_unknown_format_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_WEBHOOKS", "x:telegram")
    with pytest.raises(ConfigError, match="telegram"):
        configured_webhooks()


def test_bad_webhook_configuration_does_not_stop_email(db_path: Path, smtp_server: SmtpServer,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_WEBHOOKS", "team:telegram")
    _items(db_path)
    _team_subscription(db_path, ["email", "webhook:team"])
    report = outbox.run(now=NOW, policy=FAST, db_path=db_path)
    assert [m.channel for m in report.sent] == ["email"]
    assert [m.channel for m in report.failed] == ["webhook:team"] and "telegram" in report.failed[0].error
