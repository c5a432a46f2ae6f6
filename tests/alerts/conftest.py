from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.alerts.smtp_server import SmtpServer


@pytest.fixture
def smtp_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    """A real SMTP server on 127.0.0.1 and the settings that point the tracker at it."""
    with SmtpServer() as server:
        monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("SMTP_PORT", str(server.port))
        monkeypatch.setenv("SMTP_FROM", "Konsultationsradar <radar@verband.example>")
        monkeypatch.setenv("SMTP_STARTTLS", "false")
        monkeypatch.setenv("TRACKER_BASE_URL", "https://radar.verband.example")
        monkeypatch.setenv("TRACKER_LAND", "NW")
        monkeypatch.delenv("TRACKER_WEBHOOKS", raising=False)
        yield server
