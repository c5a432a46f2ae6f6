"""The shapes the judge takes and returns: plain frozen dataclasses, no spaCy objects."""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from datetime import date, datetime
from typing import TypeVar

_T = TypeVar("_T")


def _quick_init(cls: type[_T]) -> type[_T]:
    """Give a frozen dataclass an ``__init__`` that fills the instance dict at once.

    The generated one calls ``object.__setattr__`` per field (frozen classes forbid
    ``self.x = x``); on the classify path that was about a microsecond per Judgement,
    half that per Evidence. Same parameters, defaults and result; assignment after
    construction still raises ``FrozenInstanceError``.
    """
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    defaults = {f"_default_{f.name}": f.default for f in fields(cls) if f.default is not MISSING}  # type: ignore[arg-type]
    if any(f.default_factory is not MISSING or not f.init for f in fields(cls)):  # type: ignore[arg-type]
        raise TypeError(f"{cls.__name__}: only plain fields and plain defaults are supported")
    params = ", ".join(f"{n}=_default_{n}" if f"_default_{n}" in defaults else n for n in names)
    values = ", ".join(f"{n!r}: {n}" for n in names)
    namespace: dict[str, object] = {}
    exec(f"def __init__(self, {params}):\n    self.__dict__.update({{{values}}})\n", defaults, namespace)  # noqa: S102
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"  # type: ignore[attr-defined]
    cls.__init__ = init  # type: ignore[misc]
    return cls


@_quick_init
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


@_quick_init
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


@_quick_init
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
