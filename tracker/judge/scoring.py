"""From matched terms to topic scores, a rule score and evidence. Pure functions."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.judge.matching import Span
from tracker.judge.sentences import boundaries, sentence_at
from tracker.judge.taxonomy import Settings
from tracker.judge.types import Evidence

MAX_EVIDENCE = 25


@dataclass(frozen=True)
class RuleResult:
    score: float
    topic_scores: dict[str, float]
    evidence: list[Evidence]
    has_context: bool


_EMPTY = RuleResult(score=0.0, topic_scores={}, evidence=[], has_context=False)


def _noisy_or(weights: list[float]) -> float:
    remaining = 1.0
    for weight in weights:
        remaining *= 1.0 - weight
    return 1.0 - remaining


def score_fields(fields: list[tuple[str, str, list[Span]]], settings: Settings,
                 hinted_topics: tuple[str, ...] = ()) -> RuleResult:
    """Score one item from the spans found in each of its fields.

    A term counts once per topic with its best field; title hits weigh more than body hits
    (``field_weights``). An exclusion found anywhere in the item voids its topic. The rule
    score combines distinct terms across topics, so one term listed under two topics is
    not counted twice. Municipal context words, or evidence in a topic the source is known
    for (``topic_hints`` in feeds.toml), add ``context_boost`` of what is missing to 1.
    """
    if not any(spans for _, _, spans in fields):
        return _EMPTY
    excluded: set[str] = set()
    has_context = False
    found: list[tuple[str, str, int, int, float, str]] = []
    for field_name, _text, spans in fields:
        factor = settings.field_weights.get(field_name, 0.5)
        for start, end, terms in spans:
            for term in terms:
                if term.kind == "exclude":
                    excluded.add(term.topic)
                elif term.kind == "context":
                    has_context = True
                elif term.kind == "term":
                    found.append((term.topic, term.text, start, end, term.weight * factor, field_name))
    best_per_topic: dict[str, dict[str, float]] = {}
    best_overall: dict[str, float] = {}
    for topic, term, _s, _e, weight, _f in found:
        if topic in excluded:
            continue
        per_topic = best_per_topic.setdefault(topic, {})
        per_topic[term] = max(per_topic.get(term, 0.0), weight)
        best_overall[term.lstrip("=").lower()] = max(best_overall.get(term.lstrip("=").lower(), 0.0), weight)
    topic_scores = {topic: round(_noisy_or(list(terms.values())), 4)
                    for topic, terms in best_per_topic.items()}
    score = _noisy_or(list(best_overall.values()))
    if score > 0 and (has_context or any(t in topic_scores for t in hinted_topics)):
        score += (1.0 - score) * settings.context_boost
    texts = {name: text for name, text, _ in fields}
    starts_cache: dict[str, list[int]] = {}
    evidence = []
    for topic, term, start, end, weight, field_name in sorted(found, key=lambda f: -f[4]):
        if topic in excluded or len(evidence) >= MAX_EVIDENCE:
            continue
        text = texts[field_name]
        if field_name not in starts_cache:
            starts_cache[field_name] = (boundaries(text) if any(c in text for c in ".!?\n") else [0])
        evidence.append(Evidence(term=term.lstrip("="), topic=topic, field=field_name, start=start, end=end,
                                 sentence=sentence_at(text, start, starts_cache[field_name]),
                                 weight=round(weight, 4)))
    return RuleResult(score=round(score, 4), topic_scores=topic_scores, evidence=evidence,
                      has_context=has_context)


def pick_topics(topic_scores: dict[str, float], threshold: float, relevant: bool) -> list[str]:
    """Topics at or above ``threshold``, best first; a relevant item names at least one."""
    ranked = sorted(topic_scores, key=lambda t: (-topic_scores[t], t))
    chosen = [t for t in ranked if topic_scores[t] >= threshold]
    if relevant and not chosen and ranked:
        chosen = ranked[:1]
    return chosen
