"""The item store: exactly once, changes recorded, one publication from two sources."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from tracker.collect.normalise import canonical_url, content_hash
from tracker.models import Item
from tracker.storage import open_db
from tracker.storage.connection import transaction
from tracker.storage.items import SourcesOverlap, item_history, item_sources, store_items, store_sources_items

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def make_item(n: int, *, source: str = "bnetza", title: str | None = None, summary: str = "Text",
              deadline: date | None = None, link: str | None = None, guid: str | None = None) -> Item:
    title = title or f"Festlegung {n}"
    link = link or f"https://www.bundesnetzagentur.de/beschluss/{n}"
    return Item(
        id=f"id{n:04d}", source_id=source, guid=guid or f"guid-{n}", link=link, canonical_url=canonical_url(link),
        title=title, summary_html=summary, summary=summary, text="", published_at=T0, updated_at=None,
        language="de", jurisdiction="de", content_hash=content_hash(title, summary, deadline),
        deadline=deadline, url_is_identity=True,
    )


def store(db_path, source, items, now=T0):
    with open_db(db_path) as con, transaction(con):
        return store_items(con, source, items, now)


def count(db_path, table):
    with open_db(db_path) as con:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_storing_twice_stores_once(db_path):
    items = [make_item(n) for n in range(50)]
    stats, touched = store(db_path, "bnetza", items)
    assert (stats.new, stats.changed, len(touched)) == (50, 0, 50)
    stats, touched = store(db_path, "bnetza", items, T0 + timedelta(hours=1))
    assert (stats.new, stats.changed, stats.unchanged, touched) == (0, 0, 50, [])
    assert count(db_path, "items") == 50
    assert count(db_path, "item_sources") == 50
    assert count(db_path, "item_history") == 0


def test_changed_title_gives_one_history_row(db_path):
    store(db_path, "bnetza", [make_item(1), make_item(2)])
    changed = make_item(1, title="Festlegung 1 (berichtigt)")
    stats, touched = store(db_path, "bnetza", [changed, make_item(2)], T0 + timedelta(days=1))
    assert (stats.changed, stats.unchanged, touched) == (1, 1, ["id0001"])
    store(db_path, "bnetza", [changed, make_item(2)], T0 + timedelta(days=2))
    with open_db(db_path) as con:
        history = item_history(con, "id0001")
        row = con.execute("SELECT title, is_changed, changed_at FROM items WHERE id = 'id0001'").fetchone()
    assert len(history) == 1
    assert history[0]["changed_fields"] == ["title"]
    assert (history[0]["old_title"], history[0]["new_title"]) == ("Festlegung 1", "Festlegung 1 (berichtigt)")
    assert row[0] == "Festlegung 1 (berichtigt)" and row[1] is True
    assert row[2] == T0 + timedelta(days=1)


def test_moved_deadline_is_recorded_with_old_and_new_date(db_path):
    store(db_path, "bnetza", [make_item(1, deadline=date(2026, 12, 1))])
    store(db_path, "bnetza", [make_item(1, deadline=date(2026, 12, 15))], T0 + timedelta(days=1))
    with open_db(db_path) as con:
        history = item_history(con, "id0001")
        deadline = con.execute("SELECT deadline FROM items WHERE id = 'id0001'").fetchone()[0]
    assert [(h["old_deadline"], h["new_deadline"], h["changed_fields"]) for h in history] == [
        (date(2026, 12, 1), date(2026, 12, 15), ["deadline"])]
    assert deadline == date(2026, 12, 15)


def test_same_publication_from_two_sources_is_one_item_listing_both(db_path):
    link = "https://www.bmwk.de/Redaktion/DE/Artikel/Energie/waermeplanung.html"
    first = make_item(1, link=link)
    # The second feed carries the same page with a tracking parameter and its own guid and id.
    other = replace(make_item(2, source="bmwk", link=link.replace("https://www.", "http://WWW.") + "?utm_source=rss",
                              summary="Anders formuliert"), id="other-id")
    store(db_path, "bnetza", [first])
    stats, touched = store(db_path, "bmwk", [other], T0 + timedelta(minutes=1))
    assert (stats.new, stats.linked, touched) == (0, 1, [])
    with open_db(db_path) as con:
        sources = [s["source_id"] for s in item_sources(con, "id0001")]
    assert sources == ["bnetza", "bmwk"]
    assert count(db_path, "items") == 1
    # Both feeds keep their own wording: repeated runs must not flip the item between them.
    for hour in range(1, 4):
        store(db_path, "bnetza", [first], T0 + timedelta(hours=hour))
        store(db_path, "bmwk", [other], T0 + timedelta(hours=hour))
    assert count(db_path, "item_history") == 0


def test_guid_keeps_identity_when_link_moves(db_path):
    store(db_path, "bnetza", [make_item(1)])
    moved = replace(make_item(1, link="https://www.bundesnetzagentur.de/neu/1"), id="would-be-new")
    stats, _ = store(db_path, "bnetza", [moved], T0 + timedelta(hours=1))
    assert stats.new == 0
    assert count(db_path, "items") == 1


def test_duplicates_within_one_batch_are_stored_once(db_path):
    stats, _ = store(db_path, "bnetza", [make_item(1), make_item(1), make_item(2)])
    assert stats.new == 2
    assert count(db_path, "items") == 2


@pytest.mark.parametrize("n_items", [0, 1])
def test_small_batches(db_path, n_items):
    stats, _ = store(db_path, "bnetza", [make_item(n) for n in range(n_items)])
    assert stats.new == n_items


def _table(db_path, sql):
    with open_db(db_path) as con:
        return sorted(con.execute(sql).fetchall())


def test_sources_stored_together_end_as_stored_one_after_another(tmp_path):
    together, apart = tmp_path / "together.duckdb", tmp_path / "apart.duckdb"
    first = {"bnetza": [make_item(n) for n in range(5)],
             "bmwk": [make_item(n, source="bmwk", link=f"https://www.bmwk.de/{n}") for n in range(10, 13)]}
    # Second run: a changed title, one new entry, one moved link kept by guid, and a source seen first now.
    second = {"bnetza": [make_item(0, title="Festlegung 0 (berichtigt)"), *[make_item(n) for n in range(1, 6)]],
              "bmwk": [replace(make_item(10, source="bmwk", link="https://www.bmwk.de/neu/10"), id="moved"),
                       make_item(11, source="bmwk", link="https://www.bmwk.de/11")],
              "bsi": [make_item(20, source="bsi", link="https://www.bsi.bund.de/20")]}
    for run, (batches, now) in enumerate(((first, T0), (second, T0 + timedelta(days=1)))):
        with open_db(together) as con, transaction(con):
            results = store_sources_items(con, list(batches.items()), now)
        expected = [store(apart, source, items, now) for source, items in batches.items()]
        assert results == expected, run
    for sql in ("SELECT id, title, link, content_hash, is_changed, first_seen_at, last_seen_at FROM items",
                "SELECT item_id, source_id, guid, link, content_hash, first_seen_at, last_seen_at FROM item_sources",
                "SELECT item_id, source_id, changed_fields, old_title, new_title FROM item_history"):
        assert _table(together, sql) == _table(apart, sql), sql
    assert _table(together, "SELECT count(*) FROM items") == [(10,)]


def test_sources_that_meet_in_one_batch_raise_before_writing(db_path):
    link = "https://www.bmwk.de/Redaktion/DE/Artikel/Energie/waermeplanung.html"
    same_page = [("bnetza", [make_item(1, link=link)]),
                 ("bmwk", [replace(make_item(2, source="bmwk", link=link + "?utm_source=rss"), id="other-id")])]
    store(db_path, "bsi", [make_item(7, source="bsi")])
    also_carried = [("bsi", [make_item(7, source="bsi")]),
                    ("bnetza", [make_item(8, guid="g8", link="https://www.bundesnetzagentur.de/beschluss/7")])]
    for batches in (same_page, also_carried):
        with open_db(db_path) as con, transaction(con), pytest.raises(SourcesOverlap):
            store_sources_items(con, batches, T0 + timedelta(hours=1))
    assert count(db_path, "items") == 1 and count(db_path, "item_sources") == 1


def test_sources_sharing_only_a_listing_page_link_are_stored_together(tmp_path):
    # Feeds that point every entry at one listing page: the URL is no entry's identity
    # (guids are), so the sources do not meet and one statement set stores both.
    listing = "https://www.bmwk.de/Navigation/DE/Service/Konsultationen/konsultationen.html"
    batches = [(source, [replace(make_item(n, source=source, link=listing, guid=f"{source}-{n}"), url_is_identity=False,
                                 id=f"{source}-{n}") for n in range(3)]) for source in ("bmwk", "bmwk_presse")]
    together, apart = tmp_path / "together.duckdb", tmp_path / "apart.duckdb"
    with open_db(together) as con, transaction(con):
        results = store_sources_items(con, batches, T0)
    assert results == [store(apart, source, items) for source, items in batches]
    assert _table(together, "SELECT count(*) FROM items") == [(6,)]
