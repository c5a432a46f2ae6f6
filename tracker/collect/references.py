"""Reference numbers a publication carries, normalised so that the same Vorlage matches at
every level: EU Commission documents (COM, C, SEC, SWD; DIP writes them ``KOM``, ``K``,
``SEK`` and puts the number in ``kom`` as ``(2017) 600 endg.``), Council documents
(``11018/17``), EU procedures (``2023/0123(COD)``), EU acts as CELEX numbers (from
``Richtlinie (EU) 2024/1275``, ``Regulation (EC) No 1907/2006``, ``Directive 2012/27/EU`` or a
CELEX in an EUR-Lex address), Bundestag and Bundesrat Drucksachen and DIP Vorgang ids.

Pure functions: an entry (its structured fields, title, summary and link) and its source in,
references out. A Drucksache number without "BT"/"BR" is read in the context of the
publisher: a Bundesrat document's "Drucksache 292/26" is the Bundesrat's, a Bundestag
document's "Drucksache 21/6278" the Bundestag's; elsewhere only the number's form decides
(a Bundestag number starts with the Wahlperiode, at most 30; a Bundesrat number ends with
a two-digit year), and an undecidable one is left out rather than guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import unquote

from tracker.collect.sanitise import html_to_text
from tracker.models import RawEntry, Source
from tracker.vocabulary import ReferenceKind

FIELD = "field"
TEXT = "text"
BT, BR = "bt", "br"


@dataclass(frozen=True, order=True)
class Reference:
    kind: str
    value: str
    origin: str = TEXT


# --- EU --------------------------------------------------------------------------------------

_COM_PREFIX = {"COM": "COM", "KOM": "COM", "C": "C", "K": "C", "SEC": "SEC", "SEK": "SEC", "SWD": "SWD"}
_COM = re.compile(r"(?<![\w/.-])(COM|KOM|SEC|SEK|SWD|C|K)\s?\(\s?((?:19|20)\d{2})\s?\)\s?(\d{1,5})\b")
_DIP_KOM = re.compile(r"\(\s*((?:19|20)\d{2})\s*\)\s*(\d{1,5})")
_RATSDOK = re.compile(r"(?:\bRatsdok(?:ument)?\.?(?:\s*-?\s*Nr\.?)?|\bRats-Dok\.?|\bCouncil\s+doc(?:ument)?\.?|\bST)"
                      r"\s*(?:Nr\.?|No\.?)?\s*(\d{1,6})/(\d{2})\b")
_RATSDOK_FIELD = re.compile(r"(\d{1,6})/(\d{2})\b")
_PROCEDURE = re.compile(r"\b((?:19|20)\d{2})/(\d{4})\s?\((COD|CNS|APP|NLE|RSP|INI|INL|BUD|DEC|DCE|ACI|AVC|SYN|COS|"
                        r"REG|IMM|RPS|RSO|INS|DEA|DCE)\)")
_CELEX = re.compile(r"\bCELEX(?:\s*(?:Nr\.|No\.?|number))?\s*[:=]?\s*([0-9]{5}[A-Z]{1,2}[0-9]{4})\b")
_ACT_TYPES = {
    "R": r"(?:Durchführungsverordnung|Delegierte[nr]?\s+Verordnung|Verordnung|(?:Implementing|Delegated)\s+Regulation"
         r"|Regulation)",
    "L": r"(?:Durchführungsrichtlinie|Richtlinie|(?:Implementing|Delegated)\s+Directive|Directive)",
    "D": r"(?:Durchführungsbeschluss|Delegierte[nr]?\s+Beschluss|Beschluss|(?:Implementing|Delegated)\s+Decision"
         r"|Decision)",
}
_EU_LABEL = r"\((?:EU|EG|EWG|EC|EEC|Euratom|EU,\s?Euratom|EG,\s?Euratom)\)"
_ACT_PATTERNS = {letter: (
    # "Richtlinie (EU) 2024/1275", "Verordnung (EG) Nr. 1907/2006", "Regulation (EU) No 1025/2012"
    re.compile(rf"\b{words}\s{_EU_LABEL}\s?(Nr\.|No\.?)?\s?(\d{{1,4}})/(\d{{1,4}})\b"),
    # "Directive 2012/27/EU", "Richtlinie 2009/72/EG"
    re.compile(rf"\b{words}\s((?:19|20)\d{{2}})/(\d{{1,4}})/(?:EU|EG|EWG|EC|EEC|GASP|JI|Euratom)\b"),
) for letter, words in _ACT_TYPES.items()}


def _celex(letter: str, year: str, number: str) -> str | None:
    if not (1950 <= int(year) <= 2099) or int(number) == 0:
        return None
    return f"3{year}{letter}{int(number):04d}"


def _year_like(part: str) -> bool:
    return len(part) == 4 and 1950 <= int(part) <= 2099


def _acts(text: str) -> Iterable[str]:
    for letter, (labelled, suffixed) in _ACT_PATTERNS.items():
        for match in labelled.finditer(text):
            numbered, first, second = match.groups()
            # Regulations before 2015 are "Nr. number/year"; everything since "year/number".
            if _year_like(second) and (numbered or not _year_like(first)):
                year, number = second, first
            elif _year_like(first):
                year, number = first, second
            else:
                continue
            celex = _celex(letter, year, number)
            if celex:
                yield celex
        for match in suffixed.finditer(text):
            celex = _celex(letter, match.group(1), match.group(2))
            if celex:
                yield celex


def _celex_references(value: str) -> list[Reference]:
    """A CELEX number; a Commission proposal's (``52023PC0123``) is its COM number as well."""
    found = [Reference(ReferenceKind.CELEX, value)]
    proposal = re.fullmatch(r"5((?:19|20)\d{2})PC(\d{4})", value)
    if proposal:
        found.append(Reference(ReferenceKind.COM, f"COM({proposal.group(1)}) {int(proposal.group(2))}"))
    return found


