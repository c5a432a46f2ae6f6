"""Member organisations: the association's members whose positions a statement gathers.

Managing them is for admins (``tracker.access.permissions.require_admin``); anyone may
list them, because a workspace names the organisations it asks.
"""

from __future__ import annotations

import re
from typing import Any

from tracker.access import permissions
from tracker.access.auth import normalise_email
from tracker.errors import UserError
from tracker.models import User
from tracker.storage import open_db
from tracker.storage import users as user_store


def save_organisation(user: User, org: dict[str, Any]) -> None:
    """Create or update a member organisation (admin only)."""
    permissions.require_admin(user)
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{1,49}", str(org.get("id") or "")):
        raise UserError("Kennung der Organisation: Kleinbuchstaben, Ziffern und Bindestriche (2–50 Zeichen).")
    if not str(org.get("name") or "").strip():
        raise UserError("Die Organisation braucht einen Namen.")
    org = {**org, "contact_email": normalise_email(org.get("contact_email"), "Kontakt-E-Mail")}
    with open_db() as con:
        user_store.upsert_organisation(con, org)


def organisations(*, members_only: bool = False) -> list[dict[str, Any]]:
    with open_db() as con:
        return user_store.list_organisations(con, members_only=members_only)
