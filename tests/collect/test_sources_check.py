"""`tracker sources check` (the installed script, in a subprocess) against a local server with a
good, a moved, an HTML-instead-of-feed and an empty source: the verdicts an operator needs,
one line per source, a meaningful exit code, and nothing stored."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.feeds import make_rss, write_feeds_toml
from tests.support.feedserver import FeedServer
from tracker.collect.check import Findings, diagnose, sniff_kind
from tracker.collect.run import run_collection
from tracker.collect.sources import load_sources
from tracker.models import FetchResult, ParseResult, RawEntry, Source
from tracker.storage import open_db
from tracker.storage.sources import source_health
from tracker.vocabulary import CheckVerdict

TRACKER = Path(sys.executable).parent / "tracker"
HTML = (b"<!DOCTYPE html><html><head><title>Presse</title></head><body><h1>Pressemitteilungen</h1>"
        b"<a href='/rss'>RSS-Feeds</a></body></html>")


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as feeds:
        feeds.route("/good.xml", body=make_rss(3, prefix="gut"))
        feeds.route("/old.xml", redirect_to="/good.xml", status=301)
        feeds.route("/presse", body=HTML, headers={"Content-Type": "text/html; charset=utf-8"})
        feeds.route("/empty.xml", body=make_rss(0))
        yield feeds


def run_check(tmp_path: Path, sources: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    feeds = write_feeds_toml(tmp_path / "feeds.toml", sources, collector="retries = 0")
    env = {**os.environ, "TRACKER_FEEDS": str(feeds), "TRACKER_DB": str(tmp_path / "tracker.duckdb"),
           "COLUMNS": "60"}
    return subprocess.run([str(TRACKER), "sources", "check", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def lines_by_source(output: str) -> dict[str, str]:
    return {line.split(":", 1)[0]: line.split(":", 1)[1].strip() for line in output.splitlines()
            if ":" in line and not line.startswith(("4 Quellen", "1 Quellen", "2 Quellen"))}


def test_verdicts_for_good_moved_html_and_empty_sources(server: FeedServer, tmp_path: Path) -> None:
    result = run_check(tmp_path, {"gut": server.url("/good.xml"), "umgezogen": server.url("/old.xml"),
                                  "webseite": server.url("/presse"), "leer": server.url("/empty.xml")})
    assert result.returncode == 1, result.stdout + result.stderr  # a source is broken
    assert "Traceback" not in result.stdout + result.stderr
    lines = lines_by_source(result.stdout)
    assert set(lines) == {"gut", "umgezogen", "webseite", "leer"}
    assert lines["gut"].startswith("OK: 3 Einträge, neuester vom 01.11.2026, 0 mit Frist [HTTP 200; Art: RSS;")
    assert lines["umgezogen"].startswith(f"Umgezogen: die Adresse leitet dauerhaft auf {server.url('/good.xml')} "
                                         "weiter – diese in feeds.toml eintragen; 3 Einträge")
    assert lines["webseite"].startswith("HTML-Seite statt Feed: die Adresse zeigt auf eine Webseite")
    assert "Art: HTML-Seite; Inhaltstyp: text/html; charset=utf-8" in lines["webseite"]
    assert lines["leer"].startswith("Leer: gültige Antwort ohne Einträge")
    assert f"Adresse: {server.url('/good.xml')}]" in lines["umgezogen"]  # the final URL after the redirect
    # One line per source although COLUMNS is narrow: never wrapped off a terminal.
    assert len(result.stdout.strip().splitlines()) == 5
    assert result.stdout.strip().splitlines()[-1] == "4 Quellen geprüft: 1 in Ordnung, 2 mit Hinweis, 1 fehlerhaft."
    assert not (tmp_path / "tracker.duckdb").exists() or _stored_items(tmp_path) == 0


def _stored_items(tmp_path: Path) -> int:
    with open_db(tmp_path / "tracker.duckdb") as con:
        return int(con.execute("SELECT count(*) FROM items").fetchone()[0])


def test_exit_code_says_notice_or_all_good(server: FeedServer, tmp_path: Path) -> None:
    notices = run_check(tmp_path, {"gut": server.url("/good.xml"), "umgezogen": server.url("/old.xml")})
    assert notices.returncode == 3, notices.stdout
    good = run_check(tmp_path, {"gut": server.url("/good.xml")})
    assert good.returncode == 0, good.stdout
    assert good.stdout.strip().splitlines()[-1] == "1 Quellen geprüft: 1 in Ordnung, 0 mit Hinweis, 0 fehlerhaft."


def test_one_source_and_json(server: FeedServer, tmp_path: Path) -> None:
    result = run_check(tmp_path, {"gut": server.url("/good.xml"), "webseite": server.url("/presse")},
                       "--source", "webseite", "--json")
    assert result.returncode == 1
    [check] = json.loads(result.stdout[:result.stdout.rindex("]") + 1])
    assert check["source_id"] == "webseite" and check["state"] == CheckVerdict.BROKEN
    assert check["http_status"] == 200 and check["detected_kind"] == "html"
    unknown = run_check(tmp_path, {"gut": server.url("/good.xml")}, "--source", "fehlt")
    assert unknown.returncode == 1 and unknown.stderr.startswith("Fehler: Unbekannte Quelle 'fehlt'")


def test_collection_stores_the_same_verdicts_for_the_quellen_page(server: FeedServer, tmp_path: Path,
                                                                 db_path: Path) -> None:
    feeds = write_feeds_toml(tmp_path / "feeds.toml", {"gut": server.url("/good.xml"),
                                                       "umgezogen": server.url("/old.xml"),
                                                       "webseite": server.url("/presse")}, collector="retries = 0")
    run_collection(registry=load_sources(feeds))
    with open_db(db_path) as con:
        rows = {row["id"]: row for row in source_health(con, {"gut", "umgezogen"})}
    assert rows["gut"]["last_verdict"].startswith("OK: 3 Einträge") and rows["gut"]["last_detected_kind"] == "rss"
    assert rows["umgezogen"]["last_verdict"].startswith("Umgezogen")
    assert rows["umgezogen"]["last_warning"] == rows["umgezogen"]["last_verdict"]  # a moved feed is a warning
    assert rows["umgezogen"]["last_final_url"] == server.url("/good.xml")
    assert rows["webseite"]["last_verdict"].startswith("HTML-Seite statt Feed")
    # "webseite" is not in the configured set passed above: no longer configured.
    assert rows["webseite"]["state"] == "nicht_konfiguriert"
    assert not rows["webseite"]["enabled"] and rows["gut"]["enabled"]  # no longer collected: not active


# --- the pure rules ---------------------------------------------------------------------------

SOURCE = Source("s", "S", "https://example.org/feed.xml", "rss", "P", "de", "de")


def test_sniffing_names_what_came_back() -> None:
    assert sniff_kind(b"") is None
    assert sniff_kind(b"  <?xml version='1.0'?><rss version='2.0'>") == "rss"
    assert sniff_kind(b"<feed xmlns='http://www.w3.org/2005/Atom'>") == "atom"
    assert sniff_kind(HTML) == "html"
    assert sniff_kind(b'{"numFound": 0, "documents": [], "cursor": "x"}') == "dip"
    assert sniff_kind(b'{"foo": 1}') == "json"


def test_wrong_kind_and_stale_feed() -> None:
    fetched = FetchResult("s", SOURCE.url, status=200, body=b'{"numFound": 1, "documents": []}',
                          final_url=SOURCE.url)
    check = diagnose(SOURCE, fetched, Findings(0), today=__import__("datetime").date(2026, 12, 4))
    assert check.state == CheckVerdict.BROKEN
    assert check.verdict == 'Falsche Quellenart: Antwort ist Bundestag DIP (JSON), in feeds.toml steht kind = "rss"'
    from datetime import UTC, date, datetime
    old = datetime(2024, 5, 1, tzinfo=UTC)
    fetched = FetchResult("s", SOURCE.url, status=200, body=make_rss(1), final_url=SOURCE.url)
    parsed = ParseResult([RawEntry("g", "t", "https://example.org/1", published=old)])
    stale = diagnose(SOURCE, fetched, Findings.of_parse(parsed), today=date(2026, 12, 4))
    assert stale.state == CheckVerdict.NOTICE and stale.verdict.startswith("Veraltet: neuester Eintrag vom 01.05.2024")
