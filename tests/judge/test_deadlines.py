"""Deadline extraction against sentences collected from real notices.

tests/judge/fixtures/deadlines.tsv: id, language, jurisdiction, published, text (\\n for line
breaks), expected ISO date or empty, source URL, note.
"""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tracker.judge.deadlines import deadline_from_text, find_deadline, local_date, zone_for
from tracker.judge.taxonomy import Settings
from tracker.judge.types import JudgeInput

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "deadlines.tsv"
SETTINGS = Settings(timezones={"us": "America/New_York", "uk": "Europe/London"})


def _rows() -> list[dict[str, str]]:
    with FIXTURE.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def _extract(row: dict[str, str]) -> date | None:
    text = row["text"].replace("\\n", "\n")
    published = date.fromisoformat(row["published"]) if row["published"] else None
    found = deadline_from_text(text, zone=zone_for(row["jurisdiction"], SETTINGS),
                               us_order=row["jurisdiction"] == "us", published=published)
    return found.date


def test_fixture_is_big_enough_and_sourced() -> None:
    rows = _rows()
    assert len(rows) >= 40
    assert {r["language"] for r in rows} >= {"de", "en"}
    assert all(r["source_url"] for r in rows)
    assert sum(1 for r in rows if r["expected"]) >= 15
    assert sum(1 for r in rows if not r["expected"]) >= 15


def test_deadline_set_passes_95_percent_and_never_invents_a_date() -> None:
    rows = _rows()
    wrong, invented = [], []
    for row in rows:
        got = _extract(row)
        expected = date.fromisoformat(row["expected"]) if row["expected"] else None
        if got != expected:
            wrong.append((row["id"], row["text"][:60], expected, got))
            if expected is None:
                invented.append(row["id"])
    assert not invented, f"dates produced where none is expected: {wrong}"
    assert len(wrong) <= len(rows) * 0.05, wrong


def test_utc_timestamp_is_converted_before_the_date_is_taken() -> None:
    text = "Comments must be received by 2022-05-10T03:59:59Z."
    assert deadline_from_text(text, zone="America/New_York").date == date(2022, 5, 9)
    assert deadline_from_text(text, zone="Europe/Berlin").date == date(2022, 5, 10)
    assert local_date(datetime(2024, 3, 31, 22, 30, tzinfo=UTC)) == date(2024, 4, 1)


@pytest.mark.parametrize(("sentence", "found"), [
    ("Frist: Unterlagen 12.03.2026 einreichen.", True),
    ("Befristet: Unterlagen 12.03.2026 einreichen.", False),  # "frist" after "be" is no cue
    ("The consultation window closes; documents 12 March 2026 apply.", True),
    ("The window close; documents 12 March 2026 apply.", True),
    ("The box encloses; documents 12 March 2026 apply.", False),  # "closes" only as a word
    ("The_closes documents 12 March 2026 apply.", False),
])
def test_strong_sentence_cue_respects_word_starts(sentence: str, found: bool) -> None:
    # A strong cue lets the one uncued date of a sentence count (confidence 0.5).
    result = deadline_from_text(sentence)
    assert (result.date, result.confidence) == ((date(2026, 3, 12), 0.5) if found else (None, None))


def test_structured_deadline_wins_over_text() -> None:
    item = JudgeInput(id="x", title="t", summary="Stellungnahmen bis zum 14. September 2020.",
                      deadline=date(2020, 9, 30), deadline_text="endDate 2020/09/30 23:59:59")
    found = find_deadline(item, SETTINGS)
    assert (found.date, found.origin, found.confidence) == (date(2020, 9, 30), "structured", 1.0)
    text_only = find_deadline(JudgeInput(id="y", title="t", summary=item.summary), SETTINGS)
    assert (text_only.date, text_only.origin) == (date(2020, 9, 14), "text")
    assert "14. September 2020" in (text_only.sentence or "")


