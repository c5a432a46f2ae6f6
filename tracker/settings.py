"""Where things live and how settings are looked up.

Settings come from the environment first, then from ``.streamlit/secrets.toml`` (the
file Streamlit users already know), so no secret ever has to be written into the repo.
"""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_DB_PATH = DATA_DIR / "tracker.duckdb"
DEFAULT_FEEDS_PATH = PROJECT_ROOT / "feeds.toml"
SECRETS_PATH = PROJECT_ROOT / ".streamlit" / "secrets.toml"


def db_path() -> Path:
    """The DuckDB file: ``TRACKER_DB`` if set, else ``data/tracker.duckdb``."""
    return Path(os.environ.get("TRACKER_DB") or DEFAULT_DB_PATH)


def feeds_path() -> Path:
    """The source registry: ``TRACKER_FEEDS`` if set, else ``feeds.toml`` in the project."""
    return Path(os.environ.get("TRACKER_FEEDS") or DEFAULT_FEEDS_PATH)


@lru_cache(maxsize=4)
def _secrets(path: Path) -> dict[str, object]:
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        return tomllib.load(fh)


def setting(name: str, default: str | None = None, *, secrets_path: Path | None = None) -> str | None:
    """Look up ``name`` (e.g. ``SMTP_HOST``) in the environment, then in secrets.toml.

    In secrets.toml a name may stand at top level or as ``[section] key`` with the
    name's first part as the section: ``SMTP_HOST`` is found as ``[smtp] host`` too.
    """
    if name in os.environ:
        return os.environ[name]
    secrets = _secrets(secrets_path or Path(os.environ.get("TRACKER_SECRETS") or SECRETS_PATH))
    if name in secrets:
        return str(secrets[name])
    section, _, key = name.lower().partition("_")
    table = secrets.get(section)
    if key and isinstance(table, dict) and key in table:
        return str(table[key])
    return default
