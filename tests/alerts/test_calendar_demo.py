"""Calendars and demo data: the dashboard may show shifted demo dates, subscribed files never."""

from __future__ import annotations

from datetime import date

from tracker.alerts import calendars
from tracker.demo.loader import load_demo

TODAY = date(2026, 11, 25)


def test_demo_items_only_in_the_dashboards_download(db_path):
    load_demo(today=TODAY)
    assert calendars.deadline_entries(today=TODAY) == []
    shown = calendars.deadline_entries(today=TODAY, include_demo=True)
    assert shown and all(entry.deadline >= TODAY - calendars.KEEP_PAST for entry in shown)
