"""Webhook POSTs with JSON in the shape chat tools accept.

Formats: ``matrix`` (matrix-hookshot generic webhook: ``text`` + ``html``), ``teams``
(Workflows/Power Automate "post to a channel when a webhook request is received": a
message with an Adaptive Card), ``slack`` (incoming webhook: ``text`` + Block Kit
``blocks``) and ``generic`` (the alerts as data). Webhooks are configured by name:
``TRACKER_WEBHOOKS="team:teams,redaktion:matrix"`` and the secret URL per name in
``WEBHOOK_<NAME>_URL`` (environment or ``.streamlit/secrets.toml``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from tracker import settings
from tracker.alerts import render
from tracker.alerts.channels import DeliveryError, OutgoingMessage
from tracker.errors import ConfigError
from tracker.settings import Settings

FORMATS = ("matrix", "teams", "slack", "generic")
DEFAULT_TIMEOUT = Settings.webhook_timeout


@dataclass(frozen=True)
class WebhookConfig:
    name: str
    url: str | None
    format: str = "generic"
    timeout: float = DEFAULT_TIMEOUT


def configured_webhooks() -> dict[str, WebhookConfig]:
    """Webhooks named in TRACKER_WEBHOOKS; a name without URL is kept so sending fails visibly."""
    configured = settings.get()
    spec, timeout = configured.webhooks, configured.webhook_timeout
    hooks: dict[str, WebhookConfig] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, _, fmt = part.partition(":")
        fmt = (fmt or "generic").strip().lower()
        if fmt not in FORMATS:
            raise ConfigError(f"TRACKER_WEBHOOKS: Webhook {name!r} hat unbekanntes Format {fmt!r} "
                              f"(erlaubt: {', '.join(FORMATS)})")
        url = configured.webhook_urls.get(name.strip())
        hooks[name.strip()] = WebhookConfig(name.strip(), url, fmt, timeout)
    return hooks


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack(message: OutgoingMessage, base: str) -> dict[str, Any]:
    title = render.subject(message.alerts, message.today)
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": title[:150]}}]
    for label, alerts in render.grouped(message.alerts):
        lines = [f"*{_slack_escape(label)}*"]
        lines += [f"• <{render.alert_url(a, base)}|{_slack_escape(render.headline(a))}>" for a in alerts]
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)[:3000]}})
    if message.coverage:
        text = "\n".join([f"*{render.COVERAGE_HEADING}*", *map(_slack_escape, message.coverage)])
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": text[:3000]}]})
    return {"text": title, "blocks": blocks}


def _teams(message: OutgoingMessage, base: str) -> dict[str, Any]:
    body: list[dict[str, Any]] = [{"type": "TextBlock", "size": "Medium", "weight": "Bolder", "wrap": True,
                                   "text": render.subject(message.alerts, message.today)}]
    for label, alerts in render.grouped(message.alerts):
        body.append({"type": "TextBlock", "weight": "Bolder", "wrap": True, "text": label})
        body += [{"type": "TextBlock", "wrap": True,
                  "text": f"[{render.headline(a)}]({render.alert_url(a, base)})"} for a in alerts]
    if message.coverage:
        body.append({"type": "TextBlock", "weight": "Bolder", "wrap": True, "text": render.COVERAGE_HEADING})
        body += [{"type": "TextBlock", "wrap": True, "isSubtle": True, "text": line} for line in message.coverage]
    card = {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard",
            "version": "1.4", "body": body}
    return {"type": "message",
            "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None,
                             "content": card}]}


def _matrix(message: OutgoingMessage, base: str) -> dict[str, Any]:
    return {"text": render.text_body(message.alerts, base, message.coverage),
            "html": render.html_body(message.alerts, base, message.coverage),
            "username": "Konsultationsradar"}


def _generic(message: OutgoingMessage, base: str) -> dict[str, Any]:
    return {
        "event": "konsultationsradar.alerts",
        "message_id": message.message_id,
        "date": message.today.isoformat(),
        "subject": render.subject(message.alerts, message.today),
        "alerts": [{**a.to_payload(), "headline": render.headline(a), "url": render.alert_url(a, base)}
                   for a in message.alerts],
        "coverage": list(message.coverage),
    }


_BUILDERS = {"slack": _slack, "teams": _teams, "matrix": _matrix, "generic": _generic}


def payload(message: OutgoingMessage, fmt: str, base: str) -> dict[str, Any]:
    return _BUILDERS[fmt](message, base)


class WebhookChannel:
    def __init__(self, config: WebhookConfig, *, base: str | None = None,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.config = config
        self.base = base or render.base_url()
        self.transport = transport

    def send(self, message: OutgoingMessage, accepted: Callable[[], None] | None = None) -> None:
        if not self.config.url:
            raise DeliveryError(f"Webhook {self.config.name!r}: WEBHOOK_{self.config.name.upper()}_URL "
                                "ist nicht gesetzt", channel_down=True)
        headers = {"Idempotency-Key": message.message_id.strip("<>"),
                   "X-Konsultationsradar-Message-Id": message.message_id}
        try:
            with httpx.Client(timeout=self.config.timeout, transport=self.transport,
                              follow_redirects=False) as client:
                response = client.post(self.config.url,
                                       json=payload(message, self.config.format, self.base), headers=headers)
        except httpx.TimeoutException as exc:
            raise DeliveryError(f"Webhook {self.config.name!r}: Zeitüberschreitung nach "
                                f"{self.config.timeout:g} s", channel_down=True) from exc
        except httpx.HTTPError as exc:
            raise DeliveryError(f"Webhook {self.config.name!r}: {type(exc).__name__}: {exc}",
                                channel_down=True) from exc
        if response.status_code >= 300:
            # One URL per webhook: server errors, a gone URL or rate limits are the endpoint's
            # state, not this message's.
            down = response.status_code >= 500 or response.status_code in (401, 403, 404, 410, 429)
            raise DeliveryError(f"Webhook {self.config.name!r}: HTTP {response.status_code} "
                                f"{response.text[:200]}", channel_down=down)
        if accepted is not None:
            accepted()
