"""`tracker tag` after `tracker collect` judges every item as the collection did (issue 13).

The collection judges an item with its source's topic hints (feeds.toml); re-tagging must
build the same judge input, so it must know that source: the judgement records it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FEED_FIXTURES
from tests.support.feedserver import FeedServer
from tracker.cli.app import main
from tracker.storage import open_db

ITEMS = (
    ("netzentgelte", "Festlegung zu Netzentgelten für Speicher",
     "Die Beschlusskammer bittet um Stellungnahmen bis zum 15. März."),
    ("glasfaser", "Förderaufruf Glasfaser in Gewerbegebieten",
     "Anträge können vom 1. bis zum 30. Juni 2026 gestellt werden."),
    ("tierschutz", "Änderung der Tierschutz-Hundeverordnung", "Die Verordnung tritt am 1. Januar 2027 in Kraft."),
)


def _rss(items: tuple[tuple[str, str, str], ...]) -> bytes:
    entries = "".join(
        f"<item><title>{title}</title><link>https://example.org/{key}</link><guid>{key}</guid>"
        f"<pubDate>Mon, 02 Feb 2026 09:00:00 +0100</pubDate><description>{summary}</description></item>"
        for key, title, summary in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
            f"<link>https://example.org/</link><description>T</description>{entries}</channel></rss>").encode()


def _feeds(path: Path, server: FeedServer) -> Path:
    blocks = []
    for source_id, route, hints in (("regulator", "/regulator.xml", '["energy", "broadband"]'),
                                    ("agency", "/agency.xml", "[]"), ("overheid", "/overheid.xml", "[]")):
        blocks.append(f'[[source]]\nid = "{source_id}"\nname = "{source_id}"\nurl = "{server.url(route)}"\n'
                      f'kind = "rss"\npublisher = "Test"\njurisdiction = "de"\nlanguage = "de"\n'
                      f"topic_hints = {hints}\n")
    path.write_text("\n".join(blocks), encoding="utf-8")
    return path


def _judgements(db_path: Path) -> dict[str, tuple]:
    with open_db(db_path) as con:
        rows = con.execute(
            "SELECT j.item_id, j.model_version, j.language, j.language_supported, j.in_remit, j.relevant, j.score,"
            " j.stage, j.topics, j.topic_scores::VARCHAR, j.evidence::VARCHAR, j.source_id,"
            " i.deadline, i.deadline_text, i.deadline_origin, i.is_changed"
            " FROM item_judgements j JOIN items i ON i.id = j.item_id").fetchall()
    return {row[0]: row[1:] for row in rows}


def test_tag_after_collect_leaves_every_judgement_unchanged(tmp_path: Path, db_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    with FeedServer() as server:
        server.route("/regulator.xml", _rss(ITEMS))
        server.route("/agency.xml", _rss(ITEMS[:1]))  # the same publication, from a source without hints
        real = FEED_FIXTURES / "nl_officielebekendmakingen_rss_2022-05-02.rss.xml"
        server.route("/overheid.xml", real.read_bytes() if real.exists() else _rss(ITEMS[2:]))
        monkeypatch.setenv("TRACKER_FEEDS", str(_feeds(tmp_path / "feeds.toml", server)))
        assert main(["collect"]) == 0
    collected = _judgements(db_path)
    assert len(collected) >= 3
    hinted = [row for row in collected.values() if row[10] == "regulator"]
    assert hinted and any(row[11] is not None for row in collected.values())  # text deadlines were found
    assert main(["tag"]) == 0
    assert _judgements(db_path) == collected
    with open_db(db_path) as con:
        assert con.execute("SELECT count(*) FROM item_history WHERE changed_fields = ['deadline']").fetchone()[0] == 0


def test_tag_uses_the_source_hints_the_collection_used(tmp_path: Path, db_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Without its source the hinted item would score lower (the issue's 0.578 -> 0.438)."""
    with FeedServer() as server:
        server.route("/regulator.xml", _rss(ITEMS[:1]))
        server.route("/agency.xml", _rss(ITEMS[1:2]))
        server.route("/overheid.xml", _rss(ITEMS[2:]))
        monkeypatch.setenv("TRACKER_FEEDS", str(_feeds(tmp_path / "feeds.toml", server)))
        assert main(["collect"]) == 0
    before = _judgements(db_path)
    with open_db(db_path) as con:
        con.execute("UPDATE item_judgements SET source_id = NULL")  # judged before migration 010
    assert main(["tag"]) == 0
    assert _judgements(db_path) == before  # the carrying source is found through provenance
    hinted = next(row for row in before.values() if row[10] == "regulator")
    with open_db(db_path) as con:
        con.execute("DELETE FROM item_sources WHERE source_id = 'regulator'")
        con.execute("UPDATE item_judgements SET source_id = NULL")
    assert main(["tag"]) == 0
    unhinted = next(row for key, row in _judgements(db_path).items() if before[key][10] == "regulator")
    assert unhinted[5] < hinted[5]  # judged without the source's hints it scores lower
