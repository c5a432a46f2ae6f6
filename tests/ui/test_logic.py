"""Pure dashboard logic: ranking, urgency, paging, triage rules, safe rendering, charts."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.alerts import calendars
from tracker.ui import charts
from tracker.ui.render import escape_markdown, evidence_spans, highlight, link_markdown, safe_url
from tracker.work import inbox, triage
from tracker.work.triage import TriageState

TODAY = date(2026, 12, 14)  # a Monday


def test_rank_prefers_urgent_over_slightly_more_relevant() -> None:
    urgent = inbox.rank_score(0.6, date(2026, 12, 16), TODAY, False)
    relaxed = inbox.rank_score(0.7, date(2027, 3, 1), TODAY, False)
    assert urgent > relaxed
    assert inbox.rank_score(0.5, None, TODAY, True) == pytest.approx(0.5 + inbox.CHANGED_BONUS)
    assert inbox.urgency_score(date(2026, 12, 1), TODAY) == 0.0  # expired no longer pushes up


def test_urgency_counts_working_days_with_holidays() -> None:
    # 24.12. (Wed) is a working day, 25./26. are holidays: from Mon 21.12. to Mon 28.12. = 4 working days
    assert inbox.working_days_left(date(2026, 12, 28), date(2026, 12, 21), "NW") == 4
    assert inbox.urgency(date(2026, 12, 28), date(2026, 12, 21), "NW") == "kritisch"
    assert inbox.urgency(date(2027, 1, 5), date(2026, 12, 21), "NW") == "bald"
    assert inbox.urgency(date(2026, 12, 1), TODAY) == "abgelaufen"
    assert inbox.urgency(None, TODAY) == "keine"
    assert inbox.deadline_phrase(date(2026, 12, 15), TODAY) == "Frist 15.12.2026 (noch 1 Arbeitstag)"
    assert "abgelaufen" in inbox.deadline_phrase(date(2026, 12, 1), TODAY)


def test_paging_and_filter_normalisation() -> None:
    assert inbox.page_count(0) == 1
    assert inbox.page_count(51, 25) == 3
    assert inbox.clamp_page(9, 30, 25) == 2
    assert inbox.clamp_page(0, 30, 25) == 1
    assert inbox.page_offset(3, 25) == 50
    f = inbox.make_filter(topics=["energy", "ai", "energy"], text="  Wärme   planung ",
                          date_from=date(2026, 2, 1), date_to=date(2026, 1, 1))
    assert f.topics == ("ai", "energy")
    assert f.text == "Wärme planung"
    assert (f.date_from, f.date_to) == (date(2026, 1, 1), date(2026, 2, 1))
    assert f.without("topics").topics == () and f.without("topics").text == f.text
    assert len(inbox.clean_search("x" * 1000)) == inbox.MAX_SEARCH_LENGTH


def test_internal_dates_count_back_over_holidays() -> None:
    # Deadline Mon 4.1.2027: 2 working days back skips New Year (Fri 1.1.) -> Wed 30.12.;
    # 5 back -> Thu 24.12. (25./26.12. are holidays, 24.12. is not).
    dates = triage.propose_internal_dates(date(2027, 1, 4), TODAY, land="NW")
    assert dates.board_signoff_due == date(2026, 12, 30)
    assert dates.member_input_due == date(2026, 12, 24)
    assert dates.warnings == ()


def test_short_hearing_squeezes_dates_and_warns() -> None:
    dates = triage.propose_internal_dates(date(2026, 12, 16), TODAY, land="NW")
    assert dates.member_input_due == TODAY
    assert dates.board_signoff_due >= dates.member_input_due
    assert dates.board_signoff_due <= date(2026, 12, 16)
    assert dates.warnings and "2 Arbeitstag" in dates.warnings[0]


def test_status_rules() -> None:
    old = TriageState()
    assert triage.validate(TriageState("beobachten"), old, None) == []
    assert triage.validate(TriageState("stellungnahme_geplant"), old, None)  # needs an owner
    assert triage.validate(TriageState("stellungnahme_geplant", owner="anna"), old, None) == []
    assert triage.validate(TriageState("abgegeben", owner="anna"), old, None)  # never planned
    assert triage.validate(TriageState("abgegeben", owner="anna"),
                           TriageState("stellungnahme_geplant", owner="anna"), None) == []
    late = TriageState("beobachten", member_input_due=date(2027, 2, 1))
    assert triage.validate(late, old, date(2027, 1, 15))
    swapped = TriageState("beobachten", member_input_due=date(2027, 1, 10), board_signoff_due=date(2027, 1, 5))
    assert triage.validate(swapped, old, None)
    assert triage.validate(TriageState("kaputt"), old, None)


def test_changes_lists_each_field_once() -> None:
    old = TriageState()
    new = TriageState("beobachten", owner="anna", member_input_due=date(2027, 1, 5))
    assert triage.changes(old, new) == [("status", "neu", "beobachten"), ("owner", None, "anna"),
                                        ("member_input_due", None, "2027-01-05")]
    assert triage.changes(new, new) == []
    assert triage.changes(TriageState(owner=""), TriageState(owner=None)) == []


def test_calendar_entries_include_internal_dates() -> None:
    rows = [{"item_id": "a", "title": "T", "deadline": date(2027, 1, 4), "deadline_at": None, "topics": ["energy"],
             "link": None, "source": None, "status": "neu", "relevant": True, "moves": 0, "moved_at": None,
             "member_input_due": date(2026, 12, 28), "board_signoff_due": None}]
    kinds = [e.kind for e in calendars.entries_from_rows(rows)]
    assert kinds == ["external", "member_input"]


def test_highlight_escapes_everything_but_marks() -> None:
    text = 'Smart-Meter <script>alert(1)</script> <img src=x onerror="window.__xss=1"> [x](javascript:a)'
    evidence = [{"term": "Smart-Meter", "topic": "energy", "field": "summary", "start": 0, "end": 11}]
    out = highlight(text, evidence_spans(text, evidence, "summary"), {"energy": "Energie"})
    assert out.startswith('<mark title="Energie">Smart&#45;Meter</mark>')
    assert "<script" not in out and "<img" not in out and "](" not in out
    assert out.count("<") == out.count("<mark") + out.count("</mark>")


def test_stale_offsets_fall_back_to_search_or_are_dropped() -> None:
    text = "Die Novelle des Wärmeplanungsgesetzes und die Wärmeplanung"
    evidence = [{"term": "Wärmeplanung", "topic": "energy", "field": "title", "start": 0, "end": 12},
                {"term": "LoRaWAN", "topic": "iot_networks", "field": "title", "start": 3, "end": 10},
                {"term": "Novelle", "topic": "energy", "field": "summary", "start": 4, "end": 11}]
    spans = evidence_spans(text, evidence, "title")
    assert [(s.start, s.end) for s in spans] == [(16, 28)]
    overlapping = [{"term": "Wärme", "topic": "energy", "field": "t", "start": 16, "end": 21},
                   {"term": "Wärmeplanung", "topic": "energy", "field": "t", "start": 16, "end": 28}]
    assert [(s.start, s.end) for s in evidence_spans(text, overlapping, "t")] == [(16, 28)]


def test_links_and_markdown_from_feeds_are_defused() -> None:
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("data:text/html,x") is None
    assert safe_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    assert link_markdown("x", "javascript:alert(1)") == "x"
    assert "](" not in escape_markdown("[klick](https://evil.example)")
    assert "<" not in escape_markdown("<b>fett</b>")


def test_primary_topic_and_deadline_frame() -> None:
    assert charts.primary_topic(["ai", "energy"], {"ai": 0.2, "energy": 0.9}) == "energy"
    assert charts.primary_topic(["ai", "energy"], {}) == "ai"
    assert charts.primary_topic([], {}) is None
    rows = [{"id": "a", "title": "x" * 100, "deadline": date(2026, 12, 16), "start": date(2026, 1, 1),
             "topics": ["energy"], "topic_scores": {"energy": 0.8}, "status": "neu"}]
    frame = charts.deadline_frame(rows, TODAY, "NW", {"energy": "Energie"})
    assert frame.loc[0, "Thema"] == "Energie"
    assert frame.loc[0, "Dringlichkeit"] == "kritisch"
    assert len(frame.loc[0, "Titel"]) == 70
    assert (frame.loc[0, "Frist"] - frame.loc[0, "Beginn"]).days == charts.MAX_BAR_DAYS
    spec = charts.deadline_timeline(frame).to_dict()
    assert spec["facet"]["row"]["field"] == "Thema"
