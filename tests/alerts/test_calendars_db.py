"""Calendars and moved-deadline alerts from a real database, the deadline moved by a re-collect."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from icalendar import Calendar

from tests.alerts import seed
from tracker.alerts import calendars, outbox, subscriptions
from tracker.alerts.ical import event_uid
from tracker.models import Source
from tracker.work.triage import TriageState

MOVED_AT = seed.T0 + timedelta(days=1)


def _moving_world(db: Path) -> None:
    seed.add_items(db, [seed.make_item("hyw", "Data Act: Durchführungsverordnung",
                                       deadline=date(2026, 3, 13)),
                        seed.make_item("noise", "Pressemitteilung ohne Bezug", deadline=date(2026, 3, 20))])
    seed.judge(db, "hyw", score=0.9, topics=["urban_data", "egovernment"])
    seed.judge(db, "noise", score=0.1, topics=[], relevant=False)
    seed.set_triage(db, "hyw", TriageState(status="stellungnahme_geplant", owner="alice",
                                           member_input_due=date(2026, 3, 6), board_signoff_due=date(2026, 3, 11)))


def _events(data: bytes) -> dict[str, object]:
    return {str(e["UID"]): e for e in Calendar.from_ical(data).walk("VEVENT")}


def test_calendar_keeps_uid_when_recollection_moves_the_deadline(db_path: Path, tmp_path: Path) -> None:
    _moving_world(db_path)
    first = calendars.write_calendars(tmp_path / "ics", today=date(2026, 3, 2), db_path=db_path)
    assert sorted(p.name for p in first) == ["fristen-egovernment.ics", "fristen-urban_data.ics", "fristen.ics"]
    before = _events((tmp_path / "ics" / "fristen.ics").read_bytes())
    assert set(before) == {event_uid("hyw", k) for k in ("external", "member_input", "board_signoff")}

    # The source publishes an extension: same item, new deadline.
    seed.add_items(db_path, [seed.make_item("hyw", "Data Act: Durchführungsverordnung",
                                            deadline=date(2026, 3, 27), summary="Frist verlängert")], now=MOVED_AT)
    calendars.write_calendars(tmp_path / "ics", today=date(2026, 3, 3), db_path=db_path)
    after = _events((tmp_path / "ics" / "fristen-urban_data.ics").read_bytes())
    assert set(after) == set(before)
    moved = after[event_uid("hyw", "external")]
    assert moved.decoded("DTSTART") == date(2026, 3, 27)
    assert int(moved["SEQUENCE"]) == 1 > int(before[event_uid("hyw", "external")]["SEQUENCE"])
    assert moved.decoded("LAST-MODIFIED") == MOVED_AT
    assert not list(tmp_path.joinpath("ics").glob("*.part"))


def test_moved_deadline_alert_from_item_history(db_path: Path) -> None:
    _moving_world(db_path)
    seed.add_user(db_path, "alice", "alice@stadtwerke.example")
    subscriptions.subscribe("alice", topics=["egovernment"], kinds=["deadline_moved"], db_path=db_path,
                            now=seed.T0)
    seed.add_items(db_path, [seed.make_item("hyw", "Data Act: Durchführungsverordnung",
                                            deadline=date(2026, 3, 27), summary="Frist verlängert")], now=MOVED_AT)
    report = outbox.run(now=MOVED_AT + timedelta(hours=1), dry_run=True, db_path=db_path)
    (entry,) = report.would_send
    assert (entry.alert.kind, entry.alert.old_deadline, entry.alert.new_deadline) == (
        "deadline_moved", date(2026, 3, 13), date(2026, 3, 27))


def test_timed_deadline_from_db_is_in_berlin_time(db_path: Path) -> None:
    seed.add_items(db_path, [seed.make_item("eu", "Have Your Say: Interoperable Europe", deadline=date(2026, 5, 12),
                                            deadline_at=datetime(2026, 5, 12, 21, 59, 59, tzinfo=UTC))])
    seed.judge(db_path, "eu", score=0.8, topics=["egovernment"])
    files = calendars.calendar_files(calendars.deadline_entries(today=date(2026, 5, 1), db_path=db_path))
    (event,) = _events(files["fristen-egovernment.ics"]).values()
    start = event.decoded("DTSTART")
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert (start.day, start.hour, start.minute, start.utcoffset()) == (12, 23, 59, timedelta(hours=2))


def test_source_failing_three_times_alerts_once(db_path: Path) -> None:
    source = Source(id="bnetza", name="Bundesnetzagentur", url="http://127.0.0.1/rss.xml", kind="rss",
                    publisher="BNetzA", jurisdiction="DE", language="de")
    seed.add_user(db_path, "ops", "ops@verband.example")
    subscriptions.subscribe("ops", kinds=["source_failing"], db_path=db_path, now=seed.T0)
    seed.fail_source(db_path, source, 2)
    assert outbox.run(now=MOVED_AT, dry_run=True, db_path=db_path).would_send == []
    seed.fail_source(db_path, source, 1)
    (entry,) = outbox.run(now=MOVED_AT, dry_run=True, db_path=db_path).would_send
    assert entry.alert.source_id == "bnetza" and "3 Abrufe in Folge" in (entry.alert.detail or "")
    seed.fail_source(db_path, source, 1)   # the same streak goes on: same key, nothing new
    (again,) = outbox.run(now=MOVED_AT, dry_run=True, db_path=db_path).would_send
    assert again.dedup_key == entry.dedup_key
