"""Every date expression in a German or English text, as candidates for the deadline.

Finds full dates (``15. März 2026``, ``15.03.2026``, ``March 15, 2026``, ``2026-03-15T12:00Z``,
``2026/05/12 23:59:59``), year-less ones (``15. März``, ``31.10.``, ``March 13``), the start
and end of ranges in both languages (``vom 1. bis 30. Juni 2026``, ``12 May – 9 June 2026``,
``from 3 March to 5 April``, ``06.09.2017-28.11.2017``), and expressions that name no day
and are marked as such: relative ones (``within 30 days``, ``vier Wochen nach``), a weekday
alone (``bis Montag``), a month, quarter or year alone (``Ende März 2019``, ``mid-February``),
and recurring days (``jeweils der 15. April``, ``31. Juli eines Folgejahres``).

Which of them is the deadline is decided in ``deadlines``. Year-less dates take their year
from the publication date (the next such day on or after it); timestamps with a zone are
converted to the publisher's zone first. Written by hand because the well-kept alternative,
``dateparser``'s ``search_dates``, cost 11.5 ms per sentence on our dev set, returns no
offsets, misses range starts and turns "15 days" into a date counted from today.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

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
WEEKDAYS = ("montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag",
            "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))

# One pattern per way of writing a day; where two match at once the longer match counts.
_PATTERNS = {name: re.compile(pattern, re.IGNORECASE) for name, pattern in {
    "iso": r"(?<![\d/.])(?P<y>\d{4})(?P<sep>[-/])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})"
           r"(?:[T ](?P<hh>\d{1,2}):(?P<mm>\d{2})(?::\d{2}(?:\.\d+)?)?\s*(?P<zone>Z|UTC|[+-]\d{2}:?\d{2})?)?(?!\d)",
    "numeric": r"(?<![\d.])(?P<d>\d{1,2})\.\s?(?P<m>\d{1,2})\.(?:\s?(?P<y>\d{4}|\d{2})(?![\d.]\d))?(?!\d)",
    "slash": r"(?<![\d/])(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{4})(?![\d/])",
    "day_month": r"(?<![\d.])(?P<d>\d{1,2})(?:\.|st|nd|rd|th)?\s*(?:of\s+)?"
                 rf"(?P<month>{_MONTH})\b\.?(?:,?\s*(?P<y>\d{{4}})\b)?",
    "month_day": rf"\b(?P<month>{_MONTH})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?:[,.]?\s*(?P<y>\d{{4}})\b)?",
}.items()}
# A bare day before a range joiner and a date: "vom 1. bis 30. Juni", "20 – 25 May", "between 1 and 30".
_RANGE_JOIN = r"\s*(?:-|–|—|→|bis(?:\s+zum)?|to|until|till|through|und|and)\s*(?:zum\s+|dem\s+|the\s+)?"
_BARE_DAY = re.compile(r"(?<![\d.,/:])(?P<d>\d{1,2})(?:\.|st|nd|rd|th)?(?=" + _RANGE_JOIN + r"\d)", re.IGNORECASE)
_JOIN = re.compile(r"^" + _RANGE_JOIN + r"$", re.IGNORECASE)
_NUMBER_WORDS = ("ein|eine|einem|einer|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|zwölf|vierzehn|dreißig|"
                 "one|two|three|four|five|six|seven|eight|nine|ten|twelve|fourteen|fifteen|thirty|sixty|ninety")
_RELATIVE = re.compile(rf"\b(?:\d+|{_NUMBER_WORDS})[\s-]+(?:kalender|werk|arbeits)?(?:tage?n?|wochen?|monate?n?|"
                       r"(?:calendar |working |business )?(?:days?|weeks?|months?))\b", re.IGNORECASE)
_VAGUE = re.compile(
    rf"\b(?:(?:ende|anfang|mitte|end of|mid-?|early|late|beginning of)\s*(?:(?:{_MONTH})\b\.?(?:\s*\d{{4}})?|\d{{4}})"
    r"|(?:erste[ns]?|zweite[ns]?|dritte[ns]?|vierte[ns]?|first|second|third|fourth)\s+(?:quartal|quarter)"
    rf"(?:\s+(?:of\s+)?\d{{4}})?|(?:{_MONTH})\.?\s+\d{{4}})\b", re.IGNORECASE)
_WEEKDAY = re.compile(rf"\b(?:{'|'.join(WEEKDAYS)})\b", re.IGNORECASE)
_RECURRING_AFTER = re.compile(r"^\W{0,3}(?:eines|jedes|des laufenden|des jeweiligen|of each|each)\b", re.IGNORECASE)
_RECURRING_BEFORE = re.compile(r"\b(?:jeweils|each year|every year|jährlich|annually)\b[^.;]{0,60}$", re.IGNORECASE)
_TIME = re.compile(r"\b(?:\d{1,2}:\d{2}|\d{1,2}(?:[.:]\d{2})?\s*(?:uhr|a\.m\.|p\.m\.|am|pm)(?!\w)|"
                   r"midnight|mitternacht|noon|midday|mittags?)", re.IGNORECASE)
_YEAR = re.compile(r"(?<![\d.,/-])(?:19|20)\d{2}(?![\d.,/-]\d)")


@dataclass(frozen=True)
class Mention:
    """One date expression: where it stands, the day it names (None: no day can be named),
    and what kind it is."""

    start: int
    end: int
    value: date | None
    kind: str  # full | yearless | relative | weekday | vague | recurring
    year_inferred: bool = False
    range_role: str = ""  # "start" or "end" of a range, else ""
    has_time: bool = False

    @property
    def is_day(self) -> bool:
        return self.value is not None


def two_digit_year(text: str) -> int:
    """"Fristablauf: 12.02.10": notices of this century mostly; 70+ are last century."""
    value = int(text)
    if len(text) == 2:
        return 2000 + value if value < 70 else 1900 + value
    return value


def local_date(moment: datetime, zone: str = "Europe/Berlin") -> date:
    """The calendar date of ``moment`` in ``zone``; a naive datetime is taken as local."""
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(ZoneInfo(zone)).date()


def _zone(text: str) -> timezone:
    text = text.upper()
    if text in ("Z", "UTC"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _day(kind: str, match: re.Match[str], zone: str, us_order: bool) -> tuple[int | None, int, int]:
    """(year or None, month, day) of a date match; raises ValueError for impossible ones."""
    group = match.groupdict()
    if kind == "iso":
        day = date(int(group["y"]), int(group["m"]), int(group["d"]))
        if group["zone"] and group["hh"]:
            moment = datetime(day.year, day.month, day.day, int(group["hh"]), int(group["mm"]),
                              tzinfo=_zone(group["zone"]))
            day = local_date(moment, zone)
        return day.year, day.month, day.day
    if kind == "slash":
        a, b = int(group["a"]), int(group["b"])
        month, dom = (a, b) if us_order and a <= 12 else (b, a)
        return int(group["y"]), month, dom
    month = MONTHS[group["month"].lower()] if "month" in group else int(group["m"])
    year = two_digit_year(group["y"]) if group.get("y") else None
    return year, month, int(group["d"])


def find_mentions(text: str, *, zone: str = "Europe/Berlin", us_order: bool = False,
                  published: date | None = None) -> list[Mention]:
    """Every date expression of ``text`` in text order (see the module's docstring)."""
    found: list[Mention] = []
    taken: list[tuple[int, int]] = []
    parts: list[tuple[re.Match[str], int | None, int, int]] = []
    matches = [(kind, m) for kind, pattern in _PATTERNS.items() for m in pattern.finditer(text)]
    for kind, match in sorted(matches, key=lambda km: (km[1].start() - km[1].end(), km[1].start())):
        if any(s < match.end() and match.start() < e for s, e in taken):
            continue  # inside a longer date ("2026-03-15" holds no "03-15")
        try:
            year, month, dom = _day(kind, match, zone, us_order)
            date(year or 2000, month, dom)  # a real day (29 February checked against a leap year)
        except ValueError:
            continue
        parts.append((match, year, month, dom))
        taken.append(match.span())
    parts.sort(key=lambda part: part[0].start())
    for index, (match, year, month, dom) in enumerate(parts):
        # Ranges: a year-less start takes its year (and a bare day its month) from the end.
        following = parts[index + 1] if index + 1 < len(parts) else None
        joined = following is not None and _JOIN.match(text[match.end():following[0].start()])
        preceding = parts[index - 1] if index else None
        role = "start" if joined else "end" if preceding and _JOIN.match(text[preceding[0].end():match.start()]) else ""
        if year is None and joined and following[1] is not None:
            year = following[1] - (1 if (month, dom) > (following[2], following[3]) else 0)
        found.append(_mention(text, match.start(), match.end(), year, month, dom, role, published))
    for match in _BARE_DAY.finditer(text):
        if any(s <= match.start() < e for s, e in taken):
            continue
        end_date = next((p for p in parts if p[0].start() >= match.end() and
                         _JOIN.match(text[match.end():p[0].start()])), None)
        if end_date is None:
            continue
        _, year, month, dom = end_date
        start_day = int(match.group("d"))
        if start_day >= dom or year is None:
            continue
        found.append(_mention(text, match.start(), match.end(), year, month, start_day, "start", published))
        found = [replace(m, range_role="end") if m.start == end_date[0].start() else m for m in found]
        taken.append(match.span())
    days = list(taken)
    for pattern, kind in ((_RELATIVE, "relative"), (_VAGUE, "vague"), (_WEEKDAY, "weekday")):
        for match in pattern.finditer(text):
            start, end = match.span()
            if start == end or any(s < end and start < e for s, e in taken):
                continue
            if kind == "weekday" and any(0 <= s - end <= 12 for s, _ in days):
                continue  # "Freitag, 29.09.2017": the weekday of a date
            found.append(Mention(start, end, None, kind))
            taken.append((start, end))
    return sorted(found, key=lambda m: m.start)


def _mention(text: str, start: int, end: int, year: int | None, month: int, dom: int, role: str,
             published: date | None) -> Mention:
    has_time = bool(_TIME.search(text[max(0, start - 30):start])) or bool(_TIME.match(text[end:end + 12].lstrip(" ,")))
    if _RECURRING_AFTER.match(text[end:end + 25]) or (year is None and _RECURRING_BEFORE.search(text[:start])):
        return Mention(start, end, None, "recurring", range_role=role, has_time=has_time)
    if year is not None:
        return Mention(start, end, date(year, month, dom), "full", range_role=role, has_time=has_time)
    if published is None:
        # No publication date: a year written in the same sentence ("Call 2022") is the only hint.
        years = {int(y) for y in _YEAR.findall(_sentence_around(text, start))}
        if len(years) != 1:
            return Mention(start, end, None, "yearless", range_role=role, has_time=has_time)
        value = _valid(years.pop(), month, dom)
    else:
        # "bis zum 15. März" in a notice from February: the next 15 March on or after it.
        value = _valid(published.year, month, dom)
        if value is not None and value < published:
            value = _valid(published.year + 1, month, dom)
    kind = "yearless" if value is None else "full"
    return Mention(start, end, value, kind, year_inferred=True, range_role=role, has_time=has_time)


def _valid(year: int, month: int, dom: int) -> date | None:
    try:
        return date(year, month, dom)
    except ValueError:
        return None


def _sentence_around(text: str, offset: int) -> str:
    start = max(text.rfind(". ", 0, offset), text.rfind("\n", 0, offset), 0)
    end = min([i for i in (text.find(". ", offset), text.find("\n", offset)) if i >= 0] or [len(text)])
    return text[start:end]
