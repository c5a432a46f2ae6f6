"""The statement as a DOCX letter, filled into the template under ``data/templates/``.

The template (built by ``scripts/make_template.py``, editable in Word) carries the
layout; this module only replaces ``{{placeholders}}`` and expands the block
placeholders into headings, paragraphs, lists and the signature table.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentType
from docx.shared import Pt
from docx.text.paragraph import Paragraph

from tracker.errors import ConfigError
from tracker.export.letter import Letter, inline_runs, read_blocks
from tracker.settings import DATA_DIR

TEMPLATE_PATH = DATA_DIR / "templates" / "stellungnahme.docx"
PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
BLOCK_PLACEHOLDERS = ("inhalt", "mitzeichnende", "unterschriften")
HEADING_STYLES = {1: "Heading 1", 2: "Heading 2"}


def _values(letter: Letter) -> dict[str, str]:
    a = letter.association
    return {
        "verband_name": a.name, "verband_adresse": " · ".join(a.address), "verband_kontakt": letter.contact_line,
        "absenderzeile": letter.sender_line, "lobbyregister": a.lobbyregister,
        "empfaenger": "\n".join(letter.addressee), "ort_datum": letter.place_and_date,
        "aktenzeichen": letter.reference, "frist": letter.deadline_text, "betreff": letter.subject,
        "version": str(letter.version),
    }


def _paragraphs(doc: DocumentType) -> list[Paragraph]:
    found = list(doc.paragraphs)
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                found.extend(cell.paragraphs)
    for section in doc.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer):
            if part.is_linked_to_previous and part is not section.header and part is not section.footer:
                continue
            found.extend(part.paragraphs)
    return found


def _remove(paragraph: Paragraph) -> None:
    paragraph._p.getparent().remove(paragraph._p)


def _fill_inline(paragraph: Paragraph, values: dict[str, str]) -> None:
    names = PLACEHOLDER.findall(paragraph.text)
    if not names or (len(names) == 1 and names[0] in BLOCK_PLACEHOLDERS):
        return
    unknown = [n for n in names if n not in values]
    if unknown:
        raise ConfigError(f"{TEMPLATE_PATH}: unbekannter Platzhalter {{{{{unknown[0]}}}}}")
    if any(not values[n] for n in names):
        _remove(paragraph)  # "Ihr Zeichen: " without a reference would look like an error
        return
    for run in paragraph.runs:  # placeholders inside one run keep that run's formatting
        if PLACEHOLDER.search(run.text):
            run.text = PLACEHOLDER.sub(lambda m: values[m[1]], run.text)
    if PLACEHOLDER.search(paragraph.text):  # split across runs by an editor: merge text runs
        text_runs = [r for r in paragraph.runs if r.text]
        merged = PLACEHOLDER.sub(lambda m: values[m[1]], "".join(r.text for r in text_runs))
        text_runs[0].text = merged
        for run in text_runs[1:]:
            run.text = ""


def _add_runs(paragraph: Paragraph, text: str) -> None:
    for chunk, bold, italic in inline_runs(text):
        run = paragraph.add_run(chunk)
        run.bold = bold or None
        run.italic = italic or None


def _insert_body(anchor: Paragraph, markdown: str) -> None:
    for block in read_blocks(markdown):
        if block.kind == "heading":
            style = HEADING_STYLES.get(block.level, "Heading 3")
        else:
            style = {"bullet": "List Bullet", "quote": "Quote"}.get(block.kind, "Normal")
        _add_runs(anchor.insert_paragraph_before("", style=style), block.text)


def _insert_cosigners(anchor: Paragraph, names: tuple[str, ...]) -> None:
    if not names:
        anchor.insert_paragraph_before("Keine Mitzeichnungen.", style="Normal")
    for name in names:
        anchor.insert_paragraph_before(name, style="List Bullet")


def _insert_signatures(doc: DocumentType, anchor: Paragraph, letter: Letter) -> None:
    signatories = letter.association.signatories
    if not signatories:
        anchor.insert_paragraph_before(letter.association.name, style="Normal")
        return
    table = doc.add_table(rows=1, cols=len(signatories))
    table.autofit = True
    for cell, signatory in zip(table.rows[0].cells, signatories, strict=True):
        gap = cell.paragraphs[0]
        gap.paragraph_format.space_after = Pt(30)  # room for the handwritten signature
        name = cell.add_paragraph()
        name.paragraph_format.space_after = Pt(0)
        name.add_run(signatory.name).bold = True
        if signatory.function:
            cell.add_paragraph(signatory.function)
    anchor._p.addprevious(table._tbl)


def render_docx(letter: Letter, template: Path | None = None) -> bytes:
    path = template or TEMPLATE_PATH
    if not path.exists():
        raise ConfigError(f"{path}: Vorlage fehlt; mit scripts/make_template.py neu erzeugen")
    doc = Document(str(path))
    values = _values(letter)
    for paragraph in _paragraphs(doc):
        _fill_inline(paragraph, values)
    for paragraph in list(doc.paragraphs):
        name = PLACEHOLDER.fullmatch(paragraph.text.strip())
        if not name or name[1] not in BLOCK_PLACEHOLDERS:
            continue
        if name[1] == "inhalt":
            _insert_body(paragraph, letter.body_md)
        elif name[1] == "mitzeichnende":
            _insert_cosigners(paragraph, letter.cosigners)
        else:
            _insert_signatures(doc, paragraph, letter)
        _remove(paragraph)
    props = doc.core_properties
    props.title = letter.subject
    props.author = letter.association.name
    props.subject = letter.consultation_title
    props.comments = f"Version {letter.version}"
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
