"""The learned part of the score: a spaCy ``textcat_multilabel`` trained on team labels.

The model reads the title and summary plus one feature word per taxonomy term the rules
found (``kr_term_<term>``, ``kr_topic_<topic>``), so it learns how much each term really
counts for this team, and words the taxonomy lacks. Labels: ``relevant`` and each topic.
Models are saved as ``data/models/relevance-<UTC timestamp>/`` and never overwritten.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import minibatch

from tracker.judge.matching import Span
from tracker.judge.taxonomy import DATA_DIR

DEFAULT_MODEL_DIR = DATA_DIR / "models"
PREFIX = "relevance-"
RELEVANT = "relevant"
_SLUG = re.compile(r"[^0-9a-zäöüß]+")
_WORDS = re.compile(r"\w+")

Features = tuple[str, str, list[tuple[str, str, list[Span]]]]


@dataclass(frozen=True)
class TrainingExample:
    title: str
    summary: str
    language: str | None
    relevant: bool
    topics: tuple[str, ...]


def feature_text(title: str, summary: str, fields: list[tuple[str, str, list[Span]]]) -> str:
    words = []
    for name, _text, spans in fields:
        for _start, _end, terms in spans:
            for term in terms:
                if term.kind == "term":
                    # How strong a hit is matters as much as where: a weak term alone
                    # ("digital", "Daten") must not read like a strong one.
                    tier = "strong" if term.weight >= 0.85 else "term" if term.weight >= 0.5 else "weak"
                    words.append("kr_term_" + _SLUG.sub("_", term.text.lower()).strip("_"))
                    words.append(f"kr_topic_{term.topic}_{tier}")
                    words.append(f"kr_{name}_{tier}")
                elif term.kind == "exclude":
                    words.append("kr_exclude_" + term.topic)
    return " ".join((*_WORDS.findall(f"{title}\n{summary}".lower()), *words))


def _doc(nlp: Language, text: str) -> Doc:
    # Feature text is whitespace-separated by construction; building the Doc from words
    # skips the tokenizer's affix rules, which were most of the model's cost.
    return Doc(nlp.vocab, words=text.split())


def _blank(labels: Sequence[str]) -> Language:
    nlp = spacy.blank("xx")
    textcat = nlp.add_pipe("textcat_multilabel", config={
        "model": {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": False,
                  "ngram_size": 1, "no_output_layer": False, "length": 262144}})
    for label in labels:
        textcat.add_label(label)
    return nlp


class RelevanceModel:
    def __init__(self, nlp: Language, version: str, meta: dict[str, object]) -> None:
        self.nlp = nlp
        self.version = version
        self.meta = meta

    def predict(self, features: Sequence[Features]) -> list[dict[str, float]]:
        docs = [_doc(self.nlp, feature_text(title, summary, fields)) for title, summary, fields in features]
        return [dict(doc.cats) for doc in self.nlp.pipe(docs)]

    def save(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=False)
        self.nlp.to_disk(directory / "nlp")
        (directory / "meta.json").write_text(json.dumps(self.meta, indent=2), encoding="utf-8")
        return directory


def train(examples: Sequence[TrainingExample], features: Sequence[Features], topics: Sequence[str],
          *, epochs: int = 25, seed: int = 0, taxonomy_sha: str = "") -> RelevanceModel:
    """Train on ``examples`` (with their rule features, same order); deterministic per seed."""
    if len(examples) != len(features):
        raise ValueError("one feature tuple per example")
    if not any(e.relevant for e in examples) or all(e.relevant for e in examples):
        raise ValueError("training needs both relevant and not relevant examples")
    labels = [RELEVANT, *topics]
    random.seed(seed)
    spacy.util.fix_random_seed(seed)
    nlp = _blank(labels)
    data = []
    for example, (title, summary, fields) in zip(examples, features, strict=True):
        cats = {label: 0.0 for label in labels}
        cats[RELEVANT] = 1.0 if example.relevant else 0.0
        for topic in example.topics:
            if topic in cats and example.relevant:
                cats[topic] = 1.0
        doc = _doc(nlp, feature_text(title, summary, fields))
        data.append(Example.from_dict(doc, {"cats": cats}))
    optimizer = nlp.initialize(lambda: data)
    for _ in range(epochs):
        random.shuffle(data)
        for batch in minibatch(data, size=16):
            nlp.update(batch, sgd=optimizer, drop=0.1)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    meta = {"version": stamp, "trained_at": datetime.now(UTC).isoformat(), "examples": len(examples),
            "relevant": sum(e.relevant for e in examples), "labels": labels, "taxonomy_sha": taxonomy_sha,
            "epochs": epochs}
    return RelevanceModel(nlp, stamp, meta)


def latest_model_path(model_dir: Path | None = None) -> Path | None:
    root = model_dir or DEFAULT_MODEL_DIR
    if not root.is_dir():
        return None
    candidates = sorted(p for p in root.iterdir() if p.name.startswith(PREFIX) and (p / "meta.json").exists())
    return candidates[-1] if candidates else None


def load_model(path: Path) -> RelevanceModel:
    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    nlp = spacy.load(path / "nlp")
    return RelevanceModel(nlp, str(meta.get("version", path.name.removeprefix(PREFIX))), meta)


def save_new(model: RelevanceModel, model_dir: Path | None = None) -> Path:
    root = model_dir or DEFAULT_MODEL_DIR
    return model.save(root / f"{PREFIX}{model.version}")
