"""Passwords, login and user management.

Passwords are hashed with argon2id (argon2-cffi); the clear text is never stored,
logged or put into an exception message. A login for an unknown user checks the
password against a dummy hash, so it costs as much as a wrong password and both are
refused with the same message: nobody learns which login names exist.

Setting ``TRACKER_AUTH`` (environment or ``.streamlit/secrets.toml``): on by default;
``off`` (also ``0``, ``false``, ``aus``) turns the login off for a single-user local
install, where everyone acting is the local administrator ``LOCAL_USER``.
"""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from email_validator import EmailNotValidError, validate_email

from tracker import settings
from tracker.access import permissions, sessions
from tracker.errors import UserError
from tracker.models import User
from tracker.storage import open_db
from tracker.storage import users as store
from tracker.storage.connection import transaction
from tracker.vocabulary import Role, SessionEnd

log = logging.getLogger(__name__)

LOGIN_FAILED = "Anmeldung fehlgeschlagen: Benutzername oder Passwort ist falsch."
MAX_FAILURES = 5
LOCK_MINUTES = 15
LOCKED = (f"Zu viele Fehlversuche für diesen Benutzernamen. Bitte in {LOCK_MINUTES} Minuten erneut "
          "versuchen oder die Administration um ein neues Passwort bitten.")
BUSY = "Die Anmeldung ist gerade stark belegt. Bitte in einigen Sekunden erneut versuchen."
MIN_PASSWORD_LENGTH = 10
LOCAL_USER = User(id="lokal", display_name="Lokale Nutzung", role=Role.ADMIN)
_LOGIN_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
_hasher = PasswordHasher()
_EMAIL_PROBLEMS = {"EmailSyntaxError": "so sieht keine E-Mail-Adresse aus (name@domain.de)"}


def auth_enabled() -> bool:
    """Whether users must log in (setting ``TRACKER_AUTH``, on unless set to ``off``)."""
    return settings.get().auth_enabled


def hash_password(password: str) -> str:
    check_password_rules(password)
    return _hasher.hash(password)


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"Das Passwort muss mindestens {MIN_PASSWORD_LENGTH} Zeichen haben.")
    if password.strip() != password:
        raise UserError("Das Passwort darf nicht mit Leerzeichen beginnen oder enden.")


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    # Same parameters as real hashes, so an unknown user costs one full verification.
    return _hasher.hash("dummy-password-that-never-matches")


