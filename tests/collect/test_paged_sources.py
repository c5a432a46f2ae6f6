"""Paged APIs against a real local HTTP server: Have Your Say pages and detail records, DIP's
cursor paging, increments since the last complete run, and its key (missing, refused: 401).

The pages are built from the real captured records (tests/collect/fixtures/real); only the
page envelopes (page numbers, cursors) are made here, as a server paging them would send.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support.feedserver import FeedServer
from tracker.cli.app import main
from tracker.collect import run as collecting
from tracker.collect.adapters import dip
from tracker.collect.sources import load_sources
from tracker.storage import open_db
from tracker.storage.sources import source_health

REAL = Path(__file__).parent / "fixtures" / "real"
KEY = "TestKey.abcdefghijklmnopqrstuvwxyz012345"


def records(name: str) -> list[dict]:
    data = json.loads((REAL / name).read_bytes())
    return data["initiativeResultDtoPage"]["content"] if isinstance(data, dict) else data


def write_source(path: Path, source_id: str, url: str, kind: str, *, language: str = "en", max_pages: int = 10) -> Path:
    path.write_text(f'[collector]\nretries = 0\n\n[[source]]\nid = "{source_id}"\nname = "Quelle {source_id}"\n'
                    f'url = "{url}"\nkind = "{kind}"\npublisher = "Test"\njurisdiction = "eu"\n'
                    f'language = "{language}"\nmax_pages = {max_pages}\n', encoding="utf-8")
    return path


@pytest.fixture
def clock() -> list[datetime]:
    return [datetime(2026, 10, 1, 8, 0, tzinfo=UTC)]


def collect(feeds: Path, clock: list[datetime]) -> collecting.CollectReport:
    return collecting.run_collection(registry=load_sources(feeds), clock=lambda: clock[0])


def health(db_path: Path, source_id: str) -> dict:
    with open_db(db_path) as con:
        return next(row for row in source_health(con) if row["id"] == source_id)


# --- Have Your Say ----------------------------------------------------------------------------

def hys_pages() -> list[list[dict]]:
    found = records("haveyoursay/searchInitiatives_unfiltered_size3.json") + \
        records("haveyoursay/searchInitiatives_text-gender_size2.json")
    return [found[0:2], found[2:4], found[4:5]]


def hys_search(query: dict[str, list[str]], headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    pages = hys_pages()
    number = int(query.get("page", ["0"])[0])
    assert query["feedbackStatus"] == ["OPEN"]
    page = {"content": pages[number], "number": number, "size": 2, "totalPages": len(pages),
            "totalElements": sum(map(len, pages)), "last": number == len(pages) - 1, "first": number == 0}
    return 200, {}, json.dumps({"exactMatch": True, "initiativeResultDtoPage": page}).encode()


def test_haveyoursay_reads_every_page_and_the_details(db_path: Path, tmp_path: Path, clock: list[datetime]) -> None:
    with FeedServer() as server:
        server.route("/brpapi/searchInitiatives", handler=hys_search)
        server.route("/brpapi/groupInitiatives/18805", body=(REAL / "haveyoursay/groupInitiatives_18805.json")
                     .read_bytes(), headers={"Content-Type": "application/json"})
        feeds = write_source(tmp_path / "feeds.toml", "hys",
                             server.url("/brpapi/searchInitiatives?feedbackStatus=OPEN&language=EN&page=0&size=2"),
                             "haveyoursay", language="de")
        report = collect(feeds, clock)
        pages = [parse_qs(urlsplit(r[":path"]).query)["page"] for r in server.requests("/brpapi/searchInitiatives")]
        details = len(server.requests("/brpapi/groupInitiatives/18805"))
    assert pages == [["0"], ["1"], ["2"]]
    assert details == 1  # the others answer 404 here
    [outcome] = report.outcomes
    assert outcome.stats.new == 5
    with open_db(db_path) as con:
        rows = {guid: (title, stage, summary) for guid, title, stage, summary in
                con.execute("SELECT guid, title, stage, summary FROM items").fetchall()}
    assert set(rows) == {"haveyoursay:18805", "haveyoursay:18806", "haveyoursay:14778", "haveyoursay:12472",
                         "haveyoursay:18193"}
    title, stage, summary = rows["haveyoursay:18805"]
    assert title.startswith("Mit neuen genomischen Techniken gewonnene Pflanzen") and stage == "consultation"
    assert summary.startswith("Mit dieser Initiative wird die Verordnung (EU) 2026/1388")
    row = health(db_path, "hys")
    assert row["last_pages"] == 4  # three listing pages and the one detail that answered
    assert "4 von 5 Einzelabrufen fehlgeschlagen" in row["last_warning"]
    assert row["last_verdict"].startswith("Gelesen mit Hinweis: 4 von 5 Einzelabrufen fehlgeschlagen")


def test_haveyoursay_page_cap_is_a_warning(db_path: Path, tmp_path: Path, clock: list[datetime]) -> None:
    with FeedServer() as server:
        server.route("/brpapi/searchInitiatives", handler=hys_search)
        feeds = write_source(tmp_path / "feeds.toml", "hys",
                             server.url("/brpapi/searchInitiatives?feedbackStatus=OPEN"), "haveyoursay", max_pages=2)
        report = collect(feeds, clock)
        requested = len(server.requests("/brpapi/searchInitiatives"))
    assert requested == 2
    assert report.outcomes[0].stats.new == 4
    assert "Seitenobergrenze erreicht: 2 Seiten gelesen" in health(db_path, "hys")["last_warning"]


# --- DIP ------------------------------------------------------------------------------------------

class DipServer:
    """DIP's /vorgang as the OpenAPI file describes it: a key in the Authorization header, pages
    of the real Vorgänge one at a time, the cursor unchanged once everything is delivered."""

    def __init__(self) -> None:
        self.documents = records("dip/vorgang_drucksache-289340.json")
        self.queries: list[dict[str, list[str]]] = []

    def __call__(self, query: dict[str, list[str]], headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if headers.get("authorization") != f"ApiKey {KEY}":
            return 401, {}, json.dumps({"code": 401, "message": "An API key is required to access this service. "
                                        "Please refer to https://dip.bundestag.de/über-dip/hilfe/api how to apply for "
                                        "a key. Misuse of this service may lead to blocking your requests."}).encode()
        self.queries.append(query)
        cursor = query.get("cursor", [""])[0]
        index = int(cursor[1:]) if cursor else 0
        page = self.documents[index:index + 1]
        following = f"c{index + 1}" if page else cursor
        return 200, {}, json.dumps({"numFound": len(self.documents), "documents": page, "cursor": following}).encode()


def test_dip_cursor_paging_and_increments(db_path: Path, tmp_path: Path, clock: list[datetime],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIP_API_KEY", KEY)
    dip_server = DipServer()
    with FeedServer() as server:
        server.route("/api/v1/vorgang", handler=dip_server)
        feeds = write_source(tmp_path / "feeds.toml", "dip", server.url("/api/v1/vorgang"), "dip", language="de")
        first = collect(feeds, clock)
        clock[0] += timedelta(hours=2)
        second = collect(feeds, clock)
    # Three pages of one Vorgang each, then the cursor no longer changes: four requests.
    assert [q.get("cursor") for q in dip_server.queries[:4]] == [None, ["c1"], ["c2"], ["c3"]]
    assert first.outcomes[0].stats.new == 3 and first.outcomes[0].message is None
    starts = [datetime.fromisoformat(q["f.aktualisiert.start"][0]) for q in dip_server.queries if "cursor" not in q]
    # The first run reads the last two weeks; the next one from its predecessor's start, less an hour.
    assert starts == [datetime(2026, 9, 17, 8, 0, tzinfo=UTC), datetime(2026, 10, 1, 7, 0, tzinfo=UTC)]
    assert second.outcomes[0].stats.unchanged == 3
    with open_db(db_path) as con:
        links = sorted(row[0] for row in con.execute("SELECT link FROM items").fetchall())
    assert all(link.startswith("https://dip.bundestag.de/vorgang/") and link.rsplit("/", 1)[1].isdigit()
               for link in links)
    row = health(db_path, "dip")
    assert row["resume_from"] == datetime(2026, 10, 1, 9, 0, tzinfo=UTC)  # the second run's start, less an hour
    assert row["last_item_count"] is None  # an increment is not the source's size
    assert row["last_verdict"].startswith("OK: 3 Einträge")


def test_dip_incomplete_run_reads_the_same_span_again(db_path: Path, tmp_path: Path, clock: list[datetime],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIP_API_KEY", KEY)
    dip_server = DipServer()
    with FeedServer() as server:
        server.route("/api/v1/vorgang", handler=dip_server)
        feeds = write_source(tmp_path / "feeds.toml", "dip", server.url("/api/v1/vorgang"), "dip", max_pages=2)
        collect(feeds, clock)
        clock[0] += timedelta(hours=2)
        collect(feeds, clock)
    starts = [q["f.aktualisiert.start"][0] for q in dip_server.queries if "cursor" not in q]
    assert len(starts) == 2 and starts[0] == starts[1], "a capped run must not move the mark on"
    assert "Seitenobergrenze erreicht" in health(db_path, "dip")["last_warning"]


def test_dip_refused_key_is_a_clear_source_error(db_path: Path, tmp_path: Path, clock: list[datetime],
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setenv("DIP_API_KEY", "Expired.keyfromlastyear0123456789abcdefgh")
    with FeedServer() as server:
        server.route("/api/v1/vorgang", handler=DipServer())
        feeds = write_source(tmp_path / "feeds.toml", "dip", server.url("/api/v1/vorgang"), "dip")
        monkeypatch.setenv("TRACKER_FEEDS", str(feeds))
        code = main(["collect"])
    out, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in out + err
    row = health(db_path, "dip")
    assert row["last_status"] == 401 and row["last_error"] == dip.UNAUTHORIZED
    assert "1 Quellen mit Fehler" in out
    assert row["last_verdict"] == f"Zugang verweigert: {dip.UNAUTHORIZED}"


def test_dip_missing_key_asks_for_it_without_a_request(db_path: Path, tmp_path: Path, clock: list[datetime],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DIP_API_KEY", raising=False)
    monkeypatch.setenv("TRACKER_SECRETS", str(tmp_path / "keine-secrets.toml"))
    with FeedServer() as server:
        server.route("/api/v1/vorgang", handler=DipServer())
        feeds = write_source(tmp_path / "feeds.toml", "dip", server.url("/api/v1/vorgang"), "dip")
        report = collect(feeds, clock)
        assert server.requests("/api/v1/vorgang") == []
    assert report.outcomes[0].message == dip.MISSING_KEY
    assert "https://dip.bundestag.de/über-dip/hilfe/api" in health(db_path, "dip")["last_error"]


def test_dip_key_is_never_sent_to_another_host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIP_API_KEY", KEY)
    with FeedServer() as elsewhere, FeedServer() as server:
        elsewhere.route("/landing", body=b'{"numFound": 0, "documents": [], "cursor": "x"}')
        # "localhost" and "127.0.0.1" are two hosts to the client: the redirect changes host.
        server.route("/api/v1/vorgang", redirect_to=f"http://localhost:{elsewhere.port}/landing", status=302)
        feeds = write_source(tmp_path / "feeds.toml", "dip", server.url("/api/v1/vorgang"), "dip")
        [check] = collecting.check_sources(registry=load_sources(feeds))
        [received] = elsewhere.requests("/landing")
        [asked] = server.requests("/api/v1/vorgang")
    assert asked["authorization"] == f"ApiKey {KEY}"
    assert "authorization" not in received
    assert check.verdict.startswith("OK: keine Änderungen seit")
