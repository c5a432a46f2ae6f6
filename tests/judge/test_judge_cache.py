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
