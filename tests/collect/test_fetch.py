"""fetch() against a real local HTTP server: conditional GET, retries, deadline, size cap."""

from __future__ import annotations

import socket
import time

import httpx
import pytest

from tests.support import feedserver
from tests.support.feedserver import FeedServer
from tracker.collect.fetch import FetchPolicy, FetchRequest, fetch, fetch_all, human_size
from tracker.collect.parse import parse_document

feed_server = feedserver.feed_server

FEED = (b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
        b'<item><title>Stellungnahme zur \xc3\x84nderung</title><link>http://x.test/1</link></item>'
        b'</channel></rss>')
FAST = FetchPolicy(connect_timeout=2, read_timeout=2, total_deadline=5, backoff_seconds=0.05)


def test_etag_then_304(feed_server: FeedServer) -> None:
    feed_server.route("/f", body=FEED, etag='"abc"')
    first = fetch(FetchRequest("s", feed_server.url("/f")), FAST)
    assert first.ok and first.status == 200 and first.body == FEED
    assert first.etag == '"abc"' and first.headers["content-type"].startswith("application/rss+xml")

    second = fetch(FetchRequest("s", feed_server.url("/f"), etag=first.etag), FAST)
    assert second.ok and second.status == 304 and second.not_modified and second.body is None
    assert second.etag == '"abc"'
    assert feed_server.requests("/f")[1]["if-none-match"] == '"abc"'
    assert "if-none-match" not in feed_server.requests("/f")[0]


def test_last_modified_then_304(feed_server: FeedServer) -> None:
    stamp = "Wed, 21 Oct 2026 07:28:00 GMT"
    feed_server.route("/f", body=FEED, last_modified=stamp)
    first = fetch(FetchRequest("s", feed_server.url("/f")), FAST)
    assert first.last_modified == stamp and first.etag is None
    second = fetch(FetchRequest("s", feed_server.url("/f"), last_modified=stamp), FAST)
    assert second.not_modified and second.error is None and second.last_modified == stamp
    assert feed_server.requests("/f")[1]["if-modified-since"] == stamp
    # A changed document (different Last-Modified) is delivered in full again.
    feed_server.route("/f", body=FEED + b" ", last_modified="Thu, 22 Oct 2026 07:28:00 GMT")
    third = fetch(FetchRequest("s", feed_server.url("/f"), last_modified=stamp), FAST)
    assert not third.not_modified and third.body == FEED + b" "


def test_user_agent_sent(feed_server: FeedServer) -> None:
    feed_server.route("/f", body=FEED)
    fetch(FetchRequest("s", feed_server.url("/f")), FAST)
    assert feed_server.requests("/f")[0]["user-agent"].startswith("Konsultationsradar/")


def test_500_then_success_on_retry(feed_server: FeedServer) -> None:
    feed_server.route("/f", body=FEED, statuses=[500, 200])
    result = fetch(FetchRequest("s", feed_server.url("/f")), FAST)
    assert result.ok and result.body == FEED and result.attempts == 2
    assert len(feed_server.requests("/f")) == 2


def test_persistent_500_reports_attempts(feed_server: FeedServer) -> None:
    feed_server.route("/f", body=b"boom", status=503)
    result = fetch(FetchRequest("s", feed_server.url("/f")), FAST)
    assert result.error is not None and result.error.startswith("HTTP 503")
    assert result.error.endswith("nach 3 Versuchen")
    assert result.status == 503 and result.body is None and result.attempts == 3


def test_404_is_not_retried(feed_server: FeedServer) -> None:
    result = fetch(FetchRequest("s", feed_server.url("/missing")), FAST)
    assert result.status == 404 and result.attempts == 1
    assert result.error is not None and "HTTP 404" in result.error and "URL" in result.error


