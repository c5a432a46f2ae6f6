"""Compute -> store -> send -> mark sent, so that no alert is lost or doubled.

1. The rules compute today's alerts; rows whose dedup key is already stored are ignored.
2. Pending rows are grouped into messages (a digest per recipient and channel, or one
   per alert for "immediate" subscriptions). The grouping and the Message-ID are stored
   *before* anything is sent and never change afterwards.
3. Each message is marked as handed over (committed), then sent with no database
   connection open; a failure is retried a few times in the run and then, with growing
   pauses, in later runs. Rows are never dropped.
4. The moment the receiver acknowledges (SMTP's 250 to DATA, an HTTP 2xx), the Message-ID
   is appended to the acknowledgement journal beside the database (``storage.acks``): one
   ``write``, where recording it in DuckDB takes tens of milliseconds. Then success is
   recorded in the database.
5. A run killed between 3 and 4 leaves the rows "sending": the next run first records as
   sent every message the journal holds, and resends only the others, with the same
   Message-ID, so receivers can tell. At least once, and twice only when the kill falls
   between the receiver's acknowledgement and that one ``write``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import groupby
from pathlib import Path
from typing import Any

import duckdb

from tracker import settings
from tracker.alerts import lease, render, rules
from tracker.alerts.channels import Channel, DeliveryError, OutgoingMessage
from tracker.alerts.channels.email import EmailChannel, sender_domain
from tracker.alerts.channels.webhook import WebhookChannel, configured_webhooks
from tracker.clock import BERLIN, berlin_day
from tracker.collect import coverage
from tracker.errors import ConfigError
from tracker.storage import alerts as store
from tracker.storage import open_db
from tracker.storage.acks import AckJournal
from tracker.storage.connection import transaction
from tracker.work import workdays

log = logging.getLogger(__name__)
LEASE_NAME = "alerts"
# Pauses between failed runs: a minute, five, a quarter hour, an hour, then every six hours.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1),
           timedelta(hours=6))
DEFAULT_TRIES = 3
DEFAULT_PAUSES = (1.0, 3.0)


@dataclass(frozen=True)
class MessageResult:
    message_id: str
    channel: str
    recipient: str
    alert_count: int
    ok: bool
    tries: int
    error: str | None = None
    resent: bool = False   # formed in an earlier run (crash or failure), sent again now
    recovered: bool = False  # delivered by a killed run (journalled), only recorded now


@dataclass
class RunReport:
    today: date
    computed: int = 0
    new: int = 0
    messages: list[MessageResult] = field(default_factory=list)
    would_send: list[rules.OutboxEntry] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    dry_run: bool = False
    locked: bool = False

    @property
    def sent(self) -> list[MessageResult]:
        return [m for m in self.messages if m.ok and not m.recovered]

    @property
    def recovered(self) -> list[MessageResult]:
        """Delivered by an earlier run that was killed before recording it; not sent again."""
        return [m for m in self.messages if m.recovered]

    @property
    def failed(self) -> list[MessageResult]:
        return [m for m in self.messages if not m.ok]


@dataclass(frozen=True)
class SendPolicy:
    tries: int = DEFAULT_TRIES
    pauses: Sequence[float] = DEFAULT_PAUSES
    sleep: Callable[[float], None] = time.sleep
    # Called with the Message-ID after it was marked as handed over, before the channel has
    # it; and after the channel accepted it and the journal holds it, before the database
    # records it as sent. Tests kill the process at these two points.
    before_send: Callable[[str], None] | None = None
    after_send: Callable[[str], None] | None = None


def backoff(failed_runs: int) -> timedelta:
    return BACKOFF[min(max(failed_runs, 1), len(BACKOFF)) - 1]


def rule_settings() -> rules.RuleSettings:
    return rules.RuleSettings(land=workdays.configured_land(),
                              failure_threshold=settings.get().source_failure_threshold)


def compute(now: datetime, *, db_path: Path | None = None,
            rule_config: rules.RuleSettings | None = None) -> tuple[list[rules.OutboxEntry], list[str]]:
    """Today's outbox entries and the subscriptions that could not be served (why)."""
    config = rule_config or rule_settings()
    with open_db(db_path) as con:
        inputs = store.load_alert_inputs(con, today=berlin_day(now), since=now - config.lookback)
    inputs.overdue = [rules.OverdueSource(r["id"], r["name"] or r["id"], r["last_new_at"] or r["added_at"],
                                          r["overdue"])
                      for r in coverage.source_report(now=now, db_path=db_path) if r["overdue"]]
    entries = rules.compute(inputs, today=berlin_day(now), now=now, rules=config)
    return entries, list(inputs.skipped)


