"""Deadlines in German and English notices: which date, from which sentence, how sure.

Every date expression of a text is a candidate (``dates.find_mentions``). Each candidate is
described by cue features: which kinds of cue words (``CUES``: "bis"/"until", "Frist"/"closing
date", "vom"/"from", "Bindefrist"/"Fassung", "originally", "extended", "einzureichen"/"submit",
...) stand just before it, in its clause, after it and elsewhere in its sentence, which kind
is the nearest before and after it, whether it starts or ends a range, follows a label's colon,
carries a time, had its year inferred, is the first, latest or only day. "No deadline" is a
candidate too, described by the cue kinds of the whole text. A conditional logit learnt from
the labelled dev sentences (``bench/train_deadlines.py`` writes ``data/deadline_model.json``)
gives each candidate its probability of being the deadline; the best one is the deadline
when it names a day and its probability reaches the learnt threshold. A relative,
weekday-only, month-only or recurring expression that wins yields no date: a wrong date is
worse than none. Short of the threshold, the likeliest day is kept as a ``possible`` deadline
when its probability reaches ``POSSIBLE_FLOOR``: for a person to check, never for calendars.
A structured deadline from a JSON adapter always wins.

To teach the extractor a new cue word, add it to its class in ``CUES``: it takes effect at
once with the weights learnt for the class; ``bench/train_deadlines.py`` refits the weights.
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

import ahocorasick_rs

from tracker.judge import sentences
from tracker.judge.dates import Mention, find_mentions, local_date
from tracker.judge.taxonomy import DATA_DIR, Settings
from tracker.judge.types import MAX_TEXT_CHARS, JudgeInput, PossibleDeadline
from tracker.vocabulary import DeadlineOrigin

DEFAULT_MODEL_PATH = DATA_DIR / "deadline_model.json"

# Cue words by what they say about a date next to them. "*" lets the word go on
# ("einreich*": einreichen, einreichung); "~" lets it stand inside a compound ("~frist":
# Vorlagefrist, Fristablauf). A cue inside a longer one does not count ("Bindefrist" is a
# validity cue, not a deadline). The learnt weights belong to the classes, not to the words.
CUES: dict[str, tuple[str, ...]] = {
    "until": ("bis", "until", "till", "through", "up to", "by", "before", "no later than", "not later than",
              "spätestens", "on or before", "prior to", "zum ablauf", "to", "bis zum", "bis zur", "bis spätestens zum",
              "spätestens zum", "spätestens am", "spätestens bis", "bis einschließlich", "until and including"),
    "on": ("am", "on", "zum", "per", "at", "dated"),
    "deadline": ("~frist*", "deadline*", "~schluss", "stichtag*", "closing*", "close", "closes", "closed", "due",
                 "end", "ends", "ended", "ending", "end date", "~end_date", "enddatum", "endet", "enden", "~abgabe",
                 "ablauf*", "abgelaufen", "läuft", "runs", "ran", "open until", "remain open", "expires on", "lief",
                 "andauert"),
    "start": ("vom", "von", "ab", "seit", "from", "since", "beginn*", "starting", "start*", "~_start_date", "open",
              "opens", "opening*", "eröffn*", "eingeleitet", "between", "zwischen", "erstmals"),
    "published": ("published", "veröffentlicht*", "publication", "issued", "datum", "bekanntmachung",
                  "notice", "federal register", "stand", "vorgelegt am"),
    "event": ("webinar*", "workshop*", "hearing", "meeting", "veranstaltung*", "findet", "statt",
              "takes place", "take place", "held", "konferenz", "termin", "hat am", "wurde", "wurden", "beschlossen",
              "information session", "site visit", "session*", "teleconference",
              "public hearing", "anhörung", "~sitzung"),
    "validity": ("fassung", "geltend*", "gilt", "gelten", "gültig*", "in kraft", "außer kraft", "entry into force",
                 "approved through", "expire*", "laufzeit", "~zeitraum", "project*", "projekt*", "~bindefrist",
                 "~ausführungsfrist", "~zuschlagsfrist", "~vertragslaufzeit", "~leistungszeitraum", "ausführung*",
                 "abgeschlossen", "abgerechnet", "vacanc*", "filled", "decision", "entscheidung", "jury*",
                 "laufen", "geltungsdauer", "dauer", "zugestimmt", "berücksichtigt", "in betrieb", "inbetriebnahme",
                 "effective", "compliance date", "befristet", "sichtbar", "durchführungszeitraum", "fertigstellung*",
                 "herstellung", "beschäftigt", "enforce*"),
    "superseded": ("originally", "ursprünglich", "original", "previously", "bisher", "currently", "incorrectly",
                   "zuvor", "would close", "would end", "which closed", "scheduled to", "anstelle",
                   "instead of", "statt des"),
    "extended": ("extend*", "extension", "verlänger*", "verschoben", "re-open*", "reopen*", "erneut", "now",
                 "corrected", "should read", "additional", "neue", "neuen", "nunmehr", "auf den", "geändert"),
    "action": ("einreich*", "einzureichen", "eingereicht", "abzugeben", "abgegeben", "stellungnahme*",
               "stellung zu nehmen", "zu stellen", "gestellt", "vorzulegen", "vorlage*", "übermittel*",
               "beantrag*", "zu beantragen", "bewerb*", "anzuzeigen", "nachzuweisen", "zu berichten", "zu erstellen",
               "zu veröffentlichen", "mitzuteilen", "eingegangen", "eingehen", "zu richten", "gesendet", "senden",
               "durchzuführen", "zu beschließen", "aufzustellen", "zu melden", "umzusetzen", "zu übermitteln",
               "zu entrichten", "zu zahlen", "zu erlassen", "zu treffen", "vorzunehmen", "zu registrieren",
               "submit*", "submission*", "comment*", "feedback", "respon*", "received", "receive",
               "nominat*", "applica*", "apply", "register*", "registration", "views", "proposals", "opinion",
               "angebot*", "teilnahme*", "anmeld*", "projektskizze*", "skizze*", "anträge", "antrag*", "einwendung*",
               "question*", "fragen", "bieterfragen", "inquir*", "say", "report*", "notify", "prüfung", "transmittal",
               "eingabe*", "interessenbekundung*", "beiträge", "consultation*", "konsultation*", "input", "evidence"),
    "duty": ("haben", "hat", "ist", "sind", "must", "shall", "müssen", "muss", "verpflichtet", "required", "bitte",
             "please", "will", "soll", "sollen", "obliged", "requires"),
    "may": ("können", "kann", "can", "may", "darf", "dürfen", "möglich", "optional", "welcome", "invited",
            "abweichend", "ausnahme*", "abgesehen", "exempt*"),
    "negation": ("nicht", "keine", "kein", "keinen", "not", "no", "entfällt", "cancel*", "withdrawn", "aufgehoben"),
}
_NEAR = 40  # characters before a date that count as "just before" it
_AFTER = 60  # characters after a date that are read
_DIGIT_OR_MONTH = re.compile(r"\d|\b(?:jan|feb|m[äa]r|apr|ma[iy]|jun|jul|aug|sep|o[ck]t|nov|de[cz])", re.IGNORECASE)
_COLON_BEFORE = re.compile(r"[:|]\W{0,6}$")
_WINDOWS = ("near", "clause", "after", "sentence")
# The kinds of cue that tell the deadline apart from other dates: their nearest one before
# and after a candidate is a feature of its own, and combined with where the candidate stands.
NEAREST = ("until", "deadline", "start", "published", "event", "validity", "superseded", "extended", "action",
           "none")
STRUCTURE = ("range_start", "range_end", "has_time", "year_inferred", "colon_before", "only_day", "first_day",
             "last_day", "latest_day", "earliest_day", "before_published", "is_published", "first_cued",
             "latest_cued", "kind_relative", "kind_weekday", "kind_vague", "kind_recurring", "kind_yearless",
             "extended@text", "superseded@text")
# Whole-text features of the "no deadline" candidate.
NULL = ("null",) + tuple(f"null&{name}@text" for name in CUES) + ("null&no_day_at_all", "null&one_day",
                                                                 "null&relative_in_text")
PAIRED_WITH = ("range_start", "range_end", "action@sentence", "superseded@clause", "extended@sentence",
               "validity@after", "event@sentence", "first_day", "latest_day", "colon_before")
FEATURES = (tuple(f"{name}@{window}" for window in _WINDOWS for name in CUES)
            + tuple(f"last={name}" for name in NEAREST) + tuple(f"next={name}" for name in NEAREST)
            + STRUCTURE
            + tuple(f"last={name}+{other}" for name in NEAREST for other in PAIRED_WITH)
            + NULL)


# A day the chooser would not take, but likely enough to be worth a person's look: the best
# day-naming candidate with at least this probability is kept as a "possible" deadline. It is
# shown as "Frist prüfen" on the item and never enters calendars, reminders or the deadline
# columns: a missed deadline is the worst failure, a look at a sentence is cheap. Chosen on
# the dev sentences' cross-validation (docs/BENCHMARKS.md, "Possible deadlines").
POSSIBLE_FLOOR = 0.15


@dataclass(frozen=True)
class Deadline:
    """The deadline found (``date``), or else a ``possible`` one to check; the sentence that
    names either and the chooser's probability for it."""

    date: date | None = None
    sentence: str | None = None
    confidence: float | None = None
    origin: str | None = None
    possible: PossibleDeadline | None = None


