"""AppTest runs of what the dashboard shows from the other parts: the alert outbox on
Quellen, the alerts calendars on Fristen, the submission record on Vorgang, and the
scheduler started once per process."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from icalendar import Calendar
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from tests.alerts import seed as alert_seed
from tests.alerts.smtp_server import SmtpServer
from tests.ui.seed import Spec, seed
from tracker import scheduler
from tracker.alerts import outbox, subscriptions
from tracker.alerts.ical import event_uid
from tracker.storage import open_db
from tracker.storage.triage import save_triage
from tracker.ui.session import local_user
from tracker.ui.widgets import topic_label
from tracker.work import statement, workspaces
from tracker.work.triage import TriageState

VORGANG = "app_pages/vorgang.py"
FRISTEN = "app_pages/fristen.py"
QUELLEN = "app_pages/quellen.py"


def texts(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "error", "warning", "success")
             for e in at.get(kind)]
    return "\n".join(str(p) for p in parts)


# --- Quellen: the alert outbox ----------------------------------------------------------

def test_quellen_without_alerts_says_so(seeded: Path, open_app: Callable[..., AppTest]) -> None:
    at = open_app(QUELLEN)
    assert any(s.value == "Benachrichtigungen" for s in at.subheader)
    assert any("Noch keine Benachrichtigungen" in i.value for i in at.info)
    assert not [m for m in at.metric if m.label == "fehlgeschlagen"]


def test_failed_alert_stays_visible_on_quellen(seeded: Path, open_app: Callable[..., AppTest],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    alert_seed.add_user(seeded, "bea", "bea@stadtwerke.example")
    subscriptions.subscribe("bea", topics=["energy"], min_score=0.5, db_path=seeded)
    with SmtpServer() as smtp:
        monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("SMTP_PORT", str(smtp.port))
        monkeypatch.setenv("SMTP_STARTTLS", "false")
        monkeypatch.setenv("SMTP_FROM", "Konsultationsradar <radar@verband.example>")
        smtp.handler.refuse = ["451 4.2.2 Postfach voll, bitte spaeter"] * 10
        report = outbox.run(policy=outbox.SendPolicy(tries=2, pauses=(0.0,), sleep=lambda _: None),
                            db_path=seeded)
    assert report.failed and not report.sent
    failed = outbox.status(db_path=seeded).counts["failed"]

    at = open_app(QUELLEN)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["fehlgeschlagen"] == str(failed) and metrics["gesendet"] == "0"
    table = next(df.value for df in at.dataframe if "Letzter Fehler" in df.value.columns)
    assert len(table) == failed
    assert all("Postfach voll" in error for error in table["Letzter Fehler"])
    assert set(table["Empfänger"]) == {"bea@stadtwerke.example"}
    assert set(table["Kanal"]) == {subscriptions.channel_label("email")}  # German label, not the code
    assert set(table["Versuche"]) == {2}
    assert all(when != "–" for when in table["Nächster Versuch"])
    assert any("Referentenentwurf Wärmeplanungsgesetz" in hint for hint in table["Hinweis"])
    assert any("nicht zugestellt" in e.value and "Postfach voll" in e.value for e in at.error)


# --- Fristen: alerts calendars, one per topic -------------------------------------------

@pytest.fixture
def media(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """File id -> bytes of every file a page hands to Streamlit (AppTest forgets them after a run)."""
    stored: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def spy(self: MemoryMediaFileStorage, path_or_data: Any, mimetype: str, kind: Any,
            filename: str | None = None) -> str:
        file_id = original(self, path_or_data, mimetype, kind, filename)
        stored[file_id] = path_or_data if isinstance(path_or_data, bytes) else Path(path_or_data).read_bytes()
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", spy)
    return stored


def download(at: AppTest, key: str, media: dict[str, bytes]) -> Calendar:
    button = next(b for b in at.get("download_button") if b.proto.id.endswith(f"-{key}"))
    file_id = button.proto.url.rsplit("/", 1)[-1].split(".", 1)[0]
    return Calendar.from_ical(media[file_id])


def uids(cal: Calendar) -> set[str]:
    return {str(e["UID"]) for e in cal.walk("VEVENT")}


def test_fristen_topic_calendar_holds_only_that_topic(seeded: Path, open_app: Callable[..., AppTest],
                                                     media: dict[str, bytes], day: date) -> None:
    seed(seeded, [Spec("wasser", "Anhörung Trinkwasserverordnung", score=0.7, topics=("water", "energy"),
                       deadline=day + timedelta(days=10), stage="consultation")])
    with open_db(seeded) as con:
        save_triage(con, "lora", TriageState("beobachten", None, day + timedelta(days=40)),
                    actor="anna", at=datetime.now(UTC))
    at = open_app(FRISTEN)
    topics = at.selectbox(key="fristen_topic")
    assert set(topics.options) == {topic_label(t) for t in ("energy", "iot_networks", "water")}
    everything = download(at, "fristen_ics", media)
    assert uids(everything) == {event_uid("hot", "external"), event_uid("lora", "external"),
                                event_uid("lora", "member_input"), event_uid("wasser", "external")}

    topics.set_value("iot_networks").run()
    lora = download(at, "fristen_ics_topic", media)
    assert uids(lora) == {event_uid("lora", "external"), event_uid("lora", "member_input")}
    assert all("LoRaWAN" in str(e["SUMMARY"]) for e in lora.walk("VEVENT"))

    at.selectbox(key="fristen_topic").set_value("energy").run()
    energy = download(at, "fristen_ics_topic", media)
    assert uids(energy) == {event_uid("hot", "external"), event_uid("wasser", "external")}


def test_fristen_calendar_marks_a_moved_deadline_as_newer(seeded: Path, open_app: Callable[..., AppTest],
                                                         media: dict[str, bytes], day: date) -> None:
    seed(seeded, [Spec("lora", "Frequenzen für LoRaWAN-Netze der Versorger", "Anhörung zu 450 MHz und 868 MHz.",
                       source_id="eu-hys", score=0.8, topics=("iot_networks",), deadline=day + timedelta(days=75),
                       stage="consultation")])
    at = open_app(FRISTEN)
    at.selectbox(key="fristen_topic").set_value("iot_networks").run()
    (event,) = download(at, "fristen_ics_topic", media).walk("VEVENT")
    assert event.decoded("DTSTART") == day + timedelta(days=75)
    assert int(event["SEQUENCE"]) == 1 and "LAST-MODIFIED" in event


# --- Vorgang: the submission record -----------------------------------------------------

def test_vorgang_shows_submission_record(seeded: Path, open_app: Callable[..., AppTest], day: date) -> None:
    team = local_user()
    with open_db(seeded) as con:
        save_triage(con, "hot", TriageState("stellungnahme_geplant", "anna"), actor="anna", at=datetime.now(UTC))
    workspaces.open_workspace(team, "hot")
    statement.save_version(team, "hot", "# Stellungnahme\n\nDer Verband begrüßt den Entwurf.\n")
    letter = b"PK\x03\x04 die gesendete Fassung"
    sent = statement.record_submission(team, "hot", version=1, submitted_on=day, channel="Beteiligungsportal",
                                       file_bytes=letter, file_name="stellungnahme-v1.docx", file_format="docx",
                                       recipient="https://beteiligung.example/wpg")

    at = open_app(VORGANG, {"item": "hot"})
    shown = texts(at)
    assert f"Eingereicht am {day:%d.%m.%Y}** per Beteiligungsportal" in shown
    assert f"SHA-256 `{sent['file_sha256'][:12]}`" in shown and "Version 1" in shown
    assert "Entwurf:** Version 1" in shown and "erfasst von anna" in shown
    link = next(p for p in at.page_link if p.proto.label == "Stellungnahme öffnen")
    assert link.proto.page == "stellungnahmen" and link.proto.query_string == "item=hot"


def test_vorgang_without_workspace_points_to_stellungnahmen(seeded: Path,
                                                            open_app: Callable[..., AppTest]) -> None:
    at = open_app(VORGANG, {"item": "lora"})
    assert "Noch kein Arbeitsbereich" in texts(at)
    assert "Eingereicht am" not in texts(at)


# --- the scheduler ----------------------------------------------------------------------

def _scheduler_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "tracker-scheduler" and t.is_alive()]


@pytest.fixture
def fresh_scheduler(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """No scheduler from an earlier test, ticks recorded instead of run (a real tick would
    collect and send from whatever database the environment names when it fires)."""
    ticks: list[dict[str, Any]] = []
    monkeypatch.setattr(scheduler, "tick", lambda **kwargs: ticks.append(kwargs))
    monkeypatch.setattr(scheduler, "_instance", None)
    st.cache_resource.clear()
    yield ticks
    if scheduler._instance is not None:
        scheduler._instance.stop()
    st.cache_resource.clear()


def test_scheduler_off_without_setting(seeded: Path, open_app: Callable[..., AppTest],
                                       monkeypatch: pytest.MonkeyPatch, fresh_scheduler: list[Any]) -> None:
    monkeypatch.delenv("TRACKER_SCHEDULE_MINUTES", raising=False)
    open_app()
    assert scheduler._instance is None and _scheduler_threads() == []


def test_scheduler_started_once_per_process(seeded: Path, open_app: Callable[..., AppTest],
                                            monkeypatch: pytest.MonkeyPatch, fresh_scheduler: list[Any]) -> None:
    monkeypatch.setenv("TRACKER_SCHEDULE_MINUTES", "60")
    first = open_app()
    started = scheduler._instance
    assert started is not None and started.running and started.interval == timedelta(minutes=60)
    first.run()
    open_app(QUELLEN)  # a second session
    assert scheduler._instance is started and len(_scheduler_threads()) == 1


def test_bad_schedule_setting_is_shown_not_raised(seeded: Path, open_app: Callable[..., AppTest],
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  fresh_scheduler: list[Any]) -> None:
    monkeypatch.setenv("TRACKER_SCHEDULE_MINUTES", "stündlich")
    at = open_app()
    assert any("TRACKER_SCHEDULE_MINUTES" in w.value for w in at.sidebar.warning)
    assert scheduler._instance is None
