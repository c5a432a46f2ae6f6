"""Benutzer: administrators manage users and member organisations.

A form keeps what was typed when it is refused, and empties only after it was saved; a
second click on "Anlegen" that meets the user the first click made is reported as done.
"""

from __future__ import annotations

import streamlit as st

from tracker.access import auth
from tracker.errors import UserError
from tracker.ui.session import current_user
from tracker.ui.widgets import fmt_datetime, guarded
from tracker.vocabulary import LEAST_PRIVILEGE_ROLE, Role
from tracker.work import organisations

ss = st.session_state
user = current_user()
st.title("Benutzer und Mitglieder")
flash = ss.pop("benutzer_flash", None)
if flash:
    st.success(flash)
with guarded():
    users = auth.list_users(user)
    orgs = organisations.organisations()


def saved(message: str, *keys: str) -> None:
    """After a save: empty the form's fields, show the message, and show the new state."""
    for key in keys:
        ss.pop(key, None)
    ss["benutzer_flash"] = message
    st.rerun()


st.subheader("Benutzer")
st.dataframe(
    [{"Benutzer": u["id"], "Name": u["display_name"], "Rolle": Role.label_of(u["role"]),
      "Organisation": u["organisation_id"] or "–", "E-Mail": u["email"] or "–",
      "aktiv": "ja" if u["active"] else "gesperrt", "Demo": "ja" if u["is_demo"] else "nein",
      "letzte Anmeldung": fmt_datetime(u["last_login_at"])} for u in users],
    hide_index=True, width="stretch")

org_names = {o["id"]: o["name"] for o in orgs}
roles = list(Role.codes())
NEW_USER_KEYS = ("new_login", "new_name", "new_role", "new_org", "new_email", "new_password")
left, right = st.columns(2)
with left, st.form("user_add"):
    st.markdown("**Benutzer anlegen**")
    login = st.text_input("Benutzername", key="new_login")
    name = st.text_input("Anzeigename", key="new_name")
    role = st.selectbox("Rolle", roles, index=roles.index(LEAST_PRIVILEGE_ROLE), format_func=Role.label_of,
                        key="new_role", help="Vorgabe ist die Rolle mit den wenigsten Rechten.")
    org = st.selectbox("Organisation (für Mitglieder)", [None, *org_names], key="new_org",
                       format_func=lambda o: "–" if o is None else org_names[o])
    email = st.text_input("E-Mail", key="new_email", placeholder="name@organisation.de")
    password = st.text_input("Erstes Passwort (mind. 10 Zeichen)", type="password", key="new_password")
    if st.form_submit_button("Anlegen"):
        wanted = login.strip().lower()
        try:
            made = auth.create_user(user, login=login, display_name=name, password=password, role=role,
                                    organisation_id=org, email=email or None)
        except auth.UserExists as exc:
            if ss.get("benutzer_last_created") == wanted:  # a double click: the first one did it
                saved(f"Benutzer {wanted} angelegt.", *NEW_USER_KEYS)
            st.error(str(exc))
        except UserError as exc:
            st.error(str(exc))
        else:
            ss["benutzer_last_created"] = made.id
            saved(f"Benutzer {made.id} angelegt.", *NEW_USER_KEYS)

with right:
    with st.form("user_passwd"):
        st.markdown("**Passwort setzen**")
        target = st.selectbox("Benutzer", [u["id"] for u in users], key="pw_user")
        new_pw = st.text_input("Neues Passwort", type="password", key="pw_new")
        st.caption("Offene Anmeldungen dieses Benutzers werden dabei beendet.")
        if st.form_submit_button("Passwort setzen"):
            try:
                ended = auth.set_password(user, target, new_pw)
            except UserError as exc:
                st.error(str(exc))
            else:
                saved(f"Passwort von {target} geändert; {ended} offene Anmeldung(en) beendet.", "pw_new")
    with st.form("user_active"):
        st.markdown("**Zugang sperren / entsperren**")
        target = st.selectbox("Benutzer", [u["id"] for u in users], key="act_user")
        active = st.toggle("aktiv", value=True, key="act_value")
        if st.form_submit_button("Speichern"):
            try:
                auth.set_active(user, target, active)
            except UserError as exc:
                st.error(str(exc))
            else:
                saved(f"{target}: {'aktiv' if active else 'gesperrt, offene Anmeldungen beendet'}.")

st.subheader("Mitgliedsorganisationen")
st.dataframe([{"Kennung": o["id"], "Name": o["name"], "Kurzname": o["short_name"] or "–", "Art": o["kind"] or "–",
               "Kontakt": o["contact_name"] or "–", "E-Mail": o["contact_email"] or "–",
               "Demo": "ja" if o["is_demo"] else "nein"} for o in orgs],
             hide_index=True, width="stretch")
ORG_KEYS = ("org_id", "org_name", "org_short", "org_kind", "org_contact", "org_email", "org_address")
with st.form("org_save"):
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
        try:
            organisations.save_organisation(user, {
                "id": oid.strip(), "name": oname, "short_name": oshort or None, "kind": kind,
                "contact_name": contact or None, "contact_email": cmail or None, "address": address or None})
        except UserError as exc:
            st.error(str(exc))
        else:
            # the rerun shows the organisation in the list and in the user form at once
            saved(f"Organisation {oid.strip()} gespeichert.", *ORG_KEYS)
