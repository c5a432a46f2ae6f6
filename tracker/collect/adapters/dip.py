"""Bundestag DIP API (``search.dip.bundestag.de/api/v1``): Vorgänge, their steps
(Vorgangspositionen), Drucksachen and Plenarprotokolle.

A list answers ``{"numFound", "cursor", "documents": [...]}`` (publisher's OpenAPI 1.2); a
single record answers the record itself; a list of documents as archived by other tools
(documents of several pages merged) is read too. Paging: repeat the request with the
``cursor`` of the answer until the cursor no longer changes (the publisher's rule; not
``numFound``). Increments: ``f.aktualisiert.start``, the earliest update time wanted.

Item links: a Vorgang's page is ``https://dip.bundestag.de/vorgang/<slug>/<id>`` (without a
slug DIP answers 200 with its start page); a Drucksache links to its PDF. Authors of a
Drucksache (members of parliament) are not read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from urllib.parse import quote, urlsplit

from tracker import settings
from tracker.clock import BERLIN
from tracker.collect.adapters.support import (
    MissingCredential,
    ShapeError,
    entries_of_records,
    list_of,
    parse_day,
    parse_instant,
    query_value,
    require_mapping,
    run_adapter,
    start_of_day,
    text,
    web_link,
    with_query,
)
from tracker.models import ParseResult, RawEntry
from tracker.vocabulary import Stage

API_NAME = "Bundestag DIP"
VORGANG_URL = "https://dip.bundestag.de/vorgang/{slug}/{id}"
KEY_HELP = "https://dip.bundestag.de/über-dip/hilfe/api"
MISSING_KEY = (f"DIP_API_KEY fehlt: den aktuellen öffentlichen Schlüssel von {KEY_HELP} (oder einen eigenen) "
               "in der Umgebung oder in .streamlit/secrets.toml eintragen")
UNAUTHORIZED = (f"DIP lehnt den API-Schlüssel ab (HTTP 401): DIP_API_KEY ist abgelaufen oder falsch; "
                f"den aktuellen öffentlichen Schlüssel auf {KEY_HELP} nachsehen und eintragen")
BLOCKED = ("DIP hat den Abruf wegen zu vieler Anfragen gesperrt (Enodia-Prüfung statt Antwort); "
           "in etwa 15 Minuten erneut versuchen")
# Without a mark from an earlier complete run, a first run reads this far back.
FIRST_RUN_LOOKBACK = timedelta(days=14)
# Updates are re-read from a little before the last complete run: a record updated while
# that run was paging could otherwise fall between two runs.
OVERLAP = timedelta(hours=1)

_LEGISLATIVE_TYPES = ("gesetzgebung", "verordnung", "eu-vorlage", "vertragsgesetz")
_ENDED = ("abgelehnt", "zurückgezogen", "erledigt", "ablauf der wahlperiode", "für erledigt erklärt")
_DRAFT_DOCUMENTS = ("gesetzentwurf", "beschlussempfehlung", "verordnung", "änderungsantrag",
                    "gesetzesbeschluss", "bericht")


def credentials() -> dict[str, str]:
    """The Authorization header DIP expects; raises ``MissingCredential`` without a configured key."""
    key = settings.get().dip_api_key
    if not key:
        raise MissingCredential(MISSING_KEY)
    return {"Authorization": f"ApiKey {key}"}


def parse(body: bytes, url: str = "", language: str | None = None) -> ParseResult:
    return run_adapter(API_NAME, body, _entries)


def _entries(data: object, warnings: list[str]) -> list[RawEntry]:
    if isinstance(data, list):
        return entries_of_records(data, "Antwort", "Dokument", _entry, warnings)
    root = require_mapping(data, "Antwort")
    if "documents" in root:
        documents = root["documents"]
        if not isinstance(documents, list):
            raise ShapeError("Feld 'documents' ist keine Liste")
        return entries_of_records(documents, "documents", "Dokument", _entry, warnings)
    if "code" in root and "message" in root and "typ" not in root:
        raise ShapeError(f"DIP meldet Fehler {text(root['code'])}: {text(root['message'])[:200]}")
    if "typ" in root:
        return [_entry(root)]
    raise ShapeError("weder 'documents' (Liste) noch 'typ' (einzelner Datensatz) vorhanden")


def _entry(record: Mapping[str, object]) -> RawEntry:
    record_type = text(record.get("typ"))
    if record_type == "Vorgang":
        return _vorgang(record)
    if record_type == "Vorgangsposition":
        return _vorgangsposition(record)
    if record_type == "Dokument" and text(record.get("dokumentart")) in ("Drucksache", "Plenarprotokoll"):
        return _document(record)
    raise ShapeError(f"Datensatz der Art '{record_type or '?'}' wird nicht gelesen "
                     "(Vorgänge, Vorgangspositionen, Drucksachen und Plenarprotokolle)")


def _record_id(record: Mapping[str, object]) -> str:
    record_id = text(record.get("id"))
    if not record_id.isdigit():
        raise ShapeError(f"Feld 'id' fehlt oder ist keine Zahl ({record_id[:20] or 'leer'})")
    return record_id


def vorgang_link(vorgang_id: str, title: str) -> str:
    """DIP's page of a Vorgang: the site routes on the id, but answers its start page without a slug."""
    return VORGANG_URL.format(slug=quote(_slug(title), safe="-"), id=quote(vorgang_id, safe=""))


