"""A database lock held longer than the wait reaches the dashboard as one German line,
never a traceback: on the login page, at the login gate of a signed-in user, and on a page.

In Debian Chromium against the real server; a second process holds DuckDB's file lock."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.browser import chromium, new_page, screenshot, settle, streamlit_server
from tracker.access import auth
from tracker.access.auth import LOCAL_USER
from tracker.ui.widgets import DATABASE_BUSY

pytestmark = pytest.mark.browser
PASSWORD = "admin-passwort-1"
HOLD_LOCK = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("gesperrt", flush=True)
sys.stdin.read()
"""


def _visible_text(page) -> str:
    return page.locator("body").inner_text()


def test_a_held_lock_is_one_german_line_on_every_page(db_path: Path, tmp_path: Path) -> None:
    auth.create_user(LOCAL_USER, login="admin", display_name="Admin", password=PASSWORD, role="admin")
    env = {**os.environ, "TRACKER_DB": str(db_path), "TRACKER_AUTH": "on", "TRACKER_DB_WAIT_SECONDS": "1"}
    with streamlit_server(env, tmp_path / "streamlit.log") as url, chromium() as browser:
        signed_in = new_page(browser, height=900)
        signed_in.goto(url)
        signed_in.get_by_role("heading", name="Anmeldung").wait_for(timeout=45_000)
        signed_in.get_by_label("Benutzername").fill("admin")
        signed_in.get_by_label("Passwort", exact=True).fill(PASSWORD)
        signed_in.get_by_role("button", name="Anmelden").click()
        signed_in.get_by_role("button", name="Abmelden").wait_for(timeout=45_000)
        settle(signed_in)

        holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(db_path)], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout.readline().strip() == "gesperrt"
            # A signed-in user moves on: the gate checks the user in the database first.
            signed_in.get_by_role("link", name="Fristen").click()
            signed_in.get_by_text(DATABASE_BUSY).wait_for(timeout=45_000)
            settle(signed_in)
            screenshot(signed_in, "locked-signed-in")
            text = _visible_text(signed_in)
            assert "Traceback" not in text and "DatabaseLockedError" not in text and "duckdb" not in text

            # Somebody new opens the dashboard: the login page asks the database as well.
            newcomer = new_page(browser, height=900)
            newcomer.goto(url)
            newcomer.get_by_text(DATABASE_BUSY).wait_for(timeout=45_000)
            settle(newcomer)
            screenshot(newcomer, "locked-login")
            text = _visible_text(newcomer)
            assert "Traceback" not in text and "DatabaseLockedError" not in text
        finally:
            holder.communicate("", timeout=30)

        # Once the lock is gone, the same pages work again.
        newcomer.reload()
        newcomer.get_by_role("heading", name="Anmeldung").wait_for(timeout=45_000)
        assert DATABASE_BUSY not in _visible_text(newcomer)