def _verify(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _to_user(row: dict) -> User:
    return User(id=row["id"], display_name=row["display_name"], role=row["role"],
                organisation_id=row["organisation_id"], email=row["email"])


def _now() -> datetime:
    return datetime.now(UTC)


def _login_key(login: str) -> str:
    return hashlib.sha256(login.encode("utf-8")).hexdigest()


def _count_attempt(con: duckdb.DuckDBPyConnection, key: str, now: datetime, window_start: datetime) -> int:
    try:
        return store.count_login_attempt(con, key, now, window_start)
    except duckdb.Error as exc:  # parallel attempts kept winning: refuse this one, never a traceback
        log.warning("login attempt not counted: %s", exc)
        raise UserError(BUSY) from exc


def authenticate(login: str, password: str) -> User:
    """The user for these credentials, or ``UserError(LOGIN_FAILED)`` — the same for
    an unknown login, a deactivated user and a wrong password.

    Every attempt is counted before its password is checked, atomically, so parallel
    attempts get no more checks than sequential ones: after ``MAX_FAILURES`` attempts
    within ``LOCK_MINUTES`` the login name is refused (``LOCKED``) until that time has
    passed since the last attempt; a successful login clears the count. Unknown names are
    counted and locked alike, so the lock reveals nothing about who exists."""
    login = (login or "").strip().lower()
    key = _login_key(login)
    now = _now()
    window = timedelta(minutes=LOCK_MINUTES)
    with open_db() as con:
        found = store.get_login(con, login) if login else None
        # Counted before the password is looked at, in one statement: parallel attempts
        # cannot all read the same count and all get their password checked.
        attempt = _count_attempt(con, key, now, now - window)
    row, stored = found if found else (None, None)
    ok = _verify(stored, password or "")  # always verify: a locked name costs the same time
    if attempt > MAX_FAILURES:
        log.info("login refused: too many failures for %s", repr(login) if row else "an unknown login name")
        raise UserError(LOCKED)
    if not ok or row is None:
        # Only names of existing users are logged: whatever else was typed into the
        # login field (a password, say) stays out of the log.
        log.info("login refused for %s", repr(login) if row is not None else "an unknown login name")
        raise UserError(LOGIN_FAILED)
    try:
        with open_db() as con:
            store.clear_login_failures(con, key)
            store.record_login(con, login, now)
            if _hasher.check_needs_rehash(stored):
                store.set_password_hash(con, login, _hasher.hash(password), now)
    except duckdb.Error as exc:  # bookkeeping only: the password was right, the user gets in
        log.warning("login of %r not recorded: %s", login, exc)
    log.info("login ok for %r", login)
    return _to_user(row)


class UserExists(UserError):
    """The login name is taken (a second click on "Anlegen" meets the user the first made)."""


def normalise_email(value: str | None, what: str = "E-Mail-Adresse") -> str | None:
    """An e-mail address checked for its form (email-validator, no network look-up) and
    normalised; empty means none. ``UserError`` names what is wrong with it."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise UserError(f"{what} „{text}“ ist ungültig: {_EMAIL_PROBLEMS.get(type(exc).__name__, exc)}") from exc


def _validate_new_user(con: duckdb.DuckDBPyConnection, login: str, role: str,
                       organisation_id: str | None) -> None:
    if not _LOGIN_NAME.match(login):
        raise UserError("Benutzername: 2–40 Zeichen, Kleinbuchstaben, Ziffern, Punkt, Binde- oder Unterstrich.")
    if role not in Role.codes():
        raise UserError(f"Unbekannte Rolle {role!r}; erlaubt: {', '.join(Role.codes())}.")
    if role == Role.MEMBER:
        if not organisation_id:
            raise UserError("Ein Mitglieds-Benutzer braucht eine Organisation.")
        if store.get_organisation(con, organisation_id) is None:
            raise UserError(f"Unbekannte Organisation {organisation_id!r}.")
    if store.user_exists(con, login):
        raise UserExists(f"Den Benutzer {login!r} gibt es schon.")


def create_user(actor: User, *, login: str, display_name: str, password: str, role: str,
                organisation_id: str | None = None, email: str | None = None,
                con: duckdb.DuckDBPyConnection | None = None, is_demo: bool = False) -> User:
    """Create a user; only an administrator may (the CLI acts as ``LOCAL_USER``).

    With ``con`` the caller's connection (and transaction, if any) is used."""
    permissions.require_admin(actor)
    login = login.strip().lower()
    display_name = display_name.strip() or login
    organisation_id = organisation_id if role == Role.MEMBER else None
    email = normalise_email(email)
    password_hash = hash_password(password)

    def insert(c: duckdb.DuckDBPyConnection) -> None:
        _validate_new_user(c, login, role, organisation_id)
        store.insert_user(c, user_id=login, display_name=display_name, email=email, role=role,
                          organisation_id=organisation_id, password_hash=password_hash, is_demo=is_demo,
                          now=datetime.now(UTC))

    if con is not None:
        insert(con)
    else:
        with open_db() as own, transaction(own):
            insert(own)
    log.info("user %r created by %r (role %s)", login, actor.id, role)
    return User(id=login, display_name=display_name, role=role, organisation_id=organisation_id, email=email)


def set_password(actor: User, login: str, new_password: str) -> int:
    """Admins may set anyone's password; everyone may set their own. Every open session
    of that user ends (whoever knew the old password is signed out); returns how many."""
    if actor.id != login:
        permissions.require_admin(actor)
    password_hash = hash_password(new_password)
    with open_db() as con:
        if store.set_password_hash(con, login, password_hash, datetime.now(UTC)) == 0:
            raise UserError(f"Unbekannter Benutzer {login!r}.")
    ended = sessions.end_for_user(login, SessionEnd.PASSWORD_CHANGED)
    log.info("password of %r changed by %r (%d session(s) ended)", login, actor.id, ended)
    return ended


def set_email(actor: User, login: str, email: str | None) -> str | None:
    """Admins may set anyone's e-mail address; everyone may set their own. Checked like at
    creation; returns the stored (normalised) address."""
    if actor.id != login:
        permissions.require_admin(actor)
    address = normalise_email(email)
    with open_db() as con:
        if store.set_email(con, login, address) == 0:
            raise UserError(f"Unbekannter Benutzer {login!r}.")
    return address


def set_active(actor: User, login: str, active: bool) -> None:
    permissions.require_admin(actor)
    if actor.id == login and not active:
        raise UserError("Sie können sich nicht selbst deaktivieren.")
    with open_db() as con:
        if store.set_active(con, login, active) == 0:
            raise UserError(f"Unbekannter Benutzer {login!r}.")
    if not active:
        sessions.end_for_user(login, SessionEnd.DEACTIVATED)


def list_users(actor: User) -> list[dict]:
    permissions.require_admin(actor)
    with open_db() as con:
        return store.list_users(con)


def display_names() -> dict[str, str]:
    """Every user's name by login, for saying who did something (history, versions,
    submissions): people read "Anna Schmidt", not "anna"."""
    with open_db() as con:
        names = {row["id"]: row["display_name"] for row in store.list_users(con)}
    return {LOCAL_USER.id: LOCAL_USER.display_name} | names


def get_user(login: str) -> User | None:
    with open_db() as con:
        row = store.get_user(con, login)
    return _to_user(row) if row and row["active"] else None


def has_users() -> bool:
    with open_db() as con:
        return store.count_users(con) > 0


def demo_logins_present() -> bool:
    """True when the database holds the demo users (the login page then lists them)."""
    with open_db() as con:
        return store.has_demo_users(con)
