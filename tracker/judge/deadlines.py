"""Deadlines in German and English notices: which date, from which sentence, how sure.

Every date expression of a text is a candidate (``dates.find_mentions``). Each candidate is
described by cue features: which kinds of cue words stand just before it, earlier in its
sentence and after it (``CUES``: "bis"/"until", "Frist"/"closing date", "vom"/"from",
"published", "originally", "extended", "einzureichen"/"submit", ...), whether it starts or
ends a range, carries a time, had its year inferred, is the latest or the only day, lies
before the publication date. A logistic regression learnt from the labelled dev sentences
(``bench/train_deadlines.py`` writes ``data/deadline_model.json``) scores the candidates;
the best one is the deadline when it names a day and scores at least the learnt threshold.
A relative, weekday-only, month-only or recurring expression that wins yields no date: a
wrong date is worse than none. A structured deadline from a JSON adapter always wins.

To teach the extractor a new cue word, add it to its class in ``CUES``: it takes effect at
once with the weight learnt for the class; ``bench/train_deadlines.py`` refits the weights.
"""

from __future__ import annotations

import bisect
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from tracker.judge import sentences
from tracker.judge.dates import Mention, find_mentions, local_date
from tracker.judge.taxonomy import DATA_DIR, Settings
from tracker.judge.types import MAX_TEXT_CHARS, JudgeInput

DEFAULT_MODEL_PATH = DATA_DIR / "deadline_model.json"

# Cue words by what they say about a date next to them. "*" lets the word go on
# ("einreich*": einreichen, einreichung); "~" lets it stand inside a compound ("~frist":
# Vorlagefrist, Fristablauf). The learnt weights belong to the classes, not to the words.
CUES: dict[str, tuple[str, ...]] = {
    "until": ("bis", "until", "till", "through", "up to", "by", "before", "no later than", "not later than",
              "spätestens", "on or before", "prior to", "zum ablauf"),
    "deadline": ("~frist*", "deadline*", "~schluss", "stichtag*", "closing*", "close", "closes", "closed", "due",
                 "end", "ends", "ended", "ending", "end date", "enddatum", "endet", "enden", "~abgabe",
                 "ablauf*", "abgelaufen", "läuft", "runs", "ran", "open until", "remain open"),
    "start": ("vom", "von", "ab", "seit", "from", "since", "beginn*", "starting", "start*", "open", "opens",
              "opening*", "eröffn*", "eingeleitet", "between", "zwischen"),
    "published": ("published", "veröffentlicht*", "publication", "dated", "issued", "datum", "bekanntmachung",
                  "notice", "federal register"),
    "event": ("webinar*", "workshop*", "hearing", "meeting", "sitzung", "veranstaltung*", "findet", "statt",
              "takes place", "take place", "konferenz", "termin", "hat am", "wurde", "beschlossen"),
    "validity": ("fassung", "geltend*", "gilt", "gelten", "gültig*", "in kraft", "außer kraft", "entry into force",
                 "approved through", "expire*", "laufzeit", "zeitraum", "förderzeitraum", "project*", "projekt*",
                 "abgeschlossen", "abgerechnet", "vacanc*", "filled", "decision", "entscheidung", "jury*",
                 "laufen", "geltungsdauer", "dauer", "zugestimmt", "berücksichtigt"),
    "superseded": ("originally", "ursprünglich", "original", "previously", "bisher", "currently", "incorrectly",
                   "zuvor", "would close"),
    "extended": ("extend*", "extension", "verlänger*", "re-open*", "reopen*", "erneut", "now", "corrected",
                 "should read", "additional", "neue"),
    "action": ("einreich*", "einzureichen", "eingereicht", "abzugeben", "abgegeben", "stellungnahme*",
               "stellung zu nehmen", "zu stellen", "gestellt", "vorzulegen", "vorlage*", "übermittel*",
               "beantrag*", "zu beantragen", "bewerb*", "anzuzeigen", "nachzuweisen", "zu berichten", "zu erstellen",
               "zu veröffentlichen", "mitzuteilen", "eingegangen", "eingehen", "zu richten", "gesendet", "senden",
               "durchzuführen", "submit*", "submission*", "comment*", "feedback", "respon*", "received", "receive",
               "nominat*", "applica*", "apply", "register*", "registration", "views", "proposals", "opinion",
               "angebot*", "teilnahme*", "anmeld*", "projektskizze*", "anträge", "antrag*", "einwendung*",
               "question*", "fragen", "inquir*", "say", "report*", "notify", "prüfung"),
    "duty": ("haben", "hat", "ist", "sind", "must", "shall", "müssen", "muss", "verpflichtet", "required", "bitte",
             "please", "können", "kann", "can", "will"),
}
_NEAR = 30  # characters before a date that count as "just before" it
_AFTER = 80  # characters after a date that are read
_DIGIT_OR_MONTH = re.compile(r"\d|\b(?:jan|feb|m[äa]r|apr|ma[iy]|jun|jul|aug|sep|o[ck]t|nov|de[cz])", re.IGNORECASE)


