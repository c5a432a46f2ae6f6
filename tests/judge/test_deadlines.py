"""Deadlines: date candidates, the learnt choice, and the labelled real sentences.

tests/judge/fixtures/deadlines*.tsv: id, language, jurisdiction, published, text (\\n for line
breaks), expected ISO date or empty, source URL, note (DEADLINES_README.md). The dev sets
train the chooser (bench/train_deadlines.py); the holdout is frozen and only reported
(bench/deadline_eval.py --holdout).
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tracker.judge.dates import find_mentions, local_date
from tracker.judge.deadlines import (
    CUES,
    FEATURES,
    POSSIBLE_FLOOR,
    candidate_features,
    deadline_from_text,
    default_model,
    find_cues,
    find_deadline,
)
from tracker.judge.taxonomy import Settings
from tracker.judge.types import JudgeInput

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ROOT = Path(__file__).resolve().parents[2]
SETTINGS = Settings(timezones={"us": "America/New_York", "uk": "Europe/London"})


def _bench(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name, rows", [("deadlines.tsv", 50), ("deadlines_dev_new.tsv", 127),
                                        ("deadlines_dev_more.tsv", 225), ("deadlines_holdout.tsv", 60)])
def test_the_sets_are_real_sourced_and_both_languages(name: str, rows: int) -> None:
    with (FIXTURES / name).open(encoding="utf-8", newline="") as fh:
        data = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert len(data) == rows and {r["language"] for r in data} >= {"de", "en"}
    assert all(r["source_url"] for r in data)
    assert sum(1 for r in data if r["expected"]) >= 15 and sum(1 for r in data if not r["expected"]) >= 10


def test_the_holdouts_stay_frozen() -> None:
    digests = {"deadlines_holdout.tsv": "5365313f2401c227d664b12a9c6013b5c20423c68fff9639f964bf95ccfe5d55",
               "relevance_holdout.tsv": "e6c63b1cec67dfef5bed11e2c6265c2642ba5c94248c7d03682b7234780f53b4"}
    for name, digest in digests.items():
        assert hashlib.sha256((FIXTURES / name).read_bytes()).hexdigest() == digest, name


def test_the_shipped_weights_are_what_the_training_script_fits() -> None:
    """A cue word added to ``CUES`` works at once; this says when the weights need refitting."""
    assert list(default_model().weights) == list(FEATURES), "features changed: run bench/train_deadlines.py"
    assert _bench("train_deadlines").main.__module__  # importable
    argv, sys.argv = sys.argv, ["train_deadlines.py", "--check"]
    try:
        assert _bench("train_deadlines").main() == 0, "shipped weights are stale: run bench/train_deadlines.py"
    finally:
        sys.argv = argv


def test_the_dev_sets_stay_above_their_floor() -> None:
    """A regression guard on the sentences the weights were fitted on (not a quality figure:
    that is the cross-validated and holdout figure in docs/BENCHMARKS.md)."""
    evaluate = _bench("deadline_eval")
    exact = invented = rows = 0
    for path in evaluate.DEV_SETS.values():
        counts, _ = evaluate.evaluate(evaluate.read_rows(path))
        exact, invented, rows = exact + counts["exact"], invented + counts["invented"], rows + counts["rows"]
    assert exact / rows >= 0.9 and invented / rows <= 0.06, (exact, invented, rows)


@pytest.mark.parametrize("text, expected", [
    ("Die Konsultation läuft vom 24.05.2018 bis 25.06.2018.", date(2018, 6, 25)),
    ("Stellungnahmen können zwischen dem 1. und dem 30. September 2014 eingereicht werden.", date(2014, 9, 30)),
    ("The consultation will be open from 12 December 2016 until 3 March 2017.", date(2017, 3, 3)),
    ("Die Stellungnahmen können bis zum\nFreitag, 29.09.2017\nan die Bundesnetzagentur gesendet werden.",
     date(2017, 9, 29)),
    ("Fristablauf: 12.02.10", date(2010, 2, 12)),
    ("Feedback period: endDate 2026/05/12 23:59:59", date(2026, 5, 12)),
    ("Stellungnahmen bitte bis spätestens Freitag.", None),
    ("Die Frist für Stellungnahmen beträgt vier Wochen ab Veröffentlichung.", None),
    ("Bonn, 23. August 2017", None),
])
def test_ranges_times_and_vague_deadlines(text: str, expected: date | None) -> None:
    assert deadline_from_text(text).date == expected


def test_candidates_mark_what_names_no_day() -> None:
    text = "Bis zwei Wochen nach dem 3. März, jeweils der 15. Juni, bis Montag, Ende März 2019, 1.-30. Juni 2026"
    kinds = {text[m.start:m.end]: (m.kind, m.value, m.range_role) for m in find_mentions(text)}
    assert kinds["zwei Wochen"][0] == "relative" and kinds["Montag"][0] == "weekday"
    assert kinds["Ende März 2019"][0] == "vague" and kinds["15. Juni"][0] == "recurring"
    assert kinds["3. März"] == ("yearless", None, "")  # no publication date: no year
    assert kinds["1."] == ("full", date(2026, 6, 1), "start") and kinds["30. Juni 2026"][2] == "end"


def test_utc_timestamp_is_converted_before_the_date_is_taken() -> None:
    text = "Comments must be received by 2022-05-10T03:59:59Z."
    assert deadline_from_text(text, zone="America/New_York").date == date(2022, 5, 9)
    assert deadline_from_text(text, zone="Europe/Berlin").date == date(2022, 5, 10)
    assert local_date(datetime(2024, 3, 31, 22, 30, tzinfo=UTC)) == date(2024, 4, 1)


def test_structured_deadline_wins_over_text() -> None:
    item = JudgeInput(id="x", title="t", summary="Stellungnahmen bis zum 14. September 2020.",
                      deadline=date(2020, 9, 30), deadline_text="endDate 2020/09/30 23:59:59")
    found = find_deadline(item, SETTINGS)
    assert (found.date, found.origin, found.confidence) == (date(2020, 9, 30), "structured", 1.0)
    text_only = find_deadline(JudgeInput(id="y", title="t", summary=item.summary), SETTINGS)
    assert (text_only.date, text_only.origin) == (date(2020, 9, 14), "text")
    assert "14. September 2020" in (text_only.sentence or "") and 0 < (text_only.confidence or 0) < 1


@pytest.mark.parametrize("published, expected", [(date(2024, 2, 1), date(2024, 3, 15)),
                                                 (date(2024, 11, 20), date(2025, 3, 15)),
                                                 (None, None)])
def test_missing_year_comes_from_publication_date_or_gives_nothing(published: date | None,
                                                                   expected: date | None) -> None:
    found = deadline_from_text("Stellungnahmen können bis zum 15. März abgegeben werden.", published=published)
    assert found.date == expected


def test_the_deadline_sentence_is_the_one_with_the_date() -> None:
    text = ("Am 17. August 2020 wurde die Anhörung der Länder und der Verbände eingeleitet. "
            "Stellungnahmen konnten bis zum 14. September 2020 abgegeben werden.")
    found = deadline_from_text(text)
    assert found.date == date(2020, 9, 14)
    assert found.sentence == "Stellungnahmen konnten bis zum 14. September 2020 abgegeben werden."


@pytest.mark.parametrize("text, expected", [
    ("Angebotsfrist: 18.12.2026, 10:00 Uhr; Bindefrist: 08.02.2027", date(2026, 12, 18)),
    ("Ablauf der Bindefrist: 30.04.2027", None),
    ("Comments are due: March 3, 2025.", date(2025, 3, 3)),
    ("Comments must be received by 5 p.m. on April 4, 2025.", date(2025, 4, 4)),
    ("Initial comments are due on May 1, 2025, and reply comments are due on May 16, 2025.", date(2025, 5, 1)),
    ("The comment period, originally scheduled to close on June 2, 2025, is extended to July 2, 2025.",
     date(2025, 7, 2)),
    ("Closed 27 October 2025", date(2025, 10, 27)),
    ("The consultation ran from 9:00 on 12 May 2025 to 23:59 on 9 June 2025.", date(2025, 6, 9)),
    ("Kommunen können sich bis zum 30. April 2026 bewerben.", date(2026, 4, 30)),
    ("Die Prüfung ist bis zum 31. Dezember 2027 durchzuführen.", date(2027, 12, 31)),
    ('"consultation_end_date": "02 March 2026"', date(2026, 3, 2)),
    ("Die Verordnung tritt am 1. Januar 2027 in Kraft.", None),
    ("Der Workshop findet am 12. März 2026 in Berlin statt.", None),
    ("The meeting will be held on June 5, 2025.", None),
])
def test_the_traps_named_in_issue_13(text: str, expected: date | None) -> None:
    """Offer vs binding period, a time before the date, comments then replies, extensions,
    "Closed", English ranges with times, applications, duties in laws, JSON fields; and dates
    that are no deadline."""
    assert deadline_from_text(text).date == expected


def test_a_cue_inside_a_longer_one_does_not_count() -> None:
    text = "Bindefrist und Angebotsfrist, bis spätestens zum"
    assert [(text[s:e], kind) for s, e, kind in find_cues(text)] == [
        ("Bindefrist", "validity"), ("Angebot", "action"), ("frist", "deadline"), ("bis spätestens zum", "until")]


def test_each_cue_word_is_defined_once() -> None:
    words = [word.strip("~*") for words in CUES.values() for word in words]
    assert len(words) == len(set(words)), sorted(w for w in set(words) if words.count(w) > 1)


def test_no_deadline_competes_with_the_dates() -> None:
    """The last candidate is "no deadline"; the probabilities of one text sum to 1."""
    text = "Stellungnahmen bis zum 14. September 2020; die Anhörung fand am 17. August 2020 statt."
    mentions = find_mentions(text)
    features = candidate_features(text, mentions, None)
    assert len(features) == len(mentions) + 1 and "null" in features[-1]
    assert abs(sum(default_model().probabilities(features)) - 1.0) < 1e-9


@pytest.mark.parametrize(("text", "published", "possible"), [
    # dev sentences (deadlines_dev_more.tsv) whose deadline the chooser does not dare to take
    ("Ein 3. Förderaufruf ist für den 03.07.2023 – 08.09.2023 geplant.", date(2023, 5, 2), date(2023, 9, 8)),
    ("The 60-day notice comment period ends on April 8, 2024, no comments were received.", date(2024, 5, 1),
     date(2024, 4, 8)),
])
def test_an_uncertain_deadline_is_kept_as_possible_never_as_the_deadline(text: str, published: date,
                                                                         possible: date) -> None:
    found = deadline_from_text(text, published=published)
    assert found.date is None and found.possible is not None
    assert found.possible.day == possible and found.possible.sentence == text
    assert POSSIBLE_FLOOR <= found.possible.confidence < default_model().threshold


def test_a_found_deadline_wins_over_a_possible_one_in_another_field() -> None:
    item = JudgeInput(id="x", title="Förderaufruf", language="de", jurisdiction="de",
                      summary="Ein 3. Förderaufruf ist für den 03.07.2023 – 08.09.2023 geplant.",
                      text="Skizzen sind bis zum 15. September 2023 einzureichen.")
    found = find_deadline(item, Settings())
    assert found.date == date(2023, 9, 15) and found.possible is None
    only_possible = find_deadline(JudgeInput(id="y", title="Förderaufruf", language="de", jurisdiction="de",
                                             summary=item.summary), Settings())
    assert only_possible.date is None and only_possible.possible.day == date(2023, 9, 8)
