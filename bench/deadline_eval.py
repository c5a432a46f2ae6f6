"""Deadline evaluation on real labelled sentences: dev sets and the frozen holdout.

Sets (see tests/judge/fixtures/DEADLINES_README.md):

- ``deadlines.tsv`` (50, the first dev set), ``deadlines_dev_new.tsv`` (127) and
  ``deadlines_dev_more.tsv`` (225): dev, free to study and to learn from (the chooser's weights
  are fitted on them, so the honest dev figure is the cross-validated one that
  ``bench/train_deadlines.py`` prints);
- ``deadlines_holdout.tsv`` (60): frozen before the extractor changed; reported, never studied.

Each sentence goes through the judge's own path (``find_deadline`` on an item whose summary is
the sentence, with its jurisdiction and publication date). Prints per set: exact (the expected
date, or no date where none is expected), invented (a date where none is expected), missed (no
date where one is expected) and wrong (another date); then the possible deadlines
(``deadlines.POSSIBLE_FLOOR``), which the user sees as "Frist prüfen": "to check" counts missed
sentences whose possible deadline is the expected day, "needless" sentences without a deadline
that got one. ``--show-errors`` lists the wrong rows of the dev sets only.

    .venv/bin/python bench/deadline_eval.py [--show-errors] [--holdout]
"""

from __future__ import annotations

import argparse
import csv
import sys
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tracker.judge.deadlines import find_deadline  # noqa: E402
from tracker.judge.taxonomy import load_taxonomy  # noqa: E402
from tracker.judge.types import JudgeInput  # noqa: E402

FIXTURES = ROOT / "tests" / "judge" / "fixtures"
DEV_SETS = {"dev (deadlines.tsv)": FIXTURES / "deadlines.tsv",
            "dev (deadlines_dev_new.tsv)": FIXTURES / "deadlines_dev_new.tsv",
            "dev (deadlines_dev_more.tsv)": FIXTURES / "deadlines_dev_more.tsv"}
HOLDOUT = FIXTURES / "deadlines_holdout.tsv"


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def as_input(row: dict[str, str]) -> JudgeInput:
    published = datetime.fromisoformat(row["published"]) if row.get("published") else None
    return JudgeInput(id=row["id"], title="", summary=row["text"].replace("\\n", "\n"), published=published,
                      jurisdiction=row.get("jurisdiction") or None, language=row.get("language") or None)


def evaluate(rows: list[dict[str, str]]) -> tuple[dict[str, int], list[tuple[dict[str, str], date | None]]]:
    settings = load_taxonomy().settings
    counts = dict.fromkeys(COUNTS, 0) | {"rows": len(rows)}
    errors = []
    for row in rows:
        found = find_deadline(as_input(row), settings)
        got, possible = found.date, found.possible.day if found.possible else None
        expected = date.fromisoformat(row["expected"]) if row["expected"] else None
        counts["to check"] += got is None and expected is not None and possible == expected
        counts["needless"] += expected is None and possible is not None
        if got == expected:
            counts["exact"] += 1
            continue
        errors.append((row, got))
        counts["invented" if expected is None else "missed" if got is None else "wrong"] += 1
    return counts, errors


COUNTS = ("rows", "exact", "invented", "missed", "wrong", "to check", "needless")


def line(name: str, counts: dict[str, int]) -> str:
    share = counts["exact"] / counts["rows"] if counts["rows"] else 0.0
    return (f"{name:32} {counts['rows']:5d} {counts['exact']:6d} {share:7.1%} {counts['invented']:9d}"
            f" {counts['missed']:7d} {counts['wrong']:6d} {counts['to check']:9d} {counts['needless']:9d}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--show-errors", action="store_true", help="list the wrong dev rows (never holdout rows)")
    parser.add_argument("--holdout", action="store_true", help="also report the frozen holdout (for the report only)")
    args = parser.parse_args()
    print(f"{'set':32} {'rows':>5} {'exact':>6} {'share':>7} {'invented':>9} {'missed':>7} {'wrong':>6}"
          f" {'to check':>9} {'needless':>9}")
    total = dict.fromkeys(COUNTS, 0)
    shown = []
    for name, path in DEV_SETS.items():
        counts, errors = evaluate(read_rows(path))
        total = {key: total[key] + counts[key] for key in total}
        shown += errors
        print(line(name, counts))
    print(line("dev, all", total))
    if args.holdout and HOLDOUT.exists():
        counts, _ = evaluate(read_rows(HOLDOUT))
        print(line("holdout (frozen)", counts))
    if args.show_errors:
        for row, got in shown:
            print(f"  {row['id']:>5} expected {row['expected'] or '-':10} got {got or '-'!s:10}"
                  f" {row['text'][:140]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
