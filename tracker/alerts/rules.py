"""Which alerts are due, for whom: a pure function of the tracker's state and a date.

Every alert has a key that names the *event* (this reminder for this date, this item
being new, this move of this deadline, this failure streak of this source). The outbox
adds channel and recipient to it; a key that is already in the outbox is never stored
again, so running the rules twice, or after a crash, cannot double an alert.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

from tracker.settings import Settings
from tracker.vocabulary import FOLLOWED_STATUSES
from tracker.work import triage, workdays
from tracker.work.inbox import possible_deadline_to_check

ALERT_KINDS = ("reminder", "new_item", "deadline_moved", "source_failing", "source_overdue")
KIND_LABELS = {
    "reminder": "Fristen",
    "new_item": "Neue relevante Veröffentlichungen",
    "deadline_moved": "Verschobene Fristen",
    "source_failing": "Quellen mit Fehlern",
    "source_overdue": "Überfällige Quellen",
}
DATE_KIND_LABELS = {
    "external": "Frist",
    "member_input": "Input der Mitglieder",
    "board_signoff": "Freigabe Vorstand",
}
MODES = ("digest", "immediate")
DEFAULT_REMINDER_DAYS = (5, 2, 0)
DEFAULT_MIN_SCORE = 0.6
# New items and moved deadlines older than this are history, not news: a fresh
# subscription or a restored database must not flood anyone's inbox.
DEFAULT_LOOKBACK = timedelta(days=7)


@dataclass(frozen=True)
class ItemState:
    """One item as the rules see it: deadline, judgement and triage in one row."""

    item_id: str
    title: str
    link: str | None
    first_seen_at: datetime
    deadline: date | None = None
    deadline_at: datetime | None = None
    relevant: bool = False
    score: float = 0.0
    topics: tuple[str, ...] = ()
    triage_status: str | None = None
    member_input_due: date | None = None
    board_signoff_due: date | None = None
    source_name: str | None = None
    # Stored by a source's first collection (or the first after a long gap): backlog, not
    # news, so it raises no new-item alert (its dates are still reminded of).
    baseline: bool = False
    # A deadline the judge was unsure of (judge.deadlines.POSSIBLE_FLOOR): named, never reminded of.
    possible_deadline: date | None = None


@dataclass(frozen=True)
class DeadlineMove:
    history_id: int
    item_id: str
    old_deadline: date
    new_deadline: date
    recorded_at: datetime


@dataclass(frozen=True)
class SourceHealth:
    source_id: str
    name: str
    consecutive_failures: int
    last_error: str | None = None
    last_success_at: datetime | None = None


@dataclass(frozen=True)
class OverdueSource:
    """A source silent past its expected cadence (``collect.coverage``): ``silent_since``
    (its last new item, else when it was added) names the silence, ``reason`` says it."""

    source_id: str
    name: str
    silent_since: datetime | None
    reason: str


@dataclass(frozen=True)
class Subscription:
    id: int
    user_id: str
    email: str | None
    topics: tuple[str, ...] = ()
    min_score: float = DEFAULT_MIN_SCORE
    channels: tuple[str, ...] = ("email",)
    mode: str = "digest"
    kinds: tuple[str, ...] = ALERT_KINDS
    reminder_days: tuple[int, ...] = DEFAULT_REMINDER_DAYS
    active: bool = True


@dataclass(frozen=True)
class Alert:
    """One event worth telling someone about; ``key`` identifies the event."""

    key: str
    kind: str
    title: str
    link: str | None = None
    item_id: str | None = None
    source_id: str | None = None
    topics: tuple[str, ...] = ()
    score: float | None = None
    date_kind: str | None = None       # reminders: external, member_input, board_signoff
    due: date | None = None            # reminders: the date reminded of
    due_at: datetime | None = None
    working_days_left: int | None = None
    old_deadline: date | None = None   # moves
    new_deadline: date | None = None
    detail: str | None = None
    source_name: str | None = None
    possible_due: date | None = None   # new items without a deadline: one to check ("Frist prüfen")

    def to_payload(self) -> dict[str, object]:
        data = asdict(self)
        for name, value in data.items():
            if isinstance(value, date | datetime):
                data[name] = value.isoformat()
            elif isinstance(value, tuple):
                data[name] = list(value)
        return data

    @classmethod
    def from_payload(cls, data: dict[str, object]) -> Alert:
        values = dict(data)
        for name in ("due", "old_deadline", "new_deadline", "possible_due"):
            if values.get(name):
                values[name] = date.fromisoformat(str(values[name]))
        if values.get("due_at"):
            values["due_at"] = datetime.fromisoformat(str(values["due_at"]))
        values["topics"] = tuple(values.get("topics") or ())  # type: ignore[arg-type]
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in values.items() if k in known})  # type: ignore[arg-type]


@dataclass(frozen=True)
class OutboxEntry:
    """An alert addressed to one recipient on one channel."""

    alert: Alert
    channel: str
    recipient: str
    user_id: str | None
    mode: str

    @property
    def dedup_key(self) -> str:
        return f"{self.alert.key}|{self.channel}|{self.recipient}"


@dataclass(frozen=True)
class RuleSettings:
    land: str | None = None
    failure_threshold: int = Settings.source_failure_threshold
    lookback: timedelta = DEFAULT_LOOKBACK


@dataclass
class AlertInputs:
    items: Sequence[ItemState] = ()
    moves: Sequence[DeadlineMove] = ()
    sources: Sequence[SourceHealth] = ()
    overdue: Sequence[OverdueSource] = ()
    subscriptions: Sequence[Subscription] = ()
    skipped: list[str] = field(default_factory=list)


def _matches(sub: Subscription, item: ItemState) -> bool:
    """A subscription follows an item when topic and score fit, or the team works on it."""
    if not triage.is_open(item.triage_status):
        return False
    if item.triage_status in FOLLOWED_STATUSES:
        return True
    if not item.relevant or item.score < sub.min_score:
        return False
    return not sub.topics or bool(set(sub.topics) & set(item.topics))


def reminder_for(due: date, today: date, offsets: Iterable[int], land: str | None) -> int | None:
    """The offset (working days before ``due``) whose reminder is due today, if any.

    Of several offsets already reached (an item found late) only the one nearest the date
    counts: one reminder, not three at once. Nothing after the date itself.
    """
    if today > due:
        return None
    reached = [n for n in set(offsets) if n >= 0 and workdays.add_working_days(due, -n, land) <= today]
    return min(reached) if reached else None


def _item_dates(item: ItemState) -> list[tuple[str, date, datetime | None]]:
    dates: list[tuple[str, date, datetime | None]] = []
    if item.deadline is not None:
        dates.append(("external", item.deadline, item.deadline_at))
    if item.member_input_due is not None:
        dates.append(("member_input", item.member_input_due, None))
    if item.board_signoff_due is not None:
        dates.append(("board_signoff", item.board_signoff_due, None))
    return dates


def reminder_alerts(item: ItemState, sub: Subscription, today: date, land: str | None) -> list[Alert]:
    alerts = []
    for date_kind, due, due_at in _item_dates(item):
        offset = reminder_for(due, today, sub.reminder_days, land)
        if offset is None:
            continue
        left = workdays.working_days_between(today, due, land)
        alerts.append(Alert(
            key=f"reminder|{item.item_id}|{date_kind}|{due.isoformat()}|{offset}",
            kind="reminder", title=item.title, link=item.link, item_id=item.item_id,
            topics=item.topics, score=item.score, date_kind=date_kind, due=due, due_at=due_at,
            working_days_left=left, source_name=item.source_name,
        ))
    return alerts


def _new_item_alert(item: ItemState, today: date) -> Alert:
    return Alert(key=f"new_item|{item.item_id}", kind="new_item", title=item.title, link=item.link,
                 item_id=item.item_id, topics=item.topics, score=item.score, due=item.deadline,
                 due_at=item.deadline_at, date_kind="external" if item.deadline else None,
                 source_name=item.source_name,
                 possible_due=possible_deadline_to_check(item.deadline, item.possible_deadline, today))


def _move_alert(move: DeadlineMove, item: ItemState) -> Alert:
    return Alert(key=f"deadline_moved|{move.item_id}|{move.history_id}", kind="deadline_moved",
                 title=item.title, link=item.link, item_id=item.item_id, topics=item.topics,
                 score=item.score, date_kind="external", due=move.new_deadline,
                 old_deadline=move.old_deadline, new_deadline=move.new_deadline,
                 source_name=item.source_name)


def _source_alert(source: SourceHealth) -> Alert:
    # One alert per failure streak: the streak is named by the last success before it.
    streak = source.last_success_at.isoformat() if source.last_success_at else "nie"
    return Alert(key=f"source_failing|{source.source_id}|{streak}", kind="source_failing",
                 title=source.name, source_id=source.source_id, source_name=source.name,
                 detail=f"{source.consecutive_failures} Abrufe in Folge fehlgeschlagen"
                        + (f": {source.last_error}" if source.last_error else ""))


def _overdue_alert(source: OverdueSource) -> Alert:
    # One alert per silence: it is named by the last new item (or the day the source was added).
    silence = source.silent_since.isoformat() if source.silent_since else "nie"
    return Alert(key=f"source_overdue|{source.source_id}|{silence}", kind="source_overdue", title=source.name,
                 source_id=source.source_id, source_name=source.name, detail=source.reason)


def _recipients(sub: Subscription, skipped: list[str]) -> list[tuple[str, str]]:
    found = []
    for channel in sub.channels:
        if channel == "email":
            if sub.email:
                found.append((channel, sub.email.strip().lower()))
            else:
                skipped.append(f"Abo {sub.id} ({sub.user_id}): keine E-Mail-Adresse hinterlegt")
        elif channel.startswith("webhook:") and channel != "webhook:":
            found.append((channel, channel.partition(":")[2]))
        else:
            skipped.append(f"Abo {sub.id} ({sub.user_id}): unbekannter Kanal {channel!r}")
    return found


def alerts_for(sub: Subscription, inputs: AlertInputs, *, today: date, now: datetime,
               rules: RuleSettings) -> list[Alert]:
    """Every alert one subscription should see today, before deduplication."""
    since = now - rules.lookback
    by_id = {item.item_id: item for item in inputs.items}
    alerts: list[Alert] = []
    for item in inputs.items:
        if not _matches(sub, item):
            continue
        if "reminder" in sub.kinds:
            alerts.extend(reminder_alerts(item, sub, today, rules.land))
        if "new_item" in sub.kinds and item.first_seen_at >= since and item.relevant and not item.baseline:
            alerts.append(_new_item_alert(item, today))
    if "deadline_moved" in sub.kinds:
        for move in inputs.moves:
            item = by_id.get(move.item_id)
            if (item is not None and move.recorded_at >= since and move.old_deadline != move.new_deadline
                    and _matches(sub, item)):
                alerts.append(_move_alert(move, item))
    if "source_failing" in sub.kinds:
        alerts.extend(_source_alert(s) for s in inputs.sources
                      if s.consecutive_failures >= rules.failure_threshold)
    if "source_overdue" in sub.kinds:
        alerts.extend(_overdue_alert(s) for s in inputs.overdue)
    return alerts


def compute(inputs: AlertInputs, *, today: date, now: datetime,
            rules: RuleSettings | None = None) -> list[OutboxEntry]:
    """All outbox entries for today, one per (alert, channel, recipient), in a stable order.

    The same recipient reached through two subscriptions gets an alert once; the first
    subscription (lowest id) decides digest or immediate.
    """
    rules = rules or RuleSettings()
    entries: dict[str, OutboxEntry] = {}
    for sub in sorted(inputs.subscriptions, key=lambda s: s.id):
        if not sub.active:
            continue
        targets = _recipients(sub, inputs.skipped)
        for alert in alerts_for(sub, inputs, today=today, now=now, rules=rules):
            for channel, recipient in targets:
                entry = OutboxEntry(alert, channel, recipient, sub.user_id, sub.mode)
                entries.setdefault(entry.dedup_key, entry)
    return sorted(entries.values(), key=lambda e: (e.recipient, ALERT_KINDS.index(e.alert.kind),
                                                   e.alert.due or date.max, e.alert.key))
