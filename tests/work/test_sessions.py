"""Server-side dashboard sessions (tracker.access.sessions): a cookie is worth something
only while its session lives on the server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tracker.access import auth, sessions


def test_a_login_session_resolves_until_logout(world):
    started = sessions.start(world.anna)
    assert sessions.resolve(started.token) == world.anna
    assert sessions.end(started.token)
    assert sessions.resolve(started.token) is None
    assert not sessions.end(started.token)


def test_the_handoff_code_works_once_and_replaces_the_token(world):
    started = sessions.start(world.team)
    cookie = sessions.redeem(started.handoff)
    assert cookie is not None and cookie.max_age > 3600
    assert sessions.redeem(started.handoff) is None  # used
    assert sessions.resolve(started.token) is None   # the page token was replaced ...
    token = sessions.token_from_cookie(cookie.value)
    assert sessions.resolve(token) == world.team     # ... by the one in the cookie


def test_an_old_handoff_code_is_refused(world):
    started = sessions.start(world.team)
    later = datetime.now(UTC) + timedelta(seconds=sessions.HANDOFF_SECONDS + 1)
    assert sessions.redeem(started.handoff, now=later) is None


def test_a_forged_or_altered_cookie_is_refused(world):
    cookie = sessions.redeem(sessions.start(world.team).handoff)
    assert cookie is not None
    assert sessions.token_from_cookie(cookie.value[:-2] + "xx") is None
    assert sessions.token_from_cookie("token-without-signature") is None
    assert sessions.token_from_cookie(None) is None


def test_sessions_expire(world, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TRACKER_SESSION_HOURS", "1")
    started = sessions.start(world.team)
    assert sessions.resolve(started.token, now=datetime.now(UTC) + timedelta(minutes=59)) == world.team
    assert sessions.resolve(started.token, now=datetime.now(UTC) + timedelta(minutes=61)) is None


def test_deactivation_ends_every_session_of_the_user(world):
    tabs = [sessions.start(world.bernd).token for _ in range(2)]
    other = sessions.start(world.anna).token
    auth.set_active(world.admin, "bernd", False)
    auth.set_active(world.admin, "bernd", True)  # reactivated: the old sessions stay ended
    assert [sessions.resolve(t) for t in tabs] == [None, None]
    assert sessions.resolve(other) == world.anna


def test_a_password_change_by_an_admin_ends_the_users_sessions(world):
    token = sessions.start(world.clara).token
    assert auth.set_password(world.admin, "clara", "ein-neues-passwort-1") == 1
    assert sessions.resolve(token) is None
    assert sessions.open_count("clara") == 0


@pytest.mark.parametrize(("target", "expected"), [
    ("/vorgang?item=a1", "/vorgang?item=a1"), ("/", "/"), (None, "/"), ("", "/"),
    ("//evil.example/x", "/"), ("https://evil.example/", "/"), ("/\\evil.example", "/"), ("vorgang", "/"),
])
def test_redirects_stay_on_this_server(target, expected):
    assert sessions.local_path(target) == expected
