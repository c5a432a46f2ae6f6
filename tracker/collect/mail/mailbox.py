"""Reading a mailbox folder over IMAP with TLS (IMAPClient): the mails that arrived since
the last run, as one fetch result of a mailbox source.

What the tool does to the mailbox: with no ``after_read`` in feeds.toml it opens the folder
read-only (EXAMINE) and fetches with BODY.PEEK, so not even the "seen" flag changes. With
``after_read = "flag"`` or ``"move:<Ordner>"`` it sets that flag on, or moves to that
folder, only the mails whose items are already stored (UID up to the stored mark), at the
start of the next run; nothing else is ever changed, created or deleted. Credentials come
from the settings (``MAILBOX_<ID>_USER`` / ``_PASSWORD``), never from feeds.toml.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError
from imapclient.imapclient import DELETED, SocketTimeout

from tracker import settings
from tracker.collect.fetch import FetchPolicy, human_size
from tracker.collect.mail.message import HEADERS_ONLY
from tracker.models import FetchedPage, FetchResult, MailboxMark, Source
from tracker.settings import mailbox_setting_id
from tracker.vocabulary import AfterRead

IMAPS_PORT = 993
# Mails read per run: a first import of a full folder is spread over several runs.
MAILS_PER_RUN = 200
_FETCH_CHUNK = 20
MESSAGE_TYPE = "message/rfc822"


@dataclass(frozen=True)
class Folder:
    """A mailbox source's address: ``imaps://host[:port]/Ordner``."""

    host: str
    port: int
    name: str

    @classmethod
    def of(cls, url: str) -> Folder:
        parts = urlsplit(url)
        return cls(parts.hostname or "", parts.port or IMAPS_PORT, unquote(parts.path.lstrip("/")) or "INBOX")

    def mail_url(self, uidvalidity: int, uid: int) -> str:
        """The mail's IMAP URL (RFC 5092): where it was read, shown and archived under."""
        return f"imaps://{self.host}:{self.port}/{quote(self.name)};UIDVALIDITY={uidvalidity}/;UID={uid}"


def fetch_mailbox(source: Source, mark: MailboxMark | None, policy: FetchPolicy, *,
                  check_only: bool = False) -> FetchResult:
    """The mails after ``mark`` (the stored UIDVALIDITY and last UID), as one fetch result:
    the first mail as the body, the others as further pages, the new mark in ``mailbox``.
    ``check_only``: open read-only, count the folder's mails, read none, change nothing.
    Never raises for network, login or server trouble: ``error`` says what is wrong."""
    folder = Folder.of(source.url)
    result = FetchResult(source_id=source.id, url=source.url, final_url=source.url)
    credentials = settings.get().mailbox(source.id)
    setting = f"MAILBOX_{mailbox_setting_id(source.id)}"
    if not credentials.user or not credentials.password:
        result.error = (f"Zugangsdaten fehlen: {setting}_USER und {setting}_PASSWORD in der Umgebung oder in "
                        ".streamlit/secrets.toml setzen")
        return result
    started = time.monotonic()
    try:
        context = ssl.create_default_context(cafile=str(credentials.ca_file) if credentials.ca_file else None)
        with IMAPClient(folder.host, port=folder.port, ssl=True, ssl_context=context,
                        timeout=SocketTimeout(policy.connect_timeout, policy.read_timeout)) as client:
            client.login(credentials.user, credentials.password)
            _read_folder(client, source, folder, mark, policy, result, check_only=check_only)
    except LoginError:
        result.error = f"Anmeldung am Postfach abgelehnt: {setting}_USER und {setting}_PASSWORD prüfen"
    except ssl.SSLCertVerificationError as exc:
        result.error = (f"TLS-Zertifikat des Postfachs nicht vertrauenswürdig ({exc.verify_message}); bei einer "
                        f"eigenen Zertifizierungsstelle {setting}_CA_FILE setzen")
    except FileNotFoundError as exc:
        result.error = f"{setting}_CA_FILE nicht lesbar: {exc.filename}"
    except (IMAPClientError, OSError) as exc:
        result.error = _failure(exc, folder)
    result.elapsed_seconds = time.monotonic() - started
    if result.error:
        result.body, result.more_pages, result.mailbox = None, [], None
    return result


