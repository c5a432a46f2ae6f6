"""Fetch source documents over HTTP with conditional GET, timeouts, retries and a size cap.

``fetch`` never raises for network or HTTP problems: the returned ``FetchResult`` carries a
one-line ``error`` a policy officer can act on. Redirects are followed by hand so each hop's
scheme is checked and the hop count gives a clear message; the wall-clock deadline covers
all attempts, waits and the body download (httpx's own timeouts are per operation only, so
a server dripping one byte a second would otherwise never time out).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import urljoin, urlsplit

import httpx

from tracker.models import FetchResult


@dataclass(frozen=True)
class FetchPolicy:
    """How the collector talks to the outside world: ``[collector]`` in feeds.toml
    (``tracker.collect.sources`` validates it into this one object)."""

    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_deadline: float = 60.0  # wall-clock seconds per source, retries included
    max_bytes: int = 20_000_000  # cap on the (decoded) body
    max_redirects: int = 5
    retries: int = 2  # extra attempts on timeouts, connection errors, 429 and 5xx
    backoff_seconds: float = 1.0  # exponential: 1, 2, 4 ... capped by the deadline
    user_agent: str = "Konsultationsradar/0.1 (consultation tracker of a municipal utilities association)"
    concurrency: int = 4
    archive_retention_days: int = 90  # how long raw responses are kept after a collection


@dataclass(frozen=True)
class FetchRequest:
    source_id: str
    url: str
    etag: str | None = None
    last_modified: str | None = None
    # Sent with every hop (an API key); never stored or shown.
    headers: Mapping[str, str] = field(default_factory=dict)


Job = TypeVar("Job")


_ALLOWED_SCHEMES = ("http", "https")
_REDIRECT_STATUSES = (301, 302, 303, 307, 308)
_ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
           "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5")


class _Failure(Exception):
    """One attempt failed; ``retryable`` says whether another attempt may help."""

    def __init__(self, message: str, *, retryable: bool, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.status = status


class _DeadlineExceeded(Exception):
    pass


def human_size(n_bytes: int) -> str:
    """'20 MB', '512 kB', '900 Bytes' - decimal units as users see them in file managers."""
    if n_bytes >= 1_000_000:
        return f"{n_bytes / 1_000_000:g} MB"
    if n_bytes >= 1_000:
        return f"{n_bytes / 1_000:g} kB"
    return f"{n_bytes} Bytes"


def _seconds(value: float) -> str:
    return f"{value:g} s"


def make_client(policy: FetchPolicy = FetchPolicy()) -> httpx.Client:
    """An httpx client configured for ``policy``; safe to share between threads."""
    return httpx.Client(
        headers={"User-Agent": policy.user_agent, "Accept": _ACCEPT},
        timeout=httpx.Timeout(policy.read_timeout, connect=policy.connect_timeout),
        follow_redirects=False,
        limits=httpx.Limits(max_connections=max(policy.concurrency, 1) * 2),
    )


def fetch(request: FetchRequest, policy: FetchPolicy = FetchPolicy(),
          client: httpx.Client | None = None) -> FetchResult:
    """Fetch one source. Never raises for network/HTTP trouble; see ``FetchResult.error``."""
    if client is None:
        with make_client(policy) as own_client:
            return _fetch(request, policy, own_client)
    return _fetch(request, policy, client)


def fetch_all(requests: Iterable[Job], policy: FetchPolicy = FetchPolicy(),
              fetcher: Callable[[Job, FetchPolicy, httpx.Client], FetchResult] = fetch) -> Iterator[FetchResult]:
    """Fetch many sources with at most ``policy.concurrency`` at a time; yield as each finishes.

    ``fetcher`` does one source's work (by default one ``FetchRequest``; a paged source
    passes its own, which makes several requests through the same client)."""
    with make_client(policy) as client, ThreadPoolExecutor(max_workers=max(policy.concurrency, 1),
                                                           thread_name_prefix="fetch") as pool:
        futures = [pool.submit(fetcher, request, policy, client) for request in requests]
        try:
            for future in as_completed(futures):
                yield future.result()
        finally:
            # A consumer that stops early must not leave queued downloads running.
            for future in futures:
                future.cancel()


def _fetch(request: FetchRequest, policy: FetchPolicy, client: httpx.Client) -> FetchResult:
    started = time.monotonic()
    deadline = started + policy.total_deadline
    result = FetchResult(source_id=request.source_id, url=request.url,
                         etag=request.etag, last_modified=request.last_modified)
    scheme_error = _url_error(request.url)
    if scheme_error:
        result.error = scheme_error
        return result

    max_attempts = policy.retries + 1
    last: _Failure | None = None
    for attempt in range(1, max_attempts + 1):
        result.attempts = attempt
        result.redirects.clear()
        try:
            _attempt(request, policy, client, deadline, result)
            last = None
            break
        except _DeadlineExceeded:
            last = _Failure(f"Zeitüberschreitung nach {_seconds(policy.total_deadline)} "
                            f"({attempt} {'Versuch' if attempt == 1 else 'Versuche'})",
                            retryable=False, status=result.status)
            break
        except _Failure as failure:
            last = failure
            result.status = failure.status if failure.status is not None else result.status
            if not failure.retryable or attempt == max_attempts:
                break
            pause = policy.backoff_seconds * (2 ** (attempt - 1))
            if time.monotonic() + pause >= deadline:
                break  # waiting would only end in a timeout; report the real failure instead
            time.sleep(pause)

    if last is not None:
        result.body = None
        result.error = _with_attempts(last, result.attempts)
    result.elapsed_seconds = time.monotonic() - started
    return result


def _with_attempts(failure: _Failure, attempts: int) -> str:
    if failure.retryable and attempts > 1:
        return f"{failure.message} nach {attempts} Versuchen"
    return failure.message


def _url_error(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        if parts.scheme.lower() not in _ALLOWED_SCHEMES:
            return f"Nur http- und https-Adressen werden abgerufen, nicht: {url}"
        if not parts.hostname:
            return f"Adresse ohne Server-Namen: {url}"
        _ = httpx.URL(url).host  # IDNA and port checks, so a bad address fails here with a clear line
    except (ValueError, UnicodeError, httpx.InvalidURL) as exc:
        return f"Ungültige Adresse ({_short(exc)}): {url}"
    return None


def _attempt(request: FetchRequest, policy: FetchPolicy, client: httpx.Client, deadline: float,
             result: FetchResult) -> None:
    """One attempt including redirects; fills ``result`` or raises _Failure/_DeadlineExceeded."""
    url = request.url
    # Set per request too, so a caller-supplied client still identifies us and never
    # follows redirects on its own.
    request_headers = {"User-Agent": policy.user_agent, "Accept": _ACCEPT}
    if request.etag:
        request_headers["If-None-Match"] = request.etag
    if request.last_modified:
        request_headers["If-Modified-Since"] = request.last_modified

    for _hop in range(policy.max_redirects + 1):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _DeadlineExceeded
        timeout = httpx.Timeout(min(policy.read_timeout, remaining),
                                connect=min(policy.connect_timeout, remaining))
        # Credentials go only to the host they were configured for, never along a redirect elsewhere.
        hop_headers = {**request_headers, **request.headers} if _same_host(url, request.url) else request_headers
        try:
            with client.stream("GET", url, headers=hop_headers, timeout=timeout,
                               follow_redirects=False) as response:
                result.status = response.status_code
                result.final_url = str(response.url)
                if response.status_code in _REDIRECT_STATUSES:
                    url = _redirect_target(response)
                    result.redirects.append((response.status_code, url))
                    continue
                _read_response(response, policy, deadline, result)
                return
        except httpx.TimeoutException as exc:
            if time.monotonic() >= deadline:
                raise _DeadlineExceeded from exc
            if isinstance(exc, httpx.ConnectTimeout):
                message = f"Zeitüberschreitung beim Verbindungsaufbau ({_seconds(policy.connect_timeout)})"
            else:
                message = f"Zeitüberschreitung: keine Antwort innerhalb von {_seconds(policy.read_timeout)}"
            raise _Failure(message, retryable=True) from exc
        except httpx.ConnectError as exc:
            raise _Failure(_connect_message(url, exc), retryable=True) from exc
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            raise _Failure(f"Verbindung abgebrochen ({_short(exc)})", retryable=True) from exc
        except (httpx.InvalidURL, UnicodeError) as exc:
            raise _Failure(f"Ungültige Adresse ({_short(exc)}): {url}", retryable=False) from exc
        except httpx.DecodingError as exc:
            raise _Failure(f"Antwort nicht entpackbar ({_short(exc)})", retryable=False) from exc
        except httpx.HTTPError as exc:
            raise _Failure(f"HTTP-Fehler: {_short(exc)}", retryable=False) from exc
    raise _Failure(f"Zu viele Weiterleitungen (>{policy.max_redirects})", retryable=False,
                   status=result.status)


def _same_host(url: str, other: str) -> bool:
    return (urlsplit(url).hostname or "").lower() == (urlsplit(other).hostname or "").lower()


def _redirect_target(response: httpx.Response) -> str:
    location = response.headers.get("location")
    if not location:
        raise _Failure(f"HTTP {response.status_code} Weiterleitung ohne Ziel (Location fehlt)",
                       retryable=False, status=response.status_code)
    target = urljoin(str(response.url), location)
    scheme_error = _url_error(target)
    if scheme_error:
        raise _Failure(f"Weiterleitung abgelehnt: {scheme_error}", retryable=False,
                       status=response.status_code)
    return target


def _read_response(response: httpx.Response, policy: FetchPolicy, deadline: float,
                   result: FetchResult) -> None:
    status = response.status_code
    result.headers = {name.lower(): value for name, value in response.headers.items()}
    if status == 304:
        result.not_modified = True
        result.body = None
        result.etag = response.headers.get("etag") or result.etag
        result.last_modified = response.headers.get("last-modified") or result.last_modified
        return
    if status >= 500 or status == 429:
        raise _Failure(f"HTTP {status}" + _reason(response), retryable=True, status=status)
    if status >= 400 or status < 200:
        raise _Failure(f"HTTP {status}" + _reason(response) + _client_error_hint(status),
                       retryable=False, status=status)

    too_big = f"Antwort größer als {human_size(policy.max_bytes)} abgebrochen"
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > policy.max_bytes:
        raise _Failure(too_big, retryable=False, status=status)
    chunks: list[bytes] = []
    size = 0
    # iter_bytes yields decoded data, so a small gzip bomb is stopped at the cap as well.
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > policy.max_bytes:
            raise _Failure(too_big, retryable=False, status=status)
        if time.monotonic() > deadline:
            raise _DeadlineExceeded
        chunks.append(chunk)
    result.body = b"".join(chunks)
    result.not_modified = False
    result.etag = response.headers.get("etag")
    result.last_modified = response.headers.get("last-modified")


def _reason(response: httpx.Response) -> str:
    return f" ({response.reason_phrase})" if response.reason_phrase else ""


def _client_error_hint(status: int) -> str:
    hints = {
        401: ": Zugang verweigert, Zugangsdaten oder API-Schlüssel prüfen",
        403: ": Zugriff verboten, evtl. blockiert der Server unseren Abruf",
        404: ": Adresse nicht gefunden, URL der Quelle prüfen",
        410: ": Quelle wurde dauerhaft entfernt",
    }
    return hints.get(status, "")


def _connect_message(url: str, exc: httpx.ConnectError) -> str:
    host = urlsplit(url).hostname or url
    text = str(exc)
    lowered = text.lower()
    if "name or service not known" in lowered or "nodename nor servname" in lowered \
            or "temporary failure in name resolution" in lowered or "getaddrinfo" in lowered:
        return f"Server {host} nicht gefunden (DNS)"
    if "refused" in lowered:
        return f"Verbindung zu {host} abgelehnt"
    if "ssl" in lowered or "certificate" in lowered:
        return f"TLS-Fehler bei {host}: {_short(exc)}"
    return f"Keine Verbindung zu {host}: {_short(exc)}"


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


__all__ = ["FetchPolicy", "FetchRequest", "fetch", "fetch_all", "make_client", "human_size"]
