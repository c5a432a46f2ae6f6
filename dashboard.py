"""The dashboard process: ``streamlit run dashboard.py`` (what scripts/start.sh runs).

Streamlit serves the pages of ``streamlit_app.py``; beside them this process answers a
few plain HTTP routes (``tracker.ui.routes``): the session cookie after a login, the
logout, and every user's personal calendar subscription. Streamlit's ``st.App`` mounts
them in the same server, so no second web server or port is needed.
"""

import streamlit as st

from tracker.ui.routes import ROUTES

app = st.App("streamlit_app.py", routes=ROUTES)
