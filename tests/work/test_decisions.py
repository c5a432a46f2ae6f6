"""The team's decisions on an item go through the library: who may decide, which rules hold."""

from __future__ import annotations

import pytest

from tracker.access.permissions import PermissionDenied
from tracker.vocabulary import TriageStatus
from tracker.work import decisions
from tracker.work.triage import TriageState


def test_a_member_may_not_triage_or_label(world):
    with pytest.raises(PermissionDenied):
        decisions.save_triage(world.anna, world.item_id, TriageState(TriageStatus.BEOBACHTEN))
    with pytest.raises(PermissionDenied):
        decisions.record_relevance(world.anna, world.item_id, relevant=False, topics=[])
    with pytest.raises(PermissionDenied):
        decisions.history(world.anna, world.item_id)


def test_triage_rules_are_applied_before_anything_is_written(world):
    before, _ = decisions.history(world.team, world.item_id)
    with pytest.raises(decisions.TriageRejected) as rejected:
        decisions.save_triage(world.team, world.item_id, TriageState(TriageStatus.STELLUNGNAHME_GEPLANT, owner=None))
    assert any("verantwortliche Person" in p for p in rejected.value.problems)
    assert decisions.history(world.team, world.item_id)[0] == before


def test_the_team_triages_and_labels_with_who_and_when(world):
    changes = decisions.save_triage(world.team, world.item_id, TriageState(TriageStatus.BEOBACHTEN, owner="team"))
    assert ("status", TriageStatus.STELLUNGNAHME_GEPLANT, TriageStatus.BEOBACHTEN) in changes
    decisions.record_relevance(world.team, world.item_id, relevant=False, topics=[], note=" Randthema ")
    events, labels = decisions.history(world.team, world.item_id)
    assert events[0]["actor"] == "team" and labels[0]["relevant"] is False and labels[0]["note"] == "Randthema"


def test_saving_the_same_verdict_again_writes_nothing(world):
    assert decisions.record_relevance(world.team, world.item_id, relevant=False, topics=["energy"])
    assert not decisions.record_relevance(world.admin, world.item_id, relevant=False, topics=["energy"])
    assert decisions.last_relevance_label(world.team, world.item_id)["labelled_by"] == "team"
    assert decisions.record_relevance(world.admin, world.item_id, relevant=True, topics=["energy"])
    _, labels = decisions.history(world.team, world.item_id)
    assert [(label["relevant"], label["labelled_by"]) for label in labels] == [(True, "admin"), (False, "team")]


def test_the_team_sets_a_deadline_but_never_over_the_publishers_field(world):
    from datetime import UTC, date, datetime, timedelta

    from tracker.errors import UserError
    from tracker.storage import open_db
    from tracker.storage.alerts import load_alert_inputs
    from tracker.storage.inbox import item_detail

    with pytest.raises(PermissionDenied):
        decisions.set_deadline(world.anna, world.item_id, date(2027, 1, 15))
    with pytest.raises(UserError, match="Bitte ein Datum"):
        decisions.set_deadline(world.team, world.item_id, None)
    assert decisions.set_deadline(world.team, world.item_id, date(2027, 1, 15))
    with open_db() as con:
        detail = item_detail(con, world.item_id)
        assert (detail["deadline"], detail["deadline_origin"]) == (date(2027, 1, 15), "team")
        # a correction by hand is no "Frist verlängert" news from the publisher
        moved_since = datetime.now(UTC) - timedelta(hours=1)
        assert load_alert_inputs(con, today=date(2026, 1, 1), since=moved_since).moves == []
        con.execute("UPDATE items SET deadline_origin = 'structured' WHERE id = ?", [world.item_id])
    with pytest.raises(UserError, match="Feld des Herausgebers"):
        decisions.set_deadline(world.team, world.item_id, date(2027, 2, 1))
    with open_db() as con:
        assert item_detail(con, world.item_id)["deadline"] == date(2027, 1, 15)
