"""Collection: feeds.toml → fetch → parse → normalise → judge → store, per source; and a
check of the sources, which fetches and reads the same way but stores nothing.

Network work happens with no database connection held; the sources that finished
fetching meanwhile are then written together in one short transaction (items, history,
provenance, health, raw archive), so the dashboard can read in between and a collection
killed half way loses at most the burst being written — which the next run simply
collects again. Sources that overlap, or that the database refuses, are written one
transaction each.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence, Set
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from tracker import settings
from tracker.alerts import lease
from tracker.collect import cadence
from tracker.collect.adapters import APIS
from tracker.collect.check import Findings, SourceCheck, diagnose
from tracker.collect.crawl import SourceJob, fetch_sources
from tracker.collect.fetch import FetchPolicy
from tracker.collect.mail.invitations import Hearing, merged
from tracker.collect.normalise import normalise_entries
from tracker.collect.parse import parse_documents
from tracker.collect.sources import SourceRegistry, load_sources
from tracker.judge.enrich import judge_items
from tracker.models import FetchedPage, FetchResult, Item, MailboxMark, Source
from tracker.storage import open_db
from tracker.storage.archive import FetchedDocument, archive_documents, prune_archive
from tracker.storage.connection import transaction
from tracker.storage.hearings import save_hearings, stored_hearings
from tracker.storage.items import SourcesOverlap, StoreStats, store_sources_items
from tracker.storage.judgements import save_judgements
from tracker.storage.meta import finish_run, mark_runs_aborted, open_runs, start_run
from tracker.storage.sources import (
    CheckRecord,
    fetch_states,
    known_content_hashes,
    record_checks,
    record_failure,
    record_mailbox_marks,
    record_success,
    sync_sources,
)
from tracker.vocabulary import CheckVerdict, FetchOutcome

ProgressCallback = Callable[[str, int, int], None]
# A run still without an end after this long is taken as killed even if its process cannot
# be seen (another host): no collection takes hours.
ABANDONED_AFTER = timedelta(hours=6)


@dataclass
class SourceOutcome:
    """How one source ended in one run; the same words the health table shows."""

    source_id: str
    state: FetchOutcome
    http_status: int | None = None
    stats: StoreStats = field(default_factory=StoreStats)
    message: str | None = None
    duration_ms: int = 0
    # Stored as a baseline import (``collect.cadence.is_baseline``): no new-item alerts.
    baseline: bool = False


@dataclass
class CollectReport:
    outcomes: list[SourceOutcome]
    config_problems: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[SourceOutcome]:
        return [o for o in self.outcomes if o.state == FetchOutcome.ERROR]

    @property
    def baseline(self) -> list[SourceOutcome]:
        return [o for o in self.outcomes if o.baseline]

    @property
    def items_new(self) -> int:
        return sum(o.stats.new for o in self.outcomes)

    @property
    def items_changed(self) -> int:
        return sum(o.stats.changed for o in self.outcomes)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class PreparedDocument:
    """A parsed, normalised and judged document, ready to be written."""

    items: list[Item]
    judgements: list[object]
    warnings: list[str]
    error: str | None
    # Documents found inside the fetched ones (a mail's attachments), for the raw archive.
    documents: list[FetchedPage] = field(default_factory=list)


def prepare_document(source: Source, body: bytes, *, url: str, headers: dict[str, str] | None = None,
                     known_hashes: Set[str] = frozenset(),
                     more: Sequence[tuple[bytes, str, dict[str, str] | None]] = ()) -> PreparedDocument:
    """Parse, normalise and judge one document (and the further pages or detail records of a
    paged source, ``more``): pure apart from the judge's cached model.

    Entries whose content hash this source already delivered are unchanged and not judged
    again (judging is the costly step of a collection that finds little new).
    """
    parsed = parse_documents([(body, url, headers or {}), *more], kind=source.kind, language=source.language)
    if parsed.error:
        return PreparedDocument([], [], list(parsed.warnings), parsed.error)
    items = normalise_entries(parsed.entries, source)
    fresh = [i for i, item in enumerate(items) if item.content_hash not in known_hashes]
    judged_items, judgements = judge_items([items[i] for i in fresh], source)
    for position, judged in zip(fresh, judged_items, strict=True):
        items[position] = judged
    return PreparedDocument(items, judgements, list(parsed.warnings), None, list(parsed.documents))


def _empty_feed_warning(previous_count: int | None, prepared: PreparedDocument, incremental: bool) -> str | None:
    if prepared.items or incremental:  # an increment with nothing new is not an empty source
        return None
    if previous_count:
        return (f"Feed plötzlich leer (zuvor {previous_count} Einträge) – möglicherweise eine Fehlerseite; "
                "gespeicherte Einträge bleiben erhalten")
    return "Dokument enthält keine Einträge – Adresse prüfen, falls das so bleibt"


@dataclass
class Arrival:
    """One source's fetched (or read) document, prepared and ready to be written."""

    source: Source
    fetched: FetchResult
    prepared: PreparedDocument | None = None  # None when nothing arrived (error, 304)
    check: SourceCheck | None = None
    started_at: datetime | None = None  # when the run that fetched it began
    # The source's first collection (or the first after a long gap): its new items are a
    # baseline, not news (``collect.cadence.is_baseline``).
    baseline: bool = False


