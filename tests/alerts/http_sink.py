"""A local HTTP server on 127.0.0.1 that records webhook POSTs and misbehaves on request.

``plan[path]`` is a list of behaviours used one per request ("ok", "500", "slow"); when
it runs out, requests succeed.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Sink:
    requests: list[Request] = field(default_factory=list)
    plan: dict[str, list[str]] = field(default_factory=dict)
    slow_seconds: float = 2.0

    def accepted(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path and r.headers.get("x-outcome") == "ok"]


def _handler(sink: Sink) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"null")
            steps = sink.plan.get(self.path, [])
            step = steps.pop(0) if steps else "ok"
            headers = {k.lower(): v for k, v in self.headers.items()}
            headers["x-outcome"] = step
            sink.requests.append(Request(self.path, headers, body))
            if step == "slow":
                time.sleep(sink.slow_seconds)
            code = 500 if step == "500" else 200
            try:
                self.send_response(code)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok" if code == 200 else b"no")
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args: object) -> None:
            pass

    return Handler


class HttpSink:
    def __init__(self) -> None:
        self.sink = Sink()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.sink))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> HttpSink:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"
