"""The source registry: reads feeds.toml into ``Source`` objects and collector settings.

One broken entry must not silence the others: each entry is checked on its own and a
rejected one becomes a ``ConfigProblem`` naming file, line, entry and field, while the
rest load. Only a file that is not TOML at all (or missing) stops everything, as a
``ConfigError``. tomllib reports no positions for keys, so line numbers come from a
light scan of the text (``_scan_sections``).
"""

from __future__ import annotations

import contextlib
import difflib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tracker import config_file, settings
from tracker.collect.cadence import parse_duration
from tracker.collect.fetch import FetchPolicy
from tracker.config_file import HEADER_RE, KEY_RE, display_path
from tracker.errors import UserError
from tracker.judge.taxonomy import topic_ids
from tracker.models import Source
from tracker.vocabulary import LAENDER, AfterRead, SourceKind

# ISO 3166-2:DE subdivision codes, lower case, as used in "de-by", "de-nw", ...
LAND_CODES = tuple(code.lower() for code in LAENDER)

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_JURISDICTION_RE = re.compile(r"^[a-z]{2}(?:-[a-z]{2,3})?$")
_LANGUAGE_RE = re.compile(r"^[a-z]{2}$")

# The source `tracker ingest` stores documents under when no feeds.toml source is named; it is
# never in feeds.toml and never "no longer configured".
MANUAL_SOURCE_ID = "manuell"

SEVERITY_ERROR = "error"
SEVERITY_WARNING = "warning"

_REQUIRED = ("id", "name", "url", "kind", "jurisdiction", "language")
_OPTIONAL = ("publisher", "enabled", "poll_interval_minutes", "topic_hints", "max_pages", "expect_every",
             "after_read")
