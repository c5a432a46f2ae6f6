"""The learned part of the score: a spaCy ``textcat_multilabel`` trained on team labels.

The model reads the tokens the judge's own spaCy pipeline made of title and summary
(lower-cased) plus one feature word per taxonomy term the rules found (``kr_term_<term>``,
``kr_topic_<topic>``), so it learns how much each term really counts for this team, and
words the taxonomy lacks. Labels: ``relevant`` and each topic. Models are saved as
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
from spacy.attrs import ORTH
from spacy.language import Language
from spacy.strings import hash_string
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import minibatch
from thinc.api import Model

from tracker.errors import UserError
from tracker.judge.matching import Span
from tracker.judge.taxonomy import DATA_DIR

log = logging.getLogger(__name__)

DEFAULT_MODEL_DIR = DATA_DIR / "models"
PREFIX = "relevance-"
RELEVANT = "relevant"
# What the model reads. 1: lower-cased ``\w+`` words of title and summary (a second pass
# over the text); 2: the lower-cased tokens of the judge's own Doc. A model is scored
# only with the features it was trained on.
FEATURES = 2
_SLUG = re.compile(r"[^0-9a-zäöüß]+")
# Words whose hash is kept between batches (a few MB); the cache starts over beyond it.
_MAX_HASHES = 100_000
# Rows of the model's hashed weight table (spaCy's default is 2**18). The seed labels and
# the dev set hold ~2,600 distinct features, two rows each; 2**15 rows leave room for ten
# times that, and at 1.5 MB (12 labels, float32) the table stays in the CPU's cache while
# the rest of the judge runs: the layer took a third of the time it took at 2**18.
_TABLE_ROWS = 2**15
_WARNED: set[Path] = set()

Fields = list[tuple[str, str, list[Span]]]
# For training: the item's token words (lower case) and its rule matches per field.
Features = tuple[list[str], Fields]


@dataclass(frozen=True)
class TrainingExample:
    title: str
    summary: str
    language: str | None
    relevant: bool
    topics: tuple[str, ...]


def feature_words(tokens: list[str], fields: Fields) -> list[str]:
    """The model's words for one item: its tokens, then the rule features of its hits."""
    words = list(tokens)
    for name, _text, spans in fields:
        for _start, _end, terms in spans:
            words += _hit_words(terms, name)
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


class _BagOfWords:
    """The trained textcat model fed its bag of words directly, without building Docs.

    ``spacy.TextCatBOW`` with unigrams reads nothing of a Doc but each token's ORTH hash:
    its first layer (``extract_ngrams``) turns every doc into its sorted distinct hashes
    and their counts, the sparse linear layer and the logistic output do the rest. The
    judge's Docs already hold the hashes of their tokens' lower-case forms (the ORTH hash
    of that form, ``hash_string``), and the rule features are hashed once per hit pattern;
    running the remaining layers on those arrays gives the same scores, float for float,
    as ``nlp.pipe`` over Docs made of the same words. ``of`` returns None for any other
    architecture.
    """

    def __init__(self, nlp: Language, linear: Model, output: Model) -> None:
        self.batch_size = nlp.batch_size
        self.linear = linear
        self.output = output
        # field -> id of a hit's terms tuple -> (that tuple, the hashes of its feature
        # words). The tuples belong to the term matcher and live as long as it does; the
        # identity check guards against a reused id.
        self.hit_hashes: dict[str, dict[int, tuple[tuple, list[int]]]] = {}

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
        return cls(nlp, linear, output)

    def scores(self, tokens: Sequence[numpy.ndarray], fields: Sequence[Fields], width: int) -> numpy.ndarray:
        """One row of label scores per item, from its token hashes and rule matches."""
        if sum(map(len, self.hit_hashes.values())) > _MAX_HASHES:
            self.hit_hashes.clear()
        rows = []
        # nlp.pipe hands the textcat batches of nlp.batch_size, and a batch whose docs are
        # all empty scores 0 for every label (TextCategorizer.predict): same batches here.
        for start in range(0, len(tokens), self.batch_size):
            end = start + self.batch_size
            bags = self._bags(tokens[start:end], fields[start:end])
            if bags is None:
                rows.append(numpy.zeros((len(tokens[start:end]), width), dtype="f"))
            else:
                rows.append(self.output.predict(self.linear.predict(bags)))
        return numpy.concatenate(rows) if rows else numpy.zeros((0, width), dtype="f")

    def _bags(self, tokens: Sequence[numpy.ndarray], fields: Sequence[Fields]
              ) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray] | None:
        """What ``extract_ngrams`` makes of these docs: per doc, its distinct hashes in
        ascending order (``numpy.unique``'s, which the sparse sum runs in) and their
        counts, then the number of distinct hashes per doc; one sort for the whole batch."""
        caches = self.hit_hashes
        extra: list[int] = []
        extra_lengths = []
        for item_fields in fields:
            size = len(extra)
            for name, _text, spans in item_fields:
                if not spans:
                    continue
                cache = caches.get(name)
                if cache is None:
                    cache = caches[name] = {}
                for span in spans:
                    terms = span[2]
                    known = cache.get(id(terms))
                    if known is None or known[0] is not terms:
                        known = cache[id(terms)] = (terms, [hash_string(w) for w in _hit_words(terms, name)])
                    extra += known[1]
            extra_lengths.append(len(extra) - size)
        lengths = [len(t) for t in tokens]
        if not extra and not any(lengths):
            return None
        # Doc numbers of a batch (nlp.batch_size) fit 16 bits, which the radix sort wants.
        docs = numpy.arange(len(tokens), dtype="int16" if len(tokens) < 2**15 else "int64")
        hashes = numpy.concatenate([*tokens, numpy.array(extra, dtype="uint64")])
        doc = numpy.concatenate([numpy.repeat(docs, lengths), numpy.repeat(docs, extra_lengths)])
        # Sorted by hash, then stably by doc: per doc ascending hashes. The stable sort of
        # small integers is a radix sort, five times faster than lexsort on a batch.
        order = numpy.argsort(hashes)
        hashes, doc = hashes[order], doc[order]
        order = numpy.argsort(doc, kind="stable")
        hashes, doc = hashes[order], doc[order]
        first = numpy.ones(len(hashes), dtype=bool)
        first[1:] = (hashes[1:] != hashes[:-1]) | (doc[1:] != doc[:-1])
        starts = numpy.flatnonzero(first)
        counts = numpy.diff(starts, append=len(hashes)).astype("f")
        per_doc = numpy.bincount(doc[starts], minlength=len(tokens)).astype("int32")
        return hashes[starts], counts, per_doc


