"""The identity stored with every dashboard action.

The login gate (``tracker.access.auth``) puts the signed-in ``User`` into ``st.session_state``;
without it, a single local user from the setting ``TRACKER_LOCAL_USER`` acts (role admin),
which is what a one-person installation on a laptop wants.
"""

from __future__ import annotations

import streamlit as st

from tracker import settings
from tracker.access.auth import LOCAL_USER
from tracker.models import User
from tracker.vocabulary import Role

SESSION_KEY = "user"


def local_user() -> User:
    """The CLI's local administrator, unless ``TRACKER_LOCAL_USER`` names someone else."""
    login = settings.get().local_user or ""
    return User(id=login, display_name=login, role=Role.ADMIN) if login else LOCAL_USER


def current_user() -> User:
    user = st.session_state.get(SESSION_KEY)
    return user if isinstance(user, User) else local_user()
