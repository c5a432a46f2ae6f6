"""One adapter per JSON API: pure functions from response bytes to a ParseResult, plus, for
APIs that answer in pages or need further requests, the pure rules that plan them
(``tracker.collect.crawl`` makes the requests)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from tracker.collect.adapters import dip, federalregister, govuk, haveyoursay, regulationsgov
from tracker.models import ParseResult, RawEntry

Adapter = Callable[..., ParseResult]  # (body, url, language=None) -> ParseResult


@dataclass(frozen=True)
class Api:
    """How the collector reads one JSON API."""

    parse: Adapter
    # (url, body) -> the next listing page's URL, or None when this was the last.
    next_page: Callable[[str, bytes], str | None] | None = None
    # (source url, entries of the listing) -> one URL per record whose detail is wanted.
    detail_urls: Callable[[str, list[RawEntry]], list[str]] | None = None
    detail_cap: int = 0  # detail requests per run at most
    # The entries of every page and detail, merged into one entry per record.
    combine: Callable[[list[RawEntry]], list[RawEntry]] | None = None
    # (configured url, stored resume mark, now) -> (first URL, the update time it reads from).
    start_url: Callable[[str, datetime | None, datetime], tuple[str, datetime | None]] | None = None
    # After a run that read every page the next one resumes from its start less this, so a
    # record updated while the run was paging is not missed.
    resume_overlap: timedelta = timedelta(0)
    # Request headers with credentials; raises when they are not configured.
    credentials: Callable[[], dict[str, str]] | None = None
    # (HTTP status, final URL) -> the publisher-specific reason a request failed, if known.
    explain_failure: Callable[[int | None, str | None], str | None] | None = None
    request_interval: float = 0.0  # seconds between two requests of one source (politeness)


# DIP blocks clients that ask too fast ("~14 requests/s got the IP blocked … 2/s has not",
# jan-c-buchkremer/bundestag-data-foundation, src/bdf/fetch_dip.py): one request a second per
# source keeps the two DIP sources, fetched side by side, at two a second.
APIS: dict[str, Api] = {
    "haveyoursay": Api(haveyoursay.parse, next_page=haveyoursay.next_page, detail_urls=haveyoursay.detail_urls,
                       detail_cap=100, combine=haveyoursay.combine, request_interval=0.2),
    "dip": Api(dip.parse, next_page=dip.next_page, start_url=dip.start_url, resume_overlap=dip.OVERLAP,
               credentials=dip.credentials, explain_failure=dip.explain_failure, request_interval=1.0),
    "govuk": Api(govuk.parse, next_page=govuk.next_page),
    "federalregister": Api(federalregister.parse),
    "regulationsgov": Api(regulationsgov.parse),
}
ADAPTERS: dict[str, Adapter] = {kind: api.parse for kind, api in APIS.items()}

__all__ = ["ADAPTERS", "APIS", "Adapter", "Api"]
