"""The classify contract forgives: reduced-precision dates, and a bad optional field is a
warning on that item's line while the item is still judged (issue 13)."""

from __future__ import annotations

import json
from datetime import date

from tracker.judge import Judge
from tracker.judge.classify import classify_lines, parse_line

SENTENCE = "Stellungnahmen können bis zum 15. März abgegeben werden."


def _run(records: list[dict[str, object]], judge: Judge) -> list[dict[str, object]]:
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    return [json.loads(line) for line in classify_lines(lines, judge, sources={})]


def test_reduced_precision_and_garbage_publication_dates_are_all_judged(rules_judge: Judge) -> None:
    records = [{"id": str(n), "title": "Konsultation zur Wärmeplanung", "summary": SENTENCE, "published": value}
               for n, value in enumerate(["2018-07", "2018", "gestern", "2018-07-05T10:00:00Z"])]
    out = _run(records, rules_judge)
    assert [o["id"] for o in out] == ["0", "1", "2", "3"]
    assert all(o["relevant"] and "error" not in o for o in out)
    # The year-less deadline resolves against the publication date, also a reduced one.
    assert [o["deadline"] for o in out] == ["2019-03-15", "2018-03-15", None, "2019-03-15"]
    assert [("warnings" in o) for o in out] == [False, False, True, False]
    assert out[2]["warnings"] == ["'published' is not an ISO 8601 date: 'gestern'; ignored"]


def test_a_bad_optional_field_is_named_and_left_out(rules_judge: Judge) -> None:
    out = _run([{"id": 1, "title": "Entwurf eines Wärmeplanungsgesetzes", "summary": 5, "language": ["de"],
                 "deadline": "2026-03"},
                {"id": 2, "title": "Förderaufruf Ladeinfrastruktur", "deadline": "2026-03-01", "source": None}],
               rules_judge)
    first, second = out
    assert first["id"] == "1" and first["relevant"] and first["deadline"] is None
    assert first["warnings"] == ["'summary' must be a string; ignored", "'language' must be a string; ignored",
                                 "'deadline' is not an ISO 8601 date with a day: '2026-03'; ignored"]
    assert second["deadline"] == "2026-03-01" and second["deadline_origin"] == "structured"
    assert "warnings" not in second


def test_reduced_precision_is_read_as_the_first_day() -> None:
    assert parse_line('{"id": "a", "title": "t", "published": "2018-07"}').published_at.date() == date(2018, 7, 1)
    assert parse_line('{"id": "a", "title": "t", "published": "2018"}').published_at.date() == date(2018, 1, 1)
    assert parse_line('{"id": "a", "title": "t", "published": "2018-13"}').warnings


def test_an_uncertain_deadline_is_a_possible_one_on_the_line(rules_judge: Judge) -> None:
    out = _run([{"id": "p", "title": "Förderaufruf", "published": "2023-05-02",
                 "summary": "Ein 3. Förderaufruf ist für den 03.07.2023 – 08.09.2023 geplant."},
                {"id": "d", "title": "Konsultation", "summary": SENTENCE, "published": "2026-01-10"}], rules_judge)
    possible, certain = out
    assert possible["deadline"] is None
    assert possible["possible_deadline"]["date"] == "2023-09-08"
    assert possible["possible_deadline"]["sentence"].startswith("Ein 3. Förderaufruf")
    assert 0 < possible["possible_deadline"]["confidence"] < 1
    assert certain["deadline"] == "2026-03-15" and certain["possible_deadline"] is None
