"""Finding taxonomy terms in text, including inside German compounds.

Terms are compiled into three trie-shaped regular expressions, so one C-level scan of an
item finds every term however long the list grows:

* ``anywhere``: single words of five letters or more, matched anywhere in the lower-cased
  lemma text, so "Wärmeplanung" is found inside "Wärmeplanungsgesetzes";
* ``word``: short words and terms written ``=word`` match whole words only; multi-word
  terms must start at a word start ("Smart Meter" in "Smart-Meter-Rollout");
* ``acronym``: "EnWG", "5G", "KI" match case-sensitively on the surface text and may be
  followed by a hyphen or a capital ("KI-Verordnung", "TKGÄndG"), never by lower case.

Overlapping hits are resolved longest first, which is how masks work: "Wasserstoff" is an
energy term, so the "wasser" inside it is never a water hit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from tracker.judge.taxonomy import Term

_ACRONYM = re.compile(r"^(?:[A-Z0-9ÄÖÜ]*[A-ZÄÖÜ][A-Z0-9ÄÖÜ]*|(?=(?:[^A-ZÄÖÜ]*[A-ZÄÖÜ]){2})[A-Za-z0-9ÄÖÜäöü]{2,10})$")
MIN_ANYWHERE = 5


@dataclass(frozen=True)
class Hit:
    """A term found at [start, end) of the lemma text (or surface text for acronyms)."""

    start: int
    end: int
    terms: tuple[Term, ...]
    surface: bool


def term_mode(text: str) -> str:
    if text.startswith("="):
        return "word"
    if " " not in text and "-" not in text and _ACRONYM.match(text) and not text.istitle():
        return "acronym"
    if " " in text or "-" in text:
        return "phrase"
    return "anywhere" if len(text) >= MIN_ANYWHERE else "word"


def _trie_pattern(entries: dict[str, str]) -> str:
    """A regex equivalent to the alternation of ``entries`` (string -> end condition)."""
    trie: dict[str, dict] = {}
    for word, end in entries.items():
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = end

    def build(node: dict) -> str:
        branches = [(r"\s+" if ch == " " else re.escape(ch)) + build(child)
                    for ch, child in sorted(node.items()) if ch != ""]
        if "" in node:
            branches.append(node[""])
        if len(branches) == 1:
            return branches[0]
        return "(?:" + "|".join(branches) + ")"

    return build(trie)


class TermMatcher:
    """All terms of a taxonomy compiled for one language's lemmatizer."""

    def __init__(self, terms: Iterable[Term], lemmatize: Callable[[str], str]) -> None:
        self.by_key: dict[tuple[str, str], list[Term]] = {}
        anywhere: dict[str, str] = {}
        word: dict[str, str] = {}
        acronym: dict[str, str] = {}
        for term in terms:
            mode = term_mode(term.text)
            raw = term.text.lstrip("=")
            if mode == "acronym":
                placed = [(acronym, raw, r"(?![a-zäöüß])", "acronym")]
            else:
                surface, lemma = _normal(raw), _normal(lemmatize(raw))
                strict = r"(?![\w])"
                if mode == "anywhere":
                    # The lemma form only as a whole word: "Daten" -> "datum" must not
                    # hit inside "Inkrafttretensdatum".
                    placed = [(anywhere, surface, "", "lemma"), (word, lemma, strict, "lemma")]
                else:
                    end = strict if mode == "word" else ""
                    placed = [(word, surface, end, "lemma"), (word, lemma, end, "lemma")]
            for target, variant, end, bucket in placed:
                if not variant:
                    continue
                terms_for = self.by_key.setdefault((bucket, variant), [])
                if term not in terms_for:
                    terms_for.append(term)
                # The same string wanted strictly and loosely keeps the looser reading.
                if target.get(variant) != "":
                    target[variant] = end
        self._anywhere = re.compile(_trie_pattern(anywhere)) if anywhere else None
        self._word = re.compile(r"(?<!\w)" + _trie_pattern(word)) if word else None
        self._acronym = (re.compile(r"(?<![\wÄÖÜäöü])" + _trie_pattern(acronym))
                         if acronym else None)

    def find(self, lemma_text: str, surface_text: str) -> list[Hit]:
        hits: list[Hit] = []
        for regex in (self._anywhere, self._word):
            if regex is None:
                continue
            for m in regex.finditer(lemma_text):
                key = _key_of(m.group(0))
                terms = self.by_key.get(("lemma", key))
                if terms:
                    hits.append(Hit(m.start(), m.end(), tuple(terms), False))
        if self._acronym is not None:
            for m in self._acronym.finditer(surface_text):
                terms = self.by_key.get(("acronym", m.group(0)))
                if terms:
                    hits.append(Hit(m.start(), m.end(), tuple(terms), True))
        return hits


def _normal(text: str) -> str:
    return " ".join(text.lower().replace("-", " ").split())


def _key_of(matched: str) -> str:
    return " ".join(matched.split())
