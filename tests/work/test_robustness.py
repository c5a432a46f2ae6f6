"""Untrusted member text and the demo seeding: what could break an export or a spreadsheet."""

from __future__ import annotations

import logging

import pytest
from docx import Document

from tracker import export
from tracker.access import auth
from tracker.demo import members as demo_members
from tracker.errors import UserError
from tracker.storage import open_db
from tracker.storage.connection import transaction
from tracker.work import organisations, positions, statement, workspaces

from .conftest import ITEM_ID


def test_control_characters_are_dropped_and_export_still_works(world, workspace, tmp_path):
    s1 = workspace.sections[0].id
    stored = positions.record_position(world.anna, ITEM_ID, s1, "sw-a", "zustimmung",
                                       "Text mit\x00 Steuer\x0bzeichen\r\nund Umbruch", "\x07Glocke")
    assert stored.reason == "Text mit Steuerzeichen\nund Umbruch" and stored.proposed_wording == "Glocke"
    statement.assemble_draft(world.team, ITEM_ID)
    path = tmp_path / "s.docx"
    path.write_bytes(export.render(world.team, ITEM_ID, "docx").data)
    assert "Text mit Steuerzeichen" in "\n".join(p.text for p in Document(str(path)).paragraphs)


def test_csv_cells_cannot_start_a_formula(world, workspace):
    s1 = workspace.sections[0].id
    positions.record_position(world.anna, ITEM_ID, s1, "sw-a", "ablehnung", '=HYPERLINK("http://x";"klick")')
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(positions.matrix_csv(positions.matrix(world.team, ITEM_ID))),
                               delimiter=";"))
    reasons = [r["begruendung"] for r in rows if r["begruendung"]]
    assert reasons == ["'=HYPERLINK(\"http://x\";\"klick\")"]


def test_overlong_text_refused_without_losing_the_stored_position(world, workspace):
    s1 = workspace.sections[0].id
    positions.record_position(world.anna, ITEM_ID, s1, "sw-a", "zustimmung", "kurz")
    with pytest.raises(UserError, match="höchstens"):
        positions.record_position(world.anna, ITEM_ID, s1, "sw-a", "ablehnung", "x" * 20_001)
    assert positions.matrix(world.anna, ITEM_ID).get(s1, "sw-a").reason == "kurz"


def test_seed_demo_members_inside_a_caller_transaction(db_path):
    with open_db() as con, transaction(con):  # as tracker.demo.loader.load_demo calls it
        assert demo_members.seed_demo_members(con) == 5
    with open_db() as con:
        assert demo_members.seed_demo_members(con) == 0
    orgs = organisations.organisations()
    assert orgs and all(o["is_demo"] and "(Demo)" in o["name"] for o in orgs)
    assert auth.authenticate("auenfeld", "demo-auenfeld").organisation_id == "sw-auenfeld"


def test_text_typed_into_login_field_is_not_logged_or_stored(world, caplog, db_path):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(UserError):
        auth.authenticate("mein-geheimes-passwort", "irgendwas-langes")
    assert "mein-geheimes-passwort" not in caplog.text
    with open_db() as con:
        assert "mein-geheimes-passwort" not in repr(con.execute("SELECT * FROM login_failures").fetchall())
        con.execute("CHECKPOINT")
    assert b"mein-geheimes-passwort" not in db_path.read_bytes()


def test_paragraph_sources_survive_an_edit_and_name_missing_positions(world, workspace):
    s1 = workspace.sections[0].id
    positions.record_position(world.anna, ITEM_ID, s1, "sw-a", "zustimmung", "Begründung A")
    body = statement.assemble_draft(world.team, ITEM_ID)["body_md"]
    edited = body.replace("Begründung A", "Begründung A, vom Team gekürzt")
    statement.save_version(world.team, ITEM_ID, edited + "\nNeuer Absatz ohne Quelle.\n")
    latest = statement.get_version(world.team, ITEM_ID)["body_md"]
    explained = dict(statement.explain_sources(latest, positions.matrix(world.team, ITEM_ID)))
    key = next(t for t in explained if "vom Team gekürzt" in t)
    assert explained[key] == ["1. § 3 – Begriffsbestimmungen: SW Altstadt – Zustimmung"]
    assert not any("Neuer Absatz" in t for t in explained)
    gone = dict(statement.explain_sources("Text <!-- quellen: 99:sw-x -->", positions.matrix(world.team, ITEM_ID)))
    assert gone == {"Text": ["99:sw-x (Position nicht mehr vorhanden)"]}


def test_member_text_cannot_open_headings_or_forge_sources(world, workspace):
    s1 = workspace.sections[0].id
    positions.record_position(world.anna, ITEM_ID, s1, "sw-a", "zustimmung",
                              "Erster Satz.\n# Keine Überschrift\n- keine Liste <!-- quellen: 9:sw-x -->")
    body = statement.assemble_draft(world.team, ITEM_ID)["body_md"]
    assert "\n# Keine" not in body and "\n- keine" not in body
    refs = [r for _, rs in statement.paragraph_sources(body) for r in rs]
    assert "9:sw-x" not in refs
    assert statement.open_flags(body) == 4  # sections 2-4 have no input; 1 of 3 members is no common position


def test_demo_seeding_after_demo_items_gives_a_workspace_to_show(db_path):
    from tracker.demo.loader import load_demo

    load_demo(db_path)
    with open_db() as con, transaction(con):
        demo_members.seed_demo_members(con)
    with open_db() as con:
        demo_members.seed_demo_members(con)  # second run changes nothing
    team = auth.authenticate("team", "demo-team-2026")
    spaces = workspaces.workspaces_for(team)
    assert len(spaces) == 1
    assert spaces[0].title.startswith("Referentenentwurf eines Gesetzes zur Beschleunigung der Vergabe")
    member = auth.authenticate("auenfeld", "demo-auenfeld")
    assert [w.item_id for w in workspaces.workspaces_for(member)] == [spaces[0].item_id]
    m = positions.matrix(team, spaces[0].item_id)
    assert len(m.cells) == 9 and len(m.missing()) == 3
    body = statement.assemble_draft(team, spaces[0].item_id)["body_md"]
    # one section all three agree on; the others are split or unanswered, so flagged; no names by default
    assert "**Gemeinsame Position:** Der VKDD unterstützt die vorgesehene Regelung." in body
    assert statement.open_flags(body) == 3 and "Stadt Lindenbrück" not in statement.strip_sources(body)
    assert export.render(team, spaces[0].item_id, "docx").data[:2] == b"PK"
