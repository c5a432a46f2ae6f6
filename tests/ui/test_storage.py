"""The inbox queries against a real database: order, facet counts, search, paging."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from tests.ui.seed import Spec, seed
from tracker.storage import inbox as store
from tracker.storage import open_db
from tracker.storage import triage as decisions
from tracker.work import inbox
from tracker.work.triage import TriageState

STAGES = ("consultation", "draft", "adopted", "news", "funding_call")


def _random_specs(day: date, n: int) -> list[Spec]:
    rng = random.Random(7)
    topics = ("energy", "water", "ai")
    return [Spec(f"r{i:03d}", f"Eintrag {i} {'Netz_100%' if i % 7 == 0 else 'Bericht'}",
                 f"Text {i}", source_id=("bnetza", "eu-hys")[i % 2], score=round(rng.random(), 2),
                 topics=tuple(rng.sample(topics, rng.randint(0, 2))),
                 deadline=day + timedelta(days=rng.randint(-10, 80)) if rng.random() < 0.5 else None,
                 published=datetime.now(UTC) - timedelta(days=rng.randint(0, 200)), stage=rng.choice(STAGES))
            for i in range(n)]


def test_sql_order_matches_rank_score(db_path: Path) -> None:
    day = date(2026, 12, 14)
    specs = _random_specs(day, 120)
    seed(db_path, specs)
    with open_db(db_path) as con:
        rows = store.inbox_page(con, inbox.InboxFilter(include_irrelevant=True), today=day, limit=200)
    expected = sorted(specs, key=lambda s: (-inbox.rank_score(s.score, s.deadline, day, False, s.stage,
                                                              s.published.date()),
                                            s.deadline or date.max, s.id))
    assert [r["id"] for r in rows] == [s.id for s in expected]


def test_pages_cover_every_item_once(db_path: Path) -> None:
    day = date(2026, 12, 14)
    seed(db_path, _random_specs(day, 60))
    seen: list[str] = []
    with open_db(db_path) as con:
        for sort in inbox.SORTS:
            seen = []
            for page in range(1, inbox.page_count(60, 25) + 1):
                view = store.inbox_view(con, inbox.InboxFilter(include_irrelevant=True), today=day, sort=sort,
                                        page=page)
                seen += [r["id"] for r in view.rows]
            assert sorted(seen) == sorted(set(seen)) and len(seen) == 60, sort
        beyond = store.inbox_view(con, inbox.InboxFilter(include_irrelevant=True), today=day, page=99)
    assert beyond.page == 3 and len(beyond.rows) == 10


def test_facets_are_counted_without_their_own_filter(db_path: Path) -> None:
    day = date(2026, 12, 14)
    specs = _random_specs(day, 80)
    seed(db_path, specs)
    f = inbox.make_filter(include_irrelevant=True, topics=["energy"], sources=["bnetza"])
    with open_db(db_path) as con:
        total, counts = store.facet_counts(con, f)
    energy = [s for s in specs if "energy" in s.topics]
    assert total == sum(1 for s in energy if s.source_id == "bnetza")
    assert counts["sources"] == {src: sum(1 for s in energy if s.source_id == src) for src in ("bnetza", "eu-hys")}
    in_bnetza = [s for s in specs if s.source_id == "bnetza"]
    assert counts["topics"]["water"] == sum(1 for s in in_bnetza if "water" in s.topics)
    assert counts["statuses"] == {"neu": total}


def test_search_treats_wildcards_literally_and_needs_every_word(db_path: Path) -> None:
    day = date(2026, 12, 14)
    specs = _random_specs(day, 30)
    seed(db_path, specs)
    with open_db(db_path) as con:
        literal = store.facet_counts(con, inbox.make_filter(include_irrelevant=True, text="netz_100%"))[0]
        both = store.facet_counts(con, inbox.make_filter(include_irrelevant=True, text="eintrag bericht"))[0]
        none = store.facet_counts(con, inbox.make_filter(include_irrelevant=True, text="eintrag fehlt"))[0]
        wildcard = store.facet_counts(con, inbox.make_filter(include_irrelevant=True, text="%"))[0]
    assert literal == sum(1 for s in specs if "Netz_100%" in s.title)
    assert both == sum(1 for s in specs if "Bericht" in s.title)
    assert none == 0
    assert wildcard == literal  # only titles that really contain a percent sign


def test_status_owner_and_date_filters(db_path: Path) -> None:
    day = date(2026, 12, 14)
    specs = _random_specs(day, 40)
    seed(db_path, specs)
    now = datetime.now(UTC)
    with open_db(db_path) as con:
        decisions.save_triage(con, "r001", TriageState("stellungnahme_geplant", owner="anna"), actor="t", at=now)
        decisions.save_triage(con, "r002", TriageState("irrelevant"), actor="t", at=now)
        open_total = store.facet_counts(con, inbox.make_filter(include_irrelevant=True, statuses=["neu", "beobachten",
                                                                         "stellungnahme_geplant"]))[0]
        anna = store.inbox_page(con, inbox.make_filter(include_irrelevant=True, owners=["anna"]), today=day)
        nobody = store.facet_counts(con, inbox.make_filter(include_irrelevant=True, owners=[inbox.NO_OWNER]))[0]
        recent = store.facet_counts(con, inbox.make_filter(include_irrelevant=True,
                                                           date_from=now.date() - timedelta(days=10)))[0]
    assert open_total == 39
    assert [(r["id"], r["owner"], r["status"]) for r in anna] == [("r001", "anna", "stellungnahme_geplant")]
    assert nobody == 39
    assert recent == sum(1 for s in specs if s.published and s.published.date() >= now.date() - timedelta(days=10))


def test_save_triage_writes_nothing_when_nothing_changed(db_path: Path) -> None:
    seed(db_path, [Spec("a", "A")])
    now = datetime.now(UTC)
    with open_db(db_path) as con:
        assert decisions.save_triage(con, "a", TriageState(), actor="t", at=now) == []
        assert decisions.triage_events(con, "a") == []
        decisions.save_triage(con, "a", TriageState("beobachten"), actor="t", at=now)
        decisions.save_triage(con, "a", TriageState("beobachten", member_input_due=date(2027, 1, 4)),
                              actor="u", at=now + timedelta(minutes=1))
        events = decisions.triage_events(con, "a")
    assert [(e["actor"], e["action"], e["old_value"], e["new_value"]) for e in events] == [
        ("u", "member_input_due", None, "2027-01-04"), ("t", "status", "neu", "beobachten")]


def test_open_consultations_rank_above_adopted_acts_and_old_items_sink(db_path: Path) -> None:
    day = date(2026, 12, 14)
    recent = datetime(2026, 12, 1, tzinfo=UTC)
    seed(db_path, [
        Spec("gesetz-2024", "Gesetz beschlossen (2024)", score=0.99, stage="adopted",
             published=datetime(2024, 5, 1, tzinfo=UTC)),
        Spec("gesetz", "Gesetz beschlossen", score=0.99, stage="adopted", published=recent),
        Spec("meldung", "Meldung", score=0.7, stage="news", published=recent),
        Spec("anhoerung", "Anhörung", score=0.8, stage="consultation", published=recent,
             deadline=day + timedelta(days=20)),
    ])
    with open_db(db_path) as con:
        rows = store.inbox_page(con, inbox.InboxFilter(), today=day)
    assert [r["id"] for r in rows] == ["anhoerung", "gesetz", "meldung", "gesetz-2024"]


def test_items_judged_not_relevant_are_hidden_unless_asked_for_or_the_team_says_otherwise(db_path: Path) -> None:
    day = date(2026, 12, 14)
    seed(db_path, [Spec("ja", "Relevant", score=0.9), Spec("nein", "Rauschen", score=0.0),
                   Spec("team", "Vom Team als relevant markiert", score=0.1)])
    with open_db(db_path) as con:
        decisions.add_relevance_label(con, "team", relevant=True, topics=[], actor="anna", at=datetime.now(UTC))
        total, counts = store.facet_counts(con, inbox.InboxFilter())
        shown = [r["id"] for r in store.inbox_page(con, inbox.InboxFilter(), today=day)]
        everything = store.facet_counts(con, inbox.InboxFilter(include_irrelevant=True))[0]
    assert (total, counts["hidden"][""], everything) == (2, 1, 3)
    assert sorted(shown) == ["ja", "team"]


def test_search_finds_both_spellings_of_umlauts(db_path: Path) -> None:
    seed(db_path, [Spec("a", "Kommunale Wärmeplanung", score=0.9), Spec("b", "Waermeplanung in Bayern", score=0.9),
                   Spec("c", "Straßenbeleuchtung", score=0.9)])
    with open_db(db_path) as con:
        def found(text: str) -> list[str]:
            f = inbox.make_filter(text=text)
            return sorted(r["id"] for r in store.inbox_page(con, f, today=date(2026, 12, 14)))

        assert found("Waermeplanung") == ["a", "b"]
        assert found("wärmeplanung") == ["a", "b"]
        assert found("STRASSENBELEUCHTUNG") == ["c"]


def test_neu_means_new_since_the_user_last_looked(db_path: Path) -> None:
    from tracker.models import User
    from tracker.work import visits

    anna = User(id="anna", display_name="Anna", role="team")
    start = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    first = visits.start_looking(anna, now=start)
    assert first == start - timedelta(days=inbox.NEW_WINDOW_DAYS)  # no collection yet: the last week
    visits.looked(anna, now=start + timedelta(minutes=20))
    # a reload or a new tab within the look keeps its cutoff
    assert visits.start_looking(anna, now=start + timedelta(minutes=40)) == first
    visits.looked(anna, now=start + timedelta(minutes=45))
    # the next morning: new since the end of yesterday's look
    assert visits.start_looking(anna, now=start + timedelta(days=1)) == start + timedelta(minutes=45)
    assert inbox.is_new(start + timedelta(hours=3), start + timedelta(minutes=45))
    assert not inbox.is_new(start, start + timedelta(minutes=45))
