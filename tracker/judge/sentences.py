"""Sentence boundaries for evidence and deadlines, found only where they are needed.

Blank spaCy pipelines have no parser; the rule-based sentencizer splits "vom 14. Dezember"
and "Abs. 2" apart, and running it on every item costs time for nothing. This splitter
skips ordinals, dates and the abbreviations of legal German.
"""

from __future__ import annotations

import bisect
import re

_CANDIDATE = re.compile(r"[.!?](?=[\s\"”“»)]*\s+[\"„“«(]?[A-ZÄÖÜ])|\n\s*\n|\n(?=\s*[-•*])")
_ABBREVIATIONS = frozenset({
    "abs", "art", "nr", "bzw", "ca", "vgl", "dr", "st", "s", "z", "b", "zb", "u", "a", "ua", "d",
    "h", "dh", "ggf", "inkl", "gem", "lit", "bspw", "evtl", "mio", "mrd", "no", "eg", "ie", "etc",
    "mr", "ms", "prof", "vs", "fig", "sec", "para", "jan", "feb", "mar", "apr", "aug", "sep",
    "sept", "oct", "nov", "dec", "jun", "jul", "okt", "dez",
})
_WORD_BEFORE = re.compile(r"([\w.]+)$")
_WINDOW = 32


def boundaries(text: str) -> tuple[int, ...]:
    """Offsets where a new sentence starts (always including 0)."""
    global _last
    last = _last
    if last[0] is text:  # the same field again: its deadline, then its evidence
        return last[1]
    found = _boundaries(text)
    _last = (text, found)  # one assignment: a reader sees a text with its own starts
    return found


# The text last split and its sentence starts: one slot, matched by identity (it holds a
# reference, so the identity cannot be reused while it is kept).
_last: tuple[str | None, tuple[int, ...]] = (None, ())


def _boundaries(text: str) -> tuple[int, ...]:
    starts = [0]
    for match in _CANDIDATE.finditer(text):
        if match.group(0)[0] in ".!?":
            before = _word_before(text, match.start())
            word = before.group(1).lower().strip(".") if before else ""
            if word.isdigit() or word in _ABBREVIATIONS or len(word) == 1 or "." in word:
                continue
        end = match.end()
        while end < len(text) and text[end].isspace():
            end += 1
        if end < len(text):
            starts.append(end)
    return tuple(starts)


def _word_before(text: str, end: int) -> re.Match[str] | None:
    """``_WORD_BEFORE.search(text, 0, end)``, but scanning only the last few characters
    (searching from 0 read the whole text again for every candidate)."""
    start = end - _WINDOW
    if start <= 0:
        return _WORD_BEFORE.search(text, 0, end)
    found = _WORD_BEFORE.search(text, start, end)
    if found is not None and found.start() == start:
        return _WORD_BEFORE.search(text, 0, end)  # the word may begin before the window
    return found


def split(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, end exclusive, trailing space trimmed."""
    starts = boundaries(text)
    spans = []
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans


def sentence_at(text: str, offset: int, starts: tuple[int, ...] | None = None) -> str:
    """The sentence of ``text`` that contains character ``offset``."""
    if starts is None and not any(c in text for c in ".!?\n"):
        return text.strip()  # a title or a fragment: one sentence
    starts = starts if starts is not None else boundaries(text)
    index = bisect.bisect_right(starts, offset) - 1
    begin = starts[max(index, 0)]
    end = starts[index + 1] if index + 1 < len(starts) else len(text)
    return text[begin:end].strip()
