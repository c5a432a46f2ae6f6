"""Fixtures for positions and statements: a stored consultation item, member
organisations, users of each role, and a workspace with four sections."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tracker.access import auth
from tracker.collect.normalise import canonical_url, content_hash
from tracker.models import Item, User
from tracker.storage import open_db
from tracker.storage.connection import transaction
from tracker.storage.items import store_items
from tracker.storage.triage import save_triage
from tracker.work import organisations, workspaces
from tracker.work.triage import TriageState

ITEM_ID = "wpg-novelle"
TITLE = "Referentenentwurf eines Gesetzes zur Änderung des Wärmeplanungsgesetzes"
DEADLINE = date(2026, 12, 18)
PASSWORDS = {"admin": "admin-passwort-1", "team": "team-passwort-1", "anna": "anna-passwort-1",
             "bernd": "bernd-passwort-1", "clara": "clara-passwort-1"}
ORGS = [
    {"id": "sw-a", "name": "Stadtwerke Altstadt GmbH", "short_name": "SW Altstadt", "kind": "stadtwerk"},
    {"id": "stadt-b", "name": "Stadt Brückenau", "short_name": "Stadt Brückenau", "kind": "stadt"},
    {"id": "sw-c", "name": "Stadtwerke Cellingen AG", "short_name": "SW Cellingen", "kind": "stadtwerk"},
]
SECTIONS = """§ 3 – Begriffsbestimmungen
§ 7 Abs. 2 – Datenbereitstellung durch Netzbetreiber
Frage 3: Fristen für kleine Gemeinden
Art. 4 – Inkrafttreten"""


@dataclass
class World:
    admin: User
    team: User
    anna: User    # member of sw-a
    bernd: User   # member of stadt-b
    clara: User   # member of sw-c
    item_id: str = ITEM_ID


def store_item(item_id: str = ITEM_ID, title: str = TITLE, deadline: date = DEADLINE,
               status: str = "stellungnahme_geplant") -> None:
    link = f"https://www.bmwsb.bund.de/entwurf/{item_id}"
    item = Item(id=item_id, source_id="bmwsb", guid=item_id, link=link, canonical_url=canonical_url(link),
                title=title, summary_html="", summary="", text="", published_at=datetime(2026, 11, 20, tzinfo=UTC),
                updated_at=None, language="de", jurisdiction="de", content_hash=content_hash(title, "", deadline),
                deadline=deadline, url_is_identity=True)
    with open_db() as con:
        with transaction(con):
            store_items(con, "bmwsb", [item], datetime.now(UTC))
        save_triage(con, item_id, TriageState(status=status, owner="team", member_input_due=date(2026, 12, 4)),
                    actor="team", at=datetime.now(UTC))


ROLES = (("admin", "admin", None), ("team", "team", None), ("anna", "member", "sw-a"),
         ("bernd", "member", "stadt-b"), ("clara", "member", "sw-c"))


@pytest.fixture(scope="session")
def world_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The item, organisations and users built once (argon2 hashing is deliberately slow);
    each test gets its own copy of the file."""
    path = tmp_path_factory.mktemp("world") / "template.duckdb"
    before = os.environ.get("TRACKER_DB")
    os.environ["TRACKER_DB"] = str(path)
    try:
        store_item()
        for org in ORGS:
            organisations.save_organisation(auth.LOCAL_USER, org)
        for login, role, org in ROLES:
            auth.create_user(auth.LOCAL_USER, login=login, display_name=login.title(),
                             password=PASSWORDS[login], role=role, organisation_id=org)
    finally:
        if before is None:
            os.environ.pop("TRACKER_DB", None)
        else:
            os.environ["TRACKER_DB"] = before
    return path


@pytest.fixture
def world(db_path: Path, world_template: Path) -> World:
    shutil.copyfile(world_template, db_path)
    wal = world_template.with_name(world_template.name + ".wal")
    if wal.exists():  # closed connections checkpoint, but a leftover log must travel too
        shutil.copyfile(wal, db_path.with_name(db_path.name + ".wal"))
    return World(**{login: User(id=login, display_name=login.title(), role=role, organisation_id=org)
                    for login, role, org in ROLES})


@pytest.fixture
def workspace(world: World) -> workspaces.Workspace:
    team = world.team
    workspaces.open_workspace(team, ITEM_ID, addressee="Bundesministerium für Wohnen, Stadtentwicklung "
                                 "und Bauwesen\nReferat SW I 4\nKrausenstraße 17–18\n10117 Berlin",
                                 reference="SW I 4 - 70000/2#3")
    workspaces.set_sections(team, ITEM_ID, workspaces.parse_sections(SECTIONS))
    workspaces.set_members(team, ITEM_ID, [o["id"] for o in ORGS])
    return workspaces.update_workspace(team, ITEM_ID, status="offen")
