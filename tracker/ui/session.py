"""The identity stored with every dashboard action.

The login gate (``tracker.auth``) puts the signed-in ``User`` into ``st.session_state``;
without it, a single local user from the setting ``TRACKER_LOCAL_USER`` acts (role admin),
which is what a one-person installation on a laptop wants.
"""

from __future__ import annotations

import streamlit as st

from tracker import settings
from tracker.models import User

SESSION_KEY = "user"
DEFAULT_LOCAL_USER = "team"


def local_user() -> User:
    login = (settings.setting("TRACKER_LOCAL_USER") or DEFAULT_LOCAL_USER).strip() or DEFAULT_LOCAL_USER
    return User(id=login, display_name=login, role="admin")


def current_user() -> User:
    user = st.session_state.get(SESSION_KEY)
    return user if isinstance(user, User) else local_user()
