"""Turn parser output into the one stored ``Item`` shape.

Pure functions: a ``RawEntry`` and its ``Source`` in, an ``Item`` out. Identity rules:

* ``canonical_url`` strips what differs between two feeds carrying the same page
  (scheme/host case, default ports, fragments, tracking parameters), so the same
  publication from two sources becomes one item.
* An entry whose canonical URL is shared by other entries of the same document (feeds
  that point every entry at one listing page) falls back to the source's guid.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tracker.collect.references import references_of
from tracker.collect.sanitise import clean_html, sanitised_html_to_text
from tracker.models import Item, RawEntry, Source
from tracker.vocabulary import DeadlineOrigin

TRACKING_PARAMS = re.compile(r"^(utm_[a-z]+|fbclid|gclid|mc_cid|mc_eid|wt_mc|pk_campaign|pk_kwd|at_[a-z_]+)$", re.I)
DEFAULT_PORTS = {"http": 80, "https": 443}
WHITESPACE = re.compile(r"\s+")
# Years a publication date or a deadline can plausibly fall in; anything else is kept raw
# and flagged instead of stored as a date.
PLAUSIBLE_YEARS = (1900, 2199)


def canonical_url(url: str | None) -> str | None:
    """A comparison key for a link; None for anything that is not an http(s) URL."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = urlencode(sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_PARAMS.match(k)
    )) if parts.query else ""
    # http and https of one page are one publication.
    return urlunsplit(("https", netloc, parts.path or "/", query, ""))


def _one_line(text: str) -> str:
    return WHITESPACE.sub(" ", text).strip()


def _stable_id(key: str) -> str:
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def content_hash(title: str, summary: str, deadline: date | None) -> str:
    """What counts as a change upstream: title, summary or deadline."""
    payload = "\x1f".join((title, summary, deadline.isoformat() if deadline else ""))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def identity_key(source: Source, entry: RawEntry, url_key: str | None, url_is_unique: bool) -> str:
    if url_key and url_is_unique:
        return f"url:{url_key}"
    if entry.guid:
        return f"guid:{source.id}:{entry.guid.strip()}"
    if url_key:
        return f"url:{url_key}:{_one_line(entry.title)}"
    stamp = entry.published.isoformat() if entry.published else ""
    return f"title:{source.id}:{_one_line(entry.title)}:{stamp}"


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value else None


def plausible(value: datetime | date | None) -> bool:
    """Whether a date can be meant for a publication or a deadline: within PLAUSIBLE_YEARS.

    Feeds carry dates such as 31 Dec 9999 (a placeholder for "no end") or year 1; stored as
    dates they break every calculation that adds a day or changes the time zone."""
    return value is None or PLAUSIBLE_YEARS[0] <= value.year <= PLAUSIBLE_YEARS[1]


def _set_aside(dates: dict[str, datetime | date | None], extra: dict[str, object]) -> dict[str, object]:
    """The plausible dates by field (others None); the others kept raw in
    ``extra["implausible_dates"]`` (field -> ISO text), which the Vorgang page shows."""
    kept = {name: value if plausible(value) else None for name, value in dates.items()}
    flagged = {name: value.isoformat() for name, value in dates.items() if not plausible(value)}
    if flagged:
        extra["implausible_dates"] = {**extra.get("implausible_dates", {}), **flagged}  # type: ignore[dict-item]
    return kept


def normalise_entry(entry: RawEntry, source: Source, *, url_is_unique: bool = True) -> Item:
    """One entry into an ``Item``; feed HTML is sanitised here, before anything stores it."""
    return _normalise(entry, source, canonical_url(entry.link), url_is_unique)


def _normalise(entry: RawEntry, source: Source, url_key: str | None, url_is_unique: bool) -> Item:
    html_base = entry.html_base or entry.link
    summary_html = clean_html(entry.summary_html or "", html_base)
    title = _one_line(entry.title or "") or "(ohne Titel)"
    summary = sanitised_html_to_text(summary_html)
    text = sanitised_html_to_text(clean_html(entry.content_html, html_base)) if entry.content_html else ""
    extra = dict(entry.extra)
    if entry.stage:
        extra.setdefault("stage_from_source", entry.stage)
    dates = _set_aside({"published": entry.published, "updated": entry.updated, "deadline": entry.deadline,
                        "deadline_at": entry.deadline_at, "opening_date": entry.opening_date}, extra)
    deadline = dates["deadline"]
    return Item(
        id=_stable_id(identity_key(source, entry, url_key, url_is_unique)),
        source_id=source.id,
        guid=entry.guid.strip() if entry.guid else None,
        link=entry.link,
        canonical_url=url_key,
        title=title,
        summary_html=summary_html,
        summary=summary,
        text=text if text != summary else "",
        published_at=dates["published"] or dates["updated"],
        updated_at=dates["updated"],
        language=(entry.language or source.language or None),
        jurisdiction=source.jurisdiction,
        content_hash=content_hash(title, summary, deadline),
        deadline=deadline,
        deadline_at=dates["deadline_at"] if deadline else None,
        deadline_text=entry.deadline_text,
        deadline_origin=DeadlineOrigin.STRUCTURED if deadline else None,
        opening_date=dates["opening_date"],
        stage=entry.stage,
        extra_json=json.dumps(extra, default=_iso, ensure_ascii=False, sort_keys=True),
        url_is_identity=bool(url_key and url_is_unique),
        references=tuple((str(r.kind), r.value, r.origin) for r in references_of(entry, source, summary)),
    )


def normalise_entries(entries: Sequence[RawEntry], source: Source) -> list[Item]:
    """All entries of one document; identical items within it are kept once."""
    keys = [canonical_url(e.link) for e in entries]
    url_counts = Counter(keys)
    items: dict[str, Item] = {}
    for entry, key in zip(entries, keys, strict=True):
        item = _normalise(entry, source, key, key is not None and url_counts[key] == 1)
        items.setdefault(item.id, item)
    return list(items.values())


def with_deadline(item: Item, deadline: date | None, text: str | None, confidence: float | None,
                  origin: str | None) -> Item:
    """The item with a deadline the judge found in its text.

    The content hash stays the upstream one: a text deadline follows from the title and
    summary the hash already covers, so an unchanged entry never needs judging again to
    tell that it is unchanged. (A new judge finding another date is ``tracker tag``'s change.)
    A date outside PLAUSIBLE_YEARS is not taken as the deadline but flagged, like a feed's.
    """
    if not plausible(deadline):
        extra = json.loads(item.extra_json or "{}")
        _set_aside({"deadline": deadline}, extra)
        return replace(item, extra_json=json.dumps(extra, default=_iso, ensure_ascii=False, sort_keys=True),
                       deadline_text=text)
    return replace(item, deadline=deadline, deadline_text=text, deadline_confidence=confidence,
                   deadline_origin=origin)
