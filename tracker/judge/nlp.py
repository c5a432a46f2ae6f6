"""spaCy pipelines: blank German/English plus our term-finding component ``kr_terms``.

Lemma knowledge comes from the spacy-lookups-data lookup tables, but it is applied when
the taxonomy is compiled (each term is expanded to the inflected forms the table maps to
its lemma) rather than by running the lookup lemmatizer on every token: per-token
Python work was most of the judging time, and the result is the same set of matches.
The component writes its hits, as character spans of the doc's text, to
``doc.user_data["kr_hits"]``, and the stage and deadline cues it saw in the same pass to
``doc.user_data["kr_cues"]``.
"""

from __future__ import annotations

import gzip
import itertools
import json
from collections.abc import Callable, Iterable
from functools import lru_cache
from importlib import resources

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from tracker.judge.matching import TermMatcher
from tracker.judge.taxonomy import Taxonomy

HITS = "kr_hits"
CUES = "kr_cues"
# The text a doc was made from: Doc.text rebuilds it token by token, which cost a fifth
# of all judging time.
TEXT = "kr_text"
# Its lower-cased form, when the judge made it already (for the language check).
LOWERED = "kr_lowered"
MAX_VARIANTS = 64
_MATCHERS: dict[str, TermMatcher] = {}
_keys = itertools.count()


def lemma_table(lang: str) -> dict[str, str]:
    """The spacy-lookups-data lookup table (surface form -> lemma) for ``lang``.

    Not cached: the German table holds 355,000 entries (about 100 MB as a dict); only the
    forms of the taxonomy's words are kept (``_forms``).
    """
    data = resources.files("spacy_lookups_data") / "data" / f"{lang}_lemma_lookup.json.gz"
    with data.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=8)
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


class TermComponent:
    """Runs a TermMatcher over each doc's text."""

    def __init__(self, matcher: TermMatcher) -> None:
        self.matcher = matcher

    def __call__(self, doc: Doc) -> Doc:
        data = doc.user_data
        text = data.get(TEXT)
        hits, cues = self.matcher.find(text if text is not None else doc.text, data.get(LOWERED))
        doc.user_data[HITS] = hits
        doc.user_data[CUES] = cues
        return doc


@Language.factory("kr_terms", default_config={"matcher_key": ""})
def _make_term_component(nlp: Language, name: str, matcher_key: str) -> TermComponent:
    return TermComponent(_MATCHERS[matcher_key])


def cue_literals() -> dict[str, tuple[str, bool, bool]]:
    """Stage cues (label "stage:<name>") and deadline cues (label "deadline"), "|"-joined."""
    from tracker.judge import deadlines, stage

    cues = {literal: (f"stage:{name}", word_start, False)
            for literal, (name, word_start) in stage.cue_literals().items()}
    for literal, bound in [(s, False) for s in deadlines.CUE_STEMS] + [(w, True) for w in deadlines.CUE_WORDS]:
        if literal in cues:
            # One literal, two roles ("consultation"): labels joined, the looser bounds kept.
            label, start, end = cues[literal]
            cues[literal] = (f"{label}|deadline", start and bound, end and bound)
        else:
            cues[literal] = ("deadline", bound, bound)
    return cues


def make_doc(nlp: Language, text: str, lowered: str | None = None) -> Doc:
    """Tokenise ``text`` and remember it (and ``text.lower()`` if given), for
    ``nlp.pipe`` to run the components on."""
    doc = nlp.make_doc(text)
    doc.user_data[TEXT] = text
    if lowered is not None:
        doc.user_data[LOWERED] = lowered
    return doc


def build_pipeline(lang: str, taxonomy: Taxonomy) -> Language:
    nlp = spacy.blank(lang)
    terms = taxonomy.all_terms()
    words = {w for t in terms for w in t.text.lstrip("=").replace("-", " ").split()}
    if lang == "en":
        words |= {w.lower() for w in words}
    key = f"{lang}-{taxonomy.sha}-{next(_keys)}"
    _MATCHERS[key] = TermMatcher(terms, inflector(lang, words), cue_literals())
    nlp.add_pipe("kr_terms", config={"matcher_key": key})
    return nlp
