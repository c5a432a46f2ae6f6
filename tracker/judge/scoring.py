"""From matched terms to topic scores, a rule score and evidence. Pure functions."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from operator import itemgetter

from tracker.judge.matching import Span
from tracker.judge.sentences import boundaries, sentence_at
from tracker.judge.taxonomy import Settings
from tracker.judge.types import Evidence

MAX_EVIDENCE = 25


_Found = tuple[str, str, int, int, float, str, str]  # topic, term, start, end, weight, field, field's text


class RuleResult:
    """The rules' verdict on one item (a plain slotted class: one is made per item)."""

    __slots__ = ("score", "topic_scores", "has_context", "found")

    def __init__(self, score: float, topic_scores: dict[str, float], has_context: bool,
                 found: list[_Found] | None = None) -> None:
        self.score = score
        self.topic_scores = topic_scores
        self.has_context = has_context
        self.found = found or []  # the counted hits, what ``evidence()`` is made from

    def evidence(self) -> list[Evidence]:
        """Evidence for the strongest hits first, each with the sentence it stands in.

        Made on request, not with the scores: a batch's scores are all needed before the
        first judgement is finished, its evidence only one item at a time."""
        return _evidence(self.found) if self.found else []


_EMPTY = RuleResult(0.0, {}, False)


def _noisy_or(weights: Iterable[float]) -> float:
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
    # Runs for every item: plain loops and tuples, no generators or objects per hit.
    excluded: set[str] = set()
    has_context = False
    found: list[_Found] = []
    for field_name, text, spans in fields:
        if not spans:
            continue
        factor = settings.field_weights.get(field_name, 0.5)
        for start, end, terms in spans:
            for term in terms:
                kind = term.kind
                if kind == "term":
                    found.append((term.topic, term.text, start, end, term.weight * factor, field_name, text))
                elif kind == "exclude":
                    excluded.add(term.topic)
                elif kind == "context":
                    has_context = True
    if excluded and found:
        found = [f for f in found if f[0] not in excluded]
    if not found:
        return RuleResult(0.0, {}, True) if has_context else _EMPTY
    best_per_topic: dict[str, dict[str, float]] = {}
    best_overall: dict[str, float] = {}
    for topic, term, _s, _e, weight, _f, _t in found:
        per_topic = best_per_topic.get(topic)
        if per_topic is None:
            best_per_topic[topic] = {term: weight}
        elif weight > per_topic.get(term, 0.0):
            per_topic[term] = weight
        elif term not in per_topic:
            per_topic[term] = 0.0  # weight 0: counted (as nothing), in first-seen order
        key = _term_key(term)
        if weight > best_overall.get(key, 0.0):
            best_overall[key] = weight
        elif key not in best_overall:
            best_overall[key] = 0.0
    topic_scores = {topic: _round4(_noisy_or(terms.values())) for topic, terms in best_per_topic.items()}
    score = _noisy_or(best_overall.values())
    if score > 0 and (has_context or (hinted_topics and any(t in topic_scores for t in hinted_topics))):
        score += (1.0 - score) * settings.context_boost
    return RuleResult(_round4(score), topic_scores, has_context, found)


def _evidence(found: list[_Found]) -> list[Evidence]:
    if len(found) > 1:
        found = sorted(found, key=_WEIGHT, reverse=True)  # stable: ties keep their order
    # Per field: its sentence starts, or the field itself when it is one sentence (most
    # titles), cut once for all of its hits.
    sentences_of: dict[str, tuple[int, ...] | str] = {}
    evidence = []
    for topic, term, start, end, weight, field_name, text in found[:MAX_EVIDENCE]:
        sentences = sentences_of.get(field_name)
        if sentences is None:
            starts = boundaries(text) if _has_sentence_mark(text) else (0,)
            sentences = sentences_of[field_name] = text.strip() if len(starts) == 1 else starts
        evidence.append(Evidence(_display(term), topic, field_name, start, end,
                                 sentences if isinstance(sentences, str) else sentence_at(text, start, sentences),
                                 _round4(weight)))
    return evidence


_WEIGHT = itemgetter(4)


def _has_sentence_mark(text: str) -> bool:
    return "." in text or "\n" in text or "!" in text or "?" in text


class _Rounded(dict[float, float]):
    """x -> ``round(x, 4)``, remembered: weights (term weight times field weight) and
    scores made of them recur."""

    def __missing__(self, weight: float) -> float:
        value = round(weight, 4)
        if weight and len(self) < 10_000:  # 0.0 and -0.0 are one key
            self[weight] = value
        return value


_round4 = _Rounded().__getitem__


class _Terms(dict[str, str]):
    """Taxonomy term -> a form of it, made once per term (called for every hit)."""

    def __init__(self, form: Callable[[str], str]) -> None:
        super().__init__()
        self.form = form

    def __missing__(self, term: str) -> str:
        value = self.form(term)
        if len(self) < 50_000:
            self[term] = value
        return value


_display = _Terms(lambda term: term.lstrip("=")).__getitem__
_term_key = _Terms(lambda term: term.lstrip("=").lower()).__getitem__


def pick_topics(topic_scores: dict[str, float], threshold: float, relevant: bool) -> list[str]:
    """Topics at or above ``threshold``, best first; a relevant item names at least one."""
    # Filtered before sorting: with a model every topic has a score, few pass.
    chosen = [t for t, value in topic_scores.items() if value >= threshold]
    if len(chosen) > 1:
        chosen.sort(key=lambda t: (-topic_scores[t], t))
    elif not chosen and relevant and topic_scores:
        chosen = [min(topic_scores, key=lambda t: (-topic_scores[t], t))]
    return chosen
