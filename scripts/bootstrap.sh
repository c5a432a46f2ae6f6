#!/usr/bin/env bash
# Shared set-up for start.sh and test.sh: a virtual environment with the project installed.
# Usage: source scripts/bootstrap.sh [extra]   (extra = "test" installs the test tools too)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
VENV="${VENV:-$ROOT/.venv}"
EXTRA="${1:-}"

if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
    echo "Python 3.11 oder neuer wird gebraucht (gefunden: $("$PYTHON" --version 2>&1))." >&2
    exit 1
fi
if [ ! -x "$VENV/bin/python" ]; then
    echo "Lege virtuelle Umgebung an: $VENV" >&2
    "$PYTHON" -m venv "$VENV"
fi
SPEC="$ROOT"
[ -n "$EXTRA" ] && SPEC="$ROOT[$EXTRA]"
# Re-install only when pyproject.toml changed since the last install.
STAMP="$VENV/.installed-$EXTRA"
if [ ! -f "$STAMP" ] || [ "$ROOT/pyproject.toml" -nt "$STAMP" ]; then
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -e "$SPEC"
    touch "$STAMP"
fi
export PATH="$VENV/bin:$PATH"
