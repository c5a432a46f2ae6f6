"""The team's reading pages check the role in the library, not only in the navigation."""

from __future__ import annotations

from datetime import date

import pytest

from tests.work.conftest import ITEM_ID
from tracker.access.permissions import PermissionDenied
from tracker.work import views
from tracker.work.inbox import InboxFilter


def test_a_member_reads_none_of_the_teams_pages(world):
    for read in (lambda: views.inbox(world.anna, InboxFilter(), today=date(2026, 12, 1)),
                 lambda: views.item(world.anna, ITEM_ID),
                 lambda: views.topic_statistics(world.anna, since=date(2026, 1, 1)),
                 lambda: views.collection_runs(world.anna)):
        with pytest.raises(PermissionDenied):
            read()


def test_the_team_reads_an_item_with_its_triage_and_the_demo_shift(world):
    read = views.item(world.team, ITEM_ID)
    assert read.data.item["id"] == ITEM_ID and "owner" in read.data.item
    assert read.shift is None  # no demo data in this database
    assert views.item(world.team, "gibt-es-nicht").data.item is None
    assert views.inbox(world.admin, InboxFilter(), today=date(2026, 12, 1)).data.all_items >= 1
