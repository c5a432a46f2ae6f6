"""From matched terms to topic scores, a rule score, signals and evidence. Pure functions."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from tracker.judge.matching import Span
from tracker.judge.sentences import boundaries, sentence_at
from tracker.judge.taxonomy import Settings
from tracker.judge.types import Evidence

MAX_EVIDENCE = 25
ADDRESSEE = "addressee"  # the signal of an addressee word ("Kommunen", "Stadtwerke", ...)

Fields = list[tuple[str, str, list[Span]]]  # (field name, its text, the hits in it)


@dataclass(frozen=True)
class Hit:
    """A counted term hit: its topic, term, where it stands and what it weighs there."""

    topic: str
    term: str
    field: str
    text: str  # the field's text
    start: int
    end: int
    weight: float


@dataclass(frozen=True)
class RuleResult:
    """The rules' verdict on one item."""

    score: float
    topic_scores: dict[str, float]
    # "addressee" and the ids of the document kinds found (taxonomy [addressees], [kinds]).
    signals: tuple[str, ...] = ()
    hits: list[Hit] = field(default_factory=list)

    def evidence(self) -> list[Evidence]:
        """Evidence for the strongest hits first, each with the sentence it stands in."""
        ranked = sorted(self.hits, key=lambda h: h.weight, reverse=True)[:MAX_EVIDENCE]  # stable on ties
        starts = {h.field: boundaries(h.text) for h in ranked}
        return [Evidence(h.term.lstrip("="), h.topic, h.field, h.start, h.end,
                         sentence_at(h.text, h.start, starts[h.field]), round(h.weight, 4)) for h in ranked]


def _noisy_or(weights: Iterable[float]) -> float:
    remaining = 1.0
    for weight in weights:
        remaining *= 1.0 - weight
    return 1.0 - remaining


def score_fields(fields: Fields, settings: Settings, hinted_topics: tuple[str, ...] = ()) -> RuleResult:
    """Score one item from the spans found in each of its fields.

    A term counts once per topic with its best field; title hits weigh more than body hits
    (``field_weights``). An exclusion found anywhere in the item voids its topic. The rule
    score combines distinct terms across topics, so one term listed under two topics is
    not counted twice. Addressee words, or evidence in a topic the source is known for
    (``topic_hints`` in feeds.toml), add ``context_boost`` of what is missing to 1.
    """
    excluded: set[str] = set()
    signals: dict[str, None] = {}
    hits: list[Hit] = []
    for field_name, text, spans in fields:
        factor = settings.field_weights.get(field_name, 0.5)
        for start, end, terms in spans:
            for term in terms:
                if term.kind == "term":
                    hits.append(Hit(term.topic, term.text, field_name, text, start, end, term.weight * factor))
                elif term.kind == "exclude":
                    excluded.add(term.topic)
                elif term.kind == "addressee":
                    signals[ADDRESSEE] = None
                elif term.kind == "kind":
                    signals[term.topic] = None
    hits = [h for h in hits if h.topic not in excluded]
    best_per_topic: dict[str, dict[str, float]] = {}
    best_overall: dict[str, float] = {}
    for hit in hits:
        per_topic = best_per_topic.setdefault(hit.topic, {})
        per_topic[hit.term] = max(per_topic.get(hit.term, 0.0), hit.weight)
        key = hit.term.lstrip("=").lower()
        best_overall[key] = max(best_overall.get(key, 0.0), hit.weight)
    topic_scores = {topic: round(_noisy_or(terms.values()), 4) for topic, terms in best_per_topic.items()}
    score = _noisy_or(best_overall.values())
    if score > 0 and (ADDRESSEE in signals or any(t in topic_scores for t in hinted_topics)):
        score += (1.0 - score) * settings.context_boost
    return RuleResult(round(score, 4), topic_scores, tuple(signals), hits)


def pick_topics(topic_scores: dict[str, float], threshold: float, relevant: bool) -> list[str]:
    """Topics at or above ``threshold``, best first; a relevant item names at least one."""
    ranked = sorted(topic_scores, key=lambda t: (-topic_scores[t], t))
    chosen = [t for t in ranked if topic_scores[t] >= threshold]
    if not chosen and relevant and ranked:
        chosen = ranked[:1]
    return chosen


def calibrated(raw: float, threshold: float, slope: float) -> float:
    """The score shown and stored: the raw score's log-odds scaled by ``slope`` around the
    threshold. The threshold keeps its place (an item is relevant exactly when its raw score
    reaches it, so no decision changes), while scores that bunch near 0 and 1 spread out."""
    if raw <= 0.0 or slope == 1.0:
        return raw
    edge = 1e-6
    pivot = math.log(threshold / (1 - threshold))
    odds = math.log(min(max(raw, edge), 1 - edge) / (1 - min(max(raw, edge), 1 - edge)))
    return 1 / (1 + math.exp(-(slope * (odds - pivot) + pivot)))
