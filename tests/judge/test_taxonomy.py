"""The taxonomy file: required ids, labels in both languages, errors that name file, line, topic, field."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.errors import ConfigError
from tracker.judge.stage import classify_stage
from tracker.judge.taxonomy import REQUIRED_TOPICS, load_taxonomy


def test_shipped_taxonomy_is_valid_and_complete() -> None:
    taxonomy = load_taxonomy()
    assert set(REQUIRED_TOPICS) <= set(taxonomy.topics)
    for topic in taxonomy.topics.values():
        assert topic.label_de and topic.label_en and topic.terms
    settings = taxonomy.settings
    assert settings.remit == ("eu", "de", "de-*") and settings.timezone == "Europe/Berlin"
    assert 0 < settings.threshold < 1
    assert 0 < settings.topic_score_floor <= settings.topic_threshold


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "topics.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _with_topic(body: str) -> str:
    base = "\n".join(f'[topics.{t}]\nlabel_de = "x"\nlabel_en = "x"\nterms = ["{t}"]\n'
                     for t in REQUIRED_TOPICS if t != "energy")
    return base + "\n[topics.energy]\n" + body


@pytest.mark.parametrize("body, expected", [
    ('label_de = "Energie"\nterms = ["Strom"]\n', ["Thema 'energy'", "Feld 'label_en'", "Zeile"]),
    ('label_de = "E"\nlabel_en = "E"\nterms = "Strom"\n', ["Thema 'energy'", "Feld 'terms'", "Liste"]),
    ('label_de = "E"\nlabel_en = "E"\nterms = ["Strom"]\nweight = 2\n', ["Thema 'energy'", "Feld 'weight'",
                                                                         "unbekanntes Feld"]),
    ('label_de = "E"\nlabel_en = "E"\n', ["Thema 'energy'", "mindestens einen Begriff"]),
])
def test_invalid_topic_is_rejected_with_file_line_topic_and_field(tmp_path: Path, body: str,
                                                                  expected: list[str]) -> None:
    path = _write(tmp_path, _with_topic(body))
    with pytest.raises(ConfigError) as exc:
        load_taxonomy(path)
    message = str(exc.value)
    assert str(path) in message
    for part in expected:
        assert part in message


def test_missing_required_topic_and_bad_settings(tmp_path: Path) -> None:
    path = _write(tmp_path, '[topics.energy]\nlabel_de = "E"\nlabel_en = "E"\nterms = ["Strom"]\n')
    with pytest.raises(ConfigError, match="Pflicht-Themen fehlen: iot_networks"):
        load_taxonomy(path)
    bad = _write(tmp_path, '[settings]\nthreshold = 1.5\n' + _with_topic('label_de = "E"\nlabel_en = "E"\n'
                                                                           'terms = ["Strom"]\n'))
    with pytest.raises(ConfigError, match=r"Zeile 1: settings, Feld 'threshold': muss zwischen 0 und 1 liegen, "
                                          r"gefunden: 1.5"):
        load_taxonomy(bad)
    floor = _write(tmp_path, '[settings]\ntopic_threshold = 0.2\ntopic_score_floor = 0.3\n'
                   + _with_topic('label_de = "E"\nlabel_en = "E"\nterms = ["Strom"]\n'))
    with pytest.raises(ConfigError, match=r"Zeile 1: settings, Feld 'topic_score_floor': "
                                          r"darf topic_threshold nicht übersteigen"):
        load_taxonomy(floor)
    slope = _write(tmp_path, '[settings]\ncalibration_slope_rules = 0\n'
                   + _with_topic('label_de = "E"\nlabel_en = "E"\nterms = ["Strom"]\n'))
    with pytest.raises(ConfigError, match=r"settings, Feld 'calibration_slope_rules': muss zwischen 0.05 und 5"):
        load_taxonomy(slope)
    zone = _write(tmp_path, '[settings]\ntimezone = "Mars/Base"\n')
    with pytest.raises(ConfigError, match="unbekannte Zeitzone 'Mars/Base'"):
        load_taxonomy(zone)
    broken = _write(tmp_path, "[topics.energy\n")
    with pytest.raises(ConfigError, match=r"\.toml:1: TOML-Syntaxfehler"):
        load_taxonomy(broken)


@pytest.mark.parametrize("title, summary, stage", [
    ("Öffentliche Konsultation zum Entwurf der Wärmeplanungsverordnung", "", "consultation"),
    ("Referentenentwurf eines Gesetzes zur Änderung des EnWG", "", "draft"),
    ("Proposal for a Regulation on the Interoperable Europe Act", "", "draft"),
    ("Gesetz zur Beschleunigung des Wasserstoffhochlaufs", "", "adopted"),
    ("Regulation (EU) 2024/1689 laying down harmonised rules on artificial intelligence", "", "adopted"),
    ("Förderaufruf Modellprojekte Smart Cities", "", "funding_call"),
    ("Auftragsbekanntmachung: Rahmenvertrag LoRaWAN-Gateways", "", "tender"),
    ("Bundesnetzagentur veröffentlicht Monitoringbericht", "", "news"),
])
def test_stage(title: str, summary: str, stage: str) -> None:
    assert classify_stage(title, summary) == stage


def test_a_taxonomy_saved_with_a_bom_loads(tmp_path: Path) -> None:
    """Windows editors write a byte-order mark; feeds.toml accepts one, so does topics.toml."""
    shipped = Path(__file__).resolve().parents[2] / "data" / "topics.toml"
    copy = tmp_path / "topics.toml"
    copy.write_bytes(b"\xef\xbb\xbf" + shipped.read_bytes())
    assert load_taxonomy(copy).topics.keys() == load_taxonomy(shipped).topics.keys()
