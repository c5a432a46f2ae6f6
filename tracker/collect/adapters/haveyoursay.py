"""EU Commission "Have Your Say" backend (``brpapi``), an undocumented JSON API.

Shapes read, all seen in responses the portal really sent or in code written against it:

* ``searchInitiatives``: ``{"initiativeResultDtoPage": {"content": [...], "number", "last",
  "totalPages"}}`` (the page may also stand alone), and the older HAL shape
  ``{"_embedded": {"initiativeResultDtoes": [...]}, "page": {"number", "totalPages"}}``.
  Search ids are decimals (``18805.0``); the detail endpoint uses integers.
* ``groupInitiatives/{id}``: one initiative with ``publications[]``; the current one
  (``isCurrent``) carries the feedback period's ``endDate`` and its ``type`` gives the stage.
* ``closingSoon``: a top-level array ``[{"shortTitle", "initiativeId", "daysLeft", "endDate"}]``.

Dates are Brussels wall-clock strings ("2026/09/28 23:59:59"); ``deadline_at`` keeps the
instant, ``deadline`` the Brussels calendar day. Publications name their authors (name,
e-mail, telephone): none of that is read, so it is never stored or shown.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from dataclasses import replace
from urllib.parse import quote, urlsplit

from tracker.collect.adapters.support import (
    BRUSSELS,
    ShapeError,
    entries_of_records,
    list_of,
    local_date,
    local_instant,
    query_value,
    require_list,
    require_mapping,
    run_adapter,
    text,
    text_as_html,
    with_query,
)
from tracker.models import ParseResult, RawEntry
from tracker.vocabulary import Stage

API_NAME = "EU Have Your Say"
INITIATIVE_URL = "https://ec.europa.eu/info/law/better-regulation/have-your-say/initiatives/{id}"
_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")
_OPEN = "OPEN"
# Publication types whose name says the Commission has adopted the act (``REG_DEL``), as
# opposed to its draft (``REG_DEL_DRAFT``) or a proposal to the legislator (``PROP_REG``).
_ADOPTED_ACT_PREFIXES = ("REG", "DIR", "DEC")
_PLANNING_TYPES = ("INIT_PLANNED", "ROADMAP", "INCEPTION_IMPACT_ASSESSMENT", "CALL_FOR_EVIDENCE")


def parse(body: bytes, url: str = "", language: str | None = None) -> ParseResult:
    """``language`` (the source's) picks the translated title and summary; without it the
    request's own ``language`` parameter does."""
    language = (language or query_value(url, "language") or "").lower() or None
    return run_adapter(API_NAME, body, lambda data, warnings: _entries(data, warnings, language))


def _entries(data: object, warnings: list[str], language: str | None) -> list[RawEntry]:
    if isinstance(data, list):  # closingSoon
        return entries_of_records(data, "Antwort", "Initiative", _closing_entry, warnings)
    root = require_mapping(data, "Antwort")
    if "publications" in root:  # groupInitiatives/{id}
        return [_detail_entry(root, language)]
    records = _search_records(root)
    return entries_of_records(records, "content", "Initiative", lambda r: _search_entry(r, language), warnings)


def _search_records(root: Mapping[str, object]) -> list[object]:
    if "initiativeResultDtoPage" in root:
        page = require_mapping(root["initiativeResultDtoPage"], "'initiativeResultDtoPage'")
        return require_list(page, "content", "der Trefferseite")
    if "content" in root:
        return require_list(root, "content", "der Trefferseite")
    if "_embedded" in root:  # the older HAL shape
        embedded = require_mapping(root["_embedded"], "'_embedded'")
        return require_list(embedded, "initiativeResultDtoes", "'_embedded'")
    if isinstance(root.get("page"), Mapping):
        return []  # an empty HAL page has no '_embedded' at all
    raise ShapeError("weder 'initiativeResultDtoPage', 'content', '_embedded' (Suche) noch 'publications' "
                     "(Einzelinitiative) vorhanden")


def _initiative_id(value: object, field: str) -> int:
    """Search results send ids as decimals (18805.0), the detail endpoint as integers."""
    if isinstance(value, bool) or value is None or text(value) == "":
        raise ShapeError(f"Feld '{field}' fehlt")
    try:
        number = float(text(value))
    except ValueError:
        raise ShapeError(f"Feld '{field}' ist keine Zahl ({text(value)[:40]})") from None
    if not number.is_integer() or number <= 0:
        raise ShapeError(f"Feld '{field}' ist keine ganze Zahl ({text(value)[:40]})")
    return int(number)


def _translation(item: Mapping[str, object], field: str, language: str | None) -> str:
    if not language:
        return ""
    for entry in list_of(item.get("initiativeTranslations")):
        if (isinstance(entry, Mapping) and text(entry.get("field")) == field
                and text(entry.get("language")).lower() == language):
            return entry.get("value") if isinstance(entry.get("value"), str) else ""
    return ""


def _title(item: Mapping[str, object], language: str | None, initiative_id: int) -> str:
    return (text(_translation(item, "SHORT_TITLE", language)) or text(item.get("shortTitle"))
            or text(item.get("title")) or f"Initiative {initiative_id}")


def _link(initiative_id: int) -> str:
    return INITIATIVE_URL.format(id=quote(str(initiative_id), safe=""))


def _topics(item: Mapping[str, object]) -> list[str]:
    labels = [text(t.get("label")) for t in list_of(item.get("topics")) if isinstance(t, Mapping)]
    return [label for label in labels if label]


def _search_entry(item: Mapping[str, object], language: str | None) -> RawEntry:
    initiative_id = _initiative_id(item.get("id"), "id")
    status = _current_status(item)
    end_raw = status.get("feedbackEndDate") or item.get("endDate")
    start_raw = status.get("feedbackStartDate") or item.get("startDate")
    deadline_at = local_instant(end_raw, BRUSSELS, _FORMATS)
    opening_at = local_instant(start_raw, BRUSSELS, _FORMATS)
    feedback_status = text(status.get("receivingFeedbackStatus")) or None
    return RawEntry(
        guid=f"haveyoursay:{initiative_id}",
        title=_title(item, language, initiative_id),
        link=_link(initiative_id),
        summary_html=text_as_html(item.get("dossierSummary") or item.get("summary")),
        language=language,
        deadline=local_date(deadline_at, BRUSSELS),
        deadline_at=deadline_at,
        deadline_text=f"feedbackEndDate: {end_raw} (Brüssel)" if deadline_at else None,
        opening_date=local_date(opening_at, BRUSSELS),
        stage=Stage.CONSULTATION if deadline_at is not None or feedback_status == _OPEN else None,
        extra={
            "initiative_id": initiative_id,
            "reference": text(item.get("reference")) or None,
            "act_type": text(item.get("foreseenActType")) or None,
            "topics": _topics(item),
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


def _detail_entry(item: Mapping[str, object], language: str | None) -> RawEntry:
    initiative_id = _initiative_id(item.get("id"), "id")
    publications = [p for p in list_of(item.get("publications")) if isinstance(p, Mapping)]
    current = _current_publication(publications)
    pub_type = text(current.get("type")) or None
    feedback_status = text(current.get("receivingFeedbackStatus")) or text(item.get("receivingFeedbackStatus")) or None
    end_raw = current.get("endDate")
    start_raw = current.get("startDate") or current.get("publishedDate")
    deadline_at = local_instant(end_raw, BRUSSELS, _FORMATS)
    opening_at = local_instant(start_raw, BRUSSELS, _FORMATS) if deadline_at else None
    summary = _translation(item, "SUMMARY", language)
    return RawEntry(
        guid=f"haveyoursay:{initiative_id}",
        title=_title(item, language, initiative_id),
        link=_link(initiative_id),
        # The translations are HTML (normalise sanitises it); dossierSummary is plain text.
        summary_html=summary or _paragraphs(item.get("dossierSummary")),
        published=local_instant(item.get("publishedDate"), BRUSSELS, _FORMATS),
        updated=local_instant(item.get("modifiedDate"), BRUSSELS, _FORMATS),
        language=language,
        deadline=local_date(deadline_at, BRUSSELS),
        deadline_at=deadline_at,
        deadline_text=f"endDate ({pub_type}): {end_raw} (Brüssel)" if deadline_at else None,
        opening_date=local_date(opening_at, BRUSSELS),
        stage=_stage(pub_type, feedback_status),
        extra={
            "initiative_id": initiative_id,
            "reference": text(item.get("reference")) or None,
            "act_type": text(item.get("foreseenActType")) or None,
            "topics": _topics(item),
            "front_end_stage": text(current.get("frontEndStage")) or text(item.get("stage")) or None,
            "feedback_status": feedback_status,
            "publication_type": pub_type,
            "publication_reference": text(current.get("reference")) or None,
            "planning_reference": text(current.get("referenceNumber")) or None,
            "dg": text(item.get("dg")) or None,
            "total_feedback": current.get("totalFeedback") if isinstance(current.get("totalFeedback"), int) else None,
        },
    )


def _current_publication(publications: list[Mapping[str, object]]) -> Mapping[str, object]:
    """The publication the portal marks current; else the one open for feedback; else the last
    one that had a feedback period."""
    for wanted in (lambda p: p.get("isCurrent") is True,
                   lambda p: text(p.get("receivingFeedbackStatus")) == _OPEN,
                   lambda p: bool(p.get("endDate"))):
        matching = [p for p in publications if wanted(p)]
        if matching:
            return matching[-1]
    return {}


def _stage(pub_type: str | None, feedback_status: str | None) -> str | None:
    """The stage from the current publication: feedback open is a consultation; a draft act
    or a proposal to the legislator is a draft; an act of the Commission's own is adopted."""
    if feedback_status == _OPEN:
        return Stage.CONSULTATION
    if not pub_type or pub_type in _PLANNING_TYPES:
        return None
    if pub_type.endswith("_DRAFT") or pub_type.startswith("PROP_"):
        return Stage.DRAFT
    if pub_type.split("_")[0] in _ADOPTED_ACT_PREFIXES:
        return Stage.ADOPTED
    return None


def _paragraphs(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        return ""
    return "".join(f"<p>{html.escape(' '.join(line.split()))}</p>" for line in value.splitlines() if line.strip())


def _closing_entry(item: Mapping[str, object]) -> RawEntry:
    initiative_id = _initiative_id(item.get("initiativeId"), "initiativeId")
    end_raw = item.get("endDate")
    deadline_at = local_instant(end_raw, BRUSSELS, _FORMATS)
    days_left = item.get("daysLeft")
    return RawEntry(
        guid=f"haveyoursay:{initiative_id}",
        title=text(item.get("shortTitle")) or f"Initiative {initiative_id}",
        link=_link(initiative_id),
        deadline=local_date(deadline_at, BRUSSELS),
        deadline_at=deadline_at,
        deadline_text=f"endDate: {end_raw} (Brüssel)" if deadline_at else None,
        # The list holds initiatives whose feedback period is about to end: open now.
        stage=Stage.CONSULTATION,
        extra={"initiative_id": initiative_id, "feedback_status": _OPEN,
               "days_left": days_left if isinstance(days_left, int) and not isinstance(days_left, bool) else None},
    )


# --- requests beyond the first (planned by tracker.collect.crawl) ------------------------------


def next_page(url: str, body: bytes) -> str | None:
    """The next search page (``page=n+1``) while the portal says there is one."""
    try:
        root = json.loads(body)
    except ValueError:
        return None
    if not isinstance(root, Mapping):
        return None
    page = root.get("initiativeResultDtoPage", root)
    if isinstance(page, Mapping) and "content" in page:
        number, total, last = page.get("number"), page.get("totalPages"), page.get("last")
    elif isinstance(root.get("page"), Mapping):
        number, total, last = root["page"].get("number"), root["page"].get("totalPages"), None
    else:
        return None
    if last is True or not isinstance(number, int) or not isinstance(total, int) or number + 1 >= total:
        return None
    return with_query(url, page=str(number + 1))


def detail_urls(source_url: str, entries: list[RawEntry]) -> list[str]:
    """``groupInitiatives/{id}`` for each initiative a listing named, on the listing's host."""
    parts = urlsplit(source_url)
    prefix, marker, _ = parts.path.partition("/brpapi/")
    if not marker:
        return []
    base = f"{parts.scheme}://{parts.netloc}{prefix}/brpapi/groupInitiatives/"
    ids = dict.fromkeys(e.extra["initiative_id"] for e in entries
                        if "publication_type" not in e.extra and isinstance(e.extra.get("initiative_id"), int))
    return [f"{base}{initiative_id}" for initiative_id in ids]


def combine(entries: list[RawEntry]) -> list[RawEntry]:
    """One entry per initiative: the listing's record completed by its detail record (summary,
    current publication's stage and feedback period), in the listing's order."""
    groups: dict[str | None, list[RawEntry]] = {}
    for entry in entries:
        groups.setdefault(entry.guid, []).append(entry)
    return [_merge(group) for group in groups.values()]


def _merge(group: list[RawEntry]) -> RawEntry:
    details = [e for e in group if "publication_type" in e.extra]
    listed = [e for e in group if "publication_type" not in e.extra]
    if not details:
        return listed[0]
    detail = details[-1]
    if not listed:
        return detail
    base = listed[0]
    window = detail if detail.deadline_at is not None or base.deadline_at is None else base
    return replace(
        detail,
        summary_html=detail.summary_html or base.summary_html,
        deadline=window.deadline, deadline_at=window.deadline_at, deadline_text=window.deadline_text,
        opening_date=window.opening_date or base.opening_date,
        stage=detail.stage or base.stage,
        extra={**base.extra, **{k: v for k, v in detail.extra.items() if v is not None}},
    )
