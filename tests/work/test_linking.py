"""Cross-level links: the real DIP records, a Bundesrat feed entry and an EUR-Lex entry share
reference numbers; the library groups them by level and carries a triage across.

The DIP records are real (tests/collect/fixtures/real). The Bundesrat and EUR-Lex feed entries
are written here (no capture of either names these numbers); their wording follows the feeds'
titles ("Drucksache 292/26", "Directive (EU) 2024/1275 of the European Parliament …").
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.feeds import make_rss
from tracker.access.permissions import PermissionDenied
from tracker.collect.references import eu_references, parliament_references
from tracker.collect.run import ingest_document
from tracker.models import Source, User
from tracker.storage import open_db
from tracker.vocabulary import Level, ReferenceKind, TriageStatus
from tracker.work import decisions, linking
from tracker.work.triage import TriageState

REAL = Path(__file__).resolve().parents[1] / "collect" / "fixtures" / "real" / "dip"
TEAM = User(id="team", display_name="Team", role="team")
MEMBER = User(id="anna", display_name="Anna", role="member", organisation_id="sw-a")

DIP_VORGAENGE = Source("dip-vorgaenge", "Bundestag DIP – Vorgänge", "https://search.dip.bundestag.de/api/v1/vorgang",
                       "dip", "Deutscher Bundestag (DIP)", "de", "de")
DIP_DRUCKSACHEN = Source("dip-drucksachen", "Bundestag DIP – Drucksachen",
                         "https://search.dip.bundestag.de/api/v1/drucksache", "dip", "Deutscher Bundestag (DIP)",
                         "de", "de")
BUNDESRAT = Source("bundesrat-aktuelles", "Bundesrat – Eingegangene Beratungsvorgänge",
                   "https://www.bundesrat.de/rss.xml", "rss", "Bundesrat", "de", "de")
EURLEX = Source("eurlex-legislation", "EUR-Lex", "https://eur-lex.europa.eu/rss.xml", "rss",
                "Amt für Veröffentlichungen der EU", "eu", "en")


@pytest.fixture
def stored(db_path: Path) -> dict[str, str]:
    ingest_document((REAL / "vorgang_drucksache-289340.json").read_bytes(), DIP_VORGAENGE, url="file:vorgang")
    ingest_document((REAL / "drucksache_2026-07-06_2026-07-10.json").read_bytes(), DIP_DRUCKSACHEN,
                    url="file:drucksache")
    ingest_document(make_rss(1, prefix="br", title_suffix=": Entwurf eines Gesetzes zur Änderung des "
                             "Gebäudeenergiegesetzes - Drucksache 292/26"), BUNDESRAT, url=BUNDESRAT.url)
    ingest_document(make_rss(1, prefix="eurlex", title_suffix=": Directive (EU) 2024/1275 of the European "
                             "Parliament and of the Council on the energy performance of buildings (recast)"),
                    EURLEX, url=EURLEX.url)
    with open_db(db_path) as con:
        return dict(con.execute("SELECT guid, id FROM items").fetchall())


def test_the_same_vorlage_at_bundestag_and_bundesrat_and_the_act_at_eu_level(stored: dict[str, str]) -> None:
    law = stored["dip:vorgang:334923"]
    links = linking.links_of(TEAM, law)
    assert links.level == Level.BUNDESTAG
    assert set(links.references) == {(ReferenceKind.DIP_VORGANG, "334923"), (ReferenceKind.CELEX, "32024L1275"),
                                     (ReferenceKind.BR_DRUCKSACHE, "292/26")}
    assert [i.id for i in links.same_matter[Level.BUNDESRAT]] == [stored["br-0"]]
    assert links.same_matter[Level.BUNDESRAT][0].via == "BR-Drucksache 292/26"
    # The committee's Beschlussempfehlung names the Vorgang: the same Vorlage in the Bundestag.
    [recommendation] = links.same_matter[Level.BUNDESTAG]
    assert recommendation.id == stored["dip:drucksache:289340"] and recommendation.via == "DIP-Vorgang 334923"
    # EUR-Lex only names the directive the law transposes: related, not the same Vorlage.
    assert Level.EU not in links.same_matter
    assert [i.id for i in links.related[Level.EU]] == [stored["eurlex-0"]]
    assert links.related[Level.EU][0].via == "EU-Rechtsakt (CELEX) 32024L1275"


def test_triage_on_one_is_offered_and_applied_to_the_others(stored: dict[str, str], db_path: Path) -> None:
    law = stored["dip:vorgang:334923"]
    assert linking.triage_candidates(linking.links_of(TEAM, law), TriageStatus.NEU) == []
    decisions.save_triage(TEAM, law, TriageState(TriageStatus.STELLUNGNAHME_GEPLANT, owner="team"))
    candidates = linking.triage_candidates(linking.links_of(TEAM, law), TriageStatus.STELLUNGNAHME_GEPLANT)
    assert {c.id for c in candidates} == {stored["br-0"], stored["dip:drucksache:289340"]}  # not the EUR-Lex act
    results = decisions.apply_triage_to_linked(TEAM, law)
    assert all(r.problems == [] and r.changes for r in results)
    with open_db(db_path) as con:
        states = dict(con.execute("SELECT item_id, status || '/' || owner FROM item_triage").fetchall())
    assert states == {law: "stellungnahme_geplant/team", stored["br-0"]: "stellungnahme_geplant/team",
                      stored["dip:drucksache:289340"]: "stellungnahme_geplant/team"}
    assert decisions.apply_triage_to_linked(TEAM, law) == []  # nothing left to offer


def test_a_linked_item_that_breaks_a_rule_is_left_as_it_was(stored: dict[str, str]) -> None:
    law = stored["dip:vorgang:334923"]
    decisions.save_triage(TEAM, stored["br-0"], TriageState(TriageStatus.BEOBACHTEN, owner="team"))
    decisions.save_triage(TEAM, law, TriageState(TriageStatus.STELLUNGNAHME_GEPLANT, owner="team"))
    decisions.save_triage(TEAM, law, TriageState(TriageStatus.ABGEGEBEN, owner="team"))
    results = {r.item_id: r for r in decisions.apply_triage_to_linked(TEAM, law, [stored["br-0"]])}
    assert results[stored["br-0"]].changes == []
    assert results[stored["br-0"]].problems == ["„Abgegeben“ setzt eine geplante Stellungnahme voraus."]


def test_members_see_no_links(stored: dict[str, str]) -> None:
    with pytest.raises(PermissionDenied):
        linking.links_of(MEMBER, stored["dip:vorgang:334923"])
    with pytest.raises(PermissionDenied):
        decisions.apply_triage_to_linked(MEMBER, stored["dip:vorgang:334923"])


@pytest.mark.parametrize(("text", "expected"), [
    ("Proposal for a Regulation … COM(2023) 123 final", [(ReferenceKind.COM, "COM(2023) 123")]),
    ("Vorschlag … KOM(2023) 123 endg.; Ratsdok. 7891/23", [(ReferenceKind.COM, "COM(2023) 123"),
                                                            (ReferenceKind.RATSDOK, "7891/23")]),
    ("Mitteilung der Kommission \r\nK(2026)3225 endg.", [(ReferenceKind.COM, "C(2026) 3225")]),
    ("Entschließung (2020/2876(RSP)) \r\nEP P9_TA-PROV(2020)0336", [(ReferenceKind.EU_PROCEDURE, "2020/2876(RSP)")]),
    ("Verordnung (EG) Nr. 1907/2006 (REACH)", [(ReferenceKind.CELEX, "32006R1907")]),
    ("Regulation (EU) No 1025/2012 on standardisation", [(ReferenceKind.CELEX, "32012R1025")]),
    ("Directive 2012/27/EU on energy efficiency", [(ReferenceKind.CELEX, "32012L0027")]),
    ("eur-lex.europa.eu/legal-content/DE/TXT/?uri=CELEX%3A52023PC0123", [(ReferenceKind.CELEX, "52023PC0123"),
                                                                        (ReferenceKind.COM, "COM(2023) 123")]),
    ("Abl. C 123 vom 1.1.2020, Anhang (C) 12", []),
])
def test_eu_reference_patterns(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(r.kind, r.value) for r in eu_references(text)] == expected


@pytest.mark.parametrize(("text", "house", "expected"), [
    ("- Drucksachen 21/6278, 21/6565 -", "bt", [("bt_drucksache", "21/6278"), ("bt_drucksache", "21/6565")]),
    ("Gesetzentwurf (21/6278) der Bundesregierung", "bt", [("bt_drucksache", "21/6278")]),
    ("Drucksache 292/26", "br", [("br_drucksache", "292/26")]),
    ("BR-Drs. 292/26 und BT-Drs. 21/6278", None, [("br_drucksache", "292/26"), ("bt_drucksache", "21/6278")]),
    ("Drucksache 292/26", None, [("br_drucksache", "292/26")]),  # 292 cannot be a Wahlperiode
    ("Drucksache 21/26", None, []),  # either house: left out, not guessed
    ("https://dserver.bundestag.de/brd/2026/0292-26.pdf", None, [("br_drucksache", "292/26")]),
])
def test_parliament_reference_patterns(text: str, house: str | None, expected: list[tuple[str, str]]) -> None:
    assert [(r.kind, r.value) for r in parliament_references(text, house)] == expected
