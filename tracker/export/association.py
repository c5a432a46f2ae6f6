"""The association's own details (``data/association.toml``): letterhead, introduction,
Lobbyregister number, place and signatories. Users edit the file; errors name it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tracker import config_file, settings
from tracker.errors import ConfigError
from tracker.settings import DATA_DIR

DEFAULT_PATH = DATA_DIR / "association.toml"
DEFAULT_CLOSING = "Für Rückfragen und ein Gespräch stehen wir Ihnen gern zur Verfügung."


@dataclass(frozen=True)
class Signatory:
    name: str
    function: str = ""


@dataclass(frozen=True)
class Association:
    name: str
    place: str
    lobbyregister: str
    short_name: str = ""
    description: str = ""
    address: tuple[str, ...] = ()
    phone: str = ""
    email: str = ""
    web: str = ""
    eu_transparency_register: str = ""
    signatories: tuple[Signatory, ...] = field(default_factory=tuple)
    self_reference: str = ""  # how a sentence names the association: "Der Verband … e. V."
    short_reference: str = ""  # the same, short, once introduced: "Der VKDD"
    closing: str = DEFAULT_CLOSING  # the letter's last sentence before "Mit freundlichen Grüßen"

    @property
    def speaker(self) -> str:
        return self.self_reference or self.name

    @property
    def short_speaker(self) -> str:
        return self.short_reference or "Der Verband"


def association_path() -> Path:
    return settings.get().association_path


def load_association(path: Path | None = None) -> Association:
    path = path or association_path()
    data, _ = config_file.read_toml(path, "Angaben zum Verband (Briefkopf und Unterschrift)")
    missing = [k for k in ("name", "place", "lobbyregister") if not str(data.get(k) or "").strip()]
    if missing:
        raise ConfigError(f"{path}: Pflichtangabe fehlt: {', '.join(missing)}")
    address = data.get("address", [])
    if isinstance(address, str):
        address = [line.strip() for line in address.split(",")]
    try:
        signatories = tuple(Signatory(str(s["name"]), str(s.get("function", "")))
                            for s in data.get("signatories", []))
    except (KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(f"{path}: [[signatories]] braucht je einen name") from exc
    return Association(
        name=str(data["name"]), place=str(data["place"]), lobbyregister=str(data["lobbyregister"]),
        short_name=str(data.get("short_name", "")), description=str(data.get("description", "")),
        address=tuple(str(a) for a in address), phone=str(data.get("phone", "")),
        email=str(data.get("email", "")), web=str(data.get("web", "")),
        eu_transparency_register=str(data.get("eu_transparency_register", "")), signatories=signatories,
        self_reference=str(data.get("self_reference", "")), short_reference=str(data.get("short_reference", "")),
        closing=str(data.get("closing", DEFAULT_CLOSING)),
    )
