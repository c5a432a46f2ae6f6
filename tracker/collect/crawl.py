"""All requests of one source: the first, the further pages of a paged API, the detail
records it needs, with credentials and a pause between requests.

What to request next is decided by the source's adapter (``tracker.collect.adapters.APIS``:
pure functions on the responses); this module only makes the requests, in order, through
``tracker.collect.fetch``. A page cap per source bounds a run; a source whose pages were not
all read is marked incomplete, so an incremental API reads the same span again next time.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

import httpx

from tracker.collect.adapters import APIS, Api
from tracker.collect.adapters.support import MissingCredential
from tracker.collect.fetch import FetchPolicy, FetchRequest, fetch, fetch_all
from tracker.collect.mail.mailbox import fetch_mailbox
from tracker.models import FetchedPage, FetchResult, MailboxMark, RawEntry, Source
from tracker.vocabulary import SourceKind


@dataclass(frozen=True)
class SourceJob:
    """One source to fetch, with what the database knows about it."""

    source: Source
    now: datetime
    etag: str | None = None
    last_modified: str | None = None
    resume_from: datetime | None = None  # the update time an incremental API is read from (stored mark)
    first_page_only: bool = False  # a check looks at the first response only
    mailbox: MailboxMark | None = None  # a mailbox source's stored mark


def fetch_sources(jobs: Iterable[SourceJob], policy: FetchPolicy) -> Iterator[FetchResult]:
    """Every job's requests, sources concurrently (``policy.concurrency``), yielded as each finishes."""
    return fetch_all(jobs, policy, fetch_source)


DEFAULT_POLICY = FetchPolicy()


def fetch_source(job: SourceJob, policy: FetchPolicy = DEFAULT_POLICY,
                 client: httpx.Client | None = None) -> FetchResult:
    """The first response of ``job``'s source and, for a paged API, its further pages and details.

    Never raises for network trouble or a missing key: ``FetchResult.error`` says what is wrong.
    A mailbox source is read over IMAP instead (``collect.mail.mailbox``)."""
    source = job.source
    if source.kind == SourceKind.IMAP:
        return fetch_mailbox(source, job.mailbox, policy, check_only=job.first_page_only)
    api = APIS.get(source.kind)
    url, since = source.url, None
    if api is not None and api.start_url is not None:
        url, since = api.start_url(url, job.resume_from, job.now)
    try:
        headers = api.credentials() if api is not None and api.credentials is not None else {}
    except MissingCredential as exc:
        return FetchResult(source_id=source.id, url=url, error=str(exc))
    # A listing can be unchanged while the records behind it changed: only single documents
    # are asked for conditionally.
    conditional = api is None or (api.next_page is None and api.detail_urls is None)
    first = _fetch(FetchRequest(source.id, url, job.etag if conditional else None,
                                job.last_modified if conditional else None, headers), policy, client, api)
    first.since = since
    if first.error or first.not_modified or first.body is None or api is None or job.first_page_only:
        return first
    listing = _read_pages(first, source, api, headers, policy, client)
    if api.detail_urls is not None:
        _read_details(first, listing, source, api, headers, policy, client)
    return first


def _fetch(request: FetchRequest, policy: FetchPolicy, client: httpx.Client | None, api: Api | None) -> FetchResult:
    result = fetch(request, policy, client)
    reason = api.explain_failure(result.status, result.final_url) if api and api.explain_failure else None
    if reason:
        result.error, result.body = reason, None
    return result


def _page(result: FetchResult, url: str) -> FetchedPage:
    return FetchedPage(result.final_url or url, result.body or b"", result.status, result.headers.get("content-type"))


def _read_pages(first: FetchResult, source: Source, api: Api, headers: dict[str, str], policy: FetchPolicy,
                client: httpx.Client | None) -> list[tuple[bytes, str]]:
    """Follow the listing's pages up to the source's page cap; returns (body, url) of each page."""
    assert first.body is not None
    pages = [(first.body, first.final_url or first.url)]
    while api.next_page is not None:
        following = api.next_page(pages[-1][1], pages[-1][0])
        if following is None:
            break
        if len(pages) >= source.max_pages:
            first.complete, first.capped = False, True
            first.notes.append(f"Seitenobergrenze erreicht: {source.max_pages} Seiten gelesen, weitere nicht "
                               "(max_pages in feeds.toml erhöhen, wenn das regelmäßig vorkommt)")
            break
        time.sleep(api.request_interval)
        page = _fetch(FetchRequest(source.id, following, headers=headers), policy, client, api)
        first.elapsed_seconds += page.elapsed_seconds
        if page.error or page.body is None:
            first.complete = False
            first.notes.append(f"Seite {len(pages) + 1} nicht abrufbar ({page.error or 'keine Antwort'}); "
                               f"{len(pages)} Seite(n) gelesen")
            break
        first.more_pages.append(_page(page, following))
        pages.append((page.body, page.final_url or following))
    return pages


def _read_details(first: FetchResult, listing: list[tuple[bytes, str]], source: Source, api: Api,
                  headers: dict[str, str], policy: FetchPolicy, client: httpx.Client | None) -> None:
    assert api.detail_urls is not None
    entries: list[RawEntry] = []
    for body, url in listing:
        entries += api.parse(body, url, language=source.language).entries
    wanted = api.detail_urls(first.final_url or first.url, entries)
    if len(wanted) > api.detail_cap:
        first.notes.append(f"Nur {api.detail_cap} von {len(wanted)} Einzelabrufen gemacht (Obergrenze je Lauf)")
        wanted = wanted[:api.detail_cap]
    failed: list[str] = []
    for url in wanted:
        time.sleep(api.request_interval)
        detail = _fetch(FetchRequest(source.id, url, headers=headers), policy, client, api)
        first.elapsed_seconds += detail.elapsed_seconds
        if detail.error or detail.body is None:
            failed.append(f"{url} ({detail.error or 'keine Antwort'})")
            continue
        first.more_pages.append(_page(detail, url))
    if failed:
        # The listing's record stands in for a missing detail: the item keeps its deadline.
        first.notes.append(f"{len(failed)} von {len(wanted)} Einzelabrufen fehlgeschlagen, z. B. {failed[0]}")
