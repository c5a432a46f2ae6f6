"""Relevance evaluation: dev figures, 5-fold cross-validation, and the frozen holdout.

Sets (all real, labelled; see tests/judge/fixtures/RELEVANCE_README.md):

- dev: ``../shared/fixtures/relevance_dev.tsv`` (223 items; the rules were written against it);
- train: ``data/relevance_labels.tsv`` (361 items, drawn from the same pool as the holdout, so
  its cross-validated figure is the closest to what the holdout will show);
- more: ``data/relevance_labels_more.tsv`` (822 items, second round, mostly hard negatives);
- holdout: ``tests/judge/fixtures/relevance_holdout.tsv`` (120 items, frozen before the judge
  changed; never used for tuning, only reported).

Prints binary precision/recall/F1, precision among the 20 highest scores and per-topic
precision/recall:

1. rules alone on each set;
2. rules + model under k-fold cross-validation over dev + train + more: each fold judged by a
   model trained on ``data/seed_labels.tsv`` plus the other folds, never on itself; then the
   F1 the same cross-validated model scores would give with other shares of the model in the
   score (``model_weight`` in topics.toml is chosen from this table), and the calibration
   slopes fitted on those scores with the share relevant per shown score band;
3. the holdout judged by rules + the model ``tracker train --without-db`` makes (seed labels +
   train + more), and by rules + a model that also learnt from dev.

Errors are listed only for dev and the training files (``--show-errors``), never for the holdout.

    .venv/bin/python bench/relevance_eval.py [--folds 5] [--show-errors] [--rules-only] [--holdout]
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tracker.judge import Judge, JudgeInput, Judgement  # noqa: E402
from tracker.judge.model import TrainingExample  # noqa: E402
from tracker.judge.remit import in_remit  # noqa: E402
from tracker.judge.scoring import calibrated  # noqa: E402
from tracker.judge.taxonomy import REQUIRED_TOPICS, load_taxonomy  # noqa: E402
from tracker.judge.training import cross_validate, read_seed_labels, shipped_labels, train_model  # noqa: E402

FIXTURES = ROOT / "tests" / "judge" / "fixtures"
DEFAULT_TSV = ROOT.parent / "shared" / "fixtures" / "relevance_dev.tsv"
TRAIN_TSVS = {"train": ROOT / "data" / "relevance_labels.tsv", "more": ROOT / "data" / "relevance_labels_more.tsv"}
WEIGHTS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
HOLDOUT_TSV = FIXTURES / "relevance_holdout.tsv"


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


def figures(rows: list[dict[str, str]], judged: list[Judgement]) -> dict[str, float]:
    gold = [r["relevant"] == "1" for r in rows]
    precision, recall, f1 = binary(gold, [j.relevant for j in judged])
    ranked = sorted(range(len(rows)), key=lambda i: -judged[i].score)[:20]
    return {"precision": precision, "recall": recall, "f1": f1,
            "p_at_20": sum(gold[i] for i in ranked) / len(ranked)}


def report(name: str, rows: list[dict[str, str]], judged: list[Judgement], show_errors: bool) -> dict[str, float]:
    gold = [r["relevant"] == "1" for r in rows]
    result = figures(rows, judged)
    print(f"\n== {name} ==")
    print(f"binary: precision {result['precision']:.3f}  recall {result['recall']:.3f}  F1 {result['f1']:.3f}"
          f"  precision@20 {result['p_at_20']:.3f}  (n={len(rows)}, relevant={sum(gold)})")
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
    return result


def inputs(rows: list[dict[str, str]]) -> list[JudgeInput]:
    return [JudgeInput(id=r["id"], title=r["title"], summary=r.get("summary", ""), language=r.get("language") or None,
                       jurisdiction=r.get("jurisdiction") or None) for r in rows]


def examples_of(rows: list[dict[str, str]], remit: tuple[str, ...]) -> list[TrainingExample | None]:
    """What each row teaches the model; None for rows outside the remit (as in training)."""
    return [TrainingExample(title=r["title"], summary=r.get("summary", ""), language=r.get("language") or None,
                            relevant=r["relevant"] == "1", topics=tuple(t for t in r["topics"].split(",") if t))
            if in_remit(r.get("jurisdiction") or None, remit) else None for r in rows]


def weight_table(judge: Judge, rows: list[dict[str, str]], judged: list[Judgement]) -> None:
    """F1 over the cross-validated model scores for other shares of the model in the score."""
    settings = judge.taxonomy.settings
    rules = [a.rules.score for a in map(judge.analyse, inputs(rows))]
    print(f"\n== model_weight (now {settings.model_weight}; threshold {settings.threshold}),"
          " the same cross-validated model scores ==")
    print(f"{'weight':>6} {'P':>6} {'R':>6} {'F1':>6}")
    for weight in WEIGHTS:
        predicted = [j.model_score is not None and j.in_remit
                     and (1 - weight) * rule + weight * j.model_score >= settings.threshold
                     for rule, j in zip(rules, judged, strict=True)]
        p, r, f1 = binary([row["relevant"] == "1" for row in rows], predicted)
        print(f"{weight:6.1f} {p:6.3f} {r:6.3f} {f1:6.3f}")


def fitted_slope(raw: list[float], gold: list[bool], threshold: float) -> float:
    """The calibration slope with the best log-likelihood of the labels (1-D grid search)."""
    def loss(slope: float) -> float:
        total = 0.0
        for score, label in zip(raw, gold, strict=True):
            p = min(max(calibrated(score, threshold, slope), 1e-6), 1 - 1e-6)
            total -= math.log(p if label else 1 - p)
        return total
    return min((round(0.05 + 0.01 * step, 2) for step in range(196)), key=loss)


def calibration(judge: Judge, rows: list[dict[str, str]], judged: list[Judgement]) -> None:
    """Slopes for topics.toml from cross-validated scores (rules alone, and rules + model)."""
    settings = judge.taxonomy.settings
    rules = [a.rules.score for a in map(judge.analyse, inputs(rows))]
    kept = [(rule, j, row["relevant"] == "1") for rule, j, row in zip(rules, judged, rows, strict=True)
            if j.in_remit and j.language_supported and j.model_score is not None]
    gold = [label for _, _, label in kept]
    blended = [(1 - settings.model_weight) * rule + settings.model_weight * j.model_score for rule, j, _ in kept]
    print("\n== calibration (topics.toml [settings]), from the same cross-validated scores ==")
    print(f"calibration_slope       = {fitted_slope(blended, gold, settings.threshold)}"
          f"   (now {settings.calibration_slope})")
    rules_only = [rule for rule, _, _ in kept]
    print(f"calibration_slope_rules = {fitted_slope(rules_only, gold, settings.threshold)}"
          f"   (now {settings.calibration_slope_rules})")
    for name, raw, slope in (("rules + model", blended, settings.calibration_slope),
                             ("rules alone", rules_only, settings.calibration_slope_rules)):
        reliability(name, [calibrated(score, settings.threshold, slope) for score in raw], gold)


def reliability(name: str, shown: list[float], gold: list[bool]) -> None:
    """How often items shown with a score in each band were relevant (calibrated: about the band)."""
    print(f"\n{name}, shown score band: items, share relevant")
    bands: dict[int, list[bool]] = {}
    for score, label in zip(shown, gold, strict=True):
        bands.setdefault(min(int(score * 10), 9), []).append(label)
    for band in sorted(bands):
        labels = bands[band]
        print(f"  {band / 10:.1f}-{(band + 1) / 10:.1f}  {len(labels):5d}  {sum(labels) / len(labels):.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tsv", type=Path, default=DEFAULT_TSV, help="the dev set")
    parser.add_argument("--holdout", action="store_true", help="also judge the frozen holdout (for the report only)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--show-errors", action="store_true", help="list wrong dev/train items (never holdout)")
    parser.add_argument("--rules-only", action="store_true")
    args = parser.parse_args()
    if not args.tsv.exists():
        print(f"labelled file not found: {args.tsv}", file=sys.stderr)
        return 2
    judge = Judge(load_taxonomy())
    sets = {"dev": read_tsv(args.tsv)}
    sets.update({name: read_tsv(path) for name, path in TRAIN_TSVS.items() if path.exists()})
    holdout = read_tsv(HOLDOUT_TSV) if args.holdout else []
    summary: list[tuple[str, dict[str, float]]] = []
    for name, rows in sets.items():
        summary.append((f"{name}, rules alone", report(f"{name}: rules alone", rows, judge.judge_many(inputs(rows)),
                                                         args.show_errors)))
    if holdout:
        summary.append(("holdout, rules alone", report("holdout: rules alone", holdout,
                                                       judge.judge_many(inputs(holdout)), False)))
    if not args.rules_only:
        pooled = [row for rows in sets.values() for row in rows]
        remit = judge.taxonomy.settings.remit
        seeds = read_seed_labels(None, list(judge.taxonomy.topics))
        combined = cross_validate(judge, inputs(pooled), examples_of(pooled, remit), base=seeds, folds=args.folds)
        label = "+".join(sets)
        summary.append((f"{label}, rules + model ({args.folds}-fold CV)",
                        report(f"{label}: rules + model ({args.folds}-fold cross-validation, seed labels + other "
                               "folds)", pooled, combined, args.show_errors)))
        start = 0
        for name, rows in sets.items():
            part = combined[start:start + len(rows)]
            start += len(rows)
            summary.append((f"{name}, rules + model ({args.folds}-fold CV)", figures(rows, part)))
        weight_table(judge, pooled, combined)
        calibration(judge, pooled, combined)
        if holdout:
            shipped = shipped_labels(judge)
            model = train_model(judge, shipped)
            summary.append(("holdout, rules + shipped model (seeds + train + more)",
                            report("holdout: rules + the model trained on the shipped labels (seeds + train + more)",
                                   holdout, judge.with_model(model).judge_many(inputs(holdout)), False)))
            dev = [e for e in examples_of(sets["dev"], remit) if e is not None]
            model = train_model(judge, [*shipped, *dev])
            summary.append(("holdout, rules + model (seeds + train + more + dev)",
                            report("holdout: rules + a model trained on seeds + train + more + dev", holdout,
                                   judge.with_model(model).judge_many(inputs(holdout)), False)))
    print("\n== summary ==")
    print(f"{'':58} {'P':>6} {'R':>6} {'F1':>6} {'P@20':>6}")
    for name, result in summary:
        print(f"{name:58} {result['precision']:6.3f} {result['recall']:6.3f} {result['f1']:6.3f}"
              f" {result['p_at_20']:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
