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
from functools import lru_cache
from pathlib import Path

import numpy
import spacy
from spacy.attrs import ORTH
from spacy.language import Language
from spacy.strings import hash_string
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import minibatch
from thinc.api import Model

from tracker.judge.matching import Span
from tracker.judge.taxonomy import DATA_DIR

DEFAULT_MODEL_DIR = DATA_DIR / "models"
PREFIX = "relevance-"
RELEVANT = "relevant"
_SLUG = re.compile(r"[^0-9a-zäöüß]+")
_WORDS = re.compile(r"\w+")
# Words whose hash is kept between batches (a few MB); the cache starts over beyond it.
_MAX_HASHES = 100_000

Features = tuple[str, str, list[tuple[str, str, list[Span]]]]


@dataclass(frozen=True)
class TrainingExample:
    title: str
    summary: str
    language: str | None
    relevant: bool
    topics: tuple[str, ...]


def feature_text(title: str, summary: str, fields: list[tuple[str, str, list[Span]]]) -> str:
    return " ".join(feature_words(title, summary, fields))


def feature_words(title: str, summary: str, fields: list[tuple[str, str, list[Span]]]) -> list[str]:
    """The model's tokens: ``feature_text(...).split()`` (no token holds whitespace: words
    are ``\\w+``, term slugs ``[0-9a-zäöüß_]``, topic ids lower-case letters, digits, ``_``)."""
    words = []
    for name, _text, spans in fields:
        for _start, _end, terms in spans:
            for term in terms:
                if term.kind == "term":
                    words += _term_words(term.text, term.topic, term.weight, name)
                elif term.kind == "exclude":
                    words.append("kr_exclude_" + term.topic)
    return [*_WORDS.findall(f"{title}\n{summary}".lower()), *words]


@lru_cache(maxsize=16384)
def _term_words(text: str, topic: str, weight: float, field: str) -> tuple[str, str, str]:
    # How strong a hit is matters as much as where: a weak term alone ("digital",
    # "Daten") must not read like a strong one.
    tier = "strong" if weight >= 0.85 else "term" if weight >= 0.5 else "weak"
    return "kr_term_" + _SLUG.sub("_", text.lower()).strip("_"), f"kr_topic_{topic}_{tier}", f"kr_{field}_{tier}"


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


class _BagOfWords:
    """The trained textcat model fed its bag of words directly, without building Docs.

    ``spacy.TextCatBOW`` with unigrams reads nothing of a Doc but each token's ORTH hash:
    its first layer (``extract_ngrams``) turns every doc into its sorted distinct hashes
    and their counts, the sparse linear layer and the logistic output do the rest. Making
    those arrays from the feature words (``hash_string`` is how the vocab hashes ORTH)
    and running the remaining layers gives the same scores, float for float, as
    ``nlp.pipe`` over ``_doc``s; building the Docs and their ``cats`` was two thirds of
    the model's time. ``of`` returns None for any other architecture (then Docs are made).
    """

    def __init__(self, nlp: Language, textcat: Model, linear: Model, output: Model) -> None:
        self.labels = list(nlp.get_pipe(nlp.pipe_names[0]).labels)
        self.batch_size = nlp.batch_size
        self.ops = textcat.ops
        self.linear = linear
        self.output = output
        self.hashes = _Hashes()

    @classmethod
    def of(cls, nlp: Language) -> _BagOfWords | None:
        if nlp.pipe_names != ["textcat_multilabel"]:
            return None
        textcat = nlp.get_pipe("textcat_multilabel").model
        try:
            on_cpu, output = textcat.layers  # with_cpu(extract_ngrams >> linear) >> with_cpu(logistic)
            extract, linear = on_cpu.layers[0].layers
        except (ValueError, IndexError):
            return None
        if (extract.name != "extract_ngrams" or extract.attrs.get("ngram_size") != 1
                or extract.attrs.get("attr") != ORTH or output.name != "with_cpu(logistic)"):
            return None
        return cls(nlp, textcat, linear, output)

    def scores(self, docs: Sequence[list[str]]) -> list[dict[str, float]]:
        """Label -> score for each list of feature words."""
        out: list[dict[str, float]] = []
        hashes = self.hashes
        if len(hashes) > _MAX_HASHES:
            hashes.clear()
        # nlp.pipe hands the textcat batches of nlp.batch_size, and a batch whose docs are
        # all empty scores 0 for every label (TextCategorizer.predict): same batches here.
        for start in range(0, len(docs), self.batch_size):
            flat: list[int] = []
            lengths = []
            for words in docs[start:start + self.batch_size]:
                flat += map(hashes.__getitem__, words)
                lengths.append(len(words))
            if not flat:
                out.extend(dict.fromkeys(self.labels, 0.0) for _ in lengths)
                continue
            scores = self.ops.asarray(self.output.predict(self.linear.predict(_bags(flat, lengths))))
            out.extend(dict(zip(self.labels, row, strict=True)) for row in scores.tolist())
        return out


class _Hashes(dict[str, int]):
    """Word -> its ORTH hash, computed once per word."""

    def __missing__(self, word: str) -> int:
        value = self[word] = hash_string(word)
        return value


def _bags(flat: list[int], lengths: list[int]) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
    """What ``extract_ngrams`` makes of these docs: per doc, its distinct hashes in
    ascending order (``numpy.unique``'s, which the sparse sum runs in) and their counts,
    then the number of distinct hashes per doc; one sort for the whole batch."""
    hashes = numpy.array(flat, dtype="uint64")
    doc = numpy.repeat(numpy.arange(len(lengths)), lengths)
    order = numpy.lexsort((hashes, doc))
    hashes, doc = hashes[order], doc[order]
    first = numpy.ones(len(hashes), dtype=bool)
    first[1:] = (hashes[1:] != hashes[:-1]) | (doc[1:] != doc[:-1])
    starts = numpy.flatnonzero(first)
    counts = numpy.diff(starts, append=len(hashes)).astype("f")
    per_doc = numpy.bincount(doc[starts], minlength=len(lengths)).astype("int32")
    return hashes[starts], counts, per_doc


class RelevanceModel:
    def __init__(self, nlp: Language, version: str, meta: dict[str, object]) -> None:
        self.nlp = nlp
        self.version = version
        self.meta = meta
        self._bag = _BagOfWords.of(nlp)

    def predict(self, features: Sequence[Features]) -> list[dict[str, float]]:
        if self._bag is not None:
            return self._bag.scores([feature_words(title, summary, fields) for title, summary, fields in features])
        texts = [feature_text(title, summary, fields) for title, summary, fields in features]
        return [dict(doc.cats) for doc in self.nlp.pipe(_doc(self.nlp, text) for text in texts)]

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
