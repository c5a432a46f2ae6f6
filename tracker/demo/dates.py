"""Shifting the dates written inside demo texts, so a shifted demo stays consistent.

The demo loader moves every date by the same number of days; a deadline that is only
written in a summary ("Stellungnahmen bis zum 12. Juni 2024") must move with it, and a
weekday named right before a date must still match the shifted date.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

GERMAN_MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
                 "September", "Oktober", "November", "Dezember")
ENGLISH_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December")
GERMAN_DAYS = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
ENGLISH_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

_DE_MONTH = "|".join(GERMAN_MONTHS)
_EN_MONTH = "|".join(ENGLISH_MONTHS)
_WEEKDAY = "|".join(GERMAN_DAYS + ENGLISH_DAYS)
_PREFIX = rf"(?:(?P<weekday>{_WEEKDAY}),?\s+(?:den\s+|dem\s+|the\s+)?)?"

_PATTERNS = (
    ("iso", re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b")),
    ("de_num", re.compile(_PREFIX + r"\b(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})\b")),
    ("de_name", re.compile(_PREFIX + rf"\b(?P<d>\d{{1,2}})\.\s*(?P<mn>{_DE_MONTH})\s+(?P<y>\d{{4}})\b")),
    ("en_dmy", re.compile(_PREFIX + rf"\b(?P<d>\d{{1,2}})\s+(?P<mn>{_EN_MONTH})\s+(?P<y>\d{{4}})\b")),
    ("en_mdy", re.compile(_PREFIX + rf"\b(?P<mn>{_EN_MONTH})\s+(?P<d>\d{{1,2}}),\s*(?P<y>\d{{4}})\b")),
)


def _month_number(name: str) -> int:
    return (GERMAN_MONTHS.index(name) if name in GERMAN_MONTHS else ENGLISH_MONTHS.index(name)) + 1


def _format(style: str, day: date, match: re.Match[str]) -> str:
    weekday = match.group("weekday") if "weekday" in match.re.groupindex else None
    if style == "iso":
        return day.isoformat()
    if style == "de_num":
        body = f"{day.day:0{len(match.group('d'))}d}.{day.month:0{len(match.group('m'))}d}.{day.year}"
    elif style == "de_name":
        body = f"{day.day}. {GERMAN_MONTHS[day.month - 1]} {day.year}"
    elif style == "en_dmy":
        body = f"{day.day} {ENGLISH_MONTHS[day.month - 1]} {day.year}"
    else:
        body = f"{ENGLISH_MONTHS[day.month - 1]} {day.day}, {day.year}"
    if weekday:
        names = GERMAN_DAYS if weekday in GERMAN_DAYS else ENGLISH_DAYS
        prefix = match.group(0)[: match.start("d" if style != "en_mdy" else "mn") - match.start(0)]
        prefix = prefix.replace(weekday, names[day.weekday()], 1)
        return prefix + body
    return body


def shift_dates_in_text(text: str, days: int) -> str:
    """Every recognisable calendar date in ``text`` moved by ``days``; other text untouched."""
    if not text or days == 0:
        return text
    for style, pattern in _PATTERNS:
        def replace(match: re.Match[str], style: str = style) -> str:
            try:
                month = int(match.group("m")) if "m" in match.re.groupindex else _month_number(match.group("mn"))
                original = date(int(match.group("y")), month, int(match.group("d")))
            except ValueError:
                return match.group(0)
            return _format(style, original + timedelta(days=days), match)

        text = pattern.sub(replace, text)
    return text