def prepare_arrival(source: Source, fetched: FetchResult, known_hashes: Set[str] = frozenset(), *,
                    started_at: datetime | None = None, baseline: bool = False) -> Arrival:
    """Parse, normalise and judge what arrived, and check the source as ``tracker sources
    check`` would; a crash here is that source's error only."""
    prepared = None
    if not (fetched.error or fetched.not_modified or fetched.body is None):
        more = [(page.body, page.url, {"content-type": page.content_type} if page.content_type else {})
                for page in fetched.more_pages]
        try:
            prepared = prepare_document(source, fetched.body, url=fetched.final_url or fetched.url,
                                        headers=fetched.headers, known_hashes=known_hashes, more=more)
        except Exception as exc:  # a parser bug must not stop the other sources
            prepared = PreparedDocument([], [], [], f"Verarbeitung fehlgeschlagen: {type(exc).__name__}: {exc}")
    findings = None
    if prepared is not None:
        stamps = [i.published_at or i.updated_at for i in prepared.items if i.published_at or i.updated_at]
        findings = Findings(len(prepared.items), max(stamps, default=None),
                            sum(1 for i in prepared.items if i.deadline is not None), tuple(prepared.warnings),
                            prepared.error)
    check = diagnose(source, fetched, findings, today=(started_at or utcnow()).date())
    return Arrival(source, fetched, prepared, check, started_at, baseline)


def _check_record(arrival: Arrival) -> CheckRecord | None:
    check = arrival.check
    if check is None:
        return None
    return CheckRecord(check.source_id, check.final_url, check.content_type, check.detected_kind, check.newest,
                       check.deadlines, check.pages, check.verdict, check.state, _resume_from(arrival))


def _resume_from(arrival: Arrival) -> datetime | None:
    """Where an incremental source is read from next (None: keep the stored mark): after every
    page was read, from this run's start less the API's overlap; else from where this run's
    window began, so the span is read again."""
    fetched, prepared = arrival.fetched, arrival.prepared
    if fetched.since is None or fetched.error or prepared is None or prepared.error:
        return None
    if not fetched.complete or arrival.started_at is None:
        return fetched.since
    api = APIS.get(arrival.source.kind)
    return arrival.started_at - (api.resume_overlap if api is not None else timedelta(0))


def write_arrival(con: duckdb.DuckDBPyConnection, arrival: Arrival, now: datetime) -> SourceOutcome:
    """Store one source's outcome in a single transaction and say how it ended."""
    with transaction(con):
        return write_together(con, [arrival], now)[0]


