"""Training data for the relevance model: the project's seed labels plus team labels.

Also the honest evaluation used by ``bench/relevance_eval.py``: k-fold cross-validation,
where each fold is judged by a model that never saw it.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Sequence
from pathlib import Path

from tracker.errors import ConfigError
from tracker.judge.engine import Judge
from tracker.judge.model import RelevanceModel, TrainingExample, train
from tracker.judge.taxonomy import DATA_DIR
from tracker.judge.types import JudgeInput, Judgement

DEFAULT_SEED_PATH = DATA_DIR / "seed_labels.tsv"
SEED_COLUMNS = ("title", "summary", "language", "relevant", "topics")


def read_seed_labels(path: Path | None = None, known_topics: Sequence[str] = ()) -> list[TrainingExample]:
    """Rows of ``title, summary, language, relevant (1/0), topics (comma-separated)``."""
    path = path or DEFAULT_SEED_PATH
    examples = []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if header is None or tuple(header[:len(SEED_COLUMNS)]) != SEED_COLUMNS:
            raise ConfigError(f"{path}, line 1: header must be {' '.join(SEED_COLUMNS)} (tab-separated)")
        for number, row in enumerate(reader, start=2):
            if not row or not "".join(row).strip() or row[0].startswith("#"):
                continue
            if len(row) < len(SEED_COLUMNS) or row[3] not in ("0", "1") or not row[0].strip():
                raise ConfigError(f"{path}, line {number}: need title, summary, language, relevant 0/1, topics")
            topics = tuple(t.strip() for t in row[4].split(",") if t.strip())
            unknown = [t for t in topics if known_topics and t not in known_topics]
            if unknown:
                raise ConfigError(f"{path}, line {number}: unknown topic {unknown[0]!r}")
            examples.append(TrainingExample(title=row[0].strip(), summary=row[1].strip(),
                                            language=row[2].strip() or None, relevant=row[3] == "1",
                                            topics=topics))
    return examples


def as_input(example: TrainingExample, key: str) -> JudgeInput:
    return JudgeInput(id=key, title=example.title, summary=example.summary, language=example.language)


def train_model(judge: Judge, examples: Sequence[TrainingExample], *, seed: int = 0) -> RelevanceModel:
    features = judge.features([as_input(e, str(i)) for i, e in enumerate(examples)])
    return train(examples, features, list(judge.taxonomy.topics), seed=seed, taxonomy_sha=judge.taxonomy.sha)


def cross_validate(judge: Judge, items: Sequence[JudgeInput], examples: Sequence[TrainingExample], *,
                   folds: int = 5, seed: int = 0, seed_path: Path | None = None) -> list[Judgement]:
    """Judge every item with a model trained on the seed labels and the other folds only."""
    seeds = read_seed_labels(seed_path, list(judge.taxonomy.topics))
    order = list(range(len(items)))
    random.Random(seed).shuffle(order)
    fold_of = {index: position % folds for position, index in enumerate(order)}
    results: list[Judgement | None] = [None] * len(items)
    for fold in range(folds):
        train_idx = [i for i in range(len(items)) if fold_of[i] != fold]
        test_idx = [i for i in range(len(items)) if fold_of[i] == fold]
        model = train_model(judge, [*seeds, *(examples[i] for i in train_idx)], seed=seed)
        judged = judge.with_model(model).judge_many([items[i] for i in test_idx])
        for i, judgement in zip(test_idx, judged, strict=True):
            results[i] = judgement
    return [r for r in results if r is not None]
