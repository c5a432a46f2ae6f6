"""Pieces every dashboard page uses: error guard, demo banner, labels, badges."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import streamlit as st

from tracker.errors import UserError
from tracker.judge.taxonomy import Taxonomy, load_taxonomy
from tracker.storage import DatabaseLockedError
from tracker.vocabulary import DONE_STATUSES, TriageStatus
from tracker.work import inbox, triage, workdays

BERLIN = ZoneInfo("Europe/Berlin")
URGENCY_COLOURS = {"abgelaufen": "#6b7280", "kritisch": "#dc2626", "bald": "#d97706",
                   "spaeter": "#2563eb", "keine": "#9ca3af"}


def today() -> date:
    """Today in Berlin: the team's deadlines are German calendar days."""
    return datetime.now(UTC).astimezone(BERLIN).date()


def land() -> str:
    return workdays.configured_land()


@contextmanager
def guarded() -> Iterator[None]:
    """Show database and user errors as one line instead of a traceback, then stop the page."""
    try:
        yield
    except DatabaseLockedError:
        st.warning("Die Datenbank ist gerade durch einen anderen Vorgang (z. B. eine Sammlung) "
                   "belegt. Bitte in einigen Sekunden neu laden.")
        st.stop()
    except UserError as exc:
        st.error(str(exc))
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
    return value.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M")


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