def write_together(con: duckdb.DuckDBPyConnection, arrivals: Sequence[Arrival], now: datetime) -> list[SourceOutcome]:
    """Store several sources' outcomes with one set of statements; the caller owns the
    transaction. Raises ``SourcesOverlap`` (before writing items) when two of them carry
    the same publication, which must then be stored one source after the other."""
    delivered = [a for a in arrivals if a.fetched.body is not None and not a.fetched.error]
    archive_documents(con, [document for a in delivered for document in _documents(a)], fetched_at=now)
    record_checks(con, [record for a in arrivals if (record := _check_record(a)) is not None])
    record_mailbox_marks(con, _mailbox_marks(arrivals))
    outcomes: dict[int, SourceOutcome] = {}
    to_store: list[tuple[int, Arrival, PreparedDocument]] = []
    for index, arrival in enumerate(arrivals):
        source, fetched, prepared = arrival.source, arrival.fetched, arrival.prepared
        duration_ms = int(fetched.elapsed_seconds * 1000)
        error = fetched.error or (prepared.error if prepared else None)
        if error:
            record_failure(con, source.id, now=now, status=fetched.status, error=error, duration_ms=duration_ms)
            outcomes[index] = SourceOutcome(source.id, FetchOutcome.ERROR, fetched.status, message=error,
                                            duration_ms=duration_ms)
        elif prepared is None:
            notes = "; ".join(fetched.notes) or None  # a mailbox's after-read trouble, say
            record_success(con, source.id, now=now, status=fetched.status, etag=fetched.etag,
                           last_modified=fetched.last_modified, item_count=None, warning=notes,
                           duration_ms=duration_ms, capped=fetched.capped)
            outcomes[index] = SourceOutcome(source.id, FetchOutcome.WARNING if notes else FetchOutcome.UNCHANGED,
                                            fetched.status, message=notes, duration_ms=duration_ms)
        else:
            to_store.append((index, arrival, prepared))
    previous = fetch_states(con, [arrival.source.id for _, arrival, _ in to_store])
    stored = store_sources_items(con, [(arrival.source.id, prepared.items) for _, arrival, prepared in to_store], now,
                                 baseline={arrival.source.id for _, arrival, _ in to_store if arrival.baseline})
    touched = {item_id for _, item_ids in stored for item_id in item_ids}
    save_judgements(con, [j for _, _, prepared in to_store for j in prepared.judgements if j.id in touched], now=now)
    _record_hearings(con, [(arrival.source.id, item) for _, arrival, prepared in to_store for item in prepared.items],
                     now)
    for (index, arrival, prepared), (stats, _) in zip(to_store, stored, strict=True):
        previous_count = previous[arrival.source.id].last_item_count
        outcomes[index] = _record_stored(con, arrival, prepared, stats, previous_count, now)
    return [outcomes[index] for index in range(len(arrivals))]


def _documents(arrival: Arrival) -> list[FetchedDocument]:
    """Every response a source delivered in this run, first page first, and the documents
    found inside them (a mail's attachments), for the raw archive."""
    fetched = arrival.fetched
    assert fetched.body is not None
    first = FetchedDocument(arrival.source.id, fetched.final_url or fetched.url, fetched.body, fetched.status,
                            fetched.headers.get("content-type"))
    inside = arrival.prepared.documents if arrival.prepared is not None else []
    return [first, *(FetchedDocument(arrival.source.id, page.url, page.body, page.status, page.content_type)
                     for page in [*fetched.more_pages, *inside])]


def _record_hearings(con: duckdb.DuckDBPyConnection, items: Sequence[tuple[str, Item]], now: datetime) -> None:
    """The hearings the items' invitations carry, where newer than the stored version
    (``collect.mail.invitations.merged``: updates by SEQUENCE, cancellations)."""
    incoming = [(source_id, item.id, Hearing.from_dict(found)) for source_id, item in items
                if '"hearings"' in item.extra_json for found in json.loads(item.extra_json).get("hearings", [])]
    if not incoming:
        return
    stored = {uid: Hearing.from_dict(row) for uid, row in
              stored_hearings(con, sorted({h.uid for _, _, h in incoming})).items()}
    where = {h.uid: (source_id, item_id) for source_id, item_id, h in incoming}
    winners = merged(stored, [h for _, _, h in incoming])
    save_hearings(con, [{**h.__dict__, "source_id": where[h.uid][0], "item_id": where[h.uid][1]} for h in winners],
                  now)


