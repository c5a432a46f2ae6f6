"""Deadlines in German and English notices: which date, from which sentence, how sure.

Only sentences with a deadline cue are read. Inside such a sentence each date gets a
score from the words just before it: "bis", "until", "closing date" raise it, "vom",
"published", "dated" lower it, and the end of a range ("vom 24.05. bis 25.06.2018",
"zwischen dem 1. und dem 30. September") wins over its start. A relative, weekday-only or
month-only deadline yields no date: a wrong date is worse than none. Timestamps with a
zone are converted to the local zone (Europe/Berlin unless configured per jurisdiction)
before their date is taken. A structured deadline from a JSON adapter always wins.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from tracker.judge import sentences
from tracker.judge.matching import trie_pattern
from tracker.judge.taxonomy import Settings
from tracker.judge.types import JudgeInput

MONTHS = {
    "januar": 1, "jänner": 1, "january": 1, "jan": 1,
    "februar": 2, "february": 2, "feb": 2,
    "märz": 3, "maerz": 3, "march": 3, "mär": 3, "mar": 3,
    "april": 4, "apr": 4,
    "mai": 5, "may": 5,
    "juni": 6, "june": 6, "jun": 6,
    "juli": 7, "july": 7, "jul": 7,
    "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "october": 10, "okt": 10, "oct": 10,
    "november": 11, "nov": 11,
    "dezember": 12, "december": 12, "dez": 12, "dec": 12,
}
# As a trie: longer names still win over their prefixes ("september" over "sep"), and the
# engine follows one branch per letter instead of trying forty names at every word.
_MONTH = trie_pattern(sorted(MONTHS))
# Every date starts at a digit or at the word start of a month name: checked first, it
# spares the five alternatives below at every other position (3x faster, same matches).
_DATE_START = rf"(?=\d|\b[{''.join(sorted({name[0] for name in MONTHS}))}])"
_MONTH_SPAN = max(map(len, MONTHS)) + 1  # the longest month name and its dot
_DATE = re.compile(
    _DATE_START +
    r"(?:(?P<iso>(?P<iy>\d{4})[-/](?P<im>\d{1,2})[-/](?P<id>\d{1,2})"
    r"(?:[T ](?P<ih>\d{1,2}):(?P<imin>\d{2})(?::\d{2}(?:\.\d+)?)?\s*(?P<iz>Z|UTC|[+-]\d{2}:?\d{2})?)?)"
    r"|(?P<num>(?<![\d.])(?P<nd>\d{1,2})\.\s?(?P<nm>\d{1,2})\.\s?(?P<ny>\d{4}|\d{2})(?![\d]))"
    r"|(?P<slash>(?<![\d/])(?P<sa>\d{1,2})/(?P<sb>\d{1,2})/(?P<sy>\d{4})(?![\d/]))"
    rf"|(?P<dmy>(?<!\d)(?P<dd>\d{{1,2}})(?:\.|st|nd|rd|th)?\s*(?:of\s+)?(?P<dm>{_MONTH})\b\.?,?(?:\s*(?P<dy>\d{{4}}))?)"
    rf"|(?P<mdy>\b(?P<mm>{_MONTH})\.?\s+(?P<md>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s*(?P<my>\d{{4}}))?))",
    re.IGNORECASE,
)
# A sentence is read only if it has one of these. The patterns only ever answer yes or no,
# so they are written as tries (one branch per first letter, as in "c(?:losing|...)"): the
# regex engine skips positions by their first character and then follows one branch
# instead of trying every cue in turn, 1.5 to 2 times faster than the plain alternations
# the tests keep as the reference ("closing" stands for "closing date" too, "application"
# for "applications"). The lookbehinds sit after the first letter: "f(?<!bef)rist" is
# "frist" not after "be", "b(?<!\wb)y" is "by" at a word start.
_STRONG_SENTENCE_CUE = re.compile(
    r"a(?:bgabe|nmelde|ntrags)schluss|bewerbungsschluss|"
    r"c(?:losing|(?<!\wc)loses?\b|omments? (?:must|should) be (?:received|submitted)|"
    r"onsultation (?:period|closes|will close|runs))|"
    r"deadline|e(?:in(?:reichungs|sende)schluss|nd(?: date|datum))|f(?:(?<!bef)rist|eedback period)|"
    r"no later than|s(?:pätestens|tichtag)|teilnahmeschluss")
_CONTEXT = re.compile(trie_pattern((
    "stellungnahme", "konsultation", "anhörung", "rückmeldung", "kommentar", "äußerung", "einreich", "eingereicht",
    "abgegeben", "abzugeben", "übersend", "übermittel", "beteiligung", "anträge", "antrag", "bewerbung", "teilnahme",
    "einwendung", "hinweise", "eingaben", "comment", "respon", "submi", "feedback", "views", "consultation",
    "evidence", "application", "proposals", "closes", "input", "questionnaire", "survey", "ausschreibung",
    "einreichung", "angebot", "call")))
_WEAK_SENTENCE_CUE = re.compile(
    r"b(?<!\wb)(?:e(?:fore|tween)|is|y)\b|e(?<!\we)nd(?:et|ing|s)\b|l(?<!\wl)äuft\b|u(?<!\wu)ntil\b|"
    r"z(?<!\wz)wischen\b")
# Words right before a date that make it the deadline: walking back from the date over
# these (and times, weekdays, punctuation) must pass one of _STRONG.
_STRONG = frozenset((
    "bis", "until", "till", "by", "before", "spätestens", "later", "deadline", "closing", "stichtag",
    "close", "closes", "end", "ends", "endet", "ending", "due", "received",
))
_FILLER = _STRONG | frozenset((
    "no", "than", "date", "am", "on", "zum", "dem", "den", "the", "of", "einschließlich", "inclusive",
    "midnight", "mitternacht", "et", "est", "edt", "cet", "cest", "eastern", "time", "is", "ist",
    "are", "will", "wird", "be", "at", "um", "or", "oder", "set", "runs", "läuft", "pm", "p", "m", "a",
    "uhr", "brussels", "mez", "mesz", "montag", "dienstag", "mittwoch", "donnerstag", "freitag",
    "samstag", "sonntag", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
))
_TOKEN = re.compile(r"\w+|[^\w\s]")


def _cue_before(prefix: str) -> bool:
    """True when the words just before a date end in a deadline cue ("bis zum", "by 5 p.m. ET on")."""
    strong = False
    for token in reversed(_TOKEN.findall(prefix.lower())):
        if token in _STRONG or token.startswith("frist") or token.endswith("schluss"):
            strong = True
        elif not (token in _FILLER or (token.isdigit() and len(token) <= 2) or token in ":,.()-–"):
            break
    return strong


_RANGE_JOIN = re.compile(r"^\s*(?:[-–—]|bis(?: zum| einschließlich)?|to|until|till|through|and|und)"
                         r"\s*(?:zum|dem|den|the)?\s*$", re.I)
# "zwischen dem 1. und dem 30. September": the start lacks month and year.
# Look-aheads in front of the patterns below name the characters a match can start
# with: checked first, they spare the alternatives at every other position (same matches,
# tested against the patterns without them). Patterns that start with plain letters need
# none: the regex engine skips to those letters by itself.
_PARTIAL_START = r"(?=[zbvfdt\s\d])"
_PARTIAL_RANGE = re.compile(_PARTIAL_START + r"(?:(?:zwischen|between|vom|from)?\s*(?:dem\s+|the\s+)?\d{1,2}"
                            r"(?:\.|st|nd|rd|th)?\s*(?:und|and|bis|to|-|–|—)\s*(?:zum\s+|dem\s+|the\s+)?$)", re.I)
_BAD_START = r"(?=[svafdpbo])"
_BAD_BEFORE = re.compile(_BAD_START + r"(?:(?:start date|startdatum|\bvom|\bvon|\bseit|\bab|\bfrom|\bdated|"
                         r"\bpublished(?: on)?|veröffentlicht(?: am)?|"
                         r"\bsince|\bbeginning|\bstarting|\bopens?(?: on)?|beginnt(?: am)?)\s*(?:dem|den|the)?\s*$)",
                         re.I)
# Periods that are not deadlines: how long projects run, when a funding period ends.
_NOT_A_DEADLINE = re.compile(r"proje(?:kte?\b.{0,60}\blaufen|ct (?:period|duration))|laufzeit|förderzeitraum|"
                             r"bewilligungszeitraum|durchführungszeitraum|in kraft|entry into force")
_MAX_PREFIX = 60
_DIGIT = re.compile(r"\d")
# Literal stems of every cue above, as one trie: a superset test, not a decision.
CUE_STEMS = ("frist", "schluss", "stichtag", "spätestens", "closing", "deadline", "comment", "no later than",
             "feedback period", "consultation", "close", "end date", "enddatum")
CUE_WORDS = ("bis", "until", "by", "before", "ending", "ends", "endet", "läuft", "between", "zwischen")
_ANY_CUE_START = rf"(?=[{''.join(sorted({cue[0] for cue in (*CUE_STEMS, *CUE_WORDS)}))}])"
_ANY_CUE = re.compile(_ANY_CUE_START + "(?:" + trie_pattern(CUE_STEMS) + r"|\b(?:" + trie_pattern(CUE_WORDS) + r")\b)")


@dataclass(frozen=True)
class Deadline:
    date: date | None = None
    sentence: str | None = None
    confidence: float | None = None
    origin: str | None = None


_NONE = Deadline()


# A date in a sentence: (start, end, date, year inferred), the date None when incomplete
# (no year and none inferable). A plain tuple: one is built for every date of every cued sentence.
_Mention = tuple[int, int, date | None, bool]


def local_date(moment: datetime, zone: str = "Europe/Berlin") -> date:
    """The calendar date of ``moment`` in ``zone``; a naive datetime is taken as local."""
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(ZoneInfo(zone)).date()


def _year(text: str) -> int:
    value = int(text)
    if len(text) == 2:
        # "Fristablauf: 12.02.10": notices of this century mostly; 70+ are last century.
        return 2000 + value if value < 70 else 1900 + value
    return value


def _dates(sentence: str) -> Iterator[re.Match[str]]:
    """``_DATE.finditer(sentence)``, each search started near the next digit instead of
    where the last date ended: the same matches in two thirds of the time. Every date holds
    a digit, and starts at its first digit unless a month name, a dot and blanks come first
    ("March 3"): it cannot start further back than that."""
    pos = 0
    while (digit := _DIGIT.search(sentence, pos)) is not None:
        start = blanks = digit.start()
        while blanks > pos and sentence[blanks - 1].isspace():  # str.isspace is what \s matches
            blanks -= 1
        if blanks < start:
            start = max(pos, blanks - _MONTH_SPAN)
        m = _DATE.search(sentence, start)
        if m is None:
            return
        pos = m.end()
        yield m


def _mentions(sentence: str, zone: str, us_order: bool, published: date | None) -> list[_Mention]:
    found = []
    for m in _dates(sentence):
        kind = m.lastgroup  # the alternative that matched: its group closes last
        inferred = False
        try:
            if kind == "iso":
                y, mo, d, hour, minute, offset = m.group("iy", "im", "id", "ih", "imin", "iz")
                day = date(int(y), int(mo), int(d))
                if offset and hour:
                    offset = offset.upper()
                    tz = UTC if offset in ("Z", "UTC") else datetime.strptime(
                        offset.replace(":", ""), "%z").tzinfo
                    moment = datetime(day.year, day.month, day.day, int(hour), int(minute), tzinfo=tz)
                    day = local_date(moment, zone)
            elif kind == "num":
                d, mo, y = m.group("nd", "nm", "ny")
                day = date(_year(y), int(mo), int(d))
            elif kind == "slash":
                first, second, y = m.group("sa", "sb", "sy")
                a, b = int(first), int(second)
                month, dom = (a, b) if us_order and a <= 12 else (b, a)
                day = date(int(y), month, dom)
            else:
                d, name, y = m.group("dd", "dm", "dy") if kind == "dmy" else m.group("md", "mm", "my")
                dom = int(d)
                month = MONTHS[name.lower()]
                if y:
                    day = date(int(y), month, dom)
                elif published is not None:
                    # "bis zum 15. März" in a notice from February: the next 15 March.
                    day = date(published.year, month, dom)
                    if day < published:
                        day = date(published.year + 1, month, dom)
                    inferred = True
                else:
                    found.append((m.start(), m.end(), None, False))
                    continue
        except ValueError:
            continue
        found.append((m.start(), m.end(), day, inferred))
    return found


def _best_in_sentence(sentence: str, mentions: list[_Mention], has_strong: bool) -> tuple[date, float] | None:
    best: tuple[float, date] | None = None
    previous_end = 0
    first = True
    for start, end, value, inferred in mentions:
        prefix = sentence[max(previous_end, start - _MAX_PREFIX):start]
        # A partial range has a day number: without a digit in the prefix it cannot match
        # (the digit test is far cheaper, and most prefixes have none).
        if (not first and _RANGE_JOIN.match(prefix)) or (_DIGIT.search(prefix) and _PARTIAL_RANGE.search(prefix)):
            score = 0.85  # end of a range
        elif has_strong:
            score = -1.0 if _BAD_BEFORE.search(prefix) else 0.9 if _cue_before(prefix) else 0.5
        elif _cue_before(prefix) and not _BAD_BEFORE.search(prefix):
            score = 0.9
        else:
            # 0 without a cue, -1 after "vom" or "published": nothing below tells them apart,
            # so _BAD_BEFORE is only asked when there is a cue for it to overrule.
            score = 0.0
        if value is not None:
            if inferred:
                score *= 0.7
            if score > 0 and (best is None or score >= best[0]):
                best = (score, value)
        elif score >= 0.85:
            # The cued date is incomplete ("bis zum 15. März" with no year known):
            # no other date in the sentence may stand in for it.
            best = None
            break
        previous_end, first = end, False
    if best is None:
        return None
    if best[0] == 0.5 and sum(1 for m in mentions if m[2] is not None) != 1:
        return None  # a cue word but several uncued dates: no guess
    return best[1], best[0]


def deadline_from_text(text: str, *, zone: str = "Europe/Berlin", us_order: bool = False,
                       published: date | None = None) -> Deadline:
    """The deadline stated in ``text``, or an empty Deadline."""
    # Most texts have no date or no cue at all; cheap scans settle that first (this one and
    # the one for a cue in _deadline_in).
    if not text or not _DIGIT.search(text):
        return _NONE
    return _deadline_in(text, zone, us_order, published, cued=False)


def _deadline_in(text: str, zone: str, us_order: bool, published: date | None, cued: bool) -> Deadline:
    """``deadline_from_text`` for a text with a digit in it. ``cued``: the judge's automaton
    saw a deadline cue in the text, and the pre-scan for one would only repeat it (it is a
    shortcut, not a test: without it the sentence cues below find nothing either)."""
    lowered = text.lower()  # the cue patterns are written in lower case
    if not cued and not _ANY_CUE.search(lowered):
        return _NONE
    # No sentence has a cue the whole text lacks: searched in the whole text first, the
    # sentence cues settle most texts before they are split.
    strong = _STRONG_SENTENCE_CUE.search(lowered) is not None
    if not strong and not (_WEAK_SENTENCE_CUE.search(lowered) and _CONTEXT.search(lowered)):
        return _NONE
    spans = sentences.split(text)
    if len(spans) == 1:
        # Only blanks around the one sentence, and no cue starts or ends in a blank: the
        # sentence has the cues the whole text has.
        if _NOT_A_DEADLINE.search(lowered):
            return _NONE
        start, end = spans[0]
        return _deadline_in_sentence(text[start:end], strong, zone, us_order, published)
    # A slice of the lowered text is the lowered sentence (up to the form of a Greek sigma,
    # which no cue has) unless lowering changed the length ("İ"): then the sentence is
    # lowered by itself.
    aligned = len(lowered) == len(text)
    for start, end in spans:
        sentence = text[start:end]
        if not _DIGIT.search(sentence):
            continue
        low = lowered[start:end] if aligned else sentence.lower()
        has_strong = strong and _STRONG_SENTENCE_CUE.search(low) is not None
        if not has_strong and not (_WEAK_SENTENCE_CUE.search(low) and _CONTEXT.search(low)):
            continue
        if _NOT_A_DEADLINE.search(low):
            continue
        found = _deadline_in_sentence(sentence, has_strong, zone, us_order, published)
        if found is not _NONE:
            return found
    return _NONE


def _deadline_in_sentence(sentence: str, has_strong: bool, zone: str, us_order: bool,
                          published: date | None) -> Deadline:
    mentions = _mentions(sentence, zone, us_order, published)
    chosen = _best_in_sentence(sentence, mentions, has_strong) if mentions else None
    if chosen is None:
        return _NONE
    return Deadline(date=chosen[0], sentence=sentence.strip(), confidence=round(chosen[1], 2), origin="text")


def zone_for(jurisdiction: str | None, settings: Settings) -> str:
    if jurisdiction:
        code = jurisdiction.lower()
        for key in (code, code.split("-")[0]):
            if key in settings.timezones:
                return settings.timezones[key]
    return settings.timezone


def find_deadline(item: JudgeInput, settings: Settings,
                  cue_fields: Collection[str] | None = None) -> Deadline:
    """Structured deadline if the adapter gave one, else the first cued date in the text.

    ``cue_fields`` names the fields in which the judge's automaton already saw a cue;
    other fields are skipped without reading them again (None: read them all).
    """
    if item.deadline is not None:
        return Deadline(date=item.deadline, sentence=item.deadline_text, confidence=1.0, origin="structured")
    if not cue_fields and cue_fields is not None and not item.deadline_text:
        return _NONE  # most items: no cue anywhere, nothing to read
    ready = False
    for name, text in (("deadline_text", item.deadline_text), ("summary", item.summary), ("text", item.text),
                       ("title", item.title)):
        # The automaton does not read deadline_text: it gets the pre-scan for a cue.
        cued = cue_fields is not None and name != "deadline_text"
        if not text or (cued and name not in cue_fields) or not _DIGIT.search(text):
            continue
        if not ready:
            zone = zone_for(item.jurisdiction, settings)
            us_order = (item.jurisdiction or "").lower().startswith("us")
            published = local_date(item.published, zone) if item.published else None
            ready = True
        found = _deadline_in(text, zone, us_order, published, cued)
        if found.date is not None:
            return found
    return _NONE
