"""Which federal ministry or agency sent a mail, from the domain of its address
(``data/ministries.toml``: domain → abbreviation and name; sub-domains count)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from tracker import config_file
from tracker.errors import ConfigError
from tracker.settings import DATA_DIR

MINISTRIES_PATH = DATA_DIR / "ministries.toml"


@dataclass(frozen=True)
class Ministry:
    short: str
    name: str
    domain: str  # the domain that matched
    former: str | None = None

    def label(self) -> str:
        return f"{self.name} ({self.short})"

    def to_dict(self) -> dict[str, str | None]:
        return {"short": self.short, "name": self.name, "domain": self.domain, "former": self.former}


@lru_cache(maxsize=4)
def _domains(path: Path) -> dict[str, tuple[str, str, str | None]]:
    data, _ = config_file.read_toml(path, "Ministerienliste")
    found: dict[str, tuple[str, str, str | None]] = {}
    for number, entry in enumerate(data.get("ministry", []), start=1):
        try:
            short, name, domains = entry["short"], entry["name"], entry["domains"]
        except (KeyError, TypeError):
            raise ConfigError(f"{path}: Eintrag {number}: short, name und domains erwartet") from None
        for domain in domains:
            found[str(domain).strip().lower().rstrip(".")] = (short, name, entry.get("former"))
    return found


def ministry_of(address: str | None, path: Path = MINISTRIES_PATH) -> Ministry | None:
    """The ministry whose domain (or a sub-domain of it) the address is at; None for any
    other sender."""
    if not address or "@" not in address:
        return None
    host = address.rsplit("@", 1)[1].strip().strip(">").lower().rstrip(".")
    known = _domains(path)
    labels = host.split(".")
    for start in range(len(labels) - 1):
        candidate = ".".join(labels[start:])
        if candidate in known:
            short, name, former = known[candidate]
            return Ministry(short, name, candidate, former)
    return None
