"""Turn fetched bytes into RawEntry records: feedparser for RSS/Atom, adapters for JSON APIs.

feedparser only ever sees bytes wrapped in a stream: given a bare ``bytes`` object it would
try to open it as a local file name, and given a URL it would fetch by itself (no timeout).
External XML entities are never resolved (feedparser disables external general entities in
its SAX parser and keeps only internal entities in its loose parser; see test_parse).
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from tracker.collect.adapters import ADAPTERS, APIS
from tracker.collect.mail.message import parse_message
from tracker.collect.sanitise import html_to_text
from tracker.models import ParseResult, RawEntry
from tracker.vocabulary import SourceKind

FEED_KINDS = ("rss", "atom")

# Titles a CMS puts into an otherwise valid feed when the real content is unavailable. The
# short words ("Fehler", "Error") count only as (nearly) the whole title: "Error correction to
# Regulation (EU) 2024/1689" is a real publication.
_ERROR_WORD_TITLE = re.compile(
    r"^\W*(fehler|error|fehlermeldung|not found|forbidden|zugriff verweigert|access denied"
    r"|maintenance|wartung|nicht verfügbar)\b", re.IGNORECASE)
_ERROR_PHRASE = re.compile(
    r"^\W*(http|error|fehler)?[\s:-]*(404|500|502|503)\b|seite nicht gefunden|page not found|wartungsarbeiten"
    r"|wartungsmodus"
    r"|service unavailable|internal server error|vorübergehend nicht (erreichbar|verfügbar)",
    re.IGNORECASE)
_XML_DECLARATION = re.compile(rb"^(\s*<\?xml[^>]*?encoding\s*=\s*)([\"'])([A-Za-z0-9._:-]+)\2")
_HEADERS_FOR_FEEDPARSER = ("content-type", "content-language")


def parse_document(body: bytes, *, kind: str, url: str,
                   headers: Mapping[str, str] | None = None, language: str | None = None) -> ParseResult:
    """Parse one fetched document of source ``kind``; bad input gives ``error``, never raises.
    ``language`` is the source's (an API with translations picks that one)."""
    if kind in ADAPTERS:
        return ADAPTERS[kind](body, url, language=language)
    if kind == SourceKind.IMAP:
        return parse_message(body, url, headers=headers, language=language)
    if kind in FEED_KINDS:
        return parse_feed(body, url=url, headers=headers)
    known = ", ".join(SourceKind.codes())
    return ParseResult(entries=[], error=f"Unbekannte Quellenart '{kind}' (erlaubt: {known})")


def parse_documents(documents: list[tuple[bytes, str, Mapping[str, str] | None]], *, kind: str,
                    language: str | None = None) -> ParseResult:
    """The responses of one paged source (body, url, headers; the first response first) as
    one result. A failing first response fails the whole; a failing later one is a warning,
    and the others are still read. An API that fetched details merges them per record."""
    results = [parse_document(body, kind=kind, url=url, headers=headers, language=language)
               for body, url, headers in documents]
    first = results[0]
    if first.error or len(results) == 1:
        return first
    entries = list(first.entries)
    warnings = list(first.warnings)
    found = list(first.documents)
    for (_, url, _), result in zip(documents[1:], results[1:], strict=True):
        entries += result.entries
        warnings += result.warnings
        found += result.documents
        if result.error:
            warnings.append(f"{url}: {result.error}")
    api = APIS.get(kind)
    if api is not None and api.combine is not None:
        entries = api.combine(entries)
    return ParseResult(entries=entries, feed_title=first.feed_title, warnings=warnings, documents=found)


