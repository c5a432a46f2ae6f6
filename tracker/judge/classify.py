"""The batch contract behind ``tracker classify``: JSON Lines in, JSON Lines out.

One output line per non-blank input line, in the same order. A line that is not a JSON
object with an ``id`` and a ``title`` yields ``{"line": n, "id": ..., "error": "..."}`` and
the rest go on. An optional field that cannot be used (a ``summary`` that is no string, a
``published`` that is no ISO 8601 date) is left out and named in a ``warnings`` list on that
item's line: the item is still judged. Dates may have reduced precision (``2018-07``,
``2018``). No database is touched.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from tracker.judge.engine import Judge
from tracker.judge.enrich import judge_input, sources_by_id
from tracker.judge.types import Judgement
from tracker.models import Source
from tracker.vocabulary import DeadlineOrigin

BATCH = 512
OPTIONAL_TEXT = ("summary", "text", "language", "source", "jurisdiction", "deadline_text")
# ISO 8601 calendar dates of reduced precision: a year, or a year and month.
_REDUCED = re.compile(r"(\d{4})(?:-(\d{2}))?")


class LineError(ValueError):
    pass


@dataclass
class Record:
    """One input line as a publication (see ``enrich.Publication``), plus what was wrong."""

    id: str
    title: str
    summary: str = ""
    text: str = ""
    language: str | None = None
    source: str | None = None
    jurisdiction: str | None = None
    published_at: datetime | None = None
    deadline: date | None = None
    deadline_text: str | None = None
    deadline_origin: str | None = None
    warnings: list[str] = field(default_factory=list)


def iso_moment(value: str) -> datetime:
    """An ISO 8601 date or date-time, also of reduced precision ("2018-07" is 1 July 2018)."""
    value = value.strip()
    reduced = _REDUCED.fullmatch(value)
    if reduced:
        return datetime(int(reduced.group(1)), int(reduced.group(2) or 1), 1)
    return datetime.fromisoformat(value)


def parse_line(line: str) -> Record:
    """The record of one line; LineError when it cannot be judged at all."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise LineError(f"not valid JSON: {exc.msg} (column {exc.colno})") from exc
    if not isinstance(data, dict):
        raise LineError("each line must be a JSON object")
    item_id = data.get("id")
    if isinstance(item_id, bool) or not isinstance(item_id, (str, int)) or item_id == "":
        raise LineError("'id' is required (string or number)")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise LineError("'title' is required (non-empty string)")
    record = Record(id=str(item_id), title=title)
    for name in OPTIONAL_TEXT:
        value = data.get(name)
        if value is None:
            continue
        if isinstance(value, str):
            setattr(record, name, value)
        else:
            record.warnings.append(f"'{name}' must be a string; ignored")
    published = data.get("published")
    if published not in (None, ""):
        record.published_at = _parsed(published, iso_moment)
        if record.published_at is None:
            record.warnings.append(f"'published' is not an ISO 8601 date: {published!r}; ignored")
    deadline = data.get("deadline")
    if deadline not in (None, ""):
        # A deadline needs its day: "2018-07" is no date anyone can act on.
        moment = _parsed(deadline, datetime.fromisoformat)
        if moment is None:
            record.warnings.append(f"'deadline' is not an ISO 8601 date with a day: {deadline!r}; ignored")
        else:
            record.deadline, record.deadline_origin = moment.date(), DeadlineOrigin.STRUCTURED
    return record


def _parsed(value: object, parse: Callable[[str], datetime]) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return parse(value.strip())
    except ValueError:
        return None


def judgement_record(j: Judgement, warnings: list[str] | None = None) -> dict[str, object]:
    record: dict[str, object] = {
        "id": j.id, "relevant": j.relevant, "score": j.score, "topics": j.topics,
        "deadline": j.deadline.isoformat() if j.deadline else None,
        "deadline_text": j.deadline_text, "deadline_confidence": j.deadline_confidence,
        "deadline_origin": j.deadline_origin,
        "possible_deadline": j.possible_deadline.to_dict() if j.possible_deadline else None,
        "stage": j.stage, "in_remit": j.in_remit,
        "language": j.language, "language_supported": j.language_supported,
        "topic_scores": j.topic_scores, "evidence": [e.to_dict() for e in j.evidence],
        "model_version": j.model_version,
    }
    if warnings:
        record["warnings"] = warnings
    return record


def _error_id(line: str) -> object:
    try:
        data = json.loads(line)
    except ValueError:
        return None
    return data.get("id") if isinstance(data, dict) else None


def classify_lines(lines: Iterable[str], judge: Judge, sources: Mapping[str, Source] | None = None,
                   batch: int = BATCH) -> Iterator[str]:
    """Yield one JSON line per non-blank input line, in input order.

    ``sources``: the sources by id, for records that name their ``source`` (default: the
    sources of feeds.toml).
    """
    sources = sources_by_id() if sources is None else sources
    pending: list[tuple[int, str, Record | str]] = []

    def flush() -> Iterator[str]:
        records = [entry for _, _, entry in pending if isinstance(entry, Record)]
        judged = iter(judge.judge_many([judge_input(r, sources.get(r.source or "")) for r in records]))
        for number, raw, entry in pending:
            if isinstance(entry, Record):
                out = judgement_record(next(judged), entry.warnings)
            else:
                out = {"line": number, "id": _error_id(raw), "error": entry}
            yield json.dumps(out, ensure_ascii=False)
        pending.clear()

    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            pending.append((number, line, parse_line(line)))
        except LineError as exc:
            pending.append((number, line, str(exc)))
        if len(pending) >= batch:
            yield from flush()
    yield from flush()
