"""Quellen: is every watched source working, and collect now."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from tracker import settings
from tracker.collect import cadence, coverage
from tracker.collect.check import kind_label
from tracker.collect.run import run_collection
from tracker.collect.sources import SEVERITY_ERROR, load_sources
from tracker.errors import ConfigError
from tracker.ui import widgets
from tracker.ui.outbox_panel import render_outbox
from tracker.ui.render import escape_markdown
from tracker.ui.session import current_user
from tracker.ui.widgets import guarded
from tracker.vocabulary import SourceHealth
from tracker.work import lateness, views

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

registry = None
with guarded():
    try:
        registry = load_sources()
    except ConfigError as exc:  # the whole file is unreadable: say where, show what was stored
        st.error(f"feeds.toml kann nicht gelesen werden: {exc}")
configured = registry.known_ids if registry is not None else None
with guarded():
    read = views.collection_runs(current_user(), limit=5)
shift, runs = read.shift, read.data
with guarded():
    health = coverage.source_report(configured=configured)
widgets.demo_banner(shift)

st.markdown("Die Quellen stehen in dieser Datei (bearbeiten, dann „Jetzt sammeln“; `tracker sources check` "
            "prüft jede Adresse, ohne zu speichern):")
st.code(str(settings.get().feeds_path), language=None)

refused = [p for p in registry.problems if p.severity == SEVERITY_ERROR] if registry is not None else []
ignored = [p for p in registry.problems if p.severity != SEVERITY_ERROR] if registry is not None else []
if refused:
    st.subheader("Abgelehnte Einträge in feeds.toml")
    st.caption("Diese Einträge werden nicht gesammelt, bis der genannte Fehler behoben ist.")
    for problem in refused:
        st.error(escape_markdown(str(problem)))
for problem in ignored:
    st.warning(escape_markdown(str(problem)))

if not health:
    st.info("Noch keine Quellen bekannt. Quellen in der Datei oben eintragen und „Jetzt sammeln“ drücken.")
else:
    def count(state: str) -> int:
        return sum(1 for h in health if h["state"] == state)

    broken, overdue, warned, unconfigured = st.columns(4)
    broken.metric("Quellen mit Fehler", count(SourceHealth.ERROR),
                  help="Quellen, deren letzter Abruf fehlgeschlagen ist")
    overdue.metric("überfällig", count(SourceHealth.OVERDUE),
                   help="Ohne erfolgreichen Abruf oder ohne neuen Eintrag länger als erwartet "
                        "(expect_every in feeds.toml): Funkstille ist keine Entwarnung")
    warned.metric("mit Hinweis", count(SourceHealth.WARNING),
                  help="Gelesen, aber mit einem Hinweis (umgezogen, leer, Seitenobergrenze …)")
    unconfigured.metric("nicht mehr konfiguriert", count(SourceHealth.UNCONFIGURED),
                help="Früher gesammelt, nicht mehr in feeds.toml; ihre Einträge bleiben gespeichert")
    st.dataframe(pd.DataFrame([{
        "Zustand": SourceHealth.label_of(h["state"]), "Quelle": h["name"], "Aktiv": h["enabled"],
        "Urteil": h["overdue"] or h["last_verdict"] or h["last_error"] or "",
        "erwartet": f"alle {cadence.format_duration(h['expect_every'])}" if h["expect_every"] else "–",
        "spät entdeckt": (f"{h['late']} von {h['with_deadline']}" if h["with_deadline"] else "–"),
        "HTTP": str(h["last_status"] or "–"),
        "Art erkannt": kind_label(h["last_detected_kind"]) if h["last_pages"] else "–",
        "Inhaltstyp": h["last_content_type"] or "", "Einträge (letzter Abruf)": h["last_item_count"],
        "neuester Eintrag": widgets.fmt_datetime(h["last_newest_entry_at"]), "mit Frist": h["last_deadlines"],
        "Seiten": h["last_pages"], "Letzter Erfolg": widgets.fmt_datetime(h["last_success_at"]),
        "Letzter Versuch": widgets.fmt_datetime(h["last_attempt_at"]), "Fehler in Folge": h["consecutive_failures"],
        "Einträge gespeichert": h["items_stored"], "Rechtsraum": h["jurisdiction"], "Dauer (ms)": h["last_duration_ms"],
        "Adresse": h["url"], "Endadresse": h["last_final_url"] or "",
    } for h in health]), hide_index=True, width="stretch",
        column_config={"Urteil": st.column_config.TextColumn(width="large")})
    st.caption(f"„spät entdeckt“: Einträge mit Frist, die die Quelle mit weniger als {lateness.LATE_WORKING_DAYS} "
               "Arbeitstagen bis zur Frist brachte (der Erstimport einer Quelle zählt nicht). „erwartet“: wie oft die "
               "Quelle etwas Neues bringen sollte; länger still ist sie überfällig.")
    notes = [h for h in health if h["state"] in (SourceHealth.ERROR, SourceHealth.WARNING, SourceHealth.OVERDUE)
             or h["overdue"]]
    if notes:
        st.subheader("Meldungen in voller Länge")
        for h in notes:
            lines = [f"**{escape_markdown(h['name'])}** (`{h['id']}`)"]
            if h["overdue"]:
                lines.append(f"Überfällig: {escape_markdown(h['overdue'])}")
            verdict = h["last_verdict"] or ""
            if verdict:
                lines.append(f"Urteil: {escape_markdown(verdict)}")
            for message in dict.fromkeys(filter(None, [h["last_error"], h["last_warning"]])):
                if message not in verdict:
                    lines.append(f"Meldung beim Abruf: {escape_markdown(message)}")
            (st.error if h["state"] == SourceHealth.ERROR else st.warning)("  \n".join(lines))
    gone = [h for h in health if h["state"] == SourceHealth.UNCONFIGURED]
    if gone:
        st.subheader("Nicht mehr konfiguriert")
        st.caption("Diese Quellen stehen nicht mehr in feeds.toml und werden nicht mehr abgerufen; "
                   "ihre Einträge bleiben gespeichert.")
        for h in gone:
            stored = "1 Eintrag" if h["items_stored"] == 1 else f"{h['items_stored']} Einträge"
            st.markdown(f"- **{escape_markdown(h['name'])}** (`{h['id']}`): {stored} gespeichert, "
                        f"zuletzt versucht {widgets.fmt_datetime(h['last_attempt_at'])}")

if runs:
    st.subheader("Letzte Sammlungen")
    st.dataframe(pd.DataFrame([{
        "Beginn": widgets.fmt_datetime(r["started_at"]), "Ende": widgets.run_end(r["finished_at"], r["outcome"]),
        "Quellen": r["sources_total"], "mit Fehler": r["sources_failed"], "neu": r["items_new"],
        "geändert": r["items_changed"]} for r in runs]), hide_index=True, width="stretch")

# A failed alert stays in the outbox until it is sent; the team has to see it here, not in a log.
st.subheader("Benachrichtigungen")
render_outbox(deliveries=False)
