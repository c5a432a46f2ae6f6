"""The learned part of the score: a spaCy ``textcat_multilabel`` trained on team labels.

The model reads the tokens spaCy's tokenizer made of title and summary (lower-cased), one
feature word per taxonomy term the rules found (``kr_term_<term>``, ``kr_topic_<topic>_<tier>``),
the signals of the item (``kr_signal_addressee`` for words naming the association's members,
``kr_signal_<kind>`` for document kinds such as answers to parliamentary questions or court
rulings) and its stage (``kr_stage_draft``...). So it learns how much each term really
counts for this team, who is addressed and what kind of document it is, and words the
taxonomy lacks. Labels: ``relevant`` and each topic. Models are saved as
``data/models/relevance-<UTC timestamp>/`` and never overwritten.
"""

from __future__ import annotations

import json
import logging
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy
import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import minibatch

from tracker.judge.scoring import Fields
from tracker.judge.taxonomy import DATA_DIR

log = logging.getLogger(__name__)

DEFAULT_MODEL_DIR = DATA_DIR / "models"
PREFIX = "relevance-"
VERSION_FORMAT = "%Y%m%dT%H%M%SZ"  # a model's version is the UTC time it was trained
RELEVANT = "relevant"
# What the model reads. 1: lower-cased ``\w+`` words of title and summary; 2: the judge's
# lower-cased tokens and rule hits; 3: also the signals (addressees, document kinds) and the
# stage. A model is scored only with the features it was trained on.
FEATURES = 3
_SLUG = re.compile(r"[^0-9a-zäöüß]+")
# Rows of the model's hashed weight table (spaCy's default is 2**18): the training labels
# hold a few thousand distinct features, and a small table keeps the saved model small.
_TABLE_ROWS = 2**15
_WARNED: set[Path] = set()


@dataclass(frozen=True)
class TrainingExample:
    title: str
    summary: str
    language: str | None
    relevant: bool
    topics: tuple[str, ...]


def feature_words(tokens: Sequence[str], fields: Fields, signals: Sequence[str] = (), stage: str = "") -> list[str]:
    """The model's words for one item: its tokens (lower case), the rule features of its
    hits, its signals (addressee words, document kinds) and its stage."""
    words = list(tokens)
    for name, _text, spans in fields:
        for _start, _end, terms in spans:
            words += _hit_words(terms, name)
    words += [f"kr_signal_{signal}" for signal in signals]
    if stage:
        words.append(f"kr_stage_{stage}")
    return words


def _hit_words(terms: tuple, field: str) -> list[str]:
    words = []
    for term in terms:
        if term.kind == "term":
            # How strong a hit is matters as much as where: a weak term alone ("digital",
            # "Daten") must not read like a strong one.
            tier = "strong" if term.weight >= 0.85 else "term" if term.weight >= 0.5 else "weak"
            words += ("kr_term_" + _SLUG.sub("_", term.text.lower()).strip("_"), f"kr_topic_{term.topic}_{tier}",
                      f"kr_{field}_{tier}")
        elif term.kind == "exclude":
            words.append("kr_exclude_" + term.topic)
    return words


def _blank(labels: Sequence[str]) -> Language:
    nlp = spacy.blank("xx")
    textcat = nlp.add_pipe("textcat_multilabel", config={
        "model": {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": False,
                  "ngram_size": 1, "no_output_layer": False, "length": _TABLE_ROWS}})
    for label in labels:
        textcat.add_label(label)
    return nlp


class RelevanceModel:
    def __init__(self, nlp: Language, version: str, meta: dict[str, object]) -> None:
        self.nlp = nlp
        self.version = version
        self.meta = meta
        self.textcat = nlp.get_pipe("textcat_multilabel")
        self.labels: list[str] = list(self.textcat.labels)

    def predict(self, features: Sequence[Sequence[str]]) -> numpy.ndarray:
        """Scores, one row per item (its ``feature_words``) and one column per label."""
        if not features:
            return numpy.zeros((0, len(self.labels)), dtype="f")
        docs = [Doc(self.nlp.vocab, words=list(words)) for words in features]
        return numpy.asarray(self.textcat.predict(docs))

    def save(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=False)
        self.nlp.to_disk(directory / "nlp")
        (directory / "meta.json").write_text(json.dumps(self.meta, indent=2), encoding="utf-8")
        return directory


def train(examples: Sequence[TrainingExample], features: Sequence[list[str]], topics: Sequence[str],
          *, epochs: int = 25, seed: int = 0, taxonomy_sha: str = "") -> RelevanceModel:
    """Train on ``examples`` (with their features, same order); deterministic per seed."""
    if len(examples) != len(features):
        raise ValueError("one feature tuple per example")
    if not any(e.relevant for e in examples) or all(e.relevant for e in examples):
        raise ValueError("training needs both relevant and not relevant examples")
    labels = [RELEVANT, *topics]
    random.seed(seed)
    spacy.util.fix_random_seed(seed)
    nlp = _blank(labels)
    data = []
    for example, words in zip(examples, features, strict=True):
        cats = {label: 0.0 for label in labels}
        cats[RELEVANT] = 1.0 if example.relevant else 0.0
        for topic in example.topics:
            if topic in cats and example.relevant:
                cats[topic] = 1.0
        # Made from words, no tokenizer: the judge has already tokenised.
        doc = Doc(nlp.vocab, words=words)
        data.append(Example.from_dict(doc, {"cats": cats}))
    optimizer = nlp.initialize(lambda: data)
    for _ in range(epochs):
        random.shuffle(data)
        for batch in minibatch(data, size=16):
            nlp.update(batch, sgd=optimizer, drop=0.1)
    stamp = datetime.now(UTC).strftime(VERSION_FORMAT)
    meta = {"version": stamp, "trained_at": datetime.now(UTC).isoformat(), "examples": len(examples),
            "relevant": sum(e.relevant for e in examples), "labels": labels, "taxonomy_sha": taxonomy_sha,
            "epochs": epochs, "features": FEATURES}
    return RelevanceModel(nlp, stamp, meta)


def trained_at(judge_version: str | None) -> datetime | None:
    """When the model behind a judgement (``Judge.model_version``, "rules+model:<stamp>") was
    trained; None for rules alone or a version that names no time."""
    stamp = (judge_version or "").partition(":")[2]
    try:
        return datetime.strptime(stamp, VERSION_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def _features_of(path: Path) -> object:
    try:
        return json.loads((path / "meta.json").read_text(encoding="utf-8")).get("features", 1)
    except (OSError, ValueError, AttributeError):
        return None


def latest_model_path(model_dir: Path | None = None) -> Path | None:
    """The newest saved model that reads the features this version makes."""
    root = model_dir or DEFAULT_MODEL_DIR
    if not root.is_dir():
        return None
    candidates = sorted(p for p in root.iterdir() if p.name.startswith(PREFIX) and (p / "meta.json").exists())
    for path in reversed(candidates):
        if _features_of(path) == FEATURES:
            return path
        if path not in _WARNED:
            _WARNED.add(path)
            log.warning("Modell %s liest andere Merkmale als diese Version und wird nicht genutzt: "
                        "bitte neu trainieren (tracker train)", path.name)
    return None


def load_model(path: Path) -> RelevanceModel:
    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    nlp = spacy.load(path / "nlp")
    return RelevanceModel(nlp, str(meta.get("version", path.name.removeprefix(PREFIX))), meta)


def save_new(model: RelevanceModel, model_dir: Path | None = None) -> Path:
    root = model_dir or DEFAULT_MODEL_DIR
    return model.save(root / f"{PREFIX}{model.version}")
