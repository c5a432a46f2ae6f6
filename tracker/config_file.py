"""Reading the TOML files people edit (feeds.toml, topics.toml, association.toml,
ministries.toml, .streamlit/secrets.toml): the one place that says how such a file is read
and how its mistakes are reported.

A byte order mark (Windows editors write one) is accepted; a missing file, a folder, a file
that is not UTF-8 and a TOML syntax error each give one ``ConfigError`` naming the file and,
where there is one, the line, in German with a hint for the common mistakes.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

from tracker.errors import ConfigError

# A table header ("[collector]", "[[source]]") and a key at the start of a line: the scans
# that find the line of a repeated key (tomllib does not say) and of an entry's fields.
HEADER_RE = re.compile(r"""^\s*(\[\[?)\s*([A-Za-z0-9_\-."' ]+?)\s*\]\]?\s*(?:#.*)?$""")
KEY_RE = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*(?:\.[^=]*)?=""")
_TOML_POS_RE = re.compile(r"\(at line (\d+), column (\d+)\)")

# tomllib's English reasons for the mistakes people make most, with what to look for.
_SYNTAX_HINTS = (
    ("Illegal character '\\n'", "Zeilenende in einer Zeichenkette – fehlt ein schließendes Anführungszeichen?"),
    ("Expected '=' after a key", "nach dem Feldnamen fehlt '='"),
    ("Cannot declare", "Tabelle oder Feld doppelt angelegt"),
    ("Cannot overwrite a value", "Feld steht doppelt im selben Eintrag"),
    ("Invalid value", "ungültiger Wert – Text gehört in Anführungszeichen"),
    ("Unclosed array", "Liste nicht mit ']' geschlossen"),
)


def read_text(path: Path, what: str) -> str:
    """The file's text; ``what`` names it for people ("Quellen-Konfiguration")."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{what} nicht gefunden: {path}") from None
    except IsADirectoryError:
        raise ConfigError(f"{what} ist ein Verzeichnis, keine Datei: {path}") from None
    except OSError as exc:
        raise ConfigError(f"{what} nicht lesbar: {path} ({exc.strerror or exc})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError(f"{display_path(path)}:{line}: {what} ist nicht UTF-8-kodiert") from None


def parse(path: Path, text: str) -> dict[str, Any]:
    """TOML ``text`` read from ``path``; a syntax error names the file and line."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(syntax_message(path, exc, text)) from None


def read_toml(path: Path, what: str) -> tuple[dict[str, Any], str]:
    """The file's TOML data and its text (for finding the line of a later complaint)."""
    text = read_text(path, what)
    return parse(path, text), text


def syntax_message(path: Path, exc: tomllib.TOMLDecodeError, text: str) -> str:
    message = str(exc)
    position = _TOML_POS_RE.search(message)
    at_end = "(at end of document)" in message
    reason = _TOML_POS_RE.sub("", message).replace("(at end of document)", "").strip()
    hint = next((h for needle, h in _SYNTAX_HINTS if needle in reason), None)
    if at_end and "overwrite" not in message:
        hint = "Datei endet mitten in einem Wert – ist eine Liste ']' oder Zeichenkette nicht geschlossen?"
    if hint:
        reason = f"{hint} ({reason})"
    if position:
        line, column = position.groups()
        return f"{display_path(path)}:{line}: TOML-Syntaxfehler in Spalte {column}: {reason}"
    # tomllib locates some mistakes only "at end of document": a repeated key is found by the
    # scan, anything else (an unclosed array or string) is reported at the last line.
    line = _repeated_key_line(text) if "overwrite" in message else None
    return f"{display_path(path)}:{line or max(1, len(text.splitlines()))}: TOML-Syntaxfehler: {reason}"


def _repeated_key_line(text: str) -> int | None:
    seen: set[tuple[int, str]] = set()
    header = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if HEADER_RE.match(line):
            header = number
            continue
        key = KEY_RE.match(line)
        if key:
            marker = (header, key.group(1).strip("\"'"))
            if marker in seen:
                return number
            seen.add(marker)
    return None


def display_path(path: Path) -> str:
    """The path relative to the working directory when it lies below it, else as given."""
    try:
        cwd = Path.cwd()
        # Below "/" everything is "relative"; an absolute path reads better there.
        if cwd != Path(cwd.anchor) and Path(path).resolve().is_relative_to(cwd):
            return os.path.relpath(path)
    except (OSError, ValueError):
        pass
    return str(path)
