"""Benachrichtigungen: each user's own alert subscriptions and personal calendar address;
administrators also see the outbox (what is waiting, what failed, the last deliveries)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from tracker import settings
from tracker.access import auth
from tracker.alerts import feeds, rules, subscriptions
from tracker.errors import UserError
from tracker.ui import widgets
from tracker.ui.outbox_panel import render_outbox
from tracker.ui.render import escape_markdown
from tracker.ui.session import current_user
from tracker.ui.widgets import fmt_datetime, guarded, topic_label
from tracker.vocabulary import Role

ss = st.session_state
user = current_user()
st.title("Benachrichtigungen")
flash = ss.pop("alerts_flash", None)
if flash:
    st.success(flash)


def done(message: str) -> None:
    ss["alerts_flash"] = message
    st.rerun()


def server_address() -> str:
    """Where this dashboard is reached, as the browser sees it (the calendar address must
    work from the user's calendar app); the setting TRACKER_BASE_URL when unknown."""
    seen = urlsplit(st.context.url or "")
    return f"{seen.scheme}://{seen.netloc}" if seen.scheme and seen.netloc else settings.get().base_url


# --- subscriptions ------------------------------------------------------------------------
st.subheader("Meine Abos")
st.caption("E-Mails oder Nachrichten in den Team-Chat: Erinnerungen vor Fristen (in Arbeitstagen), neue "
           "relevante Veröffentlichungen, verschobene Fristen, Quellen mit Fehlern.")
with guarded():
    mine = subscriptions.mine(user)
    channels = subscriptions.channels_for(user)
with guarded():
    address = (auth.get_user(user.id) or user).email
with st.form("alerts_email"):
    st.markdown(f"**E-Mail-Adresse für Benachrichtigungen:** {escape_markdown(address or 'keine hinterlegt')}")
    typed = st.text_input("Neue Adresse", key="alerts_email_value", placeholder="name@organisation.de")
    if st.form_submit_button("Adresse speichern"):
        try:
            stored = auth.set_email(user, user.id, typed)
        except UserError as exc:
            st.error(str(exc))
        else:
            ss.pop("alerts_email_value", None)
            done(f"E-Mail-Adresse gespeichert: {stored}." if stored else "E-Mail-Adresse entfernt.")
if not mine:
    st.caption("Noch keine Abos.")
else:
    st.dataframe(pd.DataFrame([{
        "Nr.": s["id"], "aktiv": "ja" if s["active"] else "pausiert",
        "Themen": ", ".join(topic_label(t) for t in s["topics"]) or "alle",
        "Mindestrelevanz": f"{round(s['min_score'] * 100)} %",
        "Kanäle": ", ".join(subscriptions.channel_label(c) for c in s["channels"]),
        "Versand": subscriptions.MODE_LABELS.get(s["mode"], s["mode"]),
        "Arten": ", ".join(rules.KIND_LABELS.get(k, k) for k in s["kinds"]),
        "Erinnerung (Arbeitstage vorher)": ", ".join(str(d) for d in s["reminder_days"]) or "–",
    } for s in mine]), hide_index=True, width="stretch")
    c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
    picked = c1.selectbox("Abo", [s["id"] for s in mine], key="alerts_pick",
                          format_func=lambda i: f"Nr. {i}")
    current = next(s for s in mine if s["id"] == picked)
    if c2.button("Fortsetzen" if not current["active"] else "Pausieren", key="alerts_toggle"):
        with guarded():
            subscriptions.set_mine_active(user, picked, not current["active"])
        done(f"Abo Nr. {picked} {'fortgesetzt' if not current['active'] else 'pausiert'}.")

with st.expander("Neues Abo", expanded=not mine), st.form("alerts_new"):
    topics = st.multiselect("Themen (leer: alle)", list(widgets.topic_labels()), format_func=topic_label,
                            select_all=False, key="alerts_topics", placeholder="alle Themen")
    c1, c2 = st.columns(2)
    min_score = c1.slider("Mindestrelevanz", 0, 100, round(rules.DEFAULT_MIN_SCORE * 100), step=5,
                          format="%d %%", key="alerts_min_score")
    mode = c2.selectbox("Versand", rules.MODES, format_func=lambda m: subscriptions.MODE_LABELS.get(m, m),
                        key="alerts_mode")
    chosen_channels = st.multiselect("Kanäle", channels, default=["email"], format_func=subscriptions.channel_label,
                                     select_all=False, key="alerts_channels")
    kinds = st.multiselect("Worüber", rules.ALERT_KINDS, default=list(rules.ALERT_KINDS),
                           format_func=lambda k: rules.KIND_LABELS.get(k, k), select_all=False, key="alerts_kinds")
    days = st.multiselect("Erinnern (Arbeitstage vor einer Frist)", [0, 1, 2, 3, 5, 10, 15, 20],
                          default=list(rules.DEFAULT_REMINDER_DAYS), select_all=False, key="alerts_days",
                          format_func=lambda d: "am Tag selbst" if d == 0 else f"{d} Arbeitstag(e) vorher")
    if st.form_submit_button("Abo anlegen", type="primary"):
        try:
            number = subscriptions.subscribe_me(user, topics=topics, min_score=min_score / 100,
                                                channels=chosen_channels, mode=mode, kinds=kinds,
                                                reminder_days=days)
        except UserError as exc:
            st.error(str(exc))
        else:
            done(f"Abo Nr. {number} angelegt.")

# --- calendar subscription ----------------------------------------------------------------
st.subheader("Kalender abonnieren")
st.caption("Eine persönliche, geheime Adresse für Outlook („Kalender hinzufügen → Aus dem Internet“), "
           "Thunderbird („Neuer Kalender → Im Netzwerk“) oder Apple Kalender („Ablage → Neues Kalenderabonnement“). "
           + ("Sie enthält die Fristen, denen das Team folgt, mit den internen Terminen." if user.is_team
               else "Sie enthält die Konsultationen, zu denen Ihre Organisation angefragt ist.")
           + " Wer die Adresse kennt, sieht diese Termine: nicht weitergeben; bei Verdacht widerrufen.")
new_path = ss.pop("alerts_new_calendar", None)
if new_path:
    st.success("Ihre Kalender-Adresse (wird nur jetzt angezeigt – bitte gleich in den Kalender übernehmen):")
    st.code(server_address() + new_path, language=None)
with guarded():
    feed = feeds.status(user)
if feed is None:
    st.caption("Noch keine Kalender-Adresse.")
else:
    st.markdown(f"Adresse erzeugt am {fmt_datetime(feed.created_at)} · zuletzt abgerufen: "
                f"{fmt_datetime(feed.last_fetched_at)} · {feed.fetches} Abruf(e)")
c1, c2 = st.columns(2)
if c1.button("Neue Kalender-Adresse erzeugen" if feed else "Kalender-Adresse erzeugen", key="alerts_calendar_new",
             help="Eine frühere Adresse hört dabei auf zu funktionieren."):
    with guarded():
        ss["alerts_new_calendar"] = feeds.create(user)
    done("Kalender-Adresse erzeugt.")
if feed and c2.button("Adresse widerrufen", key="alerts_calendar_revoke"):
    with guarded():
        feeds.revoke(user)
    done("Kalender-Adresse widerrufen: sie liefert keine Termine mehr.")

# --- outbox (administrators) --------------------------------------------------------------
if user.role == Role.ADMIN:
    st.subheader("Postausgang")
    render_outbox()
