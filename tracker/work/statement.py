"""The joint statement: assembled in German from the position matrix, edited by the
team as Markdown, kept in numbered versions, compared by diff, and its submission
recorded.

Every generated paragraph ends with an HTML comment ``<!-- quellen: 12:sw-a 12:sw-b -->``
naming the positions (``section id:organisation id``) it came from. The comment is
invisible in rendered Markdown, survives the team's edits, and is stripped on export.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from tracker.access import permissions
from tracker.errors import UserError
from tracker.export.association import Association, load_association
from tracker.models import User
from tracker.storage import open_db
from tracker.storage import positions as ws_store
from tracker.storage import statements as store
from tracker.storage.connection import transaction
from tracker.storage.triage import save_triage, triage_state
from tracker.vocabulary import SUPPORTING_STANCES, Stance, TriageStatus, WorkspaceStatus
from tracker.work import positions as pos
from tracker.work import triage as triage_rules
from tracker.work import workspaces

SOURCES = re.compile(r"\s*<!--\s*quellen:\s*(?P<refs>[^>]*?)\s*-->")
NO_INPUT_FLAG = "[OFFEN]"
CHANNELS = ("E-Mail", "Beteiligungsportal", "Post", "Fax", "Persönlich übergeben")


@dataclass(frozen=True)
class Paragraph:
    text: str                      # Markdown
    refs: tuple[str, ...] = ()     # position refs "section:organisation"
    heading: int = 0               # 0 = body text, 2 = section heading

    def markdown(self) -> str:
        if self.heading:
            return f"{'#' * self.heading} {self.text}"
        return f"{self.text} <!-- quellen: {' '.join(self.refs)} -->" if self.refs else self.text


def join_names(names: list[str]) -> str:
    """German enumeration: "A", "A und B", "A, B und C"."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} und {names[-1]}"


def _name(org: dict[str, Any]) -> str:
    return org.get("short_name") or org["name"]


def _inline(text: str) -> str:
    """Member text as one Markdown paragraph: line breaks would let it open headings or
    lists in the letter, and a comment marker could forge a paragraph's sources."""
    return re.sub(r"\s*\n\s*", " ", text).replace("<!--", "< !--").replace("-->", "-- >").strip()


def _quoted(text: str) -> str:
    text = _inline(text)
    return text if text[:1] in "„\"»'" else f"„{text}“"


def open_flags(markdown: str) -> int:
    """How many places of the draft are still marked for the team to resolve."""
    return markdown.count(NO_INPUT_FLAG)


def _verb(n: int, singular: str, plural: str) -> str:
    return singular if n == 1 else plural


def _section_paragraphs(section: workspaces.Section, found: list[pos.Position],
                        names: dict[str, str]) -> list[Paragraph]:
    by = {stance: [p for p in found if p.stance == stance] for stance in Stance}
    pro = [p for p in found if p.stance in SUPPORTING_STANCES]
    contra = by[Stance.ABLEHNUNG]
    if not pro and not contra:
        refs = tuple(p.ref for p in by[Stance.KEINE])
        told = (f" ({join_names([names[p.organisation_id] for p in by[Stance.KEINE]])}: keine Position)"
                if by[Stance.KEINE] else "")
        return [Paragraph(f"**{NO_INPUT_FLAG} Zu diesem Abschnitt liegen keine inhaltlichen Rückmeldungen der "
                          f"Mitglieder vor{told}. Bitte ergänzen oder den Abschnitt streichen.**", refs)]

    if len(pro) == len(contra):
        majority, minority = pro + contra, []
        text = (f"**{NO_INPUT_FLAG} Keine gemeinsame Position:** Die Mitglieder sind geteilter Auffassung. "
                f"{join_names([names[p.organisation_id] for p in pro])} "
                f"{_verb(len(pro), 'befürwortet', 'befürworten')} die Regelung, "
                f"{join_names([names[p.organisation_id] for p in contra])} "
                f"{_verb(len(contra), 'lehnt', 'lehnen')} sie ab. Bitte entscheiden, wie der Abschnitt "
                f"gefasst wird.")
        out = [Paragraph(text, tuple(p.ref for p in majority))]
    else:
        majority, minority = (pro, contra) if len(pro) > len(contra) else (contra, pro)
        subject = "Die Mitglieder" if not minority else "Die Mehrheit der beteiligten Mitglieder"
        plural = not minority and len(majority) > 1
        if majority is contra:
            core = f"{'lehnen' if plural else 'lehnt'} die vorgesehene Regelung ab"
        elif by[Stance.AENDERUNGEN]:
            core = (f"{'unterstützen' if plural else 'unterstützt'} die Regelung im Grundsatz, "
                    f"{'halten' if plural else 'hält'} aber Änderungen für erforderlich")
        else:
            core = f"{'unterstützen' if plural else 'unterstützt'} die vorgesehene Regelung"
        if len(majority) == 1 and not minority:
            subject = "Das beteiligte Mitglied"
        label = "Gemeinsame Position" if not minority else "Position der Mehrheit"
        who = join_names([names[p.organisation_id] for p in majority])
        out = [Paragraph(f"**{label}:** {subject} {core}. Getragen von: {who}.",
                         tuple(p.ref for p in majority))]

    for p in majority:
        if p.reason:
            out.append(Paragraph(f"Aus Sicht von {names[p.organisation_id]}: {_inline(p.reason)}", (p.ref,)))
        if p.proposed_wording:
            out.append(Paragraph(f"> Formulierungsvorschlag ({names[p.organisation_id]}): "
                                 f"{_quoted(p.proposed_wording)}", (p.ref,)))
    for p in minority:
        stance = "lehnt die Regelung ab" if p.stance == Stance.ABLEHNUNG else (
            "befürwortet die Regelung" + (" mit Änderungen" if p.stance == Stance.AENDERUNGEN else ""))
        reason = f" Begründung: {_inline(p.reason)}" if p.reason else ""
        out.append(Paragraph(f"**Abweichende Auffassung:** {names[p.organisation_id]} {stance}.{reason}",
                             (p.ref,)))
        if p.proposed_wording:
            out.append(Paragraph(f"> Formulierungsvorschlag ({names[p.organisation_id]}): "
                                 f"{_quoted(p.proposed_wording)}", (p.ref,)))
    abstained = by[Stance.KEINE]
    if abstained:
        out.append(Paragraph(f"Ohne Position zu diesem Abschnitt: "
                             f"{join_names([names[p.organisation_id] for p in abstained])}.",
                             tuple(p.ref for p in abstained)))
    return out