# Cheap tests that rule a pattern out before it runs: most texts hold no reference at all, and
# a collection reads thousands of them (bench/ingest.py).
_MAYBE_COM = re.compile(r"(?:COM|KOM|SEC|SEK|SWD|C|K)\s?\(\s?[12]")
_MAYBE_PROCEDURE = re.compile(r"\d{4}\s?\([A-Z]{3}\)")
_ACT_WORDS = ("verordnung", "regulation", "richtlinie", "directive", "beschluss", "decision")


def eu_references(text: str) -> list[Reference]:
    """EU reference numbers written in ``text`` (titles, summaries, addresses)."""
    found: list[Reference] = []
    if _MAYBE_COM.search(text):
        found += [Reference(ReferenceKind.COM, f"{_COM_PREFIX[m.group(1)]}({m.group(2)}) {int(m.group(3))}")
                  for m in _COM.finditer(text)]
    if "Rats" in text or "Council" in text or "ST " in text:
        found += [Reference(ReferenceKind.RATSDOK, f"{int(m.group(1))}/{m.group(2)}")
                  for m in _RATSDOK.finditer(text)]
    if _MAYBE_PROCEDURE.search(text):
        found += [Reference(ReferenceKind.EU_PROCEDURE, f"{m.group(1)}/{m.group(2)}({m.group(3)})")
                  for m in _PROCEDURE.finditer(text)]
    if "CELEX" in text:
        for match in _CELEX.finditer(unquote(text)):
            found += _celex_references(match.group(1))
    lowered = text.lower()
    if "/" in text and any(word in lowered for word in _ACT_WORDS):
        found += [Reference(ReferenceKind.CELEX, celex) for celex in _acts(text)]
    return found


# --- Bundestag and Bundesrat -----------------------------------------------------------------

_NUMBER = r"\d{1,4}\s?/\s?\d{1,5}"
_MORE = rf"((?:\s?(?:,|und|sowie|bzw\.)\s?{_NUMBER})*)"
_EXPLICIT = re.compile(rf"\b(BT|BR)\s?-?\s?(?:Drs|Drucks|Drucksachen?)\.?\s?(?:Nr\.\s?)?({_NUMBER}){_MORE}")
_EXPLICIT_HOUSE = re.compile(rf"\b(Bundestags|Bundesrats)\s?-?\s?[Dd]rucksachen?\s?(?:Nr\.\s?)?({_NUMBER}){_MORE}")
_PLAIN = re.compile(rf"\b(?:Drucksachen?|Drs)\.?\s?(?:Nr\.\s?)?({_NUMBER}){_MORE}")
# "heute im bundestag" cites a Drucksache as "(21/6278)".
_HIB = re.compile(r"\((\d{2})/(\d{3,5})\)")
_DIP_VORGANG = re.compile(r"dip\.bundestag\.de/vorgang/[^/\s?#]+/(\d+)")
_BT_PDF = re.compile(r"dserver\.bundestag\.de/btd/(\d{2})/\d{3}/\d{2}(\d{5})\.pdf")
_BR_PDF = re.compile(r"dserver\.bundestag\.de/brd/\d{4}/(\d{4})-(\d{2})\.pdf")


def _numbers(first: str, more: str) -> list[str]:
    return [re.sub(r"\s", "", n) for n in [first, *re.findall(_NUMBER, more or "")]]


def _drucksache(number: str, house: str | None) -> Reference | None:
    """A Drucksache number as the Bundestag's (``21/6278``) or the Bundesrat's (``292/26``)."""
    left, right = number.split("/")
    if house is None:
        if int(left) > 30 and len(right) == 2:
            house = BR
        elif int(left) <= 30 and len(right) >= 3:
            house = BT
        else:
            return None
    if house == BT:
        if not 1 <= int(left) <= 30 or int(right) == 0:
            return None
        return Reference(ReferenceKind.BT_DRUCKSACHE, f"{int(left)}/{int(right)}")
    if len(right) != 2 or int(left) == 0:
        return None
    return Reference(ReferenceKind.BR_DRUCKSACHE, f"{int(left)}/{right}")