def _read_folder(client: IMAPClient, source: Source, folder: Folder, mark: MailboxMark | None,
                 policy: FetchPolicy, result: FetchResult, *, check_only: bool) -> None:
    readonly = check_only or source.after_read == AfterRead.NOTHING
    try:
        info = client.select_folder(folder.name, readonly=readonly)
    except IMAPClientError as exc:
        raise IMAPClientError(f"Ordner '{folder.name}' lässt sich nicht öffnen ({_text(exc)})") from exc
    uidvalidity = int(info[b"UIDVALIDITY"])
    if check_only:
        result.not_modified = True
        result.notes.append(f"Ordner {folder.name}: {int(info.get(b'EXISTS', 0))} E-Mail(s)")
        return
    same_folder = mark is not None and mark.uidvalidity == uidvalidity
    if mark is not None and not same_folder:
        result.notes.append("Der Server hat den Ordner neu nummeriert (UIDVALIDITY): alle E-Mails werden erneut "
                            "gelesen, bekannte bleiben je ein Eintrag")
    last = mark.last_uid if same_folder and mark is not None else 0
    if same_folder and last and not readonly:
        result.notes += _after_read(client, source, last)
    uids = sorted(uid for uid in client.search(["UID", f"{last + 1}:*"]) if uid > last)
    if len(uids) > MAILS_PER_RUN:
        result.capped, result.complete = True, False
        result.notes.append(f"{len(uids)} neue E-Mails, {MAILS_PER_RUN} gelesen; die übrigen beim nächsten Abruf")
        uids = uids[:MAILS_PER_RUN]
    result.mailbox = MailboxMark(uidvalidity, max(uids, default=last))
    if not uids:
        result.not_modified = True
        return
    pages = _fetch_mails(client, folder, uidvalidity, uids, policy.max_bytes)
    first = pages[0]
    result.body, result.url, result.final_url = first.body, first.url, first.url
    result.headers = {"content-type": first.content_type or MESSAGE_TYPE}
    result.more_pages = pages[1:]


def _fetch_mails(client: IMAPClient, folder: Folder, uidvalidity: int, uids: Sequence[int],
                 max_bytes: int) -> list[FetchedPage]:
    """Each mail whole (BODY.PEEK: the seen flag stays); one larger than the size cap only
    with its header, marked so that its entry says so."""
    sizes = {uid: int(data.get(b"RFC822.SIZE", 0)) for uid, data in client.fetch(uids, ["RFC822.SIZE"]).items()}
    pages: dict[int, FetchedPage] = {}
    whole = [uid for uid in uids if sizes.get(uid, 0) <= max_bytes]
    too_big = [uid for uid in uids if uid not in whole]
    for start in range(0, len(whole), _FETCH_CHUNK):
        for uid, data in client.fetch(whole[start:start + _FETCH_CHUNK], ["BODY.PEEK[]"]).items():
            pages[uid] = FetchedPage(folder.mail_url(uidvalidity, uid), bytes(data.get(b"BODY[]") or b""), None,
                                     MESSAGE_TYPE)
    if too_big:
        for uid, data in client.fetch(too_big, ["BODY.PEEK[HEADER]"]).items():
            pages[uid] = FetchedPage(folder.mail_url(uidvalidity, uid), bytes(data.get(b"BODY[HEADER]") or b""),
                                     None, f"{MESSAGE_TYPE}; {HEADERS_ONLY}; size={human_size(sizes[uid])}")
    # A mail deleted between SEARCH and FETCH is simply not there; the rest keep their order.
    return [pages[uid] for uid in uids if uid in pages]


def _after_read(client: IMAPClient, source: Source, up_to: int) -> list[str]:
    """Flag, or move, the mails already stored (UID ≤ ``up_to``) that are not yet; a note
    for each thing that could not be done (the mails then stay as they are)."""
    target = source.after_read_target or ""
    try:
        if source.after_read == AfterRead.FLAG:
            system = target.startswith("\\")
            unmarked = ["UN" + target[1:].upper()] if system else ["UNKEYWORD", target]
            uids = [uid for uid in client.search(["UID", f"1:{up_to}", *unmarked]) if uid <= up_to]
            if uids:
                client.add_flags(uids, [target])
        elif source.after_read == AfterRead.MOVE:
            uids = [uid for uid in client.search(["UID", f"1:{up_to}"]) if uid <= up_to]
            if uids:
                if not client.folder_exists(target):
                    return [f"Zielordner '{target}' gibt es nicht: gelesene E-Mails bleiben im Ordner "
                            "(Ordner anlegen oder after_read in feeds.toml ändern)"]
                if client.has_capability("MOVE"):
                    client.move(uids, target)
                elif client.has_capability("UIDPLUS"):
                    client.copy(uids, target)
                    client.add_flags(uids, [DELETED])
                    client.uid_expunge(uids)
                else:
                    return ["Server kann E-Mails nicht gezielt verschieben (weder MOVE noch UIDPLUS): "
                            "gelesene E-Mails bleiben im Ordner"]
    except IMAPClientError as exc:
        return [f"{AfterRead.label_of(source.after_read)} fehlgeschlagen ({_text(exc)}): E-Mails bleiben, wie sie sind"]
    return []


def _text(exc: BaseException) -> str:
    text = str(exc)
    if isinstance(exc.args[0] if exc.args else None, bytes):
        text = exc.args[0].decode(errors="replace")
    return text.strip().strip("b'\"")[:200]


def _failure(exc: BaseException, folder: Folder) -> str:
    if isinstance(exc, TimeoutError | ssl.SSLError) or "timed out" in str(exc):
        reason = "Zeitüberschreitung" if "timed out" in str(exc) or isinstance(exc, TimeoutError) else _text(exc)
        return f"Postfach {folder.host}:{folder.port} nicht erreichbar: {reason}"
    if isinstance(exc, ConnectionError | OSError) and not isinstance(exc, IMAPClientError):
        return f"Postfach {folder.host}:{folder.port} nicht erreichbar: {exc.strerror or _text(exc)}"
    return f"Postfach {folder.host}:{folder.port}: {_text(exc)}"
