"""Member positions per section, the position matrix, who has not answered, CSV.

Reading goes through ``matrix(user, item_id)``: a member's matrix holds only its own
organisation's positions unless the team shared the positions of the workspace; the
filter is applied in the query, so other members' rows never reach the page.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tracker.access import permissions
from tracker.errors import UserError
from tracker.models import User
from tracker.storage import open_db
from tracker.storage import positions as store
from tracker.storage.connection import transaction
from tracker.vocabulary import Stance
from tracker.work import workspaces

if TYPE_CHECKING:
    import altair as alt

# Colours of the matrix; the extra code stands for a section not answered yet.
NOT_ANSWERED = "offen"
STANCE_COLOURS = {Stance.ZUSTIMMUNG: "#2e7d32", Stance.AENDERUNGEN: "#f9a825", Stance.ABLEHNUNG: "#c62828",
                  Stance.KEINE: "#9e9e9e", NOT_ANSWERED: "#d5dde3"}
MAX_TEXT = 20_000
# Control characters cannot be stored in a DOCX (XML 1.0) and have no business in a statement.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def clean_text(text: str | None) -> str:
    """Member or team input as stored: stripped, without control characters."""
    return _CONTROL.sub("", (text or "").replace("\r\n", "\n")).strip()


@dataclass(frozen=True)
class Position:
    section_id: int
    organisation_id: str
    stance: str
    reason: str = ""
    proposed_wording: str = ""
    updated_by: str = ""
    updated_at: datetime | None = None

    @property
    def ref(self) -> str:
        """Stable reference used by draft paragraphs: ``<section id>:<organisation id>``."""
        return f"{self.section_id}:{self.organisation_id}"

    @property
    def stance_label(self) -> str:
        return Stance.label_of(self.stance)


@dataclass
class Matrix:
    workspace: workspaces.Workspace
    organisations: list[dict[str, Any]]        # the organisations this user may see
    cells: dict[tuple[int, str], Position]

    def get(self, section_id: int, organisation_id: str) -> Position | None:
        return self.cells.get((section_id, organisation_id))

    def missing(self) -> dict[str, list[int]]:
        """Organisation id -> sections it has not answered yet (only organisations with gaps)."""
        gaps: dict[str, list[int]] = {}
        for org in self.organisations:
            open_ids = [s.id for s in self.workspace.sections if (s.id, org["id"]) not in self.cells]
            if open_ids:
                gaps[org["id"]] = open_ids
        return gaps

    def not_answered(self) -> list[dict[str, Any]]:
        """Organisations that have not entered any position yet."""
        answered = {org for _, org in self.cells}
        return [o for o in self.organisations if o["id"] not in answered]

    def participants(self) -> list[dict[str, Any]]:
        answered = {org for _, org in self.cells}
        return [o for o in self.organisations if o["id"] in answered]

    def rows(self) -> list[dict[str, Any]]:
        """Long form, one row per (section, organisation), unanswered cells included."""
        out = []
        for s in self.workspace.sections:
            for org in self.organisations:
                p = self.cells.get((s.id, org["id"]))
                out.append({
                    "abschnitt_nr": s.ordinal, "abschnitt": s.heading, "organisation_id": org["id"],
                    "organisation": org["short_name"] or org["name"],
                    "haltung_code": p.stance if p else NOT_ANSWERED,
                    "haltung": p.stance_label if p else "noch offen",
                    "begruendung": p.reason if p else "", "formulierung": p.proposed_wording if p else "",
                    "geaendert_von": p.updated_by if p else "",
                    "geaendert_am": p.updated_at.isoformat(timespec="minutes") if p and p.updated_at else "",
                })
        return out


def _to_position(row: dict[str, Any]) -> Position:
    return Position(row["section_id"], row["organisation_id"], row["stance"], row["reason"] or "",
                    row["proposed_wording"] or "", row["updated_by"], row["updated_at"])


def matrix(user: User, item_id: str) -> Matrix:
    """The position matrix as far as ``user`` may read it."""
    with open_db() as con:
        ws = workspaces.load_checked(con, user, item_id)
        row = ws.as_row()
        if user.is_team or ws.positions_shared:
            rows = store.positions(con, item_id)
        else:
            rows = store.positions(con, item_id, organisation_id=user.organisation_id or "")
    orgs = [o for o in ws.members if permissions.can_read_position(user, row, o["id"])]
    visible = {o["id"] for o in orgs}
    cells = {(r["section_id"], r["organisation_id"]): _to_position(r)
             for r in rows if r["organisation_id"] in visible}
    return Matrix(ws, orgs, cells)


def record_position(user: User, item_id: str, section_id: int, organisation_id: str, stance: str,
                    reason: str = "", proposed_wording: str = "") -> Position:
    """Enter or change one organisation's position on one section."""
    if stance not in Stance.codes():
        raise UserError(f"Unbekannte Haltung {stance!r}; erlaubt: {', '.join(Stance.labels().values())}.")
    reason, proposed_wording = clean_text(reason), clean_text(proposed_wording)
    if len(reason) > MAX_TEXT or len(proposed_wording) > MAX_TEXT:
        raise UserError(f"Begründung und Formulierung dürfen je höchstens {MAX_TEXT} Zeichen haben.")
    now = datetime.now(UTC)
    with open_db() as con, transaction(con):
        ws = workspaces.load_checked(con, user, item_id)
        if organisation_id not in ws.member_ids:
            raise permissions.PermissionDenied("Diese Organisation ist für die Konsultation nicht angefragt.")
        permissions.require_edit_position(user, ws.as_row(), organisation_id)
        if store.section_item(con, section_id) != item_id:
            raise UserError("Dieser Abschnitt gehört nicht zu der Konsultation.")
        store.upsert_position(con, {
            "section_id": section_id, "organisation_id": organisation_id, "item_id": item_id,
            "stance": stance, "reason": reason, "proposed_wording": proposed_wording,
            "updated_by": user.id, "updated_at": now,
        })
    return Position(section_id, organisation_id, stance, reason, proposed_wording, user.id, now)


