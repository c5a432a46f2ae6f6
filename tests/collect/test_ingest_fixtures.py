"""Every shared fixture document goes through `tracker ingest` without a traceback."""

from __future__ import annotations

import pytest

from tests.conftest import FEED_FIXTURES, require_shared
from tracker.cli.app import main
from tracker.storage import open_db

FIXTURE_FILES = sorted(p for p in FEED_FIXTURES.rglob("*") if p.is_file() and p.suffix in (".xml", ".json")) \
    if FEED_FIXTURES.exists() else []


def test_fixture_directory_is_present():
    require_shared(FEED_FIXTURES)
    assert len(FIXTURE_FILES) >= 30


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: str(p.relative_to(FEED_FIXTURES)))
def test_ingest_stores_items_or_records_a_clear_problem(path, db_path, capsys):
    code = main(["ingest", str(path)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    with open_db(db_path) as con:
        stored = con.execute("SELECT count(*) FROM items").fetchone()[0]
        error, warning = con.execute(
            "SELECT last_error, last_warning FROM sources WHERE id = 'manuell'").fetchone()
    if code == 0:
        assert stored > 0 or warning, f"{path.name}: nothing stored and no warning"
        assert error is None
    else:
        assert code == 1
        assert err.startswith("Fehler: ") and len(err.strip().splitlines()) == 1, err
        assert stored == 0
        assert error or "JSON" in err


def test_ingesting_the_same_file_twice_stores_nothing_twice(db_path, capsys, monkeypatch):
    import tracker.collect.run as collect_module

    judged: list[int] = []
    real = collect_module.judge_items
    monkeypatch.setattr(collect_module, "judge_items", lambda items, source=None: judged.append(len(items))
                        or real(items, source))
    path = require_shared(FEED_FIXTURES / "bundestag_webtv_plenarsitzung_19-037_podcast.rss.xml")
    assert main(["ingest", str(path)]) == 0
    assert main(["ingest", str(path)]) == 0
    assert judged == [50, 0]  # the second time every entry is known unchanged
    # Content, not layout: the words count, wherever an output device might break the line.
    out = " ".join(capsys.readouterr().out.split())
    assert "50 Einträge (50 neu" in out and "(0 neu, 0 geändert, 50 bekannt)" in out
    with open_db(db_path) as con:
        assert con.execute("SELECT count(*) FROM items").fetchone()[0] == 50


def test_unknown_file_is_one_clear_line(db_path, capsys, tmp_path):
    assert main(["ingest", str(tmp_path / "fehlt.xml")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Fehler: ") and "fehlt.xml" in err