def assemble(m: pos.Matrix, association: Association) -> list[Paragraph]:
    """The draft's paragraphs, in order: introduction, then per section consensus,
    reasons, proposed wording, dissent; sections without input are flagged."""
    names = {o["id"]: _name(o) for o in m.organisations}
    participants = m.participants()
    everyone = [p.ref for p in m.cells.values()]
    asked = len(m.organisations)
    intro = (f"{association.speaker} bedankt sich für die Gelegenheit, zum Vorhaben „{m.workspace.title}“ "
             f"Stellung zu nehmen. {association.description}".strip())
    took_part = (f"An der Abstimmung dieser Stellungnahme {_verb(len(participants), 'hat', 'haben')} sich "
                 f"{len(participants)} von {asked} angefragten Mitgliedsorganisationen beteiligt: "
                 f"{join_names([names[o['id']] for o in participants])}."
                 if participants else
                 f"{NO_INPUT_FLAG} Bisher hat sich keine der {asked} angefragten Mitgliedsorganisationen beteiligt.")
    out = [Paragraph("Vorbemerkung", heading=2), Paragraph(intro), Paragraph(took_part, tuple(everyone))]
    for number, section in enumerate(m.workspace.sections, start=1):
        found = [m.cells[(section.id, o["id"])] for o in m.organisations if (section.id, o["id"]) in m.cells]
        out.append(Paragraph(f"{number}. {section.heading}", heading=2))
        out.extend(_section_paragraphs(section, found, names))
    return out


def to_markdown(paragraphs: list[Paragraph]) -> str:
    return "\n\n".join(p.markdown() for p in paragraphs) + "\n"


def strip_sources(markdown: str) -> str:
    """The Markdown without the source comments, as sent out."""
    return SOURCES.sub("", markdown)


def paragraph_sources(markdown: str) -> list[tuple[str, list[str]]]:
    """(paragraph text without comment, position refs) for every paragraph."""
    out = []
    for block in re.split(r"\n\s*\n", markdown.strip()):
        refs = [r for m in SOURCES.finditer(block) for r in m["refs"].split()]
        out.append((SOURCES.sub("", block).strip(), refs))
    return out


def explain_sources(markdown: str, m: pos.Matrix) -> list[tuple[str, list[str]]]:
    """For each paragraph with sources: its text and readable labels of the positions
    behind it ("1. § 3 – Begriffe: SW Altstadt – Zustimmung"); unknown refs are named as such."""
    sections = {str(s.id): f"{s.ordinal}. {s.heading}" for s in m.workspace.sections}
    orgs = {o["id"]: _name(o) for o in m.organisations}
    out = []
    for text, refs in paragraph_sources(markdown):
        if not refs:
            continue
        labels = []
        for ref in refs:
            section_id, _, org_id = ref.partition(":")
            found = m.cells.get((int(section_id), org_id)) if section_id.isdigit() else None
            if found is None or section_id not in sections:
                labels.append(f"{ref} (Position nicht mehr vorhanden)")
            else:
                labels.append(f"{sections[section_id]}: {orgs.get(org_id, org_id)} – {found.stance_label}")
        out.append((text, labels))
    return out


def diff_text(old: str, new: str, old_label: str, new_label: str) -> str:
    """Unified diff of two versions, line by line."""
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                         fromfile=old_label, tofile=new_label))


