"""The rules behind a joint statement, in the library: when a section is a common
position, that a settings form writes only the workspace it was loaded for, and what a
submission record may say."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest

from tracker.errors import UserError
from tracker.storage import open_db
from tracker.storage.triage import triage_state
from tracker.work import positions, statement, workspaces
from tracker.work.positions import Position

from .conftest import ITEM_ID, store_item

TODAY = date(2026, 12, 10)


def _p(org: str, stance: str) -> Position:
    return Position(1, org, stance)


# --- consensus ---------------------------------------------------------------------------

def test_one_of_three_asked_is_no_common_position():
    verdict = statement.section_verdict([_p("a", "zustimmung")], needed=2)
    assert not verdict.is_common
    assert "Erst 1 Mitglied hat Stellung genommen" in verdict.reason_open() and "2 nötig" in verdict.reason_open()


def test_consent_and_consent_with_changes_are_not_merged():
    verdict = statement.section_verdict([_p("a", "zustimmung"), _p("b", "zustimmung"), _p("c", "aenderungen")],
                                        needed=2)
    assert not verdict.is_common
    assert verdict.reason_open() == ("Die Rückmeldungen gehen auseinander: Zustimmung (2), "
                                     "Zustimmung mit Änderungen (1).")


def test_everyone_who_answered_agrees_and_enough_answered():
    assert statement.section_verdict([_p("a", "aenderungen"), _p("b", "aenderungen")], needed=2).stance == "aenderungen"
    # "Keine Position" neither breaks nor makes a common position
    abstaining = [_p("a", "ablehnung"), _p("b", "ablehnung"), _p("c", "keine")]
    assert statement.section_verdict(abstaining, needed=2).stance == "ablehnung"
    assert not statement.section_verdict(abstaining, needed=3).is_common
    assert not statement.section_verdict([_p("a", "keine")], needed=1).is_common


def _sections(body: str) -> list[str]:
    return re.split(r"^## ", body, flags=re.M)[2:]


def test_draft_marks_every_section_that_is_not_a_common_position(world, workspace):
    s1, s2, s3, s4 = (s.id for s in workspace.sections)
    rp = positions.record_position
    rp(world.anna, ITEM_ID, s1, "sw-a", "zustimmung", "Klare Begriffe.")           # 1 of 3: open
    for member, org in ((world.anna, "sw-a"), (world.bernd, "stadt-b"), (world.clara, "sw-c")):
        rp(member, ITEM_ID, s2, org, "zustimmung")                                   # 3 of 3 agree: common
    rp(world.anna, ITEM_ID, s4, "sw-a", "zustimmung")
    rp(world.bernd, ITEM_ID, s4, "stadt-b", "aenderungen", "Übergangsfrist fehlt.")  # split: open
    body = statement.assemble_draft(world.team, ITEM_ID)["body_md"]
    one, two, three, four = _sections(body)
    assert "Gemeinsame Position" not in one and statement.NO_INPUT_FLAG in one
    assert "**Gemeinsame Position:** Der VKDD unterstützt die vorgesehene Regelung." in two
    assert statement.NO_INPUT_FLAG not in two
    assert statement.NO_INPUT_FLAG in three and statement.NO_INPUT_FLAG in four
    assert "Gemeinsame Position" not in four and "Zustimmung mit Änderungen (1)" in four
    assert statement.open_flags(body) == 3


def test_the_team_sets_the_quorum(world, workspace):
    s1 = workspace.sections[0].id
    positions.record_position(world.anna, ITEM_ID, s1, "sw-a", "zustimmung")
    positions.record_position(world.bernd, ITEM_ID, s1, "stadt-b", "zustimmung")
    assert "**Gemeinsame Position:**" in _sections(statement.assemble_draft(world.team, ITEM_ID)["body_md"])[0]
    workspaces.update_workspace(world.team, ITEM_ID, quorum=3)
    assert statement.NO_INPUT_FLAG in _sections(statement.assemble_draft(world.team, ITEM_ID)["body_md"])[0]


def test_the_draft_names_members_only_when_the_team_chooses(world, workspace):
    s1 = workspace.sections[0].id
    positions.record_position(world.anna, ITEM_ID, s1, "sw-a", "ablehnung", "Zu teuer.", "§ 3 streichen.")
    positions.record_position(world.bernd, ITEM_ID, s1, "stadt-b", "zustimmung")
    anonymous = statement.strip_sources(statement.assemble_draft(world.team, ITEM_ID)["body_md"])
    assert not any(name in anonymous for name in ("SW Altstadt", "Stadt Brückenau", "SW Cellingen"))
    assert "Zu teuer." in anonymous and "§ 3 streichen." in anonymous
    workspaces.update_workspace(world.team, ITEM_ID, name_members=True)
    named = statement.assemble_draft(world.team, ITEM_ID)["body_md"]
    assert "SW Altstadt – Ablehnung" in named and "Formulierungsvorschlag (SW Altstadt)" in named


# --- the settings form -------------------------------------------------------------------

@pytest.fixture
def two_workspaces(world, workspace):
    store_item("bnetza-festlegung", "Festlegung zu Messstellenbetrieb", date(2027, 1, 29))
    workspaces.open_workspace(world.team, "bnetza-festlegung", reference="BK6-26-001")
    workspaces.update_workspace(world.team, "bnetza-festlegung", member_input_due=date(2027, 1, 15))
    return workspaces.get_workspace(world.team, ITEM_ID), workspaces.get_workspace(world.team, "bnetza-festlegung")


def test_a_form_loaded_for_one_workspace_never_writes_another(world, two_workspaces):
    a, b = two_workspaces
    loaded = workspaces.WorkspaceSettings.of(a)
    wanted = replace(loaded, item_id=b.item_id, member_ids=("sw-a",))
    with pytest.raises(UserError, match="andere Konsultation"):
        workspaces.save_settings(world.team, loaded, wanted)
    after = workspaces.get_workspace(world.team, b.item_id)
    assert (after.title, after.reference, after.external_deadline) == (b.title, "BK6-26-001", date(2027, 1, 29))
    assert after.member_ids == frozenset()


def test_saving_the_member_list_leaves_every_other_field_alone(world, two_workspaces):
    _, b = two_workspaces
    loaded = workspaces.WorkspaceSettings.of(b)
    written = workspaces.save_settings(world.team, loaded, replace(loaded, member_ids=("sw-a", "sw-c")))
    assert written == ["Angefragte Mitglieder"]
    after = workspaces.get_workspace(world.team, b.item_id)
    assert after.member_ids == {"sw-a", "sw-c"}
    assert (after.title, after.reference, after.external_deadline, after.member_input_due) == (
        b.title, "BK6-26-001", date(2027, 1, 29), date(2027, 1, 15))


def test_a_stale_form_does_not_undo_someone_elses_change(world, two_workspaces):
    _, b = two_workspaces
    stale = workspaces.WorkspaceSettings.of(b)
    workspaces.update_workspace(world.admin, b.item_id, title="Festlegung BK6 (neuer Titel)")
    workspaces.save_settings(world.team, stale, replace(stale, positions_shared=True))
    assert workspaces.get_workspace(world.team, b.item_id).title == "Festlegung BK6 (neuer Titel)"
    with pytest.raises(UserError, match="Inzwischen von jemand anderem geändert: Titel"):
        workspaces.save_settings(world.team, stale, replace(stale, title="Mein Titel"))


def test_an_untouched_form_writes_nothing(world, two_workspaces):
    a, _ = two_workspaces
    loaded = workspaces.WorkspaceSettings.of(a)
    assert workspaces.save_settings(world.team, loaded, replace(loaded, addressee=(a.addressee or "") + "  ")) == []


# --- submissions -------------------------------------------------------------------------

@pytest.fixture
def drafted(world, workspace):
    positions.record_position(world.anna, ITEM_ID, workspace.sections[0].id, "sw-a", "zustimmung")
    statement.assemble_draft(world.team, ITEM_ID)
    return world


def _submit(world, **changes):
    values = dict(version=1, submitted_on=TODAY, channel="E-Mail", recipient="poststelle@bmwsb.bund.de",
                  today=TODAY)
    return statement.record_submission(world.team, ITEM_ID, **{**values, **changes})


@pytest.mark.parametrize(("changes", "message"), [
    ({"submitted_on": date(2026, 12, 11)}, "in der Zukunft"),
    ({"submitted_on": date(2026, 12, 21), "today": date(2026, 12, 22)}, "nach der Frist"),
    ({"recipient": "  "}, "Empfänger"),
    ({"channel": "Brieftaube"}, "Einreichungsweg"),
    ({"version": 7}, "Version 7 gibt es nicht"),
])
def test_a_wrong_submission_is_refused_and_nothing_changes(drafted, changes, message):
    with pytest.raises(UserError, match=message):
        _submit(drafted, **changes)
    assert statement.submissions(drafted.team, ITEM_ID) == []
    assert workspaces.get_workspace(drafted.team, ITEM_ID).status == "offen"


def test_a_late_submission_is_kept_with_its_reason(drafted):
    row = _submit(drafted, submitted_on=date(2026, 12, 21), today=date(2026, 12, 22),
                  note="Fristverlängerung bis 22.12. per E-Mail vom Referat zugesagt")
    assert row["submitted_on"] == date(2026, 12, 21)


def test_recording_closes_input_ends_reminders_and_refuses_a_second(drafted):
    _submit(drafted)
    assert workspaces.get_workspace(drafted.team, ITEM_ID).status == "eingereicht"
    with open_db() as con:
        assert triage_state(con, ITEM_ID).status == "abgegeben"  # done: no more deadline reminders
    with pytest.raises(UserError, match="bereits eine Einreichung erfasst"):
        _submit(drafted, channel="Post")
    assert len(statement.submissions(drafted.team, ITEM_ID)) == 1


def test_a_submission_is_corrected_or_withdrawn_with_a_reason_kept_in_history(drafted):
    row = _submit(drafted)
    with pytest.raises(UserError, match="warum"):
        statement.correct_submission(drafted.team, ITEM_ID, row["id"], reason=" ", recipient="x@y.de")
    fixed = statement.correct_submission(drafted.team, ITEM_ID, row["id"], reason="Tippfehler in der Adresse",
                                         recipient="poststelle@bmwsb.bund.de, referat-swi4@bmwsb.bund.de",
                                         today=TODAY)
    assert fixed["recipient"].endswith("referat-swi4@bmwsb.bund.de")
    statement.withdraw_submission(drafted.team, ITEM_ID, row["id"], reason="Versehentlich doppelt erfasst")
    [kept] = statement.submissions(drafted.team, ITEM_ID)
    assert kept["withdrawn_by"] == "team" and kept["withdraw_reason"] == "Versehentlich doppelt erfasst"
    history = statement.submission_history(drafted.team, ITEM_ID)
    assert [e["action"] for e in history] == ["zurueckgezogen", "korrigiert", "erfasst"]
    assert history[1]["changes"]["recipient"][0] == "poststelle@bmwsb.bund.de"
    assert workspaces.get_workspace(drafted.team, ITEM_ID).status == "geschlossen"
    with open_db() as con:
        assert triage_state(con, ITEM_ID).status == "stellungnahme_geplant"  # reminders apply again
    _submit(drafted)  # and it can be recorded again


