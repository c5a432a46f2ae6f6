"""The policy team's workflow in Debian Chromium against the real dashboard process
(``streamlit run dashboard.py``, login on, the shipped demo data): one test per defect of
issue 14, each signed in as the role concerned and following the steps of the report.

Screenshots go to artifacts/screenshots/ablauf-*.png (ignored by git)."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from docx import Document

from tests.support.browser import (
    new_page,
    screenshot,
    settle,
    streamlit_server,
    wait_for_session_cookie,
)
from tracker import clock
from tracker.access import auth, sessions
from tracker.alerts import calendars
from tracker.demo.loader import load_demo
from tracker.models import User
from tracker.storage import open_db
from tracker.storage.triage import triage_state
from tracker.vocabulary import Role
from tracker.work import decisions, positions, statement, workspaces
from tracker.work.triage import TriageState

pytestmark = pytest.mark.browser
PASSWORDS = {"admin": "demo-admin-2026", "team": "demo-team-2026", "auenfeld": "demo-auenfeld",
             "referent": "referent-passwort-1", "pruefer": "pruefer-passwort-1"}
TEAM = User(id="team", display_name="Demo-Fachteam", role=Role.TEAM)
ADMIN = User(id="admin", display_name="Admin", role=Role.ADMIN)
MEMBER_NAMES = ("SW Auenfeld", "Stadtwerke Auenfeld", "Lindenbrück", "Rheinhafen")


class Demo:
    """The ids the tests work on, made once: A is the demo workspace (Vergabe), B a second
    workspace with its own title, reference and deadline, C one ready to be submitted,
    D an item planned for a statement without a workspace yet."""

    def __init__(self) -> None:
        [self.a] = [w.item_id for w in workspaces.workspaces_for(TEAM)]
        today = clock.today()
        ahead = sorted({e.item_id: e.deadline for e in calendars.deadline_entries(include_demo=True)
                        if e.kind == "external" and e.deadline > today and e.item_id != self.a}.items(),
                       key=lambda kv: kv[1])
        self.b, self.c, self.d = (item_id for item_id, _ in ahead[:3])
        for item_id in (self.b, self.c, self.d):
            decisions.save_triage(TEAM, item_id, TriageState("stellungnahme_geplant", "team"))
        workspaces.open_workspace(TEAM, self.b, addressee="Bundesministerium B\nReferat B 1", reference="B-REF-1")
        workspaces.open_workspace(TEAM, self.c, reference="C-REF-1")
        workspaces.set_sections(TEAM, self.c, workspaces.parse_sections("§ 1 – Anwendungsbereich"))
        workspaces.set_members(TEAM, self.c, ["sw-auenfeld"])
        workspaces.update_workspace(TEAM, self.c, status="offen")
        section = workspaces.get_workspace(TEAM, self.c).sections[0].id
        positions.record_position(TEAM, self.c, section, "sw-auenfeld", "zustimmung", "Passt.")
        statement.assemble_draft(TEAM, self.c)
        auth.create_user(auth.LOCAL_USER, login="referent", display_name="Referentin", password=PASSWORDS["referent"],
                         role="team", email="referentin@verband.example")
        auth.create_user(auth.LOCAL_USER, login="pruefer", display_name="Prüfer", password=PASSWORDS["pruefer"],
                         role="team")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    db = tmp_path_factory.mktemp("ablauf") / "tracker.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRACKER_DB", str(db))
        load_demo(db)
        yield db


@pytest.fixture(scope="module")
def demo(demo_db: Path) -> Iterator[Demo]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TRACKER_DB", str(demo_db))
        yield Demo()


@pytest.fixture(autouse=True)
def same_database(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_DB", str(demo_db))


@pytest.fixture(scope="module")
def app_url(demo: Demo, demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {**os.environ, "TRACKER_DB": str(demo_db), "TRACKER_AUTH": "on", "PYTHONUNBUFFERED": "1"}
    with streamlit_server(env, tmp_path_factory.mktemp("log") / "streamlit.log") as url:
        yield url


@pytest.fixture
def context(browser) -> Iterator[object]:
    ctx = new_page(browser, height=1200).context
    yield ctx
    ctx.close()


def shot(page, name: str) -> None:
    screenshot(page, f"ablauf-{name}")


def login(page, url: str, who: str) -> None:
    page.goto(url)
    page.get_by_role("heading", name="Anmeldung").wait_for(timeout=45_000)
    page.get_by_label("Benutzername").fill(who)
    page.get_by_label("Passwort", exact=True).fill(PASSWORDS[who])
    page.get_by_role("button", name="Anmelden").click()
    wait_for_session_cookie(page, sessions.COOKIE_NAME)
    page.get_by_role("button", name="Abmelden").wait_for(timeout=45_000)
    settle(page)


def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    settle(page)


def choose(page, label: str, option: str) -> None:
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option).first.click()
    settle(page)


def title_of(item_id: str) -> str:
    return workspaces.get_workspace(TEAM, item_id).title


# --- 1. settings must never overwrite another workspace ------------------------------------

def test_1_settings_show_and_save_only_the_selected_workspace(context, app_url, demo):
    a_before, b_before = workspaces.get_workspace(TEAM, demo.a), workspaces.get_workspace(TEAM, demo.b)
    page = context.new_page()
    login(page, f"{app_url}/stellungnahmen?item={demo.a}", "team")
    open_tab(page, "Einstellungen")
    assert page.get_by_label("Titel der Konsultation (Betreff)").input_value() == a_before.title
    choose(page, "Konsultation", f"{b_before.title} – {b_before.status_label}")
    open_tab(page, "Einstellungen")
    assert page.get_by_label("Titel der Konsultation (Betreff)").input_value() == b_before.title
    assert page.get_by_label("Aktenzeichen", exact=True).input_value() == "B-REF-1"
    page.get_by_label("Angefragte Mitglieder").click()
    page.get_by_role("option", name="Stadtwerke Auenfeld GmbH (Demo)").click()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Einstellungen speichern").click()
    page.get_by_text("Einstellungen gespeichert").wait_for(timeout=45_000)
    settle(page)
    shot(page, "1-einstellungen")
    b_after, a_after = workspaces.get_workspace(TEAM, demo.b), workspaces.get_workspace(TEAM, demo.a)
    assert b_after.member_ids == {"sw-auenfeld"}
    assert (b_after.title, b_after.reference, b_after.external_deadline) == (
        b_before.title, "B-REF-1", b_before.external_deadline)
    assert (a_after.title, a_after.reference, a_after.member_ids) == (a_before.title, a_before.reference,
                                                                      a_before.member_ids)


# --- 2. the draft says "common position" only where it is one --------------------------------

def test_2_draft_marks_split_sections_open_and_export_warns(context, app_url, demo):
    page = context.new_page()
    login(page, f"{app_url}/stellungnahmen?item={demo.a}", "team")
    open_tab(page, "Entwurf")
    page.get_by_role("button", name="Entwurf aus der Matrix zusammenstellen").click()
    page.get_by_text("aus der Positionsmatrix zusammengestellt").wait_for(timeout=45_000)
    settle(page)
    body = page.get_by_label("Entwurf (Markdown)").input_value()
    losaufteilung = body.split("## 1. ")[1].split("## 2. ")[0]  # Zustimmung, mit Änderungen, Ablehnung
    assert "Gemeinsame Position" not in losaufteilung and "[OFFEN]" in losaufteilung
    assert not [name for name in MEMBER_NAMES if name in statement.strip_sources(body)]
    open_tab(page, "Export & Einreichung")
    assert page.get_by_text("offene Stelle(n)").count() >= 1
    assert page.get_by_role("button", name="Schreiben als DOCX").is_disabled()
    shot(page, "2-entwurf-offen")


# --- 3. a submission is checked, closes input, and can be withdrawn ------------------------

def test_3_submission_is_validated_closes_input_and_can_be_withdrawn(context, app_url, demo):
    page = context.new_page()
    login(page, f"{app_url}/stellungnahmen?item={demo.c}", "team")
    open_tab(page, "Export & Einreichung")
    page.get_by_role("button", name="Einreichung festhalten").click()
    page.get_by_text("Bitte den Empfänger angeben").wait_for(timeout=45_000)
    assert statement.submissions(TEAM, demo.c) == []
    page.get_by_label("Empfänger (E-Mail-Adresse, Portal oder Anschrift)").fill("poststelle@ministerium.example")
    page.get_by_role("button", name="Einreichung festhalten").click()
    page.get_by_text("Einreichung von Version 1 festgehalten").wait_for(timeout=45_000)
    settle(page)
    assert page.get_by_text("Status: Eingereicht", exact=False).count() >= 1
    assert workspaces.get_workspace(TEAM, demo.c).status == "eingereicht"
    with open_db() as con:
        assert triage_state(con, demo.c).status == "abgegeben"  # reminders stop
    assert page.get_by_role("button", name="Einreichung festhalten").count() == 0  # no second one
    open_tab(page, "Export & Einreichung")
    page.get_by_text("Einreichung zurückziehen").click()
    page.get_by_label("Grund (Pflicht)", exact=True).fill("Versehentlich erfasst")
    page.get_by_role("button", name="Zurückziehen", exact=True).click()
    settle(page)
    shot(page, "3-zurueckziehen")
    page.get_by_text("Einreichung zurückgezogen.").wait_for(timeout=45_000)
    settle(page)
    shot(page, "3-einreichung-verlauf")
    assert page.get_by_text("Versehentlich erfasst").count() >= 1  # kept in the history
    [kept] = statement.submissions(TEAM, demo.c)
    assert kept["withdraw_reason"] == "Versehentlich erfasst"


# --- 4. relevance feedback starts from the team's label ------------------------------------

def test_4_saving_the_feedback_form_again_keeps_the_teams_verdict(context, app_url, demo):
    page = context.new_page()
    item_id = demo.b
    decisions.record_relevance(ADMIN, item_id, relevant=False, topics=[])
    login(page, f"{app_url}/vorgang?item={item_id}", "team")
    assert page.get_by_label("nicht relevant", exact=True).is_checked()
    page.get_by_role("button", name="Rückmeldung speichern").click()
    page.get_by_text("Keine Änderung gegenüber der letzten Rückmeldung").wait_for(timeout=45_000)
    _, labels = decisions.history(TEAM, item_id)
    assert [(label["relevant"], label["labelled_by"]) for label in labels] == [(False, "admin")]


# --- 5. the session survives a reload, a new tab and a link that opens one -----------------

def test_5_session_survives_reload_tabs_and_ends_on_the_server(context, browser, app_url, demo):
    page = context.new_page()
    login(page, f"{app_url}/fristen", "team")
    cookie = next(c for c in context.cookies() if c["name"] == sessions.COOKIE_NAME)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    page.reload()
    settle(page)
    assert page.get_by_role("button", name="Abmelden").count() == 1 and "/fristen" in page.url
    with context.expect_page() as opened:  # what a link with target="_blank" does
        page.evaluate(f"window.open('/vorgang?item={demo.a}', '_blank')")
    tab = opened.value
    tab.wait_for_load_state()
    settle(tab)
    assert tab.get_by_role("button", name="Abmelden").count() == 1
    assert tab.get_by_text(title_of(demo.a)).count() >= 1
    page.get_by_role("button", name="Abmelden").click()
    page.get_by_role("heading", name="Anmeldung").wait_for(timeout=45_000)
    tab.reload()  # the other tab's session ended on the server
    tab.get_by_role("heading", name="Anmeldung").wait_for(timeout=45_000)
    assert not [c for c in context.cookies() if c["name"] == sessions.COOKIE_NAME]

    other = new_page(browser)
    login(other, f"{app_url}/fristen", "pruefer")
    auth.set_password(ADMIN, "pruefer", "ein-ganz-neues-passwort")  # issue 15, item 10
    other.reload()
    other.get_by_role("heading", name="Anmeldung").wait_for(timeout=45_000)
    other.context.close()


# --- 6. a new workspace is selected, a save keeps the tab, deep links open the item --------

def test_6_new_workspace_selected_tab_kept_and_deep_links(context, browser, app_url, demo):
    page = context.new_page()
    login(page, f"{app_url}/stellungnahmen", "team")
    page.get_by_text("Neuen Arbeitsbereich anlegen").click()
    choose(page, "Meldung", re.compile(re.escape(title_of_item(demo.d)[:40])))
    page.get_by_role("button", name="Arbeitsbereich anlegen").click()
    page.get_by_text("Arbeitsbereich angelegt").wait_for(timeout=45_000)
    settle(page)
    assert f"item={demo.d}" in page.url
    assert title_of(demo.d) in page.get_by_label("Konsultation", exact=True).input_value()
    assert page.get_by_role("tab", name="Einstellungen").get_attribute("aria-selected") == "true"
    page.get_by_label("Aktenzeichen", exact=True).fill("D-REF-7")
    page.get_by_role("button", name="Einstellungen speichern").click()
    page.get_by_text("Einstellungen gespeichert").wait_for(timeout=45_000)
    settle(page)
    assert page.get_by_role("tab", name="Einstellungen").get_attribute("aria-selected") == "true"
    assert workspaces.get_workspace(TEAM, demo.d).reference == "D-REF-7"

    deep = context.new_page()
    deep.goto(f"{app_url}/stellungnahmen?item={demo.b}")
    settle(deep)
    assert title_of(demo.b) in deep.get_by_label("Konsultation", exact=True).input_value()

    member = new_page(browser)
    login(member, f"{app_url}/vorgang?item={demo.a}", "auenfeld")
    member.get_by_role("heading", name="Stellungnahmen").wait_for(timeout=45_000)
    assert title_of(demo.a) in member.get_by_label("Konsultation", exact=True).input_value()
    member.context.close()


def title_of_item(item_id: str) -> str:
    return next(c["title"] for c in workspaces.candidates(TEAM) if c["id"] == item_id)


# --- 7. the letter speaks as the association; the internal version names members -----------

def test_7_letter_without_member_names_and_internal_version_with_them(context, app_url, demo):
    page = context.new_page()
    login(page, f"{app_url}/stellungnahmen?item={demo.a}", "team")
    if not statement.versions(TEAM, demo.a):
        statement.assemble_draft(TEAM, demo.a)
    open_tab(page, "Export & Einreichung")
    page.get_by_text("Trotzdem als Schreiben herunterladen").click()
    settle(page)
    with page.expect_download(timeout=45_000) as letter:
        page.get_by_role("button", name="Schreiben als DOCX").click()
    with page.expect_download(timeout=45_000) as internal:
        page.get_by_role("button", name="Interne Fassung (DOCX)").click()
    text = "\n".join(p.text for p in Document(io.BytesIO(Path(letter.value.path()).read_bytes())).paragraphs)
    assert "Sehr geehrte Damen und Herren," in text and "Mit freundlichen Grüßen" in text
    assert not [name for name in MEMBER_NAMES if name in text] and "Version" not in text
    doc = Document(io.BytesIO(Path(internal.value.path()).read_bytes()))
    cells = " ".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "SW Auenfeld" in cells and "Interne Fassung" in doc.paragraphs[0].text


# --- 8. the inbox separates signal from noise -----------------------------------------------

def test_8_inbox_hides_noise_ranks_consultations_and_finds_umlauts(context, app_url, demo):
    page = context.new_page()
    login(page, app_url, "team")
    counter = page.get_by_text(re.compile(r"^\d+ von \d+ Einträgen$"))
    shown, total = (int(n) for n in re.findall(r"\d+", counter.inner_text())[:2])
    assert shown < total  # items judged not relevant are hidden ...
    new_badges = page.get_by_text("NEU", exact=True).count()
    assert new_badges < min(shown, 25)  # NEU is no longer every item
    first_card = page.locator('[data-testid="stPageLink"]').first.locator(
        "xpath=ancestor::div[.//*[@data-testid='stCaptionContainer']][1]")
    first = first_card.inner_text()
    assert "Konsultation" in first or "Entwurf" in first  # an open consultation or draft leads
    page.get_by_role("button", name=re.compile(r"als nicht relevant bewertete einblenden")).click()
    settle(page)
    assert int(re.findall(r"\d+", page.get_by_text(re.compile(r"^\d+ von \d+ Einträgen$")).inner_text())[0]) > shown
    page.get_by_label("Suche in Titel und Text").fill("Waermeplanung")
    page.keyboard.press("Enter")
    settle(page)
    shot(page, "8-suche-umlaut")
    assert page.get_by_text(re.compile("Wärmeplanung")).count() >= 1


# --- 9. German labels and Berlin time on every page ----------------------------------------

def test_9_pages_speak_german_in_berlin_time(context, app_url, demo):
    page = context.new_page()
    login(page, app_url, "admin")
    # through the navigation, as a user clicks; Vorgang is opened from the first inbox card
    for link, shown in (("Eingang", re.compile(r"von \d+ Einträgen")), (None, "Warum relevant?"),
                        ("Fristen", "Die nächsten 30 Tage"), ("Themen", "Einträge je Rechtsraum"),
                        ("Stellungnahmen", "Frist der Anhörung"), ("Benachrichtigungen", "Meine Abos"),
                        ("Benutzer", "Mitgliedsorganisationen")):
        if link is None:
            page.locator('[data-testid="stMain"] [data-testid="stPageLink"]').first.click()
        else:
            page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=link, exact=True).click()
        settle(page)
        page.get_by_text(shown).first.wait_for(timeout=45_000)
        page.wait_for_timeout(2500)  # the browser draws lazily after the run ended
        text = page.inner_text("body")
        assert "None" not in text and "+00:00" not in text and "Select all" not in text, link
        assert not re.search(r"· (consultation|draft|adopted|funding_call|news|tender) ·", text), link
        assert not re.search(r"· de(-[a-z]{2})? ·", text), link
        assert not re.search(r"Relevanz \d\.\d\d", text), link  # German decimals


# --- 10. user admin -------------------------------------------------------------------------

def test_10_user_admin_defaults_validation_and_double_click(context, app_url, demo):
    page = context.new_page()
    login(page, f"{app_url}/benutzer", "admin")
    form = page.locator('[data-testid="stForm"]').first
    assert form.get_by_label("Rolle", exact=True).input_value() == "Mitglied"  # least privilege
    form.get_by_label("Benutzername").fill("neu.person")
    form.get_by_label("E-Mail").fill("keine-mail")
    form.get_by_label("Erstes Passwort (mind. 10 Zeichen)").fill("ein-sicheres-passwort")
    form.get_by_role("button", name="Anlegen").click()
    page.get_by_text("ist ungültig").wait_for(timeout=45_000)
    settle(page)
    assert form.get_by_label("Benutzername").input_value() == "neu.person"  # nothing lost
    form.get_by_label("E-Mail").fill("neu.person@stadtwerke.example")
    choose(page, "Organisation (für Mitglieder)", "Stadtwerke Auenfeld GmbH (Demo)")
    form.get_by_label("Erstes Passwort (mind. 10 Zeichen)").fill("ein-sicheres-passwort")
    form.get_by_role("button", name="Anlegen").dblclick()
    page.get_by_text("Benutzer neu.person angelegt.").wait_for(timeout=45_000)
    settle(page)
    assert page.get_by_text("gibt es schon").count() == 0
    assert auth.get_user("neu.person").email == "neu.person@stadtwerke.example"
    page.get_by_label("Kennung").fill("sw-neustadt")
    page.get_by_label("Name", exact=True).fill("Stadtwerke Neustadt GmbH")
    page.get_by_role("button", name="Organisation speichern").click()
    page.get_by_text("Organisation sw-neustadt gespeichert.").wait_for(timeout=45_000)
    settle(page)
    page.get_by_label("Organisation (für Mitglieder)").click()
    assert page.get_by_role("option", name="Stadtwerke Neustadt GmbH").count() == 1  # without a reload
    shot(page, "10-benutzer")


# --- 11. alerts and a personal calendar in the dashboard ------------------------------------

def test_11_own_subscriptions_and_a_secret_revocable_calendar_address(context, browser, app_url, demo):
    page = context.new_page()
    login(page, f"{app_url}/benachrichtigungen", "referent")
    page.get_by_role("button", name="Abo anlegen").click()
    page.get_by_text(re.compile(r"Abo Nr\. \d+ angelegt")).wait_for(timeout=45_000)
    settle(page)
    page.get_by_role("button", name="Kalender-Adresse erzeugen").click()
    page.get_by_text("Kalender-Adresse erzeugt.").wait_for(timeout=45_000)
    settle(page)
    address = page.locator('[data-testid="stCode"]').first.inner_text().strip()
    assert address.startswith(app_url + "/kalender/") and address.endswith(".ics")
    shot(page, "11-benachrichtigungen")
    calendar = httpx.get(address, timeout=30)
    assert calendar.status_code == 200 and calendar.text.startswith("BEGIN:VCALENDAR")
    assert "text/calendar" in calendar.headers["content-type"]
    page.get_by_role("button", name="Adresse widerrufen").click()
    page.get_by_text("Kalender-Adresse widerrufen").wait_for(timeout=45_000)
    assert httpx.get(address, timeout=30).status_code == 404
    assert page.get_by_text("Postausgang").count() == 0  # the outbox is for administrators

    admin = new_page(browser)
    login(admin, f"{app_url}/benachrichtigungen", "admin")
    admin.get_by_role("heading", name="Postausgang").wait_for(timeout=45_000)
    admin.context.close()


# --- 12. what a member sees -----------------------------------------------------------------

def test_12_member_sees_the_original_document_and_no_internal_dates(context, app_url, demo):
    with open_db() as con:
        board = triage_state(con, demo.a)
    decisions.save_triage(TEAM, demo.a, TriageState(board.status, board.owner, board.member_input_due,
                                                    board.member_input_due))
    page = context.new_page()
    login(page, f"{app_url}/stellungnahmen?item={demo.a}", "auenfeld")
    link = page.get_by_role("link", name="Originaldokument öffnen")
    assert link.get_attribute("href") == workspaces.get_workspace(TEAM, demo.a).link
    page.goto(f"{app_url}/fristen")
    settle(page)
    shot(page, "12-mitglied-fristen")
    page.get_by_role("heading", name="Die nächsten 30 Tage").wait_for(timeout=45_000)
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.locator("th[role=columnheader]").first.wait_for(state="attached", timeout=45_000)
    headers = grid.locator("th[role=columnheader]").all_text_contents()
    assert headers and "Frist" in " ".join(headers)
    assert not [h for h in headers if "Verantwortlich" in h or "Freigabe" in h]


# --- every page for every role, for a human to look at --------------------------------------

ROLE_PAGES = {
    "admin": ("", "vorgang", "fristen", "themen", "benachrichtigungen", "stellungnahmen", "quellen", "benutzer"),
    "team": ("", "vorgang", "fristen", "themen", "benachrichtigungen", "stellungnahmen", "quellen"),
    "auenfeld": ("stellungnahmen", "fristen", "benachrichtigungen"),
}


@pytest.mark.parametrize("who", list(ROLE_PAGES))
def test_every_page_of_every_role_renders_for_screenshots(browser, app_url, demo, who):
    page = new_page(browser, height=2400)
    login(page, app_url, who)
    for path in ROLE_PAGES[who]:
        query = f"?item={demo.a}" if path in ("vorgang", "stellungnahmen") else ""
        page.goto(f"{app_url}/{path}{query}")
        settle(page)
        page.get_by_role("button", name="Abmelden").wait_for(timeout=45_000)  # still signed in
        page.wait_for_timeout(2500)  # the browser draws lazily after the run ended
        assert page.get_by_text("Page not found").count() == 0, path
        screenshot(page, f"rolle-{who}-{path or 'eingang'}")
    page.context.close()