_NONE = Deadline()


@dataclass(frozen=True)
class DeadlineModel:
    """Learnt weights per feature (``FEATURES``) and the probability a winner needs."""

    weights: dict[str, float]
    threshold: float
    version: str = ""

    def probabilities(self, candidates: Sequence[dict[str, float]]) -> list[float]:
        """The probability of each candidate (the last one is "no deadline"): a softmax over
        their scores, so the candidates of one text compete."""
        scores = [sum(self.weights.get(name, 0.0) * value for name, value in f.items()) for f in candidates]
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return [e / total for e in exps]


def load_model(path: Path = DEFAULT_MODEL_PATH) -> DeadlineModel:
    data = json.loads(path.read_text(encoding="utf-8"))
    return DeadlineModel(dict(zip(data["features"], data["weights"], strict=True)), data["threshold"],
                         data.get("version", ""))


@cache
def default_model() -> DeadlineModel:
    """The shipped weights, read once per process."""
    return load_model()


@dataclass(frozen=True)
class _Cue:
    core: str  # the cue word without its marks, lower case
    kind: str  # its class in ``CUES``
    inside: bool  # "~": may stand inside a compound
    goes_on: bool  # "*": the word may go on


_CUE_WORDS = [_Cue(word.strip("~*"), kind, word.startswith("~"), word.endswith("*"))
              for kind, words in CUES.items() for word in words]
