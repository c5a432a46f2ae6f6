"""The alert rules: who gets which alert when, counted in German working days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.alerts import render
from tracker.alerts.rules import (
    AlertInputs,
    DeadlineMove,
    ItemState,
    RuleSettings,
    SourceHealth,
    Subscription,
    compute,
    reminder_for,
)
from tracker.work import workdays

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)
NW = RuleSettings(land="NW")


def _item(item_id: str = "a", **kw: object) -> ItemState:
    base = dict(item_id=item_id, title=f"Anhörung {item_id}", link=f"https://e.org/{item_id}",
                first_seen_at=NOW - timedelta(hours=2), relevant=True, score=0.9, topics=("energy",))
    base.update(kw)
    return ItemState(**base)  # type: ignore[arg-type]


def _sub(sub_id: int = 1, **kw: object) -> Subscription:
    base = dict(id=sub_id, user_id=f"u{sub_id}", email=f"u{sub_id}@example.org", topics=("energy",))
    base.update(kw)
    return Subscription(**base)  # type: ignore[arg-type]


def _kinds(entries) -> list[tuple[str, str]]:
    return [(e.alert.kind, e.alert.item_id or e.alert.source_id) for e in entries]


# --- working days: Easter, Christmas, Land holidays -------------------------------------------

@pytest.mark.parametrize(("due", "offset", "land", "expected"), [
    # Easter 2026: Good Friday 3 April and Easter Monday 6 April are not working days.
    (date(2026, 4, 8), 5, "NW", date(2026, 3, 30)),
    (date(2026, 4, 7), 2, "BE", date(2026, 4, 1)),
    # Christmas 2026: 25 December is a holiday (26th is a Saturday); 24 December is a working day.
    (date(2026, 12, 29), 2, "NW", date(2026, 12, 24)),
    # Fronleichnam (4 June 2026) is a holiday in NW and BY, not in BE.
    (date(2026, 6, 5), 1, "NW", date(2026, 6, 3)),
    (date(2026, 6, 5), 1, "BY", date(2026, 6, 3)),
    (date(2026, 6, 5), 1, "BE", date(2026, 6, 4)),
    # Reformationstag (31 October 2025) is a holiday in SN, not in BY.
    (date(2025, 11, 3), 1, "SN", date(2025, 10, 30)),
    (date(2025, 11, 3), 1, "BY", date(2025, 10, 31)),
])
def test_reminder_day_counts_working_days(due: date, offset: int, land: str, expected: date) -> None:
    assert reminder_for(due, expected - timedelta(days=1), [offset], land) is None
    assert reminder_for(due, expected, [offset], land) == offset


def test_late_discovery_gives_one_reminder_for_the_nearest_offset() -> None:
    due = date(2026, 3, 6)  # Friday; today Monday is 4 working days before
    assert reminder_for(due, TODAY, [10, 5, 2, 0], "NW") == 5
    assert reminder_for(due, date(2026, 3, 4), [10, 5, 2, 0], "NW") == 2
    assert reminder_for(due, date(2026, 3, 6), [10, 5, 2, 0], "NW") == 0
    assert reminder_for(due, date(2026, 3, 7), [10, 5, 2, 0], "NW") is None


def test_reminder_count_crosses_easter_in_the_message() -> None:
    item = _item(deadline=date(2026, 4, 7), first_seen_at=NOW - timedelta(days=30))
    entries = compute(AlertInputs(items=[item], subscriptions=[_sub(reminder_days=(2,))]),
                      today=date(2026, 4, 1), now=datetime(2026, 4, 1, 7, tzinfo=UTC), rules=NW)
    (entry,) = entries
    assert entry.alert.working_days_left == 2   # Thursday 2 April and Tuesday 7 April
    assert render.headline(entry.alert).startswith("Frist am Di, 07.04.2026 (noch 2 Arbeitstage)")


# --- who gets what ----------------------------------------------------------------------------

def test_topic_and_score_select_new_items() -> None:
    items = [_item("a"), _item("b", topics=("broadband",)), _item("c", score=0.5), _item("d", relevant=False)]
    entries = compute(AlertInputs(items=items, subscriptions=[_sub()]), today=TODAY, now=NOW, rules=NW)
    assert _kinds(entries) == [("new_item", "a")]
    everything = compute(AlertInputs(items=items, subscriptions=[_sub(topics=(), min_score=0.4)]),
                         today=TODAY, now=NOW, rules=NW)
    assert sorted(_kinds(everything)) == [("new_item", "a"), ("new_item", "b"), ("new_item", "c")]


def test_old_items_are_not_news() -> None:
    entries = compute(AlertInputs(items=[_item(first_seen_at=NOW - timedelta(days=8))], subscriptions=[_sub()]),
                      today=TODAY, now=NOW, rules=NW)
    assert entries == []


def test_triage_decides_beyond_score() -> None:
    watched = _item("w", score=0.2, relevant=False, triage_status="beobachten", deadline=date(2026, 3, 2),
                    member_input_due=date(2026, 3, 2), first_seen_at=NOW - timedelta(days=20))
    dismissed = _item("x", triage_status="irrelevant", deadline=date(2026, 3, 2))
    entries = compute(AlertInputs(items=[watched, dismissed], subscriptions=[_sub()]),
                      today=TODAY, now=NOW, rules=NW)
    assert sorted((e.alert.kind, e.alert.item_id, e.alert.date_kind) for e in entries) == [
        ("reminder", "w", "external"), ("reminder", "w", "member_input")]


def test_moved_deadline_names_old_and_new_date() -> None:
    item = _item(deadline=date(2026, 3, 20), first_seen_at=NOW - timedelta(days=30))
    move = DeadlineMove(7, "a", date(2026, 3, 13), date(2026, 3, 20), NOW - timedelta(hours=1))
    entries = compute(AlertInputs(items=[item], moves=[move], subscriptions=[_sub()]),
                      today=TODAY, now=NOW, rules=NW)
    (entry,) = entries
    assert entry.alert.key == "deadline_moved|a|7"
    assert render.headline(entry.alert) == ("Frist verlängert: Anhörung a — bisher Fr, 13.03.2026, "
                                            "jetzt Fr, 20.03.2026")


def test_a_new_deadline_date_restarts_its_reminders() -> None:
    before = compute(AlertInputs(items=[_item(deadline=date(2026, 3, 2))], subscriptions=[_sub(kinds=("reminder",))]),
                     today=TODAY, now=NOW, rules=NW)
    after = compute(AlertInputs(items=[_item(deadline=date(2026, 3, 4))], subscriptions=[_sub(kinds=("reminder",))]),
                    today=TODAY, now=NOW, rules=NW)
    assert before[0].dedup_key != after[0].dedup_key


def test_failing_source_alerts_once_per_streak() -> None:
    sources = [SourceHealth("bnetza", "Bundesnetzagentur", 3, "HTTP 503", datetime(2026, 2, 27, tzinfo=UTC)),
               SourceHealth("bmwk", "BMWK", 2, "HTTP 503")]
    entries = compute(AlertInputs(sources=sources, subscriptions=[_sub()]), today=TODAY, now=NOW, rules=NW)
    assert _kinds(entries) == [("source_failing", "bnetza")]
    longer = [SourceHealth("bnetza", "Bundesnetzagentur", 9, "HTTP 500", datetime(2026, 2, 27, tzinfo=UTC))]
    again = compute(AlertInputs(sources=longer, subscriptions=[_sub()]), today=TODAY, now=NOW, rules=NW)
    assert again[0].dedup_key == entries[0].dedup_key
    assert "3 Abrufe in Folge fehlgeschlagen: HTTP 503" in render.headline(entries[0].alert)


def test_one_recipient_through_two_subscriptions_gets_one_alert() -> None:
    subs = [_sub(1, mode="immediate"), _sub(2, topics=(), min_score=0.1, mode="digest")]
    subs[1] = Subscription(**{**subs[1].__dict__, "email": "U1@example.org"})
    entries = compute(AlertInputs(items=[_item()], subscriptions=subs), today=TODAY, now=NOW, rules=NW)
    assert len(entries) == 1 and entries[0].mode == "immediate" and entries[0].recipient == "u1@example.org"


def test_missing_email_and_unknown_channel_are_reported_not_silent() -> None:
    inputs = AlertInputs(items=[_item()], subscriptions=[_sub(email=None), _sub(2, channels=("fax",))])
    assert compute(inputs, today=TODAY, now=NOW, rules=NW) == []
    assert any("keine E-Mail-Adresse" in s for s in inputs.skipped)
    assert any("fax" in s for s in inputs.skipped)


@settings(max_examples=200, deadline=None)
@given(due=st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31)),
       offset=st.integers(min_value=1, max_value=15), land=st.sampled_from(["NW", "BY", "BE", "SN", None]))
def test_reminder_day_is_exactly_offset_working_days_before(due: date, offset: int, land: str | None) -> None:
    reminder_day = workdays.add_working_days(due, -offset, land)
    assert workdays.is_working_day(reminder_day, land)
    # offset - 1 working days lie strictly between, plus the due date itself if it is one.
    expected = offset - 1 + (1 if workdays.is_working_day(due, land) else 0)
    assert workdays.working_days_between(reminder_day, due, land) == expected
    assert reminder_for(due, reminder_day, [offset], land) == offset
    assert reminder_for(due, reminder_day - timedelta(days=1), [offset], land) is None
