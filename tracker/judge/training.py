"""Training data for the relevance model: the project's labelled files plus team labels.

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
from tracker.judge.remit import in_remit
from tracker.judge.taxonomy import DATA_DIR
from tracker.judge.types import JudgeInput, Judgement

# The shipped labels: the project's first seed titles, and real labelled publications
# (Bundesrat agendas, federal and Länder law titles, EUR-Lex, Have Your Say, Bundesnetzagentur,
# Bundestag answers, funding calls; tests/judge/fixtures/RELEVANCE_README.md says where each
# comes from). relevance_labels_more.tsv is the second batch, rich in hard negatives.
DEFAULT_SEED_PATH = DATA_DIR / "seed_labels.tsv"
DEFAULT_LABEL_PATHS = (DEFAULT_SEED_PATH, DATA_DIR / "relevance_labels.tsv", DATA_DIR / "relevance_labels_more.tsv")
SEED_COLUMNS = ("title", "summary", "language", "relevant", "topics")


def read_seed_labels(path: Path | None = None, known_topics: Sequence[str] = (),
                     remit: Sequence[str] | None = None) -> list[TrainingExample]:
    """Labelled rows of a tab-separated file with the columns ``title, summary, language,
    relevant (1/0), topics (comma-separated)`` (others, such as ``id`` or ``note``, may stand
    beside them). With ``remit``, rows whose ``jurisdiction`` lies outside it are skipped:
    they are labelled not relevant for where they are from, which the rules already know,
    and would teach the model that their topic words do not count."""
    path = path or DEFAULT_SEED_PATH
    examples = []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None) or []
        if not set(SEED_COLUMNS) <= set(header):
            raise ConfigError(f"{path}, line 1: header must name {' '.join(SEED_COLUMNS)} (tab-separated)")
        column = {name: header.index(name) for name in header}
        for number, row in enumerate(reader, start=2):
            if not row or not "".join(row).strip() or row[0].startswith("#"):
                continue
            values = dict(zip(header, row, strict=False))
            if len(row) < len(header) - 1 or values.get("relevant") not in ("0", "1") or not values["title"].strip():
                raise ConfigError(f"{path}, line {number}: need {', '.join(SEED_COLUMNS)} (relevant 0/1)")
            topics = tuple(t.strip() for t in values.get("topics", "").split(",") if t.strip())
            unknown = [t for t in topics if known_topics and t not in known_topics]
            if unknown:
                raise ConfigError(f"{path}, line {number}: unknown topic {unknown[0]!r}")
            if remit is not None and "jurisdiction" in column and not in_remit(values["jurisdiction"] or None,
                                                                               tuple(remit)):
                continue
            examples.append(TrainingExample(title=values["title"].strip(), summary=values["summary"].strip(),
                                            language=values["language"].strip() or None,
                                            relevant=values["relevant"] == "1", topics=topics))
    return examples


def shipped_labels(judge: Judge, paths: Sequence[Path] = DEFAULT_LABEL_PATHS) -> list[TrainingExample]:
    """Every shipped labelled row the model may learn from (in the taxonomy's remit)."""
    topics, remit = list(judge.taxonomy.topics), judge.taxonomy.settings.remit
    return [e for path in paths if path.exists() for e in read_seed_labels(path, topics, remit)]


def as_input(example: TrainingExample, key: str) -> JudgeInput:
    return JudgeInput(id=key, title=example.title, summary=example.summary, language=example.language)


def train_model(judge: Judge, examples: Sequence[TrainingExample], *, seed: int = 0,
                epochs: int = 25) -> RelevanceModel:
    features = [judge.features(judge.analyse(as_input(e, str(i)))) for i, e in enumerate(examples)]
    return train(examples, features, list(judge.taxonomy.topics), seed=seed, epochs=epochs,
                 taxonomy_sha=judge.taxonomy.sha)


def cross_validate(judge: Judge, items: Sequence[JudgeInput], examples: Sequence[TrainingExample | None], *,
                   base: Sequence[TrainingExample] = (), folds: int = 5, seed: int = 0) -> list[Judgement]:
    """Judge every item with a model trained on ``base`` and the other folds only.

    ``examples[i]`` is what item i teaches (None: nothing, e.g. an item outside the remit).
    """
    order = list(range(len(items)))
    random.Random(seed).shuffle(order)
    fold_of = {index: position % folds for position, index in enumerate(order)}
    results: list[Judgement | None] = [None] * len(items)
    for fold in range(folds):
        taught = [e for i, e in enumerate(examples) if fold_of[i] != fold and e is not None]
        test_idx = [i for i in range(len(items)) if fold_of[i] == fold]
        model = train_model(judge, [*base, *taught], seed=seed)
        judged = judge.with_model(model).judge_many([items[i] for i in test_idx])
        for i, judgement in zip(test_idx, judged, strict=True):
            results[i] = judgement
    return [r for r in results if r is not None]
