"""Safe network defaults: ``start.sh`` serves on 127.0.0.1 without asking any outside service,
refuses to run without login where others could connect, and the demo passwords show only
for demo data on a loopback address."""

from __future__ import annotations

import ipaddress
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from tests.conftest import IN_CI, PROJECT_ROOT
from tests.support.browser import free_port
from tracker.access import exposure
from tracker.demo import members as demo_members
from tracker.storage import open_db

APP = str(PROJECT_ROOT / "streamlit_app.py")
LOGIN_PAGE = str(PROJECT_ROOT / "app_pages" / "anmeldung.py")
START = PROJECT_ROOT / "scripts" / "start.sh"


def _listening_addresses(port: int) -> set[str]:
    """Local addresses with a socket in LISTEN state on ``port`` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.rsplit(":", 1)
            if state == "0A" and int(port_hex, 16) == port:
                raw = bytes.fromhex(address)
                if len(raw) == 4:
                    found.add(".".join(str(b) for b in raw[::-1]))
                else:  # four little-endian 32-bit words
                    words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
                    found.add(str(ipaddress.IPv6Address(words)))
    return found


def _strace() -> str | None:
    found = shutil.which("strace")
    if found is None and IN_CI:
        pytest.fail("strace missing in CI (scripts/test.sh installs it)")
    return found


@contextmanager
def _started(env: dict[str, str], log: Path, trace: Path | None) -> Iterator[tuple[subprocess.Popen, int]]:
    port = free_port()
    command = ["bash", str(START), "--server.port", str(port), "--server.fileWatcherType", "none"]
    if trace is not None:
        command = [str(_strace()), "-f", "-qq", "-e", "trace=connect,execve", "-o", str(trace), *command]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
            time.sleep(0.5)
        else:
            pytest.fail(f"start.sh did not serve within 240 s: {log.read_text(errors='replace')[-3000:]}")
        time.sleep(2)  # the start banner (and any address lookup) comes right after the server is up
        yield proc, port
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def test_start_serves_on_loopback_only_and_asks_no_outside_service(db_path: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("TRACKER_SERVER_ADDRESS", "TRACKER_AUTH")}
    env["TRACKER_DB"] = str(db_path)
    trace = tmp_path / "connect.trace" if _strace() else None
    log = tmp_path / "start.log"
    with _started(env, log, trace) as (_, port):
        assert _listening_addresses(port) == {"127.0.0.1"}
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=10)
        assert page.status_code == 200
    text = log.read_text(errors="replace")
    assert "External URL" not in text and "Network URL" not in text
    assert "Did not auto detect external IP" not in text
    assert "URL: http://localhost:" in text
    if trace is not None:
        lines = trace.read_text().splitlines()
        programs = {line.split()[0]: line.split(",")[1] for line in lines if "execve(" in line and "= 0" in line}
        outside = [f"{line} (in {programs.get(line.split()[0], 'a thread')})" for line in lines
                   if "connect(" in line and "AF_INET" in line and "127.0.0.1" not in line and '"::1"' not in line]
        assert outside == [], outside[:5]


def test_start_refuses_to_serve_without_login_to_other_machines(db_path: Path) -> None:
    env = {**os.environ, "TRACKER_DB": str(db_path), "TRACKER_AUTH": "off", "TRACKER_SERVER_ADDRESS": "0.0.0.0"}
    result = subprocess.run(["bash", str(START)], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                            timeout=300, stdin=subprocess.DEVNULL)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1].startswith("Fehler: Die Anmeldung ist aus (TRACKER_AUTH=off)")
    assert "Traceback" not in result.stderr
    assert not db_path.exists()  # refused before anything was loaded


@contextmanager
def _address(value: str | None) -> Iterator[None]:
    before = config.get_option("server.address")
    config.set_option("server.address", value)
    try:
        yield
    finally:
        config.set_option("server.address", before)


def test_the_app_refuses_to_serve_without_login_on_all_interfaces(db_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_AUTH", "off")
    with _address("0.0.0.0"):
        at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert any("TRACKER_AUTH=off" in e.value for e in at.error)
    assert not at.markdown or all("Eingang" not in m.value for m in at.markdown)
    with _address("127.0.0.1"):
        at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception and not at.error


@pytest.mark.parametrize(("address", "shown"), [("127.0.0.1", True), ("0.0.0.0", False), ("radar.verband.de", False)])
def test_demo_passwords_show_only_on_loopback(db_path: Path, monkeypatch: pytest.MonkeyPatch, address: str,
                                              shown: bool) -> None:
    monkeypatch.setenv("TRACKER_AUTH", "on")
    with open_db() as con:
        demo_members.seed_demo_members(con)
    with _address(address):
        at = AppTest.from_file(LOGIN_PAGE, default_timeout=60).run()
    assert not at.exception
    tables = "".join(t.value.to_csv() for t in at.table)
    assert ("demo-team-2026" in tables) is shown


def test_loopback_rule() -> None:
    assert all(exposure.is_loopback(a) for a in ("127.0.0.1", "127.8.9.1", "::1", "localhost"))
    assert not any(exposure.is_loopback(a) for a in (None, "", "0.0.0.0", "::", "10.0.0.5", "radar.verband.de"))
