"""The judge: relevance with evidence, topics, stage and deadline for each item.

Public surface: ``JudgeInput``, ``Evidence``, ``Judgement``, ``Judge`` and ``get_judge``,
which loads the taxonomy, the term matchers and the newest trained model once per process.
"""

from __future__ import annotations

import threading
from pathlib import Path

from tracker.judge.engine import Judge
from tracker.judge.types import Evidence, JudgeInput, Judgement

__all__ = ["Evidence", "Judge", "JudgeInput", "Judgement", "get_judge"]

# One judge per (taxonomy file, model, use_model), with the taxonomy's sha it was built
# from: a changed topics.toml builds a new one.
_judges: dict[tuple[Path, Path | None, bool], Judge] = {}
_lock = threading.Lock()


def get_judge(taxonomy_path: Path | None = None, model_dir: Path | None = None, *,
              use_model: bool = True) -> Judge:
    """The shared Judge for this taxonomy and model directory (built on first use).

    With ``use_model`` the newest ``relevance-*`` model under ``model_dir`` (default
    ``data/models``) joins the rules; without one, rules alone judge. Judges of one
    taxonomy share their matchers.
    """
    from tracker.judge.model import DEFAULT_MODEL_DIR, latest_model_path, load_model
    from tracker.judge.taxonomy import DEFAULT_TAXONOMY_PATH, current_taxonomy

    taxonomy_file = Path(taxonomy_path or DEFAULT_TAXONOMY_PATH).resolve()
    model_path = latest_model_path(Path(model_dir or DEFAULT_MODEL_DIR).resolve()) if use_model else None
    key = (taxonomy_file, model_path, use_model)
    with _lock:
        taxonomy = current_taxonomy(taxonomy_file)  # parsed again only when the file changed
        judge = _judges.get(key)
        if judge is None or judge.taxonomy.sha != taxonomy.sha:
            model = load_model(model_path) if model_path else None
            sibling = next((j for j in _judges.values() if j.taxonomy.sha == taxonomy.sha), None)
            judge = sibling.with_model(model) if sibling else Judge(taxonomy, model)
            _judges[key] = judge
        return judge
