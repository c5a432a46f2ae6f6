"""Konsultationsradar dashboard: ``streamlit run streamlit_app.py``.

This file only decides who is acting and which pages they see. Pages live in
``app_pages/`` (one file each) and call ``tracker`` functions; they hold no SQL.
To add a page, append it to the role's list in ``pages_for``.
"""

from __future__ import annotations

import streamlit as st

from tracker import scheduler, settings
from tracker.access import auth, exposure
from tracker.errors import ConfigError
from tracker.models import User
from tracker.ui import session
from tracker.ui.render import escape_markdown
from tracker.ui.widgets import guarded
from tracker.vocabulary import Role

st.set_page_config(page_title="Konsultationsradar", page_icon=":material/radar:", layout="wide")

# Every setting is checked once, before anything else runs: a wrong value stops the
# dashboard with the setting named, instead of failing somewhere later.
try:
    settings.get()
    # Without login everyone who reaches the port is administrator: only on this machine.
    exposure.check_exposure(st.get_option("server.address"), auth_enabled=auth.auth_enabled())
except ConfigError as exc:
    st.sidebar.warning(str(exc))
    st.error(f"Die Konfiguration ist fehlerhaft – bitte korrigieren und neu laden. {exc}")
    st.stop()


@st.cache_resource(show_spinner=False)
def _background_scheduler() -> scheduler.Scheduler | None:
    # Once per server process, not per session or rerun; off unless TRACKER_SCHEDULE_MINUTES is set.
    return scheduler.start_in_background()


try:
    _background_scheduler()
except ConfigError as exc:  # not cached: the warning stays until the setting is fixed
    st.sidebar.warning(str(exc))

# Filters of the inbox survive a visit to another page: Streamlit forgets the state of
# widgets that were not drawn in a run unless the key is written again.
for key in [k for k in st.session_state if str(k).startswith("inbox_")]:
    st.session_state[key] = st.session_state[key]

PAGES = {
    # The default page is served at "/" (its url_path is not used for it).
    "eingang": st.Page("app_pages/eingang.py", title="Eingang", icon=":material/inbox:", default=True),
    "vorgang": st.Page("app_pages/vorgang.py", title="Vorgang", icon=":material/description:", url_path="vorgang"),
    "fristen": st.Page("app_pages/fristen.py", title="Fristen", icon=":material/event:", url_path="fristen"),
    "themen": st.Page("app_pages/themen.py", title="Themen", icon=":material/bar_chart:", url_path="themen"),
    "quellen": st.Page("app_pages/quellen.py", title="Quellen", icon=":material/rss_feed:", url_path="quellen"),
    "stellungnahmen": st.Page("app_pages/stellungnahmen.py", title="Stellungnahmen",
                              icon=":material/edit_document:", url_path="stellungnahmen"),
    "benutzer": st.Page("app_pages/benutzer.py", title="Benutzer", icon=":material/group:", url_path="benutzer"),
    "benachrichtigungen": st.Page("app_pages/benachrichtigungen.py", title="Benachrichtigungen",
                                  icon=":material/notifications:", url_path="benachrichtigungen"),
}


redirecting = False  # set by the login gate below when the browser is sent for the cookie


def _keep_the_cookie_fetch() -> None:
    # Switching pages drops this run's script that fetches the session cookie: the page
    # switched to sends it again.
    if redirecting:
        session.redirect_again_next_run()


def _member_item_link() -> None:
    # A member who follows a link to one item (say from an e-mail, ``/vorgang?item=…``) lands
    # on that consultation's positions; the page itself says when it is not theirs.
    _keep_the_cookie_fetch()
    st.switch_page(PAGES["stellungnahmen"], query_params={"item": st.query_params.get("item", "")})


def _member_home() -> None:
    # A member's start page is the consultations; it keeps its own address (/stellungnahmen),
    # so a link to /stellungnahmen?item=… works (the default page would only be served at "/").
    _keep_the_cookie_fetch()
    st.switch_page(PAGES["stellungnahmen"], query_params=st.query_params.to_dict())


def pages_for(user: User) -> dict[str, list[st.Page]]:
    """Navigation sections per role; members get their own pages from the positions module."""
    if user.is_team:
        return {"Beobachten": [PAGES[k] for k in ("eingang", "vorgang", "fristen", "themen", "benachrichtigungen")],
                "Mitwirken": [PAGES["stellungnahmen"]],
                "Betrieb": [PAGES["quellen"], *([PAGES["benutzer"]] if user.role == Role.ADMIN else [])]}
    item_link = st.Page(_member_item_link, title="Vorgang", url_path="vorgang", visibility="hidden")
    home = st.Page(_member_home, title="Start", url_path="start", default=True, visibility="hidden")
    return {"Mitwirken": [home, PAGES["stellungnahmen"], item_link],
            "Beobachten": [PAGES["fristen"], PAGES["benachrichtigungen"]]}


def login_pages() -> list[st.Page]:
    """The login page, also under every page's address: a deep link (say from an alert e-mail,
    ``/vorgang?item=…``) shows the login, and once signed in the same address opens that page
    with its parameters instead of "page not found"."""
    login = "app_pages/anmeldung.py"
    return [st.Page(login, title="Anmeldung", icon=":material/login:", default=True),
            *(st.Page(login, title="Anmeldung", url_path=page.url_path) for page in PAGES.values()
              if page.url_path)]


# Login gate (setting TRACKER_AUTH, on by default): the login page is the only page until
# a session is live. The session lives on the server and in an HTTP-only cookie
# (tracker.access.sessions), so a reload or another tab stays signed in; a logout, a
# deactivation or a password change ends it on the server, and this tab on its next run.
# The gate reads the database too, so it stands inside the guard like every page: a lock held
# too long or a database error becomes one German line, never a traceback.
with guarded():
    if auth.auth_enabled():
        if session.signed_in_user() is None:
            session.send_pending_redirect()
            st.navigation(login_pages(), position="hidden").run()
            st.stop()
        redirecting = session.send_pending_redirect()
        if st.sidebar.button("Abmelden", key="logout", icon=":material/logout:"):
            session.sign_out()
            st.rerun()
    user = session.current_user()
    st.sidebar.caption(f"Angemeldet als **{escape_markdown(user.display_name)}**")
    st.navigation(pages_for(user)).run()
