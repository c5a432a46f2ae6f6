"""What the inbox shows and in which order: filters, ranking, urgency, paging.

Pure functions. The storage layer turns an ``InboxFilter`` and a sort key into SQL; the
ranking constants live here so the SQL and ``rank_score`` (used by tests and docs) agree.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta

from tracker.vocabulary import Stage
from tracker.work import workdays

PAGE_SIZE = 25
MAX_SEARCH_LENGTH = 200

# Relevance and urgency in one order: an item due in a few days outranks a slightly more
# relevant one due in months. Urgency rises linearly over the last URGENCY_HORIZON_DAYS
# calendar days (SQL cannot count holidays cheaply; the badge shows exact working days).
URGENCY_HORIZON_DAYS = 42
URGENCY_WEIGHT = 0.6
CHANGED_BONUS = 0.15
# What kind of publication it is moves it up or down: an open consultation or a draft is
# work to do, an adopted act or a news item is background. Items published long ago sink.
STAGE_BONUS: dict[str, float] = {
    Stage.CONSULTATION: 0.3, Stage.DRAFT: 0.2, Stage.FUNDING_CALL: 0.2, Stage.TENDER: 0.1,
    Stage.NEWS: 0.0, Stage.ADOPTED: -0.2,
}
AGE_PENALTY_AFTER_DAYS = 90
AGE_PENALTY = 0.3
# What counts as NEU for a user who never looked at the inbox and when no collection ran yet.
NEW_WINDOW_DAYS = 7

# Working days left at which the deadline badge turns red / amber.
CRITICAL_WORKDAYS = 5
SOON_WORKDAYS = 15

SORTS: dict[str, str] = {
    "rank": "Relevanz und Dringlichkeit",
    "deadline": "Frist zuerst",
    "newest": "Neueste zuerst",
    "score": "Relevanz",
}
DEFAULT_SORT = "rank"

URGENCY_LABELS: dict[str, str] = {
    "abgelaufen": "Frist abgelaufen",
    "kritisch": f"≤ {CRITICAL_WORKDAYS} Arbeitstage",
    "bald": f"≤ {SOON_WORKDAYS} Arbeitstage",
    "spaeter": "später",
    "keine": "keine Frist",
}


@dataclass(frozen=True)
class InboxFilter:
    """Every filter of the inbox; empty tuples mean "no restriction"."""

    topics: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    jurisdictions: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    text: str = ""
    min_score: float = 0.0
    only_changed: bool = False
    include_irrelevant: bool = False  # by default the inbox hides what is judged not relevant

    def without(self, name: str) -> InboxFilter:
        """The same filter with facet ``name`` cleared (for "how many if I pick this" counts)."""
        default = next(f.default for f in fields(self) if f.name == name)
        return replace(self, **{name: default})


FACETS = ("topics", "sources", "jurisdictions", "stages", "statuses", "owners")
NO_OWNER = "(niemand)"


def clean_search(text: str | None) -> str:
    """Collapse whitespace and cap the length; the storage layer binds it as a parameter."""
    return " ".join((text or "").split())[:MAX_SEARCH_LENGTH]


def make_filter(**values: object) -> InboxFilter:
    """Build a filter from widget values, normalising lists to sorted tuples."""
    cleaned: dict[str, object] = {}
    for name, value in values.items():
        if name in FACETS:
            cleaned[name] = tuple(sorted({str(v) for v in (value or ())}))  # type: ignore[union-attr]
        elif name == "text":
            cleaned[name] = clean_search(value)  # type: ignore[arg-type]
        else:
            cleaned[name] = value
    result = InboxFilter(**cleaned)  # type: ignore[arg-type]
    if result.date_from and result.date_to and result.date_from > result.date_to:
        result = replace(result, date_from=result.date_to, date_to=result.date_from)
    return result


def urgency_score(deadline: date | None, today: date) -> float:
    """0 without a deadline or after it, rising to 1 on the deadline day."""
    if deadline is None:
        return 0.0
    days = (deadline - today).days
    if days < 0:
        return 0.0
    return max(0.0, 1.0 - days / URGENCY_HORIZON_DAYS)


def age_penalty(day: date | None, today: date) -> float:
    """How much an item published long ago sinks: nothing for 90 days, then the full penalty."""
    if day is None or (today - day).days <= AGE_PENALTY_AFTER_DAYS:
        return 0.0
    return AGE_PENALTY


def rank_score(score: float | None, deadline: date | None, today: date, changed: bool,
               stage: str | None = None, day: date | None = None) -> float:
    """The default inbox order, highest first (mirrored in SQL by tracker.storage.inbox):
    relevance, urgency of a deadline ahead, a recorded change, the kind of publication
    (an open consultation before an adopted act) and age."""
    return ((score or 0.0) + URGENCY_WEIGHT * urgency_score(deadline, today)
            + (CHANGED_BONUS if changed else 0.0) + STAGE_BONUS.get(stage or "", 0.0) - age_penalty(day, today))


def is_new(first_seen_at: datetime | None, cutoff: datetime) -> bool:
    """NEU: first seen after the cutoff (when this user last looked; see ``new_cutoff``)."""
    return first_seen_at is not None and first_seen_at > cutoff


def new_cutoff(last_visit: datetime | None, last_collection: datetime | None, now: datetime) -> datetime:
    """Since when an item counts as new for a user: since the user last looked at the inbox;
    for a first visit since the last collection began; without either, the last week."""
    if last_visit is not None:
        return last_visit
    if last_collection is not None:
        return last_collection
    return now - timedelta(days=NEW_WINDOW_DAYS)


_UMLAUTS = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}
_SPELLINGS = re.compile(r"ae|oe|ue|ss")


def search_pattern(word: str) -> str:
    """A case-insensitive regular expression (RE2) for one search word that finds both
    spellings of German umlauts: "Waermeplanung" and "Wärmeplanung" both find
    "Wärmeplanung" and "Waermeplanung"; "Strasse" finds "Straße"."""
    plain = "".join(_UMLAUTS.get(ch, ch) for ch in word.lower())
    parts, last = [], 0
    for match in _SPELLINGS.finditer(plain):
        parts.append(re.escape(plain[last:match.start()]))
        umlaut = next(k for k, v in _UMLAUTS.items() if v == match.group())
        parts.append(f"(?:{match.group()}|{umlaut})")
        last = match.end()
    parts.append(re.escape(plain[last:]))
    return "(?i)" + "".join(parts)


def working_days_left(deadline: date | None, today: date, land: str | None = None) -> int | None:
    if deadline is None:
        return None
    return workdays.working_days_between(today, deadline, land)


def urgency(deadline: date | None, today: date, land: str | None = None) -> str:
    """One of URGENCY_LABELS' keys, counted in working days with holidays of ``land``."""
    left = working_days_left(deadline, today, land)
    if left is None:
        return "keine"
    if deadline < today:  # type: ignore[operator]
        return "abgelaufen"
    if left <= CRITICAL_WORKDAYS:
        return "kritisch"
    if left <= SOON_WORKDAYS:
        return "bald"
    return "spaeter"


