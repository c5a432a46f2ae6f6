"""The deadline calendars parse, sit in Berlin time and keep their UIDs when dates move."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar

from tracker.alerts.ical import DeadlineEntry, deadlines_calendar, event_uid, for_topic

STAMP = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def _events(data: bytes) -> dict[str, object]:
    cal = Calendar.from_ical(data)
    return {str(event["UID"]): event for event in cal.walk("VEVENT")}


def test_timed_deadline_is_in_berlin_time_with_vtimezone() -> None:
    # 21:59:59 UTC in summer is 23:59:59 in Berlin, the usual "Mitternacht" deadline.
    entry = DeadlineEntry("item-1", "Referentenentwurf Wärmeplanungsgesetz", date(2026, 7, 10),
                          deadline_at=datetime(2026, 7, 10, 21, 59, 59, tzinfo=UTC), topics=("energy",))
    data = deadlines_calendar([entry], name="Alle Fristen", generated_at=STAMP)
    cal = Calendar.from_ical(data)
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Berlin"]
    (event,) = cal.walk("VEVENT")
    start = event.decoded("DTSTART")
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert (start.year, start.month, start.day, start.hour, start.minute) == (2026, 7, 10, 23, 59)
    assert start.utcoffset() == timedelta(hours=2)
    assert "Wärmeplanungsgesetz" in str(event["SUMMARY"])


def test_winter_utc_timestamp_lands_on_the_berlin_day() -> None:
    # 23:30 UTC on 31 January is already 1 February in Berlin.
    entry = DeadlineEntry("i", "NIS2", date(2026, 2, 1),
                          deadline_at=datetime(2026, 1, 31, 23, 30, tzinfo=UTC))
    (event,) = Calendar.from_ical(deadlines_calendar([entry], name="x", generated_at=STAMP)).walk("VEVENT")
    start = event.decoded("DTSTART")
    assert (start.date(), start.hour, start.utcoffset()) == (date(2026, 2, 1), 0, timedelta(hours=1))


def test_date_only_deadline_is_an_all_day_event() -> None:
    entry = DeadlineEntry("item-2", "TKG-Novelle", date(2026, 12, 23), kind="member_input")
    (event,) = Calendar.from_ical(deadlines_calendar([entry], name="x", generated_at=STAMP)).walk("VEVENT")
    assert event.decoded("DTSTART") == date(2026, 12, 23)
    assert event.decoded("DTEND") == date(2026, 12, 24)
    assert not isinstance(event.decoded("DTSTART"), datetime)
    assert str(event["SUMMARY"]).startswith("Input der Mitglieder fällig")


def test_moved_deadline_keeps_uid_and_bumps_sequence() -> None:
    before = DeadlineEntry("item-3", "Data Act Durchführung", date(2026, 3, 2))
    after = DeadlineEntry("item-3", "Data Act Durchführung", date(2026, 3, 16), sequence=1,
                          modified_at=datetime(2026, 2, 20, 9, 0, tzinfo=UTC))
    old = _events(deadlines_calendar([before], name="x", generated_at=STAMP))
    new = _events(deadlines_calendar([after], name="x", generated_at=STAMP))
    assert old.keys() == new.keys() == {event_uid("item-3", "external")}
    (old_event,), (new_event,) = old.values(), new.values()
    assert old_event.decoded("DTSTART") == date(2026, 3, 2)
    assert new_event.decoded("DTSTART") == date(2026, 3, 16)
    assert int(new_event["SEQUENCE"]) > int(old_event["SEQUENCE"])
    assert new_event.decoded("LAST-MODIFIED") == datetime(2026, 2, 20, 9, 0, tzinfo=UTC)


def test_kinds_of_one_item_are_separate_events_and_duplicates_collapse() -> None:
    entries = [
        DeadlineEntry("item-4", "OZG 2.0", date(2026, 5, 29)),
        DeadlineEntry("item-4", "OZG 2.0", date(2026, 5, 20), kind="member_input"),
        DeadlineEntry("item-4", "OZG 2.0", date(2026, 5, 26), kind="board_signoff"),
        DeadlineEntry("item-4", "OZG 2.0", date(2026, 6, 5), sequence=1),  # moved external date
    ]
    events = _events(deadlines_calendar(entries, name="x", generated_at=STAMP))
    assert len(events) == 3
    assert events[event_uid("item-4", "external")].decoded("DTSTART") == date(2026, 6, 5)
    assert len({event_uid("item-4", k) for k in ("external", "member_input", "board_signoff")}) == 3


def test_per_topic_calendar_is_a_filter() -> None:
    entries = [
        DeadlineEntry("a", "LoRaWAN Frequenzen", date(2026, 4, 1), topics=("iot_networks",)),
        DeadlineEntry("b", "Smart-Meter-Rollout", date(2026, 4, 2), topics=("energy", "iot_networks")),
        DeadlineEntry("c", "Gigabit", date(2026, 4, 3), topics=("broadband",)),
    ]
    iot = for_topic(entries, "iot_networks")
    assert [e.item_id for e in iot] == ["a", "b"]
    cal = Calendar.from_ical(deadlines_calendar(iot, name="IoT-Netze", generated_at=STAMP))
    assert str(cal["X-WR-CALNAME"]) == "IoT-Netze"
    assert len(cal.walk("VEVENT")) == 2


def test_output_is_reproducible_and_uses_crlf() -> None:
    entries = [DeadlineEntry("a", "X", date(2026, 4, 1))]
    first = deadlines_calendar(entries, name="x", generated_at=STAMP)
    assert first == deadlines_calendar(entries, name="x", generated_at=STAMP)
    assert b"\r\n" in first


def test_unknown_kind_is_rejected() -> None:
    with pytest.raises(ValueError, match="kind"):
        DeadlineEntry("a", "X", date(2026, 4, 1), kind="sometime")
