"""The classify output line is written by hand for speed: it must be json.dumps of the record."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

from tracker.judge import Judge, JudgeInput
from tracker.judge.classify import judgement_json, judgement_record
from tracker.judge.types import Evidence, Judgement

AWKWARD = 'Zitat "Wärme" \\ Pfad\tTab\nZeile \u2028 \x07 € 😀 </script>'


def _same(judgement: Judgement) -> None:
    assert judgement_json(judgement) == json.dumps(judgement_record(judgement), ensure_ascii=False)


def test_hand_written_line_matches_json_dumps_for_judged_items(rules_judge: Judge) -> None:
    items = [
        JudgeInput(id="1", title="Konsultation zur kommunalen Wärmeplanung und Smart Meter",
                   summary="Stellungnahmen bis zum 15.03.2026 an die Bundesnetzagentur. Kommunen sind betroffen.",
                   jurisdiction="de"),
        JudgeInput(id="2", title="Call for evidence: EU Data Act", summary="Feedback period closes on 5 May 2026.",
                   jurisdiction="eu"),
        JudgeInput(id="3", title=AWKWARD, summary=AWKWARD + " Wasserstoff, Glasfaser, KI-Verordnung."),
        JudgeInput(id="4", title="Consultation publique sur les réseaux de chaleur", language="fr"),
        JudgeInput(id="5", title="Förderaufruf Ladeinfrastruktur", deadline=date(2026, 3, 1),
                   deadline_text=AWKWARD, jurisdiction="us"),
        JudgeInput(id="6", title="Nichts"),
    ]
    for judgement in rules_judge.judge_many(items):
        _same(judgement)


def test_hand_written_line_matches_json_dumps_for_every_field_shape() -> None:
    evidence = [Evidence(term=AWKWARD, topic="energy", field="summary", start=0, end=12, sentence=AWKWARD,
                         weight=0.1 + 0.2)]
    for deadline, text, confidence in ((None, None, None), (date(2026, 1, 31), AWKWARD, 0.85)):
        _same(Judgement(id=AWKWARD, relevant=True, score=1e-05, topics=["energy", AWKWARD],
                        topic_scores={"energy": 0.9999, AWKWARD: 0.0}, evidence=evidence, stage="news",
                        language=None, language_supported=False, in_remit=False, deadline=deadline,
                        deadline_text=text, deadline_confidence=confidence, deadline_origin=text,
                        model_version="rules+model:x", model_score=0.5))
    _same(Judgement(id="", relevant=False, score=0.0, topics=[], topic_scores={}, evidence=[], stage="",
                    language="de", language_supported=True, in_remit=True, deadline=None, deadline_text=None,
                    deadline_confidence=None, deadline_origin=None, model_version="rules"))


def test_hand_written_line_matches_json_dumps_on_the_dev_set(rules_judge: Judge, relevance_dev: Path) -> None:
    with relevance_dev.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    items = [JudgeInput(id=r["id"], title=r["title"], summary=r["summary"] or "", jurisdiction=r["jurisdiction"])
             for r in rows]
    for judgement in rules_judge.judge_many(items):
        _same(judgement)


def test_remembered_float_texts_match_json_dumps_for_signed_zeros_and_repeats() -> None:
    for score in (0.0, -0.0, 0.0, 0.1234, 0.1234, -0.0, 1.0, 1e-05):
        _same(Judgement(id="z", relevant=False, score=score, topics=[], topic_scores={"energy": score, "ai": -score},
                        evidence=[], stage="news", language="de", language_supported=True, in_remit=True,
                        deadline=None, deadline_text=None, deadline_confidence=score, deadline_origin=None,
                        model_version="rules"))
