"""EU Commission "Have Your Say" backend (``brpapi/searchInitiatives``), an undocumented JSON API.

Feedback periods are given as Brussels wall-clock strings ("2026/05/12 23:59:59"); we keep
the exact instant in ``deadline_at`` and the Brussels calendar day in ``deadline``.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qs, quote, urlsplit

from tracker.collect.adapters.support import (
    BRUSSELS,
    ShapeError,
    entries_of_records,
    list_of,
    local_date,
    local_instant,
    require_list,
    require_mapping,
    run_adapter,
    text,
    text_as_html,
)
from tracker.models import ParseResult, RawEntry
from tracker.vocabulary import Stage

API_NAME = "EU Have Your Say"
INITIATIVE_URL = "https://ec.europa.eu/info/law/better-regulation/have-your-say/initiatives/{id}"
_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")


def parse(body: bytes, url: str = "") -> ParseResult:
    language = _language_from_url(url)
    return run_adapter(API_NAME, body, lambda data, warnings: _entries(data, warnings, language))


def _entries(data: object, warnings: list[str], language: str | None) -> list[RawEntry]:
    root = require_mapping(data, "Antwort")
    # The SPA's search wraps the page; other endpoints return the page itself.
    page = root.get("initiativeResultDtoPage", root)
    page = require_mapping(page, "'initiativeResultDtoPage'")
    content = require_list(page, "content", "der Trefferseite")
    return entries_of_records(content, "content", "Initiative", lambda record: _entry(record, language), warnings)


def _entry(item: Mapping[str, object], language: str | None) -> RawEntry:
    initiative_id = item.get("id")
    if initiative_id is None or text(initiative_id) == "":
        raise ShapeError("Feld 'id' fehlt")
    key = text(initiative_id)
    status = _current_status(item)
    end_raw = status.get("feedbackEndDate") or item.get("endDate")
    start_raw = status.get("feedbackStartDate") or item.get("startDate")
    deadline_at = local_instant(end_raw, BRUSSELS, _FORMATS)
    opening_at = local_instant(start_raw, BRUSSELS, _FORMATS)
    feedback_status = text(status.get("receivingFeedbackStatus")) or None
    has_window = deadline_at is not None or feedback_status == "OPEN"
    topics = [text(t.get("label")) for t in list_of(item.get("topics")) if isinstance(t, Mapping)]
    return RawEntry(
        guid=f"haveyoursay:{key}",
        title=text(item.get("shortTitle")) or text(item.get("title")) or f"Initiative {key}",
        link=INITIATIVE_URL.format(id=quote(key, safe="")),
        summary_html=text_as_html(item.get("dossierSummary") or item.get("summary")),
        language=language,
        deadline=local_date(deadline_at, BRUSSELS),
        deadline_at=deadline_at,
        deadline_text=f"feedbackEndDate: {end_raw} (Brüssel)" if deadline_at else None,
        opening_date=local_date(opening_at, BRUSSELS),
        stage=Stage.CONSULTATION if has_window else None,
        extra={
            "reference": text(item.get("reference")) or None,
            "act_type": text(item.get("foreseenActType")) or None,
            "topics": [t for t in topics if t],
            "front_end_stage": text(status.get("frontEndStage")) or None,
            "feedback_status": feedback_status,
        },
    )


def _current_status(item: Mapping[str, object]) -> Mapping[str, object]:
    statuses = [s for s in list_of(item.get("currentStatuses")) if isinstance(s, Mapping)]
    current = [s for s in statuses if s.get("isCurrent")]
    with_dates = [s for s in current or statuses if s.get("feedbackEndDate")]
    if with_dates:
        return with_dates[-1]
    return (current or statuses or [{}])[-1]


def _language_from_url(url: str) -> str | None:
    values = parse_qs(urlsplit(url).query).get("language")
    return values[0].lower() if values else None