def plan_messages(rows: Sequence[dict[str, Any]], domain: str) -> list[tuple[list[int], str]]:
    """Group unbatched rows into messages: (row ids, Message-ID)."""
    planned = []
    digest = sorted((r for r in rows if r["mode"] == "digest"), key=lambda r: (r["channel"], r["recipient"]))
    for _, group in groupby(digest, key=lambda r: (r["channel"], r["recipient"])):
        members = list(group)
        planned.append(([r["id"] for r in members], render.message_id([r["dedup_key"] for r in members], domain)))
    for row in rows:
        if row["mode"] != "digest":
            planned.append(([row["id"]], render.message_id([row["dedup_key"]], domain)))
    return planned


class _Unavailable:
    def __init__(self, reason: str) -> None:
        self.reason = reason

    def send(self, message: OutgoingMessage, accepted: Callable[[], None] | None = None) -> None:
        raise DeliveryError(self.reason, channel_down=True)


def default_channels() -> Callable[[str], Channel]:
    """Channel name -> channel, from settings; an unknown webhook fails visibly."""
    email = EmailChannel(settings.get().smtp)
    # A broken webhook configuration fails the webhooks only, never the e-mails.
    try:
        hooks, problem = configured_webhooks(), None
    except ConfigError as exc:
        hooks, problem = {}, str(exc)

    def resolve(name: str) -> Channel:
        if name == "email":
            return email
        hook = hooks.get(name.partition(":")[2])
        if name.startswith("webhook:") and hook is not None:
            return WebhookChannel(hook)
        return _Unavailable(problem or f"Kanal {name!r} ist nicht konfiguriert (TRACKER_WEBHOOKS)")

    return resolve


def _as_resolver(channels: Mapping[str, Channel] | Callable[[str], Channel] | None) -> Callable[[str], Channel]:
    if channels is None:
        return default_channels()
    if callable(channels):
        return channels
    mapping = dict(channels)
    return lambda name: mapping.get(name) or _Unavailable(f"Kanal {name!r} ist nicht konfiguriert")


def _message(rows: Sequence[dict[str, Any]], today: date, statement: Sequence[str] = ()) -> OutgoingMessage:
    """The message of these rows; a digest carries the coverage statement at its foot."""
    alerts = tuple(rules.Alert.from_payload(r["payload"]) for r in rows)
    first = rows[0]
    return OutgoingMessage(first["message_id"], first["channel"], first["recipient"], alerts, today,
                           tuple(statement) if first["mode"] == "digest" else ())


def coverage_statement(now: datetime, since: datetime, db_path: Path | None = None) -> list[str]:
    """The digest's coverage lines; a failure to work them out is said, never fatal."""
    try:
        return coverage.load_coverage(since=since, now=now, db_path=db_path).lines()
    except Exception as exc:  # the digest still goes out, saying what it cannot vouch for
        log.warning("coverage statement failed: %s", exc)
        return [f"Abdeckung konnte nicht ermittelt werden ({type(exc).__name__}: {exc}); "
                "bitte die Seite Quellen prüfen."]


Attempt = tuple[datetime, bool, str | None, int]


def _journal_once(journal: AckJournal, message_id: str) -> Callable[[], None]:
    """What a channel calls when the receiver accepted: journal the Message-ID, once."""
    done = False

    def accepted() -> None:
        nonlocal done
        if done:
            return
        done = True
        try:
            journal.record(message_id)
        except OSError as exc:  # the database record still follows; only the window grows
            log.warning("acknowledgement of %s not journalled: %s", message_id, exc)

    return accepted


