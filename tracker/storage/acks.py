"""The outbox's acknowledgement journal: Message-IDs a receiver accepted, appended the moment
it accepted them, before the database records them.

Recording a sent message in DuckDB means opening the file first (tens of milliseconds, and
longer while another process holds the lock). A run killed in that gap would send the
message again on recovery. One append to this small file beside the database closes the
gap to a single ``write`` call; the next run (under the alerts lease, so one writer at a
time) records every Message-ID found here as sent and empties the file.
"""

from __future__ import annotations

import os
from pathlib import Path

from tracker import settings

SUFFIX = ".acks"


class AckJournal:
    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def beside(cls, db_path: Path | str | None = None) -> AckJournal:
        """The journal of this database: ``<database file>.acks``."""
        db_file = Path(db_path) if db_path is not None else settings.get().db_path
        return cls(db_file.with_name(db_file.name + SUFFIX))

    def record(self, message_id: str) -> None:
        """Append one acknowledged Message-ID; on disk when this returns (fsync)."""
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, f"{message_id}\n".encode())
            os.fsync(fd)
        finally:
            os.close(fd)

    def acknowledged(self) -> set[str]:
        """Every Message-ID recorded and not yet cleared (a torn last line is ignored)."""
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return set()
        lines = text.split("\n")
        return {line.strip() for line in lines[:-1] if line.strip()}

    def clear(self) -> None:
        """Forget what the database now holds."""
        self.path.unlink(missing_ok=True)