def _mailbox_marks(arrivals: Sequence[Arrival]) -> dict[str, MailboxMark]:
    """Where each mailbox source stands once this write commits: only after its mails were
    read and parsed, so a mail is never marked as taken before its item is stored."""
    return {a.source.id: a.fetched.mailbox for a in arrivals
            if a.fetched.mailbox is not None and not a.fetched.error and not (a.prepared and a.prepared.error)}


def _record_stored(con: duckdb.DuckDBPyConnection, arrival: Arrival, prepared: PreparedDocument, stats: StoreStats,
                   previous_count: int | None, now: datetime) -> SourceOutcome:
    source, fetched = arrival.source, arrival.fetched
    duration_ms = int(fetched.elapsed_seconds * 1000)
    warnings = [*fetched.notes, *prepared.warnings]
    empty = _empty_feed_warning(previous_count, prepared, fetched.since is not None)
    if empty:
        warnings.insert(0, empty)
    if not warnings and arrival.check is not None and arrival.check.state == CheckVerdict.NOTICE:
        warnings.append(arrival.check.verdict)  # moved or stale: readable, but someone should look
    warning = "; ".join(warnings) or None
    # An increment's size says nothing about the source's size: keep the last full count.
    count = None if fetched.since is not None else len(prepared.items)
    record_success(con, source.id, now=now, status=fetched.status, etag=fetched.etag,
                   last_modified=fetched.last_modified, item_count=count, warning=warning,
                   duration_ms=duration_ms, capped=fetched.capped)
    outcome = FetchOutcome.WARNING if warning else FetchOutcome.OK
    return SourceOutcome(source.id, outcome, fetched.status, stats, warning, duration_ms,
                         baseline=arrival.baseline and stats.new > 0)


def write_arrivals(db_path: Path | None, arrivals: Sequence[Arrival], *, clock: Callable[[], datetime] | None = None,
                   sync: Sequence[Source] = ()) -> list[SourceOutcome]:
    """Write several sources through one connection (opening and closing one costs a
    checkpoint): together in one transaction, or, when two of them carry the same
    publication or the database refuses one, each source in its own transaction so that
    sources are stored in order and one refused source does not take the others with it."""
    clock = clock or utcnow
    with open_db(db_path) as con:
        if sync:
            with transaction(con):
                sync_configured(con, sync, clock())
        # Two documents of one source (``tracker ingest a.xml b.xml``) are stored one after
        # the other, as two runs would store them: the second links to what the first inserts.
        if len(arrivals) > 1 and len({a.source.id for a in arrivals}) == len(arrivals):
            try:
                with transaction(con):
                    return write_together(con, arrivals, clock())
            except (SourcesOverlap, duckdb.Error):
                pass  # rolled back whole; written one by one below
        return [_write_or_record_failure(con, arrival, clock()) for arrival in arrivals]


def _write_or_record_failure(con: duckdb.DuckDBPyConnection, arrival: Arrival, now: datetime) -> SourceOutcome:
    """A source whose write fails (its transaction rolled back) ends as that source's
    error in the health table; the other sources of the run are still written."""
    try:
        return write_arrival(con, arrival, now)
    except duckdb.Error as exc:
        message = f"Speichern fehlgeschlagen: {type(exc).__name__}: {str(exc).splitlines()[0]}"
        with transaction(con):
            record_failure(con, arrival.source.id, now=now, status=arrival.fetched.status, error=message,
                           duration_ms=int(arrival.fetched.elapsed_seconds * 1000))
        return SourceOutcome(arrival.source.id, FetchOutcome.ERROR, arrival.fetched.status, message=message)


