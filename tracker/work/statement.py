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

from tracker import clock
from tracker.access import permissions
from tracker.errors import UserError
from tracker.export.association import Association, load_association
from tracker.models import User
from tracker.storage import open_db
from tracker.storage import positions as ws_store
from tracker.storage import statements as store
from tracker.storage.connection import transaction
from tracker.storage.triage import save_triage, triage_state
from tracker.vocabulary import Stance, SubmissionAction, SubmissionChannel, TriageStatus, WorkspaceStatus
from tracker.work import positions as pos
from tracker.work import triage as triage_rules
from tracker.work import workspaces
from tracker.work.triage import TriageState

SOURCES = re.compile(r"\s*<!--\s*quellen:\s*(?P<refs>[^>]*?)\s*-->")
NO_INPUT_FLAG = "[OFFEN]"
CHANNELS = SubmissionChannel.codes()
SUBMISSION_LABELS = {"submitted_on": "Datum", "channel": "Weg", "recipient": "Empfänger", "note": "Notiz"}


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


# What the association says for a section where the members agree, by their one stance.
_COMMON_VOICE = {
    Stance.ZUSTIMMUNG: "unterstützt die vorgesehene Regelung",
    Stance.AENDERUNGEN: "unterstützt die Regelung im Grundsatz, hält aber Änderungen für erforderlich",
    Stance.ABLEHNUNG: "lehnt die vorgesehene Regelung ab",
}


@dataclass(frozen=True)
class SectionVerdict:
    """What the members' positions on one section amount to.

    A common position needs every asked member who took a position to hold the same
    stance ("Zustimmung" and "Zustimmung mit Änderungen" are different stances), and at
    least ``needed`` of them (the workspace's quorum). Everything else is open: the team
    decides, and the draft marks the section ``NO_INPUT_FLAG`` until it has."""

    stance: str | None               # the common stance, None when open
    taking_part: int                 # members with a position other than "Keine Position"
    needed: int
    stances: dict[str, int]          # stance -> how many members hold it

    @property
    def is_common(self) -> bool:
        return self.stance is not None

    def reason_open(self) -> str:
        if not self.taking_part:
            return "Zu diesem Abschnitt liegen keine inhaltlichen Rückmeldungen der Mitglieder vor."
        if self.taking_part < self.needed:
            return (f"Erst {self.taking_part} {_verb(self.taking_part, 'Mitglied hat', 'Mitglieder haben')} "
                    f"Stellung genommen; für eine gemeinsame Position {_verb(self.needed, 'ist', 'sind')} "
                    f"{self.needed} nötig.")
        counted = ", ".join(f"{Stance.label_of(code)} ({n})" for code, n in self.stances.items())
        return f"Die Rückmeldungen gehen auseinander: {counted}."


def section_verdict(found: list[pos.Position], needed: int) -> SectionVerdict:
    """The verdict on one section from the positions of the asked members (pure)."""
    taking_part = [p for p in found if p.stance != Stance.KEINE]
    stances = {code: sum(1 for p in taking_part if p.stance == code) for code in Stance.codes()}
    stances = {code: n for code, n in stances.items() if n}
    common = next(iter(stances)) if len(stances) == 1 and len(taking_part) >= needed else None
    return SectionVerdict(common, len(taking_part), needed, stances)


def _section_paragraphs(found: list[pos.Position], names: dict[str, str], verdict: SectionVerdict,
                        speaker: str, name_members: bool) -> list[Paragraph]:
    """A section of the draft. Without ``name_members`` (the default) the association
    speaks for itself: reasons and proposals carry no member names; the positions behind
    each paragraph stay traceable through its source comment."""
    taking_part = [p for p in found if p.stance != Stance.KEINE]
    abstained = [p for p in found if p.stance == Stance.KEINE]

    def who(p: pos.Position) -> str:
        return names[p.organisation_id]

    out: list[Paragraph] = []
    if verdict.is_common:
        sentence = f"{speaker} {_COMMON_VOICE[verdict.stance]}."  # type: ignore[index]
        if name_members:
            sentence += f" Getragen von: {join_names([who(p) for p in taking_part])}."
        out.append(Paragraph(f"**Gemeinsame Position:** {sentence}", tuple(p.ref for p in taking_part)))
        for p in taking_part:
            if p.reason:
                out.append(Paragraph(f"Aus Sicht von {who(p)}: {_inline(p.reason)}" if name_members
                                     else _inline(p.reason), (p.ref,)))
    else:
        out.append(Paragraph(f"**{NO_INPUT_FLAG} Noch keine gemeinsame Position:** {verdict.reason_open()} "
                             "Bitte entscheiden, wie der Abschnitt gefasst wird, oder ihn streichen.",
                             tuple(p.ref for p in found)))
        for p in taking_part:
            label = f"{who(p)} – {p.stance_label}" if name_members else p.stance_label
            reason = f": {_inline(p.reason)}" if p.reason else "."
            out.append(Paragraph(f"*{label}*{reason}", (p.ref,)))
    for p in taking_part:
        if p.proposed_wording:
            source = f" ({who(p)})" if name_members else ""
            out.append(Paragraph(f"> Formulierungsvorschlag{source}: {_quoted(p.proposed_wording)}", (p.ref,)))
    if abstained and name_members:
        out.append(Paragraph(f"Ohne Position zu diesem Abschnitt: {join_names([who(p) for p in abstained])}.",
                             tuple(p.ref for p in abstained)))
    return out


