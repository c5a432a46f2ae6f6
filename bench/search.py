"""Inbox text search at 1,000,000 items: umlaut-tolerant search against plain ILIKE.

The inbox finds "Wärmeplanung" when someone types "Waermeplanung" (and the other way
round) by matching a case-insensitive RE2 pattern per word
(``tracker.work.inbox.search_pattern``) with DuckDB's ``regexp_matches``. The baseline is
what the inbox did before: ``ILIKE '%word%'`` on title and summary, which finds only the
spelling typed. Both run in the same process on the same in-memory table of synthetic
German titles and summaries (1 in 97 mentions "Wärmeplanung", 1 in 89 "Waermeplanung"),
best of several rounds; the result is reported as the ratio new / baseline.

DuckDB's full-text extension (``fts``, with a German stemmer) was not used: it is not
installed with the duckdb package and would have to be downloaded at runtime, which the
tracker never does.

Usage: python bench/search.py [--items 1000000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker.work.inbox import search_pattern  # noqa: E402

BASELINE = "SELECT count(*) FROM items WHERE title ILIKE $w OR summary ILIKE $w"
UMLAUT_TOLERANT = "SELECT count(*) FROM items WHERE regexp_matches(title, $w) OR regexp_matches(summary, $w)"


def best_of(con: duckdb.DuckDBPyConnection, sql: str, word: str, rounds: int) -> tuple[float, int]:
    best, found = float("inf"), 0
    for _ in range(rounds):
        start = time.perf_counter()
        found = con.execute(sql, {"w": word}).fetchone()[0]
        best = min(best, time.perf_counter() - start)
    return best, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    con = duckdb.connect()
    con.execute(f"""CREATE TABLE items AS SELECT
        'Referentenentwurf Nr. ' || i || CASE WHEN i % 97 = 0 THEN ' zur kommunalen Wärmeplanung'
                                               WHEN i % 89 = 0 THEN ' zur Waermeplanung in Bayern'
                                               ELSE ' über Straßenbeleuchtung und Glasfaser' END AS title,
        repeat('Die Kommunen und Stadtwerke müssen Daten bereitstellen und Gebäude prüfen. ', 5) || i AS summary
        FROM range({args.items}) t(i)""")
    print(f"{args.items:,} items, best of {args.rounds}")
    print(f"{'word':<22} {'ILIKE (s)':>10} {'found':>8} {'umlaut-tolerant (s)':>20} {'found':>8} {'ratio':>6}")
    for word in ("Wärmeplanung", "Waermeplanung", "Straßenbeleuchtung", "Stadtwerke"):
        base, base_found = best_of(con, BASELINE, f"%{word}%", args.rounds)
        new, new_found = best_of(con, UMLAUT_TOLERANT, search_pattern(word), args.rounds)
        print(f"{word:<22} {base:>10.3f} {base_found:>8,} {new:>20.3f} {new_found:>8,} {new / base:>6.2f}")


if __name__ == "__main__":
    main()
