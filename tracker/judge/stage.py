"""Where in the law-making cycle an item stands, from cue words in title and summary.

Stages: consultation, draft, adopted, funding_call, tender, news. The first stage whose
cues appear wins, in that order of specificity: a consultation on a draft is a
consultation. Cues are lower-case literals compiled into tries (a cue starting with "="
must begin at a word start); "adopted" is read from the title only, because summaries
of drafts talk about laws that are in force.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from tracker.judge.matching import trie_pattern
from tracker.vocabulary import Stage

STAGES = Stage.codes()

_CUES: dict[Stage, tuple[str, ...]] = {
    Stage.TENDER: ("vergabebekanntmachung", "auftragsbekanntmachung", "=contract notice", "=invitation to tender",
               "=tender ", "=tender:", "=tenders ", "öffentliche ausschreibung", "ausschreibung von leistungen",
               "ausschreibung für leistungen", "ausschreibung von liefer"),
    Stage.FUNDING_CALL: ("förderaufruf", "förderrichtlinie", "förderprogramm", "förderwettbewerb", "projektaufruf",
                     "über die gewährung von zuwendungen", "richtlinie zur förderung", "zuwendungen",
                     "=call for proposals", "=funding call", "=funding opportunit", "=funding programme",
                     "=grant programme", "=grants programme", "=grant scheme"),
    Stage.CONSULTATION: ("konsultation", "anhörung", "stellungnahme", "beteiligungsverfahren", "festlegungsverfahren",
                     "consultation", "call for evidence", "have your say", "request for comment",
                     "request for information", "seeks views", "seek views", "seeks comment", "seek comment",
                     "seeks feedback", "feedback period", "feedback on", "comments must", "comments are invited",
                     "comment request"),
    Stage.DRAFT: ("entwurf", "vorschlag für", "=proposal for", "=proposed rule", "=draft ", "=draft:", "initiative",
              "eckpunkte"),
    Stage.ADOPTED: ("bundesgesetzblatt", "verkündet", "in kraft", "beschlossen", "verabschiedet", "=adopted",
                "=final rule", "amtsblatt"),
}
STAGES_BY_RANK = tuple(_CUES)
_ADOPTED_START = re.compile(
    r"^(?:(?:erste|zweite|dritte|vierte|fünfte|sechste|siebte|achte|neunte|zehnte|\d+\.)[sr]? )?"
    r"(?:gesetz|verordnung|beschluss)\b|"
    r"^(?:regulation|directive|decision|commission (?:implementing|delegated) (?:regulation|decision)) \(eu\)")
# Letters _ADOPTED_START can begin with (besides digits): its ordinals and nouns.
_ADOPTED_FIRST = frozenset("ezdvfsangbrc")


def _compile() -> tuple[list[re.Pattern[str]], dict[str, str]]:
    """Two tries over the cues of all stages (one regex per stage, or named groups,
    scan the text several times over; measured three to six times slower)."""
    stage_of: dict[str, str] = {}
    anywhere: list[str] = []
    word: list[str] = []
    for stage, cues in _CUES.items():
        for cue in cues:
            key = cue.lstrip("=")
            stage_of.setdefault(key, stage)
            (word if cue.startswith("=") else anywhere).append(key)
    return [re.compile(trie_pattern(anywhere)), re.compile(r"(?<!\w)" + trie_pattern(word))], stage_of


_PATTERNS, _STAGE_OF = _compile()
_PRIORITY = {stage: rank for rank, stage in enumerate(_CUES)}


def cue_literals() -> dict[str, tuple[str, bool]]:
    """Every stage cue as literal -> (stage, must start at a word start), for the automaton."""
    out: dict[str, tuple[str, bool]] = {}
    for stage, cues in _CUES.items():
        for cue in cues:
            out.setdefault(cue.lstrip("="), (stage, cue.startswith("=")))
    return out


def stage_from_cues(found: Iterable[tuple[str, bool]], title: str) -> str:
    """Decide from (stage, found in the title) pairs; "adopted" counts in the title only."""
    best = len(_PRIORITY)
    for stage, in_title in found:
        if stage == Stage.ADOPTED and not in_title:
            continue
        best = min(best, _PRIORITY[stage])
    if best < len(_PRIORITY):
        return STAGES_BY_RANK[best]
    # The pattern is anchored at the start: a title whose first letter cannot begin it
    # (most) needs no lower-cased copy and no search.
    first = title[:1].lower()
    if first not in _ADOPTED_FIRST and not first.isdecimal():
        return Stage.NEWS
    return Stage.ADOPTED if _ADOPTED_START.search(title.lower()) else Stage.NEWS


def classify_stage(title: str, summary: str = "") -> str:
    head = title.lower()
    text = f"{head}\n{summary.lower()}" if summary else head
    # A cue's spaces match any whitespace run ("tender  \n"): the key has single spaces.
    found = [(_STAGE_OF[_SPACES.sub(" ", m.group(0))], m.start() < len(head))
             for pattern in _PATTERNS for m in pattern.finditer(text)]
    return stage_from_cues(found, title)


_SPACES = re.compile(r"\s+")
