"""Relevance evaluation on a labelled TSV (default: ../shared/fixtures/relevance_dev.tsv).

Prints binary precision/recall/F1 and per-topic precision/recall for the rules alone and
for rules plus the trained model. Then the same for the labelled demo items
(data/demo/items.json; jurisdiction from the source in feeds.toml), with a model trained
on the seed labels and the whole TSV, which never saw a demo item. The model is evaluated by k-fold cross-validation:
each fold's items are judged by a model trained on the project's seed labels plus the
other folds, never on themselves. Also prints precision among the 20 highest-scored
items and the items still judged wrong.

    .venv/bin/python bench/relevance_eval.py [--tsv PATH] [--folds 5] [--show-errors]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tracker.judge import Judge, JudgeInput, Judgement  # noqa: E402
from tracker.judge.model import TrainingExample  # noqa: E402
from tracker.judge.taxonomy import REQUIRED_TOPICS, load_taxonomy  # noqa: E402
from tracker.judge.training import cross_validate, read_seed_labels, train_model  # noqa: E402

DEFAULT_TSV = ROOT.parent / "shared" / "fixtures" / "relevance_dev.tsv"


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        return [dict(zip(header, row, strict=False)) for row in reader if row]


def binary(gold: list[bool], predicted: list[bool]) -> tuple[float, float, float]:
    tp = sum(g and p for g, p in zip(gold, predicted, strict=True))
    fp = sum(p and not g for g, p in zip(gold, predicted, strict=True))
    fn = sum(g and not p for g, p in zip(gold, predicted, strict=True))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def report(name: str, rows: list[dict[str, str]], judged: list[Judgement], show_errors: bool) -> dict[str, float]:
    gold = [r["relevant"] == "1" for r in rows]
    predicted = [j.relevant for j in judged]
    precision, recall, f1 = binary(gold, predicted)
    ranked = sorted(range(len(rows)), key=lambda i: -judged[i].score)[:20]
    p_at_20 = sum(gold[i] for i in ranked) / len(ranked)
    print(f"\n== {name} ==")
    print(f"binary: precision {precision:.3f}  recall {recall:.3f}  F1 {f1:.3f}  precision@20 {p_at_20:.3f}"
          f"  (n={len(rows)}, relevant={sum(gold)})")
    print(f"{'topic':24} {'gold':>5} {'pred':>5} {'P':>6} {'R':>6}")
    for topic in REQUIRED_TOPICS:
        gold_t = [topic in r["topics"].split(",") for r in rows]
        pred_t = [topic in j.topics and j.relevant for j in judged]
        p, r, _ = binary(gold_t, pred_t)
        print(f"{topic:24} {sum(gold_t):5d} {sum(pred_t):5d} {p:6.2f} {r:6.2f}")
    if show_errors:
        for row, judgement, g in zip(rows, judged, gold, strict=True):
            if g != judgement.relevant:
                kind = "FN" if g else "FP"
                terms = ",".join(sorted({e.term for e in judgement.evidence}))
                print(f"  {kind} {row['id']:>5} s={judgement.score:.2f} [{row['jurisdiction']}/{judgement.language}]"
                      f" {row['title'][:90]} | {terms}")
    return {"precision": precision, "recall": recall, "f1": f1, "p_at_20": p_at_20}


def inputs(rows: list[dict[str, str]]) -> list[JudgeInput]:
    return [JudgeInput(id=r["id"], title=r["title"], summary=r.get("summary", ""), language=r.get("language") or None,
                       jurisdiction=r.get("jurisdiction") or None) for r in rows]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tsv", type=Path, default=DEFAULT_TSV)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--show-errors", action="store_true")
    parser.add_argument("--rules-only", action="store_true")
    parser.add_argument("--demo", type=Path, default=ROOT / "data" / "demo" / "items.json",
                        help="labelled demo items judged as a second check (skipped if absent)")
    args = parser.parse_args()
    if not args.tsv.exists():
        print(f"labelled file not found: {args.tsv}", file=sys.stderr)
        return 2
    rows = read_tsv(args.tsv)
    taxonomy = load_taxonomy()
    judge = Judge(taxonomy)
    items = inputs(rows)
    rules = judge.judge_many(items)
    report("rules alone", rows, rules, args.show_errors)
    unsupported = [r["id"] for r, j in zip(rows, rules, strict=True) if not j.language_supported]
    print(f"language not supported (never relevant): {len(unsupported)} items {unsupported}")
    if args.rules_only:
        return 0
    examples = [TrainingExample(title=r["title"], summary=r.get("summary", ""), language=r.get("language") or None,
                                relevant=r["relevant"] == "1", topics=tuple(t for t in r["topics"].split(",") if t))
                for r in rows]
    combined = cross_validate(judge, items, examples, folds=args.folds)
    report(f"rules + model ({args.folds}-fold cross-validation, seed labels + other folds)", rows, combined,
           args.show_errors)
    if args.demo.exists():
        demo_rows = read_demo(args.demo)
        demo_items = [JudgeInput(id=r["id"], title=r["title"], summary=r["summary"], language=r["language"] or None,
                                 source=r["source"]) for r in demo_rows]
        report("demo items, rules alone", demo_rows, judge.judge_many(demo_items), args.show_errors)
        model = train_model(judge, [*read_seed_labels(None, list(taxonomy.topics)), *examples])
        report("demo items, rules + model trained on seed labels and the whole TSV", demo_rows,
               judge.with_model(model).judge_many(demo_items), args.show_errors)
    return 0


def read_demo(path: Path) -> list[dict[str, str]]:
    """The demo data's items with their relevance labels, in the TSV's row shape."""
    entries = json.loads(path.read_text(encoding="utf-8")).get("items", [])
    return [{"id": f"demo-{i}", "title": e["title"], "summary": e.get("summary") or "",
             "language": e.get("language") or "", "source": e.get("source_id") or "", "jurisdiction": "",
             "relevant": "1" if e.get("relevant") else "0", "topics": ",".join(e.get("topics") or [])}
            for i, e in enumerate(entries)]


if __name__ == "__main__":
    sys.exit(main())
