"""Everything a sent statement contains, gathered once and rendered by ``docx`` and
``markdown``: letterhead, addressee, subject, reference, deadline, body, co-signing
members, signatories, date and place. Also a small Markdown block reader, because
the draft is Markdown and the DOCX needs real headings, lists and bold runs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from tracker.export.association import Association

MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
          "November", "Dezember")
_INLINE = re.compile(r"(\*\*.+?\*\*|__.+?__|\*[^*\s][^*]*?\*|_[^_\s][^_]*?_)")


def german_date(day: date) -> str:
    return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class Letter:
    association: Association
    addressee: tuple[str, ...]
    consultation_title: str
    reference: str
    deadline: date | None
    letter_date: date
    body_md: str                      # without source comments
    cosigners: tuple[str, ...]        # full names of co-signing members (only when the team names members)
    version: int                      # for the file name only: the letter carries no internal data
    salutation: str = "Sehr geehrte Damen und Herren,"
    closing: str = ""                 # the sentence before "Mit freundlichen Grüßen"

    @property
    def subject(self) -> str:
        return f"Gemeinsame Stellungnahme: {self.consultation_title}"

    @property
    def place_and_date(self) -> str:
        return f"{self.association.place}, {german_date(self.letter_date)}"

    @property
    def sender_line(self) -> str:
        return " · ".join([self.association.name, *self.association.address])

    @property
    def register_line(self) -> str:
        line = f"Lobbyregister-Nr. {self.association.lobbyregister}"
        if self.association.eu_transparency_register:
            line += f" · EU-Transparenzregister {self.association.eu_transparency_register}"
        return line

    @property
    def contact_line(self) -> str:
        a = self.association
        return " · ".join(x for x in (a.phone and f"Tel. {a.phone}", a.email, a.web) if x)

    @property
    def deadline_text(self) -> str:
        return german_date(self.deadline) if self.deadline else ""

    @property
    def cosigners_heading(self) -> str:
        return "Mitzeichnende Mitgliedsorganisationen" if self.cosigners else ""


@dataclass(frozen=True)
class Block:
    kind: str      # heading, paragraph, bullet, quote
    text: str
    level: int = 0


def read_blocks(markdown: str) -> list[Block]:
    """Headings (#..######), bullet items (-, *), quotes (>) and paragraphs."""
    blocks: list[Block] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(Block("paragraph", " ".join(paragraph)))
            paragraph.clear()

    quote_open = False  # consecutive "> " lines form one quote
    for raw in markdown.splitlines():
        line = raw.strip()
        heading = re.match(r"^(#{1,6})\s+(.*)$", line)
        if line.startswith(">"):
            flush()
            text = line.lstrip(">").strip()
            if quote_open and text:
                text = f"{blocks.pop().text} {text}"
            if text:
                blocks.append(Block("quote", text))
            quote_open = bool(text)
            continue
        quote_open = False
        if not line:
            flush()
        elif heading:
            flush()
            blocks.append(Block("heading", heading[2].strip(), len(heading[1])))
        elif re.match(r"^[-*+]\s+", line):
            flush()
            blocks.append(Block("bullet", re.sub(r"^[-*+]\s+", "", line)))
        else:
            paragraph.append(line)
    flush()
    return blocks


def inline_runs(text: str) -> list[tuple[str, bool, bool]]:
    """(text, bold, italic) runs for **bold**, __bold__, *italic* and _italic_."""
    runs = []
    for part in _INLINE.split(text):
        if not part:
            continue
        if (part.startswith("**") and part.endswith("**")) or (part.startswith("__") and part.endswith("__")):
            runs.append((part[2:-2], True, False))
        elif len(part) > 2 and part[0] == part[-1] and part[0] in "*_":
            runs.append((part[1:-1], False, True))
        else:
            runs.append((part, False, False))
    return runs


def plain(text: str) -> str:
    return "".join(t for t, _, _ in inline_runs(text))
