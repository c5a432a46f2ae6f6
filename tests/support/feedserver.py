"""A real local HTTP server with programmable routes, for fetch and collect tests.

Binds only to 127.0.0.1 on a free port. Each route answers with a body, status, headers,
optional delay, gzip, redirect, a sequence of statuses for successive requests, and honours
ETag / Last-Modified with 304 like a well-behaved feed server.

    with FeedServer() as server:
        server.route("/feed.xml", body=b"<rss/>", etag='"v1"')
        fetch(FetchRequest("s", server.url("/feed.xml")))
        server.requests("/feed.xml")  # -> list of received header dicts (lower-case keys)

A route may instead answer through a ``handler(query, headers) -> (status, headers, body)``
(query: parameter -> list of values, as ``urllib.parse.parse_qs`` gives), for APIs that page
by query parameter or check a key.
"""

from __future__ import annotations

import gzip as gzip_module
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0
    gzip: bool = False
    redirect_to: str | None = None
    statuses: list[int] = field(default_factory=list)
    chunked: bool = False
    chunk_size: int = 64 * 1024
    chunk_delay: float = 0.0
    handler: Handler | None = None
    hits: int = 0


Handler = Callable[[dict[str, list[str]], dict[str, str]], tuple[int, dict[str, str], bytes]]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass  # keep test output clean

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def _answer(self, send_body: bool) -> None:
        path = self.path.split("?", 1)[0]
        owner = self.server.owner
        route = owner._record(path, self.path, {k.lower(): v for k, v in self.headers.items()})
        try:
            self._answer_route(route, owner, send_body)
        finally:
            owner._done()

    def _answer_route(self, route: Route | None, owner: FeedServer, send_body: bool) -> None:
        if route is None:
            self._send(404, {"Content-Type": "text/plain"}, b"not found", send_body)
            return
        if route.handler is not None:
            query = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
            status, headers, body = route.handler(query, {k.lower(): v for k, v in self.headers.items()})
            self._send(status, {"Content-Type": "application/json", **headers}, body, send_body)
            return
        if route.delay:
            time.sleep(route.delay)
        status = route.statuses[min(route.hits - 1, len(route.statuses) - 1)] if route.statuses \
            else route.status
        headers = {"Content-Type": "application/rss+xml; charset=utf-8", **route.headers}
        if route.redirect_to is not None:
            target = route.redirect_to
            if target.startswith("/"):
                target = owner.url(target)
            self._send(status if 300 <= status < 400 else 302, {"Location": target}, b"", send_body)
            return
        if route.etag:
            headers["ETag"] = route.etag
        if route.last_modified:
            headers["Last-Modified"] = route.last_modified
        if status == 200 and self._not_modified(route):
            self._send(304, {k: v for k, v in headers.items() if k in ("ETag", "Last-Modified")}, b"",
                       False)
            return
        body = route.body
        if route.gzip and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip_module.compress(body)
            headers["Content-Encoding"] = "gzip"
        if route.chunked:
            self._send_chunked(status, headers, body, send_body, route.chunk_size, route.chunk_delay)
        else:
            self._send(status, headers, body, send_body)

    def _not_modified(self, route: Route) -> bool:
        inm = self.headers.get("If-None-Match")
        if route.etag and inm is not None:
            return route.etag in [tag.strip() for tag in inm.split(",")] or inm.strip() == "*"
        ims = self.headers.get("If-Modified-Since")
        return bool(route.last_modified and ims is not None and ims.strip() == route.last_modified)

    def _send(self, status: int, headers: dict[str, str], body: bytes, send_body: bool) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body and body:
            self._write(body)

    def _send_chunked(self, status: int, headers: dict[str, str], body: bytes, send_body: bool,
                      step: int, pause: float) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if not send_body:
            return
        for start in range(0, len(body), step):
            chunk = body[start:start + step]
            if not self._write(b"%x\r\n%s\r\n" % (len(chunk), chunk)):
                return
            if pause:
                time.sleep(pause)
        self._write(b"0\r\n\r\n")

    def _write(self, data: bytes) -> bool:
        # The client may hang up early (size cap, deadline); that is expected, not an error.
        try:
            self.wfile.write(data)
            self.wfile.flush()
            return True
        except (BrokenPipeError, ConnectionResetError):
            return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: FeedServer

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that hangs up (a refused key, a cap, a deadline) is expected, not a server
        # error; socketserver would print its traceback into the output a test inspects.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class FeedServer:
    """Context manager running a ThreadingHTTPServer on 127.0.0.1, port chosen by the OS."""

    def __init__(self) -> None:
        self._routes: dict[str, Route] = {}
        self._requests: dict[str, list[dict[str, str]]] = {}
        self._lock = threading.Lock()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self._in_flight = 0
        self.max_in_flight = 0  # most requests being answered at the same time

    def __enter__(self) -> FeedServer:
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._httpd is not None and self._thread is not None
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    @property
    def port(self) -> int:
        assert self._httpd is not None, "FeedServer not started"
        return self._httpd.server_address[1]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(
        self,
        path: str,
        body: bytes | str = b"",
        status: int = 200,
        headers: dict[str, str] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        delay: float = 0.0,
        gzip: bool = False,
        redirect_to: str | None = None,
        statuses: Sequence[int] | None = None,
        chunked: bool = False,
        chunk_size: int = 64 * 1024,
        chunk_delay: float = 0.0,
        handler: Handler | None = None,
    ) -> None:
        """Define (or replace) what ``path`` answers. ``statuses`` are used one per request,
        the last one repeating; ``chunked`` sends without Content-Length, ``chunk_size`` bytes
        at a time with ``chunk_delay`` seconds between chunks (a slow-drip server)."""
        if isinstance(body, str):
            body = body.encode("utf-8")
        with self._lock:
            self._routes[path] = Route(
                body=body, status=status, headers=dict(headers or {}), etag=etag,
                last_modified=last_modified, delay=delay, gzip=gzip, redirect_to=redirect_to,
                statuses=list(statuses or []), chunked=chunked, chunk_size=chunk_size,
                chunk_delay=chunk_delay, handler=handler,
            )

    def requests(self, path: str) -> list[dict[str, str]]:
        """Headers (lower-case names) of every request for ``path``, oldest first; the key
        ``:path`` holds the request path with its query string."""
        with self._lock:
            return [dict(h) for h in self._requests.get(path, [])]

    def _record(self, path: str, raw_path: str, headers: dict[str, str]) -> Route | None:
        with self._lock:
            self._requests.setdefault(path, []).append({**headers, ":path": raw_path})
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
            route = self._routes.get(path)
            if route is not None:
                route.hits += 1
            return route

    def _done(self) -> None:
        with self._lock:
            self._in_flight -= 1


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server
