"""Members see public deadlines and their own input date, never the team's internal dates:
the rows they get do not carry them (a page sends every column of a table to the browser)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import PROJECT_ROOT
from tests.work.conftest import DEADLINE, ITEM_ID
from tests.work.test_pages import run_page
from tracker.access.permissions import PermissionDenied
from tracker.ui import widgets
from tracker.vocabulary import TriageStatus
from tracker.work import deadlines, decisions, workspaces
from tracker.work.triage import TriageState

TODAY = DEADLINE - timedelta(days=10)
BOARD = DEADLINE - timedelta(days=3)
FRISTEN = str(PROJECT_ROOT / "app_pages" / "fristen.py")


@pytest.fixture
def triaged(world, workspace):
    decisions.save_triage(world.team, ITEM_ID, TriageState(TriageStatus.STELLUNGNAHME_GEPLANT, owner="team",
                                                           member_input_due=DEADLINE - timedelta(days=6),
                                                           board_signoff_due=BOARD))
    workspaces.update_workspace(world.team, ITEM_ID, member_input_due=DEADLINE - timedelta(days=5))
    return workspace


def test_the_team_gets_the_internal_dates_a_member_only_its_input_date(world, triaged):
    [team_row] = deadlines.open_deadlines(world.team, today=TODAY)
    assert (team_row["owner"], team_row["board_signoff_due"]) == ("team", BOARD)
    [member_row] = deadlines.open_deadlines(world.anna, today=TODAY)
    assert not set(deadlines.INTERNAL_FIELDS) - {"member_input_due"} & set(member_row)
    assert member_row["asked"] and member_row["member_input_due"] == DEADLINE - timedelta(days=5)
    assert member_row["deadline"] == DEADLINE


def test_the_fristen_page_sends_a_member_no_internal_column(world, triaged, monkeypatch):
    monkeypatch.setattr(widgets, "today", lambda: TODAY)
    team = run_page(FRISTEN, world.team)
    assert {"Verantwortlich", "Freigabe Vorstand", "Status"} <= set(team.dataframe[0].value.columns)
    member = run_page(FRISTEN, world.anna)
    sent = member.dataframe[0].value
    assert not {"Verantwortlich", "Freigabe Vorstand", "Status", "Vorgang"} & set(sent.columns)
    assert list(sent["Input Mitglieder"]) == [f"{DEADLINE - timedelta(days=5):%d.%m.%Y}"]
    assert not [h for h in member.subheader if "prüfen" in h.value]
    with pytest.raises(PermissionDenied):
        deadlines.possible_deadlines(world.anna, today=TODAY)
    [chart] = member.get("vega_lite_chart")
    assert "Status" not in chart.proto.spec and "Stellungnahme geplant" not in str(chart.proto.datasets)
