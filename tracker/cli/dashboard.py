"""CLI: the options scripts/start.sh starts the dashboard with (address checked against the login)."""

from __future__ import annotations

import typer

from tracker.access import exposure


def streamlit_options_command() -> None:
    """Startoptionen für Streamlit, eine je Zeile (von scripts/start.sh benutzt).

    Adresse aus TRACKER_SERVER_ADDRESS (Standard 127.0.0.1), Browser-Adresse aus
    TRACKER_BASE_URL. Verweigert den Start ohne Anmeldung auf einer Adresse, die andere
    Rechner erreichen."""
    for option in exposure.streamlit_options():
        typer.echo(option)


def register(app: typer.Typer) -> None:
    app.command("streamlit-options")(streamlit_options_command)
