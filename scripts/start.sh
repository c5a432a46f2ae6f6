#!/usr/bin/env bash
# One command to run the dashboard: installs what is missing, seeds the demo data on first
# start (no network needed after installation), then serves on http://localhost:8501.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/bootstrap.sh"
cd "$ROOT"
DB="${TRACKER_DB:-$ROOT/data/tracker.duckdb}"
if [ ! -f "$DB" ]; then
    echo "Keine Datenbank unter $DB – lade die Demodaten." >&2
    tracker demo
fi
exec streamlit run streamlit_app.py --server.headless true "$@"
