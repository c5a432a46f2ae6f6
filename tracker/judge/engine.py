"""The Judge: language routing, term matching, scoring, stage, deadline, model."""

from __future__ import annotations

import copy
from collections.abc import Collection, Iterator, Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import numpy
from spacy.attrs import IDX, LOWER
from spacy.language import Language
from spacy.tokens import Doc

from tracker import settings as tracker_settings
from tracker.errors import UserError
from tracker.judge.deadlines import find_deadline
from tracker.judge.language import SUPPORTED, detect_lowered
from tracker.judge.matching import Span
from tracker.judge.model import RELEVANT, Features, RelevanceModel
from tracker.judge.nlp import CUES, HITS, build_pipeline, make_doc
from tracker.judge.remit import in_remit
from tracker.judge.scoring import RuleResult, pick_topics, score_fields
from tracker.judge.stage import classify_stage, stage_from_cues
from tracker.judge.taxonomy import Taxonomy
from tracker.judge.types import JudgeInput, Judgement
from tracker.models import Source

# Full texts can be whole bills; the first part says what the item is about and where
# its deadline is, and judging must stay fast for every collected item.
MAX_TEXT_CHARS = 20_000
_JOIN = "\n\n"
_SAMPLE = 600  # characters of summary and of text the language check reads
_NO_TOKENS = numpy.zeros(0, dtype="uint64")


class _Prepared:
    """One item on its way through the judge (a plain slotted class: made per item)."""

    __slots__ = ("item", "language", "supported", "fields", "cues", "hints", "tokens")

    def __init__(self, item: JudgeInput, language: str | None, supported: bool, hints: tuple[str, ...]) -> None:
        self.item = item
        self.language = language
        self.supported = supported
        self.fields: list[tuple[str, str, list[Span]]] = []
        # (stage, in the title) and deadline fields the automaton saw; None: not read.
        self.cues: tuple[Sequence[tuple[str, bool]], Collection[str]] | None = None
        self.hints = hints  # topic_hints of the item's source
        # For the model: hashes of the lower-case forms of the title's and summary's tokens.
        self.tokens: numpy.ndarray | None = None