def assemble(m: pos.Matrix, association: Association) -> list[Paragraph]:
    """The draft's paragraphs, in order: introduction, then per section the common
    position or an open flag, reasons and proposed wording (see ``section_verdict``)."""
    ws = m.workspace
    names = {o["id"]: _name(o) for o in m.organisations}
    participants = m.participants()
    everyone = [p.ref for p in m.cells.values()]
    asked = len(m.organisations)
    intro = (f"{association.speaker} bedankt sich für die Gelegenheit, zum Vorhaben „{ws.title}“ "
             f"Stellung zu nehmen. {association.description}".strip())
    if not participants:
        took_part = f"{NO_INPUT_FLAG} Bisher hat sich keine der {asked} angefragten Mitgliedsorganisationen beteiligt."
    elif ws.name_members:
        took_part = (f"An der Abstimmung dieser Stellungnahme {_verb(len(participants), 'hat', 'haben')} sich "
                     f"{len(participants)} von {asked} angefragten Mitgliedsorganisationen beteiligt: "
                     f"{join_names([names[o['id']] for o in participants])}.")
    else:
        took_part = (f"Die Stellungnahme beruht auf den Rückmeldungen von {len(participants)} "
                     f"{_verb(len(participants), 'Mitgliedsorganisation', 'Mitgliedsorganisationen')}.")
    out = [Paragraph("Vorbemerkung", heading=2), Paragraph(intro), Paragraph(took_part, tuple(everyone))]
    for number, section in enumerate(ws.sections, start=1):
        found = [m.cells[(section.id, o["id"])] for o in m.organisations if (section.id, o["id"]) in m.cells]
        verdict = section_verdict(found, ws.needed_for_consensus)
        out.append(Paragraph(f"{number}. {section.heading}", heading=2))
        out.extend(_section_paragraphs(found, names, verdict, association.short_speaker, ws.name_members))
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


def submission_problems(*, submitted_on: date, today: date, deadline: date | None, channel: str,
                        recipient: str | None, note: str | None) -> list[str]:
    """What keeps a submission record from being stored (pure): a date in the future, a
    date after the deadline without a reason in the note, an unknown channel, no recipient."""
    problems = []
    if submitted_on > today:
        problems.append(f"Das Einreichungsdatum {submitted_on:%d.%m.%Y} liegt in der Zukunft.")
    if deadline is not None and submitted_on > deadline and not (note or "").strip():
        problems.append(f"Das Einreichungsdatum liegt nach der Frist ({deadline:%d.%m.%Y}). Eine verspätete "
                        "Einreichung bitte mit Begründung in der Notiz festhalten "
                        "(z. B. vereinbarte Fristverlängerung).")
    if channel not in SubmissionChannel.codes():
        problems.append(f"Unbekannter Einreichungsweg {channel!r}; erlaubt: {', '.join(SubmissionChannel.codes())}.")
    if not (recipient or "").strip():
        problems.append("Bitte den Empfänger angeben (E-Mail-Adresse, Portal oder Anschrift).")
    return problems


