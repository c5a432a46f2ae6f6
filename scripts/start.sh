#!/usr/bin/env bash
# One command to run the dashboard: installs what is missing, seeds the demo data on first
# start (no network needed after installation), then serves on http://localhost:8501,
# reachable only from this machine unless TRACKER_SERVER_ADDRESS says otherwise.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/bootstrap.sh" ""  # explicit: `source` would pass on our own arguments
cd "$ROOT"
DB="${TRACKER_DB:-$ROOT/data/tracker.duckdb}"
# The address to listen on (TRACKER_SERVER_ADDRESS, default 127.0.0.1) and the one users open
# (TRACKER_BASE_URL); refused with one line when the login is off and others could connect.
OPTIONS_TEXT="$(tracker streamlit-options)"
mapfile -t OPTIONS <<< "$OPTIONS_TEXT"
if ! ls "$ROOT"/data/models/relevance-* >/dev/null 2>&1; then
    # The relevance model is a build artefact (not in git): trained from the shipped seed
    # labels in a few seconds; later `tracker train` adds the team's own labels.
    echo "Trainiere das Relevanzmodell aus den Startlabels (data/seed_labels.tsv)." >&2
    tracker train --without-db
fi
if [ ! -f "$DB" ]; then
    echo "Keine Datenbank unter $DB – lade die Demodaten." >&2
    tracker demo
fi
exec streamlit run dashboard.py --server.headless true "${OPTIONS[@]}" "$@"
