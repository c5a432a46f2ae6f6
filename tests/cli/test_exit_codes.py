"""Exit codes of the installed ``tracker`` script, as cron and monitoring see them:
0 when all went well, 1 when a source failed or the input was wrong, 2 while an alert
message failed (README, docs/OPERATIONS.md)."""

from __future__ import annotations

from pathlib import Path

from tests.alerts.smtp_server import SmtpServer, free_port
from tests.alerts.test_email_digest import NOW, _world
from tests.support import feedserver
from tests.support.cli import assert_no_traceback, tracker
from tests.support.feeds import make_rss, write_feeds_toml
from tests.support.feedserver import FeedServer

feed_server = feedserver.feed_server


def _env(db_path: Path, **more: str) -> dict[str, str]:
    return {"TRACKER_DB": str(db_path), "TRACKER_LAND": "NW", "SMTP_STARTTLS": "false",
            "SMTP_FROM": "radar@verband.example", **more}


def test_collect_exits_1_when_a_source_failed_and_0_when_none_did(db_path: Path, tmp_path: Path,
                                                                  feed_server: FeedServer) -> None:
    feed_server.route("/ok.xml", body=make_rss(3))
    closed = f"http://127.0.0.1:{free_port()}/feed.xml"
    both = write_feeds_toml(tmp_path / "both.toml", {"gut": feed_server.url("/ok.xml"), "kaputt": closed},
                            collector="retries = 0")
    failed = tracker("collect", env=_env(db_path, TRACKER_FEEDS=str(both)))
    assert_no_traceback(failed)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "1 Quellen mit Fehler" in failed.stdout

    only_good = write_feeds_toml(tmp_path / "good.toml", {"gut": feed_server.url("/ok.xml")})
    ok = tracker("collect", env=_env(db_path, TRACKER_FEEDS=str(only_good)))
    assert ok.returncode == 0, ok.stdout + ok.stderr


def test_alerts_run_and_status_exit_2_while_messages_fail(db_path: Path) -> None:
    _world(db_path)
    nobody_listens = _env(db_path, SMTP_HOST="127.0.0.1", SMTP_PORT=str(free_port()))
    run = tracker("alerts", "run", "--now", NOW.isoformat(), env=nobody_listens)
    assert_no_traceback(run)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "2 fehlgeschlagen" in run.stdout
    status = tracker("alerts", "status", env=nobody_listens)
    assert status.returncode == 2, status.stdout + status.stderr
    assert "Postausgang: fehlgeschlagen: 3" in status.stdout  # three alerts in two messages


def test_alerts_exit_0_once_everything_went_out(db_path: Path) -> None:
    _world(db_path)
    with SmtpServer() as server:
        env = _env(db_path, SMTP_HOST="127.0.0.1", SMTP_PORT=str(server.port))
        run = tracker("alerts", "run", "--now", NOW.isoformat(), env=env)
        assert run.returncode == 0, run.stdout + run.stderr
        assert len(server.received) == 2
        status = tracker("alerts", "status", env=env)
    assert status.returncode == 0, status.stdout + status.stderr
    assert "Postausgang: gesendet: 3" in status.stdout


def test_wrong_input_exits_1_with_one_german_line(db_path: Path, tmp_path: Path) -> None:
    missing = tracker("ingest", str(tmp_path / "fehlt.xml"), env=_env(db_path))
    assert missing.returncode == 1
    assert missing.stderr.startswith("Fehler: ") and len(missing.stderr.strip().splitlines()) == 1
    usage = tracker("alerts", "status", "--limit", "viele", env=_env(db_path))
    assert usage.returncode == 2  # click's usage error
    assert_no_traceback(usage)
