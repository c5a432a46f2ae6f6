"""Who may do what. The rule lives here, and the library functions call it, so a page
or a script that forgets to check cannot leak or change another member's positions.

- admin: everything, including users and organisations.
- team (policy team): workspaces, all positions, drafts, exports, submissions.
- member: sees workspaces once the team opened them for input and that ask its
  organisation; reads and edits only its own organisation's positions, edits only
  while input is open; reads other members' positions only when the team shared them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tracker.errors import UserError
from tracker.models import User
from tracker.vocabulary import VISIBLE_TO_MEMBERS, Role, WorkspaceStatus


class PermissionDenied(UserError):
    """The acting user may not do this; the message says what is not allowed."""


def require_admin(user: User) -> None:
    if user.role != Role.ADMIN:
        raise PermissionDenied("Nur Administratoren dürfen Benutzer und Organisationen verwalten.")


def require_team(user: User) -> None:
    if not user.is_team:
        raise PermissionDenied("Nur das Fachteam der Geschäftsstelle darf das.")


def can_see_workspace(user: User, workspace: Mapping[str, Any], asked: set[str] | frozenset[str]) -> bool:
    if user.is_team:
        return True
    return (user.role == Role.MEMBER and workspace["status"] in VISIBLE_TO_MEMBERS
            and user.organisation_id in asked)


def require_workspace(user: User, workspace: Mapping[str, Any] | None, asked: set[str] | frozenset[str]) -> None:
    # One message for "does not exist" and "not yours": members learn nothing from probing ids.
    if workspace is None or not can_see_workspace(user, workspace, asked):
        raise PermissionDenied("Diese Konsultation ist für Sie nicht freigegeben.")


def can_read_position(user: User, workspace: Mapping[str, Any], organisation_id: str) -> bool:
    if user.is_team:
        return True
    if user.role != Role.MEMBER:
        return False
    return organisation_id == user.organisation_id or bool(workspace["positions_shared"])


def can_edit_position(user: User, workspace: Mapping[str, Any], organisation_id: str) -> bool:
    if user.is_team:
        return workspace["status"] != WorkspaceStatus.EINGEREICHT
    return (user.role == Role.MEMBER and organisation_id == user.organisation_id
            and workspace["status"] == WorkspaceStatus.OFFEN)


def require_edit_position(user: User, workspace: Mapping[str, Any], organisation_id: str) -> None:
    if can_edit_position(user, workspace, organisation_id):
        return
    if user.role == Role.MEMBER and organisation_id != user.organisation_id:
        raise PermissionDenied("Sie können nur die Positionen Ihrer eigenen Organisation ändern.")
    if workspace["status"] == WorkspaceStatus.EINGEREICHT:
        raise PermissionDenied("Die Stellungnahme ist eingereicht; Positionen sind nicht mehr änderbar.")
    raise PermissionDenied("Die Eingabe von Positionen ist für diese Konsultation nicht geöffnet.")
