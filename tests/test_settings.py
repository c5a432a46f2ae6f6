"""Every setting is read once into one typed object; a wrong value names setting, value and origin."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker import settings
from tracker.errors import ConfigError


def test_defaults_and_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TRACKER_SECRETS", str(tmp_path / "none.toml"))
    monkeypatch.setenv("TRACKER_LAND", "by")
    monkeypatch.setenv("SMTP_PORT", "465")
    got = settings.get()
    assert got.land == "BY" and got.smtp.port == 465 and got.smtp.use_ssl
    assert settings.get() is got  # read once while nothing changed
    monkeypatch.setenv("TRACKER_LAND", "NW")
    assert settings.get().land == "NW"


def test_secrets_file_sections(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[smtp]\nhost = "mail.example"\n[webhook]\nteam_url = "https://hooks.example/x"\n',
                       encoding="utf-8")
    monkeypatch.setenv("TRACKER_SECRETS", str(secrets))
    monkeypatch.setenv("TRACKER_WEBHOOKS", "team:teams")
    got = settings.get()
    assert got.smtp.host == "mail.example" and got.webhook_urls == {"team": "https://hooks.example/x"}


def test_every_wrong_value_is_named_with_its_origin(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('TRACKER_DIGEST_HOUR = "25"\n', encoding="utf-8")
    monkeypatch.setenv("TRACKER_SECRETS", str(secrets))
    monkeypatch.setenv("SMTP_PORT", "abc")
    monkeypatch.setenv("TRACKER_LAND", "XX")
    with pytest.raises(ConfigError) as error:
        settings.get()
    message = str(error.value)
    assert "SMTP_PORT='abc' (Umgebung)" in message and "1 bis 65535" in message
    assert "TRACKER_LAND='XX'" in message
    assert f"TRACKER_DIGEST_HOUR='25' ({secrets})" in message


def test_dip_key_from_secrets_section_and_a_bad_one_is_not_echoed(monkeypatch: pytest.MonkeyPatch,
                                                                   tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[dip]\napi_key = "R2BZaee.DjdCyihKZMf8AOjtScubP2EVydegzjmBIQ"\n', encoding="utf-8")
    monkeypatch.setenv("TRACKER_SECRETS", str(secrets))
    monkeypatch.delenv("DIP_API_KEY", raising=False)
    got = settings.get()
    assert got.dip_api_key == "R2BZaee.DjdCyihKZMf8AOjtScubP2EVydegzjmBIQ"
    assert "R2BZaee" not in repr(got)  # kept out of logs and tracebacks
    monkeypatch.setenv("DIP_API_KEY", "geheim mit leerzeichen")
    with pytest.raises(ConfigError) as error:
        settings.get()
    assert "DIP_API_KEY=<22 Zeichen> (Umgebung)" in str(error.value) and "geheim" not in str(error.value)