# --- versions and submissions (database edges) -------------------------------------


def assemble_draft(user: User, item_id: str, association: Association | None = None) -> dict[str, Any]:
    """Assemble the draft from the current matrix and store it as a new version."""
    permissions.require_team(user)
    m = pos.matrix(user, item_id)
    if not m.workspace.sections:
        raise UserError("Der Arbeitsbereich hat noch keine Abschnitte.")
    body = to_markdown(assemble(m, association or load_association()))
    with open_db() as con, transaction(con):
        return store.add_version(con, item_id, body, "zusammengestellt", "aus der Positionsmatrix", user.id,
                                 datetime.now(UTC))


def save_version(user: User, item_id: str, body_md: str, note: str | None = None) -> dict[str, Any]:
    """Store the team's edit as a new version (unless nothing changed)."""
    permissions.require_team(user)
    body_md = pos.clean_text(body_md) + "\n"
    if not body_md.strip():
        raise UserError("Ein leerer Entwurf wird nicht gespeichert.")
    with open_db() as con, transaction(con):
        workspaces.load_checked(con, user, item_id)
        latest = store.version(con, item_id, None)
        if latest and latest["body_md"] == body_md:
            raise UserError(f"Keine Änderung gegenüber Version {latest['version']}.")
        return store.add_version(con, item_id, body_md, "bearbeitet", note, user.id, datetime.now(UTC))


def versions(user: User, item_id: str) -> list[dict[str, Any]]:
    permissions.require_team(user)
    with open_db() as con:
        return store.versions(con, item_id)


def get_version(user: User, item_id: str, number: int | None = None) -> dict[str, Any]:
    permissions.require_team(user)
    with open_db() as con:
        found = store.version(con, item_id, number)
    if found is None:
        raise UserError("Es gibt noch keinen Entwurf." if number is None else f"Version {number} gibt es nicht.")
    return found


def diff(user: User, item_id: str, old: int, new: int) -> str:
    a, b = get_version(user, item_id, old), get_version(user, item_id, new)
    return diff_text(a["body_md"], b["body_md"], f"Version {old} ({a['author']})",
                     f"Version {new} ({b['author']})")


def record_submission(user: User, item_id: str, *, version: int, submitted_on: date, channel: str,
                      file_bytes: bytes | None = None, file_name: str | None = None,
                      file_format: str | None = None, recipient: str | None = None,
                      note: str | None = None) -> dict[str, Any]:
    """Record when and where which version was sent; marks the workspace submitted."""
    permissions.require_team(user)
    if not channel.strip():
        raise UserError("Bitte den Einreichungsweg angeben.")
    with open_db() as con, transaction(con):
        workspaces.load_checked(con, user, item_id)
        sent = store.version(con, item_id, version)
        if sent is None:
            raise UserError(f"Version {version} gibt es nicht.")
        row = store.add_submission(con, {
            "item_id": item_id, "version_id": sent["id"], "version": version, "submitted_on": submitted_on,
            "channel": channel.strip(), "recipient": recipient, "file_name": file_name,
            "file_format": file_format,
            "file_sha256": hashlib.sha256(file_bytes).hexdigest() if file_bytes is not None else None,
            "note": note, "recorded_by": user.id, "recorded_at": datetime.now(UTC),
        })
        ws_store.update_workspace(con, item_id, {"status": WorkspaceStatus.EINGEREICHT}, user.id, datetime.now(UTC))
    _mark_triage_submitted(user, item_id)
    return row


def _mark_triage_submitted(user: User, item_id: str) -> None:
    """Move the item's triage to "Abgegeben" so deadline alerts stop; when the triage
    rules do not allow it (no planned statement, no owner) the triage stays as it is."""
    with open_db() as con:
        old = triage_state(con, item_id)
        new = replace(old, status=TriageStatus.ABGEGEBEN, owner=old.owner or user.id)
        if old.status != TriageStatus.ABGEGEBEN and not triage_rules.validate(new, old, None):
            save_triage(con, item_id, new, actor=user.id, at=datetime.now(UTC))


def submissions(user: User, item_id: str) -> list[dict[str, Any]]:
    """Submission records of an item, for anyone who may see its workspace."""
    with open_db() as con:
        workspaces.load_checked(con, user, item_id)
        return store.submissions(con, item_id)


def item_statement_status(user: User, item_id: str) -> dict[str, Any] | None:
    """What the item page shows about the joint statement: workspace status, latest
    version, submissions. None when there is no workspace or the user may not see it."""
    with open_db() as con:
        ws = workspaces.load(con, item_id)
        if ws is None or not permissions.can_see_workspace(user, ws.as_row(), ws.member_ids):
            return None
        latest = store.version(con, item_id, None) if user.is_team else None
        return {"status": ws.status, "status_label": ws.status_label,
                "latest_version": latest["version"] if latest else None,
                "submissions": store.submissions(con, item_id)}
