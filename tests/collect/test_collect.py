"""Collection end to end against a real local HTTP server: health, idempotence, changes."""

from __future__ import annotations

import gzip as gzip_module
from pathlib import Path

import pytest

from tests.support.feeds import make_rss, write_feeds_toml
from tests.support.feedserver import FeedServer
from tracker.collect.fetch import FetchPolicy
from tracker.collect.run import run_collection
from tracker.collect.sources import load_sources
from tracker.storage import open_db
from tracker.storage.sources import source_health
from tracker.vocabulary import SourceHealth

FAST = FetchPolicy(connect_timeout=2, read_timeout=2, total_deadline=3, max_bytes=200_000, max_redirects=3,
                   retries=2, backoff_seconds=0.05, concurrency=4)


@pytest.fixture
def server():
    with FeedServer() as srv:
        yield srv


def collect(tmp_path: Path, server: FeedServer, routes: dict[str, str], **kwargs):
    toml = write_feeds_toml(tmp_path / "feeds.toml", {sid: server.url(path) for sid, path in routes.items()})
    return run_collection(registry=load_sources(toml), policy=kwargs.pop("policy", FAST), **kwargs)


def health(db_path: Path) -> dict[str, dict]:
    with open_db(db_path) as con:
        return {row["id"]: row for row in source_health(con)}


def scalar(db_path: Path, sql: str):
    with open_db(db_path) as con:
        return con.execute(sql).fetchone()[0]


def test_every_failure_ends_in_the_health_table_and_others_are_stored(tmp_path, db_path, server):
    server.route("/good.xml", make_rss(5, prefix="good"), headers={"Content-Type": "application/rss+xml"})
    server.route("/flaky.xml", make_rss(3, prefix="flaky"), statuses=[500, 200])
    server.route("/slow.xml", make_rss(2, prefix="slow"), delay=6)
    server.route("/huge.xml", make_rss(3000, prefix="huge"))
    server.route("/loop-a", redirect_to="/loop-b", status=302)
    server.route("/loop-b", redirect_to="/loop-a", status=302)
    server.route("/gzip.xml", make_rss(4, prefix="gz"), gzip=True)
    latin = make_rss(2, prefix="latin", summary="Wärmeplanung für Kommunen: Förderaufruf", encoding="iso-8859-1")
    server.route("/charset.xml", latin, headers={"Content-Type": "text/xml; charset=utf-8"})
    server.route("/html", b"<html><body><h1>Wartungsarbeiten</h1></body></html>",
                 headers={"Content-Type": "text/html"})
    report = collect(tmp_path, server, {
        "good": "/good.xml", "flaky": "/flaky.xml", "slow": "/slow.xml", "huge": "/huge.xml",
        "loop": "/loop-a", "gzip": "/gzip.xml", "charset": "/charset.xml", "html": "/html",
    })
    states = {o.source_id: o.state for o in report.outcomes}
    assert states == {"good": "ok", "flaky": "ok", "slow": "fehler", "huge": "fehler", "loop": "fehler",
                      "gzip": "ok", "charset": states["charset"], "html": "fehler"}
    assert states["charset"] in ("ok", "warnung")
    table = health(db_path)
    assert table["flaky"]["consecutive_failures"] == 0 and table["flaky"]["items_stored"] == 3
    assert len(server.requests("/flaky.xml")) == 2
    for failing in ("slow", "huge", "loop", "html"):
        assert table[failing]["state"] == SourceHealth.ERROR
        assert table[failing]["consecutive_failures"] == 1
        assert table[failing]["last_error"]
    assert table["good"]["items_stored"] == 5 and table["gzip"]["items_stored"] == 4
    summary = scalar(db_path, "SELECT summary FROM items WHERE link = 'https://example.org/latin/0'")
    assert "Wärmeplanung" in summary and "Förderaufruf" in summary


@pytest.mark.parametrize("validator", ["etag", "last_modified"])
def test_unchanged_feed_answers_304_and_stores_nothing_twice(tmp_path, db_path, server, validator):
    kwargs = {"etag": '"v1"'} if validator == "etag" else {"last_modified": "Mon, 02 Nov 2026 08:00:00 GMT"}
    server.route("/feed.xml", make_rss(10), **kwargs)
    first = collect(tmp_path, server, {"feed": "/feed.xml"})
    second = collect(tmp_path, server, {"feed": "/feed.xml"})
    assert first.outcomes[0].stats.new == 10
    assert second.outcomes[0].state == "unverändert" and second.outcomes[0].http_status == 304
    sent = server.requests("/feed.xml")[1]
    assert sent.get("if-none-match" if validator == "etag" else "if-modified-since")
    assert scalar(db_path, "SELECT count(*) FROM items") == 10
    assert health(db_path)["feed"]["last_item_count"] == 10


def test_collecting_twice_without_validators_stores_nothing_twice_and_a_change_once(tmp_path, db_path, server):
    server.route("/feed.xml", make_rss(20))
    collect(tmp_path, server, {"feed": "/feed.xml"})
    again = collect(tmp_path, server, {"feed": "/feed.xml"})
    assert (again.items_new, again.items_changed) == (0, 0)
    server.route("/feed.xml", make_rss(20).replace(b"Bekanntmachung item 7<", b"Bekanntmachung item 7 (berichtigt)<"))
    changed = collect(tmp_path, server, {"feed": "/feed.xml"})
    collect(tmp_path, server, {"feed": "/feed.xml"})
    assert (changed.items_new, changed.items_changed) == (0, 1)
    assert scalar(db_path, "SELECT count(*) FROM items") == 20
    assert scalar(db_path, "SELECT count(*) FROM item_history") == 1
    assert scalar(db_path, "SELECT count(*) FROM items WHERE is_changed") == 1