def _slug(title: str) -> str:
    words = re.findall(r"\w+", title.lower())
    slug = ""
    for word in words:
        if len(slug) + len(word) + 1 > 100:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug or "vorgang"


def _vorgang(record: Mapping[str, object]) -> RawEntry:
    vorgang_id = _record_id(record)
    title = text(record.get("titel"))
    if not title:
        raise ShapeError(f"Feld 'titel' fehlt (Vorgang {vorgang_id})")
    kind = text(record.get("vorgangstyp"))
    stand = text(record.get("beratungsstand"))
    descriptors = [text(d.get("name")) for d in list_of(record.get("deskriptor")) if isinstance(d, Mapping)]
    subjects = [text(s) for s in list_of(record.get("sachgebiet")) if text(s)]
    details = [f"Vorgangstyp: {kind}" if kind else "", f"Beratungsstand: {stand}" if stand else "",
               "Initiative: " + ", ".join(text(i) for i in list_of(record.get("initiative"))) if
               list_of(record.get("initiative")) else "",
               "Sachgebiete: " + ", ".join(subjects) if subjects else "",
               "Schlagwörter (DIP): " + ", ".join(d for d in descriptors if d) if descriptors else ""]
    promulgations = [v for v in list_of(record.get("verkuendung")) if isinstance(v, Mapping)]
    return RawEntry(
        guid=f"dip:vorgang:{vorgang_id}",
        title=title,
        link=vorgang_link(vorgang_id, title),
        # DIP's abstracts are HTML (<br />, <strong>, entities); normalise sanitises them.
        summary_html=record.get("abstract") if isinstance(record.get("abstract"), str) else "",
        content_html="".join(f"<p>{_escape(line)}</p>" for line in details if line),
        published=start_of_day(parse_day(record.get("datum")), BERLIN),
        updated=parse_instant(record.get("aktualisiert")),
        language="de",
        stage=_vorgang_stage(kind, stand),
        extra={
            "dip_id": vorgang_id,
            "dip_typ": "Vorgang",
            "vorgangstyp": kind or None,
            "beratungsstand": stand or None,
            "wahlperiode": record.get("wahlperiode") if isinstance(record.get("wahlperiode"), int) else None,
            "gesta": text(record.get("gesta")) or None,
            "initiative": [text(i) for i in list_of(record.get("initiative")) if text(i)],
            "sachgebiet": subjects,
            "kom": text(record.get("kom")) or None,
            "ratsdok": text(record.get("ratsdok")) or None,
            "sek": text(record.get("sek")) or None,
            "zustimmungsbeduerftigkeit": [text(z) for z in list_of(record.get("zustimmungsbeduerftigkeit")) if text(z)],
            "verkuendung": [text(v.get("fundstelle")) for v in promulgations if text(v.get("fundstelle"))],
            "verkuendung_url": next((web_link(v.get("pdf_url")) for v in promulgations if web_link(v.get("pdf_url"))),
                                    None),
        },
    )


def _vorgangsposition(record: Mapping[str, object]) -> RawEntry:
    """A step of a Vorgang (a Drucksache tabled, a first reading, the Bundesrat's decision)."""
    position_id = _record_id(record)
    vorgang_id = text(record.get("vorgang_id"))
    title = text(record.get("titel"))
    step = text(record.get("vorgangsposition"))
    if not title or not vorgang_id.isdigit():
        raise ShapeError(f"Feld 'titel' oder 'vorgang_id' fehlt (Vorgangsposition {position_id})")
    found = record.get("fundstelle") if isinstance(record.get("fundstelle"), Mapping) else {}
    house = text(found.get("herausgeber")) or text(record.get("zuordnung")) or None
    kind = text(record.get("vorgangstyp"))
    is_printed = text(record.get("dokumentart")) == "Drucksache" or text(found.get("dokumentart")) == "Drucksache"
    return RawEntry(
        guid=f"dip:vorgangsposition:{position_id}",
        title=f"{step} ({house}): {title}" if step and house else title,
        link=vorgang_link(vorgang_id, title),
        summary_html=record.get("abstract") if isinstance(record.get("abstract"), str) else "",
        published=start_of_day(parse_day(record.get("datum") or found.get("datum")), BERLIN),
        updated=parse_instant(record.get("aktualisiert")),
        language="de",
        stage=_vorgang_stage(kind, step),
        extra={
            "dip_id": position_id,
            "dip_typ": "Vorgangsposition",
            "vorgangsposition": step or None,
            "vorgangstyp": kind or None,
            "herausgeber": house,
            "dokumentnummer": text(found.get("dokumentnummer")) or None if is_printed else None,
            "pdf_url": web_link(found.get("pdf_url")),
            "kom": text(record.get("kom")) or None,
            "ratsdok": text(record.get("ratsdok")) or None,
            "vorgaenge": [{"id": vorgang_id, "titel": title, "link": vorgang_link(vorgang_id, title)}],
        },
    )