class RelevanceModel:
    def __init__(self, nlp: Language, version: str, meta: dict[str, object]) -> None:
        bag = _BagOfWords.of(nlp)
        if bag is None:
            raise UserError(f"Modell {version}: unbekannte Architektur, bitte neu trainieren (tracker train)")
        self.nlp = nlp
        self.version = version
        self.meta = meta
        self.labels: list[str] = list(nlp.get_pipe("textcat_multilabel").labels)
        self._bag = bag

    def predict(self, tokens: Sequence[numpy.ndarray], fields: Sequence[Fields]) -> numpy.ndarray:
        """Scores, one row per item and one column per label (``labels``).

        ``tokens`` holds each item's token hashes: the ORTH hash (``hash_string``) of the
        lower-case form of every token of its title and summary, as ``Doc.to_array(LOWER)``
        gives them; ``fields`` its rule matches.
        """
        return self._bag.scores(tokens, fields, len(self.labels))

    def predict_dicts(self, tokens: Sequence[numpy.ndarray], fields: Sequence[Fields]) -> list[dict[str, float]]:
        return [dict(zip(self.labels, row, strict=True)) for row in self.predict(tokens, fields).tolist()]

    def save(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=False)
        self.nlp.to_disk(directory / "nlp")
        (directory / "meta.json").write_text(json.dumps(self.meta, indent=2), encoding="utf-8")
        return directory


def train(examples: Sequence[TrainingExample], features: Sequence[Features], topics: Sequence[str],
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
    for example, (tokens, fields) in zip(examples, features, strict=True):
        cats = {label: 0.0 for label in labels}
        cats[RELEVANT] = 1.0 if example.relevant else 0.0
        for topic in example.topics:
            if topic in cats and example.relevant:
                cats[topic] = 1.0
        # Made from words, no tokenizer: the judge's pipeline has already tokenised.
        doc = Doc(nlp.vocab, words=feature_words(tokens, fields))
        data.append(Example.from_dict(doc, {"cats": cats}))
    optimizer = nlp.initialize(lambda: data)
    for _ in range(epochs):
        random.shuffle(data)
        for batch in minibatch(data, size=16):
            nlp.update(batch, sgd=optimizer, drop=0.1)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    meta = {"version": stamp, "trained_at": datetime.now(UTC).isoformat(), "examples": len(examples),
            "relevant": sum(e.relevant for e in examples), "labels": labels, "taxonomy_sha": taxonomy_sha,
            "epochs": epochs, "features": FEATURES}
    return RelevanceModel(nlp, stamp, meta)


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
