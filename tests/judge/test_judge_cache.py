"""The shared judge is built once per process and rebuilt when the taxonomy file changes."""

from __future__ import annotations

import shutil

from tracker.judge import get_judge
from tracker.judge.taxonomy import DEFAULT_TAXONOMY_PATH


def test_same_file_same_judge_edited_file_new_judge(tmp_path):
    taxonomy = tmp_path / "topics.toml"
    shutil.copy(DEFAULT_TAXONOMY_PATH, taxonomy)
    models = tmp_path / "no-models"
    first = get_judge(taxonomy, models)
    assert get_judge(taxonomy, models) is first
    text = taxonomy.read_text(encoding="utf-8")
    assert "Wärmeplanung" in text
    taxonomy.write_text(text.replace("Wärmeplanung", "Waermeplanung", 1), encoding="utf-8")
    rebuilt = get_judge(taxonomy, models)
    assert rebuilt is not first and rebuilt.taxonomy.sha != first.taxonomy.sha
    assert get_judge(taxonomy, models) is rebuilt


def test_judges_with_and_without_a_model_share_the_matchers(tmp_path):
    from tracker.judge.model import save_new
    from tracker.judge.training import read_seed_labels, train_model

    taxonomy = tmp_path / "topics.toml"
    shutil.copy(DEFAULT_TAXONOMY_PATH, taxonomy)
    rules = get_judge(taxonomy, use_model=False)
    models = tmp_path / "models"
    save_new(train_model(rules, read_seed_labels(known_topics=list(rules.taxonomy.topics)), seed=1, epochs=3), models)
    with_model = get_judge(taxonomy, models)
    assert with_model.model is not None and rules.model is None
    assert with_model.matchers is rules.matchers and with_model.taxonomy.sha == rules.taxonomy.sha
    assert get_judge(taxonomy, use_model=False) is rules and get_judge(taxonomy, models) is with_model
