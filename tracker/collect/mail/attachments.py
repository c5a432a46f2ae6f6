"""A mail's attachments as text: PDF with pypdf, DOCX with python-docx.

Pure functions: bytes in, text or the reason there is none out. A broken, encrypted or
unknown attachment never raises: it is kept (archived) and named with its reason, and the
mail it came with is still read.
"""

from __future__ import annotations

import hashlib
import io
import logging
import zipfile
from dataclasses import dataclass

PDF = "pdf"
DOCX = "docx"
CALENDAR = "ics"
# Text beyond this is cut: a draft bill of 300 pages is ~1 MB of text, more than the judge
# reads (``judge.types.MAX_TEXT_CHARS``) and more than the Vorgang page should carry.
MAX_TEXT_CHARS = 400_000
_DOCX_TYPES = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",)
_CALENDAR_TYPES = ("text/calendar", "application/ics")


@dataclass(frozen=True)
class Attachment:
    """One attachment as read: what it is, how big, its text (or why none)."""

    name: str
    content_type: str
    size: int
    sha256: str
    kind: str | None  # pdf | docx | ics | None (kept, not read)
    text: str = ""
    problem: str | None = None

    def summary(self) -> dict[str, object]:
        """What the item keeps of it (``extra.mail.attachments``): no bytes, no text."""
        return {"name": self.name, "content_type": self.content_type, "size": self.size, "sha256": self.sha256,
                "kind": self.kind, "chars": len(self.text), "problem": self.problem}


def kind_of(name: str, content_type: str) -> str | None:
    """pdf, docx or ics from the content type or, as mail programs often send
    application/octet-stream, from the file name."""
    lowered_type = content_type.lower()
    lowered_name = name.lower()
    if lowered_type == "application/pdf" or lowered_name.endswith(".pdf"):
        return PDF
    if lowered_type in _DOCX_TYPES or lowered_name.endswith(".docx"):
        return DOCX
    if lowered_type in _CALENDAR_TYPES or lowered_name.endswith(".ics"):
        return CALENDAR
    return None


def read_attachment(name: str, content_type: str, data: bytes) -> Attachment:
    """The attachment with its text; a problem instead of text when it cannot be read."""
    kind = kind_of(name, content_type)
    base = {"name": name, "content_type": content_type, "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(), "kind": kind}
    if not data:
        return Attachment(**base, problem="leere Datei")
    try:
        if kind == PDF:
            text = pdf_text(data)
        elif kind == DOCX:
            text = docx_text(data)
        else:
            return Attachment(**base)
    except Exception as exc:  # any library failure is this attachment's problem, not the mail's
        return Attachment(**base, problem=f"nicht lesbar ({_reason(kind, exc)})")
    if not text.strip():
        return Attachment(**base, problem="enthält keinen Text (gescannt? dann nur als Datei im Archiv)")
    return Attachment(**base, text=text[:MAX_TEXT_CHARS])


def pdf_text(data: bytes) -> str:
    """The text of every page, pages separated by a blank line."""
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError

    # pypdf logs every recoverable flaw of a PDF as a warning; one line per page is noise here.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        try:
            reader.decrypt("")  # many "protected" drafts only forbid printing or copying
        except Exception as exc:
            raise FileNotDecryptedError("verschlüsselt") from exc
    pages = []
    for page in reader.pages:
        pages.append((page.extract_text() or "").strip())
        if sum(len(p) for p in pages) > MAX_TEXT_CHARS:
            break
    return "\n\n".join(p for p in pages if p)


def docx_text(data: bytes) -> str:
    """Paragraphs and table cells in document order."""
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs if p.text.strip()]
    for table in document.tables:
        for row in table.rows:
            cells = [c.text.strip() for c in row.cells if c.text.strip()]
            if cells:
                parts.append(" | ".join(dict.fromkeys(cells)))
    return "\n".join(parts)


def _reason(kind: str | None, exc: Exception) -> str:
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if "verschlüsselt" in message or "decrypt" in message.lower() or "password" in message.lower():
        return "verschlüsselt"
    if isinstance(exc, zipfile.BadZipFile) or (kind == DOCX and "zip" in message.lower()):
        return "keine gültige DOCX-Datei"
    return f"{type(exc).__name__}: {message}"[:200]
