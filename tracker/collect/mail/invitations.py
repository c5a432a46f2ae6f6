"""Calendar invitations (iCalendar, RFC 5545/5546) in mails as dated hearings.

``hearings_of`` reads every event of an invitation with icalendar: its UID, SEQUENCE and
DTSTAMP (which version it is), METHOD and STATUS (a cancellation), start and end in their
time zone (a TZID of the IANA database, a VTIMEZONE the sender defined, UTC, or floating
times, which are read as Berlin time), place and organiser. ``merged`` decides what a
newly arrived version does to the stored one: the later version wins, a cancellation of
the same version wins over the invitation. Pure functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, time

import icalendar

from tracker.clock import BERLIN
from tracker.vocabulary import HearingStatus

CANCEL = "CANCEL"


@dataclass(frozen=True)
class Hearing:
    """One version of a hearing as an invitation states it."""

    uid: str
    sequence: int
    status: str  # HearingStatus
    stamped_at: datetime | None = None  # DTSTAMP (UTC)
    summary: str | None = None
    location: str | None = None
    organizer: str | None = None
    starts_at: datetime | None = None  # UTC; None for an all-day event
    ends_at: datetime | None = None
    all_day: bool = False
    start_day: date | None = None  # the local (or all-day) day it takes place
    time_zone: str | None = None

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, datetime | date):
                data[key] = value.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Hearing:
        values = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        for key in ("stamped_at", "starts_at", "ends_at"):
            if values.get(key):
                values[key] = datetime.fromisoformat(str(values[key]))
        if values.get("start_day"):
            values["start_day"] = date.fromisoformat(str(values["start_day"]))
        return cls(**values)  # type: ignore[arg-type]


def _text(component: icalendar.cal.Component, name: str) -> str | None:
    value = component.get(name)
    if value is None:
        return None
    text = str(value).strip()
    if name == "ORGANIZER":
        common = getattr(value, "params", {}).get("CN")
        address = text.removeprefix("mailto:").removeprefix("MAILTO:")
        return f"{common} <{address}>" if common else address
    return text or None


def _moment(component: icalendar.cal.Component, name: str) -> tuple[datetime | date | None, str | None]:
    prop = component.get(name)
    if prop is None:
        return None, None
    value = component.decoded(name)
    zone = prop.params.get("TZID") if hasattr(prop, "params") else None
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=BERLIN)  # a floating time: the sender's local time
        zone = zone or "Europe/Berlin (ohne Zeitzone angegeben)"
    elif isinstance(value, datetime) and zone is None and value.utcoffset() == UTC.utcoffset(None):
        zone = "UTC"
    return value, (str(zone) if zone else None)


def hearings_of(data: bytes) -> list[Hearing]:
    """Every event of an iCalendar document; ValueError when it is no calendar at all."""
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except Exception as exc:  # icalendar raises ValueError and others for broken input
        raise ValueError(f"keine lesbare Kalenderdatei: {exc}") from exc
    method = str(calendar.get("METHOD", "")).strip().upper()
    found: dict[str, Hearing] = {}
    for event in calendar.walk("VEVENT"):
        uid = _text(event, "UID")
        if not uid or event.get("RECURRENCE-ID") is not None:
            continue  # a single occurrence of a series is not a hearing of its own
        start, zone = _moment(event, "DTSTART")
        end, _ = _moment(event, "DTEND")
        cancelled = method == CANCEL or str(event.get("STATUS", "")).strip().upper() == "CANCELLED"
        try:
            sequence = int(event.get("SEQUENCE", 0))
        except (TypeError, ValueError):
            sequence = 0
        stamp = event.decoded("DTSTAMP") if event.get("DTSTAMP") is not None else None
        all_day = isinstance(start, date) and not isinstance(start, datetime)
        hearing = Hearing(
            uid=uid, sequence=sequence,
            status=HearingStatus.CANCELLED if cancelled else HearingStatus.PLANNED,
            stamped_at=stamp.astimezone(UTC) if isinstance(stamp, datetime) and stamp.tzinfo else None,
            summary=_text(event, "SUMMARY"), location=_text(event, "LOCATION"), organizer=_text(event, "ORGANIZER"),
            starts_at=start.astimezone(UTC) if isinstance(start, datetime) else None,
            ends_at=end.astimezone(UTC) if isinstance(end, datetime) else None,
            all_day=all_day,
            start_day=(start if all_day else start.astimezone(BERLIN).date()) if start is not None else None,
            time_zone=zone,
        )
        found[uid] = _later(found.get(uid), hearing)
    return list(found.values())


def _version(hearing: Hearing) -> tuple[int, datetime, bool]:
    return (hearing.sequence, hearing.stamped_at or datetime.min.replace(tzinfo=UTC),
            hearing.status == HearingStatus.CANCELLED)


def _later(stored: Hearing | None, incoming: Hearing) -> Hearing:
    if stored is None or _version(incoming) > _version(stored):
        return incoming
    return stored


def merged(stored: Mapping[str, Hearing], incoming: Iterable[Hearing]) -> list[Hearing]:
    """The versions to store: each incoming one that is newer than what is stored (a higher
    SEQUENCE, the same with a later DTSTAMP, or a cancellation of the same version). An
    update of a stored hearing is "geändert"; a cancellation keeps the last known date
    and place when the cancelling message leaves them out."""
    result: dict[str, Hearing] = {}
    for hearing in incoming:
        current = result.get(hearing.uid) or stored.get(hearing.uid)
        if current is not None and _later(current, hearing) is current:
            continue
        if current is not None and hearing.status == HearingStatus.CANCELLED:
            hearing = replace(hearing, starts_at=hearing.starts_at or current.starts_at,
                              ends_at=hearing.ends_at or current.ends_at,
                              start_day=hearing.start_day or current.start_day,
                              location=hearing.location or current.location,
                              summary=hearing.summary or current.summary)
        elif current is not None and _moved(current, hearing):
            hearing = replace(hearing, status=HearingStatus.UPDATED)
        elif current is not None:
            hearing = replace(hearing, status=current.status if current.status != HearingStatus.CANCELLED
                              else HearingStatus.PLANNED)
        result[hearing.uid] = hearing
    return list(result.values())


def _moved(old: Hearing, new: Hearing) -> bool:
    return (old.starts_at, old.ends_at, old.start_day, old.location) != (
        new.starts_at, new.ends_at, new.start_day, new.location)


def local_time(moment: datetime | None) -> time | None:
    return moment.astimezone(BERLIN).time() if moment is not None else None
