"""The adapters on responses the publishers really sent (tests/collect/fixtures/real/README.md
names each capture's origin): ids, links, dates, deadlines and stage checked against the raw
documents.

Where no capture exists publicly (Have Your Say's closingSoon and older HAL shape, DIP's page
envelope, GOV.UK's search API), the test says so and builds only the envelope around real
records, or uses the shape the publisher's own code documents; such inputs are never
presented as captures.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tracker.cli.app import main
from tracker.collect.adapters import dip, haveyoursay
from tracker.collect.normalise import normalise_entries
from tracker.collect.parse import parse_document, parse_documents
from tracker.models import Source
from tracker.storage import open_db
from tracker.vocabulary import ReferenceKind, Stage

REAL = Path(__file__).parent / "fixtures" / "real"
HYS_SEARCH = REAL / "haveyoursay" / "searchInitiatives_unfiltered_size3.json"
HYS_TEXT_SEARCH = REAL / "haveyoursay" / "searchInitiatives_text-gender_size2.json"
HYS_DETAIL = REAL / "haveyoursay" / "groupInitiatives_18805.json"
DIP_DRUCKSACHEN = REAL / "dip" / "drucksache_2026-07-06_2026-07-10.json"
DIP_VORGAENGE = REAL / "dip" / "vorgang_drucksache-289340.json"
BRPAPI = "https://ec.europa.eu/info/law/better-regulation/brpapi/"
SEARCH_URL = BRPAPI + "searchInitiatives?page=0&size=3&language=EN"
INITIATIVE = "https://ec.europa.eu/info/law/better-regulation/have-your-say/initiatives/"


def raw(path: Path) -> object:
    return json.loads(path.read_bytes())


def translation(record: dict, field: str, language: str) -> str:
    return next(t["value"] for t in record["initiativeTranslations"]
                if t["field"] == field and t["language"] == language)


# --- Have Your Say: searchInitiatives ---------------------------------------------------------

def test_search_ids_are_integers_in_guid_and_link() -> None:
    records = raw(HYS_SEARCH)["initiativeResultDtoPage"]["content"]
    assert [r["id"] for r in records] == [18805.0, 18806.0, 14778.0]  # decimals, as the portal sends them
    result = parse_document(HYS_SEARCH.read_bytes(), kind="haveyoursay", url=SEARCH_URL)
    assert result.error is None and result.warnings == []
    assert [e.guid for e in result.entries] == ["haveyoursay:18805", "haveyoursay:18806", "haveyoursay:14778"]
    assert [e.link for e in result.entries] == [f"{INITIATIVE}18805", f"{INITIATIVE}18806", f"{INITIATIVE}14778"]
    assert all(".0" not in e.link for e in result.entries)


def test_search_feedback_window_in_brussels_time() -> None:
    by_id = {e.guid: e for e in parse_document(HYS_SEARCH.read_bytes(), kind="haveyoursay", url=SEARCH_URL).entries}
    ngt = by_id["haveyoursay:18805"]
    # "2026/09/28 23:59:59" Brussels summer time is 21:59:59 UTC.
    assert ngt.deadline_at == datetime(2026, 9, 28, 21, 59, 59, tzinfo=UTC)
    assert ngt.deadline == date(2026, 9, 28)
    assert ngt.deadline_text == "feedbackEndDate: 2026/09/28 23:59:59 (Brüssel)"
    assert ngt.opening_date == date(2026, 8, 31)
    assert ngt.stage == Stage.CONSULTATION
    assert ngt.extra["reference"] == "Ares(2026)7014840" and ngt.extra["act_type"] == "REG_DEL"
    airports = by_id["haveyoursay:14778"]
    # 19 November is winter time: 23:59:59 in Brussels is 22:59:59 UTC.
    assert airports.deadline_at == datetime(2026, 11, 19, 22, 59, 59, tzinfo=UTC)
    assert airports.extra["front_end_stage"] == "OPC_LAUNCHED"


def test_search_german_titles_for_a_german_source() -> None:
    records = raw(HYS_SEARCH)["initiativeResultDtoPage"]["content"]
    english = parse_document(HYS_SEARCH.read_bytes(), kind="haveyoursay", url=SEARCH_URL)
    german = parse_document(HYS_SEARCH.read_bytes(), kind="haveyoursay", url=SEARCH_URL, language="de")
    # The title in the language asked for: the Commission's translation where it has one (its
    # English one can differ from shortTitle: 14778), else shortTitle.
    assert [e.title for e in english.entries] == [translation(r, "SHORT_TITLE", "EN") for r in records]
    untranslated = parse_document(HYS_SEARCH.read_bytes(), kind="haveyoursay", url=SEARCH_URL, language="xx")
    assert [e.title for e in untranslated.entries] == [r["shortTitle"] for r in records]
    assert [e.title for e in german.entries] == [translation(r, "SHORT_TITLE", "DE") for r in records]
    assert german.entries[2].title == ("Fluglärm an EU-Flughäfen – Bewertung der Verordnung über einen "
                                       "ausgewogenen Ansatz")
    assert {e.language for e in german.entries} == {"de"}


def test_search_records_without_status_or_deadline() -> None:
    result = parse_document(HYS_TEXT_SEARCH.read_bytes(), kind="haveyoursay", url=SEARCH_URL)
    assert result.error is None
    fitness, derogations = result.entries
    # 12472 has neither currentStatuses nor foreseenActType.
    assert fitness.guid == "haveyoursay:12472" and fitness.deadline is None and fitness.stage is None
    assert fitness.extra["act_type"] is None
    # 18193: feedback DISABLED, feedbackEndDate null.
    assert derogations.guid == "haveyoursay:18193" and derogations.deadline is None and derogations.stage is None
    assert derogations.extra["feedback_status"] == "DISABLED"


def test_search_paging_follows_the_portal() -> None:
    assert haveyoursay.next_page(SEARCH_URL, HYS_SEARCH.read_bytes()) == BRPAPI + (
        "searchInitiatives?size=3&language=EN&page=1")
    page = raw(HYS_SEARCH)
    page["initiativeResultDtoPage"].update(last=True, number=1366)
    assert haveyoursay.next_page(SEARCH_URL, json.dumps(page).encode()) is None


def test_older_hal_shape_reads_the_same_records() -> None:
    # No captured HAL response exists publicly (only code reading '_embedded.initiativeResultDtoes'
    # and 'page.totalPages'): the envelope is built here around the real records.
    records = raw(HYS_SEARCH)["initiativeResultDtoPage"]["content"]
    hal = {"_embedded": {"initiativeResultDtoes": records},
           "page": {"size": 3, "totalElements": 4101, "totalPages": 1367, "number": 0}}
    body = json.dumps(hal).encode()
    result = parse_document(body, kind="haveyoursay", url=SEARCH_URL)
    current = parse_document(HYS_SEARCH.read_bytes(), kind="haveyoursay", url=SEARCH_URL)
    assert result.entries == current.entries
    assert haveyoursay.next_page(SEARCH_URL, body).endswith("page=1")
    empty = parse_document(b'{"page": {"size": 50, "totalElements": 0, "totalPages": 0, "number": 0}}',
                           kind="haveyoursay", url=SEARCH_URL)
    assert empty.error is None and empty.entries == []


# --- Have Your Say: groupInitiatives/{id} -----------------------------------------------------

def test_detail_current_publication_gives_deadline_and_stage() -> None:
    document = raw(HYS_DETAIL)
    assert document["id"] == 18805  # an integer here
    current = [p for p in document["publications"] if p["isCurrent"]]
    assert [(p["type"], p["endDate"]) for p in current] == [("CALL_FOR_EVIDENCE", "2026/09/28 23:59:59")]
    [entry] = parse_document(HYS_DETAIL.read_bytes(), kind="haveyoursay", url=BRPAPI + "groupInitiatives/18805").entries
    assert entry.guid == "haveyoursay:18805" and entry.link == f"{INITIATIVE}18805"
    assert entry.deadline_at == datetime(2026, 9, 28, 21, 59, 59, tzinfo=UTC)
    assert entry.deadline_text == "endDate (CALL_FOR_EVIDENCE): 2026/09/28 23:59:59 (Brüssel)"
    assert entry.opening_date == date(2026, 8, 31)
    assert entry.stage == Stage.CONSULTATION
    assert entry.published == datetime(2026, 7, 20, 15, 24, 10, tzinfo=UTC)
    assert entry.extra["publication_type"] == "CALL_FOR_EVIDENCE"
    assert entry.extra["planning_reference"] == "PLAN/2026/1655"
    assert entry.extra["publication_reference"] == "Ares(2026)8283054"
    assert "Regulation (EU) 2026/1388" in entry.summary_html


def test_detail_german_summary_and_title() -> None:
    document = raw(HYS_DETAIL)
    [entry] = parse_document(HYS_DETAIL.read_bytes(), kind="haveyoursay", url="", language="de").entries
    assert entry.title == translation(document, "SHORT_TITLE", "DE")
    assert entry.summary_html == translation(document, "SUMMARY", "DE")


def test_detail_stage_follows_the_publication_type() -> None:
    document = raw(HYS_DETAIL)
    for publication in document["publications"]:
        publication["isCurrent"] = publication["type"] == "REG_DEL_DRAFT"
        publication["receivingFeedbackStatus"] = "CLOSED" if publication["isCurrent"] else "DISABLED"
    [draft] = parse_document(json.dumps(document).encode(), kind="haveyoursay", url="").entries
    assert draft.stage == Stage.DRAFT and draft.deadline is None


def test_officials_personal_data_is_never_read() -> None:
    document = raw(HYS_DETAIL)
    personal = {str(p[key]) for p in document["publications"]
                for key in ("authorName", "authorSurname", "authorMail", "authorPhoneNumber") if p.get(key)}
    assert personal  # the capture does carry an official's name, e-mail and telephone number
    source = Source("hys", "HYS", BRPAPI, "haveyoursay", "EU", "eu", "en")
    entries = parse_document(HYS_DETAIL.read_bytes(), kind="haveyoursay", url="").entries
    stored = json.dumps([item.__dict__ for item in normalise_entries(entries, source)], default=str)
    assert not [value for value in personal if value in stored]


def test_search_and_detail_combine_into_one_entry_per_initiative() -> None:
    result = parse_documents([(HYS_SEARCH.read_bytes(), SEARCH_URL, {}),
                              (HYS_DETAIL.read_bytes(), BRPAPI + "groupInitiatives/18805", {})],
                             kind="haveyoursay", language="de")
    assert [e.guid for e in result.entries] == ["haveyoursay:18805", "haveyoursay:18806", "haveyoursay:14778"]
    ngt = result.entries[0]
    assert ngt.summary_html.startswith("<p>Mit dieser Initiative wird die Verordnung (EU) 2026/1388")
    assert ngt.extra["publication_type"] == "CALL_FOR_EVIDENCE" and ngt.extra["reference"] == "Ares(2026)7014840"
    assert ngt.deadline == date(2026, 9, 28)
    assert haveyoursay.detail_urls(SEARCH_URL, result.entries[1:]) == [
        BRPAPI + "groupInitiatives/18806", BRPAPI + "groupInitiatives/14778"]


def test_closing_soon_top_level_array() -> None:
    # No captured closingSoon response exists publicly; its shape is known only from a
    # third-party note ([{"shortTitle", "initiativeId", "daysLeft", "endDate"}]). The values
    # here are those of initiative 18805 in the real search capture.
    record = raw(HYS_SEARCH)["initiativeResultDtoPage"]["content"][0]
    body = json.dumps([{"shortTitle": record["shortTitle"], "initiativeId": 18805, "daysLeft": 0,
                        "endDate": record["currentStatuses"][0]["feedbackEndDate"]}]).encode()
    [entry] = parse_document(body, kind="haveyoursay", url=BRPAPI + "closingSoon?language=EN").entries
    assert entry.guid == "haveyoursay:18805" and entry.link == f"{INITIATIVE}18805"
    assert entry.deadline_at == datetime(2026, 9, 28, 21, 59, 59, tzinfo=UTC)
    assert entry.stage == Stage.CONSULTATION and entry.extra["days_left"] == 0


# --- Bundestag DIP --------------------------------------------------------------------------

def test_dip_drucksachen_ids_links_dates_and_stage() -> None:
    documents = raw(DIP_DRUCKSACHEN)
    result = parse_document(DIP_DRUCKSACHEN.read_bytes(), kind="dip", url="")
    assert result.error is None and result.warnings == []
    assert [e.guid for e in result.entries] == [f"dip:drucksache:{d['id']}" for d in documents]
    assert [e.link for e in result.entries] == [d["fundstelle"]["pdf_url"] for d in documents]
    heating = result.entries[2]
    assert heating.title.startswith("BT-Drucksache 21/7009 (Beschlussempfehlung und Bericht): a) zu dem Gesetzentwurf")
    assert "\r" not in heating.title and "\n" not in heating.title
    # fundstelle.datum 2026-07-08 is a Berlin calendar day; aktualisiert carries its offset.
    assert heating.published == datetime(2026, 7, 7, 22, 0, tzinfo=UTC)
    assert heating.updated == datetime(2026, 7, 9, 9, 0, 56, tzinfo=UTC)
    assert heating.stage == Stage.DRAFT
    assert result.entries[1].stage == Stage.NEWS  # Schriftliche Fragen
    assert heating.extra["urheber"] == ["Ausschuss für Wirtschaft und Energie"]
    assert [v["id"] for v in heating.extra["vorgaenge"]] == ["335070", "330686", "334923"]
    # Authors (members of parliament) are not read.
    assert "Rohwer" not in json.dumps(heating.extra, ensure_ascii=False) + heating.summary_html


def test_dip_vorgaenge_links_stage_and_promulgation() -> None:
    result = parse_document(DIP_VORGAENGE.read_bytes(), kind="dip", url="")
    assert result.error is None
    by_id = {e.extra["dip_id"]: e for e in result.entries}
    assert set(by_id) == {"335070", "334923", "330686"}
    law = by_id["334923"]
    assert law.link.startswith("https://dip.bundestag.de/vorgang/gesetz-zur-%C3%A4nderung-des-geb%C3%A4udeenergiegesetzes")
    assert law.link.endswith("/334923")
    assert law.stage == Stage.ADOPTED  # beratungsstand "Verkündet"
    assert law.updated == datetime(2026, 7, 29, 11, 32, 40, tzinfo=UTC)
    assert law.published == datetime(2026, 7, 9, 22, 0, tzinfo=UTC)
    assert law.extra["gesta"] == "E035" and law.extra["verkuendung"] == ["BGBl I 2026, 226"]
    assert law.extra["verkuendung_url"] == "https://www.recht.bund.de/eli/bund/BGBl_1/2026/226"
    assert "Gebäudemodernisierungsgesetz" in law.summary_html
    assert "Wärmeplanungsgesetz" in law.content_html  # DIP's descriptors help the judge
    assert by_id["335070"].stage == Stage.NEWS  # an Antrag
    assert by_id["335070"].link == (
        "https://dip.bundestag.de/vorgang/heizkostendeckel-sofort-einf%C3%BChren-und-gasausstieg-erm%C3%B6glichen/335070")


def test_dip_page_envelope_and_cursor() -> None:
    # DIP's page envelope (numFound, cursor, documents) is the publisher's OpenAPI schema; the
    # capture kept only the documents, so the envelope is built here around them.
    documents = raw(DIP_VORGAENGE)
    cursor = "AoJwgNjC_PYCMURydWNrc2FjaGUtMjQ5MjYw"  # the OpenAPI file's example cursor
    body = json.dumps({"numFound": 157, "cursor": cursor, "documents": documents}).encode()
    url = "https://search.dip.bundestag.de/api/v1/vorgang?f.aktualisiert.start=2026-07-01T00%3A00%3A00%2B02%3A00"
    assert parse_document(body, kind="dip", url=url).entries == parse_document(DIP_VORGAENGE.read_bytes(),
                                                                                kind="dip", url=url).entries
    following = dip.next_page(url, body)
    assert following == url + f"&cursor={cursor}"
    assert dip.next_page(following, body) is None  # the cursor did not change: everything is read
    error = parse_document(b'{"code": 401, "message": "An API key is required to access this service."}',
                           kind="dip", url=url)
    assert error.error == "Bundestag DIP: unerwartete Antwort, DIP meldet Fehler 401: An API key is required to " \
                          "access this service."


def test_dip_references_for_cross_level_links() -> None:
    source = Source("dip-drucksachen", "DIP", "https://search.dip.bundestag.de/api/v1/drucksache", "dip",
                    "Deutscher Bundestag (DIP)", "de", "de")
    drucksache = normalise_entries(parse_document(DIP_DRUCKSACHEN.read_bytes(), kind="dip", url="").entries,
                                   source)[2]
    assert set(drucksache.references) >= {
        (ReferenceKind.BT_DRUCKSACHE, "21/7009", "field"),  # its own number
        (ReferenceKind.DIP_VORGANG, "334923", "field"), (ReferenceKind.DIP_VORGANG, "335070", "field"),
        (ReferenceKind.BT_DRUCKSACHE, "21/6278", "text"), (ReferenceKind.BT_DRUCKSACHE, "21/6565", "text"),
        (ReferenceKind.BT_DRUCKSACHE, "21/3910", "text"), (ReferenceKind.BT_DRUCKSACHE, "21/6019", "text")}
    law = next(i for i in normalise_entries(parse_document(DIP_VORGAENGE.read_bytes(), kind="dip", url="").entries,
                                            source) if i.guid == "dip:vorgang:334923")
    assert set(law.references) == {
        (ReferenceKind.DIP_VORGANG, "334923", "field"),
        # "Bezug: Richtlinie (EU) 2024/1275" in the abstract, "Drs 292/26" in the consent note.
        (ReferenceKind.CELEX, "32024L1275", "text"),
        (ReferenceKind.BR_DRUCKSACHE, "292/26", "field")}


def test_dip_archive_and_detail_capture_through_tracker_ingest(db_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["ingest", str(DIP_DRUCKSACHEN), str(DIP_VORGAENGE)]) == 0  # the kind is recognised
    assert main(["ingest", str(HYS_DETAIL)]) == 0
    out = capsys.readouterr().out
    assert "4 Einträge (4 neu" in out and "3 Einträge (3 neu" in out
    with open_db(db_path) as con:
        links = dict(con.execute("SELECT guid, link FROM items").fetchall())
        shared = con.execute("""
            SELECT DISTINCT a.item_id < b.item_id FROM item_references a
            JOIN item_references b ON a.kind = b.kind AND a.value = b.value AND a.item_id <> b.item_id
            WHERE a.kind = 'dip_vorgang' AND a.value = '334923'""").fetchall()
    assert links["haveyoursay:18805"] == f"{INITIATIVE}18805"
    assert links["dip:drucksache:289340"] == "https://dserver.bundestag.de/btd/21/070/2107009.pdf"
    assert shared, "the Drucksache and its Vorgang share the Vorgang id"


# --- GOV.UK search API ------------------------------------------------------------------------

def test_govuk_search_fields_the_request_asks_for() -> None:
    # No captured search.json response could be found (parl-monitor's are gzip, unreadable here).
    # The shape follows the publisher's code (alphagov/search-api @ 392b4805): results with the
    # requested fields, consultations' closing date as end_date; start and total for paging.
    body = json.dumps({"results": [{
        "content_id": "5f0c9e6e-6f3b-4d3d-9a43-1f0c1b2a7e11", "title": "Heat network zoning: consultation",
        "link": "/government/consultations/heat-network-zoning", "description": "Proposals",
        "public_timestamp": "2026-02-01T09:30:00.000+00:00", "start_date": "2026-02-01T09:30:00.000+00:00",
        "end_date": "2026-03-28T23:59:00.000+00:00", "content_store_document_type": "open_consultation",
        "index": "govuk", "es_score": None, "_id": "/government/consultations/heat-network-zoning",
        "elasticsearch_type": "edition", "document_type": "edition"}], "total": 130, "start": 0,
        "aggregates": {}, "suggested_queries": []}).encode()
    url = ("https://www.gov.uk/api/search.json?filter_content_store_document_type=open_consultation"
           "&fields=content_id&fields=end_date&count=100")
    [entry] = parse_document(body, kind="govuk", url=url).entries
    assert entry.guid == "5f0c9e6e-6f3b-4d3d-9a43-1f0c1b2a7e11"
    assert entry.deadline == date(2026, 3, 28) and entry.opening_date == date(2026, 2, 1)
    assert entry.stage == Stage.CONSULTATION
    from tracker.collect.adapters import govuk
    assert govuk.next_page(url, body) == url + "&start=1"


def test_govuk_search_dates_without_offset() -> None:
    # Seen in other clients' notes, not in a capture: a closing date without offset or time.
    body = json.dumps({"results": [
        {"title": "A", "link": "/government/consultations/a", "end_date": "2026-03-28",
         "content_store_document_type": "open_consultation", "document_type": "edition"},
        {"title": "B", "link": "/government/consultations/b", "end_date": "2026-07-01T23:45:00"}],
        "total": 2, "start": 0}).encode()
    day_only, local = parse_document(body, kind="govuk", url="").entries
    assert day_only.deadline == date(2026, 3, 28) and day_only.deadline_at is None
    assert day_only.stage == Stage.CONSULTATION
    # 23:45 London summer time is 22:45 UTC, the same London day.
    assert local.deadline_at == datetime(2026, 7, 1, 22, 45, tzinfo=UTC) and local.deadline == date(2026, 7, 1)


def test_dip_steps_and_plenary_records_are_read_too() -> None:
    # Record shapes from the publisher's OpenAPI file (Vorgangsposition, Plenarprotokoll); the
    # values are those of the Gebäudeenergiegesetz above (Bundesrat Drucksache 292/26).
    records = [{"id": "9001", "vorgangsposition": "Gesetzentwurf", "zuordnung": "BR", "gang": True,
                "fortsetzung": False, "nachtrag": False, "vorgangstyp": "Gesetzgebung", "typ": "Vorgangsposition",
                "titel": raw(DIP_VORGAENGE)[1]["titel"], "dokumentart": "Drucksache", "vorgang_id": "334923",
                "datum": "2026-05-22", "aktualisiert": "2026-05-22T10:00:00+02:00",
                "fundstelle": {"id": "1", "dokumentart": "Drucksache", "dokumentnummer": "292/26",
                               "pdf_url": "https://dserver.bundestag.de/brd/2026/0292-26.pdf", "datum": "2026-05-22",
                               "herausgeber": "BR", "urheber": []}},
               {"id": "5713", "typ": "Dokument", "dokumentart": "Plenarprotokoll", "dokumentnummer": "21/9",
                "herausgeber": "BT", "titel": "Protokoll der 9. Sitzung", "datum": "2026-06-05",
                "fundstelle": {"pdf_url": "https://dserver.bundestag.de/btp/21/21009.pdf", "datum": "2026-06-05"}}]
    source = Source("dip", "DIP", "https://search.dip.bundestag.de/api/v1/vorgangsposition", "dip",
                    "Deutscher Bundestag (DIP)", "de", "de")
    result = parse_document(json.dumps({"numFound": 2, "cursor": "x", "documents": records}).encode(),
                            kind="dip", url="")
    step, plenary = normalise_entries(result.entries, source)
    assert step.link.endswith("/334923") and step.title.startswith("Gesetzentwurf (BR): Gesetz zur Änderung")
    assert (ReferenceKind.BR_DRUCKSACHE, "292/26", "field") in step.references
    assert (ReferenceKind.DIP_VORGANG, "334923", "field") in step.references
    assert plenary.guid == "dip:plenarprotokoll:5713" and plenary.link == "https://dserver.bundestag.de/btp/21/21009.pdf"
    unknown = parse_document(b'{"numFound": 1, "cursor": "x", "documents": [{"id": "1", "typ": "Person"}]}',
                             kind="dip", url="")
    assert unknown.entries == [] and "Datensatz der Art 'Person' wird nicht gelesen" in unknown.error
