"""Who wants which alerts, on which channel, how often: checked here, stored in storage."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tracker import settings
from tracker.alerts import rules
from tracker.errors import UserError
from tracker.models import User
from tracker.storage import alerts as store
from tracker.storage import open_db
from tracker.storage.users import get_user
from tracker.vocabulary import Role


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


# --- for the acting user (the dashboard's "Benachrichtigungen" page) -----------------------

MODE_LABELS = {"digest": "tägliche Zusammenfassung", "immediate": "sofort"}


def channels_for(user: User) -> list[str]:
    """The channels a user may choose: e-mail for everyone, the configured webhooks (team
    chat rooms) for the team."""
    webhooks = [f"webhook:{name}" for name in settings.get().webhook_urls] if user.is_team else []
    return ["email", *webhooks]


def channel_label(channel: str) -> str:
    return "E-Mail" if channel == "email" else f"Webhook „{channel.removeprefix('webhook:')}“"


def mine(user: User) -> list[dict[str, Any]]:
    """The user's own subscriptions."""
    return [s for s in list_all() if s["user_id"] == user.id]


def subscribe_me(user: User, **choices: Any) -> int:
    """A subscription for the acting user, on channels this user may use."""
    not_allowed = [c for c in choices.get("channels", ("email",)) if c not in channels_for(user)]
    if not_allowed:
        raise UserError(f"Kanal nicht verfügbar: {', '.join(not_allowed)}")
    return subscribe(user.id, **choices)


def set_mine_active(user: User, subscription_id: int, active: bool) -> None:
    """Pause or resume one of the user's own subscriptions (admins may change anyone's)."""
    owner = next((s["user_id"] for s in list_all() if s["id"] == subscription_id), None)
    if owner is None or (owner != user.id and user.role != Role.ADMIN):
        raise UserError(f"Abo {subscription_id} gibt es nicht")
    set_active(subscription_id, active)
