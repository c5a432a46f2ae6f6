"""Every setting of the tracker, read once into one typed ``Settings`` object.

Settings come from the environment first, then from ``.streamlit/secrets.toml`` (the file
Streamlit users already know, git-ignored), so no secret is ever written into the repo.
In secrets.toml a name may stand at top level or as ``[section] key`` with the name's
first part as the section: ``SMTP_HOST`` is found as ``[smtp] host`` too.

``get()`` validates every setting at once and raises one ``ConfigError`` naming the
setting, its value, where it came from and what is expected. The object is rebuilt only
when the environment or the secrets file changed, so every caller asks ``get()`` and
sees the same values (tests that change the environment see their change).
Files the tracker reads (feeds.toml, topics.toml, association.toml) are configuration
of their own and validated where they are read.
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracker import config_file
from tracker.errors import ConfigError
from tracker.vocabulary import LAENDER

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_DB_PATH = DATA_DIR / "tracker.duckdb"
DEFAULT_FEEDS_PATH = PROJECT_ROOT / "feeds.toml"
DEFAULT_ASSOCIATION_PATH = DATA_DIR / "association.toml"
SECRETS_PATH = PROJECT_ROOT / ".streamlit" / "secrets.toml"

_HOSTNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$")
_OFF = frozenset({"off", "0", "false", "no", "aus", "nein"})
_ON = frozenset({"on", "1", "true", "yes", "an", "ja"})


@dataclass(frozen=True)
class SmtpSettings:
    """Where e-mail goes out; ``host`` None means e-mail is not configured."""

    host: str | None = None
    port: int = 587
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str = "konsultationsradar@localhost"
    starttls: bool = True
    use_ssl: bool = False
    timeout: float = 30.0


@dataclass(frozen=True)
class MailboxCredentials:
    """The login of one mailbox source (``MAILBOX_<ID>_USER`` / ``_PASSWORD``) and, for a
    server with a certificate of an own CA, the CA file that verifies it."""

    user: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: Path | None = None


def mailbox_setting_id(source_id: str) -> str:
    """The ``<ID>`` of a mailbox's settings: the source id in capitals, '-' as '_'
    (source ``anhoerungen-bmwe`` → ``MAILBOX_ANHOERUNGEN_BMWE_USER``)."""
    return source_id.upper().replace("-", "_")


@dataclass(frozen=True)
class Settings:
    """The tracker's settings; see the README's configuration table for each name."""

    db_path: Path = DEFAULT_DB_PATH
    db_wait_seconds: float = 30.0  # how long to wait out another process's lock on the database
    server_address: str = "127.0.0.1"  # where start.sh binds the dashboard
    feeds_path: Path = DEFAULT_FEEDS_PATH
    association_path: Path = DEFAULT_ASSOCIATION_PATH
    auth_enabled: bool = True
    local_user: str | None = None
    land: str = "NW"
    member_input_workdays: int = 5
    board_signoff_workdays: int = 2
    schedule_minutes: int | None = None
    ics_dir: Path | None = None
    base_url: str = "http://localhost:8501"
    webhooks: str = ""
    webhook_timeout: float = 10.0
    webhook_urls: Mapping[str, str | None] = field(default_factory=dict)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    source_failure_threshold: int = 3  # failed fetches in a row before an alert
    digest_hour: int = 7
    # The Bundestag's DIP API key: a public, time-limited key from the DIP help page, or a
    # personal one (README, "Bundestag DIP").
    dip_api_key: str | None = field(default=None, repr=False)
    session_hours: int = 12  # how long a dashboard login lasts
    session_secret: str | None = field(default=None, repr=False)  # signs the session cookie
    # A source without a successful fetch for this many days (or three times its expected
    # cadence, if longer) starts again with a baseline import: what it holds then is backlog.
    baseline_after_days: int = 30
    # Mailbox sources' logins by ``mailbox_setting_id`` (never in feeds.toml).
    mailboxes: Mapping[str, MailboxCredentials] = field(default_factory=dict, repr=False)

    def mailbox(self, source_id: str) -> MailboxCredentials:
        return self.mailboxes.get(mailbox_setting_id(source_id), MailboxCredentials())


class _Reader:
    """Looks names up (environment, then secrets.toml) and converts them, collecting
    every problem so one error lists them all."""

    def __init__(self, environ: Mapping[str, str], secrets: dict[str, Any], secrets_path: Path) -> None:
        self.environ = environ
        self.secrets = secrets
        self.secrets_path = secrets_path
        self.problems: list[str] = []
        self.names: list[str] = []

    def raw(self, name: str) -> tuple[str | None, str]:
        """The text of a setting and where it was found."""
        self.names.append(name)
        if name in self.environ:
            return self.environ[name], "Umgebung"
        if name in self.secrets:
            return str(self.secrets[name]), str(self.secrets_path)
        section, _, key = name.lower().partition("_")
        table = self.secrets.get(section)
        if key and isinstance(table, dict) and key in table:
            return str(table[key]), f"{self.secrets_path} [{section}] {key}"
        return None, ""

    def value(self, name: str, convert: Callable[[str], Any], default: Any, expected: str,
              *, secret: bool = False) -> Any:
        text, origin = self.raw(name)
        if text is None or not text.strip():
            return default
        try:
            return convert(text.strip())
        except (ValueError, TypeError):
            # A secret's value is never echoed; its length is enough to spot a paste error.
            shown = f"<{len(text.strip())} Zeichen>" if secret else repr(text)
            self.problems.append(f"{name}={shown} ({origin}): {expected}")
            return default

    def secret(self, name: str, *, min_length: int) -> str | None:
        """A secret: checked like any setting, but its value never appears in a message."""
        text, origin = self.raw(name)
        if text is None or not text.strip():
            return None
        if len(text.strip()) < min_length:
            self.problems.append(f"{name} ({origin}): mindestens {min_length} Zeichen erwartet (Wert nicht angezeigt)")
            return None
        return text.strip()

    def text(self, name: str, default: str | None = None) -> str | None:
        text, _ = self.raw(name)
        return text.strip() if text is not None and text.strip() else default


def _integer(low: int, high: int) -> Callable[[str], int]:
    def convert(text: str) -> int:
        value = int(text)
        if not low <= value <= high:
            raise ValueError
        return value
    return convert


def _number(low: float, high: float) -> Callable[[str], float]:
    def convert(text: str) -> float:
        value = float(text)
        if not math.isfinite(value) or not low <= value <= high:
            raise ValueError
        return value
    return convert


def _flag(text: str) -> bool:
    lowered = text.lower()
    if lowered in _ON:
        return True
    if lowered in _OFF:
        return False
    raise ValueError


def _land(text: str) -> str:
    upper = text.upper()
    if upper not in LAENDER:
        raise ValueError
    return upper


def _minutes(text: str) -> int | None:
    value = _integer(0, 10080)(text)
    return value or None


def _api_key(text: str) -> str:
    """An API key as the publisher issues it: one token of letters, digits and . _ - ~ + / =."""
    if not 10 <= len(text) <= 200 or re.search(r"[^A-Za-z0-9._~+/=-]", text):
        raise ValueError
    return text


def _address(text: str) -> str:
    """An IP address (v4 or v6) or a host name, as Streamlit's ``server.address`` takes it."""
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        if not _HOSTNAME.match(text):
            raise
        return text


