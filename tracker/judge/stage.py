"""Where in the law-making cycle an item stands, from cue words in title and summary.

Stages: consultation, draft, adopted, funding_call, tender, news. The first rule that
matches wins, in that order of specificity: a consultation on a draft is a consultation.
"""

from __future__ import annotations

import re

STAGES = ("consultation", "draft", "adopted", "funding_call", "tender", "news")

_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("tender", re.compile(
        r"vergabebekanntmachung|auftragsbekanntmachung|\bcontract notice|\binvitation to tender|"
        r"\btender\b|öffentliche ausschreibung|ausschreibung (?:von|für|zur) (?:leistungen|liefer)", re.I)),
    ("funding_call", re.compile(
        r"förderaufruf|förderrichtlinie|förderprogramm|förderwettbewerb|projektaufruf|"
        r"richtlinie (?:über die gewährung von zuwendungen|zur förderung)|zuwendungen|"
        r"call for proposals|funding (?:call|opportunit|programme)|\bgrants? (?:programme|scheme)", re.I)),
    ("consultation", re.compile(
        r"konsultation|anhörung|stellungnahme|beteiligungsverfahren|festlegungsverfahren|"
        r"consultation|call for evidence|have your say|request for (?:comment|information)|"
        r"seeks? (?:views|comment|feedback)|feedback (?:period|on)|comments? (?:must|are invited|request)", re.I)),
    ("draft", re.compile(
        r"entwurf|vorschlag für|referentenentwurf|gesetzentwurf|\bproposal for|\bproposed rule|"
        r"\bdraft\b|initiative|eckpunkte", re.I)),
    ("adopted", re.compile(
        r"^(?:(?:erste|zweite|dritte|vierte|fünfte|sechste|\w+te)[sr]? )?(?:gesetz|verordnung)\b|"
        r"bundesgesetzblatt|verkündet|in kraft|beschlossen|verabschiedet|^beschluss\b|"
        r"^(?:regulation|directive|decision|commission (?:implementing|delegated) (?:regulation|decision))"
        r" \(eu\)|\badopted\b|\bfinal rule\b|amtsblatt", re.I)),
)


def classify_stage(title: str, summary: str = "") -> str:
    text = f"{title}\n{summary}"
    for stage, pattern in _RULES:
        if pattern.search(title) or (stage != "adopted" and pattern.search(text)):
            return stage
    return "news"
