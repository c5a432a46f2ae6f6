"""Anmeldung: the first page while nobody is signed in (setting TRACKER_AUTH, on by default)."""

from __future__ import annotations

import json

import streamlit as st

from tracker.access import auth, exposure
from tracker.demo import members as demo_members
from tracker.errors import UserError
from tracker.ui import session

st.title("Anmeldung")
st.caption("Konsultationsradar – Beobachtung, Positionen der Mitglieder und gemeinsame Stellungnahmen.")

if not auth.has_users():
    st.warning("In dieser Datenbank gibt es noch keine Benutzer. Ersten Zugang anlegen mit "
               "`tracker users add admin --role admin` (oder Demo-Zugänge mit `tracker users demo`); "
               "für eine Einzelplatz-Installation ohne Anmeldung `TRACKER_AUTH=off` setzen.")

with st.form("login_form"):
    login = st.text_input("Benutzername", key="login_name", autocomplete="username")
    password = st.text_input("Passwort", type="password", key="login_password", autocomplete="current-password")
    submitted = st.form_submit_button("Anmelden", type="primary")

if submitted:
    try:
        user = auth.authenticate(login, password)
    except UserError as exc:
        st.error(str(exc))
    else:
        session.sign_in(user)
        st.session_state.pop("login_password", None)
        st.rerun()

if exposure.demo_logins_visible(st.get_option("server.address"), demo_present=auth.demo_logins_present()):
    demo = json.loads(demo_members.DEMO_MEMBERS_PATH.read_text(encoding="utf-8"))
    with st.expander("Demo-Zugänge (nur weil diese Datenbank Demo-Daten enthält)", expanded=True):
        st.caption("Erfundene Organisationen und Zugänge zum Ausprobieren. In einer echten Installation "
                   "gibt es sie nicht: dann steht hier nichts.")
        st.table([{"Benutzername": u["login"], "Passwort": u["password"], "Rolle": u["role"],
                   "Organisation": u.get("organisation_id") or "–"} for u in demo["users"]])
