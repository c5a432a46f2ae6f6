"""Dates far outside any plausible range (a feed's pubDate in year 9999, a deadline in year
1) never crash collection or a page: at the door they are kept raw and flagged, and dates
already stored by older versions or structured sources still render."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.cli import assert_no_traceback, tracker
from tests.ui.seed import SOURCES
from tracker.collect.normalise import canonical_url, content_hash
from tracker.models import Item
from tracker.storage import open_db
from tracker.storage.connection import transaction
from tracker.storage.items import store_items
from tracker.storage.sources import sync_sources

FUTURE_FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Zukunft</title><link>https://example.org/</link><description>x</description>
<item><title>Referentenentwurf W\xc3\xa4rmeplanungsgesetz: Verb\xc3\xa4ndeanh\xc3\xb6rung</title>
<link>https://example.org/zukunft</link><guid>zukunft-9999</guid><pubDate>Fri, 31 Dec 9999 23:59:59 +0000</pubDate>
<description>Stellungnahmen zum Smart-Meter-Rollout bis zum 31.12.9999 erbeten.</description></item>
<item><title>Bekanntmachung aus dem Jahr 1</title><link>https://example.org/jahr-1</link>
<guid>jahr-1</guid><pubDate>Mon, 01 Jan 0001 00:00:00 +0100</pubDate>
<description>Frist: 01.01.0001</description></item>
</channel></rss>"""


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [w.value for w in at.warning]
    return "\n".join(parts + [i.value for i in at.info] + [e.value for e in at.error])


def test_a_year_9999_feed_is_stored_with_its_dates_flagged_and_its_page_renders(
        db_path: Path, tmp_path: Path, open_app: Callable[..., AppTest]) -> None:
    feed = tmp_path / "zukunft.xml"
    feed.write_bytes(FUTURE_FEED)
    result = tracker("ingest", str(feed), env={"TRACKER_DB": str(db_path)})
    assert_no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert "2 Einträge (2 neu" in result.stdout
    with open_db(db_path) as con:
        rows = con.execute("SELECT id, link, published_at, deadline, extra FROM items ORDER BY link").fetchall()
    by_link = {link: (item_id, published, deadline, json.loads(extra)) for item_id, link, published, deadline, extra
               in rows}
    item_id, published, deadline, extra = by_link["https://example.org/zukunft"]
    assert published is None and deadline is None
    assert extra["implausible_dates"]["published"].startswith("9999-12-31")
    assert extra["implausible_dates"]["deadline"] == "9999-12-31"

    at = open_app("app_pages/vorgang.py", {"item": item_id})
    text = _texts(at)
    assert "Referentenentwurf Wärmeplanungsgesetz" in text
    assert "9999-12-31" in text and "nicht plausibel" in text


def _stored_as_is(db_path: Path) -> str:
    """An item whose dates reached the database unchecked (an older version, a JSON API)."""
    far = Item(id="fern", source_id="bmwk", guid="fern", link="https://example.org/fern",
               canonical_url=canonical_url("https://example.org/fern"), title="Konsultation mit fernem Datum",
               summary_html="", summary="Frist am 31.12.9999.", text="",
               published_at=datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC), updated_at=None, language="de",
               jurisdiction="de", content_hash=content_hash("Konsultation mit fernem Datum", "", date(9999, 12, 31)),
               deadline=date(9999, 12, 31), deadline_at=datetime(9999, 12, 31, 23, 0, tzinfo=UTC),
               deadline_text="Frist am 31.12.9999.", opening_date=date(1, 1, 1))
    with open_db(db_path) as con, transaction(con):
        sync_sources(con, SOURCES)
        store_items(con, "bmwk", [far], datetime.now(UTC))
    return far.id


@pytest.mark.parametrize("page", ["app_pages/eingang.py", "app_pages/vorgang.py", "app_pages/fristen.py",
                                  "app_pages/themen.py"])
def test_dates_stored_unchecked_still_render(db_path: Path, open_app: Callable[..., AppTest], page: str) -> None:
    item_id = _stored_as_is(db_path)
    at = open_app(page, {"item": item_id} if page.endswith("vorgang.py") else None)
    assert "Traceback" not in _texts(at)
