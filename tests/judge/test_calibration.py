"""The shown score is calibrated around the threshold: decisions stay, bunched scores spread."""

from __future__ import annotations

import copy
import math
from dataclasses import replace
from pathlib import Path

import pytest

from tracker.judge import Judge, JudgeInput
from tracker.judge.scoring import calibrated
from tracker.judge.training import read_seed_labels

ROOT = Path(__file__).resolve().parents[2]
GRID = [i / 200 for i in range(201)]


@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.7])
@pytest.mark.parametrize("slope", [0.25, 0.5, 1.0, 2.0])
def test_calibration_keeps_the_threshold_and_the_order(threshold: float, slope: float) -> None:
    shown = [calibrated(raw, threshold, slope) for raw in GRID]
    assert math.isclose(calibrated(threshold, threshold, slope), threshold)
    assert shown == sorted(shown) and all(0.0 <= s <= 1.0 for s in shown)
    assert all((s >= threshold) == (raw >= threshold) for raw, s in zip(GRID, shown, strict=True))
    assert calibrated(0.0, threshold, slope) == 0.0  # nothing found stays nothing


def test_a_slope_below_one_pulls_extremes_towards_the_threshold() -> None:
    assert 0.5 < calibrated(0.99, 0.5, 0.25) < 0.8
    assert 0.2 < calibrated(0.05, 0.5, 0.25) < 0.5
    assert calibrated(0.99, 0.5, 1.0) == 0.99


def test_shipped_rules_scores_spread_without_changing_a_decision(rules_judge: Judge) -> None:
    """Real labelled items (data/relevance_labels.tsv) judged by rules alone: with the shipped
    slope far fewer sit at 0.95 and above than raw, and every relevant/not relevant is the same."""
    settings = rules_judge.taxonomy.settings
    assert settings.calibration_slope_rules < 1.0
    raw_judge = copy.copy(rules_judge)
    raw_judge.taxonomy = replace(rules_judge.taxonomy, settings=replace(settings, calibration_slope_rules=1.0))
    items = [JudgeInput(id=str(i), title=e.title, summary=e.summary, language=e.language, jurisdiction="de")
             for i, e in enumerate(read_seed_labels(ROOT / "data" / "relevance_labels.tsv"))]
    shown, raw = rules_judge.judge_many(items), raw_judge.judge_many(items)
    assert [j.relevant for j in shown] == [j.relevant for j in raw]
    high = sum(j.score >= 0.95 for j in shown), sum(j.score >= 0.95 for j in raw)
    assert high[1] > len(items) / 5 and high[0] < high[1] / 5
    bands = {min(int(j.score * 10), 9) for j in shown if j.score > 0}
    assert len(bands) >= 5