def _cell(value: object) -> object:
    # Member text opened in a spreadsheet must not run as a formula.
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def matrix_csv(m: Matrix) -> str:
    """CSV (semicolon-separated, as German Excel expects) of the matrix in long form."""
    buffer = io.StringIO()
    rows = [{k: _cell(v) for k, v in row.items()} for row in m.rows()]
    fields = list(rows[0]) if rows else ["abschnitt_nr", "abschnitt", "organisation", "haltung"]
    writer = csv.DictWriter(buffer, fieldnames=fields, delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def matrix_chart(m: Matrix) -> alt.Chart:
    """Altair heat map: sections down, organisations across, colour = stance."""
    import altair as alt
    import pandas as pd

    frame = pd.DataFrame(m.rows())
    codes = list(STANCE_COLOURS)
    labels = [*Stance.labels().values(), "noch offen"]
    return (
        alt.Chart(frame)
        .mark_rect(stroke="white", strokeWidth=2)
        .encode(
            x=alt.X("organisation:N", title=None, axis=alt.Axis(labelAngle=-30)),
            y=alt.Y("abschnitt:N", title=None, sort=[s.heading for s in m.workspace.sections],
                    axis=alt.Axis(labelLimit=320)),
            color=alt.Color("haltung_code:N", title="Haltung",
                            scale=alt.Scale(domain=codes, range=[STANCE_COLOURS[c] for c in codes]),
                            legend=alt.Legend(labelExpr=_label_expr(codes, labels), labelLimit=240)),
            tooltip=["abschnitt", "organisation", "haltung", "begruendung", "formulierung"],
        )
        .properties(height=alt.Step(36))  # one band per section, however many there are
    )


def _label_expr(codes: list[str], labels: list[str]) -> str:
    parts = [f"datum.value == '{c}' ? '{label}'" for c, label in zip(codes, labels, strict=True)]
    return " : ".join(parts) + " : datum.value"
