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


def _random_specs(day: date, n: int) -> list[Spec]:
    rng = random.Random(7)
    topics = ("energy", "water", "ai")
    return [Spec(f"r{i:03d}", f"Eintrag {i} {'Netz_100%' if i % 7 == 0 else 'Bericht'}",
                 f"Text {i}", source_id=("bnetza", "eu-hys")[i % 2], score=round(rng.random(), 2),
                 topics=tuple(rng.sample(topics, rng.randint(0, 2))),
                 deadline=day + timedelta(days=rng.randint(-10, 80)) if rng.random() < 0.5 else None,
                 published=datetime.now(UTC) - timedelta(days=rng.randint(0, 60)))
            for i in range(n)]


def test_sql_order_matches_rank_score(db_path: Path) -> None:
    day = date(2026, 12, 14)
    specs = _random_specs(day, 120)
    seed(db_path, specs)
    with open_db(db_path) as con:
        rows = store.inbox_page(con, inbox.InboxFilter(), today=day, limit=200)
    expected = sorted(specs, key=lambda s: (-inbox.rank_score(s.score, s.deadline, day, False),
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
                view = store.inbox_view(con, inbox.InboxFilter(), today=day, sort=sort, page=page)
                seen += [r["id"] for r in view.rows]
            assert sorted(seen) == sorted(set(seen)) and len(seen) == 60, sort
        beyond = store.inbox_view(con, inbox.InboxFilter(), today=day, page=99)
    assert beyond.page == 3 and len(beyond.rows) == 10


def test_facets_are_counted_without_their_own_filter(db_path: Path) -> None:
    day = date(2026, 12, 14)
    specs = _random_specs(day, 80)
    seed(db_path, specs)
    f = inbox.make_filter(topics=["energy"], sources=["bnetza"])
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
        literal = store.facet_counts(con, inbox.make_filter(text="netz_100%"))[0]
        both = store.facet_counts(con, inbox.make_filter(text="eintrag bericht"))[0]
        none = store.facet_counts(con, inbox.make_filter(text="eintrag fehlt"))[0]
        wildcard = store.facet_counts(con, inbox.make_filter(text="%"))[0]
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
        open_total = store.facet_counts(con, inbox.make_filter(statuses=["neu", "beobachten",
                                                                         "stellungnahme_geplant"]))[0]
        anna = store.inbox_page(con, inbox.make_filter(owners=["anna"]), today=day)
        nobody = store.facet_counts(con, inbox.make_filter(owners=[inbox.NO_OWNER]))[0]
        recent = store.facet_counts(con, inbox.make_filter(date_from=now.date() - timedelta(days=10)))[0]
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
