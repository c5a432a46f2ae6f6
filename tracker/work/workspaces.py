"""The consultation workspace: for an item the team decided to answer, the sections
being consulted, the member input deadline and the member organisations asked.

Every function takes the acting ``User`` and checks ``tracker.access.permissions`` first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

import duckdb

from tracker.access import permissions
from tracker.errors import UserError
from tracker.models import User
from tracker.storage import open_db
from tracker.storage import positions as store
from tracker.storage import users as user_store
from tracker.storage.connection import transaction
from tracker.storage.triage import save_triage, triage_state
from tracker.vocabulary import TriageStatus, WorkspaceStatus
from tracker.work import triage as triage_rules
from tracker.work.triage import TriageState

STATUSES = WorkspaceStatus.codes()
DEFAULT_SALUTATION = "Sehr geehrte Damen und Herren,"
# The settings form's fields with the words the form uses for them.
SETTING_LABELS = {
    "title": "Titel", "addressee": "Empfänger", "reference": "Aktenzeichen",
    "member_input_due": "Eingabe der Mitglieder bis", "external_deadline": "Frist der Anhörung",
    "status": "Status", "positions_shared": "Positionen teilen", "name_members": "Mitglieder namentlich nennen",
    "quorum": "Mindestzahl für eine gemeinsame Position", "salutation": "Anrede",
    "cosigner_ids": "Mitzeichnende", "member_ids": "Angefragte Mitglieder",
}
_SECTION_LABEL = re.compile(
    r"^\s*(?P<label>§+\s*\d+[a-z]?(?:\s*Abs\.\s*\d+)?|Art(?:ikel|\.)\s*\d+[a-z]?(?:\s*Abs\.\s*\d+)?"
    r"|Frage\s*\d+[a-z]?|Nr\.\s*\d+|Kapitel\s*\d+|\d+(?:\.\d+)*\.?)\s*[:–—-]?\s+(?P<title>\S.*)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Section:
    id: int
    ordinal: int
    label: str | None
    title: str
    body: str | None = None

    @property
    def heading(self) -> str:
        return f"{self.label} – {self.title}" if self.label else self.title


@dataclass
class Workspace:
    item_id: str
    title: str
    status: str
    addressee: str | None = None
    reference: str | None = None
    external_deadline: date | None = None
    member_input_due: date | None = None
    positions_shared: bool = False
    cosigner_ids: list[str] | None = None
    name_members: bool = False      # the letter names members (attributions, dissent, co-signers)
    quorum: int | None = None       # members with a position needed for a common position
    salutation: str | None = None   # the letter's salutation; None: DEFAULT_SALUTATION
    sections: list[Section] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)  # id, name, short_name
    link: str | None = None  # the original document being consulted

    @property
    def member_ids(self) -> frozenset[str]:
        return frozenset(m["id"] for m in self.members)

    @property
    def status_label(self) -> str:
        return WorkspaceStatus.label_of(self.status)

    def as_row(self) -> dict[str, Any]:
        return {"status": self.status, "positions_shared": self.positions_shared}

    @property
    def needed_for_consensus(self) -> int:
        """How many asked members must have taken a position before a section may be
        called a common position: the team's quorum, else more than half of those asked."""
        if self.quorum is not None:
            return max(1, self.quorum)
        return len(self.members) // 2 + 1

    @property
    def letter_salutation(self) -> str:
        return (self.salutation or "").strip() or DEFAULT_SALUTATION


@dataclass(frozen=True)
class WorkspaceSettings:
    """The values of the settings form, as loaded for one workspace or as wanted.

    ``save_settings`` compares what the user wants with what the form was loaded with, so
    only fields the user changed are written, and only to the workspace they were loaded for.
    """

    item_id: str
    title: str
    addressee: str | None
    reference: str | None
    member_input_due: date | None
    external_deadline: date | None
    status: str
    positions_shared: bool
    name_members: bool
    quorum: int | None
    salutation: str | None
    cosigner_ids: tuple[str, ...] | None
    member_ids: tuple[str, ...]

    @classmethod
    def of(cls, ws: Workspace) -> WorkspaceSettings:
        return cls(item_id=ws.item_id, title=ws.title, addressee=ws.addressee, reference=ws.reference,
                   member_input_due=ws.member_input_due, external_deadline=ws.external_deadline,
                   status=ws.status, positions_shared=ws.positions_shared, name_members=ws.name_members,
                   quorum=ws.quorum, salutation=ws.salutation,
                   cosigner_ids=None if ws.cosigner_ids is None else tuple(sorted(ws.cosigner_ids)),
                   member_ids=tuple(sorted(ws.member_ids)))

    def normalised(self) -> WorkspaceSettings:
        """Empty text as None, lists sorted: a form that was not touched compares equal."""
        def text(value: str | None) -> str | None:
            return value.strip() or None if isinstance(value, str) else value

        return replace(self, title=self.title.strip(), addressee=text(self.addressee),
                       reference=text(self.reference), salutation=text(self.salutation),
                       cosigner_ids=None if self.cosigner_ids is None else tuple(sorted(set(self.cosigner_ids))),
                       member_ids=tuple(sorted(set(self.member_ids))))