def _cue_pattern(words: Sequence[str]) -> re.Pattern[str]:
    """One class's cue words as a regex over lower-cased text (see ``CUES`` for "*" and "~")."""
    def body(word: str) -> str:
        core = re.escape(word.strip("~*")).replace(r"\ ", r"\s+")
        return core + (r"\w*" if word.endswith("*") else r"(?!\w)")

    at_word_start = [body(w) for w in words if not w.startswith("~")]
    inside = [body(w) for w in words if w.startswith("~")]
    parts = ([r"\b(?:" + "|".join(at_word_start) + ")"] if at_word_start else []) + inside
    return re.compile("|".join(parts))


_CUE_PATTERNS = {name: _cue_pattern(words) for name, words in CUES.items()}
_WINDOWS = ("near", "before", "after", "sentence")
STRUCTURE = ("no_day", "range_start", "range_end", "has_time", "year_inferred", "only_day", "first_day",
             "last_day", "latest_day", "earliest_day", "before_published", "is_published", "next_has_until",
             "relative_in_text")
# Pairs that say more together than apart: a cue right before the date in a sentence that
# asks for something, or one that speaks of validity or the past.
PAIRS = (("until@near", "action@sentence"), ("deadline@before", "action@sentence"),
         ("until@near", "validity@sentence"), ("until@near", "event@sentence"),
         ("until@near", "superseded@sentence"), ("range_end", "action@sentence"),
         ("extended@sentence", "relative_in_text"), ("superseded@sentence", "relative_in_text"))
FEATURES = (tuple(f"{name}@{window}" for window in _WINDOWS for name in CUES) + STRUCTURE
            + tuple(f"{a}+{b}" for a, b in PAIRS))


@dataclass(frozen=True)
class Deadline:
    date: date | None = None
    sentence: str | None = None
    confidence: float | None = None
    origin: str | None = None


_NONE = Deadline()


@dataclass(frozen=True)
class DeadlineModel:
    """Learnt weights per feature (``FEATURES``), a bias and the threshold a winner needs."""

    weights: dict[str, float]
    bias: float
    threshold: float
    version: str = ""

    def probability(self, features: dict[str, float]) -> float:
        z = self.bias + sum(self.weights.get(name, 0.0) * value for name, value in features.items())
        return 1.0 / (1.0 + math.exp(-z))


def load_model(path: Path = DEFAULT_MODEL_PATH) -> DeadlineModel:
    data = json.loads(path.read_text(encoding="utf-8"))
    return DeadlineModel(dict(zip(data["features"], data["weights"], strict=True)), data["bias"],
                         data["threshold"], data.get("version", ""))


@cache
def default_model() -> DeadlineModel:
    """The shipped weights, read once per process."""
    return load_model()


