"""`tracker tag` after `tracker collect` judges every item as the collection did (issue 13).

The collection judges an item with its source's topic hints (feeds.toml); re-tagging must
build the same judge input, so it must know that source: the judgement records it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.conftest import FEED_FIXTURES
from tests.support.feedserver import FeedServer
from tracker.access.permissions import PermissionDenied
from tracker.cli.app import main
from tracker.errors import UserError
from tracker.models import User
from tracker.storage import open_db
from tracker.storage.alerts import deadline_rows
from tracker.storage.inbox import item_detail
from tracker.vocabulary import DeadlineOrigin
from tracker.work import decisions
from tracker.work.inbox import possible_deadline_phrase

TEAM = User(id="team", display_name="Team", role="team")
MEMBER = User(id="anna", display_name="Anna", role="member", organisation_id="sw-a")

ITEMS = (
    ("netzentgelte", "Festlegung zu Netzentgelten für Speicher",
     "Die Beschlusskammer bittet um Stellungnahmen bis zum 15. März."),
    ("glasfaser", "Förderaufruf Glasfaser in Gewerbegebieten",
     "Anträge können vom 1. bis zum 30. Juni 2026 gestellt werden."),
    ("tierschutz", "Änderung der Tierschutz-Hundeverordnung", "Die Verordnung tritt am 1. Januar 2027 in Kraft."),
    ("aufruf", "Förderaufruf Wärmenetze", "Ein 3. Förderaufruf ist für den 03.07.2026 – 08.09.2026 geplant."),
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
            " i.deadline, i.deadline_text, i.deadline_origin, i.is_changed,"
            " j.possible_deadline, j.possible_deadline_text, j.possible_deadline_confidence"
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
    assert any(row[15] is not None for row in collected.values())  # and a possible one
    assert main(["tag"]) == 0
    assert _judgements(db_path) == collected
    with open_db(db_path) as con:
        assert con.execute("SELECT count(*) FROM item_history WHERE changed_fields = ['deadline']").fetchone()[0] == 0


def test_a_possible_deadline_the_team_takes_over_counts_and_survives_re_judging(
        tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with FeedServer() as server:
        for route in ("/regulator.xml", "/agency.xml", "/overheid.xml"):
            server.route(route, _rss(ITEMS[-1:]))
        monkeypatch.setenv("TRACKER_FEEDS", str(_feeds(tmp_path / "feeds.toml", server)))
        assert main(["collect"]) == 0
    with open_db(db_path) as con:
        [item] = [row[0] for row in con.execute("SELECT id FROM items").fetchall()]
        detail = item_detail(con, item)
    assert detail["deadline"] is None and detail["possible_deadline"] == date(2026, 9, 8)
    assert "Frist prüfen" in possible_deadline_phrase(detail["possible_deadline"],
                                                      detail["possible_deadline_confidence"], date(2026, 8, 1))
    with pytest.raises(PermissionDenied):
        decisions.set_deadline(MEMBER, item, date(2026, 9, 8))
    with pytest.raises(UserError, match="nicht plausibel"):
        decisions.set_deadline(TEAM, item, date(9999, 12, 31))
    assert decisions.set_deadline(TEAM, item, date(2026, 9, 8))
    assert not decisions.set_deadline(TEAM, item, date(2026, 9, 8))  # the same again changes nothing
    assert main(["tag"]) == 0
    with open_db(db_path) as con:
        detail = item_detail(con, item)
    assert (detail["deadline"], detail["deadline_origin"]) == (date(2026, 9, 8), DeadlineOrigin.TEAM)
    assert detail["deadline_text"] == "Ein 3. Förderaufruf ist für den 03.07.2026 – 08.09.2026 geplant."
    [change] = [h for h in detail["history"] if h["recorded_by"]]
    assert (change["recorded_by"], change["old_deadline"], change["new_deadline"]) == ("team", None, date(2026, 9, 8))
    with open_db(db_path) as con:  # from now on it is a deadline like any other: calendars see it
        assert [row["item_id"] for row in deadline_rows(con, since=date(2026, 1, 1))] == [item]


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
