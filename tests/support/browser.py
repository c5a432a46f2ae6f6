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