def test_feed_that_suddenly_empties_warns_and_keeps_items(tmp_path, db_path, server):
    server.route("/feed.xml", make_rss(6))
    collect(tmp_path, server, {"feed": "/feed.xml"})
    server.route("/feed.xml", make_rss(0, channel_title="Fehler"))
    report = collect(tmp_path, server, {"feed": "/feed.xml"})
    assert report.outcomes[0].state == "warnung"
    row = health(db_path)["feed"]
    assert "leer" in row["last_warning"] and row["state"] == SourceHealth.WARNING
    assert scalar(db_path, "SELECT count(*) FROM items") == 6


def test_raw_documents_are_archived_compressed_once_per_version(tmp_path, db_path, server):
    body = make_rss(3)
    server.route("/feed.xml", body)
    collect(tmp_path, server, {"feed": "/feed.xml"})
    collect(tmp_path, server, {"feed": "/feed.xml"})
    from tracker.storage.archive import archived_body, archived_documents

    with open_db(db_path) as con:
        docs = archived_documents(con, "feed")
        assert len(docs) == 1 and docs[0]["size_bytes"] == len(body)
        assert archived_body(con, docs[0]["id"]) == body
    assert gzip_module.decompress(gzip_module.compress(body)) == body


def test_consecutive_failures_count_up_and_reset(tmp_path, db_path, server):
    server.route("/feed.xml", b"", statuses=[404])
    for _ in range(3):
        collect(tmp_path, server, {"feed": "/feed.xml"})
    assert health(db_path)["feed"]["consecutive_failures"] == 3
    server.route("/feed.xml", make_rss(2))
    collect(tmp_path, server, {"feed": "/feed.xml"})
    row = health(db_path)["feed"]
    assert (row["consecutive_failures"], row["last_error"], row["state"]) == (0, None, SourceHealth.OK)


def test_unchanged_entries_are_not_judged_again(tmp_path, db_path, server, monkeypatch):
    import tracker.collect.run as collect_module

    judged: list[int] = []
    real = collect_module.judge_items

    def counting(items, source=None):
        judged.append(len(items))
        return real(items, source)

    monkeypatch.setattr(collect_module, "judge_items", counting)
    server.route("/feed.xml", make_rss(12))
    collect(tmp_path, server, {"feed": "/feed.xml"})
    collect(tmp_path, server, {"feed": "/feed.xml"})
    server.route("/feed.xml", make_rss(12).replace(b"Bekanntmachung item 3<", b"Bekanntmachung item 3 (neu)<"))
    collect(tmp_path, server, {"feed": "/feed.xml"})
    assert judged == [12, 0, 1]


def test_a_source_whose_write_fails_is_recorded_and_the_others_are_stored(tmp_path, db_path, server, monkeypatch):
    import duckdb

    import tracker.collect.run as collect_module

    real = collect_module.store_sources_items

    def failing_for_bad(con, batches, now, **kwargs):
        result = real(con, batches, now, **kwargs)
        if any(source_id == "bad" for source_id, _ in batches):
            raise duckdb.ConstraintException("Constraint Error: simulated")  # half written, then refused
        return result

    monkeypatch.setattr(collect_module, "store_sources_items", failing_for_bad)
    server.route("/bad.xml", make_rss(4, prefix="bad"))
    server.route("/good.xml", make_rss(3, prefix="good"))
    report = collect(tmp_path, server, {"bad": "/bad.xml", "good": "/good.xml"})
    states = {o.source_id: o.state for o in report.outcomes}
    assert states == {"bad": "fehler", "good": "ok"}
    table = health(db_path)
    assert "Speichern fehlgeschlagen" in table["bad"]["last_error"]
    assert table["bad"]["items_stored"] == 0  # the half-written batch was rolled back
    assert table["good"]["items_stored"] == 3
    assert scalar(db_path, "SELECT count(*) FROM raw_documents WHERE source_id = 'bad'") == 0


def test_two_sources_of_one_burst_with_the_same_publication_store_it_once(db_path):
    from tracker.collect.run import ingest_documents
    from tracker.models import Source

    def source(sid: str) -> Source:
        return Source(id=sid, name=sid, url=f"https://example.org/{sid}.xml", kind="rss", publisher="p",
                      jurisdiction="de", language="de")

    shared = make_rss(3, prefix="gemeinsam")
    documents = [(make_rss(2, prefix="a"), source("a"), "https://example.org/a.xml", None, 200),
                 (shared, source("b"), "https://example.org/b.xml", None, 200),
                 (shared.replace(b"Testfeed", b"Anderer Feed"), source("c"), "https://example.org/c.xml", None, 200)]
    outcomes = ingest_documents(documents, db_path=db_path)
    assert [(o.source_id, o.stats.new, o.stats.linked) for o in outcomes] == [("a", 2, 0), ("b", 3, 0), ("c", 0, 3)]
    assert scalar(db_path, "SELECT count(*) FROM items") == 5
    assert scalar(db_path, "SELECT count(*) FROM item_sources") == 8
    assert scalar(db_path, "SELECT count(*) FROM raw_documents") == 3
    again = ingest_documents(documents, db_path=db_path)
    assert [o.stats.unchanged for o in again] == [2, 3, 3]
