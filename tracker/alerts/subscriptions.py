"""Who wants which alerts, on which channel, how often: checked here, stored in storage."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tracker.alerts import rules
from tracker.errors import UserError
from tracker.storage import alerts as store
from tracker.storage import open_db
from tracker.storage.users import get_user


def validate(*, topics: Sequence[str], min_score: float, channels: Sequence[str], mode: str,
             kinds: Sequence[str], reminder_days: Sequence[int]) -> None:
    if not 0.0 <= min_score <= 1.0:
        raise UserError(f"Mindest-Relevanz muss zwischen 0 und 1 liegen, nicht {min_score}")
    if mode not in rules.MODES:
        raise UserError(f"Modus {mode!r} unbekannt; erlaubt: {', '.join(rules.MODES)}")
    if not channels:
        raise UserError("Mindestens ein Kanal nötig: email oder webhook:<name>")
    for channel in channels:
        if channel != "email" and not (channel.startswith("webhook:") and len(channel) > len("webhook:")):
            raise UserError(f"Kanal {channel!r} unbekannt; erlaubt: email, webhook:<name>")
    unknown = [k for k in kinds if k not in rules.ALERT_KINDS]
    if unknown or not kinds:
        raise UserError(f"Arten {unknown or '(keine)'} unbekannt; erlaubt: {', '.join(rules.ALERT_KINDS)}")
    if any(d < 0 or d > 60 for d in reminder_days):
        raise UserError("Erinnerungen: Arbeitstage vor der Frist zwischen 0 und 60")
    if any(not t.strip() for t in topics):
        raise UserError("Leeres Thema in der Themenliste")


def subscribe(user_id: str, *, topics: Sequence[str] = (), min_score: float = rules.DEFAULT_MIN_SCORE,
              channels: Sequence[str] = ("email",), mode: str = "digest",
              kinds: Sequence[str] = rules.ALERT_KINDS,
              reminder_days: Sequence[int] = rules.DEFAULT_REMINDER_DAYS,
              now: datetime | None = None, db_path: Path | None = None) -> int:
    """Store a subscription for an existing user; returns its id."""
    validate(topics=topics, min_score=min_score, channels=channels, mode=mode, kinds=kinds,
             reminder_days=reminder_days)
    with open_db(db_path) as con:
        user = get_user(con, user_id)
        if user is None:
            raise UserError(f"Benutzer {user_id!r} gibt es nicht")
        if "email" in channels and not user.get("email"):
            raise UserError(f"Benutzer {user_id!r} hat keine E-Mail-Adresse; Kanal email geht nicht")
        return store.add_subscription(con, user_id=user_id, topics=sorted(set(topics)), min_score=min_score,
                                      channels=list(dict.fromkeys(channels)), mode=mode, kinds=list(kinds),
                                      reminder_days=sorted(set(reminder_days), reverse=True),
                                      now=now or datetime.now(UTC))


def set_active(subscription_id: int, active: bool, *, db_path: Path | None = None) -> None:
    with open_db(db_path) as con:
        if not store.set_subscription_active(con, subscription_id, active):
            raise UserError(f"Abo {subscription_id} gibt es nicht")


def list_all(*, db_path: Path | None = None) -> list[dict[str, Any]]:
    with open_db(db_path) as con:
        return store.list_subscriptions(con)
