"""Delivery channels. Each takes one formed message and either delivers it or raises.

A channel never retries or records anything itself: the outbox does that, the same way
for every channel, so one broken channel cannot stall the others.
"""

from __future__ import annotations

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


class DeliveryError(Exception):
    """Sending failed; the message says why in one line."""


class Channel(Protocol):
    def send(self, message: OutgoingMessage) -> None: ...
