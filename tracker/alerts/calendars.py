"""Deadline calendars from the database: all deadlines, and one calendar per topic.

Which dates belong in a calendar: items still open in triage that are judged relevant or
that the team watches, with their external deadline and the internal dates set in triage.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from tracker import clock
from tracker.alerts.ical import DeadlineEntry, deadlines_calendar, for_topic
from tracker.judge import taxonomy
from tracker.storage import alerts as store
from tracker.storage import open_db
from tracker.vocabulary import FOLLOWED_STATUSES
from tracker.work import triage

# Keep recently passed deadlines so a subscribed calendar does not lose them the day after.
KEEP_PAST = timedelta(days=60)
ALL_NAME = "Konsultationsradar – alle Fristen"
ALL_FILE = "fristen.ics"


def _wanted(row: dict[str, Any]) -> bool:
    if not triage.is_open(row["status"]):
        return False
    return bool(row["relevant"]) or row["status"] in FOLLOWED_STATUSES


def entries_from_rows(rows: Sequence[dict[str, Any]]) -> list[DeadlineEntry]:
    entries = []
    for row in rows:
        if not _wanted(row):
            continue
        common = dict(item_id=row["item_id"], title=row["title"], topics=tuple(row["topics"]),
                      link=row["link"], source=row["source"])
        if row["deadline"] is not None:
            entries.append(DeadlineEntry(**common, deadline=row["deadline"], deadline_at=row["deadline_at"],
                                         kind="external", sequence=int(row["moves"] or 0),
                                         modified_at=row["moved_at"]))
        for kind, column in (("member_input", "member_input_due"), ("board_signoff", "board_signoff_due")):
            if row[column] is not None:
                entries.append(DeadlineEntry(**common, deadline=row[column], kind=kind))
    return entries


def deadline_entries(*, today: date | None = None, db_path: Path | None = None,
                     include_demo: bool = False) -> list[DeadlineEntry]:
    today = today or clock.today()
    with open_db(db_path) as con:
        rows = store.deadline_rows(con, since=today - KEEP_PAST, include_demo=include_demo)
    return entries_from_rows(rows)


def calendar_files(entries: Sequence[DeadlineEntry], *, generated_at: datetime | None = None,
                   topic_labels: dict[str, str] | None = None) -> dict[str, bytes]:
    """File name -> iCalendar bytes: ``fristen.ics`` plus ``fristen-<topic>.ics`` per topic present."""
    labels = taxonomy.topic_labels() if topic_labels is None else topic_labels
    files = {ALL_FILE: deadlines_calendar(entries, name=ALL_NAME, generated_at=generated_at, topic_labels=labels)}
    for topic in sorted({t for e in entries for t in e.topics}):
        name = f"Konsultationsradar – Fristen {labels.get(topic, topic)}"
        files[f"fristen-{topic}.ics"] = deadlines_calendar(for_topic(entries, topic), name=name,
                                                           generated_at=generated_at, topic_labels=labels)
    return files


def write_calendars(out_dir: Path, *, today: date | None = None, db_path: Path | None = None) -> list[Path]:
    """Write every calendar into ``out_dir`` atomically (a subscriber never reads half a file)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in calendar_files(deadline_entries(today=today, db_path=db_path)).items():
        target = out_dir / name
        partial = target.with_suffix(".ics.part")
        partial.write_bytes(data)
        partial.replace(target)
        written.append(target)
    return written
