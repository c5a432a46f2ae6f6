"""Login and passwords: hashed with argon2, refused alike, never in clear text."""

from __future__ import annotations

import logging
import time

import pytest

from tracker.access import auth
from tracker.access.permissions import PermissionDenied
from tracker.errors import UserError
from tracker.storage import open_db

from .conftest import PASSWORDS


def test_login_ok_returns_user_with_organisation(world):
    user = auth.authenticate("anna", PASSWORDS["anna"])
    assert (user.id, user.role, user.organisation_id) == ("anna", "member", "sw-a")
    assert auth.authenticate("  ANNA ", PASSWORDS["anna"]).id == "anna"


def test_wrong_password_and_unknown_user_refused_alike(world):
    messages = []
    for login, password in (("anna", "falsches-passwort"), ("niemand", "falsches-passwort"), ("anna", "")):
        with pytest.raises(UserError) as info:
            auth.authenticate(login, password)
        messages.append(str(info.value))
    assert len(set(messages)) == 1 and messages[0] == auth.LOGIN_FAILED


def test_unknown_user_costs_a_hash_verification(world):
    auth.authenticate("anna", PASSWORDS["anna"])  # warm up both paths
    for login in ("anna", "niemand"):
        with pytest.raises(UserError):
            auth.authenticate(login, "x" * 12)

    def cost(login: str) -> float:
        start = time.perf_counter()
        for _ in range(3):
            with pytest.raises(UserError):
                auth.authenticate(login, "falsches-passwort")
        return time.perf_counter() - start

    known, unknown = cost("anna"), cost("niemand")
    # The ratio would be ~0.05 without the dummy hash (a DB lookup vs an argon2 verification).
    assert unknown / known > 0.4, (known, unknown)


def test_deactivated_user_refused_with_same_message(world):
    auth.set_active(world.admin, "bernd", False)
    with pytest.raises(UserError, match="Benutzername oder Passwort"):
        auth.authenticate("bernd", PASSWORDS["bernd"])


def test_passwords_never_stored_or_logged_in_clear(world, caplog, tmp_path):
    caplog.set_level(logging.DEBUG)
    auth.authenticate("anna", PASSWORDS["anna"])
    with pytest.raises(UserError):
        auth.authenticate("anna", "vertippt-geheim-123")
    auth.set_password(world.anna, "anna", "neues-passwort-xyz")
    with open_db() as con:
        hashes = [r[0] for r in con.execute("SELECT password_hash FROM users").fetchall()]
        dump = repr(con.execute("SELECT * FROM users").fetchall())
    assert all(h.startswith("$argon2id$") for h in hashes)
    for secret in (*PASSWORDS.values(), "vertippt-geheim-123", "neues-passwort-xyz"):
        assert secret not in dump
        assert secret not in caplog.text
    # the database file itself holds no clear text either
    raw = (tmp_path / "tracker.duckdb").read_bytes()
    assert b"neues-passwort-xyz" not in raw and PASSWORDS["team"].encode() not in raw
    assert auth.authenticate("anna", "neues-passwort-xyz").id == "anna"


def test_only_admin_manages_users(world):
    with pytest.raises(PermissionDenied):
        auth.create_user(world.team, login="eve", display_name="Eve", password="eve-passwort-1", role="admin")
    with pytest.raises(PermissionDenied):
        auth.set_password(world.anna, "bernd", "gekapert-passwort")
    with pytest.raises(PermissionDenied):
        auth.list_users(world.anna)
    assert {u["id"] for u in auth.list_users(world.admin)} == set(PASSWORDS)


def test_user_rules(world):
    with pytest.raises(UserError, match="mindestens"):
        auth.create_user(world.admin, login="kurz", display_name="K", password="kurz", role="team")
    with pytest.raises(UserError, match="Organisation"):
        auth.create_user(world.admin, login="ohneorg", display_name="O", password="langes-passwort", role="member")
    with pytest.raises(UserError, match="gibt es schon"):
        auth.create_user(world.admin, login="anna", display_name="A", password="langes-passwort", role="team")
    with pytest.raises(UserError, match="Rolle"):
        auth.create_user(world.admin, login="neu", display_name="N", password="langes-passwort", role="chef")


@pytest.mark.parametrize(("value", "expected"), [(None, True), ("on", True), ("off", False), ("AUS", False),
                                                 ("0", False), ("1", True)])
def test_auth_setting(monkeypatch, value, expected):
    monkeypatch.setenv("TRACKER_SECRETS", "/nonexistent/secrets.toml")
    if value is None:
        monkeypatch.delenv("TRACKER_AUTH", raising=False)
    else:
        monkeypatch.setenv("TRACKER_AUTH", value)
    assert auth.auth_enabled() is expected


def test_repeated_failures_lock_the_name_for_known_and_unknown_alike(world, monkeypatch):
    from datetime import timedelta

    clock = [auth._now()]
    monkeypatch.setattr(auth, "_now", lambda: clock[0])
    for login in ("anna", "niemand"):
        for _ in range(auth.MAX_FAILURES):
            with pytest.raises(UserError, match="Benutzername oder Passwort"):
                auth.authenticate(login, "falsches-passwort")
        with pytest.raises(UserError) as info:
            auth.authenticate(login, PASSWORDS.get(login, "egal-was-auch"))
        assert str(info.value) == auth.LOCKED
    assert auth.authenticate("bernd", PASSWORDS["bernd"]).id == "bernd"  # others unaffected
    clock[0] += timedelta(minutes=auth.LOCK_MINUTES + 1)
    assert auth.authenticate("anna", PASSWORDS["anna"]).id == "anna"
    with pytest.raises(UserError, match="Benutzername oder Passwort"):  # counting starts afresh
        auth.authenticate("anna", "falsches-passwort")


def test_success_resets_the_failure_count(world):
    for _ in range(auth.MAX_FAILURES - 1):
        with pytest.raises(UserError):
            auth.authenticate("anna", "falsches-passwort")
    auth.authenticate("anna", PASSWORDS["anna"])
    for _ in range(auth.MAX_FAILURES - 1):
        with pytest.raises(UserError, match="Benutzername oder Passwort"):
            auth.authenticate("anna", "falsches-passwort")


def test_email_addresses_are_checked_and_users_set_their_own(world):

    with pytest.raises(UserError, match="ungültig"):
        auth.create_user(auth.LOCAL_USER, login="emil", display_name="Emil", password="emil-passwort-1",
                         role="team", email="keine-mail")
    assert auth.get_user("emil") is None
    assert auth.set_email(world.anna, "anna", " Anna.Vogt@Stadtwerke-Altstadt.example ") == \
        "Anna.Vogt@stadtwerke-altstadt.example"
    with pytest.raises(UserError):
        auth.set_email(world.anna, "bernd", "bernd@stadt.example")  # not someone else's
    assert auth.set_email(world.admin, "bernd", "bernd@stadt.example") == "bernd@stadt.example"
