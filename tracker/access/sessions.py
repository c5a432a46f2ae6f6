"""Dashboard sessions that survive a reload, a new tab and a link that opens a tab.

The browser holds one cookie: a random token, signed and time-stamped with itsdangerous,
sent ``HttpOnly`` and ``SameSite=Lax``, so page scripts cannot read it and other sites
cannot use it. The server holds the session (``login_sessions``, token stored as SHA-256):
logging out, deactivating a user or changing a password ends it there, and a copied
cookie is worthless from then on. A session lasts ``TRACKER_SESSION_HOURS``.

Streamlit talks to the browser over a WebSocket, which cannot set cookies. So a login on
the page starts the session and hands out a one-time code; the page sends the browser to
``HANDOFF_PATH`` (an HTTP route of the dashboard process, ``tracker.ui.routes``), which
redeems the code, replaces the token, sets the cookie and redirects back. The code is
valid once, for ``HANDOFF_SECONDS``.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from itsdangerous import BadSignature, TimestampSigner

from tracker import settings
from tracker.models import User
from tracker.storage import open_db
from tracker.storage import sessions as store
from tracker.storage.connection import transaction
from tracker.storage.meta import get_or_create_meta
from tracker.vocabulary import SessionEnd

COOKIE_NAME = "konsultationsradar_sitzung"
HANDOFF_PATH = "/konto/sitzung"
LOGOUT_PATH = "/konto/abmelden"
HANDOFF_SECONDS = 120
TOUCH_EVERY = timedelta(minutes=5)  # last_seen_at is written at most this often
_SALT = "konsultationsradar-sitzung"
_SECRET_KEY = "session_secret"


@dataclass(frozen=True)
class StartedSession:
    """A new session: ``token`` identifies it in this page run, ``handoff`` becomes the cookie."""

    token: str
    handoff: str


@dataclass(frozen=True)
class Cookie:
    """What the HTTP route sets: the signed value and how long the browser keeps it."""

    value: str
    max_age: int


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def lifetime() -> timedelta:
    return timedelta(hours=settings.get().session_hours)


_stored_secrets: dict[str, str] = {}


def _signer() -> TimestampSigner:
    configured = settings.get().session_secret
    if configured:
        return TimestampSigner(configured, salt=_SALT)
    # Without a configured secret, one is made once per database and kept there, so
    # cookies stay valid across restarts of the dashboard (read once per process).
    database = str(settings.get().db_path)
    if database not in _stored_secrets:
        with open_db() as con:
            _stored_secrets[database] = get_or_create_meta(con, _SECRET_KEY, secrets.token_urlsafe(48))
    return TimestampSigner(_stored_secrets[database], salt=_SALT)


def start(user: User, *, now: datetime | None = None) -> StartedSession:
    """Open a session for a user whose password was just checked."""
    now = now or _now()
    token, handoff = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with open_db() as con:
        store.insert_session(con, session_id=uuid.uuid4().hex, user_id=user.id, token_hash=_hash(token),
                             handoff_hash=_hash(handoff), handoff_expires_at=now + timedelta(seconds=HANDOFF_SECONDS),
                             now=now, expires_at=now + lifetime())
    return StartedSession(token, handoff)


def redeem(handoff: str, *, now: datetime | None = None) -> Cookie | None:
    """Turn a one-time code into the session cookie (a fresh token); None if the code is
    unknown, used, too old, or its session has ended."""
    if not handoff:
        return None
    now = now or _now()
    token = secrets.token_urlsafe(32)
    with open_db() as con, transaction(con):
        row = store.redeem_handoff(con, _hash(handoff), _hash(token), now)
    if row is None:
        return None
    expires = row["expires_at"] if row["expires_at"].tzinfo else row["expires_at"].replace(tzinfo=UTC)
    return Cookie(_signer().sign(token).decode("ascii"), max(1, int((expires - now).total_seconds())))


def token_from_cookie(value: str | None) -> str | None:
    """The token inside a cookie value, if the signature holds and it is not too old."""
    if not value:
        return None
    try:
        return _signer().unsign(value, max_age=int(lifetime().total_seconds())).decode("ascii")
    except (BadSignature, UnicodeDecodeError):
        return None


def resolve(token: str | None, *, now: datetime | None = None) -> User | None:
    """The user of a live session, or None (unknown token, ended, expired, user deactivated)."""
    if not token:
        return None
    now = now or _now()
    with open_db() as con:
        row = store.live_session(con, _hash(token), now)
        if row is None:
            return None
        seen = row["last_seen_at"] if row["last_seen_at"].tzinfo else row["last_seen_at"].replace(tzinfo=UTC)
        if now - seen > TOUCH_EVERY:
            store.touch(con, row["id"], now)
    return User(id=row["user_id"], display_name=row["display_name"], role=row["role"],
                organisation_id=row["organisation_id"], email=row["email"])


def end(token: str | None, reason: str = SessionEnd.LOGOUT) -> bool:
    """End one session on the server (logout); True when there was one to end."""
    if not token:
        return False
    with open_db() as con:
        return store.end_session(con, _hash(token), reason, _now()) > 0


def end_for_user(user_id: str, reason: str) -> int:
    """End every open session of a user (deactivated, password changed); returns how many."""
    with open_db() as con:
        return store.end_user_sessions(con, user_id, reason, _now())


def open_count(user_id: str) -> int:
    with open_db() as con:
        return store.open_sessions(con, user_id, _now())


def local_path(target: str | None) -> str:
    """Where a redirect may go: a path on this server only ("/", "/vorgang?item=…"),
    never another host (``//evil.example``, ``https://…``)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target
