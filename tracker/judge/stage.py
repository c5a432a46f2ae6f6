"""Where in the law-making cycle an item stands, from cue words in title and summary.

Stages: consultation, draft, adopted, funding_call, tender, news. The first stage whose
cues appear wins, in that order of specificity: a consultation on a draft is a
consultation. Cues are lower-case literals compiled into tries (a cue starting with "="
must begin at a word start); "adopted" is read from the title only, because summaries
of drafts talk about laws that are in force.
"""

from __future__ import annotations

import re

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
_ADOPTED_START = re.compile(
    r"^(?:(?:erste|zweite|dritte|vierte|fünfte|sechste|siebte|achte|neunte|zehnte|\d+\.)[sr]? )?"
    r"(?:gesetz|verordnung|beschluss)\b|"
    r"^(?:regulation|directive|decision|commission (?:implementing|delegated) (?:regulation|decision)) \(eu\)")


def _pattern(stage: Stage) -> re.Pattern[str]:
    """One stage's cues as a trie (a cue starting with "=" must begin at a word start)."""
    anywhere = [cue for cue in _CUES[stage] if not cue.startswith("=")]
    word = [cue[1:] for cue in _CUES[stage] if cue.startswith("=")]
    parts = ([trie_pattern(anywhere)] if anywhere else []) + ([r"(?<!\w)" + trie_pattern(word)] if word else [])
    return re.compile("|".join(parts))


_PATTERNS = {stage: _pattern(stage) for stage in _CUES}


def classify_stage(title: str, summary: str = "") -> str:
    """The first stage, in order of specificity, whose cues stand in title or summary
    ("adopted": in the title only); else "adopted" for titles that name a law, else news."""
    head = title.lower()
    text = f"{head}\n{summary.lower()}"
    for stage, pattern in _PATTERNS.items():
        if pattern.search(head if stage == Stage.ADOPTED else text):
            return stage
    return Stage.ADOPTED if _ADOPTED_START.search(head) else Stage.NEWS
