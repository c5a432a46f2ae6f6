"""The topic taxonomy in ``data/topics.toml``: loading and validating it.

Users edit the file without touching code, so every error names the file, the line of
the table it is in, the topic and the field.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tracker import config_file
from tracker.errors import ConfigError
from tracker.settings import DATA_DIR

DEFAULT_TAXONOMY_PATH = DATA_DIR / "topics.toml"

# The ids other parts of the product rely on (DESIGN.md); more may be added.
REQUIRED_TOPICS = (
    "iot_networks", "urban_data", "energy", "mobility", "broadband", "egovernment",
    "cybersecurity", "ai", "water", "funding", "procurement_municipal",
)
TIERS = ("strong", "terms", "weak")
TOPIC_ID = re.compile(r"^[a-z][a-z0-9_]*$")
FIELDS = ("title", "summary", "text")


@dataclass(frozen=True)
class Term:
    """One taxonomy term as written by the user, with the topic and weight it gives."""

    text: str
    topic: str
    weight: float
    kind: str = "term"  # term | exclude | mask | addressee | kind (``topic`` holds the kind's id)


@dataclass(frozen=True)
class Topic:
    id: str
    label_de: str
    label_en: str
    terms: tuple[Term, ...]
    exclude: tuple[str, ...]


@dataclass(frozen=True)
class Kind:
    """A kind of document (an answer to a parliamentary question, an appointment, a court
    ruling, product rules...): a signal the relevance model weighs, not a topic."""

    id: str
    label_de: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class Settings:
    threshold: float = 0.5
    topic_threshold: float = 0.3
    # Topic scores below this are not reported or stored: with a model every topic gets a
    # score, and most of them are noise (0.00-0.04) that only clutters the item's view.
    topic_score_floor: float = 0.05
    remit: tuple[str, ...] = ("eu", "de", "de-*")
    timezone: str = "Europe/Berlin"
    timezones: dict[str, str] = field(default_factory=dict)
    field_weights: dict[str, float] = field(
        default_factory=lambda: {"title": 1.0, "summary": 0.7, "text": 0.5})
    model_weight: float = 0.5
    context_boost: float = 0.0
    # How steeply the shown score rises around the threshold (1 = the raw score as it is).
    # Rule hits add up towards 1 quickly, so raw scores bunch near 0 and 1; a slope below 1,
    # fitted on cross-validated scores (bench/relevance_eval.py prints them), spreads them
    # to what they mean: how often items scored like this were relevant.
    calibration_slope: float = 1.0        # rules and model
    calibration_slope_rules: float = 1.0  # rules alone (no trained model)


@dataclass(frozen=True)
class Taxonomy:
    path: Path
    sha: str
    settings: Settings
    topics: dict[str, Topic]
    masks: tuple[str, ...]
    addressees: tuple[str, ...]
    kinds: dict[str, Kind] = field(default_factory=dict)

    def all_terms(self) -> list[Term]:
        """Every phrase the matcher looks for: topic terms, exclusions, masks, addressees, kinds."""
        terms = [term for topic in self.topics.values() for term in topic.terms]
        terms += [Term(text, topic.id, 0.0, "exclude") for topic in self.topics.values()
                  for text in topic.exclude]
        terms += [Term(text, "", 0.0, "mask") for text in self.masks]
        terms += [Term(text, "", 0.0, "addressee") for text in self.addressees]
        terms += [Term(text, kind.id, 0.0, "kind") for kind in self.kinds.values() for text in kind.terms]
        return terms


class _Checker:
    """Collects the location of a problem so the message can name it."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    def line_of(self, header: str) -> int | None:
        pattern = re.compile(rf"^\s*\[{re.escape(header)}\]\s*(#.*)?$")
        for number, line in enumerate(self.lines, start=1):
            if pattern.match(line):
                return number
        return None

    def fail(self, header: str, where: str, message: str) -> ConfigError:
        line = self.line_of(header)
        at = f", Zeile {line}" if line else ""
        return ConfigError(f"{self.path}{at}: {where}: {message}")


