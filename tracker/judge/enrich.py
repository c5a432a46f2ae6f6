"""The one way into the judge: ``judge_input`` builds what it reads from a publication and
its source, for collect, ingest, demo, tag and classify alike; ``judge_items`` applies the
judge to collected items.

A deadline found in the text is written onto the item before it is stored, so that a
deadline that moves upstream is a change like any other (history row, changed flag).
A structured deadline from a JSON adapter always wins over one found in text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Protocol

from tracker.collect.normalise import with_deadline
from tracker.errors import UserError
from tracker.judge import JudgeInput, Judgement, get_judge
from tracker.models import Item, Source
from tracker.vocabulary import DeadlineOrigin


class Publication(Protocol):
    """What the judge needs of a publication: a collected ``Item``, a stored item being
    re-tagged, or a ``tracker classify`` record."""

    id: str
    title: str
    summary: str
    text: str
    language: str | None
    published_at: datetime | None
    jurisdiction: str | None
    deadline: date | None
    deadline_text: str | None
    deadline_origin: str | None


def judge_input(item: Publication, source: Source | None) -> JudgeInput:
    """The judge's input for ``item`` as carried by ``source`` (None: no known source).

    The source gives the topic hints of feeds.toml and the jurisdiction when the item has
    none. A deadline the judge itself read from text earlier is read again, never taken
    as given; a structured one (from an adapter or a record) is kept.
    """
    given = item.deadline_origin != DeadlineOrigin.TEXT
    return JudgeInput(
        id=item.id, title=item.title, summary=item.summary or "", text=item.text or "",
        language=item.language, published=item.published_at,
        source=source.id if source else None,
        jurisdiction=item.jurisdiction or (source.jurisdiction if source else None),
        topic_hints=source.topic_hints if source else (),
        deadline=item.deadline if given else None, deadline_text=item.deadline_text if given else None,
    )


def sources_by_id(path=None) -> Mapping[str, Source]:
    """The sources of feeds.toml by id, for records that name their source; none when the
    file cannot be read (records must then say their jurisdiction themselves)."""
    from tracker.collect.sources import load_sources

    try:
        return {s.id: s for s in load_sources(path).sources}
    except UserError:
        return {}


def judge_items(items: Sequence[Item], source: Source | None = None) -> tuple[list[Item], list[Judgement]]:
    """Judge every item; return the items (with text deadlines applied) and the judgements."""
    if not items:
        return [], []
    judgements = get_judge().judge_many([judge_input(item, source) for item in items])
    enriched = []
    for item, judgement in zip(items, judgements, strict=True):
        if item.deadline is None and judgement.deadline is not None:
            item = with_deadline(item, judgement.deadline, judgement.deadline_text,
                                 judgement.deadline_confidence, DeadlineOrigin.TEXT)
        enriched.append(item)
    return enriched, judgements
