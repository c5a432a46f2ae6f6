"""Pure pieces: section parsing, German enumerations, Markdown blocks and inline runs,
and the DOCX renderer fed arbitrary text."""

from __future__ import annotations

import io
from datetime import date

from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.export.association import Association, Signatory
from tracker.export.docx import render_docx
from tracker.export.letter import Letter, german_date, inline_runs, read_blocks
from tracker.work.positions import clean_text
from tracker.work.statement import join_names
from tracker.work.workspaces import parse_sections


def test_parse_sections_labels_and_bodies():
    found = parse_sections("§ 3 – Begriffe\n  Erläuterung dazu\n\nArt. 5 Abs. 2: Daten\nFrage 7 Fristen\n"
                           "1.2 Zweck\nEinfach ein Titel")
    assert [(s["label"], s["title"], s["body"]) for s in found] == [
        ("§ 3", "Begriffe", "Erläuterung dazu"), ("Art. 5 Abs. 2", "Daten", None), ("Frage 7", "Fristen", None),
        ("1.2", "Zweck", None), (None, "Einfach ein Titel", None)]
    assert parse_sections("  \n\n") == []


def test_join_names_and_german_date():
    assert [join_names(n) for n in ([], ["A"], ["A", "B"], ["A", "B", "C"])] == ["", "A", "A und B", "A, B und C"]
    assert german_date(date(2026, 3, 1)) == "1. März 2026"


def test_read_blocks_and_inline_runs():
    blocks = read_blocks("## Titel\n\nZeile eins\nzeile zwei\n- Punkt\n> Zitat\n> weiter\n\nEnde")
    assert [(b.kind, b.text) for b in blocks] == [
        ("heading", "Titel"), ("paragraph", "Zeile eins zeile zwei"), ("bullet", "Punkt"),
        ("quote", "Zitat weiter"), ("paragraph", "Ende")]
    assert inline_runs("a **b** *c* d") == [("a ", False, False), ("b", True, False), (" ", False, False),
                                            ("c", False, True), (" d", False, False)]


ASSOC = Association(name="Verband X e. V.", place="Berlin", lobbyregister="R000001", address=("Str. 1", "10115 Berlin"),
                    signatories=(Signatory("Eva Muster", "Vorstand"),))


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=300))
def test_docx_renders_any_cleaned_text(text):
    letter = Letter(association=ASSOC, addressee=("Ministerium",), consultation_title=clean_text(text) or "T",
                    reference="", deadline=None, letter_date=date(2026, 1, 2), body_md=clean_text(text),
                    cosigners=(), version=1)
    doc = Document(io.BytesIO(render_docx(letter)))
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "{{" not in body.replace(clean_text(text), "")
    assert "Ihr Zeichen" not in body and "Frist:" not in body  # empty placeholders drop their line