class Judge:
    def __init__(self, taxonomy: Taxonomy, model: RelevanceModel | None = None) -> None:
        self.taxonomy = taxonomy
        self.model = model
        self.pipelines: dict[str, Language] = {lang: build_pipeline(lang, taxonomy) for lang in ("de", "en")}
        self._sources: dict[str, Source] | None = None
        self._feeds_key: tuple[Path, int | None] = (tracker_settings.get().feeds_path, None)

    @property
    def model_version(self) -> str:
        return f"rules+model:{self.model.version}" if self.model else "rules"

    def judge(self, item: JudgeInput) -> Judgement:
        return self.judge_many([item])[0]

    def with_model(self, model: RelevanceModel | None) -> Judge:
        """The same taxonomy and pipelines with another model (no reload)."""
        other = copy.copy(self)
        other.model = model
        return other

    def judge_many(self, items: Sequence[JudgeInput]) -> list[Judgement]:
        return list(self.judge_iter(items))

    def judge_iter(self, items: Sequence[JudgeInput]) -> Iterator[Judgement]:
        """``judge_many`` one judgement at a time: each is made when asked for, so a
        caller that writes it out and drops it keeps one, not a batch, alive (fewer
        objects for the garbage collector to carry into its old generation)."""
        prepared = self.analyse(items, tokens=self.model is not None)
        settings = self.taxonomy.settings
        version = self.model_version
        floor = settings.topic_score_floor
        if self.model is None:
            for prep in prepared:
                rule = score_fields(prep.fields, settings, prep.hints)
                yield self._finish(prep, rule, None, _floored(rule.topic_scores, floor), version)
            return
        rules = [score_fields(p.fields, settings, p.hints) for p in prepared]
        for prep, rule, (model_score, topic_scores) in zip(prepared, rules, self._blend(prepared, rules),
                                                           strict=True):
            yield self._finish(prep, rule, model_score, topic_scores, version)

    def features(self, items: Sequence[JudgeInput]) -> list[Features]:
        """What the model reads for each item: its title's and summary's tokens (lower
        case) and the rule matches."""
        out: list[Features] = []
        for p in self.analyse(items, tokens=True):
            strings = self.pipelines[p.language].vocab.strings if p.tokens.size else None
            out.append(([strings[h] for h in p.tokens.tolist()] if strings else [], p.fields))
        return out

    def analyse(self, items: Sequence[JudgeInput], tokens: bool = False) -> list[_Prepared]:
        """Language routing and term matching, one doc per item, one nlp.pipe per language.

        An item's fields are joined with blank lines into one doc (half the per-doc
        overhead of a doc per field); hits are split back into fields afterwards. With
        ``tokens``, the hashes the model reads are taken from the same docs.
        """
        self._check_feeds_file()
        prepared = []
        by_lang: dict[str, list[tuple[_Prepared, list[tuple[str, int, str]], str]]] = {}
        for item in items:
            parts = []
            offset = 0
            if item.title:
                parts.append(("title", 0, item.title))
                offset = len(item.title) + len(_JOIN)
            if item.summary:
                parts.append(("summary", offset, item.summary))
                offset += len(item.summary) + len(_JOIN)
            if item.text:
                parts.append(("text", offset, item.text[:MAX_TEXT_CHARS]))
            joined = lowered = None
            if parts:
                joined = parts[0][2] if len(parts) == 1 else _JOIN.join([text for _, _, text in parts])
                if not item.text and len(item.summary) <= _SAMPLE:
                    # Then the language sample holds the same words as the joined text:
                    # one lower-cased copy for the language check and the term matcher.
                    lowered = joined.lower()
            prep = self._route(item, lowered)
            prepared.append(prep)
            if tokens:
                prep.tokens = _NO_TOKENS  # until its doc says otherwise
            if not prep.supported or joined is None:
                continue
            jobs = by_lang.get(prep.language or "de")
            if jobs is None:
                jobs = by_lang[prep.language or "de"] = []
            jobs.append((prep, parts, joined, lowered))
        for lang, jobs in by_lang.items():
            nlp = self.pipelines[lang]
            docs = nlp.pipe(make_doc(nlp, joined, lowered) for _, _, joined, lowered in jobs)
            for (prep, parts, _, _), doc in zip(jobs, docs, strict=True):
                data = doc.user_data
                prep.fields = _split_hits(parts, data[HITS])
                prep.cues = _field_cues(parts, data[CUES])
                if tokens:
                    prep.tokens = _title_summary_tokens(doc, parts)
        return prepared

    def _source(self, source_id: str | None) -> Source | None:
        """The feeds.toml entry of a source: its jurisdiction and topic hints."""
        if not source_id:
            return None
        if self._sources is None:
            from tracker.collect.sources import load_sources

            try:
                self._sources = {s.id: s for s in load_sources(self._feeds_key[0]).sources}
            except UserError:
                self._sources = {}  # no usable feeds.toml: records must say it themselves
        return self._sources.get(source_id)

    def _check_feeds_file(self) -> None:
        """Forget the sources read from feeds.toml when the file (or its path) changed."""
        path = tracker_settings.get().feeds_path
        try:
            stamp = path.stat().st_mtime_ns
        except OSError:
            stamp = None
        if (path, stamp) != self._feeds_key:
            self._feeds_key = (path, stamp)
            self._sources = None

    def _route(self, item: JudgeInput, lowered: str | None = None) -> _Prepared:
        """Language, source and remit data of an item; ``lowered``: its language sample,
        lower-cased, when the caller has it."""
        if lowered is None:
            # Function words are frequent: the first few hundred characters settle the language.
            lowered = f"{item.title}\n{item.summary[:_SAMPLE]}\n{item.text[:_SAMPLE]}".lower()
        language = detect_lowered(lowered, item.language)
        if not item.source:
            return _Prepared(item, language, language in SUPPORTED, ())
        source = self._source(item.source)
        if source is None:
            return _Prepared(item, language, language in SUPPORTED, ())
        if item.jurisdiction is None:
            item = replace(item, jurisdiction=source.jurisdiction)
        return _Prepared(item, language, language in SUPPORTED, source.topic_hints)

    def _blend(self, prepared: list[_Prepared], rules: list[RuleResult]
               ) -> Iterator[tuple[float | None, dict[str, float]]]:
        """Each item's model score and its topic scores blended from rules and model.

        A topic scores the larger of its rule score and the weighted mix of rule and model
        score, rounded to 4 places; computed for the whole batch at once, handed out
        one item at a time.
        """
        model, settings = self.model, self.taxonomy.settings
        assert model is not None
        labels = model.labels
        scores = model.predict([p.tokens for p in prepared], [p.fields for p in prepared]).astype("float64")
        columns = [i for i, label in enumerate(labels) if label in self.taxonomy.topics]
        names = [labels[i] for i in columns]
        column_of = {name: j for j, name in enumerate(names)}
        rows: list[int] = []
        cols: list[int] = []
        values: list[float] = []
        for row, rule in enumerate(rules):
            for topic, value in rule.topic_scores.items():
                j = column_of.get(topic)
                if j is not None:
                    rows.append(row)
                    cols.append(j)
                    values.append(value)
        rule_scores = numpy.zeros((len(prepared), len(names)))
        rule_scores[rows, cols] = values
        weight, floor = settings.model_weight, settings.topic_score_floor
        blended = _round4(numpy.maximum(rule_scores, (1 - weight) * rule_scores + weight * scores[:, columns]))
        relevant = (_round4(scores[:, labels.index(RELEVANT)]).tolist() if RELEVANT in labels
                    else [0.0] * len(prepared))
        # Only scores at the floor are handed out: per row, the kept topics in column order,
        # cut from one flat list (most of a model's topic scores are below it).
        kept = blended >= floor
        row_of, column = numpy.nonzero(kept)
        keys = numpy.array(names, dtype=object)[column].tolist()
        kept_values = blended[row_of, column].tolist()
        ends = numpy.cumsum(kept.sum(axis=1)).tolist()
        start = 0
        for prep, rule, model_score, end in zip(prepared, rules, relevant, ends, strict=True):
            if not prep.supported:
                yield None, _floored(rule.topic_scores, floor)
            elif rule.topic_scores:
                topic_scores = dict(rule.topic_scores)
                topic_scores.update(zip(keys[start:end], kept_values[start:end], strict=True))  # rule topics first
                if len(topic_scores) > end - start:  # a rule topic the model left below the floor, or lacks
                    topic_scores = _floored(topic_scores, floor)
                yield model_score, topic_scores
            else:
                yield model_score, dict(zip(keys[start:end], kept_values[start:end], strict=True))
            start = end

    def _finish(self, prep: _Prepared, rules: RuleResult, model_score: float | None,
                topic_scores: dict[str, float], version: str) -> Judgement:
        item, settings = prep.item, self.taxonomy.settings
        score = rules.score
        if model_score is not None:
            score = (1 - settings.model_weight) * score + settings.model_weight * model_score
        remit = in_remit(item.jurisdiction, settings.remit)
        if not (remit and prep.supported):
            # Out-of-remit and unreadable items keep their topic scores (why they look
            # topical) but never rank as relevant.
            score = 0.0
        score = round(min(max(score, 0.0), 1.0), 4)
        relevant = score >= settings.threshold
        if prep.cues is None:  # not read by the pipeline (unsupported language)
            stage = classify_stage(item.title, item.summary)
            deadline = find_deadline(item, settings)
        else:
            stage = stage_from_cues(prep.cues[0], item.title)
            deadline = find_deadline(item, settings, prep.cues[1])
        return Judgement(
            id=item.id, relevant=relevant, score=score,
            topics=pick_topics(topic_scores, settings.topic_threshold, relevant),
            topic_scores=topic_scores, evidence=rules.evidence(),
            stage=stage,
            language=prep.language, language_supported=prep.supported, in_remit=remit,
            deadline=deadline.date, deadline_text=deadline.sentence,
            deadline_confidence=deadline.confidence, deadline_origin=deadline.origin,
            model_version=version, model_score=model_score,
        )