def _url(text: str) -> str:
    if not text.startswith(("http://", "https://")):
        raise ValueError
    return text.rstrip("/")


_MAILBOX_NAME = re.compile(r"^MAILBOX_([A-Z0-9_]+?)_(USER|PASSWORD|CA_FILE)$")
MAILBOX_FIELDS = ("USER", "PASSWORD", "CA_FILE")


def _mailbox_ids(r: _Reader) -> list[str]:
    """Every ``<ID>`` a ``MAILBOX_<ID>_…`` setting names, in the environment or secrets.toml
    (top level or ``[mailbox]`` ``<id>_user = "…"``)."""
    names = list(r.environ) + [str(k) for k in r.secrets]
    table = r.secrets.get("mailbox")
    if isinstance(table, dict):
        names += [f"MAILBOX_{key}".upper() for key in table]
    return sorted({m.group(1) for name in names if (m := _MAILBOX_NAME.match(name.upper()))})


def _mailboxes(r: _Reader) -> dict[str, MailboxCredentials]:
    found = {}
    for mailbox_id in _mailbox_ids(r):
        ca_file = r.text(f"MAILBOX_{mailbox_id}_CA_FILE")
        found[mailbox_id] = MailboxCredentials(user=r.text(f"MAILBOX_{mailbox_id}_USER"),
                                               password=r.text(f"MAILBOX_{mailbox_id}_PASSWORD"),
                                               ca_file=Path(ca_file) if ca_file else None)
    return found


