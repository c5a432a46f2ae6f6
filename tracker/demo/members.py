"""Demo member organisations, demo users and a demo workspace with positions, so a
fresh dashboard shows the matrix and a draft. Everything it creates is marked ``is_demo``."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from tracker import clock
from tracker.access import auth
from tracker.settings import DATA_DIR
from tracker.storage import positions as store
from tracker.storage import users as user_store
from tracker.storage.triage import save_triage
from tracker.vocabulary import TriageStatus, WorkspaceStatus
from tracker.work.triage import TriageState

DEMO_MEMBERS_PATH = DATA_DIR / "demo" / "organisations.json"
DEMO_TEAM = "team"  # the demo team's login in that file: it opens the demo workspace


def seed_demo_members(con: duckdb.DuckDBPyConnection, path: Path = DEMO_MEMBERS_PATH,
                      today: date | None = None) -> int:
    """Load the demo member organisations and demo users (marked ``is_demo``) into an open
    connection (inside the caller's transaction, if any); existing users are left alone.
    When a demo item of the file's ``workspace`` title is stored, it also gets a demo
    workspace with sections and positions, so the matrix and the draft have something to
    show. Returns the number of users created."""
    data = json.loads(path.read_text(encoding="utf-8"))
    for org in data["organisations"]:
        user_store.upsert_organisation(con, {**org, "is_demo": True})
    created = 0
    for entry in data["users"]:
        if user_store.user_exists(con, entry["login"]):
            continue
        auth.create_user(auth.LOCAL_USER, login=entry["login"], display_name=entry["display_name"],
                         password=entry["password"], role=entry["role"],
                         organisation_id=entry.get("organisation_id"), email=entry.get("email"),
                         con=con, is_demo=True)
        created += 1
    # Demo positions are written by each organisation's demo user, the rest by the demo team.
    logins = {entry["organisation_id"]: entry["login"] for entry in data["users"] if entry.get("organisation_id")}
    _seed_demo_workspace(con, data.get("workspace"), today or clock.today(), logins)
    return created


def _seed_demo_workspace(con: duckdb.DuckDBPyConnection, spec: dict[str, Any] | None, today: date,
                         logins: dict[str, str]) -> None:
    if not spec:
        return
    found = store.items_with_title_prefix(con, spec["title_starts_with"], demo_only=True)
    if not found or store.get_workspace(con, found[0]) is not None:
        return
    item_id = found[0]
    item = store.item_summary(con, item_id)
    now = datetime.now(UTC)
    input_due = today + timedelta(days=int(spec.get("input_days", 5)))
    store.insert_workspace(con, {
        "item_id": item_id, "title": item["title"], "addressee": spec.get("addressee"),
        "reference": spec.get("reference"), "external_deadline": item["deadline"],
        "member_input_due": input_due, "status": WorkspaceStatus.OFFEN,
        "positions_shared": False, "created_by": DEMO_TEAM, "created_at": now, "opened_at": now,
    })
    # A workspace means the team plans a statement: the item's triage says so, with an
    # owner and the member input date (alerts and the Fristen page read them there).
    save_triage(con, item_id, TriageState(TriageStatus.STELLUNGNAHME_GEPLANT, spec.get("owner", DEMO_TEAM), input_due),
                actor=DEMO_TEAM, at=now, in_transaction=True)
    store.replace_sections(con, item_id, [{**s, "id": None} for s in spec["sections"]])
    section_ids = [s["id"] for s in store.sections(con, item_id)]
    orgs = sorted({p["org"] for p in spec["positions"]})
    store.set_members(con, item_id, orgs, now)
    for p in spec["positions"]:
        store.upsert_position(con, {
            "section_id": section_ids[p["section"] - 1], "organisation_id": p["org"], "item_id": item_id,
            "stance": p["stance"], "reason": p.get("reason", ""), "proposed_wording": p.get("wording", ""),
            "updated_by": logins.get(p["org"], DEMO_TEAM), "updated_at": now,
        })
