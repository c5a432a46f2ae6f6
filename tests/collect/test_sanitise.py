"""The HTML sanitiser removes every script vector and keeps links working."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.collect.parse import parse_document
from tracker.collect.sanitise import clean_html, html_to_text, sanitised_html_to_text

BASE = "https://www.bmwk.de/Redaktion/DE/Artikel/anhoerung.html"


@pytest.mark.parametrize(("dirty", "forbidden"), [
    ("<p>vor<script>alert('x')</script>nach</p>", ["<script", "alert"]),
    ("<img src=x onerror=alert(1)>", ["onerror", "alert"]),
    ('<a href="javascript:alert(1)">klick</a>', ["javascript:", "alert"]),
    ('<a href="  JaVaScRiPt:alert(1)">klick</a>', ["javascript", "alert"]),
    ("<style>body{display:none}</style><p>Text</p>", ["<style", "display:none"]),
    ('<iframe src="https://evil.example/"></iframe><p>Text</p>', ["<iframe", "evil.example"]),
    ('<p onclick="steal()" style="position:fixed">x</p>', ["onclick", "steal", "position"]),
    ('<svg><script>alert(1)</script></svg>', ["<svg", "alert"]),
    ('<object data="x.swf"></object><embed src="y.swf">', ["<object", "<embed", ".swf"]),
    ('<a href="data:text/html;base64,PHNjcmlwdD4=">d</a>', ["data:"]),
    ('<form action="https://evil.example"><input name=p></form>', ["<form", "<input", "evil"]),
    ('<meta http-equiv="refresh" content="0;url=https://evil.example">', ["<meta", "refresh"]),
])
def test_dangerous_markup_removed(dirty: str, forbidden: list[str]) -> None:
    cleaned = clean_html(dirty, BASE).lower()
    for needle in forbidden:
        assert needle.lower() not in cleaned, (needle, cleaned)


def test_text_around_removed_elements_survives() -> None:
    assert clean_html("<p>vor<script>alert('x')</script>nach</p>") == "<p>vornach</p>"


def test_relative_links_made_absolute_with_rel() -> None:
    cleaned = clean_html('<p>Siehe <a href="../Downloads/entwurf.pdf">Entwurf</a> '
                         '<img src="/bilder/logo.png" alt="Logo"></p>', BASE)
    assert '<a href="https://www.bmwk.de/Redaktion/DE/Downloads/entwurf.pdf" rel="noopener noreferrer">' in cleaned
    assert '<img src="https://www.bmwk.de/bilder/logo.png" alt="Logo">' in cleaned


def test_absolute_and_mailto_links_kept() -> None:
    cleaned = clean_html('<a href="https://example.org/x?a=1&amp;b=2">x</a> <a href="mailto:referat@bund.de">m</a>')
    assert 'href="https://example.org/x?a=1&amp;b=2"' in cleaned
    assert 'href="mailto:referat@bund.de"' in cleaned


def test_relative_link_without_base_is_dropped_not_kept() -> None:
    # In the dashboard a relative href would point at our own server.
    assert clean_html('<a href="/intern">x</a>') == '<a rel="noopener noreferrer">x</a>'
    assert clean_html('<a href="/intern">x</a>', base_url="not a url") == '<a rel="noopener noreferrer">x</a>'


def test_existing_rel_and_target_replaced() -> None:
    cleaned = clean_html('<a href="https://example.org" target="_blank" rel="opener">x</a>')
    assert cleaned == '<a href="https://example.org" rel="noopener noreferrer">x</a>'


def test_structure_kept() -> None:
    html = "<h2>Frist</h2><ul><li><strong>27.03.2026</strong></li></ul><table><tr><td>a</td></tr></table>"
    cleaned = clean_html(html)
    for tag in ("<h2>", "<ul>", "<li>", "<strong>", "<table>", "<td>"):
        assert tag in cleaned


def test_empty() -> None:
    assert clean_html("") == "" and html_to_text("") == ""


def test_html_to_text() -> None:
    html = ("<div><h2>Verbändeanhörung</h2><p>Stellungnahmen bis&nbsp;zum <b>27.&#8239;März</b> &amp; "
            "per   E-Mail.</p><ul><li>Punkt eins</li><li>Punkt zwei</li></ul>Zeile<br>Umbruch"
            "<script>var geheim = 1;</script><style>p{}</style>"
            "<table><tr><td>Zelle 1</td><td>Zelle 2</td></tr></table></div>")
    assert html_to_text(html) == ("Verbändeanhörung\n"
                                  "Stellungnahmen bis zum 27.\u202fMärz & per E-Mail.\n"
                                  "Punkt eins\nPunkt zwei\nZeile\nUmbruch\nZelle 1 Zelle 2")


def test_html_to_text_entities_and_plain_text() -> None:
    assert html_to_text("A &lt;b&gt; &quot;c&quot; &#228;") == 'A <b> "c" ä'
    assert html_to_text("nur   Text\n\nmit  Leerraum") == "nur Text mit Leerraum"


_HTML_PIECES = st.sampled_from([
    "<p>", "</p>", "<br>", "<br/>", "<td>", "</td>", "<th>", "<table><tr>", "</tr></table>", "<li>", "<ul>",
    "</ul>", '<a href="/x?a=1&b=2" title="a>b">', "</a>", '<img alt="x > y" src="p.png">', "<b>", "</b>",
    "<script>x<y</script>", "<!-- c -->", "<title>t</title>", "&amp;", "&lt;", "&gt;", "&nbsp;", "&#x27;",
    "&uuml;", "&", "<", ">", "\n", "\t", " ", "\u00a0", "Frist", "bis 27.03.", "Ä", '"', "'", "<div class=x>",
    "</div>", "<pre>a\n b</pre>", "<h2>", "</h2>", "<tr><td>1</td><td>2</td></tr>",
])


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_HTML_PIECES | st.text(max_size=5), max_size=30).map("".join))
def test_fast_text_of_sanitised_html_equals_the_html_parser(dirty: str) -> None:
    cleaned = clean_html(dirty, BASE)
    assert sanitised_html_to_text(cleaned) == html_to_text(cleaned)


def test_fast_text_equals_the_html_parser_on_every_shared_feed(shared_feeds: Path) -> None:
    compared = 0
    for path in sorted(shared_feeds.rglob("*.xml")):
        parsed = parse_document(path.read_bytes(), kind="rss", url=BASE)
        for entry in parsed.entries:
            for dirty in (entry.summary_html, entry.content_html):
                cleaned = clean_html(dirty, BASE)
                assert sanitised_html_to_text(cleaned) == html_to_text(cleaned), path.name
                compared += bool(cleaned)
    assert compared > 1400
