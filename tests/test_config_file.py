"""Every TOML file people edit is read the same way (tracker/config_file.py): a BOM is
fine, a syntax error names the file and line, a file that is not UTF-8 names the line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tracker import settings
from tracker.collect.mail.senders import ministry_of
from tracker.collect.sources import load_sources
from tracker.errors import ConfigError
from tracker.export.association import load_association
from tracker.judge.taxonomy import DEFAULT_TAXONOMY_PATH, load_taxonomy


def _secrets(path: Path, monkeypatch: pytest.MonkeyPatch) -> object:
    monkeypatch.setenv("TRACKER_SECRETS", str(path))
    return settings.get()


def _ministries(path: Path, monkeypatch: pytest.MonkeyPatch) -> object:
    return ministry_of("referat@example.bund.de", path)


READERS: dict[str, Callable[[Path, pytest.MonkeyPatch], object]] = {
    "feeds.toml": lambda path, _: load_sources(path),
    "topics.toml": lambda path, _: load_taxonomy(path),
    "association.toml": lambda path, _: load_association(path),
    "ministries.toml": _ministries,
    "secrets.toml": _secrets,
}
VALID = {
    "feeds.toml": '[collector]\ntimeout_seconds = 10\n',
    "topics.toml": DEFAULT_TAXONOMY_PATH.read_text(encoding="utf-8"),
    "association.toml": 'name = "Verband"\nplace = "Berlin"\nlobbyregister = "R000001"\n',
    "ministries.toml": '[[ministry]]\nshort = "BMX"\nname = "Bundesministerium X"\ndomains = ["example.bund.de"]\n',
    "secrets.toml": 'TRACKER_LAND = "BE"\n',
}


@pytest.mark.parametrize("name", READERS)
def test_a_byte_order_mark_is_accepted(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / name
    path.write_bytes(b"\xef\xbb\xbf" + VALID[name].encode("utf-8"))
    READERS[name](path, monkeypatch)


@pytest.mark.parametrize("name", READERS)
def test_a_syntax_error_names_file_and_line(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / name
    path.write_text('# erste Zeile\nname = "ohne Ende\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"{name}:2: TOML-Syntaxfehler in Spalte \d+: Zeilenende"):
        READERS[name](path, monkeypatch)


@pytest.mark.parametrize("name", READERS)
def test_a_file_not_in_utf8_names_the_line(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / name
    path.write_bytes(b'# ok\n# ok\nname = "M\xfcnchen"\n')
    with pytest.raises(ConfigError, match=rf"{name}:3: .* ist nicht UTF-8-kodiert"):
        READERS[name](path, monkeypatch)
