"""Tables of the consultation workspace: ``consultation_workspaces``,
``workspace_members``, ``consultation_sections``, ``positions``, ``position_events``;
plus the read-only look at ``items`` and ``item_triage`` the workspace needs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb

from tracker.vocabulary import WorkspaceStatus

WS_COLUMNS = ("item_id", "title", "addressee", "reference", "external_deadline", "member_input_due",
              "status", "positions_shared", "cosigner_ids", "created_by", "created_at", "updated_by",
              "updated_at", "opened_at", "name_members", "quorum", "salutation")
SECTION_COLUMNS = ("id", "item_id", "ordinal", "label", "title", "body")
POSITION_COLUMNS = ("section_id", "organisation_id", "item_id", "stance", "reason", "proposed_wording",
                    "updated_by", "updated_at")
EDITABLE_WS = ("title", "addressee", "reference", "external_deadline", "member_input_due", "status",
               "positions_shared", "cosigner_ids", "name_members", "quorum", "salutation")


def _rows(cur: duckdb.DuckDBPyConnection, columns: tuple[str, ...]) -> list[dict[str, Any]]:
    return [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]


def item_summary(con: duckdb.DuckDBPyConnection, item_id: str) -> dict[str, Any] | None:
    row = con.execute("SELECT i.id, i.title, i.link, i.deadline, t.member_input_due, t.status FROM items i"
                      " LEFT JOIN item_triage t ON t.item_id = i.id WHERE i.id = ?", [item_id]).fetchone()
    columns = ("id", "title", "link", "deadline", "member_input_due", "triage_status")
    return dict(zip(columns, row, strict=True)) if row else None


def items_with_title_prefix(con: duckdb.DuckDBPyConnection, prefix: str, *, demo_only: bool) -> list[str]:
    where = " AND is_demo" if demo_only else ""
    return [r[0] for r in con.execute(f"SELECT id FROM items WHERE starts_with(title, ?){where} ORDER BY id",
                                      [prefix]).fetchall()]


def planned_items_without_workspace(con: duckdb.DuckDBPyConnection, status: str) -> list[dict[str, Any]]:
    return _rows(con.execute(
        "SELECT i.id, i.title, i.deadline, t.member_input_due FROM items i"
        " JOIN item_triage t ON t.item_id = i.id"
        " LEFT JOIN consultation_workspaces w ON w.item_id = i.id"
        " WHERE t.status = ? AND w.item_id IS NULL ORDER BY i.deadline NULLS LAST, i.title",
        [status]), ("id", "title", "deadline", "member_input_due"))


_WS_DEFAULTS = {"positions_shared": False, "name_members": False}


def insert_workspace(con: duckdb.DuckDBPyConnection, ws: dict[str, Any]) -> None:
    con.execute(f"INSERT INTO consultation_workspaces ({', '.join(WS_COLUMNS)})"
                f" VALUES ({', '.join('?' * len(WS_COLUMNS))})", [ws.get(c, _WS_DEFAULTS.get(c)) for c in WS_COLUMNS])


def update_workspace(con: duckdb.DuckDBPyConnection, item_id: str, changes: dict[str, Any],
                     actor: str, now: datetime) -> None:
    fields = [c for c in EDITABLE_WS if c in changes]
    assignments = ", ".join(f"{c} = ?" for c in fields) + (", " if fields else "")
    con.execute(f"UPDATE consultation_workspaces SET {assignments} updated_by = ?, updated_at = ?"
                " WHERE item_id = ?", [*(changes[c] for c in fields), actor, now, item_id])
    if changes.get("status") == WorkspaceStatus.OFFEN:
        con.execute("UPDATE consultation_workspaces SET opened_at = coalesce(opened_at, ?) WHERE item_id = ?",
                    [now, item_id])


# The member input date is the triage's (alerts and the deadline calendar read it there);
# the workspace's own column only stands in for items without a triage row.
_WS_SELECT = ", ".join("coalesce(t.member_input_due, w.member_input_due)" if c == "member_input_due" else f"w.{c}"
                       for c in WS_COLUMNS)
_WS_FROM = " FROM consultation_workspaces w LEFT JOIN item_triage t ON t.item_id = w.item_id"


def get_workspace(con: duckdb.DuckDBPyConnection, item_id: str) -> dict[str, Any] | None:
    rows = _rows(con.execute(f"SELECT {_WS_SELECT}{_WS_FROM} WHERE w.item_id = ?", [item_id]), WS_COLUMNS)
    return rows[0] if rows else None


def list_workspaces(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    return _rows(con.execute(f"SELECT {_WS_SELECT}{_WS_FROM} ORDER BY 6 NULLS LAST, w.title"), WS_COLUMNS)


def set_members(con: duckdb.DuckDBPyConnection, item_id: str, organisation_ids: list[str], now: datetime) -> None:
    con.execute("DELETE FROM workspace_members WHERE item_id = ? AND NOT list_contains(?, organisation_id)",
                [item_id, organisation_ids])
    for org_id in organisation_ids:
        con.execute("INSERT INTO workspace_members VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    [item_id, org_id, now])


def members_asked(con: duckdb.DuckDBPyConnection, item_id: str) -> list[dict[str, Any]]:
    return _rows(con.execute(
        "SELECT o.id, o.name, coalesce(o.short_name, o.name), m.asked_at FROM workspace_members m"
        " JOIN organisations o ON o.id = m.organisation_id WHERE m.item_id = ? ORDER BY o.name",
        [item_id]), ("id", "name", "short_name", "asked_at"))


def workspaces_asking(con: duckdb.DuckDBPyConnection, organisation_id: str) -> list[str]:
    return [r[0] for r in con.execute("SELECT item_id FROM workspace_members WHERE organisation_id = ?",
                                      [organisation_id]).fetchall()]


def replace_sections(con: duckdb.DuckDBPyConnection, item_id: str, sections: list[dict[str, Any]]) -> None:
    """Sections keep their id when they keep their ``id``; dropped ones are marked removed
    (their positions stay in the database, out of the matrix)."""
    keep = [s["id"] for s in sections if s.get("id") is not None]
    con.execute("UPDATE consultation_sections SET removed = TRUE WHERE item_id = ? AND NOT list_contains(?, id)",
                [item_id, keep])
    for ordinal, section in enumerate(sections, start=1):
        if section.get("id") is None:
            con.execute("INSERT INTO consultation_sections (item_id, ordinal, label, title, body)"
                        " VALUES (?, ?, ?, ?, ?)",
                        [item_id, ordinal, section.get("label"), section["title"], section.get("body")])
        else:
            con.execute("UPDATE consultation_sections SET ordinal = ?, label = ?, title = ?, body = ?,"
                        " removed = FALSE WHERE id = ? AND item_id = ?",
                        [ordinal, section.get("label"), section["title"], section.get("body"),
                         section["id"], item_id])


def sections(con: duckdb.DuckDBPyConnection, item_id: str) -> list[dict[str, Any]]:
    return _rows(con.execute(f"SELECT {', '.join(SECTION_COLUMNS)} FROM consultation_sections"
                             " WHERE item_id = ? AND NOT removed ORDER BY ordinal", [item_id]), SECTION_COLUMNS)


def upsert_position(con: duckdb.DuckDBPyConnection, p: dict[str, Any]) -> None:
    values = [p[c] for c in POSITION_COLUMNS]
    updates = ", ".join(f"{c} = excluded.{c}" for c in POSITION_COLUMNS[2:])
    con.execute(f"INSERT INTO positions ({', '.join(POSITION_COLUMNS)}) VALUES ({', '.join('?' * len(values))})"
                f" ON CONFLICT (section_id, organisation_id) DO UPDATE SET {updates}", values)
    con.execute("INSERT INTO position_events (section_id, organisation_id, item_id, stance, reason,"
                " proposed_wording, actor, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", values)


def positions(con: duckdb.DuckDBPyConnection, item_id: str,
              organisation_id: str | None = None) -> list[dict[str, Any]]:
    """Positions on the workspace's current sections, optionally of one organisation only
    (the filter is applied in SQL so other members' rows never leave the database)."""
    sql = (f"SELECT {', '.join('p.' + c for c in POSITION_COLUMNS)} FROM positions p"
           " JOIN consultation_sections s ON s.id = p.section_id AND NOT s.removed WHERE p.item_id = ?")
    params: list[Any] = [item_id]
    if organisation_id is not None:
        sql += " AND p.organisation_id = ?"
        params.append(organisation_id)
    return _rows(con.execute(sql + " ORDER BY s.ordinal, p.organisation_id", params), POSITION_COLUMNS)


def section_item(con: duckdb.DuckDBPyConnection, section_id: int) -> str | None:
    row = con.execute("SELECT item_id FROM consultation_sections WHERE id = ? AND NOT removed",
                      [section_id]).fetchone()
    return row[0] if row else None

