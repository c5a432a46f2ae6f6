"""The alert outbox as the dashboard shows it: what is waiting, what failed and why, and the
last delivery attempts. One panel for the Quellen page (everyone who watches the sources sees
failed alerts there, not in a log) and the administrators' Benachrichtigungen page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from tracker.alerts import outbox, render, rules, subscriptions
from tracker.ui.render import escape_markdown
from tracker.ui.widgets import fmt_datetime, guarded

STATUS_LABELS = {"pending": "wartend", "sending": "im Versand", "failed": "fehlgeschlagen"}


def render_outbox(*, deliveries: bool = True) -> None:
    """Counts, undelivered alerts with their last error, and (``deliveries``) the last attempts."""
    with guarded():
        box = outbox.status()
    if not box.counts:
        st.info("Noch keine Benachrichtigungen. Sie entstehen, sobald jemand ein Abo hat "
                "(Seite Benachrichtigungen oder `tracker alerts subscribe`) und `tracker alerts run` "
                "oder der Zeitplan läuft.")
        return
    waiting, sent, failed = st.columns(3)
    waiting.metric("wartend", box.counts.get("pending", 0) + box.counts.get("sending", 0),
                   help="Berechnet, aber noch nicht gesendet (auch: gerade im Versand)")
    sent.metric("gesendet", box.counts.get("sent", 0))
    failed.metric("fehlgeschlagen", box.counts.get("failed", 0),
                  help="Werden mit wachsenden Pausen erneut versucht, bis sie durchgehen")
    stuck = [row for row in box.open_rows if row["status"] == "failed"]
    if stuck:
        st.error(f"{len(stuck)} Benachrichtigung(en) konnten nicht zugestellt werden. Letzter Fehler: "
                 f"{escape_markdown(stuck[0]['last_error'] or 'unbekannt')}", icon=":material/error:")
    if box.open_rows:
        st.markdown("**Noch nicht zugestellt**")
        st.dataframe(pd.DataFrame([{
            "Status": STATUS_LABELS.get(row["status"], row["status"]),
            "Letzter Fehler": row["last_error"] or "–",
            "Hinweis": render.headline(rules.Alert.from_payload(row["payload"])),
            "Empfänger": row["recipient"], "Kanal": subscriptions.channel_label(row["channel"]),
            "Versuche": row["attempts"], "Nächster Versuch": fmt_datetime(row["next_attempt_at"]),
        } for row in box.open_rows]), hide_index=True, width="stretch")
    if deliveries and box.recent_deliveries:
        st.markdown("**Letzte Zustellversuche**")
        st.dataframe(pd.DataFrame([{
            "Zeitpunkt": fmt_datetime(d["attempted_at"]), "Ergebnis": "zugestellt" if d["ok"] else "Fehler",
            "Empfänger": d["recipient"], "Kanal": subscriptions.channel_label(d["channel"]),
            "Hinweise": d["alert_count"], "Fehler": d["error"] or "–",
        } for d in box.recent_deliveries]), hide_index=True, width="stretch")
