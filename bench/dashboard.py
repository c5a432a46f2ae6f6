"""Inbox page on a large database: Streamlit page build against its database queries alone.

Seeds 100,000 items (10 sources, judgements, some triage) through the real store functions,
then measures in the same run, median of several rounds after one warm-up:

  (q) the inbox's database work alone: open a connection, demo flag, ``inbox_view``;
  (p) the whole Eingang page built by Streamlit's AppTest (a full script rerun: app shell,
      widgets, 25 cards), which includes (q).

Two cases: the default view and a filtered one (topic + text search + page 3).
Goal (issue 4): p < 1.5 s and p / q <= 2.

Usage: python bench/dashboard.py [--items 100000] [--rounds 5] [--db PATH]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from tests.ui.seed import Spec, item, judgement  # noqa: E402
from tracker.demo.loader import demo_shift_days  # noqa: E402
from tracker.models import Source  # noqa: E402
from tracker.storage import inbox as store  # noqa: E402
from tracker.storage import open_db  # noqa: E402
from tracker.storage.connection import transaction  # noqa: E402
from tracker.storage.items import store_items  # noqa: E402
from tracker.storage.judgements import save_judgements  # noqa: E402
from tracker.storage.sources import sync_sources  # noqa: E402
from tracker.storage.triage import save_triage  # noqa: E402
from tracker.ui.widgets import today  # noqa: E402
from tracker.work import inbox  # noqa: E402
from tracker.work.triage import STATUSES, TriageState  # noqa: E402

TOPICS = ("iot_networks", "urban_data", "energy", "mobility", "broadband", "egovernment", "cybersecurity",
          "ai", "water", "funding", "procurement_municipal")
WORDS = ("Referentenentwurf", "Verordnung", "Anhörung", "Wärmeplanung", "Smart-Meter", "LoRaWAN", "Netzentgelte",
         "Datenplattform", "Glasfaser", "Ladeinfrastruktur", "Trinkwasser", "Förderaufruf", "Vergaberecht",
         "NIS2", "KI-Verordnung", "Onlinezugangsgesetz", "Konsultation", "Bekanntmachung", "Pressemitteilung")
BATCH = 10_000


def seed(db: Path, n_items: int) -> None:
    rng = random.Random(4)
    day = today()
    sources = [Source(id=f"bench-{n}", name=f"Benchquelle {n}", url=f"http://127.0.0.1:9/{n}.xml", kind="rss",
                      publisher="Bench", jurisdiction=rng.choice(("de", "eu", "de-nw", "de-by")), language="de")
               for n in range(10)]
    specs = []
    for n in range(n_items):
        words = rng.sample(WORDS, 6)
        specs.append(Spec(
            id=f"b{n:06d}", title=" ".join(words[:4]) + f" {n}", summary=" ".join(words) + ". " * 3,
            source_id=sources[n % len(sources)].id, score=round(rng.random(), 3),
            topics=tuple(rng.sample(TOPICS, rng.choice((0, 1, 1, 2)))),
            deadline=day + timedelta(days=rng.randint(-30, 120)) if rng.random() < 0.25 else None,
            stage=rng.choice(("news", "consultation", "draft", "adopted", "funding_call")),
            published=datetime.now(UTC) - timedelta(hours=rng.randint(0, 24 * 365)),
            jurisdiction=sources[n % len(sources)].jurisdiction))
    now = datetime.now(UTC)
    for start in range(0, n_items, BATCH):
        batch = specs[start:start + BATCH]
        with open_db(db) as con, transaction(con):
            sync_sources(con, sources)
            for source in sources:
                group = [s for s in batch if s.source_id == source.id]
                store_items(con, source.id, [item(s) for s in group], now)
            save_judgements(con, [judgement(s) for s in batch], now=now)
    with open_db(db) as con:
        for n in range(0, n_items, 50):
            status = STATUSES[n % len(STATUSES)]
            owner = "anna" if status in ("stellungnahme_geplant", "abgegeben") else None
            save_triage(con, specs[n].id, TriageState(status, owner), actor="bench", at=now)


def median_seconds(fn: object, rounds: int) -> float:
    fn()  # type: ignore[operator]  # warm-up: imports, first connection, caches
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--db", type=Path, help="reuse this database (seeded if it does not exist)")
    args = parser.parse_args()
    db = args.db or Path(tempfile.mkdtemp(prefix="bench-dashboard-")) / "tracker.duckdb"
    os.environ["TRACKER_DB"] = str(db)
    os.environ["TRACKER_AUTH"] = "off"  # measure the inbox, not the login page
    if not db.exists():
        start = time.perf_counter()
        seed(db, args.items)
        print(f"seeded {args.items} items in {time.perf_counter() - start:.1f} s -> {db}")
    with open_db(db) as con:
        stored = store.item_total(con)

    day = today()
    cases = {
        "default": ({}, inbox.make_filter(statuses=("neu", "beobachten", "stellungnahme_geplant")), 1),
        "filtered": ({"inbox_topics": ["energy"], "inbox_text": "Anhörung", "inbox_page": 3},
                     inbox.make_filter(topics=["energy"], text="Anhörung",
                                       statuses=("neu", "beobachten", "stellungnahme_geplant")), 3),
    }
    print(f"items stored: {stored}")
    print(f"{'case':<10} {'queries (s)':>12} {'page (s)':>10} {'ratio':>7}  rows/total")
    for name, (state, f, page) in cases.items():
        def queries(f: inbox.InboxFilter = f, page: int = page) -> store.InboxView:
            with open_db(db) as con:
                demo_shift_days(con)
                return store.inbox_view(con, f, today=day, page=page)

        # One AppTest per case: creating one scans every installed package for components
        # (~0.2 s), a cost of the harness, not of a page view. Each timed run is a full script
        # rerun, as after any click in the browser.
        at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
        for key, value in state.items():
            at.session_state[key] = value

        def build(at: AppTest = at) -> None:
            at.run()
            assert not at.exception, [e.value for e in at.exception]
            assert sum(1 for link in at.page_link if link.proto.label.startswith("**")) == inbox.PAGE_SIZE

        view = queries()
        q = median_seconds(queries, args.rounds)
        p = median_seconds(build, args.rounds)
        print(f"{name:<10} {q:>12.3f} {p:>10.3f} {p / q:>7.2f}  {len(view.rows)}/{view.total}")


if __name__ == "__main__":
    main()
