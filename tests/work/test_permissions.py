"""The access rule, exercised through the library functions (not only through pages)."""

from __future__ import annotations

import pytest

from tracker.access.permissions import PermissionDenied
from tracker.storage import open_db
from tracker.work import positions, statement, workspaces

from .conftest import ITEM_ID


def _section_ids(ws) -> list[int]:
    return [s.id for s in ws.sections]


def test_member_does_not_see_workspace_before_it_is_opened(world):
    workspaces.open_workspace(world.team, ITEM_ID)
    workspaces.set_members(world.team, ITEM_ID, ["sw-a"])
    assert workspaces.workspaces_for(world.anna) == []
    with pytest.raises(PermissionDenied):
        workspaces.get_workspace(world.anna, ITEM_ID)
    workspaces.update_workspace(world.team, ITEM_ID, status="offen")
    assert [w.item_id for w in workspaces.workspaces_for(world.anna)] == [ITEM_ID]


def test_member_not_asked_sees_nothing(world, workspace):
    workspaces.set_members(world.team, ITEM_ID, ["sw-a", "stadt-b"])
    assert workspaces.workspaces_for(world.clara) == []
    with pytest.raises(PermissionDenied):
        positions.matrix(world.clara, ITEM_ID)


def test_member_reads_only_own_positions(world, workspace):
    s1 = _section_ids(workspace)[0]
    positions.record_position(world.anna, ITEM_ID, s1, "sw-a", "zustimmung", "Gut so.")
    positions.record_position(world.bernd, ITEM_ID, s1, "stadt-b", "ablehnung", "Geheime Begründung B")
    m = positions.matrix(world.anna, ITEM_ID)
    assert [o["id"] for o in m.organisations] == ["sw-a"]
    assert set(m.cells) == {(s1, "sw-a")}
    assert "Geheime Begründung B" not in positions.matrix_csv(m)
    # the team sees both
    assert set(positions.matrix(world.team, ITEM_ID).cells) == {(s1, "sw-a"), (s1, "stadt-b")}


def test_shared_positions_become_readable_but_not_writable(world, workspace):
    s1 = _section_ids(workspace)[0]
    positions.record_position(world.bernd, ITEM_ID, s1, "stadt-b", "ablehnung", "Begründung B")
    workspaces.update_workspace(world.team, ITEM_ID, positions_shared=True)
    assert (s1, "stadt-b") in positions.matrix(world.anna, ITEM_ID).cells
    with pytest.raises(PermissionDenied):
        positions.record_position(world.anna, ITEM_ID, s1, "stadt-b", "zustimmung", "überschrieben")
    with open_db() as con:
        stored = con.execute("SELECT stance, reason FROM positions WHERE organisation_id = 'stadt-b'").fetchall()
    assert stored == [("ablehnung", "Begründung B")]


def test_member_cannot_change_other_organisation(world, workspace):
    s1 = _section_ids(workspace)[0]
    with pytest.raises(PermissionDenied, match="eigenen Organisation"):
        positions.record_position(world.anna, ITEM_ID, s1, "stadt-b", "ablehnung")
    with open_db() as con:
        assert con.execute("SELECT count(*) FROM positions").fetchone()[0] == 0


def test_member_cannot_edit_after_input_closed(world, workspace):
    s1 = _section_ids(workspace)[0]
    positions.record_position(world.anna, ITEM_ID, s1, "sw-a", "zustimmung")
    workspaces.update_workspace(world.team, ITEM_ID, status="geschlossen")
    with pytest.raises(PermissionDenied, match="nicht geöffnet"):
        positions.record_position(world.anna, ITEM_ID, s1, "sw-a", "ablehnung")
    # the team may still correct a position on the member's behalf
    positions.record_position(world.team, ITEM_ID, s1, "sw-a", "aenderungen", "telefonisch korrigiert")
    assert positions.matrix(world.team, ITEM_ID).get(s1, "sw-a").stance == "aenderungen"


def test_section_of_other_consultation_refused(world, workspace):
    from .conftest import store_item

    store_item("other-item", "Anderer Entwurf")
    workspaces.open_workspace(world.team, "other-item")
    other = workspaces.set_sections(world.team, "other-item", [{"title": "Fremder Abschnitt"}])
    with pytest.raises(Exception, match="gehört nicht"):
        positions.record_position(world.anna, ITEM_ID, other.sections[0].id, "sw-a", "zustimmung")


def test_members_cannot_manage_workspaces_or_drafts(world, workspace):
    for call in (lambda: workspaces.update_workspace(world.anna, ITEM_ID, status="offen"),
                 lambda: workspaces.set_members(world.anna, ITEM_ID, ["sw-a"]),
                 lambda: statement.assemble_draft(world.anna, ITEM_ID),
                 lambda: statement.versions(world.anna, ITEM_ID),
                 lambda: workspaces.candidates(world.anna)):
        with pytest.raises(PermissionDenied):
            call()


def test_unknown_stance_refused(world, workspace):
    with pytest.raises(Exception, match="Unbekannte Haltung"):
        positions.record_position(world.anna, ITEM_ID, _section_ids(workspace)[0], "sw-a", "vielleicht")


def test_member_input_date_is_the_triage_date(world, workspace):
    from datetime import date

    from tracker.errors import UserError
    from tracker.storage.triage import triage_events, triage_state

    assert workspace.member_input_due == date(2026, 12, 4)  # taken from the triage
    ws = workspaces.update_workspace(world.team, ITEM_ID, member_input_due=date(2026, 12, 9))
    assert ws.member_input_due == date(2026, 12, 9)
    with open_db() as con:
        assert triage_state(con, ITEM_ID).member_input_due == date(2026, 12, 9)
        events = triage_events(con, ITEM_ID)
    assert ("team", "member_input_due", "2026-12-09") in [(e["actor"], e["action"], e["new_value"])
                                                          for e in events]
    with pytest.raises(UserError, match="nach der Frist"):
        workspaces.update_workspace(world.team, ITEM_ID, member_input_due=date(2027, 1, 8), status="geschlossen")
    ws = workspaces.get_workspace(world.team, ITEM_ID)
    assert (ws.member_input_due, ws.status) == (date(2026, 12, 9), "offen")  # nothing of the refused change
