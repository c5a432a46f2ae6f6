"""What an operator needs to fix a source: what the address answered, what it held, and a
one-line German verdict (``tracker sources check``, the Quellen page after a collection).

Pure functions: a fetch result and what was read from it in, a ``SourceCheck`` out. The
same verdict is printed by the command and stored by a collection, so the two never differ.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from tracker.models import FetchResult, ParseResult, Source
from tracker.vocabulary import CheckVerdict, SourceKind

FEED_KINDS = (SourceKind.RSS, SourceKind.ATOM)
HTML = "html"
OTHER_XML = "xml"
UNKNOWN_JSON = "json"
# A feed whose newest entry is older than this is probably no longer maintained.
STALE_AFTER = timedelta(days=365)
_PERMANENT = (301, 308)
_DETECTED_LABELS = {HTML: "HTML-Seite", OTHER_XML: "XML ohne Feed", UNKNOWN_JSON: "JSON unbekannter Art"}


@dataclass(frozen=True)
class Findings:
    """What was read from a source's answer: counts, dates and problems."""

    entries: int
    newest: datetime | None = None
    deadlines: int = 0
    warnings: Sequence[str] = ()
    error: str | None = None

    @classmethod
    def of_parse(cls, parsed: ParseResult) -> Findings:
        stamps = [e.published or e.updated for e in parsed.entries if e.published or e.updated]
        return cls(len(parsed.entries), max(stamps, default=None),
                   sum(1 for e in parsed.entries if e.deadline is not None), tuple(parsed.warnings), parsed.error)


@dataclass(frozen=True)
class SourceCheck:
    source_id: str
    state: CheckVerdict
    verdict: str
    http_status: int | None = None
    final_url: str | None = None
    content_type: str | None = None
    detected_kind: str | None = None
    entries: int | None = None
    newest: datetime | None = None
    deadlines: int | None = None
    pages: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)


def sniff_kind(body: bytes) -> str | None:
    """What a response is, from its bytes: a source kind (rss, atom, or the JSON API whose
    shape it has), ``html``, ``xml``, ``json`` (unknown shape), or None when empty."""
    head = body.lstrip()[:2048]
    if not head:
        return None
    lowered = head.lower()
    if head[:1] in (b"{", b"["):
        return _json_kind(body)
    if b"<html" in lowered or b"<!doctype html" in lowered:
        return HTML
    if b"<rss" in lowered or b"<rdf:rdf" in lowered:
        return SourceKind.RSS
    if b"<feed" in lowered:
        return SourceKind.ATOM
    return OTHER_XML


def _json_kind(body: bytes) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return UNKNOWN_JSON
    text = json.dumps(data, ensure_ascii=False)[:20000]
    if isinstance(data, dict) and "numFound" in data and "documents" in data:
        return SourceKind.DIP
    if '"typ": "Vorgang"' in text or ('"typ": "Dokument"' in text and '"dokumentart"' in text):
        return SourceKind.DIP
    if any(marker in text for marker in ("initiativeResultDtoPage", "initiativeResultDtoes", "feedbackEndDate",
                                         '"initiativeId"', "better-regulation",
                                         "receivingFeedbackStatus", "initiativeTranslations")):
        return SourceKind.HAVEYOURSAY
    if isinstance(data, dict) and "details" in data and ("closing_date" in text or "gov.uk" in text):
        return SourceKind.GOVUK
    if "federalregister.gov" in text:
        return SourceKind.FEDERALREGISTER
    if "regulations.gov" in text or ('"attributes"' in text and '"docketId"' in text):
        return SourceKind.REGULATIONSGOV
    if isinstance(data, dict) and "results" in data and ("gov.uk" in text or '"link": "/' in text):
        return SourceKind.GOVUK
    return UNKNOWN_JSON


def kind_label(kind: str | None) -> str:
    if kind is None:
        return "leer"
    return _DETECTED_LABELS.get(kind) or SourceKind.label_of(kind)


def _fits(source_kind: str, detected: str | None) -> bool:
    if source_kind in FEED_KINDS:
        return detected in FEED_KINDS  # feedparser reads both
    return detected in (source_kind, UNKNOWN_JSON)  # an unknown JSON shape is the parser's to judge


