"""Exports of the joint statement: DOCX (from the template) and Markdown.

``render(user, item_id, fmt)`` gathers the letter (workspace, chosen version,
co-signers, association) and returns the file's bytes and a suggested file name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from tracker import clock
from tracker.access import permissions
from tracker.errors import UserError
from tracker.export.association import Association, load_association
from tracker.export.internal import InternalReport, render_internal_docx, render_internal_markdown
from tracker.export.letter import Letter, german_date
from tracker.models import User
from tracker.work import positions as pos
from tracker.work import statement

FORMATS = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
           "md": "text/markdown"}


@dataclass(frozen=True)
class Rendered:
    data: bytes
    file_name: str
    mime: str
    version: int


def build_letter(user: User, item_id: str, version: int | None = None, *, today: date | None = None,
                 association: Association | None = None) -> Letter:
    permissions.require_team(user)
    m = pos.matrix(user, item_id)
    chosen = statement.get_version(user, item_id, version)
    ws = m.workspace
    association = association or load_association()
    if not ws.name_members:  # the association speaks for itself unless the team chose to name members
        cosigners = []
    elif ws.cosigner_ids is not None:
        cosigners = [o for o in m.organisations if o["id"] in set(ws.cosigner_ids)]
    else:
        cosigners = m.participants()
    return Letter(
        association=association,
        addressee=tuple(line.strip() for line in (ws.addressee or "").splitlines() if line.strip()),
        consultation_title=ws.title, reference=(ws.reference or "").strip(), deadline=ws.external_deadline,
        letter_date=today or clock.today(), body_md=statement.strip_sources(chosen["body_md"]),
        cosigners=tuple(o["name"] for o in cosigners), version=chosen["version"],
        salutation=ws.letter_salutation, closing=association.closing,
    )


def build_internal(user: User, item_id: str, version: int | None = None, *, today: date | None = None,
                   association: Association | None = None) -> InternalReport:
    """Everything the internal version shows (team only)."""
    permissions.require_team(user)
    m = pos.matrix(user, item_id)
    chosen = statement.get_version(user, item_id, version)
    ws = m.workspace
    internal_dates = statement.internal_dates(user, item_id)
    body = chosen["body_md"]
    facts = (
        ("Status", ws.status_label),
        ("Frist der Anhörung", german_date(ws.external_deadline) if ws.external_deadline else "–"),
        ("Eingabe der Mitglieder bis", german_date(ws.member_input_due) if ws.member_input_due else "–"),
        ("Freigabe durch den Vorstand bis",
         german_date(internal_dates.board_signoff_due) if internal_dates.board_signoff_due else "–"),
        ("Verantwortlich", internal_dates.owner or "–"),
        ("Aktenzeichen", ws.reference or "–"),
        ("Angefragte Mitglieder", str(len(m.organisations))),
        ("Mindestzahl für eine gemeinsame Position", str(ws.needed_for_consensus)),
        ("Mitglieder im Schreiben namentlich genannt", "ja" if ws.name_members else "nein"),
        ("Offene Stellen im Entwurf", str(statement.open_flags(body))),
    )
    explained = dict(statement.explain_sources(body, m))
    paragraphs = tuple((text, tuple(explained.get(text, ()))) for text, _ in statement.paragraph_sources(body))
    rows = m.rows()
    return InternalReport(
        association=association or load_association(), title=ws.title, version=chosen["version"],
        author=chosen["author"], created_at=chosen["created_at"], facts=facts, paragraphs=paragraphs,
        sections=tuple(s.heading for s in ws.sections),
        organisations=tuple(o["short_name"] or o["name"] for o in m.organisations),
        grid={(r["abschnitt"], r["organisation"]): r["haltung"] for r in rows},
        details=tuple({"Abschnitt": r["abschnitt"], "Mitglied": r["organisation"], "Haltung": r["haltung"],
                       "Begründung": r["begruendung"], "Formulierung": r["formulierung"]}
                      for r in rows if r["haltung_code"] != pos.NOT_ANSWERED),
        today=today or clock.today(),
    )


def render_internal(user: User, item_id: str, fmt: str, version: int | None = None, *,
                    today: date | None = None, association: Association | None = None) -> Rendered:
    """The internal version (attributions, matrix, internal dates) as DOCX or Markdown."""
    if fmt not in FORMATS:
        raise UserError(f"Unbekanntes Format {fmt!r}; erlaubt: {', '.join(FORMATS)}")
    report = build_internal(user, item_id, version, today=today, association=association)
    data = (render_internal_docx(report) if fmt == "docx"
            else render_internal_markdown(report).encode("utf-8"))
    return Rendered(data, f"Intern-{file_stem(report.title, report.version)}.{fmt}", FORMATS[fmt], report.version)


def file_stem(title: str, version: int) -> str:
    slug = re.sub(r"[^A-Za-z0-9ÄÖÜäöüß]+", "-", title).strip("-")[:60] or "Stellungnahme"
    return f"Stellungnahme-{slug}-v{version}"


def render(user: User, item_id: str, fmt: str, version: int | None = None, *,
           today: date | None = None, association: Association | None = None) -> Rendered:
    if fmt not in FORMATS:
        raise UserError(f"Unbekanntes Format {fmt!r}; erlaubt: {', '.join(FORMATS)}")
    letter = build_letter(user, item_id, version, today=today, association=association)
    if fmt == "docx":
        from tracker.export.docx import render_docx

        data = render_docx(letter)
    else:
        from tracker.export.markdown import render_markdown

        data = render_markdown(letter).encode("utf-8")
    return Rendered(data, f"{file_stem(letter.consultation_title, letter.version)}.{fmt}", FORMATS[fmt],
                    letter.version)
