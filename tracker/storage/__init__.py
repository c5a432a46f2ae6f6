"""All SQL of the project lives in this package.

``connection`` opens short-lived connections and applies migrations; each other module
owns the tables of one concern. Callers outside this package never write SQL.
"""

from tracker.storage.connection import DatabaseLockedError, open_db

__all__ = ["DatabaseLockedError", "open_db"]
