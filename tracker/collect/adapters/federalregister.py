"""US Federal Register documents API (``/api/v1/documents.json`` and single documents).

``comments_close_on`` is a date only (Eastern time); no instant is invented for it.
"""

from __future__ import annotations

from collections.abc import Mapping

from tracker.collect.adapters.support import (
    NEW_YORK,
    ShapeError,
    entries_of_records,
    list_of,
    parse_day,
    require_list,
    require_mapping,
    run_adapter,
    start_of_day,
    text,
    text_as_html,
    web_link,
)
from tracker.models import ParseResult, RawEntry
from tracker.vocabulary import Stage

API_NAME = "Federal Register API"
_STAGE_BY_TYPE = {"Proposed Rule": Stage.DRAFT, "Rule": Stage.ADOPTED}


def parse(body: bytes, url: str = "", language: str | None = None) -> ParseResult:
    return run_adapter(API_NAME, body, _entries)


def _entries(data: object, warnings: list[str]) -> list[RawEntry]:
    root = require_mapping(data, "Antwort")
    if "document_number" in root:  # /api/v1/documents/<number>.json
        return [_entry(root)]
    if "results" not in root and root.get("count") == 0:
        return []  # the API omits 'results' when nothing matched
    results = require_list(root, "results", "der Suchantwort")
    return entries_of_records(results, "results", "Dokument", _entry, warnings)


def _entry(doc: Mapping[str, object]) -> RawEntry:
    number = text(doc.get("document_number"))
    link = web_link(doc.get("html_url"))
    if not number and not link:
        raise ShapeError("weder 'document_number' noch 'html_url' vorhanden")
    title = text(doc.get("title"))
    if not title:
        raise ShapeError(f"Feld 'title' fehlt ({number or link})")
    closes_raw = doc.get("comments_close_on")
    deadline = parse_day(closes_raw)
    doc_type = text(doc.get("type"))
    agencies = [text(a.get("name") or a.get("raw_name")) for a in list_of(doc.get("agencies"))
                if isinstance(a, Mapping)]
    return RawEntry(
        guid=f"federalregister:{number}" if number else link,
        title=title,
        link=link or f"https://www.federalregister.gov/d/{number}",
        summary_html=text_as_html(doc.get("abstract")),
        published=start_of_day(parse_day(doc.get("publication_date")), NEW_YORK),
        language="en",
        deadline=deadline,
        deadline_text=f"comments_close_on: {closes_raw}" if deadline else None,
        stage=Stage.CONSULTATION if deadline else _STAGE_BY_TYPE.get(doc_type),
        extra={
            "type": doc_type or None,
            "agencies": [a for a in agencies if a],
            "docket_ids": [text(d) for d in list_of(doc.get("docket_ids")) if text(d)],
            "comment_url": web_link(doc.get("comment_url")),
            "pdf_url": web_link(doc.get("pdf_url")),
        },
    )
