"""Wrong passwords sent in parallel cannot get past the lockout: the attempt is counted in
one statement before the password is looked at, so at most MAX_FAILURES passwords are ever
checked per lock window, and no database conflict surfaces as an error."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

from tracker.access import auth
from tracker.errors import UserError

from .conftest import PASSWORDS

PARALLEL = 40


def _try(login: str, password: str) -> str:
    try:
        auth.authenticate(login, password)
    except UserError as exc:
        return "gesperrt" if str(exc) == auth.LOCKED else "abgelehnt" if str(exc) == auth.LOGIN_FAILED else str(exc)
    except Exception as exc:  # what must never happen: a raw database error
        return f"{type(exc).__name__}: {exc}"
    return "angemeldet"


def test_forty_parallel_wrong_passwords_are_checked_at_most_five_times(world) -> None:
    start = threading.Barrier(PARALLEL)
    outcomes: list[str] = []

    def attacker(n: int) -> None:
        start.wait()
        outcomes.append(_try("anna", f"geraten-{n:02d}-xyz"))

    threads = [threading.Thread(target=attacker, args=(n,)) for n in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    counts = Counter(outcomes)
    assert set(counts) <= {"abgelehnt", "gesperrt"}, counts
    assert counts["abgelehnt"] == auth.MAX_FAILURES and counts["gesperrt"] == PARALLEL - auth.MAX_FAILURES
    assert _try("anna", PASSWORDS["anna"]) == "gesperrt"  # even the right password now waits out the lock


ATTACKER = """
import sys, threading
from tracker.access import auth
from tracker.errors import UserError
start = threading.Barrier(10)
def attempt(n):
    start.wait()
    try:
        auth.authenticate("bernd", f"geraten-{sys.argv[1]}-{n}")
    except UserError as exc:
        word = "gesperrt" if str(exc) == auth.LOCKED else "abgelehnt" if str(exc) == auth.LOGIN_FAILED else "anders"
        sys.stdout.write(word + "\\n")
threads = [threading.Thread(target=attempt, args=(n,)) for n in range(10)]
[t.start() for t in threads]
[t.join() for t in threads]
"""


def test_parallel_processes_share_one_count(world, db_path: Path) -> None:
    env = {**os.environ, "TRACKER_DB": str(db_path)}
    procs = [subprocess.Popen([sys.executable, "-c", ATTACKER, str(n)], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for n in range(4)]
    results = [proc.communicate(timeout=180) for proc in procs]
    assert all(proc.returncode == 0 for proc in procs), [err[-2000:] for _, err in results]
    assert all("Traceback" not in err for _, err in results), [err[-2000:] for _, err in results]
    counts = Counter(line for out, _ in results for line in out.split())
    assert counts == {"abgelehnt": auth.MAX_FAILURES, "gesperrt": 40 - auth.MAX_FAILURES}, counts
