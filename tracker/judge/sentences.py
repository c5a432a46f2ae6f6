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
_WINDOW = 40  # the word before a full stop: longer ones are no abbreviation anyway


def boundaries(text: str) -> tuple[int, ...]:
    """Offsets where a new sentence starts (always including 0)."""
    starts = [0]
    for match in _CANDIDATE.finditer(text):
        if match.group(0)[0] in ".!?":
            before = _WORD_BEFORE.search(text, max(0, match.start() - _WINDOW), match.start())
            word = before.group(1).lower().strip(".") if before else ""
            if word.isdigit() or word in _ABBREVIATIONS or len(word) == 1 or "." in word:
                continue
        end = match.end()
        while end < len(text) and text[end].isspace():
            end += 1
        if end < len(text):
            starts.append(end)
    return tuple(starts)


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
    """The sentence of ``text`` that contains character ``offset`` (``starts``: its
    ``boundaries`` when the caller has them)."""
    starts = starts if starts is not None else boundaries(text)
    index = bisect.bisect_right(starts, offset) - 1
    begin = starts[max(index, 0)]
    end = starts[index + 1] if index + 1 < len(starts) else len(text)
    return text[begin:end].strip()