@pytest.mark.parametrize("published, expected", [(date(2024, 2, 1), date(2024, 3, 15)),
                                                 (date(2024, 11, 20), date(2025, 3, 15)),
                                                 (None, None)])
def test_missing_year_comes_from_publication_date_or_gives_nothing(published: date | None,
                                                                   expected: date | None) -> None:
    found = deadline_from_text("Stellungnahmen können bis zum 15. März abgegeben werden.", published=published)
    assert found.date == expected
    if expected:
        assert found.confidence is not None and found.confidence < 0.9


def test_the_date_start_guard_changes_no_match() -> None:
    """``_DATE`` starts with a look-ahead (digit, or word start of a month name's first
    letter); without it the pattern must find exactly the same dates."""
    import random
    import re

    from tracker.judge import deadlines

    bare = re.compile(deadlines._DATE.pattern.removeprefix(deadlines._DATE_START), re.IGNORECASE)
    assert bare.pattern != deadlines._DATE.pattern

    def found(rx: re.Pattern[str], text: str) -> list:
        return [(m.span(), m.groupdict()) for m in rx.finditer(text)]

    rng = random.Random(11)
    words = ["12.", "3.", "März", "march", "Mar", "MÄRZ", "2026", "26", "1st", "of", "bis", "zum", "15", "/", "-",
             "2025-01-05", "T10:00", "Z", "ſeptember", "SEPT", "okt.", ",", "Jänner", "Mai", "may", "Dec", "nov",
             "x1", "a2", "Frist:", "(", ")", "05/06/2026", "1.2.25", "\n"]
    alphabet = list("0123456789 ./-,:T+Zstndrhof\n") + list("januarfebmärzaprilmaijulaugustseptokdezJFMASONDſK")
    for _ in range(20_000):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 8)))
        assert found(deadlines._DATE, text) == found(bare, text), text
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30)))
        assert found(deadlines._DATE, text) == found(bare, text), text
    text = FIXTURE.read_text(encoding="utf-8")
    assert found(deadlines._DATE, text) == found(bare, text) != []


def test_the_cue_pattern_start_guards_change_no_match() -> None:
    import random
    import re

    from tracker.judge import deadlines

    rng = random.Random(12)
    words = ["bis", "zum", "vom", "von", "from", "the", "dem", "den", "between", "zwischen", "und", "and", "to", "-",
             "–", "12.", "3", "1st", "published", "on", "veröffentlicht", "am", "start date", "startdatum", "seit",
             "ab", "dated", "since", "beginning", "starting", "opens", "open", "beginnt", "until", "by", "before",
             "ending", "ends", "endet", "läuft", "x", "ſeit", "BIS", "Vom", "  ", "\n", ",", "(", "ab.", "Frist",
             "frist", "einsendeschluss", "stichtag", "spätestens", "closing", "deadline", "comments", "no later than",
             "feedback period", "consultation", "closes", "end date", "enddatum", "abend", "_bis", "bis_"]
    for guarded, guard in ((deadlines._ANY_CUE, deadlines._ANY_CUE_START),
                           (deadlines._PARTIAL_RANGE, deadlines._PARTIAL_START),
                           (deadlines._BAD_BEFORE, deadlines._BAD_START)):
        bare = re.compile(guarded.pattern.removeprefix(guard), guarded.flags)
        assert bare.pattern != guarded.pattern
        for _ in range(20_000):
            text = " ".join(rng.choice(words) for _ in range(rng.randint(0, 8)))
            text = text.lower() if rng.random() < 0.3 else text
            a, b = guarded.search(text), bare.search(text)
            assert (a and a.span()) == (b and b.span()), (guarded.pattern, text)


