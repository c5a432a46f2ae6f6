"""Subscribable iCalendar feeds of deadlines (RFC 5545).

A calendar app that subscribes to a feed re-reads it and matches events by UID. The UID
is therefore derived from the item id and the kind of date only, never from the date:
when a deadline moves, the same event is updated (with a higher SEQUENCE) instead of a
second one appearing. Date-only deadlines become all-day events; deadlines with a time
are written in Europe/Berlin with a VTIMEZONE, so "23:59 Brüssel" shows correctly.

Pure: entries in, bytes out. Reading the entries from the database is someone else's job.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event, Timezone

from tracker.clock import BERLIN

TZID = BERLIN.key
PRODID = "-//Konsultationsradar//Fristen//DE"
UID_DOMAIN = "konsultationsradar"
KINDS = ("external", "member_input", "board_signoff")
KIND_LABELS = {
    "external": "Frist",
    "member_input": "Input der Mitglieder fällig",
    "board_signoff": "Freigabe durch den Vorstand",
}
# Berlin's rules have not changed since 1996; a window around today keeps the VTIMEZONE
# small while covering every deadline a tracker realistically holds.
_TZ_FIRST = date(2020, 1, 1)
_TZ_LAST = date(2040, 1, 1)


@dataclass(frozen=True)
class DeadlineEntry:
    """One date to put in a calendar: an external deadline or an internal one.

    ``deadline_at`` (aware; naive is read as UTC, as the database stores it) makes a timed
    event; otherwise ``deadline`` makes an all-day event. ``sequence`` counts how often
    this date moved and ``modified_at`` is when it last did: calendar clients use them to
    prefer the newer version of an event.
    """

    item_id: str
    title: str
    deadline: date
    deadline_at: datetime | None = None
    kind: str = "external"
    topics: tuple[str, ...] = ()
    link: str | None = None
    source: str | None = None
    sequence: int = 0
    modified_at: datetime | None = None
    detail: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown deadline kind {self.kind!r}; expected one of {KINDS}")


def event_uid(item_id: str, kind: str) -> str:
    """The stable UID of one item's date of one kind: same input, same UID, forever."""
    digest = hashlib.sha256(f"{item_id}\x1f{kind}".encode()).hexdigest()[:32]
    return f"{digest}-{kind}@{UID_DOMAIN}"


def _as_berlin(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(BERLIN)


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _description(entry: DeadlineEntry, labels: dict[str, str]) -> str:
    lines = [f"{KIND_LABELS[entry.kind]}: {entry.title}"]
    if entry.deadline_at is not None:
        lines.append(f"Fristende: {_as_berlin(entry.deadline_at):%d.%m.%Y %H:%M} Uhr (Berliner Zeit)")
    else:
        lines.append(f"Fristende: {entry.deadline:%d.%m.%Y}")
    if entry.topics:
        lines.append("Themen: " + ", ".join(labels.get(t, t) for t in entry.topics))
    if entry.source:
        lines.append(f"Quelle: {entry.source}")
    if entry.detail:
        lines.append(entry.detail)
    if entry.link:
        lines.append(entry.link)
    return "\n".join(lines)


def _event(entry: DeadlineEntry, stamp: datetime, labels: dict[str, str]) -> Event:
    event = Event()
    event.add("uid", event_uid(entry.item_id, entry.kind))
    event.add("dtstamp", stamp)
    event.add("summary", f"{KIND_LABELS[entry.kind]}: {entry.title}")
    if entry.deadline_at is not None:
        # A deadline is a moment: DTSTART without DTEND/DURATION is a zero-length event.
        event.add("dtstart", _as_berlin(entry.deadline_at))
    else:
        event.add("dtstart", entry.deadline)
        event.add("dtend", entry.deadline + timedelta(days=1))
    event.add("sequence", max(0, entry.sequence))
    if entry.modified_at is not None:
        event.add("last-modified", _as_utc(entry.modified_at))
    event.add("transp", "TRANSPARENT")
    event.add("description", _description(entry, labels))
    if entry.topics:
        event.add("categories", [labels.get(t, t) for t in entry.topics])
    if entry.link:
        event.add("url", entry.link)
    return event


def for_topic(entries: Iterable[DeadlineEntry], topic: str) -> list[DeadlineEntry]:
    """The entries tagged with ``topic``: a per-topic calendar is the full one, filtered."""
    return [entry for entry in entries if topic in entry.topics]


def deadlines_calendar(entries: Iterable[DeadlineEntry], *, name: str,
                       generated_at: datetime | None = None, topic_labels: dict[str, str] | None = None) -> bytes:
    """One VCALENDAR with an event per entry, ordered by date, as bytes (CRLF lines).

    ``generated_at`` is the DTSTAMP of events without ``modified_at``; pass it to make the
    output reproducible. Two entries with the same item and kind keep the later version.
    Topics are written with their German labels from ``topic_labels`` (id → label).
    """
    labels = topic_labels or {}
    stamp = _as_utc(generated_at or datetime.now(UTC)).replace(microsecond=0)
    latest: dict[tuple[str, str], DeadlineEntry] = {}
    for entry in entries:
        key = (entry.item_id, entry.kind)
        if key not in latest or entry.sequence >= latest[key].sequence:
            latest[key] = entry

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", TZID)
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    cal.add_component(Timezone.from_tzid(TZID, first_date=_TZ_FIRST, last_date=_TZ_LAST))
    ordered = sorted(latest.values(), key=lambda e: (e.deadline, e.item_id, KINDS.index(e.kind)))
    for entry in ordered:
        event_stamp = _as_utc(entry.modified_at).replace(microsecond=0) if entry.modified_at else stamp
        cal.add_component(_event(entry, event_stamp, labels))
    return cal.to_ical()
