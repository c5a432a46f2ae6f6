"""The relevance model scores its bag of words without Docs: it must equal the Doc path."""

from __future__ import annotations

import pytest

from tracker.judge import Judge, JudgeInput
from tracker.judge.model import RelevanceModel, _doc, feature_text, feature_words
from tracker.judge.training import read_seed_labels, train_model


@pytest.fixture(scope="module")
def model(rules_judge: Judge) -> RelevanceModel:
    return train_model(rules_judge, read_seed_labels(known_topics=list(rules_judge.taxonomy.topics)))


def _via_docs(model: RelevanceModel, texts: list[str]) -> list[dict[str, float]]:
    return [dict(doc.cats) for doc in model.nlp.pipe(_doc(model.nlp, text) for text in texts)]


def test_bag_of_words_scores_equal_the_textcat_on_docs(rules_judge: Judge, model: RelevanceModel) -> None:
    assert model._bag is not None, "the trained architecture should take the fast path"
    examples = read_seed_labels()
    items = [JudgeInput(id=str(i), title=e.title, summary=e.summary, language=e.language)
             for i, e in enumerate(examples)]
    # Words repeated, punctuation only, and enough items for more than one nlp.pipe batch.
    items += [JudgeInput(id="r", title="Wärme Wärme wärme Netz", summary="Netz, Netz; Smart Meter Smart Meter"),
              JudgeInput(id="p", title="?!"), JudgeInput(id="x", title="Öffentliche Konsultation")]
    items = (items * (1 + 1100 // len(items)))[:1100]
    features = rules_judge.features(items)
    texts = [feature_text(*f) for f in features]
    assert [feature_words(*f) for f in features] == [text.split() for text in texts]
    assert model.predict(features) == _via_docs(model, texts)
    assert model.predict(features) == _via_docs(model, texts)  # hashes remembered from the first call


def test_a_batch_of_empty_bags_scores_zero_like_the_textcat(model: RelevanceModel) -> None:
    features = [("?!", "", []), ("–", "...", [])]
    assert model.predict(features) == _via_docs(model, ["", ""])
    assert all(value == 0.0 for scores in model.predict(features) for value in scores.values())


def test_the_hash_cache_starts_over_when_full(rules_judge: Judge, model: RelevanceModel,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tracker.judge.model._MAX_HASHES", 5)
    items = [JudgeInput(id=str(i), title=f"Wärmeplanung Runde {i}", summary="Smart Meter und Glasfaser")
             for i in range(3)]
    features = rules_judge.features(items)
    first = model.predict(features)
    assert model._bag is not None and len(model._bag.hashes) > 5
    assert model.predict(features) == first == _via_docs(model, [feature_text(*f) for f in features])
    assert len(model._bag.hashes) <= 5 + len(" ".join(feature_text(*f) for f in features).split())
