"""From member positions to the DOCX ready to send: three organisations, four sections
(consensus, dissent, one without input, one rejected), draft assembled, edited,
versioned, diffed, exported and read back."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from docx import Document

from tracker import export
from tracker.errors import UserError
from tracker.export.association import load_association
from tracker.work import positions, statement

from .conftest import ITEM_ID, TITLE

TODAY = date(2026, 12, 10)


@pytest.fixture
def filled(world, workspace):
    s1, s2, s3, s4 = (s.id for s in workspace.sections)
    rp = positions.record_position
    rp(world.anna, ITEM_ID, s1, "sw-a", "zustimmung", "Klare Begriffe helfen den Stadtwerken.")
    rp(world.bernd, ITEM_ID, s1, "stadt-b", "zustimmung")
    rp(world.clara, ITEM_ID, s1, "sw-c", "aenderungen", "Wärmenetz ist zu eng gefasst.",
       "„Wärmenetz“ umfasst auch Gebäudenetze ab zwei Gebäuden.")
    rp(world.anna, ITEM_ID, s2, "sw-a", "zustimmung", "Daten liegen bei den Netzbetreibern vor.")
    rp(world.bernd, ITEM_ID, s2, "stadt-b", "zustimmung", "Die Kommune braucht die Daten für die Planung.")
    rp(world.clara, ITEM_ID, s2, "sw-c", "ablehnung", "Der Aufwand für kleine Netzbetreiber ist zu hoch.")
    rp(world.anna, ITEM_ID, s4, "sw-a", "ablehnung", "Inkrafttreten zu früh.")
    rp(world.bernd, ITEM_ID, s4, "stadt-b", "ablehnung")
    rp(world.clara, ITEM_ID, s4, "sw-c", "keine")
    return world, (s1, s2, s3, s4)


def test_matrix_missing_and_csv(filled):
    world, (s1, s2, s3, s4) = filled
    m = positions.matrix(world.team, ITEM_ID)
    assert len(m.cells) == 9
    assert m.missing() == {"sw-a": [s3], "stadt-b": [s3], "sw-c": [s3]}
    assert m.not_answered() == []
    csv_text = positions.matrix_csv(m)
    assert csv_text.count("\n") == 1 + 12  # header + 4 sections x 3 organisations
    assert "Zustimmung mit Änderungen" in csv_text and "noch offen" in csv_text
    chart = positions.matrix_chart(m).to_dict()
    assert chart["mark"]["type"] == "rect"


def test_assembled_draft_text_and_traceability(filled):
    world, (s1, s2, s3, s4) = filled
    from tracker.work import workspaces

    workspaces.update_workspace(world.team, ITEM_ID, name_members=True)  # the team chose to name members
    version = statement.assemble_draft(world.team, ITEM_ID)
    body = version["body_md"]
    assert version["version"] == 1 and version["author"] == "team"
    assert "3 von 3 angefragten Mitgliedsorganisationen" in body
    assert "## 1. § 3 – Begriffsbestimmungen" in body
    assert "## 3. Frage 3 – Fristen für kleine Gemeinden" in body
    sections = re.split(r"^## ", body, flags=re.M)
    s1_text, s2_text, s3_text, s4_text = sections[2:6]
    # Zustimmung and Zustimmung mit Änderungen differ: no common position, flagged for the team
    assert "Gemeinsame Position" not in s1_text and statement.NO_INPUT_FLAG in s1_text
    assert "Zustimmung (2), Zustimmung mit Änderungen (1)" in s1_text
    assert "SW Cellingen – Zustimmung mit Änderungen*: Wärmenetz ist zu eng gefasst." in s1_text
    assert statement.NO_INPUT_FLAG in s2_text and "Ablehnung (1)" in s2_text
    assert statement.NO_INPUT_FLAG in s3_text and "keine inhaltlichen Rückmeldungen" in s3_text
    assert "**Gemeinsame Position:** Der VKDD lehnt die vorgesehene Regelung ab." in s4_text
    assert "Getragen von: Stadt Brückenau und SW Altstadt." in s4_text
    assert "Ohne Position zu diesem Abschnitt: SW Cellingen" in s4_text
    # every paragraph built from positions names exactly those positions
    traced = dict(statement.paragraph_sources(body))
    dissent = next(t for t in traced if t.startswith("*SW Cellingen – Ablehnung*"))
    assert traced[dissent] == [f"{s2}:sw-c"]
    common = next(t for t in traced if t.startswith("**Gemeinsame Position:**"))
    assert sorted(traced[common]) == sorted([f"{s4}:sw-a", f"{s4}:stadt-b"])
    reason = next(t for t in traced if "Wärmenetz ist zu eng gefasst" in t)
    assert traced[reason] == [f"{s1}:sw-c"]
    assert "quellen" not in statement.strip_sources(body)


def test_edit_version_diff_export(filled, tmp_path):
    world, _ = filled
    v1 = statement.assemble_draft(world.team, ITEM_ID)
    edited = v1["body_md"].replace("Bitte entscheiden, wie der Abschnitt gefasst wird, oder ihn streichen.",
                                   "Der Verband regt eine Übergangsfrist von zwei Jahren an.", 1)
    v2 = statement.save_version(world.team, ITEM_ID, edited, "Abschnitt 3 ergänzt")
    assert (v2["version"], v2["origin"], v2["author"]) == (2, "bearbeitet", "team")
    with pytest.raises(UserError, match="Keine Änderung"):
        statement.save_version(world.team, ITEM_ID, edited)
    diff = statement.diff(world.team, ITEM_ID, 1, 2)
    assert diff.startswith("--- Version 1 (team)\n+++ Version 2 (team)")
    assert "+" in diff and "-" in diff and "Übergangsfrist von zwei Jahren" in diff
    assert [v["version"] for v in statement.versions(world.team, ITEM_ID)] == [1, 2]

    rendered = export.render(world.team, ITEM_ID, "docx", today=TODAY)
    assert rendered.version == 2 and rendered.file_name.endswith("-v2.docx")
    path = tmp_path / rendered.file_name
    path.write_bytes(rendered.data)
    check_docx(Document(str(path)))

    md = export.render(world.team, ITEM_ID, "md", today=TODAY).data.decode("utf-8")
    check_markdown(md)

    sub = statement.record_submission(world.team, ITEM_ID, version=2, submitted_on=TODAY, channel="E-Mail",
                                      recipient="SWI4@bmwsb.bund.de", file_bytes=rendered.data,
                                      file_name=rendered.file_name, file_format="docx", today=TODAY)
    import hashlib

    assert sub["file_sha256"] == hashlib.sha256(rendered.data).hexdigest()
    shown = statement.submissions(world.anna, ITEM_ID)  # members see that it was submitted
    assert [(s["version"], s["channel"]) for s in shown] == [(2, "E-Mail")]
    from tracker.work import workspaces

    assert workspaces.get_workspace(world.team, ITEM_ID).status == "eingereicht"


def _texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def check_docx(doc) -> None:
    """The letter as sent: the association speaks, no internal data, no member names."""
    assoc = load_association()
    header = "\n".join(p.text for p in doc.sections[0].header.paragraphs)
    footer = "\n".join(p.text for p in doc.sections[0].footer.paragraphs)
    assert assoc.name in header and "Friedrichstraße 100" in header
    assert f"Lobbyregister-Nr. {assoc.lobbyregister}" in header and "Version" not in footer
    body = "\n".join(_texts(doc))
    assert "{{" not in body + header + footer
    # addressee, place and date, reference, subject, salutation; no internal deadline
    assert "Bundesministerium für Wohnen, Stadtentwicklung und Bauwesen\nReferat SW I 4" in body
    assert "Berlin, 10. Dezember 2026" in body
    assert "Ihr Zeichen: SW I 4 - 70000/2#3" in body and "Frist:" not in body
    subject = [p for p in doc.paragraphs if p.style.name == "Title"]
    assert [p.text for p in subject] == [f"Gemeinsame Stellungnahme: {TITLE}"]
    assert "Sehr geehrte Damen und Herren," in body
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert headings == ["Vorbemerkung", "1. § 3 – Begriffsbestimmungen",
                        "2. § 7 Abs. 2 – Datenbereitstellung durch Netzbetreiber",
                        "3. Frage 3 – Fristen für kleine Gemeinden", "4. Art. 4 – Inkrafttreten"]
    assert "Der VKDD lehnt die vorgesehene Regelung ab." in body
    assert not any(name in body for name in ("SW Altstadt", "Stadt Brückenau", "SW Cellingen", "Getragen von"))
    assert "Übergangsfrist von zwei Jahren" in body and "quellen" not in body
    quotes = [p.text for p in doc.paragraphs if p.style.name == "Quote"]
    assert any("Gebäudenetze ab zwei Gebäuden" in q for q in quotes)
    assert "Mit freundlichen Grüßen" in body and assoc.closing in body
    signature_cells = [c.text for c in doc.tables[-1].rows[0].cells]
    for s in assoc.signatories:
        assert any(s.name in cell and s.function in cell for cell in signature_cells)
    assert doc.core_properties.title.endswith(TITLE) and "Version" not in doc.core_properties.comments


def check_markdown(md: str) -> None:
    assoc = load_association()
    assert md.startswith(f"**{assoc.name}**")
    assert f"Lobbyregister-Nr. {assoc.lobbyregister}" in md
    assert "Referat SW I 4  \n" in md and "Berlin, 10. Dezember 2026" in md
    assert "Ihr Zeichen: SW I 4 - 70000/2#3" in md and "Frist:" not in md and "Version" not in md
    assert f"# Gemeinsame Stellungnahme: {TITLE}" in md and "Sehr geehrte Damen und Herren," in md
    assert "## 2. § 7 Abs. 2 – Datenbereitstellung durch Netzbetreiber" in md
    assert "SW Cellingen" not in md and "Mitzeichnende" not in md and "<!--" not in md
    for s in assoc.signatories:
        assert s.name in md


def test_cosigners_are_named_when_the_team_names_members(filled):
    world, _ = filled
    from tracker.work import workspaces

    statement.assemble_draft(world.team, ITEM_ID)
    assert export.build_letter(world.team, ITEM_ID, today=TODAY).cosigners == ()
    workspaces.update_workspace(world.team, ITEM_ID, name_members=True)
    assert export.build_letter(world.team, ITEM_ID, today=TODAY).cosigners == (
        "Stadt Brückenau", "Stadtwerke Altstadt GmbH", "Stadtwerke Cellingen AG")
    doc = Document(io.BytesIO(export.render(world.team, ITEM_ID, "docx", today=TODAY).data))
    assert [p.text for p in doc.paragraphs if p.style.name == "List Bullet"] == [
        "Stadt Brückenau", "Stadtwerke Altstadt GmbH", "Stadtwerke Cellingen AG"]
    assert "Mitzeichnende Mitgliedsorganisationen" in [p.text for p in doc.paragraphs]


def test_internal_version_names_members_and_shows_the_matrix(filled):
    world, _ = filled
    statement.assemble_draft(world.team, ITEM_ID)
    md = export.render_internal(world.team, ITEM_ID, "md", today=TODAY)
    text = md.data.decode("utf-8")
    assert md.file_name.startswith("Intern-") and "Interne Fassung – nicht zum Versand" in text
    assert "Version 1 von team" in text and "Eingabe der Mitglieder bis: 4. Dezember 2026" in text
    assert "| § 3 – Begriffsbestimmungen | Zustimmung | Zustimmung | Zustimmung mit Änderungen |" in text
    assert "Herkunft: 1. § 3 – Begriffsbestimmungen: SW Cellingen – Zustimmung mit Änderungen" in text
    doc = Document(io.BytesIO(export.render_internal(world.team, ITEM_ID, "docx", today=TODAY).data))
    cells = {c.text for t in doc.tables for r in t.rows for c in r.cells}
    assert {"SW Cellingen", "Wärmenetz ist zu eng gefasst.", "Offene Stellen im Entwurf"} <= cells
    with pytest.raises(UserError):
        export.render_internal(world.anna, ITEM_ID, "md")


def test_cosigners_chosen_by_team(filled):
    world, _ = filled
    from tracker.work import workspaces

    statement.assemble_draft(world.team, ITEM_ID)
    workspaces.update_workspace(world.team, ITEM_ID, cosigner_ids=["stadt-b"], name_members=True)
    letter = export.build_letter(world.team, ITEM_ID, today=TODAY)
    assert letter.cosigners == ("Stadt Brückenau",)


def test_export_without_draft_is_a_clear_error(world, workspace):
    with pytest.raises(UserError, match="noch keinen Entwurf"):
        export.render(world.team, ITEM_ID, "docx")


def test_item_statement_status_for_the_item_page(filled):
    world, _ = filled
    assert statement.item_statement_status(world.team, "gibt-es-nicht") is None
    statement.assemble_draft(world.team, ITEM_ID)
    statement.record_submission(world.team, ITEM_ID, version=1, submitted_on=TODAY, channel="Beteiligungsportal",
                                recipient="https://beteiligung.example/wpg", today=TODAY)
    shown = statement.item_statement_status(world.team, ITEM_ID)
    assert (shown["status"], shown["latest_version"]) == ("eingereicht", 1)
    assert [s["channel"] for s in shown["submissions"]] == ["Beteiligungsportal"]
    member_view = statement.item_statement_status(world.anna, ITEM_ID)
    assert member_view["latest_version"] is None and member_view["submissions"]


def test_same_letter_same_bytes_so_the_submission_hash_matches_the_download(filled):
    import hashlib
    import time

    world, _ = filled
    statement.assemble_draft(world.team, ITEM_ID)
    first = export.render(world.team, ITEM_ID, "docx", today=TODAY).data
    time.sleep(2.1)  # zip entry times have two-second resolution
    again = export.render(world.team, ITEM_ID, "docx", today=TODAY).data
    assert first == again
    sub = statement.record_submission(world.team, ITEM_ID, version=1, submitted_on=TODAY, channel="E-Mail",
                                      file_bytes=again, file_format="docx", recipient="a@b.de", today=TODAY)
    assert sub["file_sha256"] == hashlib.sha256(first).hexdigest()


def test_submission_moves_the_triage_to_abgegeben(filled):
    from tracker.storage import open_db
    from tracker.storage.triage import triage_state

    world, _ = filled
    statement.assemble_draft(world.team, ITEM_ID)
    statement.record_submission(world.team, ITEM_ID, version=1, submitted_on=TODAY, channel="E-Mail",
                                recipient="a@b.de", today=TODAY)
    with open_db() as con:
        state = triage_state(con, ITEM_ID)
    assert (state.status, state.owner) == ("abgegeben", "team")
