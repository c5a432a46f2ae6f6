"""The Judge: language routing, term matching, scoring, stage, deadline, model."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

import numpy

from tracker.judge.deadlines import find_deadline
from tracker.judge.language import SUPPORTED, detect_language
from tracker.judge.model import RELEVANT, RelevanceModel, feature_words
from tracker.judge.nlp import build_matcher, tokenizer
from tracker.judge.remit import in_remit
from tracker.judge.scoring import Fields, RuleResult, calibrated, pick_topics, score_fields
from tracker.judge.stage import classify_stage
from tracker.judge.taxonomy import Taxonomy
from tracker.judge.types import MAX_TEXT_CHARS, JudgeInput, Judgement

_SAMPLE = 600  # characters of summary and of text the language check reads


@dataclass(frozen=True)
class Analysis:
    """What the rules make of one item, before the model: the input of both."""

    item: JudgeInput
    language: str | None
    supported: bool
    fields: Fields
    rules: RuleResult
    stage: str


class Judge:
    def __init__(self, taxonomy: Taxonomy, model: RelevanceModel | None = None) -> None:
        self.taxonomy = taxonomy
        self.model = model
        self.matchers = {lang: build_matcher(lang, taxonomy) for lang in SUPPORTED}
        self.tokenizers = {lang: tokenizer(lang) for lang in SUPPORTED}

    @property
    def model_version(self) -> str:
        return f"rules+model:{self.model.version}" if self.model else "rules"

    def with_model(self, model: RelevanceModel | None) -> Judge:
        """The same taxonomy and matchers with another model (no rebuild)."""
        other = copy.copy(self)
        other.model = model
        return other

    def judge(self, item: JudgeInput) -> Judgement:
        return self.judge_many([item])[0]

    def judge_many(self, items: Sequence[JudgeInput]) -> list[Judgement]:
        analyses = [self.analyse(item) for item in items]
        if self.model is None:
            return [self._finish(a, None, a.rules.topic_scores) for a in analyses]
        scores = self.model.predict([self.features(a) for a in analyses])
        return [self._finish(a, *self._blend(a, row)) for a, row in zip(analyses, scores, strict=True)]

    def analyse(self, item: JudgeInput) -> Analysis:
        """Language, term hits per field, rule score and signals, stage."""
        language = detect_language(f"{item.title}\n{item.summary[:_SAMPLE]}\n{item.text[:_SAMPLE]}", item.language)
        supported = language in SUPPORTED
        fields: Fields = []
        if supported:
            matcher = self.matchers[language]
            fields = [(name, text, matcher.find(text)) for name, text in
                      (("title", item.title), ("summary", item.summary), ("text", item.text[:MAX_TEXT_CHARS]))
                      if text]
        rules = score_fields(fields, self.taxonomy.settings, item.topic_hints)
        return Analysis(item, language, supported, fields, rules, classify_stage(item.title, item.summary))

    def features(self, analysis: Analysis) -> list[str]:
        """The words the model reads for an analysed item (title and summary, never the full text)."""
        if not analysis.supported:
            return []
        tokenize = self.tokenizers[analysis.language]
        tokens = [t.lower_ for text in (analysis.item.title, analysis.item.summary) if text
                  for t in tokenize(text) if not t.is_space]
        return feature_words(tokens, analysis.fields, analysis.rules.signals, analysis.stage)

    def _blend(self, analysis: Analysis, row: numpy.ndarray) -> tuple[float | None, dict[str, float]]:
        """The model's relevance score, and topic scores: each topic scores the larger of its
        rule score and the weighted mix of rule and model score."""
        if not analysis.supported:
            return None, analysis.rules.topic_scores
        model = self.model
        assert model is not None
        weight = self.taxonomy.settings.model_weight
        topic_scores = dict(analysis.rules.topic_scores)
        for label, value in zip(model.labels, row.tolist(), strict=True):
            if label in self.taxonomy.topics:
                rule = topic_scores.get(label, 0.0)
                topic_scores[label] = round(max(rule, (1 - weight) * rule + weight * value), 4)
        relevant = row[model.labels.index(RELEVANT)] if RELEVANT in model.labels else 0.0
        return round(float(relevant), 4), topic_scores

    def _finish(self, analysis: Analysis, model_score: float | None, topic_scores: dict[str, float]) -> Judgement:
        item, settings = analysis.item, self.taxonomy.settings
        score = analysis.rules.score
        if model_score is not None:
            score = (1 - settings.model_weight) * score + settings.model_weight * model_score
        remit = in_remit(item.jurisdiction, settings.remit)
        if not (remit and analysis.supported):
            # Out-of-remit and unreadable items keep their topic scores (why they look
            # topical) but never rank as relevant.
            score = 0.0
        raw = min(max(score, 0.0), 1.0)
        relevant = raw >= settings.threshold
        slope = settings.calibration_slope if model_score is not None else settings.calibration_slope_rules
        score = round(calibrated(raw, settings.threshold, slope), 4)
        # Scores below the floor are noise (with a model every topic has one): not reported.
        topic_scores = {t: v for t, v in topic_scores.items() if v >= settings.topic_score_floor}
        deadline = find_deadline(item, settings)
        return Judgement(
            id=item.id, relevant=relevant, score=score,
            topics=pick_topics(topic_scores, settings.topic_threshold, relevant),
            topic_scores=topic_scores, evidence=analysis.rules.evidence(), stage=analysis.stage,
            language=analysis.language, language_supported=analysis.supported, in_remit=remit,
            deadline=deadline.date, deadline_text=deadline.sentence,
            deadline_confidence=deadline.confidence, deadline_origin=deadline.origin,
            possible_deadline=deadline.possible,
            model_version=self.model_version, model_score=model_score, source=item.source,
            signals=analysis.rules.signals,
        )
