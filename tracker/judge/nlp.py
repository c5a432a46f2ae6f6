"""spaCy pipelines: blank German/English, lookup lemmas, and our term-finding component.

Loaded once per process per taxonomy (``pipelines``); the component ``kr_terms`` writes the
matches of each doc, already mapped to character spans of the original text, to
``doc.user_data["kr_hits"]`` as (start, end, terms) tuples.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from tracker.judge.matching import Hit, TermMatcher
from tracker.judge.taxonomy import Taxonomy, Term

HITS = "kr_hits"
_MATCHERS: dict[str, TermMatcher] = {}
_keys = itertools.count()

Span = tuple[int, int, tuple[Term, ...]]


def lemma_text(doc: Doc, fallback: Callable[[str], str | None] | None = None) -> tuple[str, list[int], list[bool]]:
    """Lower-cased lemmas joined with the doc's own whitespace, hyphens as spaces.

    Returns the text, each token's start in it, and whether each token's lemma has the
    same length as its surface form (then offsets inside the token map one to one).
    """
    parts: list[str] = []
    starts: list[int] = []
    same: list[bool] = []
    pos = 0
    for tok in doc:
        text = tok.text
        lemma = tok.lemma_ or text
        if fallback is not None and lemma == text and text[:1].isupper():
            lemma = fallback(tok.lower_) or lemma
        lemma = lemma.lower().replace("-", " ")
        starts.append(pos)
        same.append(len(lemma) == len(text))
        parts.append(lemma)
        parts.append(tok.whitespace_)
        pos += len(lemma) + len(tok.whitespace_)
    return "".join(parts), starts, same


def _to_surface(doc: Doc, hit: Hit, starts: list[int], same: list[bool]) -> tuple[int, int]:
    first = bisect.bisect_right(starts, hit.start) - 1
    last = bisect.bisect_right(starts, hit.end - 1) - 1
    tok_first, tok_last = doc[first], doc[last]
    begin = tok_first.idx + (hit.start - starts[first]) if same[first] else tok_first.idx
    end = (tok_last.idx + (hit.end - starts[last]) if same[last]
           else tok_last.idx + len(tok_last.text))
    return begin, end


def resolve(spans: list[Span]) -> list[Span]:
    """Keep the longest of overlapping matches (earliest first on ties)."""
    kept: list[Span] = []
    taken: list[tuple[int, int]] = []
    for span in sorted(spans, key=lambda s: (s[0] - s[1], s[0])):
        if all(span[1] <= a or span[0] >= b for a, b in taken):
            kept.append(span)
            taken.append((span[0], span[1]))
    return sorted(kept, key=lambda s: s[0])


class TermComponent:
    """Runs a TermMatcher over each doc and stores surface spans."""

    def __init__(self, matcher: TermMatcher, fallback: Callable[[str], str | None] | None) -> None:
        self.matcher = matcher
        self.fallback = fallback

    def __call__(self, doc: Doc) -> Doc:
        text, starts, same = lemma_text(doc, self.fallback)
        spans: list[Span] = []
        for hit in self.matcher.find(text, doc.text):
            if hit.surface:
                spans.append((hit.start, hit.end, hit.terms))
            else:
                begin, end = _to_surface(doc, hit, starts, same)
                spans.append((begin, end, hit.terms))
        doc.user_data[HITS] = resolve(spans)
        return doc


@Language.factory("kr_terms", default_config={"matcher_key": ""})
def _make_term_component(nlp: Language, name: str, matcher_key: str) -> TermComponent:
    return TermComponent(_MATCHERS[matcher_key], _fallback_for(nlp))


def _fallback_for(nlp: Language) -> Callable[[str], str | None] | None:
    # German nouns are capitalised and "wärme" looked up lower-case is the verb "wärmen";
    # English words are capitalised only at the start of titles, where the lower-case
    # lookup is right.
    if nlp.lang != "en":
        return None
    table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
    return lambda word: table.get(word)


def blank_pipeline(lang: str) -> Language:
    """Blank tokenizer plus the lookup lemmatizer from spacy-lookups-data."""
    nlp = spacy.blank(lang)
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


def build_pipeline(lang: str, taxonomy: Taxonomy) -> Language:
    nlp = blank_pipeline(lang)
    fallback = _fallback_for(nlp)

    def lemmatize(phrase: str) -> str:
        return lemma_text(nlp(phrase), fallback)[0]

    key = f"{lang}-{taxonomy.sha}-{next(_keys)}"
    _MATCHERS[key] = TermMatcher(taxonomy.all_terms(), lemmatize)
    nlp.add_pipe("kr_terms", config={"matcher_key": key})
    return nlp
