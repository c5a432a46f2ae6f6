"""Exports of the joint statement: DOCX (from the template) and Markdown.

``render(user, item_id, fmt)`` gathers the letter (workspace, chosen version,
co-signers, association) and returns the file's bytes and a suggested file name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from tracker.access import permissions
from tracker.errors import UserError
from tracker.export.association import Association, load_association
from tracker.export.letter import Letter
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
    if ws.cosigner_ids is not None:
        cosigners = [o for o in m.organisations if o["id"] in set(ws.cosigner_ids)]
    else:
        cosigners = m.participants()
    return Letter(
        association=association or load_association(),
        addressee=tuple(line.strip() for line in (ws.addressee or "").splitlines() if line.strip()),
        consultation_title=ws.title, reference=(ws.reference or "").strip(), deadline=ws.external_deadline,
        letter_date=today or date.today(), body_md=statement.strip_sources(chosen["body_md"]),
        cosigners=tuple(o["name"] for o in cosigners), version=chosen["version"],
    )


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
