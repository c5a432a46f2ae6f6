"""The internal version of a statement: for the team and the board, never for sending.

Beside the letter (which speaks as the association and carries no internal data) the
team needs to see who stands behind what: this document holds the version and its
author, the internal dates, every draft paragraph with the member positions behind it,
and the full position matrix with reasons and proposed wording. DOCX (from the letter
template's styles and letterhead) and Markdown.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime

from docx import Document
from docx.shared import Pt

from tracker.clock import BERLIN
from tracker.export.association import Association
from tracker.export.docx import TEMPLATE_PATH, _add_runs, _fill_inline, _paragraphs, _stable_zip
from tracker.export.letter import german_date, read_blocks

MARK = "Interne Fassung – nicht zum Versand"


@dataclass(frozen=True)
class InternalReport:
    association: Association
    title: str
    version: int
    author: str
    created_at: datetime
    facts: tuple[tuple[str, str], ...]             # (label, value) shown at the top
    paragraphs: tuple[tuple[str, tuple[str, ...]], ...]  # draft paragraph (Markdown), positions behind it
    sections: tuple[str, ...]
    organisations: tuple[str, ...]
    grid: dict[tuple[str, str], str]                # (section, organisation) -> stance label
    details: tuple[dict[str, str], ...]             # Abschnitt, Mitglied, Haltung, Begründung, Formulierung
    today: date


def _when(moment: datetime) -> str:
    return moment.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M")


def render_internal_markdown(report: InternalReport) -> str:
    lines = [f"# {MARK}", "", f"**{report.title}**", "",
             f"Version {report.version} von {report.author}, {_when(report.created_at)} · "
             f"erstellt am {german_date(report.today)}", ""]
    lines += [f"- {label}: {value}" for label, value in report.facts] + [""]
    lines += ["## Entwurf mit Herkunft der Absätze", ""]
    for text, sources in report.paragraphs:
        lines += [text, ""]
        if sources:
            lines += [f"*Herkunft: {'; '.join(sources)}*", ""]
    lines += ["## Positionsmatrix", "", "| Abschnitt | " + " | ".join(report.organisations) + " |",
              "|---" * (len(report.organisations) + 1) + "|"]
    for section in report.sections:
        cells = [report.grid.get((section, org), "noch offen") for org in report.organisations]
        lines.append(f"| {section} | " + " | ".join(cells) + " |")
    lines += ["", "## Begründungen und Formulierungsvorschläge", ""]
    for row in report.details:
        lines.append(f"- **{row['Abschnitt']}** – {row['Mitglied']} ({row['Haltung']})"
                     + (f": {row['Begründung']}" if row["Begründung"] else "")
                     + (f" Vorschlag: „{row['Formulierung']}“" if row["Formulierung"] else ""))
    return "\n".join(lines) + "\n"


def render_internal_docx(report: InternalReport) -> bytes:
    doc = Document(str(TEMPLATE_PATH))
    a = report.association
    letterhead = {"verband_name": a.name, "verband_adresse": " · ".join(a.address),
                  "verband_kontakt": " · ".join(x for x in (a.phone and f"Tel. {a.phone}", a.email, a.web) if x),
                  "lobbyregister": a.lobbyregister}
    body = doc.element.body
    for child in list(body):  # the letter's body goes; its letterhead, styles and page layout stay
        if not child.tag.endswith("}sectPr"):
            body.remove(child)
    for paragraph in _paragraphs(doc):  # now only header and footer
        _fill_inline(paragraph, {**letterhead, **{k: "" for k in _LETTER_ONLY}})

    doc.add_paragraph(MARK, style="Title")
    doc.add_paragraph(report.title, style="Heading 2")
    doc.add_paragraph(f"Version {report.version} von {report.author}, {_when(report.created_at)} · "
                      f"erstellt am {german_date(report.today)}")
    facts = doc.add_table(rows=0, cols=2)
    facts.style = doc.styles["Table Grid"]
    for label, value in report.facts:
        row = facts.add_row().cells
        row[0].text, row[1].text = label, value

    doc.add_paragraph("Entwurf mit Herkunft der Absätze", style="Heading 1")
    for text, sources in report.paragraphs:
        for block in read_blocks(text):
            style = {"heading": "Heading 2", "bullet": "List Bullet", "quote": "Quote"}.get(block.kind, "Normal")
            _add_runs(doc.add_paragraph(style=style), block.text)
        if sources:
            doc.add_paragraph("Herkunft: " + "; ".join(sources), style="Klein")

    doc.add_paragraph("Positionsmatrix", style="Heading 1")
    grid = doc.add_table(rows=1, cols=len(report.organisations) + 1)
    grid.style = doc.styles["Table Grid"]
    for cell, text in zip(grid.rows[0].cells, ["Abschnitt", *report.organisations], strict=True):
        cell.text = text
    for section in report.sections:
        cells = grid.add_row().cells
        cells[0].text = section
        for cell, org in zip(cells[1:], report.organisations, strict=True):
            cell.text = report.grid.get((section, org), "noch offen")

    doc.add_paragraph("Begründungen und Formulierungsvorschläge", style="Heading 1")
    columns = ("Abschnitt", "Mitglied", "Haltung", "Begründung", "Formulierung")
    details = doc.add_table(rows=1, cols=len(columns))
    details.style = doc.styles["Table Grid"]
    for cell, text in zip(details.rows[0].cells, columns, strict=True):
        cell.text = text
    for row in report.details:
        for cell, column in zip(details.add_row().cells, columns, strict=True):
            cell.text = row[column]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    for run in paragraph.runs:
                        run.font.size = Pt(8.5)
    props = doc.core_properties
    props.title = f"{MARK}: {report.title}"
    props.author = a.name
    props.comments = f"Version {report.version}"
    props.created = props.modified = datetime.combine(report.today, datetime.min.time())
    buffer = io.BytesIO()
    doc.save(buffer)
    return _stable_zip(buffer.getvalue(), report.today)


# Letter placeholders that do not belong in the internal document's header and footer.
_LETTER_ONLY = ("absenderzeile", "empfaenger", "ort_datum", "aktenzeichen", "frist", "betreff", "version",
                "anrede", "schlusssatz", "mitzeichnende_titel")
