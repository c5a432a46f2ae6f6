"""Build ``data/templates/stellungnahme.docx``, the letter template of the DOCX export.

Run ``.venv/bin/python scripts/make_template.py`` after changing this script. The
template can also be edited in Word or LibreOffice afterwards, as long as the
placeholders stay. Placeholders (``{{name}}``) are filled by ``tracker.export.docx``:

- inline: verband_name, verband_adresse, verband_kontakt, absenderzeile, lobbyregister,
  empfaenger, ort_datum, aktenzeichen, betreff, anrede, schlusssatz, mitzeichnende_titel.
  A paragraph whose placeholder comes out empty (no Aktenzeichen, no co-signers) is
  dropped. The letter carries no internal data (version, internal dates): those are in
  the internal version (``tracker.export.internal``).
- blocks (a paragraph holding only the placeholder): inhalt (the statement body),
  mitzeichnende (co-signing members), unterschriften (signatories).
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

OUT = Path(__file__).resolve().parent.parent / "data" / "templates" / "stellungnahme.docx"
FONT = "Arial"
ACCENT = RGBColor(0x1F, 0x4E, 0x79)


def _font(style, size: float, *, bold: bool = False, color: RGBColor | None = None) -> None:
    style.font.name = FONT
    style.font.size = Pt(size)
    style.font.bold = bold
    if color is not None:
        style.font.color.rgb = color
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        # theme fonts win over named fonts; headings of the default template use them
        fonts.attrib.pop(qn(attr), None)


def _page_number(paragraph) -> None:
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def build(out: Path = OUT) -> Path:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin, section.right_margin = Cm(2.5), Cm(2.0)
    section.top_margin, section.bottom_margin = Cm(3.2), Cm(2.2)
    section.header_distance, section.footer_distance = Cm(1.0), Cm(1.0)
    assert section.start_type == WD_SECTION.NEW_PAGE

    styles = doc.styles
    _font(styles["Normal"], 10.5)
    styles["Normal"].paragraph_format.space_after = Pt(6)
    styles["Normal"].paragraph_format.line_spacing = 1.15
    _font(styles["Title"], 13, bold=True, color=ACCENT)
    styles["Title"].paragraph_format.space_before = Pt(12)
    styles["Title"].paragraph_format.space_after = Pt(12)
    _font(styles["Heading 1"], 13, bold=True, color=ACCENT)
    _font(styles["Heading 2"], 11.5, bold=True, color=ACCENT)
    styles["Heading 2"].paragraph_format.space_before = Pt(12)
    styles["Heading 2"].paragraph_format.keep_with_next = True
    _font(styles["Heading 3"], 10.5, bold=True)
    _font(styles["Quote"], 10, color=RGBColor(0x40, 0x40, 0x40))
    styles["Quote"].font.italic = True
    styles["Quote"].paragraph_format.left_indent = Cm(1.0)
    _font(styles["List Bullet"], 10.5)
    small = styles.add_style("Klein", WD_STYLE_TYPE.PARAGRAPH)
    small.base_style = styles["Normal"]
    _font(small, 8, color=RGBColor(0x55, 0x55, 0x55))
    small.paragraph_format.space_after = Pt(0)
    head = styles.add_style("Briefkopf", WD_STYLE_TYPE.PARAGRAPH)
    head.base_style = styles["Normal"]
    _font(head, 14, bold=True, color=ACCENT)
    head.paragraph_format.space_after = Pt(0)

    header = section.header
    p = header.paragraphs[0]
    p.text = "{{verband_name}}"
    p.style = head
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for text in ("{{verband_adresse}}", "{{verband_kontakt}}", "Lobbyregister-Nr. {{lobbyregister}}"):
        line = header.add_paragraph(text, style=small)
        line.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    footer = section.footer
    f = footer.paragraphs[0]
    f.text = "{{verband_name}} · Lobbyregister-Nr. {{lobbyregister}} · Seite "
    f.style = small
    f.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number(f)

    body = doc.paragraphs[0] if doc.paragraphs else doc.add_paragraph()
    body.text = "{{absenderzeile}}"
    body.style = small
    sender_gap = doc.add_paragraph("", style=small)
    sender_gap.paragraph_format.space_after = Pt(4)
    addressee = doc.add_paragraph("{{empfaenger}}")
    addressee.paragraph_format.space_after = Pt(24)
    dated = doc.add_paragraph("{{ort_datum}}")
    dated.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    reference = doc.add_paragraph("Ihr Zeichen: {{aktenzeichen}}")
    reference.paragraph_format.space_after = Pt(0)
    doc.add_paragraph("{{betreff}}", style="Title")
    salutation = doc.add_paragraph("{{anrede}}")
    salutation.paragraph_format.space_after = Pt(10)
    doc.add_paragraph("{{inhalt}}")
    doc.add_paragraph("{{mitzeichnende_titel}}", style="Heading 2")
    doc.add_paragraph("{{mitzeichnende}}")
    # The closing sentence, the greeting and the signatures stay on one page (keep with next).
    last = doc.add_paragraph("{{schlusssatz}}")
    last.paragraph_format.space_before = Pt(12)
    last.paragraph_format.keep_with_next = True
    closing = doc.add_paragraph("Mit freundlichen Grüßen")
    closing.paragraph_format.space_before = Pt(12)
    closing.paragraph_format.keep_with_next = True
    doc.add_paragraph("{{unterschriften}}")

    props = doc.core_properties
    props.title = "Gemeinsame Stellungnahme (Vorlage)"
    props.author = "Konsultationsradar"
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    return out


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT))