def _floored(topic_scores: dict[str, float], floor: float) -> dict[str, float]:
    """A copy of ``topic_scores`` without the scores below ``floor``."""
    if topic_scores and min(topic_scores.values()) < floor:
        return {topic: value for topic, value in topic_scores.items() if value >= floor}
    return dict(topic_scores)


_NO_CUES: tuple[tuple[tuple[str, bool], ...], frozenset[str]] = ((), frozenset())


def _field_cues(parts: list[tuple[str, int, str]], cues: list[tuple[int, str]]
                ) -> tuple[Sequence[tuple[str, bool]], Collection[str]]:
    """The automaton's cues as what stage and deadline need: (stage, seen in the title)
    for stage cues in title or summary, and the fields holding a deadline cue."""
    if not cues:
        return _NO_CUES
    stages: list[tuple[str, bool]] = []
    deadline_fields: set[str] = set()
    for start, labels in cues:
        for name, offset, text in parts:
            if offset <= start < offset + len(text):
                for stage in _labels(labels):
                    if stage is None:
                        deadline_fields.add(name)
                    elif name == "title" or name == "summary":
                        stages.append((stage, name == "title"))
                break
    return stages, deadline_fields


@lru_cache(maxsize=256)
def _labels(joined: str) -> tuple[str | None, ...]:
    """Cue labels ("stage:draft|deadline") as stages, None for a deadline cue."""
    return tuple(None if label == "deadline" else label.removeprefix("stage:") for label in joined.split("|"))


