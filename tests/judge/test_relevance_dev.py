"""Regression guard on the shared labelled set (skipped without ../shared, required in CI)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from tracker.judge import Judge

BENCH = Path(__file__).resolve().parents[2] / "bench" / "relevance_eval.py"


def _bench():
    spec = importlib.util.spec_from_file_location("relevance_eval", BENCH)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def test_rules_reach_the_issue_goals_on_the_dev_set(relevance_dev: Path, rules_judge: Judge) -> None:
    bench = _bench()
    rows = bench.read_tsv(relevance_dev)
    judged = rules_judge.judge_many(bench.inputs(rows))
    gold = [r["relevant"] == "1" for r in rows]
    precision, recall, f1 = bench.binary(gold, [j.relevant for j in judged])
    assert f1 >= 0.85, (precision, recall, f1)
    top = sorted(range(len(rows)), key=lambda i: -judged[i].score)[:20]
    assert sum(gold[i] for i in top) / 20 >= 0.95
    foreign = [j for r, j in zip(rows, judged, strict=True) if r["jurisdiction"] in ("uk", "us", "nl")]
    assert foreign and not any(j.relevant or j.in_remit for j in foreign)