_POLL_RANGE = (5, 7 * 24 * 60)
_PAGES_RANGE = (1, 500)


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong in a config file, located as precisely as the text allows."""

    path: Path
    line: int | None
    entry: str | None
    field: str | None
    message: str
    severity: str = SEVERITY_ERROR

    def __str__(self) -> str:
        where = display_path(self.path) + (f":{self.line}" if self.line else "")
        parts = []
        if self.entry is not None:
            parts.append(f"Quelle {self.entry}" if self.entry.startswith("#") else f"Quelle '{self.entry}'")
        if self.field is not None:
            parts.append(f"Feld '{self.field}'")
        subject = ", ".join(parts)
        prefix = "Warnung: " if self.severity == SEVERITY_WARNING else ""
        return f"{where}: {prefix}{subject + ': ' if subject else ''}{self.message}"


# name -> (accepted python types, minimum, maximum); floats accept TOML integers too.
_COLLECTOR_RULES: dict[str, tuple[tuple[type, ...], float, float]] = {
    "user_agent": ((str,), None, None),
    "connect_timeout": ((int, float), 0.1, 600),
    "read_timeout": ((int, float), 0.1, 600),
    "total_deadline": ((int, float), 1, 3600),
    "max_bytes": ((int,), 1024, 1_000_000_000),
    "max_redirects": ((int,), 0, 20),
    "retries": ((int,), 0, 10),
    "concurrency": ((int,), 1, 32),
    "archive_retention_days": ((int,), 1, 3650),
}


@dataclass
class SourceRegistry:
    """Every usable source of one feeds.toml, plus what was wrong with the rest."""

    path: Path
    sources: list[Source]
    problems: list[ConfigProblem] = field(default_factory=list)
    collector: FetchPolicy = field(default_factory=FetchPolicy)

    @property
    def known_ids(self) -> set[str]:
        """Ids whose stored health is current: every configured source and the manual one."""
        return {s.id for s in self.sources} | {MANUAL_SOURCE_ID}

    @property
    def enabled(self) -> list[Source]:
        return [s for s in self.sources if s.enabled]

    @property
    def errors(self) -> list[ConfigProblem]:
        return [p for p in self.problems if p.severity == SEVERITY_ERROR]

    @property
    def warnings(self) -> list[ConfigProblem]:
        return [p for p in self.problems if p.severity == SEVERITY_WARNING]

    def get(self, source_id: str) -> Source:
        for source in self.sources:
            if source.id == source_id:
                return source
        rejected = [p for p in self.errors if p.entry == source_id]
        if rejected:
            raise UserError(
                f"Quelle '{source_id}' in {display_path(self.path)} wurde wegen eines Fehlers "
                f"nicht geladen: {rejected[0]}"
            )
        raise UserError(f"Unbekannte Quelle '{source_id}': nicht in {display_path(self.path)} eingetragen")


def load_sources(path: Path | None = None) -> SourceRegistry:
    """Read and check feeds.toml (default: ``settings.get().feeds_path``).

    Raises ConfigError when the file is missing, unreadable or not valid TOML; every other
    problem is reported in ``registry.problems`` and only the affected entry is dropped.
    """
    path = Path(path) if path is not None else settings.get().feeds_path
    data, text = config_file.read_toml(path, "Quellen-Konfiguration")
    return parse_registry(data, text, path)


def parse_registry(data: dict[str, Any], text: str, path: Path) -> SourceRegistry:
    """Check already-parsed TOML ``data``; ``text`` is only used to find line numbers."""
    sections = _scan_sections(text)
    top = sections[0]
    problems: list[ConfigProblem] = []

    for key in data:
        if key not in ("collector", "source"):
            hint = _suggest(key, ("collector", "source"))
            problems.append(
                ConfigProblem(path, top.line_of(key) or _header_line(sections, key), None, key,
                              f"unbekannter Abschnitt{hint}; erlaubt sind [collector] und [[source]]")
            )

    collector = _parse_collector(data.get("collector"), sections, path, problems)

    raw_entries = data.get("source", [])
    entry_sections = [s for s in sections if s.is_array and s.name == "source"]
    sources: list[Source] = []
    if not isinstance(raw_entries, list):
        problems.append(
            ConfigProblem(path, _header_line(sections, "source") or top.line_of("source"), None, "source",
                          "Quellen müssen als [[source]]-Einträge (Liste von Tabellen) stehen")
        )
        raw_entries = []
    if len(entry_sections) != len(raw_entries):
        # Headers not found one-to-one (inline array, unusual quoting): better no line than a wrong one.
        fallback = top.line_of("source")
        entry_sections = [_Section("source", True, fallback, {}) for _ in raw_entries]

    seen_ids: set[str] = set()
    for index, (raw, section) in enumerate(zip(raw_entries, entry_sections, strict=True), start=1):
        source, entry_problems = _parse_entry(raw, index, section, path, seen_ids)
        problems.extend(entry_problems)
        if source is not None:
            seen_ids.add(source.id)
            sources.append(source)

    problems.sort(key=lambda p: (p.line or 0))
    return SourceRegistry(path=path, sources=sources, problems=problems, collector=collector)


# --- one [[source]] entry -----------------------------------------------------------


def _parse_entry(
    raw: object, index: int, section: _Section, path: Path, seen_ids: set[str]
) -> tuple[Source | None, list[ConfigProblem]]:
    if not isinstance(raw, dict):
        return None, [ConfigProblem(path, section.line, f"#{index}", None, "Eintrag ist keine Tabelle")]

    raw_id = raw.get("id")
    label = raw_id if isinstance(raw_id, str) and raw_id.strip() else f"#{index}"
    problems: list[ConfigProblem] = []

    def problem(field_name: str | None, message: str, severity: str = SEVERITY_ERROR) -> None:
        line = section.line_of(field_name) if field_name else section.line
        problems.append(ConfigProblem(path, line, label, field_name, message, severity))

    for key in raw:
        if key not in _REQUIRED and key not in _OPTIONAL:
            problem(key, f"unbekanntes Feld{_suggest(key, _REQUIRED + _OPTIONAL)}")
    for key in _REQUIRED:
        if key not in raw:
            problems.append(ConfigProblem(path, section.line, label, key, "Pflichtfeld fehlt"))

    values: dict[str, Any] = {}
    for key in _REQUIRED + ("publisher",):
        if key not in raw:
            continue
        value = raw[key]
        if not isinstance(value, str):
            problem(key, f"Text erwartet, gefunden: {_type_name(value)}")
        elif not value.strip():
            problem(key, "darf nicht leer sein")
        else:
            values[key] = value.strip()

    if "id" in values:
        if not _ID_RE.match(values["id"]):
            problem("id", "nur Kleinbuchstaben a-z, Ziffern und '-' erlaubt (höchstens 64 Zeichen, "
                          "nicht mit '-' beginnend)")
        elif values["id"] in seen_ids:
            problem("id", "doppelte Kennung: ein früherer Eintrag trägt sie schon")
    if "kind" in values and values["kind"] not in SourceKind.codes():
        problem("kind", f"unbekannte Art '{values['kind']}'{_suggest(values['kind'], SourceKind.codes())}; "
                        f"erlaubt: {', '.join(SourceKind.codes())}")
    is_mailbox = values.get("kind") == SourceKind.IMAP
    if "url" in values:
        url_problem = _check_mailbox_url(values["url"]) if is_mailbox else _check_url(values["url"])
        if url_problem:
            problem("url", url_problem)
    if "jurisdiction" in values:
        jurisdiction_problem = _check_jurisdiction(values["jurisdiction"])
        if jurisdiction_problem:
            problem("jurisdiction", jurisdiction_problem)
    if "language" in values and not _LANGUAGE_RE.match(values["language"]):
        problem("language", "zweibuchstabiger Sprachcode in Kleinbuchstaben erwartet, z. B. 'de' oder 'en'")

    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        problem("enabled", f"true oder false erwartet, gefunden: {_type_name(enabled)}")

    poll = raw.get("poll_interval_minutes", 60)
    if isinstance(poll, bool) or not isinstance(poll, int):
        problem("poll_interval_minutes", f"ganze Zahl (Minuten) erwartet, gefunden: {_type_name(poll)}")
    elif not _POLL_RANGE[0] <= poll <= _POLL_RANGE[1]:
        low, high = _POLL_RANGE
        problem("poll_interval_minutes", f"muss zwischen {low} und {high} Minuten liegen")

    max_pages = raw.get("max_pages", Source.max_pages)
    if isinstance(max_pages, bool) or not isinstance(max_pages, int):
        problem("max_pages", f"ganze Zahl (Seiten je Abruf) erwartet, gefunden: {_type_name(max_pages)}")
    elif not _PAGES_RANGE[0] <= max_pages <= _PAGES_RANGE[1]:
        problem("max_pages", f"muss zwischen {_PAGES_RANGE[0]} und {_PAGES_RANGE[1]} liegen")

    expect_every = None
    if "expect_every" in raw:
        raw_expect = raw["expect_every"]
        with contextlib.suppress(ValueError):
            expect_every = parse_duration(raw_expect) if isinstance(raw_expect, str) else None
        if expect_every is None:
            problem("expect_every", "Dauer wie \"12h\", \"7d\" oder \"2w\" erwartet (1 Stunde bis 1 Jahr), "
                                    f"gefunden: {raw_expect!r}")

    after_read, after_read_target = AfterRead.NOTHING, None
    if "after_read" in raw:
        if not is_mailbox:
            problem("after_read", "nur für Postfächer (kind = \"imap\")")
        else:
            parsed_after = _after_read(raw["after_read"])
            if isinstance(parsed_after, str):
                problem("after_read", parsed_after)
            else:
                after_read, after_read_target = parsed_after

    hints: list[str] = []
    raw_hints = raw.get("topic_hints", [])
    if not isinstance(raw_hints, list) or not all(isinstance(h, str) for h in raw_hints):
        problem("topic_hints", "Liste von Themen-Kennungen erwartet, z. B. [\"energy\", \"broadband\"]")
    else:
        known_topics = topic_ids()
        for hint in raw_hints:
            if hint in known_topics:
                if hint not in hints:
                    hints.append(hint)
            else:
                # An unknown hint only loses a hint, not the source: warn and drop it.
                message = f"unbekanntes Thema '{hint}'{_suggest(hint, known_topics)} wird ignoriert"
                problem("topic_hints", message, SEVERITY_WARNING)

    if any(p.severity == SEVERITY_ERROR for p in problems):
        return None, problems
    source = Source(
        id=values["id"],
        name=values["name"],
        url=values["url"],
        kind=values["kind"],
        publisher=values.get("publisher", values["name"]),
        jurisdiction=values["jurisdiction"],
        language=values["language"],
        enabled=enabled,
        poll_interval_minutes=poll,
        topic_hints=tuple(hints),
        max_pages=max_pages,
        expect_every=expect_every,
        after_read=after_read,
        after_read_target=after_read_target,
    )
    return source, problems


# The keyword a mail gets with after_read = "flag" when no flag is named.
DEFAULT_MAIL_FLAG = "$Konsultationsradar"
_FLAG_RE = re.compile(r"^(?:\\(?:Seen|Flagged|Answered)|\$?[A-Za-z0-9_.-]{1,64})$")


def _after_read(value: object) -> tuple[AfterRead, str | None] | str:
    """``after_read`` of a mailbox: nothing (absent or "nichts"), ``"flag"`` (keyword
    $Konsultationsradar), ``"flag:\\Seen"`` / ``"flag:<Stichwort>"``, ``"move:<Ordner>"``;
    a message string for anything else."""
    expected = ("\"flag\", \"flag:<Markierung>\" (z. B. \"flag:\\\\Seen\") oder \"move:<Ordner>\" erwartet, "
                f"gefunden: {value!r}")
    if not isinstance(value, str):
        return expected
    action, _, target = value.strip().partition(":")
    action = action.strip().lower()
    target = target.strip()
    if action == AfterRead.NOTHING and not target:
        return AfterRead.NOTHING, None
    if action == AfterRead.FLAG:
        flag = target or DEFAULT_MAIL_FLAG
        if not _FLAG_RE.match(flag):
            return f"ungültige Markierung {flag!r}: \\Seen, \\Flagged oder ein Stichwort aus Buchstaben und Ziffern"
        return AfterRead.FLAG, flag
    if action == AfterRead.MOVE:
        if not target or any(ch in target for ch in "\r\n*%"):
            return "Zielordner fehlt oder ist ungültig: \"move:<Ordner>\", z. B. \"move:INBOX/Erledigt\""
        return AfterRead.MOVE, target
    return expected


def _check_mailbox_url(url: str) -> str | None:
    """A mailbox is read over TLS only: ``imaps://host[:port]/Ordner``."""
    if any(ch.isspace() for ch in url.replace("%20", "")):
        return "Adresse enthält Leerzeichen (im Ordnernamen als %20 schreiben)"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return "keine gültige Adresse"
    if parts.scheme.lower() != "imaps":
        return "Postfächer nur verschlüsselt: imaps://rechner[:port]/Ordner erwartet"
    if not parts.hostname:
        return "Adresse ohne Rechnername"
    if parts.username or parts.password:
        return ("Zugangsdaten gehören nicht in feeds.toml: MAILBOX_<ID>_USER und MAILBOX_<ID>_PASSWORD "
                "in der Umgebung oder in .streamlit/secrets.toml setzen")
    return None


