"""The alerts commands, driven through typer as the console script does."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from icalendar import Calendar
from typer.testing import CliRunner

from tests.alerts import seed
from tests.alerts.smtp_server import SmtpServer
from tests.alerts.test_email_digest import NOW, _items
from tracker.cli import alerts as alerts_commands
from tracker.errors import UserError

runner = CliRunner()


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    alerts_commands.register(app)

    @app.callback()
    def _root() -> None:
        pass

    return app


def test_subscribe_dry_run_run_status_ics(app: typer.Typer, db_path: Path, smtp_server: SmtpServer,
                                          tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    _items(db_path)
    seed.add_user(db_path, "alice", "alice@stadtwerke.example")
    result = runner.invoke(app, ["alerts", "subscribe", "alice", "--topic", "energy,urban_data",
                                 "--min-score", "0.7", "--remind", "5,2,0"])
    assert result.exit_code == 0, result.output
    assert "Abo 1 für alice angelegt" in result.output
    listed = runner.invoke(app, ["alerts", "subscriptions"]).output
    assert "energy, urban_data" in listed and "5, 2, 0" in listed

    dry = runner.invoke(app, ["alerts", "run", "--dry-run", "--now", NOW.isoformat()])
    assert dry.exit_code == 0, dry.output
    assert "Wärmeplanungsgesetzes" in dry.output and "Probelauf: 3 neue" in dry.output
    assert smtp_server.received == []

    sent = runner.invoke(app, ["alerts", "run", "--now", NOW.isoformat()])
    assert sent.exit_code == 0, sent.output
    assert "1 Nachrichten gesendet" in sent.output and len(smtp_server.received) == 1

    status = runner.invoke(app, ["alerts", "status"])
    assert status.exit_code == 0 and "gesendet: 3" in status.output

    ics = runner.invoke(app, ["ics", "--out", str(tmp_path / "cal"), "--today", "2026-03-02"])
    assert ics.exit_code == 0, ics.output
    cal = Calendar.from_ical((tmp_path / "cal" / "fristen.ics").read_bytes())
    assert [str(e["SUMMARY"]) for e in cal.walk("VEVENT")] == [
        "Frist: Referentenentwurf zur Änderung des Wärmeplanungsgesetzes"]


def test_failed_delivery_shows_in_status_with_exit_code(app: typer.Typer, db_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", "9")     # discard port: nobody listens
    monkeypatch.setenv("SMTP_TIMEOUT", "2")
    monkeypatch.setenv("SMTP_STARTTLS", "false")
    _items(db_path)
    seed.add_user(db_path, "alice", "alice@stadtwerke.example")
    runner.invoke(app, ["alerts", "subscribe", "alice", "--topic", "energy"])
    result = runner.invoke(app, ["alerts", "run", "--now", NOW.isoformat()])
    assert result.exit_code == 2 and "fehlgeschlagen" in result.output
    status = runner.invoke(app, ["alerts", "status"])
    assert status.exit_code == 2
    assert "fehlgeschlagen: 2" in status.output and "alice@stadtwerke.example" in status.output


@pytest.mark.parametrize(("args", "message"), [
    (["alerts", "subscribe", "nobody"], "gibt es nicht"),
    (["alerts", "subscribe", "alice", "--mode", "weekly"], "Modus"),
    (["alerts", "subscribe", "alice", "--channel", "fax"], "Kanal"),
    (["alerts", "subscribe", "alice", "--remind", "fünf"], "--remind"),
    (["alerts", "run", "--now", "2026-03-02T08:00"], "Zeitzone"),
    (["alerts", "pause", "99"], "Abo 99"),
])
def test_bad_input_is_a_user_error(app: typer.Typer, db_path: Path, args: list[str], message: str) -> None:
    seed.add_user(db_path, "alice", "alice@stadtwerke.example")
    result = runner.invoke(app, args)
    assert isinstance(result.exception, UserError) and message in str(result.exception)