def _bursts(results: Iterator[FetchResult], max_burst: int = 16) -> Iterator[list[FetchResult]]:
    """Group fetch results that are already waiting, so one connection writes them all.

    A background thread drains the fetcher; the caller blocks only for the first result of
    each burst and never waits for slow sources before writing the fast ones.
    """
    done = object()
    waiting: queue.Queue[object] = queue.Queue()

    def drain() -> None:
        try:
            for result in results:
                waiting.put(result)
        except BaseException as exc:  # surfaced in the caller's thread below
            waiting.put(exc)
        finally:
            waiting.put(done)

    threading.Thread(target=drain, name="fetch-drain", daemon=True).start()
    finished = False
    while not finished:
        burst: list[FetchResult] = []
        item = waiting.get()
        while True:
            if item is done:
                finished = True
                break
            if isinstance(item, BaseException):
                raise item
            burst.append(item)  # type: ignore[arg-type]
            if len(burst) >= max_burst:
                break
            try:
                item = waiting.get_nowait()
            except queue.Empty:
                break
        if burst:
            yield burst


def sync_configured(con: duckdb.DuckDBPyConnection, sources: Sequence[Source], now: datetime) -> None:
    """The sources table brought up to date with feeds.toml, each with its expected cadence."""
    sync_sources(con, sources, [int(cadence.expected_every(s).total_seconds()) for s in sources], now=now)


def select_sources(registry: SourceRegistry, source_ids: Sequence[str] | None) -> list[Source]:
    """The sources to collect: the named ones (enabled or not, each once), else every enabled one."""
    if source_ids:
        return [registry.get(source_id) for source_id in dict.fromkeys(source_ids)]
    return [s for s in registry.sources if s.enabled]


def _abandoned(run: dict[str, object], now: datetime) -> bool:
    """A run without an end whose process is gone (or that has run implausibly long) was
    killed half way; one still running in another process is left alone."""
    holder, started = run["holder"], run["started_at"]
    if holder is None or lease.holder_is_dead(str(holder)):
        return True
    return isinstance(started, datetime) and now - started > ABANDONED_AFTER


def run_collection(source_ids: Sequence[str] | None = None, *, db_path: Path | None = None,
                   registry: SourceRegistry | None = None, on_progress: ProgressCallback | None = None,
                   policy: FetchPolicy | None = None,
                   clock: Callable[[], datetime] = utcnow) -> CollectReport:
    """Collect the chosen sources; every source ends in the health table, none stops the rest."""
    registry = registry or load_sources()
    sources = select_sources(registry, source_ids)
    policy = policy or registry.collector
    started_at = clock()
    holder = lease.new_holder()
    with open_db(db_path) as con, transaction(con):
        mark_runs_aborted(con, [run["id"] for run in open_runs(con) if _abandoned(run, clock())])
        sync_configured(con, registry.sources, started_at)
        states = fetch_states(con, [s.id for s in sources])
        known = known_content_hashes(con, [s.id for s in sources])
        run_id = start_run(con, now=started_at, sources_total=len(sources), holder=holder)
    by_id = {s.id: s for s in sources}
    after = timedelta(days=settings.get().baseline_after_days)
    baseline = {s.id for s in sources
                if cadence.is_baseline(states[s.id].last_success_at, cadence.expected_every(s), started_at,
                                       after=after)}
    jobs = [SourceJob(s, started_at, states[s.id].etag, states[s.id].last_modified, states[s.id].resume_from,
                      mailbox=states[s.id].mailbox) for s in sources]
    outcomes: list[SourceOutcome] = []
    if on_progress:
        on_progress("", 0, len(sources))
    for burst in _bursts(fetch_sources(jobs, policy)):
        arrivals = [prepare_arrival(by_id[f.source_id], f, known[f.source_id], started_at=started_at,
                                    baseline=f.source_id in baseline) for f in burst]
        for outcome in write_arrivals(db_path, arrivals, clock=clock):
            outcomes.append(outcome)
            if on_progress:
                on_progress(outcome.source_id, len(outcomes), len(sources))
    report = CollectReport(outcomes, [str(p) for p in registry.problems])
    with open_db(db_path) as con, transaction(con):
        prune_archive(con, retention_days=registry.collector.archive_retention_days, now=clock())
        finish_run(con, run_id, now=clock(), sources_failed=len(report.failed),
                   items_new=report.items_new, items_changed=report.items_changed)
    return report