def parse_feed(body: bytes, *, url: str, headers: Mapping[str, str] | None = None) -> ParseResult:
    """RSS 0.9x/1.0/2.0 or Atom bytes -> ParseResult (``url`` is the base for relative links).

    HTML in the entries is NOT sanitised here: ``tracker.collect.normalise`` does that with nh3.
    """
    if not body or not body.strip():
        return ParseResult(entries=[], error="Leeres Dokument erhalten (kein Feed)")
    warnings: list[str] = []
    body, response_headers = _prepare(body, url, headers, warnings)
    # feedparser's own sanitiser is pure Python and slow; normalise cleans every HTML field
    # with nh3 (an allow-list in Rust) before anything is stored or rendered, and resolves
    # relative href/src against the entry's HTML base there.
    if _may_set_xml_base(body):
        # xml:base can change the base per element, which only feedparser tracks.
        parsed = feedparser.parse(io.BytesIO(body), response_headers=response_headers,
                                  resolve_relative_uris=True, sanitize_html=False)
    else:
        # Without xml:base every relative URL is relative to the document's address, which
        # normalise and _absolute_link apply. Not giving feedparser that address spares it an
        # urljoin per XML element and a pure-Python HTML pass per field (a fifth of its time).
        response_headers = {k: v for k, v in response_headers.items() if k != "content-location"}
        parsed = feedparser.parse(io.BytesIO(body), response_headers=response_headers,
                                  resolve_relative_uris=False, sanitize_html=False)
    feed = parsed.get("feed", {})
    feed_title = _title_text(feed) or None
    feed_language = _document_language(feed, response_headers)
    entries = [_entry(e, feed_language, url) for e in parsed.get("entries", [])]

    if not parsed.get("version") and not entries:
        return ParseResult(entries=[], feed_title=feed_title, error=_not_a_feed(body, parsed))
    if parsed.get("bozo"):
        problem = _bozo_message(parsed.get("bozo_exception"), "content-type" in response_headers)
        if problem:
            warnings.append(f"{problem}; {_count(len(entries))} gelesen")
    # An empty but valid feed is no warning by itself (some feeds are empty between
    # consultations); whether it emptied *suddenly* needs history, which collect has.
    suspicious = _error_page_signs(feed_title, entries)
    if suspicious:
        warnings.append(suspicious)
    return ParseResult(entries=entries, feed_title=feed_title, warnings=warnings)


def _prepare(body: bytes, url: str, headers: Mapping[str, str] | None,
             warnings: list[str]) -> tuple[bytes, dict[str, str]]:
    """Pick the headers feedparser may see and repair a charset label that contradicts the bytes."""
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    chosen = {k: lowered[k] for k in _HEADERS_FOR_FEEDPARSER if k in lowered}
    # The final URL is the base for relative links; a server's Content-Location is not trusted.
    chosen["content-location"] = url
    if _is_utf8_with_non_ascii(body):
        http_charset = _charset(chosen.get("content-type", ""))
        declared = _XML_DECLARATION.match(body)
        declared_charset = declared.group(3).decode("ascii").lower() if declared else None
        wrong = [c for c in (http_charset, declared_charset) if c and c.replace("_", "-") not in ("utf-8", "utf8")]
        if wrong:
            # Bytes that are valid multi-byte UTF-8 are practically never Latin-1 text: trust the bytes.
            if http_charset:
                chosen["content-type"] = re.sub(r";\s*charset=[^;]*", "", chosen["content-type"],
                                                flags=re.IGNORECASE)
            if declared:
                body = _XML_DECLARATION.sub(rb"\1\2utf-8\2", body, count=1)
            warnings.append(f"Zeichensatz als {', '.join(sorted(set(wrong)))} angegeben, "
                            "Inhalt ist aber UTF-8; als UTF-8 gelesen")
    return body, chosen


def _may_set_xml_base(body: bytes) -> bool:
    # UTF-16/32 text hides the ASCII bytes of "xml:base"; such rare documents take the slow path.
    return b"xml:base" in body or b"\x00" in body[:512]


def _is_utf8_with_non_ascii(body: bytes) -> bool:
    if body.startswith((b"\xff\xfe", b"\xfe\xff")) or body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _charset(content_type: str) -> str | None:
    match = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", content_type, re.IGNORECASE)
    return match.group(1).lower() if match else None


def _not_a_feed(body: bytes, parsed: Mapping[str, Any]) -> str:
    head = body[:1024].lstrip().lower()
    if b"<html" in head or b"<!doctype html" in head:
        return "HTML-Seite statt Feed erhalten (Adresse der Quelle prüfen)"
    if head[:1] in (b"{", b"["):
        return "JSON statt RSS/Atom erhalten (Quellenart prüfen)"
    reason = parsed.get("bozo_exception")
    detail = f": {_short(reason)}" if reason else ""
    return f"Kein RSS- oder Atom-Feed erkannt{detail}"


def _bozo_message(exc: object, had_content_type: bool) -> str | None:
    if exc is None:
        return None
    name = type(exc).__name__
    if name == "NonXMLContentType":
        # Local files have no Content-Type at all; only a server's wrong label is news.
        return f"Server nennt keinen XML-Content-Type ({_short(exc)})" if had_content_type else None
    if name == "CharacterEncodingOverride":
        return f"Zeichensatz korrigiert ({_short(exc)})"
    if name == "CharacterEncodingUnknown":
        return f"Zeichensatz unbekannt ({_short(exc)})"
    line = getattr(exc, "getLineNumber", None)
    where = f", Zeile {line()}" if callable(line) else ""
    return f"Feed nicht wohlgeformt ({_short(exc)}{where})"


