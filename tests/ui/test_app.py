"""AppTest runs of every page against a seeded database: what is shown and what is stored."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.support import feedserver
from tests.support.feeds import make_rss, write_feeds_toml
from tests.support.feedserver import FeedServer
from tests.ui.conftest import APP
from tests.ui.seed import Spec, seed
from tracker.access import sessions
from tracker.access.auth import LOCAL_USER, create_user
from tracker.demo.loader import load_demo
from tracker.storage import open_db
from tracker.storage import triage as decisions
from tracker.ui.session import TOKEN_KEY
from tracker.ui.widgets import topic_label
from tracker.work.triage import TriageState

VORGANG = "app_pages/vorgang.py"
feed_server = feedserver.feed_server


def item_links(at: AppTest) -> list[str]:
    return [p.proto.label.strip("*").replace("\\", "") for p in at.page_link
            if p.proto.label and p.proto.label.startswith("**")]


def test_inbox_orders_by_relevance_and_urgency(seeded: Path, open_app: Callable[..., AppTest]) -> None:
    at = open_app()
    links = item_links(at)
    # "hot" (0.75, due in days) outranks "lora" (0.8, due in two months); noise (judged
    # not relevant) is hidden by default, and one click shows it, last.
    assert links[0].startswith("Referentenentwurf Wärmeplanungsgesetz")
    assert links[1].startswith("Frequenzen für LoRaWAN")
    assert not any(link.startswith("Pressemitteilung") for link in links)
    assert at.markdown[0].value == "**3** von 4 Einträgen"
    assert any("NEU" in m.value for m in at.markdown)  # first seen within the last week, no collection yet
    at.button(key="eingang_show_irrelevant").click().run()
    assert item_links(at)[-1].startswith("Pressemitteilung")


def test_inbox_filters_count_and_search(seeded: Path, open_app: Callable[..., AppTest]) -> None:
    at = open_app()
    topics = at.multiselect(key="inbox_topics")
    assert f"{topic_label('energy')} (1)" in topics.options
    assert f"{topic_label('water')} (0)" in topics.options
    topics.set_value(["energy"]).run()
    assert [link[:17] for link in item_links(at)] == ["Referentenentwurf"]
    # The source facet is counted without its own filter but with the topic filter.
    sources = at.multiselect(key="inbox_sources")
    assert any(o == "Bundesnetzagentur (1)" for o in sources.options), sources.options
    at.multiselect(key="inbox_topics").set_value([]).run()
    at.text_input(key="inbox_text").set_value("LoRaWAN 868").run()
    assert [link[:10] for link in item_links(at)] == ["Frequenzen"]
    at.text_input(key="inbox_text").set_value("").run()
    at.selectbox(key="inbox_sort").set_value("deadline").run()
    assert item_links(at)[0].startswith("Referentenentwurf")
    at.slider(key="inbox_min_score").set_value(70).run()  # per cent
    assert len(item_links(at)) == 2
    at.slider(key="inbox_min_score").set_value(0).run()
    at.text_input(key="inbox_text").set_value("Waermeplanungsgesetz").run()  # umlaut written out
    assert [link[:17] for link in item_links(at)] == ["Referentenentwurf"]
    assert not at.exception


def test_inbox_empty_state_explains_next_step(db_path: Path, open_app: Callable[..., AppTest]) -> None:
    at = open_app()
    assert "Noch keine Quellen" in at.info[0].value


def test_vorgang_triage_is_stored_with_who_and_when(seeded: Path, open_app: Callable[..., AppTest]) -> None:
    at = open_app(VORGANG, {"item": "hot"})
    assert any("<mark" in m.value and "Smart&#45;Meter&#45;Rollout" in m.value for m in at.markdown)
    at.selectbox[0].set_value("stellungnahme_geplant")
    at.button(key="FormSubmitter:triage_hot-Speichern").click().run()
    assert any("verantwortliche Person" in e.value for e in at.error)
    with open_db(seeded) as con:
        assert decisions.triage_events(con, "hot") == []
    at.selectbox[0].set_value("stellungnahme_geplant")
    at.selectbox[1].set_value("anna")
    at.button(key="FormSubmitter:triage_hot-Speichern").click().run()
    assert not at.exception
    with open_db(seeded) as con:
        state = decisions.triage_state(con, "hot")
        events = decisions.triage_events(con, "hot")
    assert (state.status, state.owner) == ("stellungnahme_geplant", "anna")
    assert {(e["action"], e["new_value"], e["actor"]) for e in events} == {
        ("status", "stellungnahme_geplant", "anna"), ("owner", "anna", "anna")}
    assert all(e["occurred_at"] is not None for e in events)
    assert any("Gespeichert (2" in s.value for s in at.success)


def test_vorgang_proposes_internal_dates_from_deadline(seeded: Path, open_app: Callable[..., AppTest],
                                                      day: date) -> None:
    at = open_app(VORGANG, {"item": "lora"})
    at.button(key="triage_propose").click().run()
    member, board = at.date_input(key="member_due_lora").value, at.date_input(key="board_due_lora").value
    assert member is not None and board is not None and member < board
    at.button(key="FormSubmitter:triage_lora-Speichern").click().run()
    with open_db(seeded) as con:
        state = decisions.triage_state(con, "lora")
        actions = {e["action"] for e in decisions.triage_events(con, "lora")}
    assert (state.member_input_due, state.board_signoff_due) == (member, board)
    assert actions == {"member_input_due", "board_signoff_due"}


def test_relevance_feedback_is_stored_for_training(seeded: Path, open_app: Callable[..., AppTest]) -> None:
    at = open_app(VORGANG, {"item": "noise"})
    at.radio[0].set_value("relevant")
    at.multiselect[0].set_value(["energy", "water"])
    at.text_input[0].set_value("doch wichtig")
    at.button(key="FormSubmitter:feedback_noise-Rückmeldung speichern").click().run()
    with open_db(seeded) as con:
        labels = decisions.relevance_labels(con, "noise")
    assert len(labels) == 1
    assert labels[0]["relevant"] is True and labels[0]["topics"] == ["energy", "water"]
    assert labels[0]["labelled_by"] == "anna" and labels[0]["note"] == "doch wichtig"


def test_vorgang_unknown_item(seeded: Path, open_app: Callable[..., AppTest]) -> None:
    at = open_app(VORGANG, {"item": "gibt-es-nicht"})
    assert "gibt es nicht" in at.warning[0].value


def test_fristen_lists_next_30_days_and_offers_ics(seeded: Path, open_app: Callable[..., AppTest]) -> None:
    at = open_app("app_pages/fristen.py")
    listed = at.dataframe[0].value
    assert list(listed["Titel"]) == ["Referentenentwurf Wärmeplanungsgesetz – Verbändeanhörung"]
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    assert at.download_button(key="fristen_ics")


def test_fristen_hides_closed_items(seeded: Path, open_app: Callable[..., AppTest], day: date) -> None:
    seed(seeded, [Spec("done", "Erledigte Anhörung", score=0.9, topics=("energy",), deadline=day)])
    with open_db(seeded) as con:
        decisions.save_triage(con, "hot", TriageState("erledigt"), actor="t", at=datetime.now(UTC))
    at = open_app("app_pages/fristen.py")
    assert "Referentenentwurf Wärmeplanungsgesetz – Verbändeanhörung" not in list(at.dataframe[0].value["Titel"])


def test_themen_topic_opens_filtered_inbox(seeded: Path, open_app: Callable[..., AppTest]) -> None:
    at = open_app("app_pages/themen.py")
    at.button(key="themen_topic_iot_networks").click().run()
    assert not at.exception
    assert at.session_state["inbox_topics"] == ["iot_networks"]
    assert [link[:10] for link in item_links(at)] == ["Frequenzen"]


def test_quellen_collects_now_with_progress(db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           feed_server: FeedServer, open_app: Callable[..., AppTest]) -> None:
    feed_server.route("/a.xml", body=make_rss(3, prefix="a"))
    feed_server.route("/kaputt.xml", status=500)
    feeds = write_feeds_toml(tmp_path / "feeds.toml", {"quelle-a": feed_server.url("/a.xml"),
                                                       "quelle-b": feed_server.url("/kaputt.xml")},
                             collector="retries = 0")
    monkeypatch.setenv("TRACKER_FEEDS", str(feeds))
    at = open_app("app_pages/quellen.py")
    assert str(feeds) in at.code[0].value
    assert "Noch keine Quellen" in at.info[0].value
    at.button(key="quellen_collect").click().run()
    assert not at.exception
    assert "3 neue" in at.success[0].value and "1 Quelle(n) mit Fehler" in at.success[0].value
    table = at.dataframe[0].value.set_index("Quelle")
    assert table.loc["Quelle quelle-a", "Zustand"] == "OK"
    assert table.loc["Quelle quelle-a", "Einträge gespeichert"] == 3
    assert table.loc["Quelle quelle-b", "Zustand"] == "Fehler"
    assert at.metric[0].value == "1"
    at.switch_page("app_pages/eingang.py").run()
    assert len(item_links(at)) == 3


def test_changed_items_are_marked_until_triaged(seeded: Path, open_app: Callable[..., AppTest], day: date) -> None:
    changed = Spec("lora", "Frequenzen für LoRaWAN-Netze der Versorger (verlängert)", "Anhörung zu 450 MHz.",
                   source_id="eu-hys", score=0.8, topics=("iot_networks",), deadline=day + timedelta(days=70),
                   stage="consultation")
    seed(seeded, [changed])
    at = open_app()
    at.checkbox(key="inbox_only_changed").check().run()
    assert [link[:10] for link in item_links(at)] == ["Frequenzen"]
    assert any("GEÄNDERT" in m.value for m in at.markdown)
    with open_db(seeded) as con:
        decisions.save_triage(con, "lora", TriageState("beobachten"), actor="anna", at=datetime.now(UTC))
    at.run()
    assert item_links(at) == []
    detail = open_app(VORGANG, {"item": "lora"})
    history = next(df.value for df in detail.dataframe if "Titel vorher" in df.value.columns)
    assert "Frequenzen für LoRaWAN-Netze der Versorger" in set(history["Titel vorher"])


def test_shifted_demo_data_is_announced(db_path: Path, open_app: Callable[..., AppTest]) -> None:
    report = load_demo(db_path)
    at = open_app()
    assert any("Demodaten" in i.value and f"{report.shift_days} Tage" in i.value for i in at.info)
    fristen = open_app("app_pages/fristen.py")
    assert any("Demodaten" in i.value and "Tage" in i.value for i in fristen.info)
    # A demo database offers its shifted dates for download, marked as demo data; the
    # calendar files `tracker ics` writes for subscription never carry them.
    assert any("Demodaten" in c.value and "verschoben" in c.value for c in fristen.caption)
    assert fristen.get("download_button")


def test_signed_in_user_is_the_actor(seeded: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_AUTH", "on")
    at = AppTest.from_file(str(APP), default_timeout=60)
    berta = create_user(LOCAL_USER, login="berta.team", display_name="Berta", password="ein-langes-passwort",
                        role="team")
    at.session_state[TOKEN_KEY] = sessions.start(berta).token  # a live server-side session
    at.run()
    at.switch_page(VORGANG)
    at.query_params["item"] = "xss"
    at.run()
    at.selectbox[0].set_value("beobachten")
    at.button(key="FormSubmitter:triage_xss-Speichern").click().run()
    with open_db(seeded) as con:
        assert [e["actor"] for e in decisions.triage_events(con, "xss")] == ["berta.team"]


def test_vorgang_asks_to_check_a_possible_deadline_and_takes_it_over(
        db_path: Path, open_app: Callable[..., AppTest], day: date, monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker.judge.types import PossibleDeadline
    from tracker.storage.inbox import item_detail

    monkeypatch.setenv("TRACKER_LOCAL_USER", "anna")
    sentence = "Ein 3. Förderaufruf ist für den Sommer geplant, Skizzen wohl bis Mitte September."
    possible = day + timedelta(days=40)
    seed(db_path, [Spec("aufruf", "Förderaufruf Wärmenetze", summary=sentence, score=0.8, topics=("energy",),
                        possible=PossibleDeadline(possible, sentence, 0.34))])
    inbox = open_app()
    assert any(f"Frist prüfen: {possible:%d.%m.%Y}?" in m.value for m in inbox.markdown)
    at = open_app(VORGANG, {"item": "aufruf"})
    [warning] = [w.value for w in at.warning if "Frist prüfen" in w.value]
    assert f"{possible:%d.%m.%Y}" in warning and "34 %" in warning and "keinem Kalender" in warning
    assert any("Förderaufruf ist für den Sommer geplant" in m.value for m in at.markdown)
    assert at.date_input(key="deadline_day_aufruf").value == possible
    at.date_input(key="deadline_day_aufruf").set_value(possible + timedelta(days=1))
    at.button(key="FormSubmitter:deadline_aufruf-Frist übernehmen").click().run()
    assert not at.exception and not at.error
    with open_db(db_path) as con:
        detail = item_detail(con, "aufruf")
    assert (detail["deadline"], detail["deadline_origin"]) == (possible + timedelta(days=1), "team")
    assert any("übernommen" in s.value for s in at.success)
    assert not [w for w in at.warning if "Frist prüfen" in w.value]  # a deadline now, no longer a possible one
    assert any("vom Team übernommen" in c.value for c in at.caption)
    inbox = open_app()
    assert not any("Frist prüfen" in m.value for m in inbox.markdown)
    assert any(f"Frist {possible + timedelta(days=1):%d.%m.%Y} (noch" in m.value for m in inbox.markdown)


def test_fristen_lists_possible_deadlines_for_the_team_to_check(
        seeded: Path, open_app: Callable[..., AppTest], day: date) -> None:
    from tracker.judge.types import PossibleDeadline

    sentence = "Ein weiterer Förderaufruf ist für Herbst geplant."
    seed(seeded, [Spec("herbst", "Förderaufruf Wärmenetze: weiterer Aufruf", summary=sentence, score=0.7,
                       topics=("energy",), possible=PossibleDeadline(day + timedelta(days=20), sentence, 0.3)),
                  Spec("vorbei", "Förderaufruf alt", score=0.7, topics=("energy",),
                       possible=PossibleDeadline(day - timedelta(days=1), "alt", 0.3)),
                  Spec("befristet", "Förderaufruf mit Frist", score=0.7, topics=("energy",),
                       deadline=day + timedelta(days=30),
                       possible=PossibleDeadline(day + timedelta(days=10), "Zwischentermin", 0.3))])
    at = open_app("app_pages/fristen.py")
    [check] = [d.value for d in at.dataframe if "Vielleicht am" in d.value.columns]
    # a past one is no news, and an item with a deadline has nothing to check
    assert list(check["Titel"]) == ["Förderaufruf Wärmenetze: weiterer Aufruf"]
    assert list(check["Vielleicht am"]) == [f"{day + timedelta(days=20):%d.%m.%Y}"]
    assert list(check["Satz"]) == [sentence] and list(check["Wahrscheinlichkeit"]) == [30]