def test_slower_than_deadline(feed_server: FeedServer) -> None:
    feed_server.route("/slow", body=FEED, delay=3.0)
    policy = FetchPolicy(connect_timeout=1, read_timeout=5, total_deadline=1.0, backoff_seconds=0.1)
    started = time.monotonic()
    result = fetch(FetchRequest("s", feed_server.url("/slow")), policy)
    took = time.monotonic() - started
    assert result.error == "Zeitüberschreitung nach 1 s (1 Versuch)"
    assert result.body is None
    assert took < 2.9, took  # the route itself takes 3 s


def test_read_timeout_retried_then_reported(feed_server: FeedServer) -> None:
    feed_server.route("/slow", body=FEED, delay=1.0)
    policy = FetchPolicy(read_timeout=0.3, total_deadline=10, retries=1, backoff_seconds=0.05)
    result = fetch(FetchRequest("s", feed_server.url("/slow")), policy)
    assert result.error == "Zeitüberschreitung: keine Antwort innerhalb von 0.3 s nach 2 Versuchen"
    assert len(feed_server.requests("/slow")) == 2


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_body_over_size_cap(feed_server: FeedServer, chunked: bool) -> None:
    feed_server.route("/big", body=b"x" * 300_000, chunked=chunked)
    result = fetch(FetchRequest("s", feed_server.url("/big")), FetchPolicy(max_bytes=100_000))
    assert result.error == "Antwort größer als 100 kB abgebrochen"
    assert result.body is None and result.attempts == 1


def test_gzip_bomb_stopped_at_decoded_size(feed_server: FeedServer) -> None:
    # 5 MB of zeros compresses to a few kB: only the decoded size can catch it.
    feed_server.route("/bomb", body=b"\0" * 5_000_000, gzip=True)
    result = fetch(FetchRequest("s", feed_server.url("/bomb")), FetchPolicy(max_bytes=1_000_000))
    assert result.error == "Antwort größer als 1 MB abgebrochen"


def test_redirect_loop(feed_server: FeedServer) -> None:
    feed_server.route("/a", redirect_to="/b")
    feed_server.route("/b", redirect_to="/a")
    result = fetch(FetchRequest("s", feed_server.url("/a")), FAST)
    assert result.error == "Zu viele Weiterleitungen (>5)"
    assert result.status == 302
    assert len(feed_server.requests("/a")) + len(feed_server.requests("/b")) == 6


def test_redirect_followed_and_final_url_recorded(feed_server: FeedServer) -> None:
    feed_server.route("/old", redirect_to="/new", status=301)
    feed_server.route("/new", body=FEED)
    result = fetch(FetchRequest("s", feed_server.url("/old")), FAST)
    assert result.ok and result.body == FEED
    assert result.final_url == feed_server.url("/new") and result.url == feed_server.url("/old")


def test_redirect_to_file_scheme_refused(feed_server: FeedServer) -> None:
    feed_server.route("/evil", redirect_to="file:///etc/passwd")
    result = fetch(FetchRequest("s", feed_server.url("/evil")), FAST)
    assert result.error is not None and result.error.startswith("Weiterleitung abgelehnt")
    assert result.body is None


def test_gzip_is_decoded(feed_server: FeedServer) -> None:
    feed_server.route("/gz", body=FEED, gzip=True)
    result = fetch(FetchRequest("s", feed_server.url("/gz")), FAST)
    assert result.ok and result.body == FEED
    assert result.headers["content-encoding"] == "gzip"
    assert "gzip" in feed_server.requests("/gz")[0]["accept-encoding"]


