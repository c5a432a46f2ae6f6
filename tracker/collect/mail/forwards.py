"""The original of a forwarded mail: sender, date, subject and text, from the block mail
programs put above an inline forward.

Recognised: Thunderbird ("-------- Weitergeleitete Nachricht --------" / "-------- Forwarded
Message --------"), Gmail ("---------- Forwarded message ---------" /
"---------- Weitergeleitete Nachricht ---------"), Apple Mail ("Anfang der weitergeleiteten
Nachricht:" / "Begin forwarded message:") and Outlook, which writes no marker line but a
block of "Von:/Gesendet:/An:/Betreff:" ("From:/Sent:/To:/Subject:"), often under a rule of
underscores or "-----Ursprüngliche Nachricht-----" (a bare block counts only when the
subject says the mail is forwarded). A letter forwarded twice carries two blocks; the
innermost one with a sender address is the ministry's and counts. Pure functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from email.utils import getaddresses, parsedate_to_datetime

from tracker.clock import BERLIN
from tracker.judge.dates import find_mentions

_MARKER = re.compile(
    r"^[ \t>]*(?:-{2,}\s*(?:Weitergeleitete Nachricht|Forwarded [Mm]essage|Original[- ][Mm]essage|"
    r"Ursprüngliche Nachricht|Originalnachricht)\s*-{2,}|"
    r"(?:Anfang der weitergeleiteten (?:Nachricht|E-Mail)|Begin forwarded message)\s*:|_{10,})[ \t]*$",
    re.MULTILINE)
_FIELD = re.compile(r"^[ \t>*]*(?P<name>Von|From|Gesendet|Sent|Datum|Date|An|To|Cc|Kopie|Betreff|Subject|"
                    r"Antwort an|Reply-To)\s*:[ \t]*(?P<value>.*)$", re.IGNORECASE)
_FIELD_NAMES = {"von": "from", "from": "from", "gesendet": "date", "sent": "date", "datum": "date", "date": "date",
                "an": "to", "to": "to", "cc": "cc", "kopie": "cc", "betreff": "subject", "subject": "subject",
                "antwort an": "reply_to", "reply-to": "reply_to"}
_TIME = re.compile(r"\b(?P<h>\d{1,2})[:.](?P<m>\d{2})(?::\d{2})?\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?")
_RFC_ZONE = re.compile(r"[+-]\d{4}\s*(?:\([A-Z]+\))?$|\b(?:GMT|UTC?)$")
_FORWARD_PREFIX = re.compile(r"^\s*(?:WG|Fwd?|FW|Weiterleitung|TR)\s*:", re.IGNORECASE)
_SUBJECT_PREFIX = re.compile(r"^\s*(?:(?:WG|AW|Fwd?|FW|Re|Antw|Weiterleitung|TR|RV)\s*(?:\[\d+\])?\s*:\s*)+",
                             re.IGNORECASE)


@dataclass(frozen=True)
class Original:
    """The forwarded mail as its header block states it."""

    sender_name: str | None
    sender_address: str | None
    sent_at: datetime | None
    subject: str | None
    body: str
    style: str  # which mail program's block it was: marker | outlook
    preamble: str = ""  # what the forwarder wrote above the (outermost) block


def is_forward_subject(subject: str) -> bool:
    return bool(_FORWARD_PREFIX.match(subject))


def clean_subject(subject: str) -> str:
    """"WG: AW: Fwd: X" → "X"."""
    return _SUBJECT_PREFIX.sub("", subject).strip()


def forwarded_original(body: str, *, subject_forwarded: bool = False) -> Original | None:
    """The innermost forwarded mail the text carries, or None when it carries none.
    ``subject_forwarded``: the subject starts with WG:/Fwd:/FW:, so an Outlook block without
    a marker line counts too."""
    found: Original | None = None
    preamble: str | None = None
    text = body
    while (original := _first_forward(text, subject_forwarded)) is not None:
        preamble = original.preamble if preamble is None else preamble
        if found is None or original.sender_address:
            found = original
        text = original.body
    return replace(found, preamble=preamble or "") if found is not None else None


def _first_forward(text: str, outlook: bool) -> Original | None:
    for match in _MARKER.finditer(text):
        block = _header_block(text, match.end())
        if block is not None:
            return _original(*block, style="marker", preamble=text[:match.start()])
    if not outlook:
        return None
    # Outlook: no marker, a header block with From/Von and Subject/Betreff anywhere.
    for match in re.finditer(r"^[ \t>*]*(?:Von|From)\s*:", text, re.MULTILINE | re.IGNORECASE):
        block = _header_block(text, match.start())
        if block is not None and "subject" in block[0]:
            return _original(*block, style="outlook", preamble=text[:match.start()])
    return None


def _header_block(text: str, start: int) -> tuple[dict[str, str], str] | None:
    """The fields of a forward's header block starting at ``start`` and the text after it;
    None when there is no sender field."""
    fields: dict[str, str] = {}
    position = start
    lines = text[start:].splitlines(keepends=True)
    seen_field = False
    for line in lines:
        stripped = line.strip(" \t\r\n>")
        match = _FIELD.match(line.rstrip("\r\n"))
        if match:
            name = _FIELD_NAMES[match.group("name").lower()]
            fields.setdefault(name, match.group("value").strip())
            seen_field = True
        elif stripped and seen_field:
            break
        elif stripped and not seen_field:
            return None  # the marker is not followed by a header block
        elif not stripped and seen_field:
            position += len(line)
            break
        position += len(line)
    if "from" not in fields:
        return None
    return fields, text[position:]


def _original(fields: dict[str, str], rest: str, style: str, preamble: str) -> Original:
    name, address = _address(fields.get("from", ""))
    subject = fields.get("subject")
    return Original(sender_name=name, sender_address=address, sent_at=parse_date(fields.get("date", "")),
                    subject=subject, body=_unquote(rest).strip(), style=style, preamble=preamble.strip())


def _address(value: str) -> tuple[str | None, str | None]:
    # Outlook writes "Name [mailto:a@b]" or "Name <a@b>", Gmail "Name <a@b>".
    value = re.sub(r"\[mailto:([^\]]+)\]", r"<\1>", value)
    pairs = getaddresses([value])
    if not pairs:
        return value or None, None
    name, address = pairs[0]
    if "@" not in address:
        found = re.search(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", value)
        address = found.group(0) if found else ""
    return (name.strip().strip('"') or None), (address.strip().lower() or None)


def _unquote(text: str) -> str:
    """A forward quoted with "> " loses the quoting."""
    lines = text.splitlines()
    if lines and all(line.startswith(">") or not line.strip() for line in lines):
        return "\n".join(line[1:].lstrip() if line.startswith(">") else line for line in lines)
    return text


def parse_date(value: str) -> datetime | None:
    """RFC 2822 ("Wed, 22 Jan 2020 19:00:00 +0100") or what mail programs write in German
    and English ("Mittwoch, 22. Januar 2020 19:00", "Mi., 22. Jan. 2020 um 19:00 Uhr",
    "Wednesday, January 22, 2020 7:00 PM"); local times are Berlin time."""
    value = value.strip()
    if not value:
        return None
    moment = None
    if _RFC_ZONE.search(value):  # parsedate also "reads" "7:00 PM" as 07:00: only RFC 2822 dates
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            moment = None
    if moment is not None:
        return moment if moment.tzinfo else moment.replace(tzinfo=BERLIN)
    days = [m for m in find_mentions(value) if m.value is not None and not m.year_inferred]
    if not days:
        return None
    day = days[0].value
    assert day is not None
    time = _TIME.search(value[days[0].end:]) or _TIME.search(value)
    hour, minute = (int(time.group("h")), int(time.group("m"))) if time else (0, 0)
    if time and time.group("ampm"):
        pm = time.group("ampm").lower().startswith("p")
        hour = hour % 12 + (12 if pm else 0)
    if not (0 <= hour < 24 and 0 <= minute < 60):
        hour = minute = 0
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)