def test_the_cue_tries_answer_like_the_plain_alternations() -> None:
    """The sentence cue patterns are written as tries for speed; only whether they match
    counts, and that must be what the readable alternations below say."""
    import random
    import re

    from tracker.judge import deadlines

    plain = {
        deadlines._STRONG_SENTENCE_CUE: re.compile(
            r"f(?<!bef)rist|einsendeschluss|abgabeschluss|einreichungsschluss|bewerbungsschluss|antragsschluss|"
            r"teilnahmeschluss|anmeldeschluss|stichtag|spätestens|closing date|deadline|"
            r"comments? (?:must|should) be (?:received|submitted)|no later than|feedback period|"
            r"consultation (?:period|closes|will close|runs)|c(?<!\wc)loses?\b|end date|enddatum|closing"),
        deadlines._WEAK_SENTENCE_CUE: re.compile(
            r"\bbis\b|\buntil\b|\bby\b|\bbefore\b|\bending\b|\bends\b|\bendet\b|\bläuft\b|\bbetween\b|\bzwischen\b"),
        deadlines._CONTEXT: re.compile(
            r"stellungnahme|konsultation|anhörung|rückmeldung|kommentar|äußerung|einreich|eingereicht|"
            r"abgegeben|abzugeben|übersend|übermittel|beteiligung|anträge|antrag|bewerbung|teilnahme|einwendung|"
            r"hinweise|eingaben|comment|respon|submi|feedback|views|consultation|evidence|applications?|"
            r"proposals|closes|input|questionnaire|survey|ausschreibung|einreichung|angebot|call"),
        deadlines._NOT_A_DEADLINE: re.compile(
            r"projekte?\b.{0,60}\blaufen|laufzeit|förderzeitraum|bewilligungszeitraum|"
            r"durchführungszeitraum|project (?:period|duration)|in kraft|entry into force"),
    }
    rng = random.Random(13)
    words = ["bis", "until", "by", "before", "ending", "ends", "endet", "läuft", "between", "zwischen", "frist",
             "befrist", "einsendeschluss", "abgabeschluss", "einreichungsschluss", "bewerbungsschluss",
             "antragsschluss", "teilnahmeschluss", "anmeldeschluss", "stichtag", "spätestens", "closing date",
             "deadline", "comment must be received", "comments should be submitted", "no later than",
             "feedback period", "consultation period", "consultation will close", "consultation runs", "closes",
             "encloses", "end date", "enddatum", "stellungnahme", "anhörung", "applications", "einreichung", "call",
             "views", "projekte", "laufen", "laufzeit", "project period", "in kraft", "entry into force", "_", "x",
             "b", "e", "c", "ſ", "İ", " ", "\n", ".", "1", "bef", "abis", "bis_"]
    for _ in range(20_000):
        text = "".join(rng.choice(words) + rng.choice(("", " ", "\n", ".")) for _ in range(rng.randint(1, 10)))
        for trie, reference in plain.items():
            assert (trie.search(text) is None) == (reference.search(text) is None), (reference.pattern, text)


def test_dates_finds_what_finditer_finds() -> None:
    import random

    from tracker.judge import deadlines

    rng = random.Random(14)
    words = ["12.", "3.", "März", "march", "Mar", "2026", "26", "1st", "of", "bis", "15", "/", "-", " ", "  ", "\n",
             "\u00a0", "2025-01-05", "T10:00", "Z", "ſeptember", "SEPT", "okt.", ",", "Mai", "may", "Dec", "x1", "a2",
             "(", "05/06/2026", "1.2.25", "12024-01-05", "September\n\n", "Nr. 5"]
    alphabet = list("0123456789 ./-,:T+Zstndrhof\n\t") + list("januarfebmärzaprilmaijulaugustseptokdezJFMASONDſK")
    texts = [FIXTURE.read_text(encoding="utf-8")]
    for _ in range(20_000):
        texts.append(" ".join(rng.choice(words) for _ in range(rng.randint(1, 10))))
        texts.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40))))
    for text in texts:
        found = [(m.span(), m.groupdict()) for m in deadlines._dates(text)]
        assert found == [(m.span(), m.groupdict()) for m in deadlines._DATE.finditer(text)], text