def test_wrong_content_type_charset_still_parses(feed_server: FeedServer) -> None:
    # The document says ISO-8859-1 (and is), the server claims UTF-8.
    body = ('<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><title>Bäder</title>'
            '<item><title>Änderung der Wärmeverordnung</title><link>http://x.test/1</link></item>'
            '</channel></rss>').encode("latin-1")
    feed_server.route("/l1", body=body, headers={"Content-Type": "text/xml; charset=utf-8"})
    result = fetch(FetchRequest("s", feed_server.url("/l1")), FAST)
    assert result.ok and result.body is not None
    parsed = parse_document(result.body, kind="rss", url=result.final_url or result.url,
                            headers=result.headers)
    assert parsed.error is None
    assert [e.title for e in parsed.entries] == ["Änderung der Wärmeverordnung"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_connection_refused() -> None:
    port = _free_port()
    result = fetch(FetchRequest("s", f"http://127.0.0.1:{port}/feed"), FAST)
    assert result.error == "Verbindung zu 127.0.0.1 abgelehnt nach 3 Versuchen"
    assert result.status is None and result.body is None


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/feed", "/etc/passwd"])
def test_only_http_urls(url: str) -> None:
    result = fetch(FetchRequest("s", url))
    assert result.error is not None and result.error.startswith("Nur http- und https-Adressen")
    assert result.attempts == 0


def test_fetch_all_yields_every_result_with_bounded_concurrency(feed_server: FeedServer) -> None:
    for i in range(6):
        feed_server.route(f"/f{i}", body=FEED, delay=0.2)
    feed_server.route("/bad", status=404)
    requests = [FetchRequest(f"s{i}", feed_server.url(f"/f{i}")) for i in range(6)]
    requests.append(FetchRequest("bad", feed_server.url("/bad")))
    policy = FetchPolicy(concurrency=3, total_deadline=5)
    results = {r.source_id: r for r in fetch_all(requests, policy)}
    assert set(results) == {f"s{i}" for i in range(6)} | {"bad"}
    assert all(results[f"s{i}"].body == FEED for i in range(6))
    assert results["bad"].status == 404
    # Slow requests overlap, but never more than the policy allows.
    assert 2 <= feed_server.max_in_flight <= 3


def test_fetch_all_first_result_arrives_before_slow_ones(feed_server: FeedServer) -> None:
    feed_server.route("/slow", body=FEED, delay=1.0)
    feed_server.route("/fast", body=FEED)
    stream = fetch_all([FetchRequest("slow", feed_server.url("/slow")),
                        FetchRequest("fast", feed_server.url("/fast"))], FAST)
    assert next(stream).source_id == "fast"
    assert next(stream).source_id == "slow"


def test_human_size() -> None:
    assert human_size(20_000_000) == "20 MB"
    assert human_size(1_500) == "1.5 kB"
    assert human_size(12) == "12 Bytes"


@pytest.mark.parametrize("url", ["http://[::1", "https://xn--.invalid/feed"])
def test_malformed_url_is_a_clear_error(url: str) -> None:
    result = fetch(FetchRequest("s", url), FAST)
    assert result.error is not None and result.error.startswith("Ungültige Adresse")


def test_caller_client_keeps_our_rules(feed_server: FeedServer) -> None:
    feed_server.route("/a", redirect_to="/b")
    feed_server.route("/b", redirect_to="/a")
    feed_server.route("/f", body=FEED)
    with httpx.Client(follow_redirects=True, max_redirects=50) as client:
        loop = fetch(FetchRequest("s", feed_server.url("/a")), FAST, client=client)
        plain = fetch(FetchRequest("s", feed_server.url("/f")), FAST, client=client)
    assert loop.error == "Zu viele Weiterleitungen (>5)"
    assert plain.ok and feed_server.requests("/f")[0]["user-agent"].startswith("Konsultationsradar/")


def test_slow_drip_body_stopped_at_total_deadline(feed_server: FeedServer) -> None:
    # Every chunk arrives well within the read timeout; only the wall-clock deadline catches it.
    feed_server.route("/drip", body=b"x" * 40, chunked=True, chunk_size=2, chunk_delay=0.1)
    policy = FetchPolicy(read_timeout=1, total_deadline=0.8, backoff_seconds=0.05)
    started = time.monotonic()
    result = fetch(FetchRequest("s", feed_server.url("/drip")), policy)
    assert result.error == "Zeitüberschreitung nach 0.8 s (1 Versuch)"
    assert result.status == 200 and result.body is None
    assert time.monotonic() - started < 1.9  # the full drip takes 2 s
