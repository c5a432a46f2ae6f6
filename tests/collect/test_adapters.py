"""JSON API adapters on real API samples (shared fixtures) and on a realistic Have Your Say page."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import FEED_FIXTURES, require_shared
from tracker.collect.parse import parse_document

HERE = Path(__file__).parent
JSON_DIR = FEED_FIXTURES / "json"
HYS_URL = "https://ec.europa.eu/info/law/better-regulation/brpapi/searchInitiatives?page=0&size=50&language=EN"


def _shared(name: str) -> bytes:
    return require_shared(JSON_DIR / name).read_bytes()


# --- GOV.UK -------------------------------------------------------------------------------

def test_govuk_closing_date_becomes_london_date_and_exact_instant() -> None:
    result = parse_document(_shared("uk_govuk_content_api_consultation_closed_consultation.json"),
                            kind="govuk", url="https://www.gov.uk/api/content/x")
    assert result.error is None
    [entry] = result.entries
    assert entry.title == "Review of Museums in England"
    assert entry.link == "https://www.gov.uk/government/consultations/review-of-museums-in-england"
    assert entry.deadline == date(2016, 10, 31)
    assert entry.deadline_at == datetime(2016, 10, 31, 16, 0, tzinfo=UTC)
    assert entry.deadline_text == "closing_date: 2016-10-31T17:00:00+01:00"
    assert entry.opening_date == date(2016, 9, 5)
    assert entry.stage == "consultation"
    assert entry.language == "en"
    assert entry.guid == "1aa96aac-d978-4de2-b717-0f54acb33883"
    assert "open until 31 October 2016" in entry.content_html
    assert entry.extra["document_type"] == "closed_consultation"


@pytest.mark.parametrize(("name", "closing"), [
    ("open_consultation", date(2216, 12, 16)),
    ("unopened_consultation", date(2210, 10, 31)),
    ("consultation_outcome", date(2016, 7, 13)),
    ("best-practice-consultation", date(2014, 10, 7)),
])
def test_govuk_every_sample_has_its_closing_date(name: str, closing: date) -> None:
    result = parse_document(_shared(f"uk_govuk_content_api_consultation_{name}.json"), kind="govuk", url="")
    assert result.error is None and result.entries[0].deadline == closing


def test_govuk_late_evening_closing_stays_on_london_day() -> None:
    # 22:45+01:00 is 21:45 UTC: the same London day, nothing shifts.
    result = parse_document(_shared("uk_govuk_content_api_consultation_consultation_outcome.json"),
                            kind="govuk", url="")
    assert result.entries[0].deadline_at == datetime(2016, 7, 13, 21, 45, tzinfo=UTC)


def test_govuk_search_api_shape() -> None:
    body = json.dumps({"results": [
        {"title": "Heat network zoning: consultation", "link": "/government/consultations/heat-network-zoning",
         "description": "Proposals for <zoning>", "public_timestamp": "2026-02-01T09:30:00Z",
         "content_store_document_type": "open_consultation", "closing_date": "2026-03-28T23:59:00+00:00"},
        {"description": "no title, no link"},
    ], "total": 2}).encode()
    result = parse_document(body, kind="govuk", url="https://www.gov.uk/api/search.json")
    assert result.error is None
    [entry] = result.entries
    assert entry.link == "https://www.gov.uk/government/consultations/heat-network-zoning"
    assert entry.deadline == date(2026, 3, 28) and entry.stage == "consultation"
    assert entry.summary_html == "<p>Proposals for &lt;zoning&gt;</p>"
    assert entry.published == datetime(2026, 2, 1, 9, 30, tzinfo=UTC)
    assert result.warnings == ["Treffer 2 übersprungen: Feld 'base_path' bzw. 'link' fehlt"]


# --- regulations.gov ---------------------------------------------------------------------

def test_regulationsgov_utc_deadline_is_previous_day_in_washington() -> None:
    wrapper = json.loads(_shared("us_regulationsgov_v4_DOS-2022-0004_docket_document_comment.json"))
    result = parse_document(json.dumps(wrapper["document"]).encode(), kind="regulationsgov", url="")
    assert result.error is None
    [entry] = result.entries
    assert entry.deadline_at == datetime(2022, 5, 10, 3, 59, 59, tzinfo=UTC)
    assert entry.deadline == date(2022, 5, 9)
    assert entry.deadline_text == "commentEndDate: 2022-05-10T03:59:59Z"
    assert entry.opening_date == date(2022, 3, 23)
    assert entry.link == "https://www.regulations.gov/document/DOS-2022-0004-0001"
    assert entry.stage == "consultation"
    assert entry.extra["document_type"] == "Rule"


def test_regulationsgov_docket_object() -> None:
    wrapper = json.loads(_shared("us_regulationsgov_v4_DOS-2022-0004_docket_document_comment.json"))
    result = parse_document(json.dumps(wrapper["docket"]).encode(), kind="regulationsgov", url="")
    [entry] = result.entries
    assert entry.link == "https://www.regulations.gov/docket/DOS-2022-0004"
    assert "consolidates and co-locates" in entry.summary_html
    assert entry.deadline is None


def test_regulationsgov_search_page_with_null_deadlines() -> None:
    result = parse_document(_shared("us_regulationsgov_v4_documents_search_bears-ears.json"),
                            kind="regulationsgov", url="")
    assert result.error is None and len(result.entries) == 25
    assert all(e.deadline is None and e.deadline_at is None for e in result.entries)
    assert result.entries[0].published == datetime(2025, 1, 16, 5, 0, tzinfo=UTC)
    assert all(e.link and e.link.startswith("https://www.regulations.gov/document/") for e in result.entries)


def test_regulationsgov_error_document() -> None:
    body = b'{"errors": [{"status": "403", "title": "API_KEY_INVALID", "detail": "An invalid api_key was supplied"}]}'
    result = parse_document(body, kind="regulationsgov", url="")
    assert result.error == ("regulations.gov API: unerwartete Antwort, API meldet Fehler: "
                            "An invalid api_key was supplied")


# --- Federal Register -------------------------------------------------------------------

def test_federalregister_search_page() -> None:
    result = parse_document(_shared("us_federalregister_api_documents_search_bears-ears.json"),
                            kind="federalregister", url="")
    assert result.error is None and len(result.entries) == 5
    first = result.entries[0]
    assert first.guid == "federalregister:2026-07755"
    assert first.link.startswith("https://www.federalregister.gov/documents/2026/04/21/2026-07755/")
    # A date-only publication day is midnight in Washington.
    assert first.published == datetime(2026, 4, 21, 4, 0, tzinfo=UTC)
    assert first.deadline is None  # this sample did not request comments_close_on
    assert "Interior Department" in first.extra["agencies"]


def test_federalregister_comments_close_on() -> None:
    body = json.dumps({"count": 1, "results": [{
        "document_number": "2026-01234", "title": "Spectrum for utilities in the 450 MHz band",
        "type": "Proposed Rule", "html_url": "https://www.federalregister.gov/d/2026-01234",
        "publication_date": "2026-03-02", "comments_close_on": "2026-05-01",
        "comment_url": "https://www.regulations.gov/commenton/FCC-2026-0001-0001",
        "docket_ids": ["FCC-2026-0001"]}]}).encode()
    [entry] = parse_document(body, kind="federalregister", url="").entries
    assert entry.deadline == date(2026, 5, 1) and entry.deadline_at is None
    assert entry.deadline_text == "comments_close_on: 2026-05-01"
    assert entry.stage == "consultation"
    assert entry.extra["docket_ids"] == ["FCC-2026-0001"]


def test_federalregister_empty_result_is_not_an_error() -> None:
    result = parse_document(b'{"count": 0, "description": "Documents matching x"}', kind="federalregister", url="")
    assert result.error is None and result.entries == []


# --- Have Your Say (the real captures are read in test_real_publishers.py) ------------------

def test_haveyoursay_current_status_and_utc_day_trap() -> None:
    # Edge cases the captures do not hold: a closed earlier window before the current one, and
    # a deadline of 00:30 Brussels time, which is still the previous day in UTC.
    body = json.dumps({"initiativeResultDtoPage": {"content": [{"id": 14688.0, "shortTitle": "t", "currentStatuses": [
        {"isCurrent": False, "receivingFeedbackStatus": "CLOSED", "feedbackEndDate": "2025/06/30 23:59:59"},
        {"isCurrent": True, "frontEndStage": "ADOPTION_WORKFLOW", "receivingFeedbackStatus": "OPEN",
         "feedbackStartDate": "2026/10/06 00:00:00", "feedbackEndDate": "2026/11/03 00:30:00"}]}]}}).encode()
    [smart] = parse_document(body, kind="haveyoursay", url=HYS_URL).entries
    assert smart.deadline_at == datetime(2026, 11, 2, 23, 30, tzinfo=UTC)
    assert smart.deadline == date(2026, 11, 3)
    assert smart.extra["front_end_stage"] == "ADOPTION_WORKFLOW"


def test_haveyoursay_bare_page_and_missing_id() -> None:
    body = json.dumps({"content": [{"shortTitle": "no id"}, {"id": 7, "shortTitle": "ok"}]}).encode()
    result = parse_document(body, kind="haveyoursay", url="")
    assert [e.guid for e in result.entries] == ["haveyoursay:7"]
    assert result.warnings == ["Initiative 1 übersprungen: Feld 'id' fehlt"]


# --- Bad input, every adapter ------------------------------------------------------------

ADAPTER_KINDS = ("haveyoursay", "govuk", "federalregister", "regulationsgov", "dip")
# APIs that answer some requests with a top-level array (Have Your Say's closingSoon, DIP
# documents as archived): there an array of numbers is a list of unusable records.
_ARRAY_APIS = ("haveyoursay", "dip")


@pytest.mark.parametrize("kind", ADAPTER_KINDS)
@pytest.mark.parametrize(("body", "expected"), [
    (b"", "leere Antwort statt JSON"),
    (b"<!DOCTYPE html><html><body>Wartung</body></html>", "HTML-Seite statt JSON erhalten"),
    (b'{"results": [', "kein gültiges JSON (Expecting value, Zeile 1, Spalte 14)"),
    (b"[1, 2, 3]", "unerwartete Antwort, Antwort ist kein JSON-Objekt"),
])
def test_bad_input_is_one_clear_error(kind: str, body: bytes, expected: str) -> None:
    result = parse_document(body, kind=kind, url="")
    assert result.entries == []
    if body == b"[1, 2, 3]" and kind in _ARRAY_APIS:
        expected = "kein Eintrag verwertbar"
    assert result.error is not None and expected in result.error


@pytest.mark.parametrize(("kind", "missing"), [
    ("haveyoursay", "weder 'initiativeResultDtoPage', 'content', '_embedded' (Suche) noch 'publications'"),
    ("dip", "weder 'documents' (Liste) noch 'typ' (einzelner Datensatz) vorhanden"),
    ("govuk", "weder 'results' (Such-API) noch 'base_path' (Content-API) vorhanden"),
    ("federalregister", "Feld 'results' fehlt"),
    ("regulationsgov", "Feld 'data' fehlt"),
])
def test_unexpected_shape_names_missing_field(kind: str, missing: str) -> None:
    result = parse_document(b'{"something": "else"}', kind=kind, url="")
    assert result.error is not None and missing in result.error


def test_records_of_the_wrong_api_are_an_error_not_an_empty_success() -> None:
    # EU Parliament JSON-LD also has a 'data' list, but none of it is JSON:API.
    result = parse_document(_shared("eu_europarl_opendata_procedure_2016-0132.json"),
                            kind="regulationsgov", url="")
    assert result.entries == []
    assert result.error is not None and "kein Eintrag verwertbar" in result.error


_JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30) \
    | st.sampled_from(["2022-05-10T03:59:59Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00+01:00",
                       "2026/05/12 23:59:59", "2026-02-30"])
_FIELD_NAMES = st.sampled_from([
    "content", "results", "data", "id", "title", "shortTitle", "attributes", "details", "closing_date",
    "commentEndDate", "currentStatuses", "feedbackEndDate", "isCurrent", "topics", "agencies",
    "docket_ids", "comments_close_on", "base_path", "document_number", "initiativeResultDtoPage", "type",
    "html_url", "web_url", "link",
])
_JSON = st.recursive(_JSON_SCALARS, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(_FIELD_NAMES, inner, max_size=6), max_leaves=25)


@pytest.mark.parametrize("kind", ADAPTER_KINDS)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=_JSON)
def test_any_json_gives_entries_or_error_never_an_exception(kind: str, document: object) -> None:
    result = parse_document(json.dumps(document).encode(), kind=kind, url="")
    assert result.error is not None or isinstance(result.entries, list)
    for entry in result.entries:
        assert entry.title and entry.link and entry.link.startswith("https://")
        assert entry.deadline_at is None or entry.deadline_at.utcoffset() is not None


def test_links_from_api_fields_must_be_web_urls() -> None:
    govuk = parse_document(b'{"base_path": "javascript:alert(1)", "title": "x"}', kind="govuk", url="")
    assert govuk.error is not None and "keine gültige Adresse" in govuk.error
    federal = parse_document(b'{"document_number": "2026-1", "title": "t", "html_url": "javascript:x"}',
                             kind="federalregister", url="")
    assert federal.entries[0].link == "https://www.federalregister.gov/d/2026-1"
    # An initiative id is a number; anything else never becomes part of a link.
    initiative = parse_document(b'{"content": [{"id": "../../admin?x=1", "shortTitle": "t"}]}',
                                kind="haveyoursay", url="")
    assert initiative.entries == [] and "Feld 'id' ist keine Zahl" in initiative.error
