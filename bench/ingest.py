"""Ingest throughput: our whole path to DuckDB against bare ``feedparser.parse``.

Builds at least 10,000 distinct items from the real fixture feeds (each round rewrites the
URLs' host names and uses its own source id, so every item is new), then measures on the
same bytes, in the same run:

  (a) ``feedparser.parse(body)`` alone,
  (b) ``tracker.collect.ingest_documents`` — parse, sanitise, normalise, judge (spaCy
      topics/relevance/deadlines), bulk store in DuckDB with provenance and archive.

Usage: python bench/ingest.py [--min-items 10000] [--fixtures ../shared/fixtures/feeds]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import feedparser

from tracker.collect import ingest_documents
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
    args = parser.parse_args()
    documents = build_documents(args.fixtures, args.min_items)
    get_judge()  # load the spaCy pipeline before timing, as a running collector would have it

    baseline_seconds = ours_seconds = 0.0
    baseline_items = 0
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        with open_db(db):
            pass  # create the schema outside the timed part
        # One round of the fixture files is one collection burst (written through one
        # connection, as run_collection does); rounds interleave the two sides, so load from
        # other processes hits both alike.
        per_round = len(FEED_FILES)
        for start in range(0, len(documents), per_round):
            burst = documents[start:start + per_round]
            started = time.perf_counter()
            baseline_items += sum(len(feedparser.parse(body).entries) for _, body in burst)
            baseline_seconds += time.perf_counter() - started
            batch = []
            for offset, (name, body) in enumerate(burst):
                source = Source(id=f"bench-{start + offset}", name=name, url=f"https://bench.invalid/{start + offset}",
                                kind="rss", publisher="bench", jurisdiction="de", language="de")
                batch.append((body, source, source.url, None, None))
            started = time.perf_counter()
            ingest_documents(batch, db_path=db)
            ours_seconds += time.perf_counter() - started
        with open_db(db) as con:
            stored = count_items(con)

    baseline_rate = baseline_items / baseline_seconds
    ours_rate = stored / ours_seconds
    print(f"documents: {len(documents)}, entries parsed: {baseline_items}, items stored: {stored}")
    print(f"(a) feedparser.parse only : {baseline_seconds:7.2f} s  {baseline_rate:9.0f} items/s")
    print(f"(b) tracker ingest → DuckDB: {ours_seconds:7.2f} s  {ours_rate:9.0f} items/s")
    print(f"ratio (b)/(a): {ours_rate / baseline_rate:.2f}  (goal ≥ 0.60)")


if __name__ == "__main__":
    main()
