"""A lease in the database so that two processes never run the same job at once.

Cron and a dashboard's scheduler may both try to run alerts; the second one finds the
lease held and skips. A holder that died (same host, process gone) or whose lease
expired is taken over, so a killed run does not block the next one.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tracker.storage import alerts as store
from tracker.storage import open_db
from tracker.storage.connection import transaction

DEFAULT_TTL = timedelta(minutes=30)
DONE_PREFIX = "done:"


def new_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def holder_is_dead(holder: str) -> bool:
    """True only when we can see that the holder's process no longer exists."""
    if holder.startswith(DONE_PREFIX):
        return False
    host, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    return pid != os.getpid() and not _pid_alive(pid)


def try_acquire(name: str, holder: str, *, now: datetime, ttl: timedelta = DEFAULT_TTL,
                db_path: Path | None = None, reentrant: bool = True) -> bool:
    """Take the lease unless someone alive holds it unexpired (with ``reentrant``: someone else)."""
    with open_db(db_path) as con, transaction(con):
        current = store.get_lease(con, name)
        if current is not None and (current["holder"] != holder or not reentrant):
            expired = current["expires_at"].astimezone(UTC) <= now
            if not expired and not holder_is_dead(current["holder"]):
                return False
        store.put_lease(con, name, holder, now, now + ttl)
    return True


def release(name: str, holder: str, *, db_path: Path | None = None) -> None:
    with open_db(db_path) as con:
        store.drop_lease(con, name, holder)


def keep_until(name: str, holder: str, *, acquired_at: datetime, until: datetime,
               db_path: Path | None = None) -> None:
    """Turn a finished job's lease into a claim on its time slot.

    The holder is renamed so that the process ending does not make the slot look free:
    nobody can take it before ``until``, whether the process is still alive or not.
    """
    with open_db(db_path) as con:
        store.put_lease(con, name, f"{DONE_PREFIX}{holder}", acquired_at, until)
