"""Ingest throughput: our whole path to DuckDB against bare ``feedparser.parse``.

Builds at least 10,000 distinct items from the real fixture feeds (each round rewrites the
URLs' host names and uses its own source id, so every item is new), then measures on the
same bytes, in the same run:

  (a) ``feedparser.parse(body)`` alone,
  (b) ``tracker.collect.run.ingest_documents`` — parse, sanitise, normalise, judge (spaCy
      topics/relevance/deadlines; the trained model too when one exists), bulk store in
      DuckDB with provenance and archive, in bursts of 16 documents as a collection writes.

Each round times one whole pass of (a), then one of (b) into a fresh database; the best of
each counts. Pin it to one core to compare like with like: DuckDB itself may use more.

Usage: python bench/ingest.py [--min-items 10000] [--rounds 3] [--burst-size 16]
                              [--fixtures ../shared/fixtures/feeds]
       taskset -c 0 python bench/ingest.py
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import feedparser

from tracker.collect.run import ingest_documents
from tracker.judge import get_judge
from tracker.models import Source
from tracker.storage import open_db
from tracker.storage.items import count_items

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FIXTURES = ROOT.parent / "shared" / "fixtures" / "feeds"
FEED_FILES = (
    "bundestag_webtv_plenarsitzung_19-037_podcast.rss.xml",
    "nl_officielebekendmakingen_rss_2022-05-02.rss.xml",
    "uk_scotgov_news_govdelivery_2017-06-27.rss.xml",
    "de_heise_developer_2016.atom.xml",
    "de_spiegel_podcast_omny.rss.xml",
    "robustness/pt_jn_iso-8859-1_crlf.rss.xml",
    "robustness/huge_giantbomb_podcast_1.6MB.rss.xml",
)


def build_documents(fixtures: Path, min_items: int) -> list[tuple[str, bytes]]:
    originals = [(name, (fixtures / name).read_bytes()) for name in FEED_FILES]
    per_round = sum(len(feedparser.parse(body).entries) for _, body in originals)
    rounds = -(-min_items // per_round)
    return [(f"r{k}-{Path(name).stem[:20]}", body.replace(b"://", b"://r%d." % k))
            for k in range(rounds) for name, body in originals]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-items", type=int, default=10_000)
    parser.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES)
    parser.add_argument("--rounds", type=int, default=3, help="alternating timed passes of each side; best counts")
    parser.add_argument("--burst-size", type=int, default=16, help="documents per burst, as a collection writes")
    args = parser.parse_args()
    documents = build_documents(args.fixtures, args.min_items)
    cores = len(os.sched_getaffinity(0))

    baseline_best = ours_best = float("inf")
    baseline_items = stored = 0
    with tempfile.TemporaryDirectory() as tmp:
        # Start-up outside the timed part, as a running collector has it behind it: the
        # spaCy pipeline, the schema, DuckDB's first Arrow scan, feedparser's first parse.
        get_judge()
        warm_db = Path(tmp) / "warm.duckdb"
        ingest_documents(_batch(documents[:1], "warm"), db_path=warm_db)
        feedparser.parse(documents[0][1])
        # Each round is one whole pass of each side over every document; the sides alternate
        # so that load from other processes hits both alike.
        for round_no in range(args.rounds):
            started = time.perf_counter()
            baseline_items = sum(len(feedparser.parse(body).entries) for _, body in documents)
            baseline_best = min(baseline_best, time.perf_counter() - started)

            db = Path(tmp) / f"round{round_no}.duckdb"
            with open_db(db):
                pass  # the schema, outside the timed part
            batch = _batch(documents, f"round{round_no}")
            started = time.perf_counter()
            ingest_documents(batch, db_path=db, burst_size=args.burst_size)
            ours_best = min(ours_best, time.perf_counter() - started)
            with open_db(db) as con:
                stored = count_items(con)

    baseline_rate = baseline_items / baseline_best
    ours_rate = stored / ours_best
    print(f"documents: {len(documents)}, entries parsed: {baseline_items}, items stored: {stored}, "
          f"bursts of {args.burst_size}, {cores} core(s) available, best of {args.rounds} rounds")
    print(f"(a) feedparser.parse only : {baseline_best:7.2f} s  {baseline_rate:9.0f} items/s")
    print(f"(b) tracker ingest → DuckDB: {ours_best:7.2f} s  {ours_rate:9.0f} items/s")
    print(f"ratio (b)/(a): {ours_rate / baseline_rate:.2f}  (goal ≥ 0.60)")


def _batch(documents: list[tuple[str, bytes]], prefix: str) -> list[tuple[bytes, Source, str, None, None]]:
    batch = []
    for number, (name, body) in enumerate(documents):
        source = Source(id=f"{prefix}-{number}", name=name, url=f"https://bench.invalid/{prefix}/{number}",
                        kind="rss", publisher="bench", jurisdiction="de", language="de")
        batch.append((body, source, source.url, None, None))
    return batch


if __name__ == "__main__":
    main()
