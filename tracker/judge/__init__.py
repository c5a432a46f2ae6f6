"""The judge: relevance with evidence, topics, stage and deadline for each item.

Public surface: ``JudgeInput``, ``Evidence``, ``Judgement``, ``Judge`` and ``get_judge``,
which loads the taxonomy, the spaCy pipelines and the newest trained model once per
process.
"""

from __future__ import annotations

import threading
from pathlib import Path

from tracker.judge.engine import Judge
from tracker.judge.types import Evidence, JudgeInput, Judgement

__all__ = ["Evidence", "Judge", "JudgeInput", "Judgement", "get_judge"]

_cache: dict[tuple[str, str, bool], Judge] = {}
_lock = threading.Lock()


def get_judge(taxonomy_path: Path | None = None, model_dir: Path | None = None, *,
              use_model: bool = True) -> Judge:
    """The shared Judge for this taxonomy and model directory (built on first use).

    With ``use_model`` the newest ``relevance-*`` model under ``model_dir`` (default
    ``data/models``) joins the rules; without one, rules alone judge.
    """
    from tracker.judge.model import DEFAULT_MODEL_DIR, latest_model_path, load_model
    from tracker.judge.taxonomy import DEFAULT_TAXONOMY_PATH, load_taxonomy

    taxonomy_file = Path(taxonomy_path or DEFAULT_TAXONOMY_PATH).resolve()
    models = Path(model_dir or DEFAULT_MODEL_DIR).resolve()
    model_path = latest_model_path(models) if use_model else None
    key = (str(taxonomy_file), str(model_path), use_model)
    with _lock:
        judge = _cache.get(key)
        taxonomy = load_taxonomy(taxonomy_file)
        if judge is None or judge.taxonomy.sha != taxonomy.sha:
            model = load_model(model_path) if model_path else None
            judge = Judge(taxonomy, model)
            _cache[key] = judge
        return judge
