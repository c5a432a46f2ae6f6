"""What the installed ``tracker`` does with several inputs at once, long paths and bad
settings: every input handled, one line per message through a pipe, the setting named."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import FEED_FIXTURES, require_shared
from tests.support.cli import assert_no_traceback, tracker
from tests.support.feeds import make_rss, write_feeds_toml
from tests.support.feedserver import FeedServer
from tracker.storage import open_db

PODCAST = "bundestag_webtv_plenarsitzung_19-037_podcast.rss.xml"


def _deep(tmp_path: Path) -> Path:
    """A folder whose path is far longer than a terminal line (fixtures at any depth must work)."""
    deep = tmp_path.joinpath(*(f"ebene-{n:02d}-{'x' * 20}" for n in range(8)))
    deep.mkdir(parents=True)
    assert len(str(deep)) > 200
    return deep


def _items(db_path: Path) -> int:
    with open_db(db_path) as con:
        return con.execute("SELECT count(*) FROM items").fetchone()[0]


def test_two_files_in_one_ingest_are_both_stored(db_path: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a.xml", tmp_path / "b.xml"
    first.write_bytes(make_rss(3, prefix="a"))
    second.write_bytes(make_rss(4, prefix="b"))
    result = tracker("ingest", str(first), str(second), str(first), env={"TRACKER_DB": str(db_path)})
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert f"{first}: 3 Einträge (3 neu, 0 geändert, 0 bekannt) in Quelle manuell." in lines
    assert f"{second}: 4 Einträge (4 neu, 0 geändert, 0 bekannt) in Quelle manuell." in lines
    assert f"{first}: 3 Einträge (0 neu, 0 geändert, 3 bekannt) in Quelle manuell." in lines
    assert _items(db_path) == 7


def test_a_source_named_twice_is_collected_once(db_path: Path, tmp_path: Path) -> None:
    with FeedServer() as server:
        server.route("/feed.xml", body=make_rss(5))
        feeds = write_feeds_toml(tmp_path / "feeds.toml", {"bmi": server.url("/feed.xml")})
        result = tracker("collect", "--source", "bmi", "--source", "bmi",
                         env={"TRACKER_DB": str(db_path), "TRACKER_FEEDS": str(feeds)})
        assert result.returncode == 0, result.stdout + result.stderr
        assert len(server.requests("/feed.xml")) == 1
    assert "1 Quellen, 5 neue" in result.stdout
    assert _items(db_path) == 5


def test_output_through_a_pipe_is_never_wrapped(db_path: Path, tmp_path: Path) -> None:
    source = require_shared(FEED_FIXTURES / PODCAST)
    copy = _deep(tmp_path) / PODCAST
    shutil.copy(source, copy)
    result = tracker("ingest", str(copy), env={"TRACKER_DB": str(db_path), "COLUMNS": "80"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"{copy}: 50 Einträge (50 neu, 0 geändert, 0 bekannt) in Quelle manuell."]

    # A table row with a long message stays one line too: cron logs are read line by line.
    missing = f"http://127.0.0.1:9/{'lang/' * 30}feed.xml"
    feeds = write_feeds_toml(tmp_path / "feeds.toml", {"weg": missing}, collector="retries = 0")
    collect = tracker("collect", env={"TRACKER_DB": str(db_path), "TRACKER_FEEDS": str(feeds)})
    row = [line for line in collect.stdout.splitlines() if "weg" in line]
    assert len(row) == 1 and "abgelehnt" in row[0], collect.stdout


def test_an_invalid_setting_is_one_german_line_naming_it(db_path: Path) -> None:
    result = tracker("alerts", "status", env={"TRACKER_DB": str(db_path), "SMTP_PORT": "abc"})
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "Fehler: Ungültige Einstellung: SMTP_PORT='abc' (Umgebung): ganze Zahl von 1 bis 65535 erwartet"]


def test_feeds_toml_with_a_byte_order_mark_loads(db_path: Path, tmp_path: Path) -> None:
    feeds = write_feeds_toml(tmp_path / "feeds.toml", {"bmi": "https://example.org/feed.xml"})
    feeds.write_bytes(b"\xef\xbb\xbf" + feeds.read_bytes())
    result = tracker("sources", "--json", env={"TRACKER_DB": str(db_path), "TRACKER_FEEDS": str(feeds)})
    assert result.returncode == 0, result.stderr
    assert '"problems": []' in result.stdout


def test_not_a_number_in_collector_names_the_value(db_path: Path, tmp_path: Path) -> None:
    feeds = write_feeds_toml(tmp_path / "feeds.toml", {"bmi": "https://example.org/feed.xml"},
                             collector="read_timeout = nan")
    result = tracker("sources", env={"TRACKER_DB": str(db_path), "TRACKER_FEEDS": str(feeds)})
    problem = [line for line in result.stderr.splitlines() if "read_timeout" in line]
    assert len(problem) == 1, result.stderr
    assert "gefunden: nan" in problem[0] and "gefunden: Zahl" not in problem[0]
