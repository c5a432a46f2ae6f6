"""The Stellungnahmen, Anmeldung and Benutzer pages run by Streamlit's AppTest against a
real database: the access rule holds through the app, and actions land in the database."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tracker import clock
from tracker.access import auth, sessions
from tracker.access.auth import LOGIN_FAILED
from tracker.demo import members as demo_members
from tracker.models import User
from tracker.ui.session import TOKEN_KEY
from tracker.work import positions, statement

from .conftest import ITEM_ID, PASSWORDS

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "app_pages" / "stellungnahmen.py")


def run_page(path: str, user: User | None) -> AppTest:
    at = AppTest.from_file(path, default_timeout=60)
    if user is not None:
        at.session_state["user"] = user
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [t.value.to_csv() for t in at.table]
    parts += [w.value for w in at.warning] + [i.value for i in at.info] + [s.value for s in at.success]
    return "\n".join(parts)


@pytest.fixture
def secret_elsewhere(world, workspace):
    s1 = workspace.sections[0].id
    positions.record_position(world.bernd, ITEM_ID, s1, "stadt-b", "ablehnung", "GEHEIM-B-Begründung")
    return s1


def test_member_page_shows_only_own_organisation(world, secret_elsewhere):
    at = run_page(PAGE, world.anna)
    assert "GEHEIM-B-Begründung" not in texts(at)
    assert not at.tabs  # no matrix, draft or export for members
    # every form on the page edits the member's own organisation
    forms = [b.proto.form_id for b in at.button if b.proto.form_id]
    assert forms and all(f.endswith("_sw-a") for f in forms), forms
    assert len(forms) == len(workspace_sections(world))


def workspace_sections(world) -> list:
    return positions.matrix(world.team, ITEM_ID).workspace.sections


def test_member_enters_position_through_page(world, workspace):
    at = run_page(PAGE, world.anna)
    s1 = workspace.sections[0].id
    at.radio(key=f"m_stance_{s1}_sw-a").set_value("aenderungen")
    at.text_area(key=f"m_reason_{s1}_sw-a").input("Bitte Gebäudenetze einbeziehen.")
    form_button = next(b for b in at.button if b.proto.form_id == f"m_{s1}_sw-a")
    form_button.click().run()
    assert not at.exception
    stored = positions.matrix(world.team, ITEM_ID).get(s1, "sw-a")
    assert (stored.stance, stored.reason, stored.updated_by) == ("aenderungen", "Bitte Gebäudenetze einbeziehen.",
                                                                 "anna")


def test_member_of_other_organisation_cannot_reach_workspace_it_was_not_asked(world, workspace):
    from tracker.work import workspaces

    workspaces.set_members(world.team, ITEM_ID, ["sw-a", "stadt-b"])
    at = run_page(PAGE, world.clara)
    assert "Noch keine Konsultation zur Mitwirkung freigegeben." in texts(at)
    at.query_params["item"] = ITEM_ID  # guessing the id does not help
    at.run()
    assert "Noch keine Konsultation zur Mitwirkung freigegeben." in texts(at)


def test_team_sees_matrix_and_assembles_and_exports(world, secret_elsewhere):
    at = run_page(PAGE, world.team)
    assert [t.label for t in at.tabs] == ["Matrix", "Entwurf", "Export & Einreichung", "Einstellungen"]
    assert "GEHEIM-B-Begründung" in texts(at)
    assert "Noch keine Rückmeldung: Stadt Brückenau" not in texts(at)
    assert "Noch keine Rückmeldung:" in texts(at)  # sw-a and sw-c have not answered
    at.button(key="draft_assemble").click().run()
    assert not at.exception
    assert [v["version"] for v in statement.versions(world.team, ITEM_ID)] == [1]
    editor = at.text_area(key=f"draft_text_{statement.get_version(world.team, ITEM_ID)['id']}")
    editor.input(editor.value + "\nErgänzung des Teams.\n")
    at.button(key="draft_save").click().run()
    assert statement.get_version(world.team, ITEM_ID)["body_md"].endswith("Ergänzung des Teams.\n")
    assert any("+Ergänzung des Teams." in c.value for c in at.code)
    docx_button = at.get("download_button")
    assert any("DOCX" in d.proto.label for d in docx_button)


def test_login_page_same_message_for_wrong_password_and_unknown_user(world):
    outcomes = []
    for login, password in (("anna", "falsch-falsch-1"), ("unbekannt", "falsch-falsch-1")):
        at = run_page(str(ROOT / "app_pages" / "anmeldung.py"), None)
        at.text_input(key="login_name").input(login)
        at.text_input(key="login_password").input(password)
        at.button[0].click().run()
        outcomes.append([e.value for e in at.error])
        assert "user" not in at.session_state
    assert outcomes == [[LOGIN_FAILED], [LOGIN_FAILED]]


def test_login_page_signs_in_and_hides_demo_passwords_without_demo_data(world):
    at = run_page(str(ROOT / "app_pages" / "anmeldung.py"), None)
    assert not at.expander  # no demo users in this database
    at.text_input(key="login_name").input("anna")
    at.text_input(key="login_password").input(PASSWORDS["anna"])
    at.button[0].click().run()
    assert at.session_state["user"].id == "anna"


def test_login_page_lists_demo_logins_when_demo_data_present(db_path):
    from tracker.storage import open_db

    with open_db() as con:
        demo_members.seed_demo_members(con)
    at = run_page(str(ROOT / "app_pages" / "anmeldung.py"), None)
    assert "demo-team-2026" in at.table[0].value.to_csv()


def test_admin_page_refuses_team_and_creates_user_for_admin(world):
    at = run_page(str(ROOT / "app_pages" / "benutzer.py"), world.team)
    assert any("Nur Administratoren" in e.value for e in at.error)
    at = run_page(str(ROOT / "app_pages" / "benutzer.py"), world.admin)
    at.text_input(key="new_login").input("dora")
    at.text_input(key="new_name").input("Dora")
    at.selectbox(key="new_role").set_value("member")
    at.selectbox(key="new_org").set_value("sw-c")
    at.text_input(key="new_password").input("doras-passwort")
    next(b for b in at.button if b.proto.form_id == "user_add").click().run()
    assert not at.exception
    assert auth.authenticate("dora", "doras-passwort").organisation_id == "sw-c"
    # A refused action is one line; the rest of the page (organisations) still renders.
    at.text_input(key="new_login").input("emil")
    at.text_input(key="new_name").input("Emil")
    at.selectbox(key="new_role").set_value("team")
    at.text_input(key="new_password").input("kurz")
    next(b for b in at.button if b.proto.form_id == "user_add").click().run()
    assert not at.exception and len(at.error) == 1
    assert any(h.value == "Mitgliedsorganisationen" for h in at.subheader)
    assert auth.get_user("emil") is None


APP = str(ROOT / "streamlit_app.py")


def test_app_shows_only_login_until_signed_in_then_member_pages(world, secret_elsewhere, monkeypatch):
    monkeypatch.setenv("TRACKER_AUTH", "on")
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Anmeldung"
    at.text_input(key="login_name").input("anna")
    at.text_input(key="login_password").input(PASSWORDS["anna"])
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Stellungnahmen"  # a member's first page
    assert "GEHEIM-B-Begründung" not in texts(at)
    at.button(key="logout").click().run()
    assert at.title[0].value == "Anmeldung" and "user" not in at.session_state


def test_deactivated_user_is_signed_out_on_next_run(world, monkeypatch):
    monkeypatch.setenv("TRACKER_AUTH", "on")
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[TOKEN_KEY] = sessions.start(world.bernd).token  # a live server-side session
    at.run()
    assert at.title[0].value == "Stellungnahmen"
    auth.set_active(world.admin, "bernd", False)
    at.run()
    assert at.title[0].value == "Anmeldung"


def test_auth_off_acts_as_local_admin_without_login(world, monkeypatch):
    monkeypatch.setenv("TRACKER_AUTH", "off")
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert all(t.value != "Anmeldung" for t in at.title)


def test_login_page_explains_how_to_create_the_first_user(db_path):
    at = run_page(str(ROOT / "app_pages" / "anmeldung.py"), None)
    assert any("tracker users add admin --role admin" in w.value for w in at.warning)


def test_team_settings_and_pasted_sections_are_saved(world, workspace):
    from tracker.work import workspaces

    at = run_page(PAGE, world.team)
    # widget keys carry the workspace: one workspace's form never shows another's values
    at.selectbox(key=f"set_status_{ITEM_ID}").set_value("geschlossen")
    at.checkbox(key=f"set_shared_{ITEM_ID}").check()
    next(b for b in at.button if b.proto.form_id == f"set_form_{ITEM_ID}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    ws = workspaces.get_workspace(world.team, ITEM_ID)
    assert (ws.status, ws.positions_shared) == ("geschlossen", True)
    before = [s.id for s in ws.sections]
    at.text_area(key=f"sections_paste_{ITEM_ID}").input("§ 12 – Evaluierung\nFrage 9: Sonstiges")
    at.button(key=f"sections_save_{ITEM_ID}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    after = workspaces.get_workspace(world.team, ITEM_ID).sections
    assert [s.id for s in after][:4] == before  # existing sections keep their ids (and positions)
    assert [(s.label, s.title) for s in after[4:]] == [("§ 12", "Evaluierung"), ("Frage 9", "Sonstiges")]


def test_team_records_submission_through_page_and_members_see_it(world, workspace):
    import hashlib

    from tracker import export

    positions.record_position(world.anna, ITEM_ID, workspace.sections[0].id, "sw-a", "zustimmung")
    statement.assemble_draft(world.team, ITEM_ID)
    at = run_page(PAGE, world.team)
    at.selectbox(key=f"sub_channel_{ITEM_ID}").set_value("Beteiligungsportal")
    at.text_input(key=f"sub_recipient_{ITEM_ID}").input("https://beteiligung.example/wpg")
    # the fixture's deadline is a fixed date: a reason keeps the test valid once it has passed
    at.text_input(key=f"sub_note_{ITEM_ID}").input("Fristverlängerung zugesagt")
    # Recorded a day later: the file kept is the letter as sent, dated the day it went out.
    sent_on = clock.today() - timedelta(days=1)
    at.date_input(key=f"sub_date_{ITEM_ID}").set_value(sent_on)
    next(b for b in at.button if b.proto.form_id == f"submission_{ITEM_ID}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    [sub] = statement.submissions(world.team, ITEM_ID)
    assert sub["submitted_on"] == sent_on
    expected = export.render(world.team, ITEM_ID, "docx", 1, today=sent_on).data
    assert (sub["channel"], sub["version"], sub["file_format"]) == ("Beteiligungsportal", 1, "docx")
    assert sub["file_sha256"] == hashlib.sha256(expected).hexdigest()
    # who wrote the version is shown by name, not by login ("team")
    assert any(") von Team," in c.value for c in at.caption), [c.value for c in at.caption]
    member = run_page(PAGE, world.anna)
    assert any("Eingereicht am" in i.value and "Beteiligungsportal" in i.value for i in member.info)
