#!/usr/bin/env bash
# One command to run every check: installs the project and test tools, the Debian packages
# the real-part tests need (Chromium, LibreOffice, pdftoppm) when it can, then ruff and pytest.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v soffice >/dev/null 2>&1 || need_apt+=(libreoffice-writer-nogui)
command -v pdftoppm >/dev/null 2>&1 || need_apt+=(poppler-utils)
fc-list 2>/dev/null | grep -qi dejavu || need_apt+=(fonts-dejavu-core)
if [ ${#need_apt[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo -n"
    if [ "$(id -u)" -eq 0 ] || [ -n "$SUDO" ]; then
        echo "Installiere Debian-Pakete: ${need_apt[*]}" >&2
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
    else
        echo "WARNUNG: ${need_apt[*]} fehlen und können ohne root nicht installiert werden;" \
             "Browser- und Dokumenttests schlagen dann fehl." >&2
    fi
fi

source "$ROOT/scripts/bootstrap.sh" test
cd "$ROOT"
ruff check .
exec pytest "$@"
