"""Throughput of ``tracker classify``, on one core; the bare spaCy tokenizer for scale.

Builds JSON Lines items from the project's own texts (seed and training labels, the deadline
dev sentences, demo data if present, ../shared/fixtures/relevance_dev.tsv if present), then
measures words per second of the full batch contract (parse JSON, language check, term
matching, scoring, stage, deadline candidates and choice, model, JSON out). The floor is
50,000 words/s (issue 13); the ratio to ``spacy.blank("de").tokenizer`` on the same texts is
printed for scale only (it was a goal until issue 13 retired it).

    .venv/bin/python bench/classify.py [--items 6000] [--repeat 5] [--rules-only | --model-only]

``--rules-only`` loads no model: the rules figure alone, without the model judge's work
and garbage in the same process (which changes the rules timing by a few per cent).
``--model-only`` times only the judge with the model, as ``tracker classify`` runs it (one
judge per process); without either flag both modes are timed in one process.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import spacy  # noqa: E402

from tracker.judge import get_judge  # noqa: E402
from tracker.judge.classify import classify_lines  # noqa: E402


def _tsv(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def corpus() -> list[dict[str, str]]:
    rows = []
    for row in _tsv(ROOT / "data" / "seed_labels.tsv"):
        rows.append({"title": row["title"], "summary": row["summary"], "language": row["language"]})
    for row in _tsv(ROOT / "data" / "relevance_labels.tsv"):
        rows.append({"title": row["title"], "summary": row["summary"], "jurisdiction": row["jurisdiction"]})
    for name in ("deadlines.tsv", "deadlines_dev_new.tsv"):
        for row in _tsv(ROOT / "tests" / "judge" / "fixtures" / name):
            rows.append({"title": row["note"] or "Hinweis", "summary": row["text"].replace("\\n", "\n"),
                         "jurisdiction": row["jurisdiction"]})
    for row in _tsv(ROOT.parent / "shared" / "fixtures" / "relevance_dev.tsv"):
        rows.append({"title": row["title"], "summary": row["summary"], "jurisdiction": row["jurisdiction"]})
    demo = ROOT / "data" / "demo" / "items.json"
    if demo.exists():
        for entry in json.loads(demo.read_text(encoding="utf-8")).get("items", []):
            if isinstance(entry, dict) and isinstance(entry.get("title"), str):
                rows.append({"title": entry["title"], "summary": str(entry.get("summary") or "")})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=6000)
    parser.add_argument("--repeat", type=int, default=5, help="best of N interleaved rounds")
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--rules-only", action="store_true", help="time the rules judge alone, no model loaded")
    only.add_argument("--model-only", action="store_true", help="time the judge with the model alone")
    args = parser.parse_args()
    base = corpus()
    items = [dict(base[i % len(base)], id=str(i)) for i in range(args.items)]
    lines = [json.dumps(item, ensure_ascii=False) for item in items]
    texts = [t for item in items for t in (item["title"], item.get("summary", "")) if t]
    words = sum(len(t.split()) for t in texts)

    tokenizer = spacy.blank("de").tokenizer
    started = time.perf_counter()
    judge = get_judge(use_model=not args.rules_only)
    load_seconds = time.perf_counter() - started
    rules = get_judge(use_model=False)
    judges = {"rules": rules, judge.model_version: judge}  # one entry when there is no model
    if args.model_only:
        if judge is rules:
            parser.error("--model-only needs a trained model in data/models (tracker train)")
        judges = {judge.model_version: judge}
    sources: dict = {}
    for j in judges.values():
        list(classify_lines(lines[:200], j, sources))  # warm up
    # Interleaved rounds, best of each: the machine is shared, and a slow moment should
    # hit the baseline and the contender alike.
    best_tok = float("inf")
    results = dict.fromkeys(judges, float("inf"))
    for _ in range(args.repeat):
        best_tok = min(best_tok, _timed(lambda: [tokenizer(t) for t in texts]))
        for name, j in judges.items():
            results[name] = min(results[name],
                                _timed(lambda j=j: sum(1 for _ in classify_lines(lines, j, sources))))
    tok_rate = words / best_tok
    print(f"items {len(items)}, texts {len(texts)}, words {words} (from {len(base)} distinct items)")
    print(f"spaCy blank('de') tokenizer: {tok_rate:,.0f} words/s")
    for name, seconds in results.items():
        rate = words / seconds
        verdict = "floor 50,000 met" if rate >= 50_000 else "BELOW the floor of 50,000"
        print(f"tracker classify [{name}]: {rate:,.0f} words/s, {len(items) / seconds:,.0f} items/s "
              f"({verdict}; {rate / tok_rate:.2f} of the tokenizer)")
    print(f"one-time start-up (taxonomy, pipelines, model): {load_seconds:.2f} s")
    return 0


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


if __name__ == "__main__":
    sys.exit(main())