def diagnose(source: Source, fetched: FetchResult, findings: Findings | None, *, today: date) -> SourceCheck:
    """The check of one source from its fetch result and what was read from it (None when
    nothing was read: an error or an unchanged document)."""
    body = fetched.body or b""
    mailbox = source.kind == SourceKind.IMAP
    # A mailbox delivers mails, which every parser of ours but the mail reader would refuse.
    detected = (SourceKind.IMAP if mailbox else sniff_kind(body)) if fetched.body is not None else None
    base = {"source_id": source.id, "http_status": fetched.status, "final_url": fetched.final_url or fetched.url,
            "content_type": fetched.headers.get("content-type"), "detected_kind": detected,
            "pages": (1 + len(fetched.more_pages)) if fetched.body is not None else 0,
            "notes": tuple(fetched.notes)}
    if fetched.error:
        return SourceCheck(state=CheckVerdict.BROKEN, verdict=_failure(fetched), **base)
    if fetched.not_modified and mailbox:
        found = f" ({'; '.join(fetched.notes)})" if fetched.notes else ""
        return SourceCheck(state=CheckVerdict.OK, verdict=f"OK: Postfach erreichbar, keine neuen E-Mails{found}",
                           **base)
    if fetched.not_modified:
        return SourceCheck(state=CheckVerdict.OK, verdict="OK: unverändert seit dem letzten Abruf (HTTP 304)", **base)
    if detected is None:
        return SourceCheck(state=CheckVerdict.BROKEN, verdict="Leere Antwort: der Server liefert nichts – Adresse "
                           "prüfen", **base)
    if detected == HTML:
        return SourceCheck(state=CheckVerdict.BROKEN, verdict="HTML-Seite statt Feed: die Adresse zeigt auf eine "
                           "Webseite – auf ihr die Feed-Adresse suchen und in feeds.toml eintragen", **base)
    if not _fits(source.kind, detected):
        return SourceCheck(state=CheckVerdict.BROKEN, verdict=f"Falsche Quellenart: Antwort ist "
                           f"{kind_label(detected)}, in feeds.toml steht kind = \"{source.kind}\"", **base)
    assert findings is not None
    counted = {"entries": findings.entries, "newest": findings.newest, "deadlines": findings.deadlines}
    if findings.error:
        return SourceCheck(state=CheckVerdict.BROKEN, verdict=f"Nicht lesbar: {findings.error}", **base, **counted)
    summary = _summary(findings)
    moved = next((target for status, target in fetched.redirects if status in _PERMANENT), None)
    if findings.entries == 0:
        if fetched.since is not None:
            return SourceCheck(state=CheckVerdict.OK,
                               verdict=f"OK: keine Änderungen seit {fetched.since:%d.%m.%Y %H:%M}", **base, **counted)
        return SourceCheck(state=CheckVerdict.NOTICE, verdict="Leer: gültige Antwort ohne Einträge – Adresse prüfen, "
                           "falls das so bleibt", **base, **counted)
    if moved:
        final = fetched.final_url or moved
        return SourceCheck(state=CheckVerdict.NOTICE, verdict=f"Umgezogen: die Adresse leitet dauerhaft auf "
                           f"{final} weiter – diese in feeds.toml eintragen; {summary}", **base, **counted)
    problems = [*findings.warnings, *fetched.notes]
    if problems:
        return SourceCheck(state=CheckVerdict.NOTICE, verdict=f"Gelesen mit Hinweis: {problems[0]}; {summary}",
                           **base, **counted)
    # A mailbox's newest mail may be an old letter forwarded today; its silence is what
    # expect_every watches ("überfällig"), not the date inside the mail.
    if findings.newest is not None and findings.newest.date() < today - STALE_AFTER and not mailbox:
        return SourceCheck(state=CheckVerdict.NOTICE, verdict=f"Veraltet: neuester Eintrag vom "
                           f"{findings.newest:%d.%m.%Y} – wird die Quelle noch gepflegt?; {summary}", **base, **counted)
    return SourceCheck(state=CheckVerdict.OK, verdict=f"OK: {summary}", **base, **counted)


def _summary(findings: Findings) -> str:
    parts = ["1 Eintrag" if findings.entries == 1 else f"{findings.entries} Einträge"]
    if findings.newest is not None:
        parts.append(f"neuester vom {findings.newest:%d.%m.%Y}")
    parts.append("1 mit Frist" if findings.deadlines == 1 else f"{findings.deadlines} mit Frist")
    return ", ".join(parts)


def _failure(fetched: FetchResult) -> str:
    error = fetched.error or "unbekannter Fehler"
    if fetched.status in (404, 410):
        return f"Adresse gibt es nicht (mehr): {error}"
    if fetched.status in (401, 403):
        return f"Zugang verweigert: {error}"
    return f"Nicht abrufbar: {error}"
