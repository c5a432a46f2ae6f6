"""The statement as a DOCX letter, filled into the template under ``data/templates/``.

The template (built by ``scripts/make_template.py``, editable in Word) carries the
layout; this module only replaces ``{{placeholders}}`` and expands the block
placeholders into headings, paragraphs, lists and the signature table.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime, time
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentType
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
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
        "aktenzeichen": letter.reference, "betreff": letter.subject, "anrede": letter.salutation,
        "schlusssatz": letter.closing, "mitzeichnende_titel": letter.cosigners_heading,
        # Placeholders of templates made before the letter dropped internal data: left empty,
        # their paragraphs are removed.
        "frist": "", "version": "",
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


class _Styles:
    """Style ids looked up once: python-docx resolves a style *name* by scanning all
    styles, which made a long statement take seconds."""

    def __init__(self, doc: DocumentType) -> None:
        self._doc = doc
        self._ids: dict[str, str] = {}

    def paragraph(self, anchor: Paragraph, style: str, text: str = "") -> Paragraph:
        if style not in self._ids:
            self._ids[style] = self._doc.styles[style].style_id
        paragraph = anchor.insert_paragraph_before(text)
        paragraph._p.style = self._ids[style]
        return paragraph


def _insert_body(styles: _Styles, anchor: Paragraph, markdown: str) -> None:
    for block in read_blocks(markdown):
        if block.kind == "heading":
            style = HEADING_STYLES.get(block.level, "Heading 3")
        else:
            style = {"bullet": "List Bullet", "quote": "Quote"}.get(block.kind, "Normal")
        _add_runs(styles.paragraph(anchor, style), block.text)


def _insert_cosigners(styles: _Styles, anchor: Paragraph, names: tuple[str, ...]) -> None:
    for name in names:
        styles.paragraph(anchor, "List Bullet", name)


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
        for paragraph in cell.paragraphs[:-1]:
            paragraph.paragraph_format.keep_with_next = True
    # A signature block torn across two pages (names here, functions there) looks broken.
    row_properties = table.rows[0]._tr.get_or_add_trPr()
    row_properties.append(OxmlElement("w:cantSplit"))
    previous = anchor._p.getprevious()
    if previous is not None and previous.tag == qn("w:p"):
        Paragraph(previous, anchor._parent).paragraph_format.keep_with_next = True
    anchor._p.addprevious(table._tbl)


def _stable_zip(data: bytes, day: date) -> bytes:
    """Rewrite the package with fixed entry dates: the same letter gives the same bytes,
    so the SHA-256 kept with a submission matches the file that was downloaded."""
    stamp = (max(day.year, 1980), day.month, day.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = entry.external_attr
            target.writestr(info, source.read(entry.filename))
    return out.getvalue()


def render_docx(letter: Letter, template: Path | None = None) -> bytes:
    path = template or TEMPLATE_PATH
    if not path.exists():
        raise ConfigError(f"{path}: Vorlage fehlt; mit scripts/make_template.py neu erzeugen")
    doc = Document(str(path))
    values = _values(letter)
    for paragraph in _paragraphs(doc):
        _fill_inline(paragraph, values)
    styles = _Styles(doc)
    for paragraph in list(doc.paragraphs):
        name = PLACEHOLDER.fullmatch(paragraph.text.strip())
        if not name or name[1] not in BLOCK_PLACEHOLDERS:
            continue
        if name[1] == "inhalt":
            _insert_body(styles, paragraph, letter.body_md)
        elif name[1] == "mitzeichnende":
            _insert_cosigners(styles, paragraph, letter.cosigners)
        else:
            _insert_signatures(doc, paragraph, letter)
        _remove(paragraph)
    props = doc.core_properties
    props.title = letter.subject
    props.author = letter.association.name
    props.subject = letter.consultation_title
    props.comments = ""
    props.created = props.modified = datetime.combine(letter.letter_date, time(0, 0))
    props.revision = 1
    buffer = io.BytesIO()
    doc.save(buffer)
    return _stable_zip(buffer.getvalue(), letter.letter_date)
