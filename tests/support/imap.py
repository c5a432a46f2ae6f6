"""A real IMAP server for tests: Debian's Dovecot on 127.0.0.1 with IMAPS only, a
self-signed certificate made by openssl for 127.0.0.1, a passwd-file login and a maildir in
a temporary directory.

Run as root, Dovecot's own ``dovecot`` user owns the mail; otherwise the current user does.
Tests fail, not skip, when ``CI`` is set and Dovecot or openssl is missing (scripts/test.sh
installs ``dovecot-imapd`` with the other Debian packages).
"""

from __future__ import annotations

import os
import pwd
import shutil
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from imapclient import IMAPClient

from tests.conftest import IN_CI
from tests.support.browser import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER = "radar"
PASSWORD = "geheim-fuer-tests"


def require_dovecot() -> None:
    missing = [tool for tool, path in (("dovecot", DOVECOT), ("openssl", shutil.which("openssl") or ""))
               if not path or not Path(path).exists()]
    if missing:
        if IN_CI:
            pytest.fail(f"{', '.join(missing)} missing in CI (apt-get install dovecot-imapd openssl)")
        pytest.skip(f"{', '.join(missing)} not installed")


def _config(root: Path, port: int) -> str:
    if os.geteuid() == 0:
        owner = "dovecot"
        login_users = ""
    else:
        owner = pwd.getpwuid(os.geteuid()).pw_name
        login_users = f"default_internal_user = {owner}\ndefault_login_user = {owner}\n"
    return f"""base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
{login_users}protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = yes
auth_mechanisms = plain login
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {root}/passwd
}}
userdb {{
  driver = static
  args = uid={owner} gid={owner} home={root}/home/%u
}}
first_valid_uid = 1
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
}}
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {port}
    ssl = yes
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
"""


@dataclass
class ImapServer:
    root: Path
    port: int
    config: Path

    @property
    def ca_file(self) -> Path:
        return self.root / "cert.pem"

    def url(self, folder: str = "INBOX") -> str:
        return f"imaps://127.0.0.1:{self.port}/{folder}"

    @contextmanager
    def client(self) -> Iterator[IMAPClient]:
        context = ssl.create_default_context(cafile=str(self.ca_file))
        with IMAPClient("127.0.0.1", port=self.port, ssl=True, ssl_context=context, timeout=10) as client:
            client.login(USER, PASSWORD)
            yield client

    def deliver(self, raw: bytes, folder: str = "INBOX") -> None:
        """Put a mail into a folder as a mail server would (IMAP APPEND, no flags)."""
        with self.client() as client:
            if not client.folder_exists(folder):
                client.create_folder(folder)
            client.append(folder, raw, flags=())

    def messages(self, folder: str = "INBOX") -> dict[int, tuple[bytes, ...]]:
        """UID → flags of every mail in a folder, read without changing anything."""
        with self.client() as client:
            client.select_folder(folder, readonly=True)
            uids = client.search(["ALL"])
            return {uid: tuple(flags) for uid, flags in client.get_flags(uids).items()} if uids else {}

    def env(self, source_id: str) -> dict[str, str]:
        """The settings that give the tracker this mailbox's login."""
        key = source_id.upper().replace("-", "_")
        return {f"MAILBOX_{key}_USER": USER, f"MAILBOX_{key}_PASSWORD": PASSWORD,
                f"MAILBOX_{key}_CA_FILE": str(self.ca_file)}


@contextmanager
def dovecot() -> Iterator[ImapServer]:
    """A running Dovecot on a free port of 127.0.0.1; stopped and removed afterwards."""
    require_dovecot()
    root = Path(tempfile.mkdtemp(prefix="dv"))  # short: Dovecot's sockets live below it
    root.chmod(0o755)  # Dovecot's auth process (its own user when run as root) reads the passwd file
    port = free_port()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-keyout", str(root / "key.pem"), "-out", str(root / "cert.pem"), "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    (root / "home").mkdir()
    (root / "home").chmod(0o777)
    config = root / "dovecot.conf"
    config.write_text(_config(root, port))
    # Dovecot forks into the background: its output goes to a file, not to a pipe this
    # process would wait on until the daemon ends.
    with (root / "start.log").open("wb") as out:
        started = subprocess.run([DOVECOT, "-c", str(config)], stdin=subprocess.DEVNULL, stdout=out,
                                 stderr=subprocess.STDOUT)
    if started.returncode != 0:
        message = (root / "start.log").read_text(errors="replace").strip()
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"dovecot did not start: {message}")
    server = ImapServer(root, port, config)
    try:
        _wait_until_listening(server)
        yield server
    finally:
        subprocess.run([DOVECOT, "-c", str(config), "stop"], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.2)
        shutil.rmtree(root, ignore_errors=True)


def _wait_until_listening(server: ImapServer, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with server.client():
                return
        except Exception as exc:  # not yet listening, or still starting its auth process
            last = exc
            time.sleep(0.2)
    log_file = server.root / "dovecot.log"
    log = log_file.read_text(errors="replace")[-2000:] if log_file.exists() else ""
    pytest.fail(f"dovecot did not answer on 127.0.0.1:{server.port}: {last}\n{log}")
