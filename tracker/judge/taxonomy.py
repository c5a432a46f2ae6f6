"""The topic taxonomy in ``data/topics.toml``: loading and validating it.

Users edit the file without touching code, so every error names the file, the line of
the table it is in, the topic and the field.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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
    kind: str = "term"  # term | exclude | mask | context


@dataclass(frozen=True)
class Topic:
    id: str
    label_de: str
    label_en: str
    terms: tuple[Term, ...]
    exclude: tuple[str, ...]


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


@dataclass(frozen=True)
class Taxonomy:
    path: Path
    sha: str
    settings: Settings
    topics: dict[str, Topic]
    masks: tuple[str, ...]
    context: tuple[str, ...]

    def all_terms(self) -> list[Term]:
        """Every phrase the matcher looks for: topic terms, exclusions, masks, context."""
        terms = [term for topic in self.topics.values() for term in topic.terms]
        terms += [Term(text, topic.id, 0.0, "exclude") for topic in self.topics.values()
                  for text in topic.exclude]
        terms += [Term(text, "", 0.0, "mask") for text in self.masks]
        terms += [Term(text, "", 0.0, "context") for text in self.context]
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
        at = f", line {line}" if line else ""
        return ConfigError(f"{self.path}{at}: {where}: {message}")


def _number(checker: _Checker, header: str, where: str, value: object, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise checker.fail(header, where, f"must be a number, got {value!r}")
    if not low <= float(value) <= high:
        raise checker.fail(header, where, f"must be between {low} and {high}, got {value}")
    return float(value)


def _strings(checker: _Checker, header: str, where: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise checker.fail(header, where, "must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _settings(checker: _Checker, raw: object) -> Settings:
    if raw is None:
        return Settings()
    if not isinstance(raw, dict):
        raise checker.fail("settings", "settings", "must be a table")
    known = {"threshold", "topic_threshold", "topic_score_floor", "remit", "timezone", "timezones", "field_weights",
             "tier_weights", "model_weight", "context_boost"}
    for key in raw:
        if key not in known:
            raise checker.fail("settings", f"settings, field '{key}'", f"unknown setting (known: {sorted(known)})")
    out = Settings()
    values: dict[str, object] = {}
    for key in ("threshold", "topic_threshold", "topic_score_floor", "model_weight", "context_boost"):
        if key in raw:
            values[key] = _number(checker, "settings", f"settings, field '{key}'", raw[key], 0.0, 1.0)
    floor = values.get("topic_score_floor", out.topic_score_floor)
    if floor > values.get("topic_threshold", out.topic_threshold):  # type: ignore[operator]
        raise checker.fail("settings", "settings, field 'topic_score_floor'",
                           f"must not exceed topic_threshold (a listed topic must keep its score), got {floor}")
    if "remit" in raw:
        values["remit"] = tuple(v.lower() for v in _strings(checker, "settings", "settings, field 'remit'",
                                                              raw["remit"]))
    zones = {"timezone": raw.get("timezone", out.timezone)}
    timezones = raw.get("timezones", {})
    if not isinstance(timezones, dict):
        raise checker.fail("settings", "settings, field 'timezones'", "must be a table jurisdiction = zone")
    zones.update({f"timezones.{k}": v for k, v in timezones.items()})
    for key, zone in zones.items():
        try:
            ZoneInfo(str(zone))
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise checker.fail("settings", f"settings, field '{key}'", f"unknown time zone {zone!r}") from exc
    values["timezone"] = str(zones["timezone"])
    values["timezones"] = {str(k).lower(): str(v) for k, v in timezones.items()}
    weights = raw.get("field_weights", {})
    if not isinstance(weights, dict) or set(weights) - set(FIELDS):
        raise checker.fail("settings", "settings, field 'field_weights'", f"must be a table with keys {FIELDS}")
    merged = dict(out.field_weights)
    for key, value in weights.items():
        merged[key] = _number(checker, "settings", f"settings, field 'field_weights.{key}'", value, 0.0, 1.0)
    values["field_weights"] = merged
    return Settings(**values)  # type: ignore[arg-type]


def _tier_weights(checker: _Checker, raw: dict[str, object]) -> dict[str, float]:
    weights = {"strong": 0.9, "terms": 0.6, "weak": 0.25}
    given = raw.get("tier_weights", {})
    if not isinstance(given, dict) or set(given) - set(TIERS):
        raise checker.fail("settings", "settings, field 'tier_weights'", f"must be a table with keys {TIERS}")
    for key, value in given.items():
        weights[key] = _number(checker, "settings", f"settings, field 'tier_weights.{key}'", value, 0.0, 1.0)
    return weights


def _topic(checker: _Checker, topic_id: str, raw: object, tiers: dict[str, float]) -> Topic:
    header = f"topics.{topic_id}"
    if not TOPIC_ID.match(topic_id):
        raise checker.fail(header, f"topic '{topic_id}'", "ids are lower-case letters, digits and _")
    if not isinstance(raw, dict):
        raise checker.fail(header, f"topic '{topic_id}'", "must be a table")
    known = {"label_de", "label_en", "exclude", *TIERS}
    for key in raw:
        if key not in known:
            raise checker.fail(header, f"topic '{topic_id}', field '{key}'", f"unknown field (known: {sorted(known)})")
    labels = {}
    for key in ("label_de", "label_en"):
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            raise checker.fail(header, f"topic '{topic_id}', field '{key}'", "is required (non-empty text)")
        labels[key] = value.strip()
    terms: list[Term] = []
    for tier in TIERS:
        if tier in raw:
            for text in _strings(checker, header, f"topic '{topic_id}', field '{tier}'", raw[tier]):
                terms.append(Term(text=text, topic=topic_id, weight=tiers[tier]))
    if not terms:
        raise checker.fail(header, f"topic '{topic_id}', field 'terms'", "a topic needs at least one term")
    exclude = _strings(checker, header, f"topic '{topic_id}', field 'exclude'", raw.get("exclude", []))
    return Topic(id=topic_id, label_de=labels["label_de"], label_en=labels["label_en"],
                 terms=tuple(terms), exclude=exclude)


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Read and validate the taxonomy; raises ConfigError naming file, line, topic and field."""
    path = Path(path) if path is not None else DEFAULT_TAXONOMY_PATH
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read taxonomy: {exc.strerror or exc}") from exc
    text = data.decode("utf-8", errors="replace")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    checker = _Checker(path, text)
    for key in raw:
        if key not in ("settings", "topics", "masks", "context"):
            raise checker.fail(key, f"table '{key}'", "unknown table (known: settings, topics, masks, context)")
    settings = _settings(checker, raw.get("settings"))
    tiers = _tier_weights(checker, raw.get("settings") or {})
    topics_raw = raw.get("topics")
    if not isinstance(topics_raw, dict) or not topics_raw:
        raise ConfigError(f"{path}: no [topics.<id>] tables found")
    topics = {tid: _topic(checker, tid, body, tiers) for tid, body in topics_raw.items()}
    missing = [tid for tid in REQUIRED_TOPICS if tid not in topics]
    if missing:
        raise ConfigError(f"{path}: required topics missing: {', '.join(missing)}")
    masks = _strings(checker, "masks", "masks, field 'terms'", (raw.get("masks") or {}).get("terms", []))
    context = _strings(checker, "context", "context, field 'terms'", (raw.get("context") or {}).get("terms", []))
    return Taxonomy(path=path, sha=hashlib.sha256(data).hexdigest()[:12], settings=settings,
                    topics=topics, masks=masks, context=context)


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
