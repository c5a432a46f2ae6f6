"""Term matching: compounds, hyphens, lemmas, acronyms, exclusions, masks, evidence spans."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.judge import Judge, JudgeInput
from tracker.judge.taxonomy import load_taxonomy


def _judge(judge: Judge, title: str, summary: str = "", jurisdiction: str | None = "de",
           language: str | None = None):
    return judge.judge(JudgeInput(id="t", title=title, summary=summary, jurisdiction=jurisdiction,
                                  language=language))


def _spans(judgement, text_by_field):
    return {(e.term, text_by_field[e.field][e.start:e.end]) for e in judgement.evidence}


def test_term_inside_german_compound_points_at_the_part(rules_judge: Judge) -> None:
    title = "Entwurf eines Wärmeplanungsgesetzes"
    j = _judge(rules_judge, title)
    assert j.relevant and "energy" in j.topics
    hit = next(e for e in j.evidence if e.term == "Wärmeplanung")
    assert (hit.field, title[hit.start:hit.end]) == ("title", "Wärmeplanung")
    assert hit.sentence == title


def test_the_verb_laden_of_an_invitation_is_no_charging(rules_judge: Judge) -> None:
    """Ministries invite with "laden wir Sie ein"; only charging phrases count for mobility."""
    invitation = _judge(rules_judge, "Anhörung der Verbände", "Hierzu laden wir Sie herzlich ein.")
    assert not invitation.evidence and invitation.score == 0.0
    title = "Bidirektionales Laden als Technologie für die Energiewende"
    charging = _judge(rules_judge, title)
    assert ("bidirektionales Laden", "Bidirektionales Laden") in _spans(charging, {"title": title})
    assert "mobility" in charging.topic_scores


def test_multiword_term_inside_hyphenated_compound(rules_judge: Judge) -> None:
    title = "Bundesnetzagentur beschleunigt den Smart-Meter-Rollout"
    j = _judge(rules_judge, title)
    assert ("Smart Meter", "Smart-Meter") in _spans(j, {"title": title})
    assert "energy" in j.topics


def test_lemmas_match_inflected_forms(rules_judge: Judge) -> None:
    # "Kommunen" and "Städte" are context words given in the singular; "Ladepunkte" is
    # plural of the taxonomy's "Ladepunkt".
    title = "Mehr Ladepunkte für Städte"
    j = _judge(rules_judge, title)
    assert "mobility" in j.topics
    assert any(title[e.start:e.end] == "Ladepunkte" for e in j.evidence)


def test_english_lemmas(rules_judge: Judge) -> None:
    title = "Consultation on smart meters and heat pumps in municipalities"
    j = _judge(rules_judge, title, jurisdiction="eu")
    assert j.language == "en" and j.relevant
    texts = {title[e.start:e.end] for e in j.evidence}
    assert {"smart meters", "heat pumps"} <= texts


def test_acronyms_are_case_sensitive_and_not_inside_words(rules_judge: Judge) -> None:
    j = _judge(rules_judge, "Referentenentwurf zur KI-Verordnung")
    assert "ai" in j.topics
    kita = _judge(rules_judge, "Kita-Gesetz: Novelle schärft den Bildungsauftrag")
    assert "ai" not in kita.topic_scores and not kita.relevant


def test_exclusion_voids_its_topic(rules_judge: Judge) -> None:
    j = _judge(rules_judge, "Verordnung zur Energieeffizienz bei der Entlastung von der Stromsteuer")
    assert "energy" not in j.topic_scores
    assert not j.relevant


def test_longer_word_masks_a_term_inside_it(rules_judge: Judge) -> None:
    j = _judge(rules_judge, "Gesetz zur Beschleunigung des Wasserstoffhochlaufs")
    assert "water" not in j.topic_scores and "energy" in j.topics
    social = _judge(rules_judge, "Gesetz gegen Hassrede in sozialen Netzwerken")
    assert "energy" not in social.topic_scores and "broadband" not in social.topics


def test_title_hits_weigh_more_than_summary_hits(rules_judge: Judge) -> None:
    in_title = _judge(rules_judge, "Neue Regeln für Fernwärme", "Ein Bericht.")
    in_summary = _judge(rules_judge, "Neue Regeln", "Ein Bericht über Fernwärme.")
    assert in_title.score > in_summary.score > 0
    assert in_summary.evidence[0].field == "summary"
    summary = "Ein Bericht über Fernwärme."
    e = in_summary.evidence[0]
    assert summary[e.start:e.end] == "Fernwärme" and e.sentence == summary


def test_evidence_sentence_is_the_sentence_of_the_hit(rules_judge: Judge) -> None:
    summary = ("Das Ministerium hat am 3. Mai 2024 einen Entwurf vorgelegt. Er betrifft die kommunale "
               "Wärmeplanung in Abs. 2 des Gesetzes. Weitere Schritte folgen.")
    j = _judge(rules_judge, "Neuer Entwurf", summary)
    hit = next(e for e in j.evidence if "Wärmeplanung" in e.term)
    # The longest matching term wins: "kommunale Wärmeplanung", not its last word.
    assert summary[hit.start:hit.end] == "kommunale Wärmeplanung" == hit.term
    assert hit.sentence == "Er betrifft die kommunale Wärmeplanung in Abs. 2 des Gesetzes."


@pytest.mark.parametrize("title, language", [
    ("Wijziging van de Wet beveiliging netwerk- en informatiesystemen in verband met de uitbreiding", "nl"),
    ("Directiva (UE) 2020/2184 sobre aguas de consumo humano para las personas", "es"),
])
def test_other_languages_are_marked_not_scored(rules_judge: Judge, title: str, language: str) -> None:
    j = _judge(rules_judge, title, jurisdiction="eu")
    assert j.language == language
    assert not j.language_supported and not j.relevant and j.score == 0.0 and not j.evidence


def test_language_routing_de_and_en(rules_judge: Judge) -> None:
    assert _judge(rules_judge, "Entwurf eines Gesetzes über die Digitalisierung der Verwaltung").language == "de"
    assert _judge(rules_judge, "Proposal for a regulation on the European data spaces",
                  jurisdiction="eu").language == "en"


def test_out_of_remit_is_never_relevant_but_keeps_topics(rules_judge: Judge) -> None:
    j = _judge(rules_judge, "Smart meter rollout: consultation on the next phase", jurisdiction="uk")
    assert not j.in_remit and not j.relevant and j.score == 0.0
    assert j.topic_scores.get("energy", 0) > 0.5
    land = _judge(rules_judge, "Landeswärmeplanungsgesetz vorgelegt", jurisdiction="de-nw")
    assert land.in_remit and land.relevant


def test_threshold_is_configurable(tmp_path: Path) -> None:
    source = load_taxonomy().path.read_text(encoding="utf-8")
    strict = tmp_path / "topics.toml"
    strict.write_text(source.replace("threshold = 0.5 ", "threshold = 0.95 ", 1), encoding="utf-8")
    title = "Neue Regeln für Fernwärme"
    default = Judge(load_taxonomy())
    high = Judge(load_taxonomy(strict))
    assert high.taxonomy.settings.threshold == 0.95
    assert default.judge(JudgeInput(id="a", title=title)).relevant
    assert not high.judge(JudgeInput(id="a", title=title)).relevant


def test_judge_many_keeps_order_and_ids(rules_judge: Judge) -> None:
    items = [JudgeInput(id=str(i), title=t) for i, t in enumerate(
        ["Wärmeplanung", "Circular Economy Act", "Glasfaserausbau in Kommunen", "Tierschutzgesetz"])]
    out = rules_judge.judge_many(items)
    assert [j.id for j in out] == ["0", "1", "2", "3"]
    assert [j.relevant for j in out] == [True, False, True, False]


def test_inflected_adjective_phrases_match_other_forms(rules_judge: Judge) -> None:
    # The taxonomy lists "kritische Infrastruktur"; the text declines both words.
    title = "Schutz der kritischen Infrastrukturen in Kommunen"
    j = _judge(rules_judge, title)
    assert "cybersecurity" in j.topics
    assert any(title[e.start:e.end] == "kritischen Infrastrukturen" for e in j.evidence)


def test_overlapping_hits_keep_the_longest_and_disjoint_hits_all_stay() -> None:
    from tracker.judge.matching import resolve

    a, b, c, d = ("a",), ("b",), ("c",), ("d",)
    # "Wasserstoff" (0-11) covers "wasser" (0-6); a later disjoint hit stays; text order out.
    assert resolve([(20, 25, c), (0, 6, a), (0, 11, b)]) == [(0, 11, b), (20, 25, c)]
    # Equal length: the earlier one wins; a hit overlapping the winner goes.
    assert resolve([(3, 8, b), (0, 5, a), (8, 9, d)]) == [(0, 5, a), (8, 9, d)]
    assert resolve([(10, 14, b), (0, 5, a)]) == [(0, 5, a), (10, 14, b)]
    assert resolve([]) == []


@pytest.mark.parametrize("title, stage", [
    ("Gesetz zur Änderung des EnWG", "adopted"), ("Zweite Verordnung zur Änderung", "adopted"),
    ("12. Verordnung über", "adopted"), ("Regulation (EU) 2024/1689 on", "adopted"),
    ("Commission Delegated Decision (EU) 2025/1", "adopted"), ("Gesetzlich geregelt", "news"),
    ("Kabinett berät", "news"), ("İnfo", "news"), ("", "news"),
])
def test_a_title_that_names_a_law_is_adopted(title: str, stage: str) -> None:
    from tracker.judge.stage import classify_stage

    assert classify_stage(title) == stage


def test_stage_cues_followed_by_several_spaces_or_lines_in_unsupported_languages() -> None:
    from tracker.judge.stage import classify_stage

    assert classify_stage("Appel d'offres: tender   \n\nlot 2") == "tender"
    assert classify_stage("Projet", "draft \n proposal for  the  réseau") == "draft"
