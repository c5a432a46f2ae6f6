"""The shapes the judge takes and returns: plain frozen dataclasses, no spaCy objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

# Full texts can be whole bills; the first part says what the item is about and where its
# deadline is, and judging must stay fast for every collected item: the judge reads this much.
MAX_TEXT_CHARS = 20_000


@dataclass(frozen=True)
class JudgeInput:
    """One publication as the judge sees it; made by ``judge.enrich.judge_input`` only.

    ``deadline`` is a structured deadline from a JSON adapter; it wins over any date the
    judge finds in the text. ``topic_hints`` are the topics its source is known for
    (feeds.toml): evidence in one of them counts like an addressee word.
    """

    id: str
    title: str
    summary: str = ""
    text: str = ""
    language: str | None = None
    published: datetime | None = None
    source: str | None = None
    jurisdiction: str | None = None
    topic_hints: tuple[str, ...] = ()
    deadline: date | None = None
    deadline_text: str | None = None


@dataclass(frozen=True)
class Evidence:
    """A matched term: ``start``/``end`` are character offsets into ``field``'s text."""

    term: str
    topic: str
    field: str
    start: int
    end: int
    sentence: str
    weight: float

    def to_dict(self) -> dict[str, object]:
        return {"term": self.term, "topic": self.topic, "field": self.field, "start": self.start, "end": self.end,
                "sentence": self.sentence, "weight": self.weight}


@dataclass(frozen=True)
class PossibleDeadline:
    """A day the text may give as its deadline, too uncertain to be taken as one
    (``deadlines.POSSIBLE_FLOOR``): for a person to check, never for calendars or reminders."""

    day: date
    sentence: str
    confidence: float

    def to_dict(self) -> dict[str, object]:
        return {"date": self.day.isoformat(), "sentence": self.sentence, "confidence": self.confidence}


@dataclass(frozen=True)
class Judgement:
    id: str
    relevant: bool
    score: float
    topics: list[str]
    topic_scores: dict[str, float]
    evidence: list[Evidence]
    stage: str
    language: str | None
    language_supported: bool
    in_remit: bool
    deadline: date | None
    deadline_text: str | None
    deadline_confidence: float | None
    deadline_origin: str | None
    model_version: str
    possible_deadline: PossibleDeadline | None = None
    model_score: float | None = None
    # The source whose hints the item was judged with, so that ``tracker tag`` judges it alike.
    source: str | None = None
    # Signals about the document the score weighed: its kinds and addressees (taxonomy ids).
    signals: tuple[str, ...] = field(default=())