def parse_sections(text: str) -> list[dict[str, str | None]]:
    """Sections from pasted text: one per line, a leading "§ 3", "Art. 5", "Frage 2" or
    "1.2" becomes the label. Indented lines continue the previous section's body."""
    found: list[dict[str, str | None]] = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        if raw[:1].isspace() and found:
            body = found[-1]["body"]
            found[-1]["body"] = f"{body}\n{raw.strip()}" if body else raw.strip()
            continue
        match = _SECTION_LABEL.match(raw)
        label, title = (match["label"].strip(), match["title"].strip()) if match else (None, raw.strip())
        found.append({"id": None, "label": label, "title": title, "body": None})
    return found


def load(con: duckdb.DuckDBPyConnection, item_id: str) -> Workspace | None:
    """The workspace without permission check; library-internal."""
    row = store.get_workspace(con, item_id)
    if row is None:
        return None
    item = store.item_summary(con, item_id)
    return Workspace(
        item_id=row["item_id"], title=row["title"], status=row["status"], addressee=row["addressee"],
        reference=row["reference"], external_deadline=row["external_deadline"],
        member_input_due=row["member_input_due"], positions_shared=row["positions_shared"],
        cosigner_ids=row["cosigner_ids"], name_members=bool(row["name_members"]), quorum=row["quorum"],
        salutation=row["salutation"],
        sections=[Section(s["id"], s["ordinal"], s["label"], s["title"], s["body"])
                  for s in store.sections(con, item_id)],
        members=store.members_asked(con, item_id),
        link=item["link"] if item else None,
    )


def load_checked(con: duckdb.DuckDBPyConnection, user: User, item_id: str) -> Workspace:
    ws = load(con, item_id)
    if ws is None and user.is_team:
        raise UserError(f"Für die Meldung {item_id!r} gibt es keinen Arbeitsbereich.")
    permissions.require_workspace(user, ws.as_row() if ws else None, ws.member_ids if ws else frozenset())
    return ws  # type: ignore[return-value]  # require_workspace raised for None


def get_workspace(user: User, item_id: str) -> Workspace:
    with open_db() as con:
        return load_checked(con, user, item_id)


def workspaces_for(user: User) -> list[Workspace]:
    """The workspaces this user may see, soonest member deadline first."""
    with open_db() as con:
        found = [load(con, row["item_id"]) for row in store.list_workspaces(con)]
    return [ws for ws in found if ws and permissions.can_see_workspace(user, ws.as_row(), ws.member_ids)]


def candidates(user: User) -> list[dict[str, Any]]:
    """Items triaged as 'Stellungnahme geplant' that have no workspace yet."""
    permissions.require_team(user)
    with open_db() as con:
        return store.planned_items_without_workspace(con, TriageStatus.STELLUNGNAHME_GEPLANT)


def open_workspace(user: User, item_id: str, *, title: str | None = None, addressee: str | None = None,
                   reference: str | None = None, member_input_due: date | None = None) -> Workspace:
    """Create the workspace for an item; title and deadlines default to the item's."""
    permissions.require_team(user)
    now = datetime.now(UTC)
    with open_db() as con, transaction(con):
        item = store.item_summary(con, item_id)
        if item is None:
            raise UserError(f"Unbekannte Meldung {item_id!r}.")
        if store.get_workspace(con, item_id) is not None:
            raise UserError("Für diese Meldung gibt es bereits einen Arbeitsbereich.")
        store.insert_workspace(con, {
            "item_id": item_id, "title": (title or item["title"]).strip(), "addressee": addressee,
            "reference": reference, "external_deadline": item["deadline"],
            "member_input_due": item["member_input_due"], "status": WorkspaceStatus.VORBEREITUNG,
            "positions_shared": False, "name_members": False, "created_by": user.id, "created_at": now,
        })
    if member_input_due is not None:
        return update_workspace(user, item_id, member_input_due=member_input_due)
    return get_workspace(user, item_id)