def parliament_references(text: str, house: str | None) -> list[Reference]:
    """Drucksachen and DIP Vorgänge in ``text``; ``house`` is the publisher's (bt, br) or None."""
    found: list[Reference] = []
    if not ("rucks" in text or "Drs" in text or "bundestag.de" in text or (house == BT and "/" in text)):
        return found
    for match in _EXPLICIT.finditer(text):
        found += [r for n in _numbers(match.group(2), match.group(3)) if (r := _drucksache(n, match.group(1).lower()))]
    for match in _EXPLICIT_HOUSE.finditer(text):
        named = BT if match.group(1) == "Bundestags" else BR
        found += [r for n in _numbers(match.group(2), match.group(3)) if (r := _drucksache(n, named))]
    explicit_spans = [m.span() for m in (*_EXPLICIT.finditer(text), *_EXPLICIT_HOUSE.finditer(text))]
    for match in _PLAIN.finditer(text):
        if any(start <= match.start() < end for start, end in explicit_spans):
            continue
        found += [r for n in _numbers(match.group(1), match.group(2)) if (r := _drucksache(n, house))]
    if house == BT:
        found += [r for m in _HIB.finditer(text) if (r := _drucksache(f"{m.group(1)}/{m.group(2)}", BT))]
    found += [Reference(ReferenceKind.DIP_VORGANG, m.group(1)) for m in _DIP_VORGANG.finditer(text)]
    found += [Reference(ReferenceKind.BT_DRUCKSACHE, f"{int(m.group(1))}/{int(m.group(2))}")
              for m in _BT_PDF.finditer(text)]
    found += [Reference(ReferenceKind.BR_DRUCKSACHE, f"{int(m.group(1))}/{m.group(2)}")
              for m in _BR_PDF.finditer(text)]
    return found


# --- an entry ------------------------------------------------------------------------------


def house_of(source: Source, extra: Mapping[str, object]) -> str | None:
    """Whose Drucksachen an unqualified number of this entry means."""
    publisher = extra.get("herausgeber")
    if publisher in ("BT", "BR"):
        return str(publisher).lower()
    name = f"{source.publisher} {source.name}".lower()
    if "bundesrat" in name:
        return BR
    if "bundestag" in name or source.kind == "dip":
        return BT
    return None


def structured_references(extra: Mapping[str, object]) -> list[Reference]:
    """References from an adapter's structured fields (DIP's ids, numbers, kom, ratsdok, sek)."""
    found: list[Reference] = []
    dip_type = extra.get("dip_typ")
    if dip_type == "Vorgang" and isinstance(extra.get("dip_id"), str):
        found.append(Reference(ReferenceKind.DIP_VORGANG, extra["dip_id"], FIELD))
    if dip_type in ("Drucksache", "Vorgangsposition") and isinstance(extra.get("dokumentnummer"), str):
        house = BR if extra.get("herausgeber") == "BR" else BT
        own = _drucksache(extra["dokumentnummer"].replace(" ", ""), house)
        if own:
            found.append(Reference(own.kind, own.value, FIELD))
    for procedure in extra.get("vorgaenge") or []:
        if isinstance(procedure, Mapping) and str(procedure.get("id", "")).isdigit():
            found.append(Reference(ReferenceKind.DIP_VORGANG, str(procedure["id"]), FIELD))
    for field, prefix in (("kom", "COM"), ("sek", "SEC")):
        value = extra.get(field)
        match = _DIP_KOM.search(value) if isinstance(value, str) else None
        if match:
            found.append(Reference(ReferenceKind.COM, f"{prefix}({match.group(1)}) {int(match.group(2))}", FIELD))
    ratsdok = extra.get("ratsdok")
    if isinstance(ratsdok, str):
        found += [Reference(ReferenceKind.RATSDOK, f"{int(m.group(1))}/{m.group(2)}", FIELD)
                  for m in _RATSDOK_FIELD.finditer(ratsdok)]
    # DIP names the government bill's Bundesrat Drucksache in its consent note: "Drs 292/26".
    for note in extra.get("zustimmungsbeduerftigkeit") or []:
        if isinstance(note, str):
            found += [Reference(r.kind, r.value, FIELD) for r in parliament_references(note, BR)]
    return found


def references_of(entry: RawEntry, source: Source, summary: str | None = None) -> tuple[Reference, ...]:
    """Every reference of one entry, each once (a structured one wins over the same in text).
    ``summary`` is the entry's summary as plain text when the caller has it already."""
    if summary is None:
        summary = html_to_text(entry.summary_html) if entry.summary_html else ""
    plain = " ".join(filter(None, [entry.title, summary, entry.link or ""]))
    found = structured_references(entry.extra)
    found += eu_references(plain)
    found += parliament_references(plain, house_of(source, entry.extra))
    unique: dict[tuple[str, str], Reference] = {}
    for reference in found:
        key = (reference.kind, reference.value)
        if key not in unique or reference.origin == FIELD:
            unique[key] = reference
    return tuple(sorted(unique.values()))
