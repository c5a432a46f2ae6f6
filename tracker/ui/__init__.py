"""Streamlit glue: who is acting, safe rendering of feed text, widgets shared by pages."""