def deadline_phrase(deadline: date | None, today: date, land: str | None = None) -> str:
    """"Frist 12.05.2026 (noch 4 Arbeitstage)" in the words the team uses."""
    if deadline is None:
        return "keine Frist erkannt"
    left = working_days_left(deadline, today, land)
    if deadline < today:
        return f"Frist {deadline:%d.%m.%Y} (abgelaufen)"
    if deadline == today:
        return f"Frist {deadline:%d.%m.%Y} (heute)"
    unit = "Arbeitstag" if left == 1 else "Arbeitstage"
    return f"Frist {deadline:%d.%m.%Y} (noch {left} {unit})"


def possible_deadline_to_check(deadline: date | None, possible: date | None, today: date) -> date | None:
    """The judge's possible deadline, while it is worth a look: the item has no deadline (from
    the publisher, the text or the team) and the day still lies ahead. The Eingang badge, the
    Vorgang warning, the Fristen page's list and the digest all ask this."""
    return possible if deadline is None and possible is not None and possible >= today else None


def possible_deadline_phrase(possible: date, confidence: float | None, today: date,
                             land: str | None = None) -> str:
    """The warning for a deadline the judge would not take: what it may be, how sure, and
    that it counts nowhere until the team sets it."""
    when = deadline_phrase(possible, today, land).removeprefix("Frist ")
    sure = f", Wahrscheinlichkeit {round(confidence * 100)} %" if confidence is not None else ""
    return (f"Frist prüfen: Der Text nennt vielleicht den {when} als Frist (unsicher{sure}). Sie steht in "
            "keinem Kalender und löst keine Erinnerung aus, bis das Team sie übernimmt.")


def page_count(total: int, page_size: int = PAGE_SIZE) -> int:
    return max(1, math.ceil(total / page_size))


def clamp_page(page: int, total: int, page_size: int = PAGE_SIZE) -> int:
    """Pages count from 1; a filter that shrank the result set must not leave an empty page."""
    return min(max(1, page), page_count(total, page_size))


def page_offset(page: int, page_size: int = PAGE_SIZE) -> int:
    return (max(1, page) - 1) * page_size