def _check_url(url: str) -> str | None:
    if any(ch.isspace() for ch in url):
        return "Adresse enthält Leerzeichen"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return "keine gültige Adresse"
    if parts.scheme.lower() not in ("http", "https"):
        return "keine http(s)-Adresse"
    if not parts.hostname:
        return "Adresse ohne Rechnername"
    return None


def _check_jurisdiction(value: str) -> str | None:
    if not _JURISDICTION_RE.match(value):
        return ("Format 'eu', 'de', 'uk', 'us' ... oder 'de-<Land>' in Kleinbuchstaben erwartet "
                "(z. B. 'de-by', 'de-nw')")
    country, _, region = value.partition("-")
    if country == "de" and region and region not in LAND_CODES:
        return f"unbekanntes Bundesland '{region}'; erlaubt: {', '.join(LAND_CODES)}"
    return None


# --- [collector] ------------------------------------------------------------------------


def _parse_collector(
    raw: object, sections: list[_Section], path: Path, problems: list[ConfigProblem]
) -> FetchPolicy:
    if raw is None:
        return FetchPolicy()
    section = next((s for s in sections if s.name == "collector" and not s.is_array), None)
    header_line = section.line if section else sections[0].line_of("collector")

    def problem(key: str, message: str) -> None:
        line = (section.line_of(key) if section else None) or header_line
        problems.append(ConfigProblem(path, line, None, key, message))

    if not isinstance(raw, dict):
        problem("collector", "[collector] muss eine Tabelle sein; Standardwerte gelten")
        return FetchPolicy()

    chosen: dict[str, Any] = {}
    for key, value in raw.items():
        rule = _COLLECTOR_RULES.get(key)
        if rule is None:
            problem(key, f"unbekannte Collector-Einstellung{_suggest(key, tuple(_COLLECTOR_RULES))}")
            continue
        types, low, high = rule
        ok_type = isinstance(value, types) and not isinstance(value, bool)
        if ok_type and isinstance(value, float) and not math.isfinite(value):
            problem(key, f"endliche Zahl erwartet, gefunden: {value}; Standardwert gilt")
        elif not ok_type:
            problem(key, f"{_expected(types)} erwartet, gefunden: {_type_name(value)}; Standardwert gilt")
        elif isinstance(value, str) and not value.strip():
            problem(key, "darf nicht leer sein; Standardwert gilt")
        elif not isinstance(value, str) and not (low <= value <= high):
            problem(key, f"muss zwischen {_number(low)} und {_number(high)} liegen; Standardwert gilt")
        else:
            chosen[key] = float(value) if float in types else value
    return FetchPolicy(**chosen)


