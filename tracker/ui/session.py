"""Who is acting in this page run, and the page side of signing in and out.

With the login on (setting ``TRACKER_AUTH``), the gate in ``streamlit_app.py`` calls
``signed_in_user()`` on every run: the session token of this tab, or the one in the
session cookie (``tracker.access.sessions``), is checked against the server's session
table, so a reload, a new tab or a link that opens a tab stays signed in, and a logout
or deactivation elsewhere ends this tab's session on its next run. The acting ``User`` is
then kept in ``st.session_state`` for the pages (``current_user``). Without the login, a
single local user from ``TRACKER_LOCAL_USER`` acts (role admin), which is what a
one-person installation on a laptop wants.
"""

from __future__ import annotations

import json

import streamlit as st

from tracker import settings
from tracker.access import sessions
from tracker.access.auth import LOCAL_USER
from tracker.models import User
from tracker.vocabulary import Role

SESSION_KEY = "user"            # the acting User of this run
TOKEN_KEY = "session_token"     # this tab's session token (the cookie carries it to other tabs)
_REDIRECT_KEY = "_session_redirect"
_SENT_KEY = "_session_redirect_sent"


def local_user() -> User:
    """The CLI's local administrator, unless ``TRACKER_LOCAL_USER`` names someone else."""
    login = settings.get().local_user or ""
    return User(id=login, display_name=login, role=Role.ADMIN) if login else LOCAL_USER


def current_user() -> User:
    user = st.session_state.get(SESSION_KEY)
    return user if isinstance(user, User) else local_user()


def _cookie() -> str | None:
    try:
        return st.context.cookies.get(sessions.COOKIE_NAME)
    except (AttributeError, RuntimeError):  # no browser behind this run (AppTest)
        return None


def signed_in_user() -> User | None:
    """The user of this tab's session or of the session cookie; None when neither is live."""
    ss = st.session_state
    token = ss.get(TOKEN_KEY)
    user = sessions.resolve(token)
    if user is None:
        token = sessions.token_from_cookie(_cookie())
        user = sessions.resolve(token)
    if user is None:
        ss.pop(TOKEN_KEY, None)
        ss.pop(SESSION_KEY, None)
        return None
    ss[TOKEN_KEY] = token
    ss[SESSION_KEY] = user
    return user


def sign_in(user: User) -> None:
    """Start a session for a user whose password was just accepted. This tab is signed in
    at once; on the next run the browser fetches the cookie (``send_pending_redirect``)."""
    started = sessions.start(user)
    st.session_state[TOKEN_KEY] = started.token
    st.session_state[SESSION_KEY] = user
    st.session_state[_REDIRECT_KEY] = ("handoff", started.handoff)


def sign_out() -> None:
    """End this tab's session on the server; the browser then drops the cookie."""
    sessions.end(st.session_state.pop(TOKEN_KEY, None))
    st.session_state.pop(SESSION_KEY, None)
    st.session_state[_REDIRECT_KEY] = ("logout", "")


def send_pending_redirect() -> bool:
    """After a login or logout, send the browser through the cookie route once and back
    to the address it is on (deep links keep their page and ``?item=``). True when it did:
    the page must then not switch to another page in this run, or the script is lost."""
    pending = st.session_state.pop(_REDIRECT_KEY, None)
    if pending is None:
        return False
    st.session_state[_SENT_KEY] = pending
    kind, code = pending
    if kind == "handoff":
        target = (f"{json.dumps(f'{sessions.HANDOFF_PATH}?code={code}&weiter=')} + "
                  "encodeURIComponent(window.location.pathname + window.location.search)")
    else:
        target = json.dumps(sessions.LOGOUT_PATH)
    # Only server-made text goes into the script (a random URL-safe code and fixed paths).
    st.html(f"<script>window.location.replace({target});</script>", unsafe_allow_javascript=True,
            width="content")
    return True


def redirect_again_next_run() -> None:
    """This run switches to another page before the browser could run the script: send
    the browser for the cookie from the page switched to instead."""
    sent = st.session_state.pop(_SENT_KEY, None)
    if sent is not None:
        st.session_state[_REDIRECT_KEY] = sent