def _vorgang_stage(kind: str, stand: str) -> str | None:
    """Legislation is a draft until promulgated; a rejected or withdrawn one has no stage left.
    Motions, questions and reports are parliamentary news."""
    if not any(kind.lower().startswith(t) for t in _LEGISLATIVE_TYPES):
        return Stage.NEWS if kind else None
    lowered = stand.lower()
    if "verkündet" in lowered:
        return Stage.ADOPTED
    if any(word in lowered for word in _ENDED):
        return None
    return Stage.DRAFT


def _document(record: Mapping[str, object]) -> RawEntry:
    """A Drucksache or a Plenarprotokoll: linked to its PDF."""
    record_id = _record_id(record)
    number = text(record.get("dokumentnummer"))
    art = text(record.get("dokumentart"))
    document_type = text(record.get("drucksachetyp")) if art == "Drucksache" else ""
    publisher = text(record.get("herausgeber")) or "BT"
    title = text(record.get("titel"))
    if not number or not title:
        raise ShapeError(f"Feld 'dokumentnummer' oder 'titel' fehlt ({art} {record_id})")
    found = record.get("fundstelle") if isinstance(record.get("fundstelle"), Mapping) else {}
    procedures = [p for p in list_of(record.get("vorgangsbezug")) if isinstance(p, Mapping) and text(p.get("id"))]
    originators = [text(u.get("titel")) for u in list_of(record.get("urheber")) if isinstance(u, Mapping)]
    summary_lines = ["Urheber: " + ", ".join(o for o in originators if o) if any(originators) else "",
                     *(f"Vorgang: {text(p.get('titel'))}" for p in procedures)]
    label = f"{publisher}-{art} {number}" + (f" ({document_type})" if document_type else "")
    return RawEntry(
        guid=f"dip:{art.lower()}:{record_id}",
        title=f"{label}: {title}",
        link=web_link(found.get("pdf_url")),
        summary_html="".join(f"<p>{_escape(line)}</p>" for line in summary_lines if line),
        published=start_of_day(parse_day(found.get("datum") or record.get("datum")), BERLIN),
        updated=parse_instant(record.get("aktualisiert")),
        language="de",
        stage=Stage.DRAFT if document_type and any(document_type.lower().startswith(t) for t in _DRAFT_DOCUMENTS)
        else Stage.NEWS,
        extra={
            "dip_id": record_id,
            "dip_typ": art,
            "herausgeber": publisher,
            "dokumentnummer": number,
            "drucksachetyp": document_type or None,
            "wahlperiode": record.get("wahlperiode") if isinstance(record.get("wahlperiode"), int) else None,
            "urheber": [o for o in originators if o],
            "vorgaenge": [{"id": text(p.get("id")), "titel": text(p.get("titel")),
                           "link": vorgang_link(text(p.get("id")), text(p.get("titel")))} for p in procedures],
        },
    )


def _escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- requests (planned by tracker.collect.crawl) ------------------------------------------------


def start_url(url: str, resume_from: datetime | None, now: datetime) -> tuple[str, datetime | None]:
    """The first request: only records updated since ``resume_from`` (what the last run left
    to read), or the last two weeks on a first run. A URL that sets ``f.aktualisiert.start``
    itself wins."""
    if query_value(url, "f.aktualisiert.start") is not None:
        return url, None
    start = resume_from if resume_from is not None else now - FIRST_RUN_LOOKBACK
    stamp = start.astimezone(BERLIN).isoformat(timespec="seconds")
    return with_query(url, **{"f.aktualisiert.start": stamp}), start


def next_page(url: str, body: bytes) -> str | None:
    """The same request with the answer's cursor, until the cursor stops changing."""
    try:
        root = json.loads(body)
    except ValueError:
        return None
    if not isinstance(root, Mapping) or not root.get("documents"):
        return None
    cursor = root.get("cursor")
    if not isinstance(cursor, str) or not cursor or cursor == query_value(url, "cursor"):
        return None
    return with_query(url, cursor=cursor)


def explain_failure(status: int | None, final_url: str | None) -> str | None:
    """DIP's own reasons for a failed request, in words an operator can act on."""
    if status == 401:
        return UNAUTHORIZED
    if final_url and urlsplit(final_url).path.startswith("/.enodia/"):
        return BLOCKED
    return None
