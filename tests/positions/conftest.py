"""Fixtures for positions and statements: a stored consultation item, member
organisations, users of each role, and a workspace with four sections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from tracker import auth, consultations
from tracker.models import Item, User
from tracker.normalise import canonical_url, content_hash
from tracker.storage import open_db
from tracker.storage.connection import transaction
from tracker.storage.items import store_items
from tracker.storage.triage import save_triage
from tracker.triage import TriageState

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


@pytest.fixture
def world(db_path) -> World:
    store_item()
    for org in ORGS:
        consultations.save_organisation(auth.LOCAL_USER, org)
    made = {}
    for login, role, org in (("admin", "admin", None), ("team", "team", None), ("anna", "member", "sw-a"),
                             ("bernd", "member", "stadt-b"), ("clara", "member", "sw-c")):
        made[login] = auth.create_user(auth.LOCAL_USER, login=login, display_name=login.title(),
                                       password=PASSWORDS[login], role=role, organisation_id=org)
    return World(**made)


@pytest.fixture
def workspace(world: World) -> consultations.Workspace:
    team = world.team
    consultations.open_workspace(team, ITEM_ID, addressee="Bundesministerium für Wohnen, Stadtentwicklung "
                                 "und Bauwesen\nReferat SW I 4\nKrausenstraße 17–18\n10117 Berlin",
                                 reference="SW I 4 - 70000/2#3")
    consultations.set_sections(team, ITEM_ID, consultations.parse_sections(SECTIONS))
    consultations.set_members(team, ITEM_ID, [o["id"] for o in ORGS])
    return consultations.update_workspace(team, ITEM_ID, status="offen")
