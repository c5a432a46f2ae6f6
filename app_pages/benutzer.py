"""Benutzer: administrators manage users and member organisations."""

from __future__ import annotations

import streamlit as st

from tracker.access import auth
from tracker.ui.session import current_user
from tracker.ui.widgets import guarded, reported
from tracker.vocabulary import Role
from tracker.work import organisations

user = current_user()
st.title("Benutzer und Mitglieder")
with guarded():
    users = auth.list_users(user)
    orgs = organisations.organisations()

st.subheader("Benutzer")
st.dataframe(
    [{"Benutzer": u["id"], "Name": u["display_name"], "Rolle": Role.label_of(u["role"]),
      "Organisation": u["organisation_id"] or "–", "aktiv": u["active"], "Demo": u["is_demo"],
      "letzte Anmeldung": u["last_login_at"]} for u in users],
    hide_index=True, width="stretch")

org_names = {o["id"]: o["name"] for o in orgs}
left, right = st.columns(2)
with left, st.form("user_add", clear_on_submit=True):
    st.markdown("**Benutzer anlegen**")
    login = st.text_input("Benutzername", key="new_login")
    name = st.text_input("Anzeigename", key="new_name")
    role = st.selectbox("Rolle", Role.codes(), format_func=Role.label_of, key="new_role")
    org = st.selectbox("Organisation (für Mitglieder)", [None, *org_names], key="new_org",
                       format_func=lambda o: "–" if o is None else org_names[o])
    email = st.text_input("E-Mail", key="new_email")
    password = st.text_input("Erstes Passwort (mind. 10 Zeichen)", type="password", key="new_password")
    if st.form_submit_button("Anlegen"):
        with reported():
            made = auth.create_user(user, login=login, display_name=name, password=password, role=role,
                                    organisation_id=org, email=email or None)
            st.success(f"Benutzer {made.id} angelegt.")

with right:
    with st.form("user_passwd", clear_on_submit=True):
        st.markdown("**Passwort setzen**")
        target = st.selectbox("Benutzer", [u["id"] for u in users], key="pw_user")
        new_pw = st.text_input("Neues Passwort", type="password", key="pw_new")
        if st.form_submit_button("Passwort setzen"):
            with reported():
                auth.set_password(user, target, new_pw)
                st.success(f"Passwort von {target} geändert.")
    with st.form("user_active"):
        st.markdown("**Zugang sperren / entsperren**")
        target = st.selectbox("Benutzer", [u["id"] for u in users], key="act_user")
        active = st.toggle("aktiv", value=True, key="act_value")
        if st.form_submit_button("Speichern"):
            with reported():
                auth.set_active(user, target, active)
                st.success(f"{target}: {'aktiv' if active else 'gesperrt'}.")

st.subheader("Mitgliedsorganisationen")
st.dataframe([{"Kennung": o["id"], "Name": o["name"], "Kurzname": o["short_name"], "Art": o["kind"],
               "Kontakt": o["contact_name"], "E-Mail": o["contact_email"], "Demo": o["is_demo"]} for o in orgs],
             hide_index=True, width="stretch")
with st.form("org_save", clear_on_submit=True):
    st.markdown("**Organisation anlegen oder ändern** (gleiche Kennung überschreibt)")
    c1, c2, c3 = st.columns(3)
    oid = c1.text_input("Kennung", key="org_id", placeholder="sw-musterstadt")
    oname = c2.text_input("Name", key="org_name")
    oshort = c3.text_input("Kurzname", key="org_short")
    kind = c1.selectbox("Art", ["stadtwerk", "stadt", "gemeinde", "landkreis", "verband", "sonstige"], key="org_kind")
    contact = c2.text_input("Ansprechperson", key="org_contact")
    cmail = c3.text_input("Kontakt-E-Mail", key="org_email")
    address = st.text_input("Anschrift", key="org_address")
    if st.form_submit_button("Organisation speichern"):
        with reported():
            organisations.save_organisation(user, {
                "id": oid.strip(), "name": oname, "short_name": oshort or None, "kind": kind,
                "contact_name": contact or None, "contact_email": cmail or None, "address": address or None})
            st.success(f"Organisation {oid} gespeichert.")