_CUE_AUTOMATON = ahocorasick_rs.AhoCorasick([c.core for c in _CUE_WORDS])


def find_cues(text: str) -> list[tuple[int, int, str]]:
    """(start, end, class) of every cue word in ``text``, in text order. A cue lying inside a
    longer one is not counted: "frist" in "Bindefrist", "bis" in "bis spätestens zum",
    "projekt" in "Projektskizze"."""
    lowered = "".join(" " if c.isspace() else c.lower()[:1] for c in text)  # same offsets as text
    found = []
    for index, start, end in _CUE_AUTOMATON.find_matches_as_indexes(lowered, overlapping=True):
        cue = _CUE_WORDS[index]
        if not cue.inside and start and (lowered[start - 1].isalnum() or lowered[start - 1] == "_"):
            continue
        if not cue.goes_on and end < len(lowered) and (lowered[end].isalnum() or lowered[end] == "_"):
            continue
        found.append((start, end, cue.kind))
    return sorted({c for c in found if not any(s <= c[0] and c[1] <= e and e - s > c[1] - c[0]
                                               for s, e, _ in found)})


def candidate_features(text: str, mentions: Sequence[Mention], published: date | None) -> list[dict[str, float]]:
    """The features of each mention of ``text``, then of "no deadline" (names from ``FEATURES``)."""
    days = [m.value for m in mentions if m.value is not None]
    cues = find_cues(text)
    starts = [c[0] for c in cues]
    spans = sentences.split(text)
    in_text = {name for _, _, name in cues}

    def classes(low: int, high: int) -> list[str]:
        """Cue classes lying within low..high, in text order."""
        index = bisect.bisect_left(starts, low)
        out = []
        while index < len(cues) and cues[index][1] <= high:
            out.append(cues[index][2])
            index += 1
        return out

    near_until = []
    out = []
    for index, mention in enumerate(mentions):
        begin, end = next(((s, e) for s, e in spans if s <= mention.start < e), (0, len(text)))
        previous_end = max([m.end for m in mentions[:index] if begin < m.end <= mention.start] + [begin])
        following = [m.start for m in mentions[index + 1:] if m.start >= mention.end]
        next_start = min(following + [end])
        before_clause = classes(previous_end, mention.start)
        near = classes(max(previous_end, mention.start - _NEAR), mention.start)
        after = classes(mention.end, min(next_start, mention.end + _AFTER))
        sentence = classes(begin, mention.start) + classes(mention.end, end)
        features = {f"{name}@{window}": 1.0 for window, found in
                    (("near", near), ("clause", before_clause), ("after", after), ("sentence", sentence))
                    for name in found}
        nearest_before = next((c for c in reversed(near) if c in NEAREST), "none")
        nearest_after = next((c for c in after if c in NEAREST), "none")
        features[f"last={nearest_before}"] = 1.0
        features[f"next={nearest_after}"] = 1.0
        value = mention.value
        near_until.append(value is not None and nearest_before in ("until", "deadline"))
        flags = {
            "range_start": mention.range_role == "start", "range_end": mention.range_role == "end",
            "has_time": mention.has_time, "year_inferred": mention.year_inferred,
            "colon_before": bool(_COLON_BEFORE.search(text, max(previous_end, mention.start - 8), mention.start)),
            "only_day": value is not None and len(days) == 1,
            "first_day": value is not None and value == days[0] and len(days) > 1,
            "last_day": value is not None and value == days[-1] and len(days) > 1,
            "latest_day": value is not None and value == max(days) and len(set(days)) > 1,
            "earliest_day": value is not None and value == min(days) and len(set(days)) > 1,
            "before_published": value is not None and published is not None and value < published,
            "is_published": value is not None and value == published,
            f"kind_{mention.kind}": mention.kind != "full",
            "extended@text": "extended" in in_text, "superseded@text": "superseded" in in_text,
        }
        features.update({name: 1.0 for name, on in flags.items() if on})
        features.update({f"last={nearest_before}+{other}": 1.0 for other in PAIRED_WITH if other in features})
        out.append(features)
    cued = [m.value for m, flag in zip(mentions, near_until, strict=True) if flag]
    for mention, features, flag in zip(mentions, out, near_until, strict=True):
        if flag and len(cued) > 1:
            if mention.value == cued[0]:
                features["first_cued"] = 1.0
            if mention.value == max(cued):  # type: ignore[type-var]
                features["latest_cued"] = 1.0
    null = {"null": 1.0, **{f"null&{name}@text": 1.0 for name in in_text}}
    if not days:
        null["null&no_day_at_all"] = 1.0
    elif len(set(days)) == 1:
        null["null&one_day"] = 1.0
    if any(m.kind == "relative" for m in mentions):
        null["null&relative_in_text"] = 1.0
    out.append(null)
    return out


