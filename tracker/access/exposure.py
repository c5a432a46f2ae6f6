"""Who can reach the dashboard: the address it listens on, and what that allows.

The dashboard listens on 127.0.0.1 unless ``TRACKER_SERVER_ADDRESS`` says otherwise. With
the login off (``TRACKER_AUTH=off``) everyone who reaches the port acts as administrator,
so that is allowed only on a loopback address; and the demo passwords are listed on the
login page only where nobody else can read them: demo data loaded, loopback address.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from tracker import settings
from tracker.errors import ConfigError

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


def is_loopback(address: str | None) -> bool:
    """True when only this machine can connect: 127.0.0.0/8, ::1 or localhost.

    No address at all (Streamlit's default) or a wildcard means every interface."""
    if not address:
        return False
    if address.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: reachable by whoever can resolve it


def check_exposure(address: str | None, *, auth_enabled: bool) -> None:
    """Refuse to serve without login on an address others can reach."""
    if not auth_enabled and not is_loopback(address):
        shown = address or "alle Netzwerkschnittstellen"
        raise ConfigError(
            f"Die Anmeldung ist aus (TRACKER_AUTH=off), das Dashboard wäre aber unter {shown} auch von anderen "
            "Rechnern erreichbar – jeder dort wäre Administrator. Entweder TRACKER_SERVER_ADDRESS=127.0.0.1 "
            "oder die Anmeldung einschalten.")


def demo_logins_visible(address: str | None, *, demo_present: bool) -> bool:
    """The login page lists the demo passwords only for demo data on a loopback address."""
    return demo_present and is_loopback(address)


def streamlit_options() -> list[str]:
    """The options ``scripts/start.sh`` gives ``streamlit run``, after the check above.

    ``browser.serverAddress`` is where users open the dashboard (``TRACKER_BASE_URL``):
    with it set, Streamlit prints that address at start instead of asking an outside
    service for this machine's external IP."""
    current = settings.get()
    check_exposure(current.server_address, auth_enabled=current.auth_enabled)
    browser_host = urlsplit(current.base_url).hostname or "localhost"
    return ["--server.address", current.server_address, "--browser.serverAddress", browser_host]