def _looks_like_error(title: str) -> bool:
    return bool(_ERROR_PHRASE.search(title) or (len(title) <= 40 and _ERROR_WORD_TITLE.search(title)))


def _error_page_signs(feed_title: str | None, entries: list[RawEntry]) -> str | None:
    if feed_title and _looks_like_error(feed_title):
        return f"Feed sieht wie eine Fehlerseite aus (Titel: '{feed_title}')"
    if entries and len(entries) <= 2 and all(_looks_like_error(e.title) for e in entries):
        return f"Feed sieht wie eine Fehlerseite aus (Eintrag: '{entries[0].title}')"
    return None


# feedparser's dicts resolve every [] and .get() through a Python-level key-alias table;
# the canonical keys read here are stored as they are, so the plain dict lookup is the same
# answer at a fraction of the cost (about 40 lookups per entry).
_get = dict.get


def _entry(e: dict[str, Any], feed_language: str | None, url: str) -> RawEntry:
    summary = _html_of(_get(e, "summary", ""), _get(e, "summary_detail"))
    contents = [_html_of(_get(c, "value", ""), c) for c in _get(e, "content") or []]
    content = "\n".join(c for c in contents if c and c != summary)
    return RawEntry(
        guid=(_get(e, "id") or "").strip() or None,
        title=_title_text(e),
        link=_absolute_link(_get(e, "link"), url),
        summary_html=summary,
        content_html=content,
        # Not e["updated_parsed"]: FeedParserDict would fall back from updated to published.
        published=_utc(_get(e, "published_parsed")),
        updated=_utc(_get(e, "updated_parsed")),
        language=_primary_language(_get(_get(e, "title_detail") or {}, "language")) or feed_language,
        extra=_extra(e, url),
        html_base=url,
    )


def _title_text(node: Mapping[str, Any]) -> str:
    title = _get(node, "title") or ""
    detail = _get(node, "title_detail") or {}
    if "html" in (_get(detail, "type") or ""):
        return html_to_text(title).replace("\n", " ")
    return " ".join(title.split())


def _html_of(value: str, detail: Mapping[str, Any] | None) -> str:
    if not value:
        return ""
    if detail and _get(detail, "type") == "text/plain":
        return html.escape(value)
    return value


def _absolute_link(link: str | None, base: str) -> str | None:
    if not link:
        return None
    absolute = urljoin(base, link.strip())
    parts = urlsplit(absolute)
    return absolute if parts.scheme in ("http", "https") and parts.netloc else None


def _utc(parsed_time: Any) -> datetime | None:
    # feedparser normalises every date it understands to a UTC struct_time.
    if not parsed_time:
        return None
    try:
        return datetime(*parsed_time[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def _document_language(feed: Mapping[str, Any], headers: Mapping[str, str]) -> str | None:
    """The language an entry has unless its own title says otherwise."""
    return _primary_language(_get(feed, "language")) or _primary_language(headers.get("content-language"))


def _primary_language(value: object) -> str | None:
    if value and isinstance(value, str) and value.strip():
        # Primary subtag only ("de-DE" -> "de"): that is what the language pipelines key on.
        return re.split(r"[-_,; ]", value.strip().lower(), maxsplit=1)[0] or None
    return None


def _extra(e: Mapping[str, Any], base: str) -> dict[str, object]:
    extra: dict[str, object] = {}
    categories = [_get(t, "term") for t in _get(e, "tags") or [] if _get(t, "term")]
    if categories:
        extra["categories"] = categories
    if _get(e, "author"):
        extra["author"] = e["author"]
    enclosures = [_absolute_link(_get(link, "href"), base) for link in _get(e, "links") or []
                  if _get(link, "rel") == "enclosure"]
    enclosures = [href for href in enclosures if href]
    if enclosures:
        extra["enclosures"] = enclosures
    return extra


def _count(n: int) -> str:
    return "1 Eintrag" if n == 1 else f"{n} Einträge"


def _short(exc: object) -> str:
    text = " ".join(str(getattr(exc, "getMessage", lambda: exc)()).split()) or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."
