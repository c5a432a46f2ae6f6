"""The relevance model scores its bag of words without Docs: it must equal the Doc path."""

from __future__ import annotations

import copy
import json
import random
from dataclasses import replace
from pathlib import Path

import numpy
import pytest
from spacy.strings import hash_string
from spacy.tokens import Doc

from tracker.judge import Judge, JudgeInput
from tracker.judge.engine import _round4
from tracker.judge.model import FEATURES, RelevanceModel, feature_words, latest_model_path, save_new
from tracker.judge.training import read_seed_labels, train_model


@pytest.fixture(scope="module")
def model(rules_judge: Judge) -> RelevanceModel:
    return train_model(rules_judge, read_seed_labels(known_topics=list(rules_judge.taxonomy.topics)))


def _via_docs(model: RelevanceModel, words: list[list[str]]) -> list[dict[str, float]]:
    return [dict(doc.cats) for doc in model.nlp.pipe(Doc(model.nlp.vocab, words=w) for w in words)]


def _cached(model: RelevanceModel) -> int:
    return sum(len(per_field) for per_field in model._bag.hit_hashes.values())


def _items() -> list[JudgeInput]:
    items = [JudgeInput(id=str(i), title=e.title, summary=e.summary, language=e.language)
             for i, e in enumerate(read_seed_labels())]
    # Words repeated, punctuation only, a full text the model must not read, and enough
    # items for more than one nlp.pipe batch.
    items += [JudgeInput(id="r", title="Wärme Wärme wärme Netz", summary="Netz, Netz; Smart Meter Smart Meter"),
              JudgeInput(id="p", title="?!"), JudgeInput(id="x", title="Öffentliche Konsultation"),
              JudgeInput(id="t", title="Wärmeplanung", summary="Kurz.", text="Glasfaser Glasfaser Breitband")]
    return (items * (1 + 1100 // len(items)))[:1100]


def test_bag_of_words_scores_equal_the_textcat_on_docs(rules_judge: Judge, model: RelevanceModel) -> None:
    items = _items()
    prepared = rules_judge.analyse(items, tokens=True)
    tokens = [p.tokens for p in prepared]
    fields = [p.fields for p in prepared]
    features = rules_judge.features(items)
    # The training words are the strings of the hashes the prediction reads.
    assert [[hash_string(w) for w in words] for words, _ in features] == [t.tolist() for t in tokens]
    with_text = features[[i.id for i in items].index("t")][0]
    assert with_text == ["wärmeplanung", "\n\n", "kurz", "."]  # never the full text
    words = [feature_words(*f) for f in features]
    assert model.predict_dicts(tokens, fields) == _via_docs(model, words)
    assert model.predict_dicts(tokens, fields) == _via_docs(model, words)  # hit hashes remembered


def test_a_batch_of_empty_bags_scores_zero_like_the_textcat(model: RelevanceModel) -> None:
    empty = numpy.zeros(0, dtype="uint64")
    scores = model.predict_dicts([empty, empty], [[], []])
    assert scores == _via_docs(model, [[], []])
    assert all(value == 0.0 for row in scores for value in row.values())


def test_the_hit_cache_starts_over_when_full(rules_judge: Judge, model: RelevanceModel,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tracker.judge.model._MAX_HASHES", 1)
    items = [JudgeInput(id=str(i), title=f"Wärmeplanung Runde {i}", summary="Smart Meter und Glasfaser")
             for i in range(3)]
    prepared = rules_judge.analyse(items, tokens=True)
    tokens, fields = [p.tokens for p in prepared], [p.fields for p in prepared]
    first = model.predict_dicts(tokens, fields)
    assert _cached(model) > 1
    assert model.predict_dicts(tokens, fields) == first
    assert first == _via_docs(model, [feature_words(*f) for f in rules_judge.features(items)])
    assert _cached(model) <= 3


def _with_floor(judge: Judge, floor: float) -> Judge:
    other = copy.copy(judge)
    other.taxonomy = replace(judge.taxonomy, settings=replace(judge.taxonomy.settings, topic_score_floor=floor))
    return other


@pytest.mark.parametrize("floor", [0.0, 0.05, 0.3])
def test_blended_scores_equal_the_per_item_formula(rules_judge: Judge, model: RelevanceModel, floor: float) -> None:
    """Rules and model blended for the whole batch give what the per-item rule says:
    each model topic gets max(rule, mix) rounded, rule topics keep their place, and
    scores below the floor are left out."""
    unfloored, floored = _with_floor(rules_judge, 0.0), _with_floor(rules_judge, floor)
    items = [*_items()[:300], JudgeInput(id="fr", title="Le règlement sur les données et la consultation")]
    items = [JudgeInput(id=i.id, title=i.title, summary=i.summary, language=i.language, jurisdiction="de")
             for i in items]
    judged = floored.with_model(model).judge_many(items)
    plain = unfloored.judge_many(items)
    prepared = rules_judge.analyse(items, tokens=True)
    raw = model.predict_dicts([p.tokens for p in prepared], [p.fields for p in prepared])
    weight = rules_judge.taxonomy.settings.model_weight
    assert any(len(p.topic_scores) > 1 for p in plain) and not judged[-1].language_supported
    for got, rules, scores in zip(judged, plain, raw, strict=True):
        expected = dict(rules.topic_scores)
        if not got.language_supported:
            assert got.model_score is None
            assert got.topic_scores == {topic: value for topic, value in expected.items() if value >= floor}
            continue
        for topic, value in scores.items():
            if topic in rules_judge.taxonomy.topics:
                mixed = (1 - weight) * expected.get(topic, 0.0) + weight * value
                expected[topic] = round(max(expected.get(topic, 0.0), mixed), 4)
        expected = {topic: value for topic, value in expected.items() if value >= floor}
        assert list(got.topic_scores.items()) == list(expected.items())
        assert got.topics == [t for t in got.topics if t in got.topic_scores]
        assert got.model_score == round(scores["relevant"], 4)


def test_round4_rounds_like_python() -> None:
    rng = random.Random(7)
    values = [rng.random() for _ in range(20_000)]
    values += [(k + 0.5) / 1e4 for k in range(10_000)]  # ties and near-ties
    values += [k / 1e4 for k in range(10_001)] + [0.0, 1.0, 0.00015, 0.12345, 0.99995]
    got = _round4(numpy.array(values)).tolist()
    assert got == [round(v, 4) for v in values]


def test_models_trained_on_other_features_are_not_used(tmp_path: Path, model: RelevanceModel) -> None:
    path = save_new(model, tmp_path)
    assert latest_model_path(tmp_path) == path
    old = tmp_path / "relevance-29990101T000000Z"
    old.mkdir()
    (old / "meta.json").write_text(json.dumps({"version": "29990101T000000Z"}), encoding="utf-8")
    assert FEATURES != 1 and latest_model_path(tmp_path) == path  # newer, but made from regex words
    only_old = tmp_path / "old"
    only_old.mkdir()
    (old / "meta.json").rename(only_old / "meta.json")
    (only_old / "relevance-1").mkdir()
    (only_old / "meta.json").rename(only_old / "relevance-1" / "meta.json")
    assert latest_model_path(only_old) is None