def _active(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next((r for r in rows if r["withdrawn_at"] is None), None)


def record_submission(user: User, item_id: str, *, version: int, submitted_on: date, channel: str,
                      file_bytes: bytes | None = None, file_name: str | None = None,
                      file_format: str | None = None, recipient: str | None = None,
                      note: str | None = None, today: date | None = None) -> dict[str, Any]:
    """Record when, where and which version was sent. In one transaction: the record and
    its history row, member input closed (workspace "eingereicht") and the item's triage
    set to "Abgegeben", which stops its deadline reminders. Refused with the reasons when
    a rule is broken, or when a submission is already recorded (correct or withdraw it)."""
    permissions.require_team(user)
    recipient, note = (recipient or "").strip() or None, (note or "").strip() or None
    now = datetime.now(UTC)
    with open_db() as con, transaction(con):
        ws = workspaces.load_checked(con, user, item_id)
        problems = submission_problems(submitted_on=submitted_on, today=today or clock.today(),
                                       deadline=ws.external_deadline, channel=channel, recipient=recipient, note=note)
        earlier = _active(store.submissions(con, item_id))
        if earlier:
            problems.append(f"Für diese Stellungnahme ist bereits eine Einreichung erfasst (Version "
                            f"{earlier['version']} am {earlier['submitted_on']:%d.%m.%Y}). Bitte diese korrigieren "
                            "oder zurückziehen.")
        sent = store.version(con, item_id, version)
        if sent is None:
            problems.append(f"Version {version} gibt es nicht.")
        old_triage = triage_state(con, item_id)
        new_triage = replace(old_triage, status=TriageStatus.ABGEGEBEN, owner=old_triage.owner or user.id)
        problems += triage_rules.validate(new_triage, old_triage, None, has_workspace=True)
        if problems:
            raise UserError(" ".join(problems))
        row = store.add_submission(con, {
            "item_id": item_id, "version_id": sent["id"], "version": version, "submitted_on": submitted_on,
            "channel": channel, "recipient": recipient, "file_name": file_name, "file_format": file_format,
            "file_sha256": hashlib.sha256(file_bytes).hexdigest() if file_bytes is not None else None,
            "note": note, "recorded_by": user.id, "recorded_at": now,
        })
        store.add_submission_event(con, submission_id=row["id"], item_id=item_id, action=SubmissionAction.RECORDED,
                                   changes=None, reason=note, actor=user.id, now=now)
        ws_store.update_workspace(con, item_id, {"status": WorkspaceStatus.EINGEREICHT}, user.id, now)
        if new_triage != old_triage:
            save_triage(con, item_id, new_triage, actor=user.id, at=now, in_transaction=True)
    return row


def correct_submission(user: User, item_id: str, submission_id: int, *, reason: str, today: date | None = None,
                       **changes: Any) -> dict[str, Any]:
    """Correct date, channel, recipient or note of a recorded submission; the old values
    and the reason are kept in its history."""
    permissions.require_team(user)
    if not (reason or "").strip():
        raise UserError("Bitte angeben, warum die Einreichung korrigiert wird.")
    unknown = set(changes) - set(store.CORRECTABLE)
    if unknown:
        raise UserError(f"Nicht korrigierbar: {', '.join(sorted(unknown))}")
    now = datetime.now(UTC)
    with open_db() as con, transaction(con):
        ws = workspaces.load_checked(con, user, item_id)
        row = store.submission(con, item_id, submission_id)
        if row is None or row["withdrawn_at"] is not None:
            raise UserError("Diese Einreichung gibt es nicht oder sie wurde zurückgezogen.")
        wanted = {**{k: row[k] for k in store.CORRECTABLE}, **changes}
        problems = submission_problems(submitted_on=wanted["submitted_on"], today=today or clock.today(),
                                       deadline=ws.external_deadline, channel=wanted["channel"],
                                       recipient=wanted["recipient"], note=wanted["note"])
        if problems:
            raise UserError(" ".join(problems))
        diff = {k: [row[k], wanted[k]] for k in store.CORRECTABLE if wanted[k] != row[k]}
        if not diff:
            raise UserError("Keine Änderung an der Einreichung.")
        store.correct_submission(con, submission_id, {k: wanted[k] for k in diff})
        store.add_submission_event(con, submission_id=submission_id, item_id=item_id,
                                   action=SubmissionAction.CORRECTED, changes=diff, reason=reason.strip(),
                                   actor=user.id, now=now)
        return store.submission(con, item_id, submission_id)  # type: ignore[return-value]


def withdraw_submission(user: User, item_id: str, submission_id: int, *, reason: str) -> None:
    """Withdraw a submission record (sent in error, recorded twice ...). The record stays,
    marked withdrawn with who and why; the workspace goes back to "Eingabe geschlossen"
    and the item to "Stellungnahme geplant", so its reminders apply again."""
    permissions.require_team(user)
    if not (reason or "").strip():
        raise UserError("Bitte angeben, warum die Einreichung zurückgezogen wird.")
    now = datetime.now(UTC)
    with open_db() as con, transaction(con):
        workspaces.load_checked(con, user, item_id)
        row = store.submission(con, item_id, submission_id)
        if row is None or row["withdrawn_at"] is not None:
            raise UserError("Diese Einreichung gibt es nicht oder sie wurde schon zurückgezogen.")
        store.withdraw_submission(con, submission_id, user.id, reason.strip(), now)
        store.add_submission_event(con, submission_id=submission_id, item_id=item_id,
                                   action=SubmissionAction.WITHDRAWN, changes=None, reason=reason.strip(),
                                   actor=user.id, now=now)
        if _active([r for r in store.submissions(con, item_id) if r["id"] != submission_id]) is None:
            ws_store.update_workspace(con, item_id, {"status": WorkspaceStatus.GESCHLOSSEN}, user.id, now)
            old = triage_state(con, item_id)
            if old.status == TriageStatus.ABGEGEBEN:
                save_triage(con, item_id, replace(old, status=TriageStatus.STELLUNGNAHME_GEPLANT), actor=user.id,
                            at=now, in_transaction=True)


def submissions(user: User, item_id: str) -> list[dict[str, Any]]:
    """Submission records of an item (withdrawn ones included, marked), for anyone who may
    see its workspace."""
    with open_db() as con:
        workspaces.load_checked(con, user, item_id)
        return store.submissions(con, item_id)


def submission_history(user: User, item_id: str) -> list[dict[str, Any]]:
    """Every step of the item's submission records, newest first (team only)."""
    permissions.require_team(user)
    with open_db() as con:
        return store.submission_events(con, item_id)


def internal_dates(user: User, item_id: str) -> TriageState:
    """The item's triage (owner, member input and board sign-off dates): internal, team only."""
    permissions.require_team(user)
    with open_db() as con:
        return triage_state(con, item_id)


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
