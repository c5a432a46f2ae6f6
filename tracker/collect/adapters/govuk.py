"""GOV.UK content API (``/api/content/...``) and search API (``/api/search.json``).

``details.closing_date`` carries an offset ("2016-10-31T17:00:00+01:00"); ``deadline`` is
the London calendar day of that instant. The search API returns only a default set of
fields, which holds neither ``content_id`` nor a closing date: the request must ask for them
(``fields=content_id&fields=end_date``). Its index keeps a consultation's closing date as
``end_date`` and its opening date as ``start_date`` (alphagov/search-api,
``config/schema/elasticsearch_types/edition.json`` and ``govuk_index/presenters/details_presenter.rb``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime

from tracker.collect.adapters.support import (
    LONDON,
    ShapeError,
    entries_of_records,
    local_date,
    local_instant,
    parse_day,
    parse_instant,
    require_list,
    require_mapping,
    run_adapter,
    text,
    text_as_html,
    web_link,
    with_query,
)
from tracker.models import ParseResult, RawEntry
from tracker.vocabulary import Stage

API_NAME = "GOV.UK API"
SITE = "https://www.gov.uk"


def parse(body: bytes, url: str = "", language: str | None = None) -> ParseResult:
    return run_adapter(API_NAME, body, _entries)


def _entries(data: object, warnings: list[str]) -> list[RawEntry]:
    root = require_mapping(data, "Antwort")
    if "results" in root:
        results = require_list(root, "results", "der Suchantwort")
        return entries_of_records(results, "results", "Treffer", _entry, warnings)
    if "base_path" not in root and "web_url" not in root:
        raise ShapeError("weder 'results' (Such-API) noch 'base_path' (Content-API) vorhanden")
    return [_entry(root)]


def _entry(item: Mapping[str, object]) -> RawEntry:
    details = item.get("details")
    details = details if isinstance(details, Mapping) else {}
    path = text(item.get("web_url")) or text(item.get("base_path")) or text(item.get("link"))
    if not path:
        raise ShapeError("Feld 'base_path' bzw. 'link' fehlt")
    link = web_link(path, SITE)
    if link is None:
        raise ShapeError(f"keine gültige Adresse in 'base_path' bzw. 'link' ({path[:80]})")
    title = text(item.get("title"))
    if not title:
        raise ShapeError(f"Feld 'title' fehlt ({path})")
    closing_raw = details.get("closing_date") or item.get("closing_date") or item.get("end_date")
    opening_raw = details.get("opening_date") or item.get("opening_date") or item.get("start_date")
    deadline_at = _instant(closing_raw)
    opening_at = _instant(opening_raw)
    # The search API's own "document_type" is always "edition"; the content store's type says more.
    doc_type = text(item.get("content_store_document_type") or item.get("document_type") or item.get("format"))
    published = parse_instant(details.get("first_public_at") or item.get("first_published_at")
                              or item.get("public_timestamp") or item.get("public_updated_at"))
    body_html = details.get("body")
    return RawEntry(
        guid=text(item.get("content_id")) or path,
        title=title,
        link=link,
        summary_html=text_as_html(item.get("description")),
        content_html=body_html if isinstance(body_html, str) else "",
        published=published,
        updated=parse_instant(item.get("public_updated_at") or item.get("public_timestamp")),
        language=text(item.get("locale")) or "en",
        deadline=local_date(deadline_at, LONDON) or _day(closing_raw),
        deadline_at=deadline_at,
        deadline_text=f"closing_date: {closing_raw}" if deadline_at or _day(closing_raw) else None,
        opening_date=local_date(opening_at, LONDON) or _day(opening_raw),
        stage=Stage.CONSULTATION if "consultation" in doc_type or deadline_at else None,
        extra={"document_type": doc_type or None, "schema_name": text(item.get("schema_name")) or None},
    )


_LOCAL_FORMATS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M")


def _instant(value: object) -> datetime | None:
    """An instant with offset, or a London wall-clock time without one."""
    return parse_instant(value) or local_instant(value, LONDON, _LOCAL_FORMATS)


def _day(value: object) -> date | None:
    """A date-only value ("2026-03-28"): the day is known, the instant is not."""
    return parse_day(value) if isinstance(value, str) and len(value.strip()) == 10 else None


def next_page(url: str, body: bytes) -> str | None:
    """The search API's next page (``start`` moved on by the results received) while ``total``
    says more match."""
    try:
        root = json.loads(body)
    except ValueError:
        return None
    if not isinstance(root, Mapping) or not isinstance(root.get("results"), list) or not root["results"]:
        return None
    start, total = root.get("start"), root.get("total")
    if not isinstance(start, int) or not isinstance(total, int):
        return None
    following = start + len(root["results"])
    return with_query(url, start=str(following)) if following < total else None
