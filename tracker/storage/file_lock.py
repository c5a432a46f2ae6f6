"""One process at a time on the database file, until its DuckDB instance is fully closed.

DuckDB locks the file for one read-write process, but on closing it gives that lock up
before it has finished with its write-ahead log: a process that opens the file in that
moment fails with "the WAL checkpoint iteration does not match the database file", or
reads the file without the last commits of the other process (a login-failure count
went from 5 back to 2 in `tests/work/test_login_race.py`; DuckDB 2.0.1). So every
process first takes an exclusive lock on a file beside the database (``<db>.lock``,
``flock``) and keeps it while any connection of its own is open: threads of one process
share it, and the next process gets it only after the last connection here has closed.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from pathlib import Path

_guard = threading.Lock()
_held: dict[str, tuple[int, int]] = {}  # lock file -> (descriptor, connections open)


class LockTimeout(Exception):
    """Another process kept the database longer than ``deadline`` allowed."""


def lock_path(db_file: Path) -> Path:
    """The lock file beside the database; one name however the path was written (a second
    descriptor on the same file in this process would wait for its own lock)."""
    resolved = db_file.resolve()
    return resolved.with_name(resolved.name + ".lock")


def acquire(db_file: Path, deadline: float) -> None:
    """Count one more open connection of this process; the first waits for the file lock
    until ``deadline`` (``time.monotonic()``), then raises LockTimeout."""
    key = str(lock_path(db_file))
    with _guard:
        if key in _held:
            descriptor, count = _held[key]
            _held[key] = (descriptor, count + 1)
            return
        descriptor = os.open(key, os.O_RDWR | os.O_CREAT, 0o600)
        delay = 0.01
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(descriptor)
                    raise LockTimeout(key) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.2)
        _held[key] = (descriptor, 1)


def release(db_file: Path) -> None:
    """One connection of this process closed; the last one gives the file lock up."""
    key = str(lock_path(db_file))
    with _guard:
        descriptor, count = _held[key]
        if count > 1:
            _held[key] = (descriptor, count - 1)
            return
        del _held[key]
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        os.close(descriptor)
