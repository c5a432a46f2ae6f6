"""What the collection can vouch for ("Funkstille ist keine Entwarnung"): each source's
health with its overdue state against the expected cadence and how many of its items it
brought late, and the coverage statement at the foot of every digest and on the Eingang
page (sources failing, overdue or capped; items judged not relevant).

``assess_sources`` and ``Coverage.lines`` are pure; ``source_report`` and ``load_coverage``
read the database once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from tracker.clock import BERLIN
from tracker.collect import cadence
from tracker.collect.sources import load_sources
from tracker.errors import ConfigError
from tracker.storage import open_db
from tracker.storage.inbox import deadline_sightings, judged_not_relevant_since
from tracker.storage.sources import source_health
from tracker.vocabulary import SourceHealth
from tracker.work import lateness, workdays

# States a source can be overdue in: an error says more (and has its own alert); a source
# no longer configured is not expected to bring anything.
_CAN_BE_OVERDUE = (SourceHealth.OK, SourceHealth.WARNING, SourceHealth.NEVER_FETCHED)


def assess_sources(rows: Iterable[dict[str, Any]], now: datetime,
                   sightings: Iterable[tuple[str, datetime, date, bool]] = (),
                   land: str | None = None) -> list[dict[str, Any]]:
    """Health rows (``storage.sources.source_health``) with what follows from them:
    ``expect_every`` (timedelta or None), ``overdue`` (the German reason or None; a source
    in error keeps its state but is overdue too), state "überfällig" for a source that is
    otherwise fine, and ``late`` / ``with_deadline`` (items it brought with fewer than
    ``lateness.LATE_WORKING_DAYS`` working days left, baseline imports aside)."""
    late = lateness.lateness_by_source(sightings, land)
    assessed = []
    for row in rows:
        row = dict(row)
        seconds = row.get("expect_every_seconds")
        expect = timedelta(seconds=seconds) if seconds else None
        watched = bool(row.get("enabled")) and row["state"] != SourceHealth.UNCONFIGURED
        reason = cadence.overdue_reason(expect if watched else None, added_at=row.get("added_at"),
                                        last_success_at=row.get("last_success_at"),
                                        last_new_at=row.get("last_new_at"), now=now)
        row["expect_every"], row["overdue"] = expect, reason
        if reason and row["state"] in _CAN_BE_OVERDUE:
            row["state"] = SourceHealth.OVERDUE
        counted = late.get(row["id"], lateness.SourceLateness())
        row["late"], row["with_deadline"] = counted.late, counted.with_deadline
        assessed.append(row)
    return assessed


def _configured_ids() -> Set[str] | None:
    """The ids of feeds.toml, or None (every stored source counts) when it cannot be read:
    the coverage statement must not fail because of a broken file the Quellen page names."""
    with contextlib.suppress(ConfigError):
        return load_sources().known_ids
    return None


def source_report(*, now: datetime | None = None, configured: Set[str] | None = None,
                  db_path: Path | None = None) -> list[dict[str, Any]]:
    """Every known source, assessed (``assess_sources``), for the Quellen page and ``tracker
    sources``. ``configured`` None: read feeds.toml."""
    configured = configured if configured is not None else _configured_ids()
    with open_db(db_path) as con:
        rows = source_health(con, configured)
        sightings = deadline_sightings(con)
    return assess_sources(rows, now or datetime.now(UTC), sightings, workdays.configured_land())


@dataclass(frozen=True)
class SourceNote:
    """One source the coverage statement names, with why."""

    source_id: str
    name: str
    reason: str


@dataclass(frozen=True)
class Coverage:
    """What a digest (or the Eingang page) can vouch for."""

    since: datetime
    sources_watched: int = 0
    failing: tuple[SourceNote, ...] = ()
    overdue: tuple[SourceNote, ...] = ()
    capped: tuple[SourceNote, ...] = ()
    never_fetched: tuple[SourceNote, ...] = ()  # within their grace, but nothing read from them yet
    not_relevant: int = 0

    @property
    def complete(self) -> bool:
        return not (self.failing or self.overdue or self.capped or self.never_fetched)

    def gaps(self) -> str:
        """The gaps in a few words ("1 fehlerhaft, 0 überfällig, 0 an der Obergrenze")."""
        counts = [f"{len(self.failing)} fehlerhaft", f"{len(self.overdue)} überfällig",
                  f"{len(self.capped)} an der Obergrenze"]
        if self.never_fetched:
            counts.append(f"{len(self.never_fetched)} noch nie abgerufen")
        return ", ".join(counts)

    def lines(self) -> list[str]:
        """The statement in German, one line per fact, first the summary."""
        since = f"{self.since.astimezone(BERLIN):%d.%m.%Y %H:%M} Uhr"
        if self.sources_watched == 0:
            head = "Keine Quelle wird beobachtet: Funkstille ist hier keine Entwarnung."
        elif self.complete:
            head = (f"Alle {self.sources_watched} beobachteten Quellen wurden abgerufen, keine ist überfällig "
                    "oder an der Seitenobergrenze.")
        else:
            head = (f"Von {self.sources_watched} beobachteten Quellen sind nicht alle lückenlos gelesen "
                    "– Funkstille ist keine Entwarnung:")
        lines = [head]
        lines += [f"Quelle {n.name}: fehlerhaft – {n.reason}" for n in self.failing]
        lines += [f"Quelle {n.name}: überfällig – {n.reason}" for n in self.overdue]
        lines += [f"Quelle {n.name}: {n.reason}" for n in self.capped]
        if self.never_fetched:
            names = [n.name for n in self.never_fetched]
            shown = ", ".join(names[:5]) + (f" und {len(names) - 5} weitere" if len(names) > 5 else "")
            lines.append(f"{len(names)} Quelle(n) noch nie abgerufen: {shown}")
        count = "1 Eintrag" if self.not_relevant == 1 else f"{self.not_relevant} Einträge"
        lines.append(f"Seit {since}: {count} als nicht relevant bewertet (im Eingang ausgeblendet, "
                     "„Auch als nicht relevant bewertete Einträge“ zeigt sie).")
        return lines


CAPPED_REASON = ("beim letzten Abruf an der Obergrenze je Lauf gestoppt (max_pages, bei Postfächern 200 E-Mails), "
                 "weitere Einträge nicht gelesen")


def coverage_from(rows: Sequence[dict[str, Any]], not_relevant: int, since: datetime) -> Coverage:
    """The coverage statement from assessed source rows (``assess_sources``)."""
    watched = [r for r in rows if r.get("enabled") and r["state"] != SourceHealth.UNCONFIGURED]

    def note(row: dict[str, Any], reason: str) -> SourceNote:
        return SourceNote(row["id"], row.get("name") or row["id"], reason)

    failing = tuple(note(r, r.get("last_error") or "letzter Abruf fehlgeschlagen")
                    for r in watched if r["state"] == SourceHealth.ERROR)
    overdue = tuple(note(r, r["overdue"]) for r in watched
                    if r.get("overdue") and r["state"] != SourceHealth.ERROR)
    capped = tuple(note(r, CAPPED_REASON) for r in watched if r.get("last_capped"))
    never = tuple(note(r, "noch nie abgerufen") for r in watched if r["state"] == SourceHealth.NEVER_FETCHED)
    return Coverage(since=since, sources_watched=len(watched), failing=failing, overdue=overdue, capped=capped,
                    never_fetched=never, not_relevant=not_relevant)


def load_coverage(*, since: datetime, now: datetime | None = None, configured: Set[str] | None = None,
                  db_path: Path | None = None) -> Coverage:
    """The coverage statement now, counting items judged not relevant since ``since``."""
    configured = configured if configured is not None else _configured_ids()
    with open_db(db_path) as con:
        rows = source_health(con, configured)
        not_relevant = judged_not_relevant_since(con, since)
    return coverage_from(assess_sources(rows, now or datetime.now(UTC)), not_relevant, since)
