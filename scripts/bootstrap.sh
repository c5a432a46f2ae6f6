#!/usr/bin/env bash
# Shared set-up for start.sh and test.sh: a virtual environment with the project installed.
# Usage: source scripts/bootstrap.sh [extra]   (extra = "test" installs the test tools too)
#
# On a fresh Debian the pieces fail in ways that are easy to misread: `python3 -m venv`
# without python3-venv leaves a .venv/bin/python behind with no pip in it, and a later run
# would take that for a working environment. So the environment counts as there only when
# pip runs inside it, and every failure ends with one line saying what to install.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
EXTRA="${1:-}"

say() { echo "$*" >&2; }

# The Python versions pyproject.toml allows (requires-python = ">=3.11,<3.14").
python_fits() {
    "$1" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] <= (3, 13) else 1)' >/dev/null 2>&1
}

if [ -n "${PYTHON:-}" ]; then
    candidates=("$PYTHON")
else
    candidates=(python3 python3.13 python3.12 python3.11)
fi
PYTHON=""
for candidate in "${candidates[@]}"; do
    if command -v "$candidate" >/dev/null 2>&1 && python_fits "$candidate"; then
        PYTHON="$candidate"
        break
    fi
done
if [ -z "$PYTHON" ]; then
    found="$("${candidates[0]}" --version 2>&1 || echo "kein ${candidates[0]}")"
    say "Python 3.11 bis 3.13 wird gebraucht (gefunden: $found). Unter Debian/Ubuntu: apt-get install python3 python3-venv"
    exit 1
fi

venv_works() {
    [ -x "$VENV/bin/python" ] && python_fits "$VENV/bin/python" && "$VENV/bin/python" -m pip --version >/dev/null 2>&1
}

if ! venv_works; then
    if [ -e "$VENV" ]; then
        say "Die virtuelle Umgebung $VENV ist unvollständig (kein pip darin) – lege sie neu an."
        rm -rf "$VENV"
    fi
    say "Lege virtuelle Umgebung an: $VENV"
    if ! "$PYTHON" -m venv "$VENV" >/dev/null 2>&1 || ! venv_works; then
        rm -rf "$VENV"
        version="$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
        say "Fehler: '$PYTHON -m venv' legt keine Umgebung mit pip an. Unter Debian/Ubuntu das Paket" \
            "python3-venv (bzw. python$version-venv) installieren: apt-get install python3-venv"
        exit 1
    fi
fi

SPEC="$ROOT"
[ -n "$EXTRA" ] && SPEC="$ROOT[$EXTRA]"
# Re-install only when pyproject.toml changed since the last install; an install with the
# test tools also serves start.sh (it holds everything start.sh needs).
STAMP="$VENV/.installed-$EXTRA"
fresh_stamp() { [ -f "$1" ] && ! [ "$ROOT/pyproject.toml" -nt "$1" ]; }
if ! fresh_stamp "$STAMP" && ! { [ -z "$EXTRA" ] && fresh_stamp "$VENV/.installed-test"; }; then
    say "Installiere das Projekt${EXTRA:+ mit [$EXTRA]} in $VENV (braucht Zugang zum Paketverzeichnis)."
    if ! "$VENV/bin/python" -m pip install --quiet --upgrade pip \
        || ! "$VENV/bin/python" -m pip install --quiet -e "$SPEC"; then
        say "Fehler: pip konnte das Projekt nicht installieren (Netz oder Paketverzeichnis prüfen; Meldung oben)."
        exit 1
    fi
    touch "$STAMP"
fi
export PATH="$VENV/bin:$PATH"