def update_workspace(user: User, item_id: str, **changes: Any) -> Workspace:
    """Change title, addressee, reference, deadlines, status, sharing or co-signers."""
    permissions.require_team(user)
    unknown = set(changes) - set(store.EDITABLE_WS)
    if unknown:
        raise UserError(f"Unbekannte Felder: {', '.join(sorted(unknown))}")
    if "status" in changes and changes["status"] not in STATUSES:
        raise UserError(f"Unbekannter Status {changes['status']!r}.")
    if "title" in changes and not str(changes["title"]).strip():
        raise UserError("Der Titel der Konsultation darf nicht leer sein.")
    with open_db() as con:
        load_checked(con, user, item_id)
        triage_due = _triage_with_due(con, item_id, changes)
    with open_db() as con:
        with transaction(con):
            store.update_workspace(con, item_id, changes, user.id, datetime.now(UTC))
        if triage_due is not None and triage_due != triage_state(con, item_id):
            save_triage(con, item_id, triage_due, actor=user.id, at=datetime.now(UTC))
    return get_workspace(user, item_id)


def save_settings(user: User, loaded: WorkspaceSettings, wanted: WorkspaceSettings) -> list[str]:
    """Write the fields the user changed in a settings form to the workspace the form was
    loaded for, and nothing else; returns the labels of the fields written.

    A form loaded for one workspace can never write another (``UserError``), fields the
    user left alone are not written (so a stale form cannot undo someone else's change),
    and a field changed by someone else since the form was loaded is refused by name."""
    permissions.require_team(user)
    if wanted.item_id != loaded.item_id:
        raise UserError("Die Einstellungen wurden für eine andere Konsultation geladen und werden nicht "
                        "gespeichert. Bitte die Seite neu laden.")
    loaded, wanted = loaded.normalised(), wanted.normalised()
    if wanted.quorum is not None and wanted.quorum < 1:
        raise UserError("Die Mindestzahl für eine gemeinsame Position muss mindestens 1 sein.")
    changed = {name: getattr(wanted, name) for name in SETTING_LABELS if getattr(wanted, name) != getattr(loaded, name)}
    if not changed:
        return []
    current = WorkspaceSettings.of(get_workspace(user, loaded.item_id)).normalised()
    conflicts = [SETTING_LABELS[name] for name, value in changed.items()
                 if getattr(current, name) not in (getattr(loaded, name), value)]
    if conflicts:
        raise UserError("Inzwischen von jemand anderem geändert: " + ", ".join(conflicts)
                        + ". Bitte die Seite neu laden und die Änderung erneut eintragen.")
    written = [SETTING_LABELS[name] for name in changed]
    members = changed.pop("member_ids", None)
    if changed.get("cosigner_ids") is not None:
        changed["cosigner_ids"] = list(changed["cosigner_ids"])
    if changed:
        update_workspace(user, loaded.item_id, **changed)
    if members is not None:
        set_members(user, loaded.item_id, list(members))
    return written


def _triage_with_due(con: duckdb.DuckDBPyConnection, item_id: str, changes: dict[str, Any]) -> TriageState | None:
    """The triage state carrying a changed member input date, checked by the triage
    rules before anything is written (the date lives in the triage for alerts and
    the deadline calendar)."""
    if "member_input_due" not in changes:
        return None
    old = triage_state(con, item_id)
    new = replace(old, member_input_due=changes["member_input_due"])
    item = store.item_summary(con, item_id)
    problems = triage_rules.validate(new, old, item["deadline"] if item else None)
    if problems:
        raise UserError(" ".join(problems))
    return new


def set_sections(user: User, item_id: str, sections: list[dict[str, Any]]) -> Workspace:
    """Replace the list of sections; entries with an ``id`` keep it (and their positions)."""
    permissions.require_team(user)
    cleaned = [s for s in sections if str(s.get("title") or "").strip()]
    if not cleaned:
        raise UserError("Mindestens ein Abschnitt mit Titel ist nötig.")
    with open_db() as con, transaction(con):
        load_checked(con, user, item_id)
        store.replace_sections(con, item_id, cleaned)
    return get_workspace(user, item_id)


def set_members(user: User, item_id: str, organisation_ids: list[str]) -> Workspace:
    permissions.require_team(user)
    with open_db() as con, transaction(con):
        load_checked(con, user, item_id)
        known = {o["id"] for o in user_store.list_organisations(con)}
        unknown = [o for o in organisation_ids if o not in known]
        if unknown:
            raise UserError(f"Unbekannte Organisation(en): {', '.join(unknown)}")
        store.set_members(con, item_id, list(dict.fromkeys(organisation_ids)), datetime.now(UTC))
    return get_workspace(user, item_id)
