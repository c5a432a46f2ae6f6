"""How often a source is expected to bring something, and what follows from it: a source
silent past its grace period is "überfällig", and the first collection of a source (or the
first after a long gap) is a baseline import rather than news.

Pure functions: durations and timestamps in, a verdict out. feeds.toml's ``expect_every``
overrides the default of the source's kind.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from tracker.models import Source
from tracker.vocabulary import SourceKind

# What a policy officer would call normal silence per kind of source. Ministry and agency
# feeds publish several times a month, the JSON APIs (EU initiatives open for feedback, the
# Bundestag's DIP) every week; Verbändeanhörungen reach a mailbox irregularly, so a month
# without one is worth a look, not an alarm every week.
DEFAULT_EXPECT_EVERY: dict[str, timedelta] = {
    SourceKind.RSS: timedelta(days=14),
    SourceKind.ATOM: timedelta(days=14),
    SourceKind.HAVEYOURSAY: timedelta(days=7),
    SourceKind.DIP: timedelta(days=7),
    SourceKind.GOVUK: timedelta(days=14),
    SourceKind.FEDERALREGISTER: timedelta(days=7),
    SourceKind.REGULATIONSGOV: timedelta(days=14),
    SourceKind.IMAP: timedelta(days=30),
}
FALLBACK_EXPECT_EVERY = timedelta(days=14)
# A source not fetched successfully for longer than the setting TRACKER_BASELINE_AFTER_DAYS,
# or this many times its cadence if that is longer, starts again with a baseline: what it
# holds then is a backlog, not news.
BASELINE_GAP_FACTOR = 3
EXPECT_RANGE = (timedelta(hours=1), timedelta(days=365))

_DURATION = re.compile(r"^\s*(\d{1,4})\s*([hdw])\s*$", re.IGNORECASE)
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


def parse_duration(text: str) -> timedelta:
    """``"12h"``, ``"7d"``, ``"2w"`` → a timedelta; ValueError for anything else or outside
    one hour to a year."""
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(text)
    value = int(match.group(1)) * _UNITS[match.group(2).lower()]
    if not EXPECT_RANGE[0] <= value <= EXPECT_RANGE[1]:
        raise ValueError(text)
    return value


def format_duration(value: timedelta) -> str:
    """German: "7 Tage", "2 Wochen", "12 Stunden", "1 Tag"."""
    hours = int(value.total_seconds() // 3600)
    if hours % (24 * 7) == 0 and hours >= 24 * 14:
        weeks = hours // (24 * 7)
        return f"{weeks} Wochen"
    if hours % 24 == 0:
        days = hours // 24
        return "1 Tag" if days == 1 else f"{days} Tage"
    return "1 Stunde" if hours == 1 else f"{hours} Stunden"


def expected_every(source: Source) -> timedelta:
    """The source's own ``expect_every``, else the default of its kind."""
    if source.expect_every is not None:
        return source.expect_every
    return DEFAULT_EXPECT_EVERY.get(source.kind, FALLBACK_EXPECT_EVERY)


def baseline_gap(expect_every: timedelta, after: timedelta) -> timedelta:
    """How long without a successful fetch makes the next collection a baseline again:
    ``after`` (the setting), or three times the cadence if that is longer."""
    return max(after, BASELINE_GAP_FACTOR * expect_every)


def is_baseline(last_success_at: datetime | None, expect_every: timedelta, now: datetime, *,
                after: timedelta) -> bool:
    """Whether a collection now is a baseline import: the source never delivered, or not
    for a long gap (``baseline_gap``)."""
    return last_success_at is None or now - last_success_at > baseline_gap(expect_every, after)


def _day(moment: datetime) -> str:
    return f"{moment:%d.%m.%Y}"


def overdue_reason(expect_every: timedelta | None, *, added_at: datetime | None,
                   last_success_at: datetime | None, last_new_at: datetime | None,
                   now: datetime) -> str | None:
    """Why a source is overdue (one German line), or None while it is within its grace.

    Two clocks: the last successful fetch (a source that fails or is not collected at all
    is silent too), then the last new item it brought. A source never fetched counts from
    when it was added to feeds.toml. ``expect_every`` None: no cadence (the manual source).
    """
    if expect_every is None:
        return None
    expected = f"erwartet: alle {format_duration(expect_every)}"
    if last_success_at is None:
        if added_at is not None and now - added_at > expect_every:
            return f"seit Aufnahme am {_day(added_at)} kein erfolgreicher Abruf ({expected})"
        return None
    if now - last_success_at > expect_every:
        return f"kein erfolgreicher Abruf seit {_day(last_success_at)} ({expected})"
    since = last_new_at or added_at
    if since is not None and now - since > expect_every:
        if last_new_at is None:
            return f"seit Aufnahme am {_day(since)} kein Eintrag ({expected})"
        return f"kein neuer Eintrag seit {_day(since)} ({expected})"
    return None
