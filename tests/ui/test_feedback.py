"""The judge against the team's own verdicts: only verdicts the judging model cannot have
learnt count (given after it was trained), shown on the Themen page and by `tracker train`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.cli import assert_no_traceback, tracker
from tests.ui.seed import Spec, seed
from tracker import clock
from tracker.access import auth
from tracker.access.permissions import PermissionDenied
from tracker.judge.model import VERSION_FORMAT
from tracker.models import User
from tracker.storage import open_db
from tracker.storage.triage import add_relevance_label
from tracker.work import feedback

TRAINED = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
MODEL = f"rules+model:{TRAINED:{VERSION_FORMAT}}"
TEAM = auth.LOCAL_USER


def label(db: Path, item_id: str, relevant: bool, at: datetime, actor: str = "anna") -> None:
    with open_db(db) as con:
        add_relevance_label(con, item_id, relevant=relevant, topics=[], actor=actor, at=at, note="")


@pytest.fixture
def verdicts(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Four items judged by a model of 1 November; the team's verdicts before and after it."""
    monkeypatch.setenv("TRACKER_LOCAL_USER", "anna")
    seed(db_path, [Spec("treffer", "Wärmeplanung: Leitfaden", score=0.8, model_version=MODEL),
                   Spec("fehlalarm", "Energieverbrauchskennzeichnung von Staubsaugern", score=0.7, model_version=MODEL),
                   Spec("uebersehen", "Konzessionsabgabenverordnung: Änderung", score=0.2, model_version=MODEL),
                   Spec("gelernt", "Messstellenbetriebsgesetz", score=0.3, model_version=MODEL),
                   Spec("regeln", "Tag der offenen Tür", score=0.1)])
    after = TRAINED + timedelta(days=3)
    label(db_path, "treffer", True, after)
    label(db_path, "fehlalarm", False, after + timedelta(hours=1))
    label(db_path, "uebersehen", False, after)
    label(db_path, "uebersehen", True, after + timedelta(days=1))  # the newest verdict counts
    label(db_path, "gelernt", True, TRAINED - timedelta(days=1))  # the model may have learnt this one
    label(db_path, "regeln", False, TRAINED - timedelta(days=30))  # rules learn nothing: unseen
    return db_path


def test_only_verdicts_the_model_never_saw_count(verdicts: Path) -> None:
    report = feedback.report(TEAM, today=clock.today())
    assert (report.unseen.both_relevant, report.unseen.false_alarms, report.unseen.missed,
            report.unseen.both_not) == (1, 1, 1, 1)
    assert report.unseen.precision == 0.5 and report.unseen.recall == 0.5
    assert report.learnt.verdicts == 1 and report.learnt.missed == 1
    assert [row["item_id"] for row in report.disagreements] == ["uebersehen", "fehlalarm"]  # newest first
    assert report.model_trained_at == TRAINED
    line = feedback.summary_line(report.unseen)
    assert line.startswith("4 Rückmeldungen des Teams, die das Modell nicht kannte")
    assert "50 % (1 Fehlalarm)" in line and "\n" not in line


def test_members_do_not_get_the_comparison(verdicts: Path) -> None:
    with pytest.raises(PermissionDenied):
        feedback.report(User(id="m", display_name="M", role="member", organisation_id="sw-a"),
                        today=clock.today())


def test_without_verdicts_the_line_says_so(db_path: Path) -> None:
    seed(db_path, [Spec("x", "Wärmeplanung", score=0.8, model_version=MODEL)])
    unseen = feedback.report(TEAM, today=clock.today()).unseen
    assert feedback.summary_line(unseen).startswith("Noch keine Rückmeldungen")


def test_themen_shows_the_comparison_and_the_disagreements(verdicts: Path, open_app: Callable[..., AppTest]) -> None:
    at = open_app("app_pages/themen.py")
    assert any(m.value.startswith("4 Rückmeldungen des Teams") for m in at.markdown)
    assert any("Modell vom 01.11.2026" in c.value for c in at.caption)
    assert any(c.value.startswith("1 ältere Rückmeldung kann") for c in at.caption)
    [table] = [d.value for d in at.dataframe if "Team" in d.value.columns]
    assert list(table["Titel"]) == ["Konzessionsabgabenverordnung: Änderung",
                                    "Energieverbrauchskennzeichnung von Staubsaugern"]
    assert list(table["Vorgang"]) == ["vorgang?item=uebersehen", "vorgang?item=fehlalarm"]


def test_train_says_how_the_judge_in_use_did(verdicts: Path, tmp_path: Path) -> None:
    result = tracker("train", "--model-dir", str(tmp_path / "models"), "--epochs", "1",
                     env={"TRACKER_DB": str(verdicts)})
    assert result.returncode == 0, result.stderr
    assert_no_traceback(result)
    [line] = [ln for ln in result.stdout.splitlines() if ln.startswith("Bisher:")]
    assert "4 Rückmeldungen des Teams" in line


def test_a_weekly_sample_of_hidden_items_asks_for_verdicts(verdicts: Path, open_app: Callable[..., AppTest]) -> None:
    now = datetime.now(UTC)
    seed(verdicts, [Spec(f"still{n}", f"Unbeachtete Meldung {n}", score=0.2) for n in range(12)]
         + [Spec("relevant", "Wärmenetze: Förderaufruf", score=0.9)])
    seed(verdicts, [Spec("alt", "Alte Meldung", score=0.1)], now=now - timedelta(weeks=6))
    today = clock.today()
    sample = feedback.report(TEAM, today=today).sample
    ids = [row["id"] for row in sample]
    # judged not relevant, no verdict yet, seen in the last four weeks; ten of the twelve
    assert len(ids) == feedback.SAMPLE_SIZE and set(ids) <= {f"still{n}" for n in range(12)}
    assert [row["id"] for row in feedback.report(TEAM, today=today).sample] == ids  # a reload shows the same
    label(verdicts, ids[0], False, now)
    again = [row["id"] for row in feedback.report(TEAM, today=today).sample]
    assert ids[0] not in again and set(ids[1:]) <= set(again)  # a verdict takes the item out
    with pytest.raises(PermissionDenied):
        feedback.report(User(id="m", display_name="M", role="member", organisation_id="sw-a"), today=today)

    at = open_app("app_pages/themen.py")
    [table] = [d.value for d in at.dataframe if "Erstmals gesehen" in d.value.columns]
    assert set(table["Titel"]) <= {f"Unbeachtete Meldung {n}" for n in range(12)} and len(table) == 10
    assert set(table["Vorgang"]) == {f"vorgang?item={i}" for i in again}
