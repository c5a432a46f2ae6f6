"""regulations.gov API v4 (JSON:API: ``data`` is a list for searches, an object for one record).

``commentEndDate`` is UTC: 2022-05-10T03:59:59Z is 23:59:59 on 9 May in Washington, so
``deadline`` is the New York calendar day and ``deadline_at`` the exact instant.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

from tracker.collect.adapters.support import (
    NEW_YORK,
    ShapeError,
    entries_of_records,
    local_date,
    parse_instant,
    require_mapping,
    run_adapter,
    text,
    text_as_html,
)
from tracker.models import ParseResult, RawEntry
from tracker.vocabulary import Stage

API_NAME = "regulations.gov API"
_PAGE_BY_TYPE = {"documents": "document", "dockets": "docket", "comments": "comment"}
_STAGE_BY_DOCUMENT_TYPE = {"Proposed Rule": Stage.DRAFT, "Rule": Stage.ADOPTED}


def parse(body: bytes, url: str = "", language: str | None = None) -> ParseResult:
    return run_adapter(API_NAME, body, _entries)


def _entries(data: object, warnings: list[str]) -> list[RawEntry]:
    root = require_mapping(data, "Antwort")
    if "data" not in root:
        errors = root.get("errors")
        if isinstance(errors, list) and errors:
            first = require_mapping(errors[0], "errors[0]")
            raise ShapeError(f"API meldet Fehler: {text(first.get('detail') or first.get('title'))}")
        raise ShapeError("Feld 'data' fehlt")
    records = root["data"]
    if isinstance(records, Mapping):
        records = [records]
    if not isinstance(records, list):
        raise ShapeError("Feld 'data' ist weder Liste noch Objekt")
    return entries_of_records(records, "data", "Eintrag", _entry, warnings)


def _entry(record: Mapping[str, object]) -> RawEntry:
    record_id = text(record.get("id"))
    if not record_id:
        raise ShapeError("Feld 'id' fehlt")
    attrs = record.get("attributes")
    if not isinstance(attrs, Mapping):
        raise ShapeError(f"Feld 'attributes' fehlt ({record_id})")
    title = text(attrs.get("title"))
    if not title:
        raise ShapeError(f"Feld 'title' fehlt ({record_id})")
    end_raw = attrs.get("commentEndDate")
    deadline_at = parse_instant(end_raw)
    opening_at = parse_instant(attrs.get("commentStartDate"))
    document_type = text(attrs.get("documentType") or attrs.get("docketType"))
    in_comment_period = deadline_at is not None or attrs.get("openForComment") is True
    page = _PAGE_BY_TYPE.get(text(record.get("type")), "document")
    return RawEntry(
        guid=f"regulationsgov:{record_id}",
        title=title,
        link=f"https://www.regulations.gov/{page}/{quote(record_id, safe='')}",
        summary_html=text_as_html(attrs.get("docAbstract") or attrs.get("dkAbstract")),
        published=parse_instant(attrs.get("postedDate")),
        updated=parse_instant(attrs.get("lastModifiedDate") or attrs.get("modifyDate")),
        language="en",
        deadline=local_date(deadline_at, NEW_YORK),
        deadline_at=deadline_at,
        deadline_text=f"commentEndDate: {end_raw}" if deadline_at else None,
        opening_date=local_date(opening_at, NEW_YORK),
        stage=Stage.CONSULTATION if in_comment_period else _STAGE_BY_DOCUMENT_TYPE.get(document_type),
        extra={
            "document_type": document_type or None,
            "agency_id": text(attrs.get("agencyId")) or None,
            "docket_id": text(attrs.get("docketId")) or None,
            "fr_doc_num": text(attrs.get("frDocNum")) or None,
            "open_for_comment": attrs.get("openForComment") is True,
        },
    )
