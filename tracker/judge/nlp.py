"""spaCy for the judge: blank German/English tokenizers and the lemma tables.

Lemma knowledge comes from the spacy-lookups-data lookup tables, but it is applied when
the taxonomy is compiled (each term is expanded to the inflected forms the table maps to
its lemma, ``build_matcher``) rather than by lemmatising every token: the same matches,
found by one automaton pass over the text.
"""

from __future__ import annotations

import gzip
import itertools
import json
from collections.abc import Callable, Iterable
from functools import lru_cache
from importlib import resources

import spacy
from spacy.tokenizer import Tokenizer

from tracker.judge.matching import TermMatcher
from tracker.judge.taxonomy import Taxonomy

MAX_VARIANTS = 64


def lemma_table(lang: str) -> dict[str, str]:
    """The spacy-lookups-data lookup table (surface form -> lemma) for ``lang``.

    Not cached: the German table holds 355,000 entries (about 100 MB as a dict); only the
    forms of the taxonomy's words are kept (``_forms``).
    """
    data = resources.files("spacy_lookups_data") / "data" / f"{lang}_lemma_lookup.json.gz"
    with data.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=4)  # building a judge twice (tests, a changed topics.toml) reads the table once
def _forms(lang: str, words: frozenset[str]) -> dict[str, frozenset[str]]:
    """Each of ``words`` -> every form the table maps to its lemma (the word included)."""
    table = lemma_table(lang)
    # A German word written inflected reaches its lemma's forms only when the lemma is its
    # stem ("saubere" -> "sauber", "Netze" -> "Netz"), never another word ("Daten" -> "Datum").
    lemma_of = {w: table.get(w, w) for w in words}
    # English "-ing" nouns are not forms of their verbs ("funding" is not "funds"): there,
    # only words that are their own lemma are expanded.
    lemma_of = {w: lemma for w, lemma in lemma_of.items()
                if lemma == w or (lang != "en" and w.lower().startswith(lemma.lower()))}
    by_lemma: dict[str, set[str]] = {}
    for word, lemma in lemma_of.items():
        by_lemma.setdefault(lemma, set()).add(word)
    found: dict[str, set[str]] = {lemma: {lemma} for lemma in by_lemma}
    for form, lemma in table.items():
        if lemma in found:
            found[lemma].add(form)
    return {word: frozenset(found[lemma] | {word}) for word, lemma in lemma_of.items()}


def inflector(lang: str, words: Iterable[str]) -> Callable[[str], set[str]]:
    """Expand a phrase to the forms of its words, using the lookup table backwards.

    A word is expanded through its lemma only when the lemma is its stem ("Stadt",
    "meter", "saubere" -> "sauber"); "Daten", whose lemma is "Datum", stays as written,
    so a term never reaches a different sense through the table.
    """
    forms = _forms(lang, frozenset(words))
    lower_first = lang == "en"

    def expand(phrase: str) -> set[str]:
        options = []
        for word in phrase.replace("-", " ").split():
            variants = forms.get(word, frozenset({word}))
            if lower_first and word.lower() in forms:
                variants = variants | forms[word.lower()]
            options.append(sorted(variants))
        return {" ".join(combo) for combo in itertools.islice(itertools.product(*options), MAX_VARIANTS)}

    return expand


def build_matcher(lang: str, taxonomy: Taxonomy) -> TermMatcher:
    """The taxonomy's terms, each expanded to its inflected forms in ``lang``."""
    terms = taxonomy.all_terms()
    words = {w for t in terms for w in t.text.lstrip("=").replace("-", " ").split()}
    if lang == "en":
        words |= {w.lower() for w in words}
    return TermMatcher(terms, inflector(lang, words))


def tokenizer(lang: str) -> Tokenizer:
    """spaCy's tokenizer for ``lang`` (blank pipeline): the words the relevance model reads."""
    return spacy.blank(lang).tokenizer
