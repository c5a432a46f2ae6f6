"""The shapes the judge takes and returns: plain frozen dataclasses, no spaCy objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class JudgeInput:
    """One publication as the judge sees it.

    ``deadline`` is a structured deadline from a JSON adapter; it wins over any date the
    judge finds in the text.
    """

    id: str
    title: str
    summary: str = ""
    text: str = ""
    language: str | None = None
    published: datetime | None = None
    source: str | None = None
    jurisdiction: str | None = None
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
        # Written out: dataclasses.asdict deep-copies and is slow on the classify path.
        return {"term": self.term, "topic": self.topic, "field": self.field, "start": self.start,
                "end": self.end, "sentence": self.sentence, "weight": self.weight}


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
    model_score: float | None = field(default=None)