def ingest_documents(documents: Sequence[tuple[bytes, Source, str, dict[str, str] | None, int | None]], *,
                     db_path: Path | None = None, registry_sources: Sequence[Source] = (),
                     clock: Callable[[], datetime] = utcnow, burst_size: int = 16) -> list[SourceOutcome]:
    """Saved or downloaded documents (body, source, url, headers, status) through the same
    parse/normalise/judge/store path as a collection, written in bursts of ``burst_size``
    documents as a collection writes its bursts (which bounds the memory a long list takes)."""
    if burst_size < 1:
        raise ValueError("burst_size must be at least 1")
    outcomes: list[SourceOutcome] = []
    unsynced = {s.id: s for s in registry_sources}  # synced with the first burst
    with open_db(db_path) as con:
        # As in a collection, entries a source already delivered unchanged are not judged again.
        known = known_content_hashes(con, list({source.id for _, source, _, _, _ in documents}))
    for start in range(0, len(documents), burst_size):
        arrivals = [_prepare_saved(*document, known_hashes=known[document[1].id])
                    for document in documents[start:start + burst_size]]
        unsynced.update({a.source.id: a.source for a in arrivals})
        outcomes += write_arrivals(db_path, arrivals, clock=clock, sync=list(unsynced.values()))
        unsynced.clear()
    return outcomes


def _prepare_saved(body: bytes, source: Source, url: str, headers: dict[str, str] | None,
                   status: int | None, *, known_hashes: Set[str]) -> Arrival:
    started = time.monotonic()
    fetched = FetchResult(source_id=source.id, url=url, status=status, body=body, headers=headers or {},
                          final_url=url)
    arrival = prepare_arrival(source, fetched, known_hashes, started_at=utcnow())
    fetched.elapsed_seconds = time.monotonic() - started
    return arrival


def ingest_document(body: bytes, source: Source, *, url: str, db_path: Path | None = None,
                    headers: dict[str, str] | None = None, http_status: int | None = None,
                    registry_sources: Sequence[Source] = (), clock: Callable[[], datetime] = utcnow) -> SourceOutcome:
    """One saved or downloaded document through the same path as a collection."""
    return ingest_documents([(body, source, url, headers, http_status)], db_path=db_path,
                            registry_sources=registry_sources, clock=clock)[0]


def record_ingest_failure(source: Source, message: str, *, db_path: Path | None = None,
                          clock: Callable[[], datetime] = utcnow) -> SourceOutcome:
    """A document that could not even be routed to a parser still shows in the health table."""
    with open_db(db_path) as con, transaction(con):
        sync_configured(con, [source], clock())
        record_failure(con, source.id, now=clock(), status=None, error=message, duration_ms=0)
    return SourceOutcome(source.id, FetchOutcome.ERROR, message=message)


def check_sources(source_ids: Sequence[str] | None = None, *, registry: SourceRegistry | None = None,
                  policy: FetchPolicy | None = None, clock: Callable[[], datetime] = utcnow) -> list[SourceCheck]:
    """Fetch each chosen source's first response (unconditionally, nothing stored), read it as
    a collection would and say what an operator needs to know; in the order of feeds.toml."""
    registry = registry or load_sources()
    sources = select_sources(registry, source_ids)
    now = clock()
    jobs = [SourceJob(source, now, first_page_only=True) for source in sources]
    by_id = {source.id: source for source in sources}
    checks: dict[str, SourceCheck] = {}
    for fetched in fetch_sources(jobs, policy or registry.collector):
        source = by_id[fetched.source_id]
        findings = None
        if fetched.body is not None and not fetched.error:
            parsed = parse_documents([(fetched.body, fetched.final_url or fetched.url, fetched.headers)],
                                     kind=source.kind, language=source.language)
            findings = Findings.of_parse(parsed)
        checks[source.id] = diagnose(source, fetched, findings, today=now.date())
    return [checks[source.id] for source in sources]
