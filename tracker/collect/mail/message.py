"""One mail (RFC 5322 bytes) as one entry: the letter as an item like any other.

Title from the subject, the letter's text as summary (the judge reads its deadline there
first), the attachments' text (PDF, DOCX) as the item's text, the original sender, date and
subject of a forwarded mail (an attached message/rfc822 or an inline forward), the sending
ministry, and each calendar invitation's hearings. A mail that cannot be read whole is
still an entry, with what could be read and why the rest could not; one that cannot be
read at all becomes an entry named so. Nothing here raises for bad input. Pure functions.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime
from urllib.parse import quote

from tracker.collect.mail.attachments import CALENDAR, Attachment, read_attachment
from tracker.collect.mail.forwards import (
    clean_subject,
    forwarded_original,
    is_forward_subject,
)
from tracker.collect.mail.invitations import Hearing, hearings_of, merged
from tracker.collect.mail.senders import ministry_of
from tracker.models import FetchedPage, ParseResult, RawEntry
from tracker.vocabulary import MailReading

# A mailbox hands over only the header of a mail larger than the size cap; its content type
# then carries this parameter, and the entry says so.
HEADERS_ONLY = "x-konsultationsradar=nur-kopfzeilen"
NO_SUBJECT = "(E-Mail ohne Betreff)"


@dataclass
class _Letter:
    """What was read of the (original) letter."""

    subject: str
    sender_name: str | None
    sender_address: str | None
    sent_at: datetime | None
    message_id: str | None
    body: str
    body_is_html: bool = False
    problems: list[str] = field(default_factory=list)


def parse_message(raw: bytes, url: str, *, headers: Mapping[str, str] | None = None,
                  language: str | None = None) -> ParseResult:
    """The mail as a ParseResult with one entry and its attachments as documents."""
    headers_only = HEADERS_ONLY in (headers or {}).get("content-type", "")
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        return _parse(message, raw, url, headers_only)
    except Exception as exc:  # the email package raises on some malformed input: keep the mail
        return ParseResult(entries=[_unreadable(raw, url, f"{type(exc).__name__}: {exc}")],
                           warnings=[f"{url}: E-Mail nicht lesbar ({type(exc).__name__})"])


def _parse(message: EmailMessage, raw: bytes, url: str, headers_only: bool) -> ParseResult:
    outer = _letter(message)
    problems = list(outer.problems)
    if headers_only:
        problems.append("zu groß: nur die Kopfzeilen wurden geladen (Größengrenze max_bytes in feeds.toml)")
    inner_message = _attached_message(message)
    forward: dict[str, object] | None = None
    letter = outer
    if inner_message is not None:
        letter = _letter(inner_message)
        problems += letter.problems
        forward = {"style": "anhang", "note": outer.body.strip()[:2000]}
    else:
        original = forwarded_original(outer.body, subject_forwarded=is_forward_subject(outer.subject))
        if original is not None:
            letter = _Letter(subject=original.subject or outer.subject, sender_name=original.sender_name,
                             sender_address=original.sender_address, sent_at=original.sent_at or outer.sent_at,
                             message_id=None, body=original.body)
            forward = {"style": "eingebettet", "note": original.preamble[:2000]}
    if forward is not None:
        forward.update({"by_name": outer.sender_name, "by_address": outer.sender_address,
                        "at": outer.sent_at.isoformat() if outer.sent_at else None,
                        "message_id": outer.message_id})

    attachments: list[Attachment] = []
    hearings: dict[str, Hearing] = {}
    documents = []
    for number, part in enumerate(_attachment_parts(message), start=1):
        data = _payload(part)
        if any(a.sha256 == hashlib.sha256(data).hexdigest() for a in attachments):
            continue  # Outlook sends an invitation twice: inline and as invite.ics
        name = part.get_filename() or _unnamed(part, number)
        attachment = read_attachment(name, part.get_content_type(), data)
        if attachment.kind == CALENDAR:
            try:
                for newer in merged(hearings, hearings_of(data)):
                    hearings[newer.uid] = newer
            except ValueError as exc:
                attachment = Attachment(**{**attachment.__dict__, "problem": str(exc)})
        attachments.append(attachment)
        documents.append(FetchedPage(f"{url}#anlage-{number}={quote(name)}", data, None, part.get_content_type()))
        if attachment.problem:
            problems.append(f"Anlage {name}: {attachment.problem}")

    ministry = ministry_of(letter.sender_address)
    title = clean_subject(letter.subject) or NO_SUBJECT
    reading = MailReading.PARTLY if problems else MailReading.READ
    texts = [a for a in attachments if a.text]
    entry = RawEntry(
        guid=_identity(letter, forward, raw),
        title=title,
        link=None,
        summary_html=letter.body if letter.body_is_html else _paragraphs(letter.body),
        content_html="".join(f"<h3>Anlage: {html.escape(a.name)}</h3>{_paragraphs(a.text)}" for a in texts),
        published=letter.sent_at,
        extra={"mail": {
            "message_id": outer.message_id, "url": url, "subject": letter.subject,
            "from_name": letter.sender_name, "from": letter.sender_address,
            "date": letter.sent_at.isoformat() if letter.sent_at else None,
            "ministry": ministry.to_dict() if ministry else None,
            "forward": forward, "reading": reading, "problems": problems,
            "attachments": [a.summary() for a in attachments],
        }, **({"hearings": [h.to_dict() for h in hearings.values()]} if hearings else {})},
        html_base=None,
    )
    warnings = [f"{title[:80]}: {problem}" for problem in problems]
    return ParseResult(entries=[entry], warnings=warnings, documents=documents)


def _letter(message: EmailMessage) -> _Letter:
    problems: list[str] = []
    subject = _header(message, "subject", problems) or ""
    sender = _header(message, "from", problems) or ""
    pairs = getaddresses([sender]) if sender else []
    name, address = pairs[0] if pairs else ("", "")
    sent_at = None
    date_text = _header(message, "date", problems)
    if date_text:
        try:
            sent_at = parsedate_to_datetime(date_text)
            sent_at = sent_at if sent_at.tzinfo else sent_at.replace(tzinfo=UTC)
        except (TypeError, ValueError, IndexError):
            problems.append(f"Datum nicht lesbar: {date_text[:60]}")
    message_id = (_header(message, "message-id", problems) or "").strip().strip("<>") or None
    body, is_html = _body(message, problems)
    return _Letter(subject=" ".join(subject.split()), sender_name=name.strip() or None,
                   sender_address=address.strip().lower() or None, sent_at=sent_at, message_id=message_id,
                   body=body, body_is_html=is_html, problems=problems)


def _header(message: EmailMessage, name: str, problems: list[str]) -> str | None:
    try:
        value = message.get(name)
    except Exception as exc:  # a malformed encoded word or address list
        problems.append(f"Kopfzeile {name} nicht lesbar ({type(exc).__name__})")
        raw = message.get_all(name, failobj=[None])  # type: ignore[arg-type]
        value = raw[0] if raw else None
    return str(value) if value is not None else None


def _body(message: EmailMessage, problems: list[str]) -> tuple[str, bool]:
    """The letter's text: the plain part, else the HTML part; ("", False) when it has none."""
    try:
        part = message.get_body(preferencelist=("plain", "html"))
    except Exception:  # noqa: BLE001 - a broken MIME structure: read what is there below
        part = None
    if part is None:
        return "", False
    return _text(part, problems), part.get_content_subtype() == "html"


