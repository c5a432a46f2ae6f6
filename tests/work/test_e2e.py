"""In Debian Chromium against the real app: a member logs in and enters a position, the
team logs in, sees it in the matrix, assembles the draft and downloads the DOCX.

Screenshots go to artifacts/screenshots/positions-*.png (ignored by git)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document

from tests.support.browser import chromium, new_page, screenshot, settle, streamlit_server, wait_for_session_cookie
from tracker.work import positions

from .conftest import ITEM_ID, PASSWORDS, TITLE

REASON = "E2E: Die Frist für kleine Netzbetreiber ist zu kurz."
pytestmark = pytest.mark.browser


@pytest.fixture
def app_url(workspace, db_path: Path, tmp_path: Path) -> Iterator[str]:
    env = {**os.environ, "TRACKER_DB": str(db_path), "TRACKER_AUTH": "on", "PYTHONUNBUFFERED": "1"}
    with streamlit_server(env, tmp_path / "streamlit.log") as url:
        yield url


def _shot(page, name: str) -> None:
    screenshot(page, f"positions-{name}")


def _login(page, login: str) -> None:
    page.get_by_role("heading", name="Anmeldung").wait_for(timeout=45_000)
    page.get_by_label("Benutzername").fill(login)
    page.get_by_label("Passwort", exact=True).fill(PASSWORDS[login])
    page.get_by_role("button", name="Anmelden").click()
    wait_for_session_cookie(page)
    page.get_by_role("button", name="Abmelden").wait_for(timeout=45_000)
    settle(page)


def test_member_position_reaches_team_matrix_and_docx(app_url, workspace, world, tmp_path):
    first = workspace.sections[0]
    with chromium() as browser:
        page = new_page(browser, height=1100)
        page.goto(app_url)
        _shot(page, "1-login")
        _login(page, "anna")
        page.get_by_role("heading", name="Stellungnahmen").wait_for(timeout=45_000)
        form = page.locator('[data-testid="stForm"]').first
        form.get_by_text("Ablehnung", exact=True).click()
        form.get_by_label("Begründung").fill(REASON)
        form.get_by_role("button", name="Position speichern").click()
        page.get_by_text("gespeichert").first.wait_for(timeout=45_000)
        settle(page)
        _shot(page, "2-member-position")
        assert page.locator('[data-testid="stException"]').count() == 0
        stored = positions.matrix(world.team, ITEM_ID).get(first.id, "sw-a")
        assert stored is not None and (stored.stance, stored.reason) == ("ablehnung", REASON)

        page.get_by_role("button", name="Abmelden").click()
        settle(page)
        _login(page, "team")
        page.get_by_role("link", name="Stellungnahmen").click()
        page.get_by_role("heading", name="Stellungnahmen").wait_for(timeout=45_000)
        settle(page)
        page.get_by_text(REASON).first.wait_for(timeout=45_000)
        _shot(page, "3-team-matrix")

        page.get_by_role("tab", name="Entwurf").click()
        page.get_by_role("button", name="Entwurf aus der Matrix zusammenstellen").click()
        page.get_by_text("aus der Positionsmatrix zusammengestellt").first.wait_for(timeout=45_000)
        settle(page)
        page.get_by_role("tab", name="Export & Einreichung").click()
        settle(page)
        # one member of three answered one section: the draft has open places, so the
        # letter is downloaded only after confirming (issue 14)
        page.get_by_text("Trotzdem als Schreiben herunterladen").click()
        settle(page)
        with page.expect_download(timeout=45_000) as info:
            page.get_by_role("button", name="Schreiben als DOCX").click()
        target = tmp_path / info.value.suggested_filename
        info.value.save_as(str(target))
        _shot(page, "4-team-export")
        assert page.locator('[data-testid="stException"]').count() == 0

    assert target.suffix == ".docx"
    doc = Document(str(target))
    body = "\n".join(p.text for p in doc.paragraphs)
    # the letter speaks as the association: the member's reason without its name (issue 14)
    assert "SW Altstadt" not in body and "Die Frist für kleine Netzbetreiber ist zu kurz." in body
    assert any(p.style.name == "Heading 2" and first.title in p.text for p in doc.paragraphs)


def test_deep_link_survives_the_login(app_url, workspace):
    """An alert e-mail links to /vorgang?item=…: the login shows, then that very item."""
    with chromium() as browser:
        page = new_page(browser)
        page.goto(f"{app_url}/vorgang?item={ITEM_ID}")
        page.get_by_role("heading", name="Anmeldung").wait_for(timeout=45_000)
        assert page.get_by_text("Page not found").count() == 0
        _login(page, "team")
        settle(page)
        _shot(page, "deep-link")
        page.get_by_text(TITLE).first.wait_for(timeout=45_000)
        assert "/vorgang" in page.url and f"item={ITEM_ID}" in page.url
        assert page.locator('[data-testid="stException"]').count() == 0