def candidate_features(text: str, mentions: Sequence[Mention], published: date | None) -> list[dict[str, float]]:
    """The features of each mention of ``text`` (one dict per mention, names from ``FEATURES``)."""
    days = [m.value for m in mentions if m.value is not None]
    relative = any(m.kind == "relative" for m in mentions)
    spans = sentences.split(text)
    # Where each class of cue stands, found once per text: a window has a cue when one of
    # its cues lies inside it.
    lowered = text.lower()
    if len(lowered) != len(text):  # "İ" grows when lowered: keep every offset
        lowered = "".join(c.lower()[:1] for c in text)
    cues = {name: [m.span() for m in pattern.finditer(lowered)] for name, pattern in _CUE_PATTERNS.items()}
    out = []
    for index, mention in enumerate(mentions):
        begin, end = next(((s, e) for s, e in spans if s <= mention.start < e), (0, len(text)))
        previous_end = max([m.end for m in mentions[:index] if m.end <= mention.start and m.end > begin] + [begin])
        following = [m.start for m in mentions[index + 1:] if m.start >= mention.end]
        next_start = min(following + [end])
        windows = {"near": ((max(previous_end, mention.start - _NEAR), mention.start),),
                   "before": ((begin, mention.start),),
                   "after": ((mention.end, min(next_start, mention.end + _AFTER)),),
                   "sentence": ((begin, mention.start), (mention.end, end))}
        features = {f"{name}@{window}": 1.0 for window, parts in windows.items()
                    for name, found in cues.items() if any(_inside(found, lo, hi) for lo, hi in parts)}
        value = mention.value
        flags = {
            "no_day": value is None, "range_start": mention.range_role == "start",
            "range_end": mention.range_role == "end", "has_time": mention.has_time,
            "year_inferred": mention.year_inferred, "only_day": value is not None and len(days) == 1,
            "first_day": value is not None and value == days[0] and len(days) > 1,
            "last_day": value is not None and value == days[-1] and len(days) > 1,
            "latest_day": value is not None and value == max(days) and len(set(days)) > 1,
            "earliest_day": value is not None and value == min(days) and len(set(days)) > 1,
            "before_published": value is not None and published is not None and value < published,
            "is_published": value is not None and value == published,
            "next_has_until": bool(following) and _inside(cues["until"], mention.end, following[0]),
            "relative_in_text": relative,
        }
        features.update({name: 1.0 for name, on in flags.items() if on})
        features.update({f"{a}+{b}": 1.0 for a, b in PAIRS if a in features and b in features})
        out.append(features)
    return out


def _inside(spans: list[tuple[int, int]], low: int, high: int) -> bool:
    """Whether one of ``spans`` (in text order) lies within ``low``..``high``."""
    index = bisect.bisect_left(spans, (low, low))
    return index < len(spans) and spans[index][1] <= high


def deadline_from_text(text: str, *, zone: str = "Europe/Berlin", us_order: bool = False,
                       published: date | None = None, model: DeadlineModel | None = None) -> Deadline:
    """The deadline stated in ``text``, or an empty Deadline."""
    if not text or not _DIGIT_OR_MONTH.search(text):
        return _NONE
    mentions = find_mentions(text, zone=zone, us_order=us_order, published=published)
    if not mentions:
        return _NONE
    model = model or default_model()
    scored = [(model.probability(f), m) for f, m in
              zip(candidate_features(text, mentions, published), mentions, strict=True)]
    probability, best = max(scored, key=lambda pair: pair[0])  # the first of equals
    if best.value is None or probability < model.threshold:
        return _NONE
    sentence = next((text[s:e] for s, e in sentences.split(text) if s <= best.start < e), text)
    return Deadline(date=best.value, sentence=sentence.strip(), confidence=round(probability, 2), origin="text")


def zone_for(jurisdiction: str | None, settings: Settings) -> str:
    if jurisdiction:
        code = jurisdiction.lower()
        for key in (code, code.split("-")[0]):
            if key in settings.timezones:
                return settings.timezones[key]
    return settings.timezone


def find_deadline(item: JudgeInput, settings: Settings, model: DeadlineModel | None = None) -> Deadline:
    """The structured deadline if the adapter gave one, else the deadline found in the
    first of deadline text, summary, full text and title that states one."""
    if item.deadline is not None:
        return Deadline(date=item.deadline, sentence=item.deadline_text, confidence=1.0, origin="structured")
    zone = zone_for(item.jurisdiction, settings)
    us_order = (item.jurisdiction or "").lower().startswith("us")
    published = local_date(item.published, zone) if item.published else None
    for text in (item.deadline_text, item.summary, item.text[:MAX_TEXT_CHARS], item.title):
        if text:
            found = deadline_from_text(text, zone=zone, us_order=us_order, published=published, model=model)
            if found.date is not None:
                return found
    return _NONE
