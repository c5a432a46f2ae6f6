"""Shared pieces of the JSON API adapters: decoding, field access, dates in publisher time.

An adapter raises ``ShapeError`` naming the missing field; ``run_adapter`` turns that (and
undecodable JSON) into ``ParseResult.error`` so a changed API reads as one clear line.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time, tzinfo
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from tracker.models import ParseResult, RawEntry

BRUSSELS = ZoneInfo("Europe/Brussels")
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


class ShapeError(Exception):
    """The JSON decoded but lacks something the adapter needs."""


class MissingCredential(Exception):
    """An API needs a key that is not configured; the message says where to get one."""


def load_json(body: bytes) -> object:
    """Decode JSON bytes (UTF-8/16/32, BOM tolerated); ShapeError-free, raises ValueError."""
    stripped = body.lstrip()
    if not stripped:
        raise ValueError("leere Antwort statt JSON")
    if stripped[:1] == b"<":
        head = stripped[:200].lower()
        kind = "HTML-Seite" if b"<html" in head or b"<!doctype html" in head else "XML"
        raise ValueError(f"{kind} statt JSON erhalten (Adresse oder API prüfen)")
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        raise ValueError(f"kein gültiges JSON ({exc.msg}, Zeile {exc.lineno}, Spalte {exc.colno})") from exc
    except UnicodeDecodeError as exc:
        raise ValueError(f"kein gültiges JSON (Zeichensatz: {exc.reason})") from exc


def run_adapter(api_name: str, body: bytes, entries_of: Callable[[object, list[str]], list[RawEntry]],
                title: str | None = None) -> ParseResult:
    """Decode ``body`` and map it with ``entries_of(data, warnings)``; never raises for bad input."""
    try:
        data = load_json(body)
    except ValueError as exc:
        return ParseResult(entries=[], feed_title=title, error=f"{api_name}: {exc}")
    warnings: list[str] = []
    try:
        entries = entries_of(data, warnings)
    except ShapeError as exc:
        return ParseResult(entries=[], feed_title=title, error=f"{api_name}: unerwartete Antwort, {exc}")
    if not entries and warnings:
        # Records were there but none fit: the API changed (or the source kind is wrong).
        return ParseResult(entries=[], feed_title=title, warnings=warnings,
                           error=f"{api_name}: unerwartete Antwort, kein Eintrag verwertbar ({warnings[0]})")
    return ParseResult(entries=entries, feed_title=title, warnings=warnings)


def entries_of_records(records: list[object], where: str, noun: str,
                       build: Callable[[Mapping[str, object]], RawEntry], warnings: list[str]) -> list[RawEntry]:
    """Build one entry per record; a record of the wrong shape is skipped with a warning."""
    entries = []
    for index, raw in enumerate(records):
        try:
            entries.append(build(require_mapping(raw, f"{where}[{index}]")))
        except ShapeError as exc:
            warnings.append(f"{noun} {index + 1} übersprungen: {exc}")
    return entries


def require_mapping(value: object, where: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise ShapeError(f"{where} ist kein JSON-Objekt")
    return value


def require_list(container: Mapping[str, object], key: str, where: str) -> list[object]:
    if key not in container:
        raise ShapeError(f"Feld '{key}' fehlt in {where}")
    value = container[key]
    if not isinstance(value, list):
        raise ShapeError(f"Feld '{key}' in {where} ist keine Liste")
    return value


def list_of(value: object) -> list[object]:
    """An optional JSON list; anything else (null, a string, a number) counts as empty."""
    return value if isinstance(value, list) else []


def web_link(value: object, base: str | None = None) -> str | None:
    """An absolute http(s) URL from an API field (resolved against ``base``), else None."""
    candidate = text(value)
    if not candidate:
        return None
    absolute = urljoin(base, candidate) if base else candidate
    parts = urlsplit(absolute)
    return absolute if parts.scheme in ("http", "https") and parts.netloc else None


def text(value: object) -> str:
    """A display string from a JSON scalar; None and containers become ''."""
    if value is None or isinstance(value, (dict, list)):
        return ""
    return " ".join(str(value).split())


def text_as_html(value: object) -> str:
    """Plain API text escaped so it can travel in the *_html fields."""
    plain = text(value)
    return f"<p>{html.escape(plain)}</p>" if plain else ""


def parse_instant(value: object) -> datetime | None:
    """ISO 8601 timestamp with offset or 'Z' -> aware UTC datetime; anything else None."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None  # an instant without offset is ambiguous; callers with a known zone use local_instant
    return _to_zone(parsed, UTC)


def local_instant(value: object, zone: ZoneInfo, formats: tuple[str, ...]) -> datetime | None:
    """A publisher-local wall-clock time string -> aware UTC datetime."""
    if not isinstance(value, str) or not value.strip():
        return None
    for fmt in formats:
        try:
            naive = datetime.strptime(value.strip(), fmt)
        except ValueError:
            continue
        return _to_zone(naive.replace(tzinfo=zone), UTC)
    return None


def parse_day(value: object) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def start_of_day(day: date | None, zone: ZoneInfo) -> datetime | None:
    """Midnight of a publisher-local calendar day, as UTC (for date-only publication fields)."""
    if day is None:
        return None
    return _to_zone(datetime.combine(day, time(0, 0), tzinfo=zone), UTC)


def local_date(instant: datetime | None, zone: ZoneInfo) -> date | None:
    """The calendar date the publisher means: 2022-05-10T03:59:59Z is 9 May in New York."""
    local = _to_zone(instant, zone) if instant is not None else None
    return local.date() if local is not None else None


def _to_zone(moment: datetime, zone: tzinfo) -> datetime | None:
    # Years 1 and 9999 exist in API junk; shifting them can leave datetime's range.
    try:
        return moment.astimezone(zone)
    except (OverflowError, ValueError):
        return None


def query_value(url: str, name: str) -> str | None:
    """The first value of query parameter ``name`` in ``url``."""
    for key, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        if key == name:
            return value
    return None


def with_query(url: str, **values: str | None) -> str:
    """``url`` with the named query parameters set (None removes one); the others keep their order."""
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in values]
    added = [(k, v) for k, v in values.items() if v is not None]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept + added), parts.fragment))