def deadline_from_text(text: str, *, zone: str = "Europe/Berlin", us_order: bool = False,
                       published: date | None = None, model: DeadlineModel | None = None) -> Deadline:
    """The deadline stated in ``text``, or an empty Deadline."""
    if not text or not _DIGIT_OR_MONTH.search(text):
        return _NONE
    mentions = find_mentions(text, zone=zone, us_order=us_order, published=published)
    if not mentions:
        return _NONE
    model = model or default_model()
    probabilities = model.probabilities(candidate_features(text, mentions, published))
    best = max(range(len(mentions)), key=lambda i: probabilities[i])  # the first of equals
    winner = mentions[best]
    if winner.value is not None and probabilities[best] >= max(model.threshold, probabilities[-1]):
        return Deadline(date=winner.value, sentence=_sentence_of(text, winner), origin=DeadlineOrigin.TEXT,
                        confidence=round(probabilities[best], 2))
    days = [i for i, mention in enumerate(mentions) if mention.value is not None]
    likeliest = max(days, key=lambda i: probabilities[i], default=None)  # the first of equals
    if likeliest is None or probabilities[likeliest] < POSSIBLE_FLOOR:
        return _NONE
    return Deadline(possible=PossibleDeadline(mentions[likeliest].value, _sentence_of(text, mentions[likeliest]),
                                              round(probabilities[likeliest], 2)))


def _sentence_of(text: str, mention: Mention) -> str:
    return next((text[s:e] for s, e in sentences.split(text) if s <= mention.start < e), text).strip()


def zone_for(jurisdiction: str | None, settings: Settings) -> str:
    if jurisdiction:
        code = jurisdiction.lower()
        for key in (code, code.split("-")[0]):
            if key in settings.timezones:
                return settings.timezones[key]
    return settings.timezone


def find_deadline(item: JudgeInput, settings: Settings, model: DeadlineModel | None = None) -> Deadline:
    """The structured deadline if the adapter gave one, else the deadline found in the
    first of deadline text, summary, full text and title that states one, else the likeliest
    possible deadline of those fields."""
    if item.deadline is not None:
        return Deadline(date=item.deadline, sentence=item.deadline_text, confidence=1.0,
                        origin=DeadlineOrigin.STRUCTURED)
    zone = zone_for(item.jurisdiction, settings)
    us_order = (item.jurisdiction or "").lower().startswith("us")
    published = local_date(item.published, zone) if item.published else None
    possibles = []
    for text in (item.deadline_text, item.summary, item.text[:MAX_TEXT_CHARS], item.title):
        if text:
            found = deadline_from_text(text, zone=zone, us_order=us_order, published=published, model=model)
            if found.date is not None:
                return found
            if found.possible is not None:
                possibles.append(found)
    # No field states a deadline: the likeliest possible one of all fields (the first of equals).
    return max(possibles, key=lambda found: found.possible.confidence, default=_NONE)
