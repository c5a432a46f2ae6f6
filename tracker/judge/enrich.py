"""Bridge between the collector's ``Item`` and the judge: score, tag, and find deadlines.

A deadline found in the text is written onto the item before it is stored, so that a
deadline that moves upstream is a change like any other (history row, changed flag).
A structured deadline from a JSON adapter always wins over one found in text.
"""

from __future__ import annotations

from collections.abc import Sequence

from tracker.collect.normalise import with_deadline
from tracker.judge import JudgeInput, Judgement, get_judge
from tracker.models import Item, Source


def judge_input(item: Item, source: Source | None = None) -> JudgeInput:
    return JudgeInput(
        id=item.id, title=item.title, summary=item.summary, text=item.text,
        language=item.language, published=item.published_at,
        source=source.id if source else item.source_id,
        jurisdiction=item.jurisdiction, deadline=item.deadline, deadline_text=item.deadline_text,
    )


def judge_items(items: Sequence[Item], source: Source | None = None) -> tuple[list[Item], list[Judgement]]:
    """Judge every item; return the items (with text deadlines applied) and the judgements."""
    if not items:
        return [], []
    judgements = get_judge().judge_many([judge_input(item, source) for item in items])
    enriched = []
    for item, judgement in zip(items, judgements, strict=True):
        if item.deadline is None and judgement.deadline is not None:
            item = with_deadline(item, judgement.deadline, judgement.deadline_text,
                                 judgement.deadline_confidence, "text")
        enriched.append(item)
    return enriched, judgements
