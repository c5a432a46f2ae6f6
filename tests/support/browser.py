"""The real dashboard for end-to-end tests: a Streamlit server on 127.0.0.1 and Debian Chromium.

Browser tests fail, not skip, when ``CI`` is set and Playwright or Chromium is missing.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import IN_CI, PROJECT_ROOT

SHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def require_browser() -> None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        if IN_CI:
            pytest.fail(f"Playwright missing in CI: {exc}")
        pytest.skip("Playwright not installed")
    if not CHROMIUM.exists():
        if IN_CI:
            pytest.fail(f"Chromium missing in CI: {CHROMIUM}")
        pytest.skip(f"Chromium not installed at {CHROMIUM}")


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian Chromium, headless, driven by Playwright."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser: Any, *, height: int = 1000) -> Any:
    """A page in a fresh context (own cookies) with a German locale, 1400 pixels wide."""
    context = browser.new_context(viewport={"width": 1400, "height": height}, locale="de-DE", accept_downloads=True)
    return context.new_page()


def form_with(page: Any, text: str) -> Any:
    """The form on the page that shows ``text`` (a page may hold several forms)."""
    return page.locator('[data-testid="stForm"]').filter(has_text=text)


def settle(page: Any, *, paint_ms: int = 400) -> None:
    """Until Streamlit has finished the script run: its status widget gone, no skeletons left;
    then ``paint_ms`` for what paints afterwards (data frames draw on a canvas a moment later).
    A page showing a Python exception fails the test."""
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=45_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stSkeleton\"], .stSkeleton')",
                           timeout=45_000)
    page.wait_for_timeout(paint_ms)
    assert page.locator('[data-testid="stException"]').count() == 0, page.inner_text("body")[:2000]


def screenshot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def open_page(page: Any, url: str, expect: str, shot: str | None = None, *, paint_ms: int = 400) -> None:
    """Go to ``url``, wait for the text ``expect`` and the end of the run; a screenshot named ``shot``."""
    page.goto(url)
    page.get_by_text(expect, exact=False).first.wait_for(timeout=45_000)
    settle(page, paint_ms=paint_ms)
    if shot:
        screenshot(page, shot)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def streamlit_server(env: dict[str, str], log: Path, *, startup_seconds: float = 60) -> Iterator[str]:
    """``streamlit run streamlit_app.py`` headless on a free port; yields its URL once healthy."""
    require_browser()
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
             "--server.address", "127.0.0.1", "--server.port", str(port), "--server.fileWatcherType", "none",
             "--browser.gatherUsageStats", "false"],
            cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_seconds
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/_stcore/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.3)
        else:
            pytest.fail(f"streamlit did not answer within {startup_seconds:.0f} s")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def wait_for_session_cookie(page: object, name: str = "konsultationsradar_sitzung") -> None:
    """After "Anmelden" the page fetches the session cookie through /konto/sitzung and
    comes back (tracker.access.sessions): wait until the browser holds it and the page is back."""
    for _ in range(150):
        if any(c["name"] == name for c in page.context.cookies()):  # type: ignore[attr-defined]
            page.wait_for_load_state()  # type: ignore[attr-defined]
            return
        page.wait_for_timeout(200)  # type: ignore[attr-defined]
    pytest.fail("no session cookie after the login")
