"""Pieces every dashboard page uses: error guard, demo banner, labels, badges."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import lru_cache

import duckdb
import streamlit as st

from tracker import clock
from tracker.access import auth
from tracker.clock import BERLIN
from tracker.errors import UserError
from tracker.judge.taxonomy import Taxonomy, load_taxonomy
from tracker.storage import DatabaseLockedError
from tracker.vocabulary import DONE_STATUSES, MailReading, RunOutcome, TriageStatus
from tracker.work import inbox, lateness, triage, workdays

log = logging.getLogger(__name__)
URGENCY_COLOURS = {"abgelaufen": "#6b7280", "kritisch": "#dc2626", "bald": "#d97706",
                   "spaeter": "#2563eb", "keine": "#9ca3af"}


today = clock.today


def land() -> str:
    return workdays.configured_land()


DATABASE_BUSY = ("Die Datenbank ist gerade durch einen anderen Vorgang (z. B. eine Sammlung) "
                 "belegt. Bitte in einigen Sekunden neu laden.")
DATABASE_FAILED = ("Die Datenbank konnte die Anfrage gerade nicht ausführen. Bitte die Seite neu laden; "
                   "bleibt der Fehler, steht der Grund im Protokoll des Servers.")


@contextmanager
def guarded() -> Iterator[None]:
    """Show database and user errors as one line instead of a traceback, then stop the page.

    A database error the code did not foresee (a write conflict, say) is logged with its
    traceback for the operator; the page says in German what happened, nothing more."""
    try:
        yield
    except DatabaseLockedError:
        st.warning(DATABASE_BUSY)
        st.stop()
    except UserError as exc:
        st.error(str(exc))
        st.stop()
    except duckdb.Error:
        log.exception("database error on a dashboard page")
        st.error(DATABASE_FAILED)
        st.stop()


@contextmanager
def reported() -> Iterator[None]:
    """Show a user error of one action as one line and let the rest of the page go on."""
    try:
        yield
    except UserError as exc:
        st.error(str(exc))


@lru_cache(maxsize=1)
def _taxonomy() -> Taxonomy | None:
    try:
        return load_taxonomy()
    except (UserError, OSError):
        return None


def topic_labels() -> dict[str, str]:
    """German topic labels from the taxonomy; ids stand in while it cannot be read."""
    taxonomy = _taxonomy()
    return {tid: topic.label_de for tid, topic in taxonomy.topics.items()} if taxonomy else {}


def relevance_threshold() -> float | None:
    """The score from which the judge calls an item relevant, if the taxonomy can be read."""
    taxonomy = _taxonomy()
    return taxonomy.settings.threshold if taxonomy else None


def topic_label(topic_id: str) -> str:
    return topic_labels().get(topic_id, topic_id)


def demo_banner(shift_days: int | None) -> None:
    if shift_days is None:
        return
    if shift_days:
        st.info(f"Hinweis: Hier sind Demodaten zu sehen. Alle Datumsangaben wurden um {shift_days} "
                "Tage verschoben, damit die Fristen in der Zukunft liegen.", icon=":material/science:")
    else:
        st.info("Hinweis: Hier sind unverschobene Demodaten zu sehen.", icon=":material/science:")


def badge(text: str, colour: str) -> str:
    """A small coloured label; ``text`` is escaped here, callers pass plain words."""
    return (f'<span style="background:{colour};color:#fff;border-radius:0.4rem;'
            f'padding:0.05rem 0.45rem;font-size:0.78rem;margin-right:0.3rem;white-space:nowrap">'
            f"{html.escape(text)}</span>")


def deadline_badge(deadline: date | None, day: date) -> str:
    level = inbox.urgency(deadline, day, land())
    if level == "keine":
        return ""
    return badge(inbox.deadline_phrase(deadline, day, land()), URGENCY_COLOURS[level])


def possible_deadline_badge(deadline: date | None, possible: date | None, day: date) -> str:
    """"Frist prüfen" on an item whose text may name a deadline (``inbox.possible_deadline_to_check``)."""
    to_check = inbox.possible_deadline_to_check(deadline, possible, day)
    return badge(f"Frist prüfen: {to_check:%d.%m.%Y}?", "#a16207") if to_check else ""


BASELINE_LABEL = "Erstimport"
BASELINE_HELP = ("Beim ersten Abruf der Quelle (oder dem ersten nach langer Pause) gespeichert: "
                 "Bestand, keine Neuigkeit, daher ohne Benachrichtigung")
LATE_LABEL = "spät entdeckt"


def arrival_badges(first_seen_at: datetime | None, deadline: date | None, baseline: bool,
                   mail_reading: str | None = None) -> list[str]:
    """How an item arrived: as part of a source's first import, late before its deadline, as
    a mail that could not be read whole."""
    marks = []
    if baseline:
        marks.append(badge(BASELINE_LABEL, "#64748b"))
    if lateness.is_late(first_seen_at, deadline, land()):
        marks.append(badge(LATE_LABEL, "#b45309"))
    if mail_reading and mail_reading != MailReading.READ:
        marks.append(badge(f"E-Mail {MailReading.label_of(mail_reading)}", "#dc2626"))
    return marks


def status_badge(status: str | None) -> str:
    colour = "#16a34a" if status in DONE_STATUSES else (
        "#9ca3af" if status == TriageStatus.IRRELEVANT else "#7c3aed")
    return badge(triage.status_label(status), colour)


def fmt_datetime(value: datetime | None) -> str:
    """A moment as the team reads it: Berlin time, German order ("04.12.2026 18:03")."""
    if value is None:
        return "–"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M")
    except (OverflowError, ValueError):  # stored before dates were checked at the door (year 9999)
        return f"{value.isoformat()} (Datum nicht plausibel)"


DATE_FIELD_LABELS = {"published": "veröffentlicht", "updated": "aktualisiert", "deadline": "Frist",
                     "deadline_at": "Frist mit Uhrzeit", "opening_date": "Beginn"}


def implausible_dates_note(extra: dict[str, object]) -> str | None:
    """One line naming the dates a source sent that were not plausible (kept raw, not used)."""
    flagged = extra.get("implausible_dates")
    if not isinstance(flagged, dict) or not flagged:
        return None
    listed = "; ".join(f"{DATE_FIELD_LABELS.get(str(name), str(name))}: {value}" for name, value in flagged.items())
    return f"Datum nicht plausibel, daher nicht verwendet (Rohwert der Quelle): {listed}"


def run_end(finished_at: datetime | None, outcome: str | None) -> str:
    """When a collection run ended, or that it is still running or was aborted (no known end)."""
    if finished_at is not None:
        return fmt_datetime(finished_at)
    return RunOutcome.label_of(outcome, "läuft noch")


def person(login: str | None) -> str:
    """Who did something, by display name; a login no longer known stays as it was recorded.
    The names are read once per session and again only for a login not seen before (a user
    created since), so a table of unknown logins costs one read, not one per row."""
    if not login:
        return ""
    names: dict[str, str] = st.session_state.get("display_names", {})
    if login not in names:
        names = {**names, **auth.display_names()}
        names.setdefault(login, login)
        st.session_state["display_names"] = names
    return names[login]


def fmt_date(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else "–"


def fmt_number(value: float | None, digits: int = 2) -> str:
    """A decimal with a German comma ("0,87"); "–" for nothing."""
    if value is None:
        return "–"
    return f"{value:.{digits}f}".replace(".", ",")


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def fmt_value(value: object) -> str:
    """Any stored value for a table cell: dates and times German (Berlin), decimals with a
    comma, yes/no in German, nothing as "–" (never "None")."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, datetime):
        return fmt_datetime(value)
    if isinstance(value, date):
        return fmt_date(value)
    if isinstance(value, float):
        return fmt_number(value)
    if isinstance(value, str) and _ISO_DATE.match(value):
        return fmt_date(date.fromisoformat(value))
    if isinstance(value, str) and "T" in value and _ISO_DATE.match(value[:10]):
        try:
            return fmt_datetime(datetime.fromisoformat(value))
        except ValueError:
            return value
    return str(value)