def _number(checker: _Checker, header: str, where: str, value: object, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise checker.fail(header, where, f"Zahl erwartet, gefunden: {value!r}")
    if not low <= float(value) <= high:
        raise checker.fail(header, where, f"muss zwischen {low:g} und {high:g} liegen, gefunden: {value}")
    return float(value)


def _strings(checker: _Checker, header: str, where: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise checker.fail(header, where, "Liste nicht leerer Texte erwartet")
    return tuple(v.strip() for v in value)


def _settings(checker: _Checker, raw: object) -> Settings:
    if raw is None:
        return Settings()
    if not isinstance(raw, dict):
        raise checker.fail("settings", "settings", "muss eine Tabelle sein")
    known = {"threshold", "topic_threshold", "topic_score_floor", "remit", "timezone", "timezones", "field_weights",
             "tier_weights", "model_weight", "context_boost", "calibration_slope", "calibration_slope_rules"}
    for key in raw:
        if key not in known:
            raise checker.fail("settings", f"settings, Feld '{key}'",
                               f"unbekannte Einstellung (bekannt: {', '.join(sorted(known))})")
    out = Settings()
    values: dict[str, object] = {}
    for key in ("threshold", "topic_threshold", "topic_score_floor", "model_weight", "context_boost"):
        if key in raw:
            values[key] = _number(checker, "settings", f"settings, Feld '{key}'", raw[key], 0.0, 1.0)
    for key in ("calibration_slope", "calibration_slope_rules"):
        if key in raw:
            values[key] = _number(checker, "settings", f"settings, Feld '{key}'", raw[key], 0.05, 5.0)
    floor = values.get("topic_score_floor", out.topic_score_floor)
    if floor > values.get("topic_threshold", out.topic_threshold):  # type: ignore[operator]
        raise checker.fail("settings", "settings, Feld 'topic_score_floor'",
                           f"darf topic_threshold nicht übersteigen (ein angezeigtes Thema muss seinen Score "
                           f"behalten), gefunden: {floor}")
    if "remit" in raw:
        values["remit"] = tuple(v.lower() for v in _strings(checker, "settings", "settings, Feld 'remit'",
                                                              raw["remit"]))
    zones = {"timezone": raw.get("timezone", out.timezone)}
    timezones = raw.get("timezones", {})
    if not isinstance(timezones, dict):
        raise checker.fail("settings", "settings, Feld 'timezones'", "Tabelle Rechtsraum = Zeitzone erwartet")
    zones.update({f"timezones.{k}": v for k, v in timezones.items()})
    for key, zone in zones.items():
        try:
            ZoneInfo(str(zone))
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise checker.fail("settings", f"settings, Feld '{key}'", f"unbekannte Zeitzone {zone!r}") from exc
    values["timezone"] = str(zones["timezone"])
    values["timezones"] = {str(k).lower(): str(v) for k, v in timezones.items()}
    weights = raw.get("field_weights", {})
    if not isinstance(weights, dict) or set(weights) - set(FIELDS):
        raise checker.fail("settings", "settings, Feld 'field_weights'",
                           f"Tabelle mit den Schlüsseln {', '.join(FIELDS)} erwartet")
    merged = dict(out.field_weights)
    for key, value in weights.items():
        merged[key] = _number(checker, "settings", f"settings, Feld 'field_weights.{key}'", value, 0.0, 1.0)
    values["field_weights"] = merged
    return Settings(**values)  # type: ignore[arg-type]


def _tier_weights(checker: _Checker, raw: dict[str, object]) -> dict[str, float]:
    weights = {"strong": 0.9, "terms": 0.6, "weak": 0.25}
    given = raw.get("tier_weights", {})
    if not isinstance(given, dict) or set(given) - set(TIERS):
        raise checker.fail("settings", "settings, Feld 'tier_weights'",
                           f"Tabelle mit den Schlüsseln {', '.join(TIERS)} erwartet")
    for key, value in given.items():
        weights[key] = _number(checker, "settings", f"settings, Feld 'tier_weights.{key}'", value, 0.0, 1.0)
    return weights


def _topic(checker: _Checker, topic_id: str, raw: object, tiers: dict[str, float]) -> Topic:
    header = f"topics.{topic_id}"
    if not TOPIC_ID.match(topic_id):
        raise checker.fail(header, f"Thema '{topic_id}'", "Kennungen bestehen aus Kleinbuchstaben, Ziffern und _")
    if not isinstance(raw, dict):
        raise checker.fail(header, f"Thema '{topic_id}'", "muss eine Tabelle sein")
    known = {"label_de", "label_en", "exclude", *TIERS}
    for key in raw:
        if key not in known:
            raise checker.fail(header, f"Thema '{topic_id}', Feld '{key}'",
                               f"unbekanntes Feld (bekannt: {', '.join(sorted(known))})")
    labels = {}
    for key in ("label_de", "label_en"):
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            raise checker.fail(header, f"Thema '{topic_id}', Feld '{key}'", "fehlt (nicht leerer Text erwartet)")
        labels[key] = value.strip()
    terms: list[Term] = []
    for tier in TIERS:
        if tier in raw:
            for text in _strings(checker, header, f"Thema '{topic_id}', Feld '{tier}'", raw[tier]):
                terms.append(Term(text=text, topic=topic_id, weight=tiers[tier]))
    if not terms:
        raise checker.fail(header, f"Thema '{topic_id}', Feld 'terms'", "ein Thema braucht mindestens einen Begriff")
    exclude = _strings(checker, header, f"Thema '{topic_id}', Feld 'exclude'", raw.get("exclude", []))
    return Topic(id=topic_id, label_de=labels["label_de"], label_en=labels["label_en"],
                 terms=tuple(terms), exclude=exclude)


def _kind(checker: _Checker, kind_id: str, raw: object) -> Kind:
    header = f"kinds.{kind_id}"
    if not TOPIC_ID.match(kind_id):
        raise checker.fail(header, f"Dokumentart '{kind_id}'", "Kennungen bestehen aus Kleinbuchstaben, Ziffern und _")
    if not isinstance(raw, dict) or set(raw) - {"label_de", "terms"}:
        raise checker.fail(header, f"Dokumentart '{kind_id}'", "muss eine Tabelle mit label_de und terms sein")
    label = raw.get("label_de")
    if not isinstance(label, str) or not label.strip():
        raise checker.fail(header, f"Dokumentart '{kind_id}', Feld 'label_de'", "fehlt (nicht leerer Text erwartet)")
    return Kind(kind_id, label.strip(), _strings(checker, header, f"Dokumentart '{kind_id}', Feld 'terms'",
                                                 raw.get("terms")))


def file_sha(path: Path) -> str:
    """The file's bytes' hash, as stored with each judgement (``storage.judgements``)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Read and validate the taxonomy; raises ConfigError naming file, line, topic and field."""
    path = Path(path) if path is not None else DEFAULT_TAXONOMY_PATH
    raw, text = config_file.read_toml(path, "Themenliste")
    checker = _Checker(path, text)
    tables = ("settings", "topics", "masks", "addressees", "context", "kinds")
    for key in raw:
        if key not in tables:
            raise checker.fail(key, f"Tabelle '{key}'", f"unbekannte Tabelle (bekannt: {', '.join(tables)})")
    settings = _settings(checker, raw.get("settings"))
    tiers = _tier_weights(checker, raw.get("settings") or {})
    topics_raw = raw.get("topics")
    if not isinstance(topics_raw, dict) or not topics_raw:
        raise ConfigError(f"{path}: keine [topics.<id>]-Tabellen gefunden")
    topics = {tid: _topic(checker, tid, body, tiers) for tid, body in topics_raw.items()}
    missing = [tid for tid in REQUIRED_TOPICS if tid not in topics]
    if missing:
        raise ConfigError(f"{path}: Pflicht-Themen fehlen: {', '.join(missing)}")
    masks = _strings(checker, "masks", "masks, Feld 'terms'", (raw.get("masks") or {}).get("terms", []))
    # [context] is the older name of [addressees].
    table = "addressees" if "addressees" in raw else "context"
    addressees = _strings(checker, table, f"{table}, Feld 'terms'", (raw.get(table) or {}).get("terms", []))
    kinds_raw = raw.get("kinds") or {}
    if not isinstance(kinds_raw, dict):
        raise checker.fail("kinds", "kinds", "muss aus Tabellen [kinds.<id>] bestehen")
    kinds = {kid: _kind(checker, kid, body) for kid, body in kinds_raw.items()}
    return Taxonomy(path=path, sha=file_sha(path), settings=settings,
                    topics=topics, masks=masks, addressees=addressees, kinds=kinds)


_loaded: dict[Path, tuple[tuple[int, int], Taxonomy]] = {}


def current_taxonomy(path: Path | None = None) -> Taxonomy:
    """``load_taxonomy``, parsed again only when the file changed on disk (mtime, size)."""
    path = Path(path) if path is not None else DEFAULT_TAXONOMY_PATH
    try:
        stat = path.stat()
        signature = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        return load_taxonomy(path)  # reports the missing file
    cached = _loaded.get(path)
    if cached is None or cached[0] != signature:
        cached = (signature, load_taxonomy(path))
        _loaded[path] = cached
    return cached[1]


def topic_ids(path: Path | None = None) -> tuple[str, ...]:
    """The topic ids of ``data/topics.toml``: the contract ids plus any the team added."""
    return tuple(current_taxonomy(path).topics)


def topic_labels(path: Path | None = None) -> dict[str, str]:
    """Topic id → German label, for everything a user reads (pages, calendars, e-mails).
    While the taxonomy cannot be read, the ids stand in (callers show ``labels.get(id, id)``)."""
    try:
        return {tid: topic.label_de for tid, topic in current_taxonomy(path).topics.items()}
    except ConfigError:
        return {}
