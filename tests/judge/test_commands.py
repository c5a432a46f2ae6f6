"""tracker classify / train / tag: the batch contract, training from labels, re-tagging."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tracker.cli.app import main
from tracker.collect.normalise import normalise_entry, with_deadline
from tracker.judge import Judge, JudgeInput, get_judge
from tracker.judge.classify import classify_lines
from tracker.judge.model import latest_model_path
from tracker.judge.taxonomy import load_taxonomy
from tracker.models import RawEntry, Source
from tracker.storage.connection import open_db, transaction
from tracker.storage.inbox import item_detail
from tracker.storage.items import store_items
from tracker.storage.judgements import load_judgement, load_labels
from tracker.storage.triage import add_relevance_label

SOURCE = Source(id="bmwk", name="BMWK", url="https://example.invalid/feed", kind="rss", publisher="BMWK",
                jurisdiction="de", language="de")
LINES = [
    json.dumps({"id": "a", "title": "Referentenentwurf zur Novelle des Wärmeplanungsgesetzes",
                "summary": "Stellungnahmen können bis zum 14. September 2025 abgegeben werden.",
                "jurisdiction": "de", "published": "2025-08-20"}),
    "{not json",
    json.dumps({"id": 7, "title": "Verordnung über Höchstmengen an Rückständen von Pflanzenschutzmitteln"}),
    json.dumps({"title": "no id"}),
    "",
    json.dumps({"id": "b", "title": "Smart meter rollout consultation", "jurisdiction": "uk"}),
    json.dumps({"id": "c", "title": "x", "published": "gestern"}),
    json.dumps(["a", "list"]),
]


def test_classify_keeps_order_and_reports_bad_lines() -> None:
    out = [json.loads(line) for line in classify_lines(LINES, get_judge(use_model=False), batch=2)]
    assert [o.get("id") for o in out] == ["a", None, "7", None, "b", "c", None]
    assert [o.get("line") for o in out if "error" in o] == [2, 4, 8]
    first = out[0]
    assert first["relevant"] is True and "energy" in first["topics"]
    assert first["deadline"] == "2025-09-14" and "14. September 2025" in first["deadline_text"]
    assert first["stage"] in ("draft", "consultation")
    assert first["evidence"][0]["field"] == "title"
    assert out[2]["relevant"] is False
    assert out[4]["relevant"] is False and out[4]["in_remit"] is False
    # A bad optional field is a warning on the item's line; the item is still judged (issue 13).
    assert out[5]["id"] == "c" and "relevant" in out[5] and "'published'" in out[5]["warnings"][0]
    assert "warnings" not in out[0]


def test_classify_cli_reads_and_writes_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    target = tmp_path / "out.jsonl"
    assert main(["classify", "--rules-only", "--input", str(source), "--output", str(target)]) == 0
    rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 7 and rows[0]["id"] == "a"
    assert main(["classify", "--input", str(tmp_path / "missing.jsonl")]) == 1
    assert "missing.jsonl" in capsys.readouterr().err


def _store(db_path: Path, entries: list[RawEntry], deadlines: dict[str, tuple[date, str]]) -> list[str]:
    items = []
    for entry in entries:
        item = normalise_entry(entry, SOURCE)
        if entry.guid in deadlines:
            when, origin = deadlines[entry.guid]
            item = with_deadline(item, when, "alter Fristsatz", 0.9, origin)
        items.append(item)
    with open_db(db_path) as con, transaction(con):
        _, touched = store_items(con, SOURCE.id, items, datetime.now(UTC))
    return touched


def test_tag_rejudges_and_records_moved_text_deadline(db_path: Path) -> None:
    entries = [
        RawEntry(guid="moved", title="Konsultation zum Energy Sharing", link="https://example.invalid/1",
                 summary_html="<p>Stellungnahmen bis zum 30. September 2025.</p>"),
        RawEntry(guid="structured", title="Konsultation zur Wärmeplanung", link="https://example.invalid/2",
                 summary_html="<p>Stellungnahmen bis zum 1. Oktober 2025.</p>"),
        RawEntry(guid="plain", title="Änderung des Tierschutzgesetzes", link="https://example.invalid/3"),
    ]
    ids = _store(db_path, entries, {"moved": (date(2025, 9, 14), "text"),
                                    "structured": (date(2025, 10, 15), "structured")})
    assert main(["tag", "--rules-only"]) == 0
    with open_db(db_path) as con:
        moved, structured, plain = (item_detail(con, i) for i in ids)
    assert moved["deadline"] == date(2025, 9, 30) and moved["deadline_origin"] == "text"
    assert moved["is_changed"] and "30. September 2025" in moved["deadline_text"]
    assert [(h["old_deadline"], h["new_deadline"]) for h in moved["history"]
            if h["changed_fields"] == ["deadline"]] == [(date(2025, 9, 14), date(2025, 9, 30))]
    assert structured["deadline"] == date(2025, 10, 15) and structured["deadline_origin"] == "structured"
    assert not any(h["changed_fields"] == ["deadline"] for h in structured["history"])
    judged = load_judgement(ids[0], db_path)
    assert judged is not None and judged["relevant"] and judged["model_version"] == "rules"
    assert judged["evidence"][0]["topic"] == "energy"
    assert plain["relevant"] is False
    # Running again changes nothing more.
    assert main(["tag", "--rules-only"]) == 0
    with open_db(db_path) as con:
        again = item_detail(con, ids[0])
    assert len([h for h in again["history"] if h["changed_fields"] == ["deadline"]]) == 1


def test_train_uses_team_labels_and_seed_labels(db_path: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    ids = _store(db_path, [
        RawEntry(guid="x", title="Satzung über die Benutzung der Stadtbibliothek", link="https://example.invalid/x"),
        RawEntry(guid="y", title="Förderaufruf für Quartiersspeicher", link="https://example.invalid/y"),
    ], {})
    now = datetime.now(UTC)
    with open_db(db_path) as con, transaction(con):
        add_relevance_label(con, ids[0], relevant=True, topics=["egovernment", "nonsense"], actor="anna", at=now)
        add_relevance_label(con, ids[1], relevant=True, topics=["energy"], actor="anna", at=now)
        add_relevance_label(con, ids[1], relevant=False, topics=[], actor="ben",
                            at=now.replace(year=now.year + 1))
    labels = {label.item_id: label for label in load_labels(db_path)}
    assert labels[ids[1]].relevant is False and labels[ids[1]].labelled_by == "ben"
    models = tmp_path / "models"
    assert main(["train", "--model-dir", str(models), "--epochs", "3"]) == 0
    assert "2 Team-Labels" in capsys.readouterr().out
    path = latest_model_path(models)
    assert path is not None and path.name.startswith("relevance-")
    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    assert meta["team_labels"] == 2 and meta["seed_labels"] > 50
    judge = get_judge(model_dir=models)
    assert judge.model_version == f"rules+model:{meta['version']}"
    result = judge.judge(JudgeInput(id="z", title="Entwurf eines Wärmeplanungsgesetzes", jurisdiction="de"))
    assert result.model_score is not None and 0 <= result.score <= 1


def test_train_rejects_bad_seed_file(tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "seed.tsv"
    bad.write_text("title\tsummary\tlanguage\trelevant\ttopics\nEin Titel\t\tde\tja\tenergy\n", encoding="utf-8")
    assert main(["train", "--seed-labels", str(bad), "--model-dir", str(tmp_path / "m")]) == 1
    err = capsys.readouterr().err
    assert "seed.tsv, line 2" in err


def test_jurisdiction_comes_from_feeds_toml_when_the_record_lacks_it(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(
        '[[source]]\nid = "govuk-open"\nname = "GOV.UK"\nurl = "https://www.gov.uk/search.atom"\nkind = "atom"\n'
        'publisher = "UK Government"\njurisdiction = "uk"\nlanguage = "en"\n', encoding="utf-8")
    monkeypatch.setenv("TRACKER_FEEDS", str(feeds))
    judge = Judge(load_taxonomy())
    line = json.dumps({"id": "u", "title": "Smart meter rollout: consultation on the next phase",
                       "source": "govuk-open"})
    out = json.loads(next(classify_lines([line], judge)))
    assert out["in_remit"] is False and out["relevant"] is False
    other = json.loads(next(classify_lines([line.replace("govuk-open", "unknown")], judge)))
    assert other["in_remit"] is True and other["relevant"] is True


@pytest.mark.parametrize("line, expected", [
    ('{"id": "a", "title": "Wärmeplanung"}  \n', None),
    (' \t{"id": "a", "title": "Wärmeplanung"}', None),
    ('{"id": "a", "title": "Wärmeplanung"} {"id": "b"}', "not valid JSON: Extra data (column 38)"),
    ('\ufeff{"id": "a", "title": "x"}', "not valid JSON: Unexpected UTF-8 BOM"),
    ('{"id": "a", "title": " "}', "'title' is required"),
])
def test_parse_line_accepts_white_space_and_refuses_lines_without_id_and_title(line: str,
                                                                               expected: str | None) -> None:
    from tracker.judge.classify import LineError, parse_line

    if expected is None:
        record = parse_line(line)
        assert (record.id, record.title, record.warnings) == ("a", "Wärmeplanung", [])
        return
    with pytest.raises(LineError) as exc:
        parse_line(line)
    assert str(exc.value).startswith(expected)
