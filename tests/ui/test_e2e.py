"""The real dashboard in Debian Chromium: pages load, a triage action lands in the database,
feed markup runs no script, and a collector in another process does not lock the user out.

Screenshots go to artifacts/screenshots/ (ignored by git) for a human to look at.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.alerts import seed as alert_seed
from tests.alerts.smtp_server import SmtpServer
from tests.collect import mails
from tests.collect.test_cadence import feed, letter
from tests.support.browser import form_with, new_page, open_page, screenshot, settle, streamlit_server
from tests.support.feeds import make_rss, write_feeds_toml
from tests.support.feedserver import FeedServer
from tests.ui.seed import seed, standard_specs
from tracker import clock
from tracker.alerts import outbox, subscriptions
from tracker.collect.run import ingest_documents, run_collection
from tracker.collect.sources import load_sources
from tracker.models import Source, User
from tracker.storage import open_db
from tracker.storage import triage as decisions
from tracker.storage.inbox import inbox_visit
from tracker.work import statement, workspaces
from tracker.work.triage import TriageState

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, feeds: FeedServer) -> dict[str, str]:
    tmp = tmp_path_factory.mktemp("e2e")
    db = tmp / "tracker.duckdb"
    seed(db, standard_specs(clock.today()))
    # Each source answers slowly so that `tracker collect` runs while the browser works.
    sources = {}
    for n in range(3):
        feeds.route(f"/neu{n}.xml", body=make_rss(2, prefix=f"neu{n}"), delay=1.5)
        sources[f"neu-{n}"] = feeds.url(f"/neu{n}.xml")
    toml = write_feeds_toml(tmp / "feeds.toml", sources, collector="concurrency = 1\nretries = 0")
    # A source expected every hour: once collected three hours ago, it is overdue.
    feeds.route("/stumm.xml", body=feed([letter(clock.today() + timedelta(days=4))], prefix="stumm"))
    with toml.open("a", encoding="utf-8") as file:
        file.write(f'\n[[source]]\nid = "stumm"\nname = "Stilles Ministerium"\nurl = "{feeds.url("/stumm.xml")}"\n'
                   'kind = "rss"\npublisher = "Test"\njurisdiction = "de"\nlanguage = "de"\nexpect_every = "1h"\n')
    return {**os.environ, "TRACKER_DB": str(db), "TRACKER_FEEDS": str(toml), "TRACKER_LOCAL_USER": "e2e",
            "TRACKER_AUTH": "off", "PYTHONUNBUFFERED": "1"}


@pytest.fixture(scope="module")
def app_url(env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with streamlit_server(env, tmp_path_factory.mktemp("log") / "streamlit.log") as url:
        yield url


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    pg = new_page(browser)
    pg.on("dialog", lambda dialog: (_ for _ in ()).throw(AssertionError(f"dialog opened: {dialog.message}")))
    yield pg
    pg.context.close()


@pytest.mark.parametrize(("path", "expect"), [
    ("", "Referentenentwurf Wärmeplanungsgesetz"),
    ("vorgang?item=hot", "Warum relevant?"),
    ("fristen", "Die nächsten 30 Tage"),
    ("themen", "Einträge je Thema und Woche"),
    ("quellen", "Jetzt sammeln"),
])
def test_each_page_loads(page: object, app_url: str, path: str, expect: str) -> None:
    open_page(page, f"{app_url}/{path}", expect, shot=path.split("?")[0] or "eingang")
    if path == "fristen":
        assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 1  # type: ignore[attr-defined]


def test_feed_markup_runs_no_script(page: object, app_url: str) -> None:
    for path in ("", "vorgang?item=xss"):
        open_page(page, f"{app_url}/{path}", "Datenplattform", shot="xss-" + (path.split("?")[0] or "eingang"))
        assert page.evaluate("window.__xss") is None  # type: ignore[attr-defined]
        assert "pwned" not in page.title()  # type: ignore[attr-defined]
        # The markup is visible as text, not as elements.
        assert page.get_by_text("<script>", exact=False).count() >= 1  # type: ignore[attr-defined]
        assert page.locator("img[src='x'], b[onmouseover]").count() == 0  # type: ignore[attr-defined]


def test_triage_round_trips_to_database(page: object, app_url: str, env: dict[str, str]) -> None:
    open_page(page, f"{app_url}/vorgang?item=lora", "Bearbeitung")
    form = form_with(page, "Verantwortlich")
    form.locator('[data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name="Beobachten").click()  # type: ignore[attr-defined]
    form.get_by_role("button", name="Speichern").click()
    page.get_by_text("Gespeichert (1 Änderung(en)).").wait_for(timeout=30_000)  # type: ignore[attr-defined]
    settle(page)
    screenshot(page, "vorgang-gespeichert")
    with open_db(env["TRACKER_DB"]) as con:
        state = decisions.triage_state(con, "lora")
        events = decisions.triage_events(con, "lora")
    assert state.status == "beobachten"
    assert [(e["action"], e["new_value"], e["actor"]) for e in events] == [("status", "beobachten", "e2e")]


def test_clicking_a_topic_in_the_chart_filters_the_inbox(page: object, app_url: str) -> None:
    open_page(page, f"{app_url}/themen", "Einträge je Thema und Woche")
    chart = page.locator('[data-testid="stVegaLiteChart"]').first  # type: ignore[attr-defined]
    chart.locator("g.mark-rect path").first.click()
    counter = page.get_by_text(re.compile(r"^\d+ von \d+ Einträgen$"))  # type: ignore[attr-defined]
    counter.wait_for(timeout=30_000)
    settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0  # type: ignore[attr-defined]
    shown, total = (int(n) for n in re.findall(r"\d+", counter.inner_text())[:2])
    assert 0 < shown < total
    topic_filter = page.locator('[data-testid="stMultiSelect"]').first.inner_text()  # type: ignore[attr-defined]
    assert f"({shown})" in topic_filter
    screenshot(page, "themen-klick-eingang")


def test_dashboard_usable_while_collector_runs(page: object, app_url: str, env: dict[str, str]) -> None:
    tracker_cli = shutil.which("tracker", path=str(Path(sys.executable).parent)) or "tracker"
    collector = subprocess.Popen([tracker_cli, "collect"], cwd=ROOT, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        loads = 0
        while collector.poll() is None and loads < 8:
            open_page(page, f"{app_url}/", "Einträgen")
            body = page.inner_text("body")  # type: ignore[attr-defined]
            assert "gesperrt" not in body and "belegt" not in body and "lock" not in body.lower()
            loads += 1
        output, _ = collector.communicate(timeout=120)
    finally:
        if collector.poll() is None:
            collector.kill()
    assert collector.returncode == 0, output.decode(errors="replace")
    assert loads >= 2, "the collection ended before the dashboard was used during it"
    open_page(page, f"{app_url}/", "Bekanntmachung neu0 0", shot="eingang-nach-sammlung")


def test_fristen_calendar_download(page: object, app_url: str) -> None:
    open_page(page, f"{app_url}/fristen", "Die nächsten 30 Tage")
    with page.expect_download() as info:  # type: ignore[attr-defined]
        page.get_by_text("Alle Fristen als iCalendar herunterladen").click()  # type: ignore[attr-defined]
    body = Path(info.value.path()).read_text(encoding="utf-8").replace("\r\n ", "")
    assert body.startswith("BEGIN:VCALENDAR") and "SEQUENCE:" in body
    assert "Referentenentwurf Wärmeplanungsgesetz" in body
    assert "Datenplattform" not in body  # no deadline, not in the calendar


def test_submission_and_failed_alert_are_shown(page: object, app_url: str, env: dict[str, str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    db = Path(env["TRACKER_DB"])
    monkeypatch.setenv("TRACKER_DB", str(db))
    team = User(id="e2e", display_name="e2e", role="admin")
    with open_db(db) as con:
        decisions.save_triage(con, "noise", TriageState("stellungnahme_geplant", "e2e"), actor="e2e",
                              at=datetime.now(UTC))
    workspaces.open_workspace(team, "noise")
    statement.save_version(team, "noise", "# Stellungnahme\n\nKeine Einwände.\n")
    sent = statement.record_submission(team, "noise", version=1, submitted_on=clock.today(), channel="E-Mail",
                                       recipient="poststelle@example.org", file_bytes=b"Fassung 1",
                                       today=clock.today(),
                                       file_name="stellungnahme-v1.docx", file_format="docx")
    open_page(page, f"{app_url}/vorgang?item=noise", "Stellungnahme öffnen", shot="vorgang-einreichung")
    assert page.get_by_text(sent["file_sha256"][:12]).count() >= 1  # type: ignore[attr-defined]
    page.get_by_text("Stellungnahme öffnen").click()  # type: ignore[attr-defined]
    page.wait_for_url(re.compile(r"/stellungnahmen\?item=noise$"), timeout=30_000)  # type: ignore[attr-defined]
    # The submission line of the Stellungnahmen page (Vorgang writes the hash without brackets).
    page.get_by_text(f"(SHA-256 {sent['file_sha256'][:12]}…)").wait_for(timeout=30_000)  # type: ignore[attr-defined]

    alert_seed.add_user(db, "bea", "bea@stadtwerke.example")
    subscriptions.subscribe("bea", topics=["energy"], min_score=0.5, db_path=db)
    with SmtpServer() as smtp:
        for name, value in (("SMTP_HOST", "127.0.0.1"), ("SMTP_PORT", str(smtp.port)), ("SMTP_STARTTLS", "false"),
                            ("SMTP_FROM", "Konsultationsradar <radar@verband.example>")):
            monkeypatch.setenv(name, value)
        smtp.handler.refuse = ["451 4.2.2 Postfach voll"] * 10
        report = outbox.run(policy=outbox.SendPolicy(tries=1), db_path=db)
    assert report.failed
    open_page(page, f"{app_url}/quellen", "nicht zugestellt", shot="quellen-benachrichtigungen")
    assert page.get_by_text("Postfach voll").count() >= 1  # type: ignore[attr-defined]


def test_coverage_baseline_late_detection_and_mail_are_shown(page: object, app_url: str, env: dict[str, str]) -> None:
    db = Path(env["TRACKER_DB"])
    first = datetime.now(UTC) - timedelta(hours=3)
    run_collection(["stumm"], registry=load_sources(Path(env["TRACKER_FEEDS"])), db_path=db, clock=lambda: first)
    mailbox = Source(id="postfach", name="Postfach Anhörungen", url="imaps://127.0.0.1/INBOX", kind="imap",
                     publisher="", jurisdiction="de", language="de")
    ingest_documents([(mails.invitation(), mailbox, "imaps://127.0.0.1/INBOX;UID=7", {}, None)], db_path=db,
                     registry_sources=[mailbox])
    with open_db(db) as con:
        stumm_id = con.execute("SELECT id FROM items WHERE guid = 'stumm-0'").fetchone()[0]
        mail_id = con.execute("SELECT item_id FROM item_sources WHERE source_id = 'postfach'").fetchone()[0]

    open_page(page, f"{app_url}/quellen", "Stilles Ministerium", shot="quellen-ueberfaellig")
    body = page.inner_text("body")  # type: ignore[attr-defined]
    assert "überfällig" in body and "erwartet: alle 1 Stunde" in body and "alle 1 Stunde" in body
    assert "spät entdeckt" in body

    open_page(page, f"{app_url}/", "Abdeckung", shot="eingang-abdeckung")
    body = page.inner_text("body")  # type: ignore[attr-defined]
    assert "Funkstille ist keine Entwarnung" in body
    assert "Quelle Stilles Ministerium: überfällig" in body
    # Counted since the same moment as NEU: the cutoff of this user's current look.
    with open_db(db) as con:
        visit = inbox_visit(con, env["TRACKER_LOCAL_USER"])
    assert visit is not None
    since = visit[1].astimezone(clock.BERLIN)
    assert re.search(rf"Seit {since:%d\.%m\.%Y %H:%M} Uhr: \d+ Eintr(ag|äge) als nicht relevant bewertet", body), body
    assert "Erstimport" in body and "spät entdeckt" in body

    open_page(page, f"{app_url}/vorgang?item={stumm_id}", "Warum relevant?", shot="vorgang-erstimport")
    body = page.inner_text("body")  # type: ignore[attr-defined]
    assert "Erstimport" in body and "spät entdeckt" in body and "Arbeitstage vor der Frist" in body

    open_page(page, f"{app_url}/vorgang?item={mail_id}", "Anhörungstermine", shot="vorgang-mail")
    body = page.inner_text("body")  # type: ignore[attr-defined]
    assert "05.06.2024 10:00–13:00 Uhr" in body and "Invalidenstraße 44" in body
    # Recognised by its domain; today's name, and the name it had when it wrote.
    assert "Ministerium: Bundesministerium für Verkehr (BMV; früher BMDV (2021–2025)" in body
    assert "ref-dg20@bmdv.bund.de" in body
