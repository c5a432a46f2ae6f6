"""Data shapes passed between pipeline stages.

Every stage takes and returns these plain dataclasses, so each stage can be tested
without the others and without a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from tracker.vocabulary import TEAM_ROLES, AfterRead


@dataclass(frozen=True)
class Source:
    """One entry of feeds.toml."""

    id: str
    name: str
    url: str
    kind: str
    publisher: str
    jurisdiction: str
    language: str
    enabled: bool = True
    poll_interval_minutes: int = 60
    topic_hints: tuple[str, ...] = ()
    # Paged APIs (Have Your Say, DIP, GOV.UK search): how many listing pages one run reads.
    max_pages: int = 10
    # How often the source is expected to bring something new; None: the default of its kind
    # (``tracker.collect.cadence``). Past it the source is "überfällig".
    expect_every: timedelta | None = None
    # Mailbox sources: what is done to a mail once its item is stored (nothing unless named),
    # and the flag or folder it names.
    after_read: str = AfterRead.NOTHING
    after_read_target: str | None = None


@dataclass(frozen=True)
class MailboxMark:
    """Where a mailbox source stands: the folder's UIDVALIDITY and the highest UID taken.

    UIDs are only meaningful under one UIDVALIDITY; when the server changes it, every mail of
    the folder is read again and the Message-ID keeps each one a single item."""

    uidvalidity: int
    last_uid: int


@dataclass
class FetchedPage:
    """A further response of a paged or multi-request source (page 2 onwards, detail records)."""

    url: str
    body: bytes
    status: int | None = None
    content_type: str | None = None


@dataclass
class FetchResult:
    """What one HTTP fetch of a source produced.

    ``body`` is None when nothing new arrived (304) or when the fetch failed; ``error``
    then says why in one line a policy officer can act on.
    """

    source_id: str
    url: str
    status: int | None = None
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    final_url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None
    not_modified: bool = False
    elapsed_seconds: float = 0.0
    attempts: int = 0
    # Each redirect followed: (status, target). A 301/308 says the source has moved.
    redirects: list[tuple[int, str]] = field(default_factory=list)
    # Paged and multi-request sources: the responses after the first, what went wrong with
    # them, whether every page was read, and the time an incremental request started from.
    more_pages: list[FetchedPage] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    complete: bool = True
    since: datetime | None = None
    # The page cap (``max_pages``, or a mailbox's mails per run) stopped the reading.
    capped: bool = False
    # Mailbox sources: the mark to store once this run's mails are stored.
    mailbox: MailboxMark | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class RawEntry:
    """One entry as a parser or JSON adapter saw it, before normalising.

    Text fields may still hold untrusted HTML; ``normalise`` sanitises them.
    """

    guid: str | None
    title: str
    link: str | None
    summary_html: str = ""
    content_html: str = ""
    published: datetime | None = None
    updated: datetime | None = None
    language: str | None = None
    deadline: date | None = None
    deadline_at: datetime | None = None
    deadline_text: str | None = None
    opening_date: date | None = None
    stage: str | None = None
    extra: dict[str, object] = field(default_factory=dict)
    # What relative href/src in the HTML fields are relative to (the document's address);
    # None: the entry's own link.
    html_base: str | None = None


@dataclass
class ParseResult:
    """Entries of one document plus what went wrong without stopping the parse."""

    entries: list[RawEntry]
    feed_title: str | None = None
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    # Documents found inside the parsed ones (a mail's attachments), archived with them.
    documents: list[FetchedPage] = field(default_factory=list)


@dataclass
class Item:
    """The one normalised shape every publication is stored in."""

    id: str
    source_id: str
    guid: str | None
    link: str | None
    canonical_url: str | None
    title: str
    summary_html: str
    summary: str
    text: str
    published_at: datetime | None
    updated_at: datetime | None
    language: str | None
    jurisdiction: str
    content_hash: str
    deadline: date | None = None
    deadline_at: datetime | None = None
    deadline_text: str | None = None
    deadline_origin: str | None = None
    deadline_confidence: float | None = None
    opening_date: date | None = None
    stage: str | None = None
    extra_json: str = "{}"
    # True when the canonical URL is this item's identity, so another source's entry with
    # the same URL is the same publication.
    url_is_identity: bool = False
    # (kind, value, origin) of each reference number the publisher gave
    # (tracker.collect.references), stored per item and source.
    references: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class User:
    """Who is acting: stored with every triage action, label and position."""

    id: str
    display_name: str
    role: str
    organisation_id: str | None = None
    email: str | None = None

    @property
    def is_team(self) -> bool:
        return self.role in TEAM_ROLES
