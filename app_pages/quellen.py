"""Quellen: is every watched source working, and collect now."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from tracker import settings
from tracker.alerts import outbox, render, rules
from tracker.collect.run import run_collection
from tracker.storage import open_db
from tracker.storage.meta import demo_shift_days, recent_runs
from tracker.storage.sources import source_health
from tracker.ui import widgets
from tracker.ui.render import escape_markdown
from tracker.ui.widgets import guarded
from tracker.vocabulary import SourceHealth

ss = st.session_state
st.title("Quellen")

report = ss.pop("quellen_report", None)
if report:
    st.success(report)

if st.button("Jetzt sammeln", type="primary", key="quellen_collect"):
    bar = st.progress(0.0, text="Sammlung startet …")

    def progress(source_id: str, done: int, total: int) -> None:
        bar.progress(done / total if total else 1.0,
                     text=f"{done} von {total} Quellen abgerufen" + (f" (zuletzt: {source_id})" if source_id else ""))

    with guarded():
        result = run_collection(on_progress=progress)
    failed = len(result.failed)
    ss["quellen_report"] = (f"Sammlung fertig: {len(result.outcomes)} Quellen, {result.items_new} neue und "
                            f"{result.items_changed} geänderte Einträge, {failed} Quelle(n) mit Fehler.")
    for problem in result.config_problems:
        st.warning(problem)
    st.rerun()

with guarded(), open_db() as con:
    shift = demo_shift_days(con)
    health = source_health(con)
    runs = recent_runs(con, limit=5)
widgets.demo_banner(shift)

st.markdown("Die Quellen stehen in dieser Datei (bearbeiten, dann „Jetzt sammeln“):")
st.code(str(settings.get().feeds_path), language=None)

if not health:
    st.info("Noch keine Quellen bekannt. Quellen in der Datei oben eintragen und „Jetzt sammeln“ drücken.")
else:
    broken = sum(1 for h in health if h["state"] == SourceHealth.ERROR)
    st.metric("Quellen mit Fehler", broken, help="Quellen, deren letzter Abruf fehlgeschlagen ist")
    st.dataframe(pd.DataFrame([{
        "Zustand": SourceHealth.label_of(h["state"]), "Quelle": h["name"], "Aktiv": h["enabled"],
        "Rechtsraum": h["jurisdiction"], "Letzter Erfolg": widgets.fmt_datetime(h["last_success_at"]),
        "Letzter Versuch": widgets.fmt_datetime(h["last_attempt_at"]), "HTTP": h["last_status"],
        "Fehler in Folge": h["consecutive_failures"], "Meldung": h["last_error"] or h["last_warning"] or "",
        "Einträge (letzter Abruf)": h["last_item_count"], "Einträge gespeichert": h["items_stored"],
        "Dauer (ms)": h["last_duration_ms"], "Adresse": h["url"],
    } for h in health]), hide_index=True, width="stretch")

if runs:
    st.subheader("Letzte Sammlungen")
    st.dataframe(pd.DataFrame([{
        "Beginn": widgets.fmt_datetime(r["started_at"]), "Ende": widgets.run_end(r["finished_at"], r["outcome"]),
        "Quellen": r["sources_total"], "mit Fehler": r["sources_failed"], "neu": r["items_new"],
        "geändert": r["items_changed"]} for r in runs]), hide_index=True, width="stretch")

# A failed alert stays in the outbox until it is sent; the team has to see it here, not in a log.
st.subheader("Benachrichtigungen")
with guarded():
    alerts = outbox.status()
if not alerts.counts:
    st.info("Noch keine Benachrichtigungen. Sie entstehen, sobald jemand ein Abo hat "
            "(`tracker alerts subscribe`) und `tracker alerts run` oder der Zeitplan läuft.")
else:
    waiting, sent, failed = st.columns(3)
    waiting.metric("wartend", alerts.counts.get("pending", 0) + alerts.counts.get("sending", 0),
                   help="Berechnet, aber noch nicht gesendet (auch: gerade im Versand)")
    sent.metric("gesendet", alerts.counts.get("sent", 0))
    failed.metric("fehlgeschlagen", alerts.counts.get("failed", 0),
                  help="Werden mit wachsenden Pausen erneut versucht, bis sie durchgehen")
    stuck = [row for row in alerts.open_rows if row["status"] == "failed"]
    if stuck:
        st.error(f"{len(stuck)} Benachrichtigung(en) konnten nicht zugestellt werden. Letzter Fehler: "
                 f"{escape_markdown(stuck[0]['last_error'] or 'unbekannt')}", icon=":material/error:")
        st.dataframe(pd.DataFrame([{
            "Hinweis": render.headline(rules.Alert.from_payload(row["payload"])),
            "Kanal": row["channel"], "Empfänger": row["recipient"], "Versuche": row["attempts"],
            "Nächster Versuch": widgets.fmt_datetime(row["next_attempt_at"]),
            "Letzter Fehler": row["last_error"] or "",
        } for row in stuck]), hide_index=True, width="stretch")
