"""The source registry: the shipped feeds.toml, broken entries, broken files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.collect.fetch import FetchPolicy
from tracker.collect.sources import (
    LAND_CODES,
    SEVERITY_WARNING,
    ConfigProblem,
    collector_field_names,
    load_sources,
)
from tracker.errors import ConfigError, UserError
from tracker.judge.taxonomy import topic_ids
from tracker.vocabulary import SourceKind

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SHIPPED = PROJECT_ROOT / "feeds.toml"
FIXTURES = Path(__file__).parent / "fixtures" / "feeds_toml"
BROKEN = FIXTURES / "broken_entries.toml"


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """1-based number of the line holding ``needle`` (its n-th occurrence)."""
    hits = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if needle in line]
    return hits[occurrence - 1]


def only(problems: list[ConfigProblem], **match: object) -> ConfigProblem:
    found = [p for p in problems if all(getattr(p, k) == v for k, v in match.items())]
    assert len(found) == 1, f"expected one problem matching {match}, got {found} of {problems}"
    return found[0]


# --- the shipped file -------------------------------------------------------------------


def test_shipped_feeds_toml_loads_without_problems():
    registry = load_sources(SHIPPED)
    assert registry.problems == []
    assert len(registry.enabled) >= 12


def test_shipped_sources_cover_the_remit():
    registry = load_sources(SHIPPED)
    enabled = registry.enabled
    jurisdictions = {s.jurisdiction for s in enabled}
    assert {"eu", "de"} <= jurisdictions
    assert len({j for j in jurisdictions if j.startswith("de-")}) >= 2, "at least two Länder"
    assert jurisdictions - {"eu", "de"} - {f"de-{c}" for c in LAND_CODES}, "an out-of-remit source"
    publishers = " ".join(s.publisher for s in enabled)
    for who in ("Bundesnetzagentur", "Bundestag", "Bundesrat", "Bundesministerium", "Europäische Kommission"):
        assert who in publishers
    assert any("funding" in s.topic_hints for s in enabled), "a funding-call source"
    assert {"haveyoursay", "govuk", "rss"} <= {s.kind for s in enabled}


def test_shipped_dip_sources_use_the_adapter_and_carry_no_key():
    # Issue 12: DIP is read by its adapter; its (public, time-limited) key comes from the
    # settings (DIP_API_KEY), never from feeds.toml, which is in the repository.
    registry = load_sources(SHIPPED)
    dip = [s for s in registry.sources if "dip.bundestag.de" in s.url]
    assert {s.id for s in dip} >= {"dip-vorgaenge", "dip-drucksachen"}
    assert all(s.kind == SourceKind.DIP and "apikey" not in s.url.lower() for s in dip)
    assert "apikey" not in SHIPPED.read_text(encoding="utf-8").lower()


def test_shipped_collector_section_matches_defaults_and_documents_every_key():
    registry = load_sources(SHIPPED)
    assert registry.collector.max_bytes == 20_000_000
    text = SHIPPED.read_text(encoding="utf-8")
    for name in collector_field_names():
        assert name in text, f"[collector] key {name} is not documented in feeds.toml"


def test_default_path_comes_from_settings(monkeypatch, tmp_path):
    target = tmp_path / "mine.toml"
    target.write_text((FIXTURES / "minimal_valid.toml").read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv("TRACKER_FEEDS", str(target))
    registry = load_sources()
    assert registry.path == target
    assert [s.id for s in registry.sources] == ["minimal"]
    assert registry.collector == FetchPolicy()


# --- broken entries ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def broken():
    return load_sources(BROKEN)


def test_valid_entries_around_broken_ones_still_load(broken):
    assert [s.id for s in broken.sources] == ["good-first", "empty-id-follows", "good-last"]
    last = broken.get("good-last")
    assert (last.kind, last.jurisdiction, last.enabled, last.poll_interval_minutes) == ("atom", "de-nw", False, 30)
    assert last.topic_hints == ("mobility",)
    assert last.publisher == "Beispiel"
    assert broken.get("good-first").publisher == "Gute Quelle", "publisher defaults to name"


@pytest.mark.parametrize(
    ("entry", "field", "needle", "occurrence", "words"),
    [
        ("#2", "id", "[[source]]", 2, "Pflichtfeld fehlt"),
        ("good-first", "id", 'id = "good-first"', 2, "doppelte Kennung"),
        ("Bad_ID", "id", 'id = "Bad_ID"', 1, "Kleinbuchstaben"),
        ("bad-kind", "kind", 'kind = "rdf"', 1, "unbekannte Art"),
        ("bad-url", "url", 'url = "ftp://', 1, "keine http(s)-Adresse"),
        ("bad-type", "poll_interval_minutes", "poll_interval_minutes", 1, "ganze Zahl"),
        ("typo-field", "urll", "urll =", 1, "gemeint: 'url'"),
        ("typo-field", "url", "[[source]]", 8, "Pflichtfeld fehlt"),
        ("bad-jurisdiction", "jurisdiction", 'jurisdiction = "Bayern"', 1, "de-<Land>"),
        ("bad-land", "jurisdiction", 'jurisdiction = "de-xy"', 1, "unbekanntes Bundesland"),
        ("#12", "id", 'id = ""', 1, "darf nicht leer sein"),
    ],
)
def test_each_broken_entry_is_located(broken, entry, field, needle, occurrence, words):
    problem = only(broken.errors, entry=entry, field=field)
    assert problem.path == BROKEN
    assert problem.line == line_of(BROKEN, needle, occurrence)
    assert words in problem.message
    text = str(problem)
    assert f"broken_entries.toml:{problem.line}:" in text
    assert f"Feld '{field}'" in text


def test_unknown_topic_hint_is_only_a_warning(broken):
    problem = only(broken.problems, entry="empty-id-follows", field="topic_hints")
    assert problem.severity == SEVERITY_WARNING
    assert problem.line == line_of(BROKEN, 'topic_hints = ["energy", "energie"]')
    assert "Warnung" in str(problem) and "'energie'" in str(problem)
    assert broken.get("empty-id-follows").topic_hints == ("energy",)


def test_collector_problems_keep_defaults(broken):
    assert broken.collector.concurrency == 2
    assert broken.collector.retries == FetchPolicy().retries
    assert only(broken.errors, field="retries").line == line_of(BROKEN, 'retries = "drei"')
    assert only(broken.errors, field="timeout").line == line_of(BROKEN, "timeout = 5")


def test_problem_count_is_exact(broken):
    # One per mistake in the fixture: nothing doubled, nothing lost.
    assert len(broken.errors) == 13
    assert len(broken.warnings) == 1
    assert [p.line for p in broken.problems] == sorted(p.line for p in broken.problems)


def test_get_unknown_and_rejected_sources_name_the_file(broken):
    with pytest.raises(UserError, match=r"broken_entries\.toml") as unknown:
        broken.get("nowhere")
    assert "Unbekannte Quelle 'nowhere'" in str(unknown.value)
    with pytest.raises(UserError, match="wegen eines Fehlers") as rejected:
        broken.get("bad-url")
    assert "keine http(s)-Adresse" in str(rejected.value)


def test_structural_mistakes_are_problems_not_crashes():
    path = FIXTURES / "wrong_shapes.toml"
    registry = load_sources(path)
    assert [s.id for s in registry.sources] == ["inline-ok"]
    assert only(registry.errors, field="sources").line == line_of(path, "[[sources]]")
    assert "gemeint: 'source'" in only(registry.errors, field="sources").message
    assert only(registry.errors, field="collector").line == line_of(path, 'collector = "schnell"')
    assert only(registry.errors, entry="#1").line == line_of(path, "source = [")


@pytest.mark.parametrize(
    ("line", "field", "words"),
    [
        ('url = "https://exa mple.org/"', "url", "Leerzeichen"),
        ('url = "https:///path-only"', "url", "ohne Rechnername"),
        ('url = "https://example.org:99999/"', "url", "keine gültige Adresse"),
        ('url = "javascript:alert(1)"', "url", "keine http(s)-Adresse"),
        ('language = "deu"', "language", "zweibuchstabig"),
        ("enabled = 1", "enabled", "true oder false"),
        ("poll_interval_minutes = 1", "poll_interval_minutes", "zwischen 5 und 10080"),
        ("poll_interval_minutes = true", "poll_interval_minutes", "ganze Zahl"),
        ('topic_hints = "energy"', "topic_hints", "Liste"),
        ("name = 42", "name", "Text erwartet"),
    ],
)
def test_single_field_mistakes(tmp_path, line, field, words):
    base = {
        "id": '"x"', "name": '"X"', "url": '"https://example.org/"', "kind": '"rss"',
        "jurisdiction": '"de"', "language": '"de"',
    }
    key = line.split("=")[0].strip()
    body = [f"{k} = {v}" for k, v in base.items() if k != key] + [line]
    path = tmp_path / "feeds.toml"
    path.write_text("\n".join(["# one entry", "[[source]]", *body]) + "\n", encoding="utf-8")
    registry = load_sources(path)
    assert registry.sources == []
    problem = only(registry.errors, field=field)
    assert problem.line == 2 + len(body)
    assert words in problem.message


# --- broken files -----------------------------------------------------------------------


def test_syntax_error_names_file_and_line():
    with pytest.raises(ConfigError) as excinfo:
        load_sources(FIXTURES / "syntax_error.toml")
    message = str(excinfo.value)
    assert "syntax_error.toml:3:" in message
    assert "TOML-Syntaxfehler" in message


def test_missing_file_names_the_path(tmp_path):
    missing = tmp_path / "nirgends" / "feeds.toml"
    with pytest.raises(ConfigError, match="nicht gefunden") as excinfo:
        load_sources(missing)
    assert str(missing) in str(excinfo.value)


def test_directory_and_bad_encoding_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="Verzeichnis"):
        load_sources(tmp_path)
    latin = tmp_path / "latin.toml"
    latin.write_bytes(b'# ok\n[[source]]\nname = "M\xfcnchen"\n')
    with pytest.raises(ConfigError, match=r"latin\.toml:3: .*UTF-8"):
        load_sources(latin)


def test_config_error_is_a_user_error():
    assert issubclass(ConfigError, UserError)


_FRAGMENTS = st.sampled_from([
    "[[source]]", "[collector]", "[[sources]]", "[source]", "[source.x]", "id = ", "url = ", "kind = ",
    '"rss"', '"https://e.org/"', "topic_hints = [", "]", "enabled = ", "true", "1e400", "-0", "=", "\n",
    '"""', "'", "# c", "{ a = 1 }", "poll_interval_minutes = ", "jurisdiction = \"de-by\"", "[", "]]",
    "connect_timeout = ", "inf", "nan", "1979-05-27", " ", "\t", "\\", "ü",
] + [f'"{k}"' for k in SourceKind.codes()] + [f'"{t}"' for t in topic_ids()[:3]])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(st.text(max_size=300), st.lists(_FRAGMENTS, max_size=40).map("".join)))
def test_garbage_never_raises_anything_but_config_error(tmp_path, text):
    path = tmp_path / "garbage.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        registry = load_sources(path)
    except ConfigError as exc:
        assert "garbage.toml" in str(exc)
        return
    for problem in registry.problems:
        assert str(problem).startswith(str(problem.path.name)) or "garbage.toml" in str(problem)
    for source in registry.sources:
        assert source.kind in SourceKind.codes()
        assert source.url.startswith(("http://", "https://"))


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('[[source]]\nid = "a"\nurl = "https://x.org/"\nurl = "https://y.org/"\n[[source]]\nid = "b"\n', 4, "doppelt"),
        ('[[source]]\nid = "a"\ntopic_hints = ["energy",\n', 3, "Liste"),
        ('[[source]]\nid = a\n', 2, "Anführungszeichen"),
    ],
)
def test_syntax_errors_tomllib_reports_without_a_line_still_get_one(tmp_path, text, line, words):
    path = tmp_path / "feeds.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as excinfo:
        load_sources(path)
    assert f"feeds.toml:{line}:" in str(excinfo.value)
    assert words in str(excinfo.value)


def test_every_shipped_entry_says_where_its_url_was_seen():
    # Issue 12: each entry's comment names where its URL was seen and when.
    lines = SHIPPED.read_text(encoding="utf-8").splitlines()
    starts = [n for n, line in enumerate(lines) if line.strip() == "[[source]]"]
    for start in starts:
        comment = []
        for line in reversed(lines[:start]):
            if not line.startswith("#"):
                break
            comment.insert(0, line)
        source_id = lines[start + 1]
        text = " ".join(comment)
        assert "seen" in text, f"{source_id}: no comment saying where the URL was seen"
        assert re.search(r"\b20\d\d\b", text), f"{source_id}: the comment names no year it was seen"


def test_shipped_file_covers_six_laender_and_funding():
    registry = load_sources(SHIPPED)
    laender = {s.jurisdiction for s in registry.sources if s.jurisdiction.startswith("de-")}
    assert len(laender) >= 6, laender
    funding = [s for s in registry.sources if "funding" in s.topic_hints]
    assert len(funding) >= 3
    names = {s.id: s.name for s in registry.sources}
    assert names["bundesrat-aktuelles"] == "Bundesrat – Eingegangene Beratungsvorgänge"