def _deliver(channel: Channel, message: OutgoingMessage, policy: SendPolicy,
             journal: AckJournal) -> tuple[list[Attempt], str | None, bool]:
    """Try a few times; returns every attempt (when, ok, error, ms), the last error, channel down."""
    attempts: list[Attempt] = []
    error: str | None = None
    down = False
    accepted = _journal_once(journal, message.message_id)
    for attempt in range(max(1, policy.tries)):
        if attempt:
            policy.sleep(policy.pauses[min(attempt - 1, len(policy.pauses) - 1)] if policy.pauses else 0)
        started = time.monotonic()
        at = datetime.now(UTC)
        try:
            channel.send(message, accepted)
        except DeliveryError as exc:
            error, down = str(exc), exc.channel_down
        except Exception as exc:  # a channel bug must not stop the other channels
            error, down = f"{type(exc).__name__}: {exc}", False
        else:
            accepted()  # for a channel that does not report the moment itself
            attempts.append((at, True, None, int((time.monotonic() - started) * 1000)))
            return attempts, None, False
        attempts.append((at, False, error, int((time.monotonic() - started) * 1000)))
    return attempts, error, down


def _record_acknowledged(con: duckdb.DuckDBPyConnection, journal: AckJournal, now: datetime) -> list[MessageResult]:
    """Messages a killed run had delivered (journalled) but not recorded: record them as sent."""
    rows = store.unsent_messages(con, sorted(journal.acknowledged()))
    recovered = []
    for message_id, group in groupby(sorted(rows, key=lambda r: (r["message_id"], r["id"])),
                                     key=lambda r: r["message_id"]):
        members = list(group)
        first = members[0]
        at = first["handed_over_at"] or now
        store.record_delivery(con, message_id=message_id, channel=first["channel"], recipient=first["recipient"],
                              alert_count=len(members), attempted_at=at, ok=True, error=None, duration_ms=0)
        store.mark_sent(con, message_id, at, 1)
        recovered.append(MessageResult(message_id, first["channel"], first["recipient"], len(members), True, 1,
                                       recovered=True))
    return recovered


def send_due(now: datetime, *, resolve: Callable[[str], Channel], policy: SendPolicy,
             include_digest: bool, domain: str, db_path: Path | None = None,
             keep_alive: Callable[[], None] | None = None) -> list[MessageResult]:
    """Form messages from pending rows, then send every formed message that is due.

    Messages an earlier, killed run had delivered (in the acknowledgement journal) are
    recorded as sent first and not sent again. Each message is marked as handed over
    before its channel gets it. A channel that is down (server unreachable, endpoint
    broken) is tried for one message only; its other messages are marked failed untried
    and wait for the next run.
    """
    journal = AckJournal.beside(db_path)
    with open_db(db_path) as con, transaction(con):
        results = _record_acknowledged(con, journal, now)
        previously_formed = {r["message_id"] for r in store.batches_due(con, now)}
        for ids, message_id in plan_messages(store.unbatched(con, include_digest=include_digest), domain):
            store.form_batch(con, ids, message_id, now)
        due = store.batches_due(con, now)
        since = store.last_digest_at(con) or now - rules.DEFAULT_LOOKBACK
    journal.clear()  # everything it held is recorded now
    statement = coverage_statement(now, since, db_path) if any(r["mode"] == "digest" for r in due) else []
    down: dict[str, str] = {}
    today = berlin_day(now)
    messages = [(message_id, list(group)) for message_id, group in
                groupby(sorted(due, key=lambda r: (r["message_id"], r["id"])), key=lambda r: r["message_id"])]
    marked: str | None = None  # the message already marked as handed over (with the previous record)
    for position, (message_id, rows) in enumerate(messages):
        message = _message(rows, today, statement)
        if message.channel in down:
            attempts: list[Attempt] = []
            error: str | None = f"Nicht versucht, Kanal in diesem Lauf nicht erreichbar: {down[message.channel]}"
        else:
            if marked != message_id:
                with open_db(db_path) as con:
                    store.mark_handed_over(con, message_id, datetime.now(UTC))
            if policy.before_send is not None:
                policy.before_send(message_id)
            attempts, error, channel_down = _deliver(resolve(message.channel), message, policy, journal)
            if error is None:
                if policy.after_send is not None:
                    policy.after_send(message_id)
            elif channel_down:
                down[message.channel] = error
        prior_runs = max(r["attempts"] for r in rows) // max(1, policy.tries)
        with open_db(db_path) as con, transaction(con):
            for at, ok, err, ms in attempts:
                store.record_delivery(con, message_id=message_id, channel=message.channel,
                                      recipient=message.recipient, alert_count=len(rows), attempted_at=at,
                                      ok=ok, error=err, duration_ms=ms)
            if error is None:
                store.mark_sent(con, message_id, datetime.now(UTC), len(attempts))
            else:
                store.mark_failed(con, message_id, error, len(attempts), now + backoff(prior_runs + 1))
            # The next message is marked as handed over in the same transaction: one
            # connection per message instead of two.
            marked = None
            if position + 1 < len(messages):
                next_id, next_rows = messages[position + 1]
                if next_rows[0]["channel"] not in down:
                    store.mark_handed_over(con, next_id, datetime.now(UTC))
                    marked = next_id
        results.append(MessageResult(message_id, message.channel, message.recipient, len(rows), error is None,
                                     len(attempts), error, resent=message_id in previously_formed))
        if keep_alive is not None:
            keep_alive()
    journal.clear()
    return results


