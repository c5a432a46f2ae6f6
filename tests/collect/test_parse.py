"""Feed parsing on every shared real-world fixture, plus encodings, XXE and error envelopes."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import FEED_FIXTURES, require_shared
from tests.support import feedserver
from tests.support.feedserver import FeedServer
from tracker.collect.adapters import ADAPTERS
from tracker.collect.normalise import normalise_entries
from tracker.collect.parse import parse_document
from tracker.models import Item, Source
from tracker.vocabulary import SourceKind

feed_server = feedserver.feed_server
BASE = "https://feeds.example.org/dir/feed.xml"


def _fixture(relative: str) -> bytes:
    return require_shared(FEED_FIXTURES / relative).read_bytes()


def _rss(items: str, title: str = "Amtliche Mitteilungen", encoding: str = "utf-8",
         declare: bool = True) -> str:
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>\n' if declare else ""
    return (f'{declaration}<rss version="2.0"><channel><title>{title}</title>'
            f"<link>https://example.org/</link>{items}</channel></rss>")


def _item(title: str, link: str = "https://example.org/a") -> str:
    return f"<item><title>{title}</title><link>{link}</link></item>"


def _kinds_for(path: Path) -> list[str]:
    if path.suffix != ".json":
        return ["rss", "atom"]
    by_prefix = {"uk_govuk": "govuk", "us_federalregister": "federalregister",
                 "us_regulationsgov": "regulationsgov"}
    matched = [kind for prefix, kind in by_prefix.items() if path.name.startswith(prefix)]
    return matched or list(ADAPTERS)


def test_every_shared_fixture_parses_without_exception(shared_feeds: Path) -> None:
    files = [p for p in sorted(shared_feeds.rglob("*")) if p.is_file() and p.suffix in (".xml", ".json")]
    assert len(files) >= 40
    outcomes = {}
    silent_empty = set()
    for path in files:
        for kind in _kinds_for(path):
            result = parse_document(path.read_bytes(), kind=kind, url=BASE)
            name = f"{path.relative_to(shared_feeds)} as {kind}"
            if result.error:
                assert "\n" not in result.error and result.entries == [], name
            elif not result.entries and not result.warnings and kind == "rss":
                silent_empty.add(path.name)
            outcomes[name] = result
    # Valid feeds without items are no error; here only feedparser's minimal channel-only cases.
    assert silent_empty == {
        "encoding_http_text_xml_charset_overrides_encoding.xml", "encoding_no_content_type_default.xml",
        "encoding_utf-16le-bom.xml", "illformed_http_high_bit_date.xml", "wellformed_atom10_missing_quote_in_attr.xml",
        "wellformed_atom10_relative_uri.xml", "wellformed_http_headers_content_location-relative.xml",
    }
    # The real-world feeds all give entries and no error.
    for name in ("bundestag_webtv_plenarsitzung_19-037_podcast.rss.xml", "de_heise_developer_2016.atom.xml",
                 "nl_officielebekendmakingen_rss_2022-05-02.rss.xml", "robustness/huge_giantbomb_podcast_1.6MB.rss.xml",
                 "uk_scotgov_news_govdelivery_2017-06-27.rss.xml", "de_spiegel_podcast_omny.rss.xml"):
        result = outcomes[f"{name} as rss"]
        assert result.error is None and result.entries, name
        assert result.warnings == [], (name, result.warnings)
    assert len(outcomes["nl_officielebekendmakingen_rss_2022-05-02.rss.xml as rss"].entries) == 150
    assert len(outcomes["robustness/huge_giantbomb_podcast_1.6MB.rss.xml as rss"].entries) == 730
    assert outcomes["json/us_regulationsgov_v4_documents_search_bears-ears.json as regulationsgov"].error is None


def test_bundestag_feed_50_entries_umlauts_and_utc_dates() -> None:
    result = parse_document(_fixture("bundestag_webtv_plenarsitzung_19-037_podcast.rss.xml"), kind="rss", url=BASE)
    assert result.error is None and len(result.entries) == 50
    assert result.feed_title == "Plenarsitzungen - Video Podcasts"
    first = result.entries[0]
    assert first.title.startswith("Redebeitrag von Claudia Roth (Bundestagsvizepräsidentin/B90/")
    assert first.link == "http://dbtg.tv/fvid/7243677"
    # "Fri, 8 Jun 2018 17:52:52 +0200" (single-digit day) in UTC.
    assert first.published == datetime(2018, 6, 8, 15, 52, 52, tzinfo=UTC)
    assert first.language == "de"
    assert all("  " not in e.title and "\n" not in e.title for e in result.entries)
    assert not any("Ã" in e.title for e in result.entries)  # no mojibake
    assert any("ä" in e.title or "ö" in e.title or "ü" in e.title for e in result.entries[1:])


def test_latin2_feed_decodes() -> None:
    result = parse_document(_fixture("robustness/latin2_iso-8859-2.rss.xml"), kind="rss", url=BASE)
    assert [e.title for e in result.entries] == ["ZAŻÓŁĆ GĘSLĄ JAŹŃ"]
    assert result.entries[0].language == "pl"


def test_iso_8859_1_crlf_feed_decodes() -> None:
    result = parse_document(_fixture("robustness/pt_jn_iso-8859-1_crlf.rss.xml"), kind="rss", url=BASE)
    assert len(result.entries) == 40
    assert result.feed_title == "Jornal de Notícias - Últimas Notícias"
    assert result.entries[0].title == "Mãe de utente é a nova presidente da Raríssimas"
    assert result.entries[0].published == datetime(2018, 1, 3, 13, 47, tzinfo=UTC)


def test_xml_base_relative_links_become_absolute() -> None:
    atom = parse_document(_fixture("robustness/atom_xml_base_relative.atom.xml"), kind="atom", url=BASE)
    [entry] = atom.entries
    assert 'src="https://numi.st/post/2022/travel-uke/IMG_1232.jpeg"' in entry.summary_html + entry.content_html

    enclosure = parse_document(_fixture("robustness/relative_enclosure_url_kryogenix.rss.xml"), kind="rss",
                               url="https://kryogenix.org/feed.xml")
    assert enclosure.entries[0].extra["enclosures"] == ["https://kryogenix.org/images/me/hackergotchi-simpler.png"]

    per_item = parse_document(_fixture("robustness/relative_links_xml_base_insanity-industries.rss.xml"),
                              kind="rss", url=BASE)
    assert [e.link for e in per_item.entries] == [
        "https://insanity.industries/post/pareto-optimal-compression/",
        "https://insanity.industries/post/pacman-tracking-leftover-packages/",
    ]


def test_relative_item_link_resolved_against_fetch_url() -> None:
    body = _rss(_item("Anhörung", link="../verbaende/anhoerung-1.html")).encode()
    [entry] = parse_document(body, kind="rss", url=BASE).entries
    assert entry.link == "https://feeds.example.org/verbaende/anhoerung-1.html"


def test_javascript_link_is_dropped() -> None:
    [entry] = parse_document(_rss(_item("x", link="javascript:alert(1)")).encode(), kind="rss", url=BASE).entries
    assert entry.link is None


def test_utf16_with_bom() -> None:
    body = _rss(_item("Verbändeanhörung zum Wärmeplanungsgesetz"), encoding="utf-16").encode("utf-16")
    assert body[:2] in (b"\xff\xfe", b"\xfe\xff")
    result = parse_document(body, kind="rss", url=BASE)
    assert [e.title for e in result.entries] == ["Verbändeanhörung zum Wärmeplanungsgesetz"]
    fixture = parse_document(_fixture("robustness/feedparser_tests/encoding_utf-16le-bom.xml"), kind="rss", url=BASE)
    assert fixture.error is None


def test_http_charset_wrongly_latin1_for_utf8_bytes() -> None:
    body = _rss(_item("Smart-Meter-Rollout: Änderung des MsbG")).encode("utf-8")
    result = parse_document(body, kind="rss", url=BASE, headers={"Content-Type": "text/xml; charset=ISO-8859-1"})
    assert [e.title for e in result.entries] == ["Smart-Meter-Rollout: Änderung des MsbG"]
    assert any("UTF-8" in w for w in result.warnings)


def test_xml_declaration_wrongly_latin1_for_utf8_bytes() -> None:
    body = _rss(_item("Gebäudeenergiegesetz – Entwurf"), encoding="ISO-8859-1").encode("utf-8")
    result = parse_document(body, kind="rss", url=BASE, headers={"content-type": "application/rss+xml"})
    assert [e.title for e in result.entries] == ["Gebäudeenergiegesetz – Entwurf"]


def test_http_charset_utf8_for_latin1_bytes() -> None:
    body = _rss(_item("Öffentliche Wasserversorgung"), encoding="ISO-8859-1").encode("latin-1")
    result = parse_document(body, kind="rss", url=BASE, headers={"content-type": "application/xml; charset=utf-8"})
    assert [e.title for e in result.entries] == ["Öffentliche Wasserversorgung"]


def test_correct_latin1_is_left_alone() -> None:
    body = _rss(_item("Straßenbeleuchtung"), encoding="ISO-8859-1").encode("latin-1")
    result = parse_document(body, kind="rss", url=BASE, headers={"content-type": "text/xml; charset=iso-8859-1"})
    assert [e.title for e in result.entries] == ["Straßenbeleuchtung"]
    assert result.warnings == []


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{path}">]>',
    '<!DOCTYPE rss [<!ENTITY % p SYSTEM "file://{path}"> %p;]>',
    '<!DOCTYPE rss SYSTEM "file://{path}">',
], ids=["general-entity", "parameter-entity", "external-dtd"])
def test_external_entities_are_never_resolved(tmp_path: Path, doctype: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("GEHEIM-4711-XXE")
    body = ('<?xml version="1.0" encoding="utf-8"?>\n' + doctype.format(path=secret) +
            '<rss version="2.0"><channel><title>T &xxe;</title><item><title>Eintrag &xxe;</title>'
            "<description>Text &xxe;</description><link>https://example.org/1</link></item></channel></rss>")
    result = parse_document(body.encode(), kind="rss", url=BASE)
    assert "GEHEIM" not in repr(result)


def test_body_naming_a_local_file_is_not_opened(tmp_path: Path) -> None:
    # feedparser.parse(bytes) would treat the bytes as a file name; we must not let it.
    secret = tmp_path / "feed.xml"
    secret.write_text(_rss(_item("GEHEIM-0815")))
    result = parse_document(str(secret).encode(), kind="rss", url=BASE)
    assert "GEHEIM" not in repr(result)
    assert result.error is not None


def test_body_naming_a_url_is_not_fetched(feed_server: FeedServer) -> None:
    feed_server.route("/feed", body=_rss(_item("x")).encode())
    result = parse_document(feed_server.url("/feed").encode(), kind="rss", url=BASE)
    assert feed_server.requests("/feed") == []
    assert result.error is not None


@pytest.mark.parametrize(("body", "expected"), [
    (b"", "Leeres Dokument erhalten (kein Feed)"),
    (b"   \n ", "Leeres Dokument erhalten (kein Feed)"),
    (b"<!DOCTYPE html><html><head><title>Startseite</title></head><body><p>Hallo</p></body></html>",
     "HTML-Seite statt Feed erhalten (Adresse der Quelle prüfen)"),
    (b'{"items": []}', "JSON statt RSS/Atom erhalten (Quellenart prüfen)"),
])
def test_not_a_feed_is_an_error(body: bytes, expected: str) -> None:
    result = parse_document(body, kind="rss", url=BASE)
    assert result.error == expected and result.entries == []


def test_unrecognised_root_and_empty_document_fixtures_are_errors() -> None:
    for name in ("robustness/unrecognized_root.rss.xml",
                 "robustness/feedparser_tests/illformed_rss_empty_document.xml"):
        result = parse_document(_fixture(name), kind="rss", url=BASE)
        assert result.error is not None and result.error.startswith("Kein RSS- oder Atom-Feed erkannt"), name


def test_broken_xml_with_entries_is_a_warning_not_an_error() -> None:
    result = parse_document(_fixture("excerpts_truncated/eu_ec_news_eu-explained_2012_TRUNCATED.rss.xml"),
                            kind="rss", url=BASE)
    assert result.error is None and len(result.entries) == 2
    assert result.warnings == ["Feed nicht wohlgeformt (unclosed token, Zeile 55); 2 Einträge gelesen"]


def test_empty_channel_after_leading_newline_keeps_title() -> None:
    result = parse_document(_fixture("robustness/eu_haveyoursay_rss_thirdparty_empty_leading_newline.rss.xml"),
                            kind="rss", url=BASE)
    assert result.error is None and result.entries == []
    assert result.feed_title == "European Commission — Have Your Say Updates"
    assert result.warnings == ["Feed nicht wohlgeformt (XML or text declaration not at start of entity, "
                               "Zeile 3); 0 Einträge gelesen"]


def test_valid_empty_feed_is_neither_error_nor_warning() -> None:
    result = parse_document(_rss("").encode(), kind="rss", url=BASE, headers={"content-type": "application/rss+xml"})
    assert result.error is None and result.entries == [] and result.warnings == []
    assert result.feed_title == "Amtliche Mitteilungen"


@pytest.mark.parametrize(("channel", "items"), [
    ("Fehler", _item("Die angeforderte Seite konnte nicht angezeigt werden")),
    ("Bundesamt – Mitteilungen", _item("Seite nicht gefunden")),
    ("Ministerium", _item("Wartungsarbeiten: Diese Seite ist vorübergehend nicht erreichbar")),
    ("Error 503", ""),
    ("Stadtwerke News", _item("404") + _item("Not Found")),
    ("Portal", _item("Internal Server Error")),
])
def test_error_page_inside_valid_envelope_warns(channel: str, items: str) -> None:
    result = parse_document(_rss(items, title=channel).encode(), kind="rss", url=BASE)
    assert result.error is None
    assert any(w.startswith("Feed sieht wie eine Fehlerseite aus") for w in result.warnings)


@pytest.mark.parametrize("titles", [
    ("Error correction to Regulation (EU) 2024/1689",),
    ("Fehlerhafte Messeinrichtungen: Anhörung zur Eichordnung", "Wartung von Straßenbeleuchtung – Förderaufruf"),
    ("Error correction to Regulation (EU) 2024/1689", "Anhörung zum TKG", "Förderaufruf Smart Cities"),
    ("Verordnung über 404 Messstellen",),
])
def test_real_publications_mentioning_errors_are_not_flagged(titles: tuple[str, ...]) -> None:
    result = parse_document(_rss("".join(_item(t) for t in titles)).encode(), kind="rss", url=BASE)
    assert result.warnings == []


def test_server_sending_html_content_type_is_reported() -> None:
    body = _rss(_item("x")).encode()
    result = parse_document(body, kind="rss", url=BASE, headers={"content-type": "text/html; charset=utf-8"})
    assert len(result.entries) == 1
    assert any(w.startswith("Server nennt keinen XML-Content-Type") for w in result.warnings)


def test_atom_dates_and_html_title() -> None:
    heise = parse_document(_fixture("de_heise_developer_2016.atom.xml"), kind="atom", url=BASE)
    first = heise.entries[0]
    assert first.title == "Java-Anwendungsserver: Red Hat gibt WildFly 10 frei"
    assert first.published is not None and first.published.tzinfo is UTC
    assert first.updated == datetime(2016, 2, 1, 16, 54, 50, tzinfo=UTC)  # 17:54:50+01:00
    xhtml_title = parse_document(_fixture("robustness/feedparser_tests/wellformed_base_relative_xml_base.xml"),
                                 kind="atom", url=BASE)
    assert xhtml_title.entries[0].title == "Example test"


def test_entry_fields_from_a_small_feed() -> None:
    body = (_rss('<item><title>Referentenentwurf &amp; Begründung</title><link>https://example.org/r1</link>'
                 '<guid isPermaLink="false">ref-1</guid><pubDate>Mon, 02 Mar 2026 10:00:00 +0100</pubDate>'
                 "<description>&lt;p&gt;Frist: &lt;b&gt;27.03.2026&lt;/b&gt;&lt;/p&gt;</description>"
                 "<category>Energie</category></item>").encode())
    [entry] = parse_document(body, kind="rss", url=BASE).entries
    assert entry.guid == "ref-1"
    assert entry.title == "Referentenentwurf & Begründung"
    assert entry.published == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert "<b>27.03.2026</b>" in entry.summary_html
    assert entry.extra["categories"] == ["Energie"]


def test_missing_fields_do_not_break() -> None:
    result = parse_document(_fixture("robustness/atom_missing_fields.atom.xml"), kind="atom", url=BASE)
    [entry] = result.entries
    assert entry.title == "" and entry.published is None and entry.link is None


def test_unknown_kind() -> None:
    result = parse_document(b"<rss/>", kind="csv", url=BASE)
    assert result.error is not None and result.error.startswith("Unbekannte Quellenart 'csv'")
    assert all(kind in result.error for kind in SourceKind.codes())


def test_entity_expansion_bomb_is_not_expanded() -> None:
    # "Billion laughs": nine levels of ten-fold expansion would be 10^9 copies of "lol".
    levels = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(2, 10))
    body = ('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol1 "lol">' + levels + ']>'
            '<rss version="2.0"><channel><title>t</title><item><title>&lol9;</title>'
            "<link>https://example.org/</link></item></channel></rss>").encode()
    result = parse_document(body, kind="rss", url=BASE)
    assert all(len(e.title) < 10_000 and len(e.summary_html) < 10_000 for e in result.entries)


def test_relative_html_links_resolve_against_the_document_address() -> None:
    description = ("&lt;p&gt;&lt;a href=&quot;../anhoerung/stellungnahmen.html&quot;&gt;"
                   "Stellungnahmen&lt;/a&gt;&lt;/p&gt;")
    body = _rss("<item><title>Anhörung</title><link>https://other.example.net/a/b/c</link>"
                f"<description>{description}</description></item>").encode()
    [entry] = parse_document(body, kind="rss", url=BASE).entries
    [item] = normalise_entries([entry], _source())
    # Relative to the feed's address (RFC 3986 base of a document), not to the item's link.
    assert 'href="https://feeds.example.org/anhoerung/stellungnahmen.html"' in item.summary_html


def test_fast_path_without_xml_base_stores_what_feedparser_resolving_would(shared_feeds: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # Documents without xml:base skip feedparser's own URI resolution; normalise resolves
    # instead. Every shared feed must give the same items with the same links as through
    # feedparser's resolution (whose HTML re-serialisation may differ in attribute order,
    # and which drops a few links our path keeps, such as a src with a trailing space).
    files = [p for p in sorted(shared_feeds.rglob("*.xml")) if b"xml:base" not in p.read_bytes()]
    assert len(files) >= 20
    source = _source()
    html_fields = {"summary_html", "summary", "text", "content_hash"}
    compared = links = 0
    for path in files:
        body = path.read_bytes()
        fast = parse_document(body, kind="rss", url=BASE)
        with monkeypatch.context() as patched:
            patched.setattr("tracker.collect.parse._may_set_xml_base", lambda _body: True)
            resolved = parse_document(body, kind="rss", url=BASE)
        # Warnings may gain one: feedparser reports a charset override instead of a missing
        # Content-Type when it is given no headers at all (a local file).
        assert fast.error == resolved.error and set(resolved.warnings) <= set(fast.warnings), path.name
        ours, theirs = normalise_entries(fast.entries, source), normalise_entries(resolved.entries, source)
        assert len(ours) == len(theirs), path.name
        for mine, reference in zip(ours, theirs, strict=True):
            for name in Item.__dataclass_fields__.keys() - html_fields:
                assert getattr(mine, name) == getattr(reference, name), (path.name, name)
            our_urls, their_urls = _urls(mine.summary_html), _urls(reference.summary_html)
            assert their_urls <= our_urls, path.name
            assert all(url.startswith(("http://", "https://", "mailto:")) for url in our_urls), path.name
            links += len(our_urls)
        compared += len(ours)
    assert compared > 900 and links > 30, (compared, links)


def _urls(html: str) -> set[str]:
    return {m.strip() for m in re.findall(r'(?:href|src)="([^"]*)"', html)}


def _source() -> Source:
    return Source(id="s", name="s", url=BASE, kind="rss", publisher="p", jurisdiction="de", language="de")
