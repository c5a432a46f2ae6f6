"""Turning untrusted feed text into HTML that can only ever be text and <mark> tags.

Everything from a feed is passed through ``html.escape`` first; the only markup in the
output is what this module writes itself. Evidence offsets come from the judge; if they
no longer fit the text (the item changed after judging) the term is searched instead,
and dropped if it is not there, so a stale offset never marks the wrong words.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tracker.clock import BERLIN
from tracker.judge.model import trained_at


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    topic: str
    term: str


def evidence_spans(text: str, evidence: Iterable[Mapping[str, object]], field: str) -> list[Span]:
    """The evidence of ``field`` as non-overlapping spans over ``text``, in order."""
    spans: list[Span] = []
    lowered = text.lower()
    for entry in evidence:
        if entry.get("field") != field:
            continue
        term = str(entry.get("term") or "")
        topic = str(entry.get("topic") or "")
        try:
            start, end = int(entry.get("start")), int(entry.get("end"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            start, end = -1, -1
        if not (0 <= start < end <= len(text)) or (term and text[start:end].lower() != term.lower()):
            if not term:
                continue
            found = lowered.find(term.lower())
            if found < 0:
                continue
            start, end = found, found + len(term)
        spans.append(Span(start, end, topic, text[start:end]))
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            if span.end > last.end:
                merged[-1] = Span(last.start, span.end, last.topic, text[last.start:span.end])
            continue
        merged.append(span)
    return merged


def highlight(text: str, spans: Iterable[Span], labels: Mapping[str, str] | None = None) -> str:
    """Escaped ``text`` with each span wrapped in <mark>; newlines become <br>."""
    labels = labels or {}
    out: list[str] = []
    pos = 0
    for span in spans:
        out.append(_text(text[pos:span.start]))
        title = html.escape(labels.get(span.topic, span.topic), quote=True)
        out.append(f'<mark title="{title}">{_text(text[span.start:span.end])}</mark>')
        pos = span.end
    out.append(_text(text[pos:]))
    return "".join(out).replace("\n", "<br>")


# HTML specials and every character markdown could read as syntax become numeric entities
# in a single pass, so the output can only ever be text.
_ENTITIES = {ord(c): f"&#{ord(c)};" for c in "&<>\"'\\`*_{}[]()#+-.!|~$:="}


def _text(value: str) -> str:
    return value.translate(_ENTITIES)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def escape_markdown(text: str) -> str:
    """Plain text safe inside st.markdown: no links, images, HTML or formatting from feeds."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text or "", quote=False))


def safe_url(url: str | None) -> str | None:
    """The URL if it is plain http(s), else None: feeds can carry javascript: or data: links."""
    if not url:
        return None
    cleaned = url.strip()
    if re.match(r"^https?://[^\s<>\"']+$", cleaned, flags=re.IGNORECASE):
        return cleaned
    return None


def link_markdown(label: str, url: str | None) -> str:
    """A markdown link with an escaped label, or just the label when the URL is not safe."""
    target = safe_url(url)
    if target is None:
        return escape_markdown(label)
    return f"[{escape_markdown(label)}](<{target.replace('>', '%3E')}>)"


def describe_model_version(version: str | None) -> str:
    """'rules' / 'rules+model:20261125T071156Z' as a policy officer reads it."""
    if not version:
        return "unbekannt"
    if version == "rules":
        return "nur Regeln"
    trained = trained_at(version)
    if trained is None:
        return escape_markdown(version)
    return f"Regeln + Modell vom {trained.astimezone(BERLIN):%d.%m.%Y}"