def _text(part: EmailMessage, problems: list[str]) -> str:
    """The part's text with plain line ends (a mail server stores CRLF)."""
    return _decoded(part, problems).replace("\r\n", "\n")


def _decoded(part: EmailMessage, problems: list[str]) -> str:
    try:
        return str(part.get_content())
    except (LookupError, UnicodeError, ValueError, AssertionError) as exc:
        problems.append(f"Zeichensatz des Textes nicht lesbar ({type(exc).__name__}); als UTF-8 oder "
                        "Windows-1252 gelesen")
        data = bytes(part.get_payload(decode=True) or b"")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("cp1252", errors="replace")  # what German mail programs send when they mislabel


def _attached_message(message: EmailMessage) -> EmailMessage | None:
    """An attached original (message/rfc822), as mail programs forward "als Anlage"."""
    for part in message.walk():
        if part is not message and part.get_content_type() == "message/rfc822":
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            if isinstance(inner, EmailMessage):
                return inner
    return None


def _attachment_parts(message: EmailMessage) -> list[EmailMessage]:
    """Every part that is a file (named, or a PDF/DOCX/calendar), the attached original's
    too; not the letter's own text parts or containers."""
    found = []
    for part in message.walk():
        if part.is_multipart() or part.get_content_type() == "message/rfc822":
            continue
        named = part.get_filename() is not None
        if part.get_content_maintype() == "text" and part.get_content_subtype() in ("plain", "html") and not named:
            continue
        found.append(part)
    return found


def _unnamed(part: EmailMessage, number: int) -> str:
    if part.get_content_type() == "text/calendar":
        return "Kalendereinladung.ics"
    return f"Anlage {number}"


def _payload(part: EmailMessage) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001 - a broken transfer encoding leaves the part empty
        data = None
    return bytes(data) if data else b""


def _paragraphs(text: str) -> str:
    blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    return "".join("<p>" + "<br>".join(html.escape(line) for line in block.splitlines()) + "</p>"
                   for block in blocks)


def _identity(letter: _Letter, forward: Mapping[str, object] | None, raw: bytes) -> str:
    """The mail's guid: the (original's) Message-ID; an inline forward carries none, so its
    original sender, minute and subject stand in for it."""
    if letter.message_id:
        return letter.message_id
    if forward is not None and forward.get("style") == "eingebettet":
        minute = letter.sent_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M") if letter.sent_at else ""
        key = "\x1f".join((letter.sender_address or "", minute, clean_subject(letter.subject).casefold()))
        return "weitergeleitet:" + hashlib.sha256(key.encode()).hexdigest()[:32]
    return "ohne-message-id:" + hashlib.sha256(raw).hexdigest()[:32]


def _unreadable(raw: bytes, url: str, reason: str) -> RawEntry:
    return RawEntry(
        guid="unlesbar:" + hashlib.sha256(raw).hexdigest()[:32],
        title="Nicht lesbare E-Mail",
        link=None,
        summary_html=f"<p>Diese E-Mail konnte nicht gelesen werden ({html.escape(reason[:300])}). "
                     "Sie ist unverändert im Rohdatenarchiv gespeichert.</p>",
        extra={"mail": {"url": url, "reading": MailReading.UNREADABLE, "problems": [reason[:300]],
                        "attachments": [], "forward": None, "ministry": None}},
    )
