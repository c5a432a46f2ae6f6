#!/usr/bin/env bash
# One command to run every check: installs the project and test tools, the Debian packages
# the real-part tests need (Chromium, LibreOffice, pdftoppm, strace, libatomic, Dovecot's IMAP server
# and openssl for the mailbox tests) when it can, then ruff
# and pytest. Extra arguments go to pytest.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v soffice >/dev/null 2>&1 || need_apt+=(libreoffice-writer-nogui)
command -v pdftoppm >/dev/null 2>&1 || need_apt+=(poppler-utils)
command -v strace >/dev/null 2>&1 || need_apt+=(strace)
# The mailbox tests start a real Dovecot on 127.0.0.1 with a certificate made by openssl.
{ command -v dovecot >/dev/null 2>&1 || [ -x /usr/sbin/dovecot ]; } || need_apt+=(dovecot-imapd)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
# Playwright's bundled node needs libatomic, which a minimal Debian does not have.
{ ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null || true; } | grep -q 'libatomic\.so\.1' \
    || need_apt+=(libatomic1)
fc-list 2>/dev/null | grep -qi dejavu || need_apt+=(fonts-dejavu-core)
if [ ${#need_apt[@]} -gt 0 ]; then
    SUDO=""
    can_install=no
    if [ "$(id -u)" -eq 0 ]; then
        can_install=yes
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
        can_install=yes
    fi
    if [ "$can_install" = yes ]; then
        echo "Installiere Debian-Pakete: ${need_apt[*]}" >&2
        if ! { $SUDO apt-get update -qq \
               && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
                  "${need_apt[@]}" >/dev/null; }; then
            echo "WARNUNG: apt-get konnte ${need_apt[*]} nicht installieren (Meldung oben);" \
                 "Browser-, Dokument- und Postfachtests schlagen dann fehl." >&2
        fi
    else
        # Not root, and sudo is missing or wants a password: say what to do instead of stopping.
        echo "WARNUNG: ${need_apt[*]} fehlen. Ohne root (oder sudo ohne Passwort) kann dieses Skript sie" \
             "nicht installieren; bitte einmal ausführen: sudo apt-get install ${need_apt[*]} –" \
             "sonst schlagen Browser-, Dokument- und Postfachtests fehl (ohne CI werden sie übersprungen)." >&2
    fi
fi

source "$ROOT/scripts/bootstrap.sh" test
cd "$ROOT"
ruff check .
exec pytest "$@"