def digest_due(now: datetime, *, db_path: Path | None = None) -> bool:
    """For a scheduler: the daily digest goes out once per day, from TRACKER_DIGEST_HOUR on."""
    hour = settings.get().digest_hour
    local = now.astimezone(BERLIN)
    if local.hour < hour:
        return False
    with open_db(db_path) as con:
        return not store.digest_sent_on(con, local.date())


def run(*, now: datetime | None = None, dry_run: bool = False, include_digest: bool = True,
        channels: Mapping[str, Channel] | Callable[[str], Channel] | None = None,
        policy: SendPolicy | None = None, db_path: Path | None = None,
        rule_config: rules.RuleSettings | None = None) -> RunReport:
    """One alert run. With ``dry_run`` nothing is stored or sent; the report lists what would be."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    report = RunReport(today=berlin_day(now), dry_run=dry_run)
    entries, report.skipped = compute(now, db_path=db_path, rule_config=rule_config)
    report.computed = len(entries)
    if dry_run:
        with open_db(db_path) as con:
            known = store.known_dedup_keys(con, [e.dedup_key for e in entries])
        report.would_send = [e for e in entries if e.dedup_key not in known]
        report.new = len(report.would_send)
        return report
    holder = lease.new_holder()
    if not lease.try_acquire(LEASE_NAME, holder, now=now, db_path=db_path):
        report.locked = True
        return report
    started = time.monotonic()

    def keep_alive() -> None:
        # Renew the lease on the run's own clock, so a long run is never taken for a dead one.
        lease.try_acquire(LEASE_NAME, holder, now=now + timedelta(seconds=time.monotonic() - started),
                          db_path=db_path)

    try:
        with open_db(db_path) as con, transaction(con):
            report.new = store.enqueue(con, entries, now)
        report.messages = send_due(now, resolve=_as_resolver(channels), policy=policy or SendPolicy(),
                                   include_digest=include_digest, domain=sender_domain(settings.get().smtp),
                                   db_path=db_path, keep_alive=keep_alive)
        if include_digest:
            with open_db(db_path) as con:
                store.record_digest_day(con, report.today, now)
    finally:
        lease.release(LEASE_NAME, holder, db_path=db_path)
    return report


@dataclass(frozen=True)
class OutboxStatus:
    counts: dict[str, int]
    open_rows: list[dict[str, Any]]
    recent_deliveries: list[dict[str, Any]]

    @property
    def unsent(self) -> int:
        return sum(n for status, n in self.counts.items() if status != "sent")


def status(*, db_path: Path | None = None, limit: int = 50) -> OutboxStatus:
    """What the dashboard and ``tracker alerts status`` show: counts, what is stuck, last sends."""
    with open_db(db_path) as con:
        return OutboxStatus(counts=store.outbox_counts(con),
                            open_rows=store.outbox_rows(con, statuses=("pending", "sending", "failed"), limit=limit),
                            recent_deliveries=store.recent_deliveries(con, limit=20))
