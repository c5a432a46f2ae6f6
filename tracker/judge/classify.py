"""The batch contract behind ``tracker classify``: JSON Lines in, JSON Lines out.

One output line per input line, in the same order. A line that is not a JSON object
with an ``id`` and a ``title`` yields ``{"line": n, "id": ..., "error": "..."}`` and
the rest go on. No database is touched.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from json.encoder import encode_basestring  # type: ignore[attr-defined]

from tracker.judge.engine import Judge
from tracker.judge.types import Evidence, JudgeInput, Judgement

BATCH = 512
_OPTIONAL_ORDER = ("summary", "text", "language", "source", "jurisdiction", "deadline_text")
_OPTIONAL_TEXT = frozenset(_OPTIONAL_ORDER)
# The same output as json.dumps(record, ensure_ascii=False), with one encoder for all lines
# (json.dumps with any option builds a new one per call) and no circular-reference
# bookkeeping: records are plain trees built here.
_encode = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
_string = encode_basestring
_BOOL = {True: "true", False: "false"}


class _Floats(dict[float, str]):
    """Float -> how json writes it (its repr). Scores are rounded to 4 places, so a few
    thousand values recur; a lookup is a quarter of a repr. Zeros are not kept (0.0 and
    -0.0 are equal keys with different reprs), nor is anything once the table is full."""

    def __missing__(self, value: float) -> str:
        text = float.__repr__(value)
        if value and len(self) < _MAX_FLOATS:
            self[value] = text
        return text


_MAX_FLOATS = 50_000
_float = _Floats().__getitem__


class _Pairs(dict[str, "_Pair"]):
    """Topic id -> its score -> the JSON pair ``"topic": score``, each made once."""

    def __missing__(self, topic: str) -> _Pair:
        pairs = self[topic] = _Pair(_string(topic) + ": ")
        return pairs


class _Pair(dict[float, str]):
    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key

    def __missing__(self, value: float) -> str:
        text = self.key + _float(value)
        if value and len(self) < _MAX_FLOATS:  # zeros: see _Floats
            self[value] = text
        return text


_PAIRS = _Pairs()


class _Names(dict[str, str]):
    """Short strings that recur (topic ids, terms, field names, stages, versions) -> their
    JSON text, encoded once; item texts and ids are encoded as they come."""

    def __missing__(self, name: str) -> str:
        text = _string(name)
        if len(self) < _MAX_FLOATS:
            self[name] = text
        return text


_NAMES = _Names()


class LineError(ValueError):
    pass


def _when(value: object, field: str) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise LineError(f"'{field}' must be an ISO date or datetime string")
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise LineError(f"'{field}' is not an ISO date or datetime: {value!r}") from exc


def _loads(line: str) -> object:
    """``json.loads(line)``: the decoder's scanner called directly when the line is one
    JSON value with nothing but white space after it (json.loads' Python wrapper cost
    half as much as the parse); anything else goes to json.loads for its exact error."""
    try:
        value, end = _scan_once(line, 0)
    except (StopIteration, json.JSONDecodeError):
        return json.loads(line)
    if end != len(line) and not line[end:].isspace():
        return json.loads(line)
    return value


_scan_once = json.JSONDecoder().scan_once


def parse_line(line: str) -> JudgeInput:
    try:
        data = _loads(line)
    except json.JSONDecodeError as exc:
        raise LineError(f"not valid JSON: {exc.msg} (column {exc.colno})") from exc
    if not isinstance(data, dict):
        raise LineError("each line must be a JSON object")
    item_id = data.get("id")
    if isinstance(item_id, bool) or not isinstance(item_id, (str, int)) or item_id == "":
        raise LineError("'id' is required (string or number)")
    title = data.get("title")
    if not isinstance(title, str) or not title or title.isspace():  # isspace: no stripped copy
        raise LineError("'title' is required (non-empty string)")
    values: dict[str, object] = {}
    for field in _OPTIONAL_TEXT & data.keys():  # the few a line has, not all six
        value = data[field]
        if value is not None:
            if not isinstance(value, str):
                first = next(f for f in _OPTIONAL_ORDER if data.get(f) is not None and not isinstance(data[f], str))
                raise LineError(f"'{first}' must be a string")  # the same field named, whatever the set order
            values[field] = value
    # Most lines carry neither: no call for them.
    deadline = data.get("deadline")
    if deadline is not None:
        deadline = _when(deadline, "deadline")
    published = data.get("published")
    if published is not None:
        published = _when(published, "published")
    return JudgeInput(id=item_id if isinstance(item_id, str) else str(item_id), title=title, published=published,
                      deadline=deadline.date() if isinstance(deadline, datetime) else None,
                      **values)  # type: ignore[arg-type]


def judgement_record(j: Judgement) -> dict[str, object]:
    return {
        "id": j.id, "relevant": j.relevant, "score": j.score, "topics": j.topics,
        "deadline": j.deadline.isoformat() if isinstance(j.deadline, date) else None,
        "deadline_text": j.deadline_text, "deadline_confidence": j.deadline_confidence,
        "deadline_origin": j.deadline_origin, "stage": j.stage, "in_remit": j.in_remit,
        "language": j.language, "language_supported": j.language_supported,
        "topic_scores": j.topic_scores, "evidence": [e.to_dict() for e in j.evidence],
        "model_version": j.model_version,
    }


def judgement_json(j: Judgement) -> str:
    """``judgement_record(j)`` as json.dumps writes it (ensure_ascii off), in one f-string.

    The generic encoder spent more time per item than tokenising it; the shape is fixed,
    so strings go through the encoder's own escaping and numbers through ``repr`` (what
    json does for ints and finite floats; every float here is a rounded finite score).
    """
    return (f'{{"id": {_string(j.id)}, "relevant": {_BOOL[j.relevant]}, "score": {_float(j.score)}, '
            f'"topics": [{", ".join([_NAMES[t] for t in j.topics])}], '
            f'"deadline": {_string(j.deadline.isoformat()) if isinstance(j.deadline, date) else "null"}, '
            f'"deadline_text": {_optional(j.deadline_text)}, '
            f'"deadline_confidence": {"null" if j.deadline_confidence is None else _float(j.deadline_confidence)}, '
            f'"deadline_origin": {"null" if j.deadline_origin is None else _NAMES[j.deadline_origin]}, '
            f'"stage": {_NAMES[j.stage]}, '
            f'"in_remit": {_BOOL[j.in_remit]}, "language": {"null" if j.language is None else _NAMES[j.language]}, '
            f'"language_supported": {_BOOL[j.language_supported]}, '
            f'"topic_scores": {{{", ".join([_PAIRS[t][v] for t, v in j.topic_scores.items()])}}}, '
            f'"evidence": [{_evidence_list_json(j.evidence) if j.evidence else ""}], '
            f'"model_version": {_NAMES[j.model_version]}}}')


def _evidence_list_json(evidence: list[Evidence]) -> str:
    """The evidence objects, comma-separated: the part before "start" is made once per
    (term, topic, field), and a sentence shared by consecutive hits is encoded once."""
    out = []
    last: str | None = None
    last_json = ""
    for e in evidence:
        if e.sentence is not last:
            last = e.sentence
            last_json = _string(last)
        key = (e.term, e.topic, e.field)
        head = _HEADS.get(key)
        if head is None:
            head = (f'{{"term": {_NAMES[e.term]}, "topic": {_NAMES[e.topic]}, "field": {_NAMES[e.field]}, '
                    '"start": ')
            if len(_HEADS) < _MAX_FLOATS:
                _HEADS[key] = head
        out.append(f'{head}{e.start}, "end": {e.end}, "sentence": {last_json}, "weight": {_float(e.weight)}}}')
    return ", ".join(out)


_HEADS: dict[tuple[str, str, str], str] = {}


def _optional(value: str | None) -> str:
    return "null" if value is None else _string(value)


def _error_id(line: str) -> object:
    try:
        data = json.loads(line)
    except ValueError:
        return None
    return data.get("id") if isinstance(data, dict) else None


def classify_lines(lines: Iterable[str], judge: Judge, batch: int = BATCH) -> Iterator[str]:
    """Yield one JSON line per non-blank input line, in input order."""
    pending: list[tuple[int, str, JudgeInput | str]] = []

    def flush() -> Iterator[str]:
        inputs = [entry for _, _, entry in pending if isinstance(entry, JudgeInput)]
        judged = judge.judge_iter(inputs) if inputs else iter(())
        for number, raw, entry in pending:
            if isinstance(entry, JudgeInput):
                yield judgement_json(next(judged))
            else:
                yield _encode({"line": number, "id": _error_id(raw), "error": entry})
        pending.clear()

    for number, line in enumerate(lines, start=1):
        if not line or line.isspace():  # blank (strip() would copy every line)
            continue
        try:
            pending.append((number, line, parse_line(line)))
        except LineError as exc:
            pending.append((number, line, str(exc)))
        if len(pending) >= batch:
            yield from flush()
    yield from flush()
