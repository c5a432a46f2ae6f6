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

_cache: dict[tuple[str, str, bool], tuple[tuple[int, int], Judge]] = {}
_lock = threading.Lock()


def _file_signature(path: Path) -> tuple[int, int]:
    """Modification time and size: enough to notice an edited taxonomy without parsing it."""
    try:
        stat = path.stat()
    except OSError:
        return (-1, -1)  # load_taxonomy below reports the missing file properly
    return (stat.st_mtime_ns, stat.st_size)


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
    signature = _file_signature(taxonomy_file)
    with _lock:
        cached = _cache.get(key)
        # Parsing and validating the taxonomy costs milliseconds; the collector asks once per
        # document, so re-read it only when the file changed on disk.
        if cached is not None and cached[0] == signature:
            return cached[1]
        taxonomy = load_taxonomy(taxonomy_file)
        if cached is not None and cached[1].taxonomy.sha == taxonomy.sha:
            judge = cached[1]
        else:
            model = load_model(model_path) if model_path else None
            sibling = _with_pipelines(str(taxonomy_file), taxonomy.sha)
            judge = sibling.with_model(model) if sibling is not None else Judge(taxonomy, model)
        _cache[key] = (signature, judge)
        return judge


def _with_pipelines(taxonomy_file: str, sha: str) -> Judge | None:
    """A cached judge of the same taxonomy, whose pipelines a judge with another model
    (or none) can share: one set of spaCy pipelines and term automata per taxonomy, not
    one per judge (memory, start-up, and CPU caches when both judge in one process)."""
    for (path, _, _), (_, judge) in _cache.items():
        if path == taxonomy_file and judge.taxonomy.sha == sha:
            return judge
    return None
