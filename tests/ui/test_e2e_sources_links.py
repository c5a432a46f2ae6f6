"""Debian Chromium on the Quellen page after a real collection (good, moved, HTML and empty
sources, a refused feeds.toml entry, a source no longer configured) and on the Vorgang page's
section "Dieselbe Vorlage auf EU-Ebene / im Bundestag / im Bundesrat" with its triage offer.

Screenshots go to artifacts/screenshots/ (quellen-pruefung.png, vorgang-verknuepft*.png).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.browser import chromium, form_with, new_page, open_page, screenshot, settle, streamlit_server
from tests.support.feeds import make_rss
from tests.support.feedserver import FeedServer
from tests.work.test_linking import BUNDESRAT, DIP_DRUCKSACHEN, DIP_VORGAENGE, EURLEX, REAL
from tracker.collect.run import ingest_document, run_collection
from tracker.collect.sources import load_sources
from tracker.models import Source
from tracker.storage import open_db
from tracker.storage.triage import triage_state

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as server:
        server.route("/good.xml", body=make_rss(3, prefix="gut"))
        server.route("/old.xml", redirect_to="/good.xml", status=301)
        server.route("/presse", body=b"<!DOCTYPE html><html><body>Presse</body></html>",
                     headers={"Content-Type": "text/html; charset=utf-8"})
        server.route("/empty.xml", body=make_rss(0))
        server.route("/broken.xml", status=500, body=b"Interner Fehler")
        yield server


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, feeds: FeedServer) -> Iterator[dict[str, str]]:
    tmp = tmp_path_factory.mktemp("sources")
    db = tmp / "tracker.duckdb"
    toml = tmp / "feeds.toml"
    entries = [("gut", "/good.xml"), ("umgezogen", "/old.xml"), ("webseite", "/presse"), ("leer", "/empty.xml"),
               ("kaputt", "/broken.xml")]
    blocks = ["[collector]\nretries = 0\n"]
    blocks += [f'[[source]]\nid = "{sid}"\nname = "Quelle {sid}"\nurl = "{feeds.url(path)}"\nkind = "rss"\n'
               f'jurisdiction = "de"\nlanguage = "de"\n' for sid, path in entries]
    # A DIP source without a key: its error is a long line that must be shown whole.
    dip_url = feeds.url("/api/v1/vorgang")
    blocks.append(f'[[source]]\nid = "dip"\nname = "DIP ohne Schlüssel"\nurl = "{dip_url}"\n'
                  'kind = "dip"\njurisdiction = "de"\nlanguage = "de"\n')
    blocks.append('[[source]]\nid = "tippfehler"\nname = "Falsche Art"\nurl = "https://example.org/feed"\n'
                  'kind = "rs"\njurisdiction = "de"\nlanguage = "de"\n')
    toml.write_text("\n".join(blocks), encoding="utf-8")
    saved = {key: os.environ.get(key) for key in ("TRACKER_DB", "TRACKER_FEEDS", "TRACKER_SECRETS", "DIP_API_KEY")}
    os.environ.pop("DIP_API_KEY", None)
    os.environ.update(TRACKER_DB=str(db), TRACKER_FEEDS=str(toml), TRACKER_SECRETS=str(tmp / "keine.toml"))
    try:
        # A source collected under an earlier feeds.toml.
        gone = Source("alte-quelle", "Alte Quelle", feeds.url("/good.xml"), "rss", "Alt", "de", "de")
        run_collection(registry=load_sources(_with(toml, tmp / "before.toml", gone)))
        run_collection(registry=load_sources(toml))
        for body, source in ((REAL / "vorgang_drucksache-289340.json", DIP_VORGAENGE),
                             (REAL / "drucksache_2026-07-06_2026-07-10.json", DIP_DRUCKSACHEN)):
            ingest_document(body.read_bytes(), source, url=source.url)
        ingest_document(make_rss(1, prefix="br", title_suffix=": Entwurf eines Gesetzes zur Änderung des "
                                 "Gebäudeenergiegesetzes - Drucksache 292/26"), BUNDESRAT, url=BUNDESRAT.url)
        ingest_document(make_rss(1, prefix="eurlex", title_suffix=": Directive (EU) 2024/1275 on the energy "
                                 "performance of buildings (recast)"), EURLEX, url=EURLEX.url)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    yield {**os.environ, "TRACKER_DB": str(db), "TRACKER_FEEDS": str(toml), "TRACKER_AUTH": "off",
           "TRACKER_LOCAL_USER": "team", "PYTHONUNBUFFERED": "1"}


def _with(toml: Path, target: Path, source: Source) -> Path:
    target.write_text(toml.read_text(encoding="utf-8") + f'\n[[source]]\nid = "{source.id}"\nname = "{source.name}"\n'
                      f'url = "{source.url}"\nkind = "rss"\njurisdiction = "de"\nlanguage = "de"\n', encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def app_url(env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with streamlit_server(env, tmp_path_factory.mktemp("log") / "streamlit.log") as url:
        yield url


@pytest.fixture(scope="module")
def page(app_url: str) -> Iterator[object]:
    with chromium() as browser:
        yield new_page(browser, height=2400)


# Data frames paint on a canvas a moment after the script run ends.
PAINT_MS = 2000


def test_quellen_shows_verdicts_refused_entries_and_unconfigured_sources(page: object, app_url: str) -> None:
    open_page(page, f"{app_url}/quellen", "Abgelehnte Einträge in feeds.toml", "quellen-pruefung", paint_ms=PAINT_MS)
    body = page.inner_text("body")  # type: ignore[attr-defined]
    assert "tippfehler" in body and "unbekannte Art 'rs'" in body
    assert "HTML-Seite statt Feed" in body and "Umgezogen: die Adresse leitet dauerhaft" in body
    assert "Leer: gültige Antwort ohne Einträge" in body
    # The full text of a long error, not clipped, and the old source named as no longer configured.
    assert "HTTP 500" in body
    assert "(oder einen eigenen) in der Umgebung oder in .streamlit/secrets.toml eintragen" in body
    assert "Nicht mehr konfiguriert" in body and "Alte Quelle" in body and "nie abgerufen" not in body


def _item_id(env: dict[str, str], guid: str) -> str:
    with open_db(env["TRACKER_DB"]) as con:
        return str(con.execute("SELECT id FROM items WHERE guid = ?", [guid]).fetchone()[0])


def test_vorgang_shows_the_vorlage_at_other_levels_and_offers_triage(page: object, app_url: str,
                                                                     env: dict[str, str]) -> None:
    law = _item_id(env, "dip:vorgang:334923")
    open_page(page, f"{app_url}/vorgang?item={law}", "Dieselbe Vorlage auf EU-Ebene / im Bundestag / im Bundesrat",
              "vorgang-verknuepft", paint_ms=PAINT_MS)
    body = page.inner_text("body")  # type: ignore[attr-defined]
    assert "Im Bundesrat" in body and "über BR-Drucksache 292/26" in body
    assert "Im Bundestag" in body and "über DIP-Vorgang 334923" in body
    assert "Nennen denselben EU-Rechtsakt (1)" in body
    form = form_with(page, "Verantwortlich")
    form.locator('[data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name="Beobachten").click()  # type: ignore[attr-defined]
    form.get_by_role("button", name="Speichern").click()
    page.get_by_text("Gespeichert (1 Änderung(en)).").wait_for(timeout=30_000)  # type: ignore[attr-defined]
    settle(page, paint_ms=PAINT_MS)
    offer = page.get_by_role("button", name="„Beobachten“ für 2 verknüpfte Einträge übernehmen")  # type: ignore[attr-defined]
    offer.scroll_into_view_if_needed()
    screenshot(page, "vorgang-verknuepft-angebot")
    offer.click()
    page.get_by_text("Einstufung „Beobachten“ bei 2 verknüpften Einträgen übernommen.").wait_for(timeout=30_000)  # type: ignore[attr-defined]
    settle(page, paint_ms=PAINT_MS)
    screenshot(page, "vorgang-verknuepft-uebernommen")
    with open_db(env["TRACKER_DB"]) as con:
        assert triage_state(con, _item_id(env, "br-0")).status == "beobachten"
        assert triage_state(con, _item_id(env, "dip:drucksache:289340")).status == "beobachten"
