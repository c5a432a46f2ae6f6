"""The relevance model: what it reads, how its scores blend with the rules, which models load."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path

import pytest

from tracker.judge import Judge, JudgeInput
from tracker.judge.model import FEATURES, RelevanceModel, latest_model_path, save_new
from tracker.judge.scoring import calibrated
from tracker.judge.training import read_seed_labels, train_model


@pytest.fixture(scope="module")
def model(rules_judge: Judge) -> RelevanceModel:
    return train_model(rules_judge, read_seed_labels(known_topics=list(rules_judge.taxonomy.topics)), epochs=5)


def test_the_model_reads_tokens_rule_hits_signals_and_stage(rules_judge: Judge) -> None:
    item = JudgeInput(id="t", title="Antwort der Bundesregierung auf die Kleine Anfrage zur Wärmeplanung",
                      summary="Die Kommunen fragen.", text="Glasfaser Glasfaser Breitband")
    words = rules_judge.features(rules_judge.analyse(item))
    assert words[:3] == ["antwort", "der", "bundesregierung"] and "kommunen" in words
    assert {"kr_term_wärmeplanung", "kr_signal_parliamentary_question", "kr_signal_addressee"} <= set(words)
    assert any(w.startswith("kr_stage_") for w in words)
    # The full text gives rule hits, never tokens.
    assert "glasfaser" not in words and "kr_term_glasfaser" in words and "kr_text_strong" in words


def _with_settings(judge: Judge, **settings: float) -> Judge:
    other = copy.copy(judge)
    other.taxonomy = replace(judge.taxonomy, settings=replace(judge.taxonomy.settings, **settings))
    return other


@pytest.mark.parametrize("floor", [0.0, 0.05, 0.3])
def test_blended_scores_follow_the_documented_rule(rules_judge: Judge, model: RelevanceModel, floor: float) -> None:
    """Each model topic gets max(rule, mix) rounded, scores below the floor are left out,
    the relevance score mixes rule and model score, unreadable items get no model score."""
    items = [JudgeInput(id=str(i), title=e.title, summary=e.summary, language=e.language, jurisdiction="de")
             for i, e in enumerate(read_seed_labels()[:60])]
    items.append(JudgeInput(id="fr", title="Le règlement sur les données et la consultation", jurisdiction="de"))
    judged = _with_settings(rules_judge, topic_score_floor=floor).with_model(model).judge_many(items)
    # The rules' raw score: shown scores are calibrated (tested in test_calibration.py).
    plain = _with_settings(rules_judge, topic_score_floor=0.0, calibration_slope_rules=1.0).judge_many(items)
    raw = model.predict([rules_judge.features(rules_judge.analyse(i)) for i in items])
    settings = rules_judge.taxonomy.settings
    weight = settings.model_weight
    assert any(len(p.topic_scores) > 1 for p in plain) and not judged[-1].language_supported
    for got, rules, row in zip(judged, plain, raw.tolist(), strict=True):
        scores = dict(zip(model.labels, row, strict=True))
        if not got.language_supported:
            assert got.model_score is None and got.score == 0.0
            continue
        expected = dict(rules.topic_scores)
        for topic, value in scores.items():
            if topic in rules_judge.taxonomy.topics:
                rule = expected.get(topic, 0.0)
                expected[topic] = round(max(rule, (1 - weight) * rule + weight * value), 4)
        assert got.topic_scores == {t: v for t, v in expected.items() if v >= floor}
        assert got.model_score == round(scores["relevant"], 4)
        blend = (1 - weight) * rules.score + weight * scores["relevant"]
        assert got.score == pytest.approx(calibrated(blend, settings.threshold, settings.calibration_slope), abs=2e-4)
        assert got.relevant == (blend >= settings.threshold)


def test_models_trained_on_other_features_are_not_used(tmp_path: Path, model: RelevanceModel) -> None:
    path = save_new(model, tmp_path)
    assert latest_model_path(tmp_path) == path
    old = tmp_path / "relevance-29990101T000000Z"
    old.mkdir()
    (old / "meta.json").write_text(json.dumps({"version": "29990101T000000Z", "features": FEATURES - 1}),
                                   encoding="utf-8")
    assert latest_model_path(tmp_path) == path  # newer, but made from other features