# --- locating lines in the text ---------------------------------------------------------


@dataclass
class _Section:
    """A table header found in the text, with the first line of each key beneath it."""

    name: str
    is_array: bool
    line: int | None
    keys: dict[str, int]

    def line_of(self, key: str | None) -> int | None:
        if key is None:
            return self.line
        return self.keys.get(key, self.line)


def _scan_sections(text: str) -> list[_Section]:
    """Split the text at table headers; section 0 holds the keys before any header.

    A light scan, not a TOML parser: keys inside multi-line strings may be mistaken for
    real ones, which only ever costs the precision of a line number.
    """
    sections = [_Section("", False, None, {})]
    for number, line in enumerate(text.splitlines(), start=1):
        header = HEADER_RE.match(line)
        if header and header.group(2):
            name = ".".join(part.strip().strip("\"'") for part in header.group(2).split("."))
            sections.append(_Section(name, header.group(1) == "[[", number, {}))
            continue
        key = KEY_RE.match(line)
        if key:
            sections[-1].keys.setdefault(key.group(1).strip("\"'"), number)
    return sections


def _header_line(sections: list[_Section], name: str) -> int | None:
    return next((s.line for s in sections if s.name == name), None)


# --- small helpers ----------------------------------------------------------------------


def _suggest(word: str, choices: tuple[str, ...]) -> str:
    match = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (gemeint: '{match[0]}'?)" if match else ""


def _type_name(value: object) -> str:
    names = {bool: "Wahrheitswert", int: "Zahl", float: "Zahl", str: "Text", list: "Liste", dict: "Tabelle"}
    return names.get(type(value), type(value).__name__)


def _expected(types: tuple[type, ...]) -> str:
    if str in types:
        return "Text"
    return "Zahl" if float in types else "ganze Zahl"


def _number(value: float) -> str:
    return f"{value:g}"


def collector_field_names() -> tuple[str, ...]:
    """The keys ``[collector]`` accepts, in declaration order (for docs and their test)."""
    return tuple(_COLLECTOR_RULES)