def _read(environ: Mapping[str, str], secrets: dict[str, Any], secrets_path: Path) -> Settings:
    return _read_with(_Reader(environ, secrets, secrets_path))


def _read_with(r: _Reader) -> Settings:
    defaults = Settings()
    smtp_port = r.value("SMTP_PORT", _integer(1, 65535), SmtpSettings.port, "ganze Zahl von 1 bis 65535 erwartet")
    webhooks = r.text("TRACKER_WEBHOOKS", "") or ""
    names = [part.partition(":")[0].strip() for part in webhooks.split(",") if part.strip()]
    smtp = SmtpSettings(
        host=r.text("SMTP_HOST"),
        port=smtp_port,
        user=r.text("SMTP_USER"),
        password=r.text("SMTP_PASSWORD"),
        sender=r.text("SMTP_FROM", SmtpSettings.sender) or SmtpSettings.sender,
        starttls=r.value("SMTP_STARTTLS", _flag, True, "on oder off erwartet"),
        use_ssl=r.value("SMTP_SSL", _flag, smtp_port == 465, "on oder off erwartet"),
        timeout=r.value("SMTP_TIMEOUT", _number(0.1, 600), SmtpSettings.timeout, "Sekunden (0.1 bis 600) erwartet"),
    )
    settings = Settings(
        db_path=Path(r.text("TRACKER_DB") or defaults.db_path),
        db_wait_seconds=r.value("TRACKER_DB_WAIT_SECONDS", _number(0, 600), defaults.db_wait_seconds,
                                "Sekunden (0 bis 600) erwartet"),
        server_address=r.value("TRACKER_SERVER_ADDRESS", _address, defaults.server_address,
                               "IP-Adresse oder Rechnername erwartet (z. B. 127.0.0.1, 0.0.0.0)"),
        feeds_path=Path(r.text("TRACKER_FEEDS") or defaults.feeds_path),
        association_path=Path(r.text("TRACKER_ASSOCIATION") or defaults.association_path),
        auth_enabled=r.value("TRACKER_AUTH", _flag, True, "on oder off erwartet"),
        local_user=r.text("TRACKER_LOCAL_USER"),
        land=r.value("TRACKER_LAND", _land, defaults.land, f"Bundesland-Kürzel erwartet ({', '.join(LAENDER)})"),
        member_input_workdays=r.value("TRACKER_MEMBER_INPUT_WORKDAYS", _integer(0, 60),
                                      defaults.member_input_workdays, "Arbeitstage von 0 bis 60 erwartet"),
        board_signoff_workdays=r.value("TRACKER_BOARD_SIGNOFF_WORKDAYS", _integer(0, 60),
                                       defaults.board_signoff_workdays, "Arbeitstage von 0 bis 60 erwartet"),
        schedule_minutes=r.value("TRACKER_SCHEDULE_MINUTES", _minutes, None,
                                 "ganze Zahl von Minuten erwartet (z. B. 60; 0 = aus)"),
        ics_dir=Path(ics) if (ics := r.text("TRACKER_ICS_DIR")) else None,
        base_url=r.value("TRACKER_BASE_URL", _url, defaults.base_url, "http(s)-Adresse erwartet"),
        webhooks=webhooks,
        webhook_timeout=r.value("TRACKER_WEBHOOK_TIMEOUT", _number(0.1, 600), defaults.webhook_timeout,
                                "Sekunden (0.1 bis 600) erwartet"),
        webhook_urls={name: r.text(f"WEBHOOK_{name.upper()}_URL") for name in names},
        smtp=smtp,
        source_failure_threshold=r.value("TRACKER_SOURCE_FAILURE_THRESHOLD", _integer(1, 1000),
                                         defaults.source_failure_threshold, "ganze Zahl ab 1 erwartet"),
        digest_hour=r.value("TRACKER_DIGEST_HOUR", _integer(0, 23), defaults.digest_hour,
                            "Stunde von 0 bis 23 erwartet"),
        dip_api_key=r.value("DIP_API_KEY", _api_key, None,
                            "API-Schlüssel erwartet (ein Wort aus Buchstaben, Ziffern und . _ -, "
                            "z. B. wie auf https://dip.bundestag.de/über-dip/hilfe/api angegeben)", secret=True),
        session_hours=r.value("TRACKER_SESSION_HOURS", _integer(1, 720), defaults.session_hours,
                              "Stunden von 1 bis 720 erwartet"),
        session_secret=r.secret("TRACKER_SESSION_SECRET", min_length=32),
        baseline_after_days=r.value("TRACKER_BASELINE_AFTER_DAYS", _integer(1, 3650), defaults.baseline_after_days,
                                    "Tage von 1 bis 3650 erwartet"),
        mailboxes=_mailboxes(r),
    )
    if r.problems:
        raise ConfigError("Ungültige Einstellung: " + "; ".join(r.problems))
    return settings