def _split_hits(parts: list[tuple[str, int, str]], hits: list[Span]) -> list[tuple[str, str, list[Span]]]:
    if len(parts) == 1:  # a title alone: every hit is in it, at the same offsets
        return [(parts[0][0], parts[0][2], hits)]
    if not hits:
        return [(name, text, []) for name, _, text in parts]
    fields = []
    for name, offset, text in parts:
        end = offset + len(text)
        fields.append((name, text, [(s - offset, e - offset, terms) for s, e, terms in hits
                                    if s >= offset and e <= end]))
    return fields



def _title_summary_tokens(doc: Doc, parts: list[tuple[str, int, str]]) -> numpy.ndarray:
    """The LOWER hashes of the doc's tokens that stand in the title or summary."""
    if parts[-1][0] != "text":
        return doc.to_array(LOWER)
    table = doc.to_array([LOWER, IDX])
    return table[table[:, 1] < parts[-1][1] - len(_JOIN), 0]  # not the blank line before the text


def _round4(values: numpy.ndarray) -> numpy.ndarray:
    """``round(x, 4)`` for every value, exactly as Python rounds.

    Away from a tie, the nearest integer of ``x * 10**4`` divided by ``10**4`` (IEEE
    division is correctly rounded) is the double Python's decimal rounding returns;
    values within a hair of a tie are rounded by Python itself.
    """
    scaled = values * 1e4
    out = numpy.rint(scaled) / 1e4
    near_tie = numpy.abs(scaled - numpy.floor(scaled) - 0.5) < 1e-6
    if near_tie.any():
        for index in zip(*numpy.nonzero(near_tie), strict=True):
            out[index] = round(float(values[index]), 4)
    return out
