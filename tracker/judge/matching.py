"""Finding taxonomy terms in text, including inside German compounds.

Lemmas are handled when the taxonomy is compiled, not per token at run time: each term
word that is its own lemma is expanded to every form the spacy-lookups-data table maps
to that lemma ("Stadt" -> "Städte", "meter" -> "meters"). All variants go into
Aho-Corasick automata, so one pass over an item's text finds every term however long
the list grows. How a term may match depends on how it is written:

* ``anywhere``: single words of five letters or more, matched anywhere in the lower-cased
  text, so "Wärmeplanung" is found inside "Wärmeplanungsgesetzes";
* ``word``: short words and terms written ``=word`` match whole words only; multi-word
  terms must start at a word start ("Smart Meter" in "Smart-Meter-Rollout");
* ``acronym``: "EnWG", "5G", "KI" match case-sensitively on the surface text and may be
  followed by a hyphen or a capital ("KI-Verordnung", "TKGÄndG"), never by lower case.

Overlapping hits are resolved longest first, which is how masks work: "Wasserstoff" is an
energy term, so the "wasser" inside it is never a water hit. ``trie_pattern`` builds the
regular expressions of the stage cues.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import ahocorasick_rs

from tracker.judge.taxonomy import Term

Span = tuple[int, int, tuple[Term, ...]]

_ACRONYM = re.compile(r"^(?:[A-Z0-9ÄÖÜ]*[A-ZÄÖÜ][A-Z0-9ÄÖÜ]*|(?=(?:[^A-ZÄÖÜ]*[A-ZÄÖÜ]){2})[A-Za-z0-9ÄÖÜäöü]{2,10})$")
MIN_ANYWHERE = 5
_DFA = ahocorasick_rs.Implementation.DFA


def term_mode(text: str) -> str:
    if text.startswith("="):
        return "word"
    if " " not in text and "-" not in text and _ACRONYM.match(text) and not text.istitle():
        return "acronym"
    if " " in text or "-" in text:
        return "phrase"
    return "anywhere" if len(text) >= MIN_ANYWHERE else "word"


def trie_pattern(words: Iterable[str]) -> str:
    """A regex equal to the alternation of ``words``, shaped as a trie so that the regex
    engine follows one branch per character instead of trying every word in turn."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = ""

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
    """All terms of a taxonomy compiled for one language's inflection table.

    Two Aho-Corasick automata (ahocorasick-rs, in Rust) find every occurrence of every
    variant in one pass: one over the lower-cased text for words and phrases, one over
    the original text for acronyms. Word-boundary rules are checked on the few hits.
    """

    def __init__(self, terms: Iterable[Term], inflect: Callable[[str], set[str]]) -> None:
        # variant -> (terms, must start at a word start, must end at a word end)
        lemma: dict[str, tuple[list[Term], bool, bool]] = {}
        acronym: dict[str, list[Term]] = {}
        for term in terms:
            mode = term_mode(term.text)
            raw = term.text.lstrip("=")
            if mode == "acronym":
                acronym.setdefault(raw, [])
                if term not in acronym[raw]:
                    acronym[raw].append(term)
                continue
            surface = _normal(raw)
            forms = {_normal(form) for form in inflect(raw)} - {surface}
            if mode == "anywhere":
                # Other forms anywhere only when long: "Netz" must not reach inside
                # "Netzwerk" by way of a short form.
                placed = [(surface, False, False)]
                placed += [(f, False, False) if len(f) >= MIN_ANYWHERE else (f, True, True) for f in forms]
            else:
                placed = [(f, True, mode == "word") for f in (surface, *forms)]
            for variant, start_bound, end_bound in placed:
                if not variant:
                    continue
                known = lemma.get(variant)
                if known is None:
                    lemma[variant] = ([term], start_bound, end_bound)
                else:
                    # The same string wanted strictly and loosely keeps the looser reading.
                    if term not in known[0]:
                        known[0].append(term)
                    lemma[variant] = (known[0], known[1] and start_bound, known[2] and end_bound)
        self._lemma_meta = [(tuple(v[0]), v[1], v[2]) for v in lemma.values()]
        # A DFA: more memory for a few thousand patterns, a third less time per search.
        self._lemma = ahocorasick_rs.AhoCorasick(list(lemma), implementation=_DFA) if lemma else None
        self._acronym_meta = [tuple(v) for v in acronym.values()]
        self._acronym = ahocorasick_rs.AhoCorasick(list(acronym), implementation=_DFA) if acronym else None

    def find(self, text: str) -> list[Span]:
        """Term hits as (start, end, terms), character offsets into ``text``, overlaps
        resolved longest first."""
        hits: list[Span] = []
        if self._lemma is not None:
            lowered = _lower_same_length(text)
            size = len(lowered)
            meta = self._lemma_meta
            for index, start, end in self._lemma.find_matches_as_indexes(lowered, overlapping=True):
                terms, start_bound, end_bound = meta[index]
                if start_bound and start > 0 and lowered[start - 1].isalnum():
                    continue
                if end_bound and end < size and lowered[end].isalnum():
                    continue
                hits.append((start, end, terms))
        if self._acronym is not None:
            size = len(text)
            meta = self._acronym_meta
            for index, start, end in self._acronym.find_matches_as_indexes(text, overlapping=True):
                if start > 0 and text[start - 1].isalnum():
                    continue
                if end < size and text[end].islower():
                    continue
                hits.append((start, end, meta[index]))
        return resolve(hits)


def resolve(hits: list[Span]) -> list[Span]:
    """Keep the longest of overlapping hits (earliest first on ties), in text order."""
    kept: list[Span] = []
    for hit in sorted(hits, key=lambda h: (h[0] - h[1], h[0])):
        start, end = hit[0], hit[1]
        for k in kept:
            if end > k[0] and start < k[1]:
                break
        else:
            kept.append(hit)
    return sorted(kept, key=lambda h: h[0])


_AS_SPACE = str.maketrans(dict.fromkeys("-\n\t\r\u00a0\u2011", " "))


def _lower_same_length(text: str) -> str:
    """Lower case with hyphens and line breaks as spaces, every character at its offset."""
    lowered = text.lower()
    if len(lowered) != len(text):  # "İ" and friends grow when lowered
        lowered = "".join(c.lower()[:1] for c in text)
    return lowered.translate(_AS_SPACE)


def _normal(text: str) -> str:
    return " ".join(text.lower().replace("-", " ").split())