def setting_names() -> tuple[str, ...]:
    """Every setting name the tracker reads (for the documentation and its test);
    ``WEBHOOK_<NAME>_URL`` stands for one name per configured webhook and
    ``MAILBOX_<ID>_USER`` (``_PASSWORD``, ``_CA_FILE``) for one per mailbox source."""
    reader = _Reader({"TRACKER_WEBHOOKS": "name", "MAILBOX_ID_USER": "x"}, {}, SECRETS_PATH)
    _read_with(reader)
    placeholders = {"WEBHOOK_NAME_URL": "WEBHOOK_<NAME>_URL", "MAILBOX_ID_": "MAILBOX_<ID>_"}
    names = list(reader.names)
    for placeholder, shown in placeholders.items():
        names = [n.replace(placeholder, shown) for n in names]
    return tuple(dict.fromkeys(names))


def _secrets_path(environ: Mapping[str, str]) -> Path:
    """``TRACKER_SECRETS`` (environment only: it says where the other settings are)."""
    return Path(environ.get("TRACKER_SECRETS") or SECRETS_PATH)


def _load_secrets(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    return config_file.read_toml(path, "Einstellungsdatei")[0]


def _signature(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


_PREFIXES = ("TRACKER_", "SMTP_", "WEBHOOK_", "DIP_", "MAILBOX_")
_cached: tuple[object, Settings] | None = None


def get() -> Settings:
    """The current settings, validated; rebuilt only when the environment or the secrets
    file changed. Raises ``ConfigError`` listing every invalid setting."""
    global _cached
    environ = {k: v for k, v in os.environ.items() if k.startswith(_PREFIXES)}
    path = _secrets_path(environ)
    key = (tuple(sorted(environ.items())), str(path), _signature(path))
    if _cached is not None and _cached[0] == key:
        return _cached[1]
    settings = _read(environ, _load_secrets(path), path)
    _cached = (key, settings)
    return settings
