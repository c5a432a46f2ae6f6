"""Delivery channels. Each takes one formed message and either delivers it or raises.

A channel never retries or records anything itself: the outbox does that, the same way
for every channel, so one broken channel cannot stall the others.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from tracker.alerts.rules import Alert


@dataclass(frozen=True)
class OutgoingMessage:
    """One message to one recipient: a digest of several alerts, or a single alert."""

    message_id: str
    channel: str
    recipient: str
    alerts: tuple[Alert, ...]
    today: date
    # A digest's coverage statement, one German line each (``collect.coverage``): which
    # sources failed, are overdue or were capped, how many items were judged not relevant.
    coverage: tuple[str, ...] = ()


class DeliveryError(Exception):
    """Sending failed; the message says why in one line.

    ``channel_down`` says the failure is not about this message (server unreachable,
    login refused, endpoint broken), so the outbox stops trying this channel for the rest
    of the run instead of waiting out the same timeout for every recipient.
    """

    def __init__(self, message: str, *, channel_down: bool = False) -> None:
        super().__init__(message)
        self.channel_down = channel_down


class Channel(Protocol):
    def send(self, message: OutgoingMessage, accepted: Callable[[], None] | None = None) -> None:
        """Deliver or raise ``DeliveryError``; call ``accepted`` the moment the receiver
        acknowledged the message (SMTP's reply to DATA, an HTTP 2xx), before anything else
        such as closing the connection, so the outbox can journal it at once."""
        ...
