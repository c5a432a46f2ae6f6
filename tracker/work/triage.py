"""Triage rules: the statuses an item moves through and the internal dates of a hearing.

Pure functions only. The dashboard asks these rules before it writes, so the CLI, alerts
and statements see the same meaning of "open" and the same proposed dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tracker import settings
from tracker.vocabulary import OPEN_STATUSES, OWNER_REQUIRED_STATUSES, TriageStatus
from tracker.work import workdays

STATUSES = TriageStatus.codes()
DEFAULT_STATUS = TriageStatus.NEU

TRIAGE_FIELDS = ("status", "owner", "member_input_due", "board_signoff_due")
TRIAGE_FIELD_LABELS = {"status": "Status", "owner": "Verantwortlich", "member_input_due": "Input der Mitglieder bis",
                       "board_signoff_due": "Freigabe durch den Vorstand bis"}

# Working days before the external deadline. Board sign-off must come last, member input
# early enough that the office can merge the positions before the board reads them.
DEFAULT_MEMBER_INPUT_WORKDAYS = settings.Settings.member_input_workdays
DEFAULT_BOARD_SIGNOFF_WORKDAYS = settings.Settings.board_signoff_workdays


@dataclass(frozen=True)
class TriageState:
    status: str = DEFAULT_STATUS
    owner: str | None = None
    member_input_due: date | None = None
    board_signoff_due: date | None = None

    def value(self, name: str) -> object:
        return getattr(self, name)


@dataclass(frozen=True)
class InternalDates:
    member_input_due: date
    board_signoff_due: date
    warnings: tuple[str, ...] = field(default_factory=tuple)


def event_value_label(field_name: str, value: str | None) -> str:
    """A stored triage event value as the team reads it: status labels, German dates, "–"."""
    if value is None or value == "":
        return "–"
    if field_name == "status":
        return status_label(value)
    if field_name in ("member_input_due", "board_signoff_due"):
        try:
            return date.fromisoformat(value).strftime("%d.%m.%Y")
        except ValueError:
            return value
    return value


def status_label(status: str | None) -> str:
    return TriageStatus.label_of(status or DEFAULT_STATUS)


def is_open(status: str | None) -> bool:
    return (status or DEFAULT_STATUS) in OPEN_STATUSES


def lead_times() -> tuple[int, int]:
    """(member input, board sign-off) in working days before the deadline, from settings."""
    configured = settings.get()
    return configured.member_input_workdays, configured.board_signoff_workdays


def _first_working_day_from(day: date, land: str | None) -> date:
    return day if workdays.is_working_day(day, land) else workdays.add_working_days(day, 1, land)


def propose_internal_dates(deadline: date, today: date, *, land: str | None = None,
                           member_input_workdays: int = DEFAULT_MEMBER_INPUT_WORKDAYS,
                           board_signoff_workdays: int = DEFAULT_BOARD_SIGNOFF_WORKDAYS
                           ) -> InternalDates:
    """Count back from the deadline in working days (public holidays of ``land`` excluded).

    A short hearing may leave less time than the usual lead times: the dates are then
    squeezed into the days that remain (never before today) and a warning says so.
    """
    if member_input_workdays < board_signoff_workdays:
        raise ValueError("Mitgliederrückmeldung muss vor der Vorstandsfreigabe liegen")
    board = workdays.add_working_days(deadline, -board_signoff_workdays, land)
    member = workdays.add_working_days(deadline, -member_input_workdays, land)
    warnings: list[str] = []
    if deadline < today:
        return InternalDates(member, board, ("Die Frist ist bereits abgelaufen.",))
    start = _first_working_day_from(today, land)
    if member < start:
        left = workdays.working_days_between(today, deadline, land)
        warnings.append(
            f"Nur noch {left} Arbeitstag(e) bis zur Frist: die Mitgliederbeteiligung ist verkürzt."
        )
        member = min(start, deadline)
        if board < member:
            board = member
    return InternalDates(member, board, tuple(warnings))


def validate(new: TriageState, old: TriageState, deadline: date | None, *, has_workspace: bool = False) -> list[str]:
    """Problems that block saving ``new``; empty when the change may be stored.
    ``has_workspace``: a workspace for the joint statement exists, which is a planned statement."""
    problems: list[str] = []
    if new.status not in STATUSES:
        problems.append(f"Unbekannter Status {new.status!r}.")
    if new.status in OWNER_REQUIRED_STATUSES and not (new.owner or "").strip():
        problems.append(f"Status „{status_label(new.status)}“ braucht eine verantwortliche Person.")
    if new.status == TriageStatus.ABGEGEBEN and not has_workspace and old.status not in (
            TriageStatus.STELLUNGNAHME_GEPLANT, TriageStatus.ABGEGEBEN):
        problems.append("„Abgegeben“ setzt eine geplante Stellungnahme voraus.")
    if new.member_input_due and new.board_signoff_due and new.member_input_due > new.board_signoff_due:
        problems.append("Die Mitgliederrückmeldung muss vor der Vorstandsfreigabe liegen.")
    if deadline:
        for name, label in (("member_input_due", "Mitgliederrückmeldung"),
                            ("board_signoff_due", "Vorstandsfreigabe")):
            value = new.value(name)
            if value and value > deadline:
                problems.append(f"{label} liegt nach der Frist ({deadline:%d.%m.%Y}).")
    return problems


def changes(old: TriageState, new: TriageState) -> list[tuple[str, str | None, str | None]]:
    """(field, old, new) for every field that differs, values as stored in triage_events."""
    def text(value: object) -> str | None:
        if value is None or value == "":
            return None
        return value.isoformat() if isinstance(value, date) else str(value)

    return [(name, text(old.value(name)), text(new.value(name)))
            for name in TRIAGE_FIELDS if text(old.value(name)) != text(new.value(name))]
