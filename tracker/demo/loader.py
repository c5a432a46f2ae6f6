"""Loading the shipped demo data set (``data/demo/items.json``) into the database.

So that the demo is not all in the past, every date — structured or written in a text —
is shifted by the days between the file's ``reference_date`` and today. The shift is
recorded in ``app_meta`` (the dashboard then says it shows shifted demo data) and reused
on every later load, so loading twice never turns into a wave of "changed" items.
"""

from __future__ import annotations

import html
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb

from tracker import clock
from tracker.collect.normalise import normalise_entries
from tracker.collect.run import sync_configured
from tracker.collect.sources import SourceRegistry, load_sources
from tracker.demo.dates import shift_dates_in_text
from tracker.demo.members import seed_demo_members
from tracker.errors import UserError
from tracker.judge.enrich import judge_items
from tracker.models import RawEntry, Source
from tracker.settings import DATA_DIR
from tracker.storage import open_db
from tracker.storage.connection import transaction
from tracker.storage.items import backdate_demo_first_seen, store_items
from tracker.storage.judgements import save_judgements
from tracker.storage.meta import DEMO_SHIFT_KEY, demo_shift_days, set_meta

DEMO_FILE = DATA_DIR / "demo" / "items.json"


@dataclass(frozen=True)
class DemoReport:
    items: int
    new: int
    changed: int
    shift_days: int


def _date(value: str | None, shift: timedelta) -> date | None:
    return date.fromisoformat(value) + shift if value else None


def _datetime(value: str | None, shift: timedelta) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return (parsed + shift).astimezone(UTC)


def _published(value: str | None, shift: timedelta) -> datetime | None:
    """Shifted publication time, never in the future (the week rounding may push it past now)."""
    moment = _datetime(value, shift)
    return min(moment, datetime.now(UTC)) if moment else None


def _entry(record: dict, shift: timedelta, days: int) -> RawEntry:
    summary = shift_dates_in_text(record.get("summary") or "", days)
    return RawEntry(
        guid=record.get("guid"), title=shift_dates_in_text(record["title"], days), link=record.get("link"),
        summary_html=html.escape(summary), published=_published(record.get("published"), shift),
        language=record.get("language"), deadline=_date(record.get("deadline"), shift),
        deadline_text=shift_dates_in_text(record.get("deadline_text") or "", days) or None,
        opening_date=_date(record.get("opening_date"), shift), stage=record.get("stage"),
    )


def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UserError(f"Demodaten nicht gefunden: {path}") from exc
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}:{exc.lineno}: kein gültiges JSON ({exc.msg})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise UserError(f"{path}: erwartet ein Objekt mit einer Liste 'items'")
    return data


def _store_batch(con: duckdb.DuckDBPyConnection, source: Source, entries: list[RawEntry],
                 now: datetime) -> tuple[int, int]:
    items, judgements = judge_items(normalise_entries(entries, source), source)
    stats, touched = store_items(con, source.id, items, now, demo=True)
    touched_set = set(touched)
    save_judgements(con, [j for j in judgements if j.id in touched_set], now=now)
    return stats.new, stats.changed


def load_demo(db_path: Path | None = None, *, shift: bool = True, today: date | None = None,
              demo_file: Path = DEMO_FILE, registry: SourceRegistry | None = None) -> DemoReport:
    """Store the demo items (and their earlier versions) from the sources they name."""
    data = _read(demo_file)
    registry = registry or load_sources()
    today = today or clock.today()
    with open_db(db_path) as con, transaction(con):
        stored_shift = demo_shift_days(con)
        if stored_shift is not None:
            days = stored_shift
        elif shift:
            # Whole weeks, so that every date keeps its weekday (real deadlines fall on working
            # days); rounded up so that no deadline near the reference date lands in the past.
            days = -(-(today - date.fromisoformat(data["reference_date"])).days // 7) * 7
        else:
            days = 0
        delta = timedelta(days=days)
        sources = {s.id: s for s in registry.sources}
        unknown = sorted({r.get("source_id") for r in data["items"]} - sources.keys(), key=str)
        if unknown:
            names = ", ".join(map(str, unknown))
            raise UserError(f"{demo_file}: unbekannte Quellen {names} (nicht in {registry.path})")
        sync_configured(con, registry.sources, datetime.now(UTC))
        # Earlier versions first, each at the time it was seen, then the current versions.
        by_time: dict[datetime, dict[str, list[RawEntry]]] = defaultdict(lambda: defaultdict(list))
        now = datetime.now(UTC)
        first_load = stored_shift is None
        for record in data["items"]:
            # Earlier versions only on the first load: replaying them later would record
            # the item as changing back and forth.
            for version in (record.get("previous_versions") or []) if first_load else []:
                older = {**record, **version}
                seen = _datetime(version.get("seen"), delta) or now - timedelta(days=7)
                by_time[min(seen, now)][record["source_id"]].append(_entry(older, delta, days))
            by_time[now][record["source_id"]].append(_entry(record, delta, days))
        new = changed = 0
        for moment in sorted(by_time):
            for source_id, entries in by_time[moment].items():
                batch_new, batch_changed = _store_batch(con, sources[source_id], entries, moment)
                new += batch_new
                changed += batch_changed
        if first_load:
            # A demo item was "first seen" when it was published, as a running collector
            # would have seen it, so NEU in the inbox marks only the last days' items.
            backdate_demo_first_seen(con)
        set_meta(con, DEMO_SHIFT_KEY, str(days))
        seed_demo_members(con, today=today)
    return DemoReport(items=len(data["items"]), new=new, changed=changed, shift_days=days)

