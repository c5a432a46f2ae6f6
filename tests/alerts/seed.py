"""Putting a realistic tracker state into a test database through the storage layer.

Items go through ``store_items`` (so a moved deadline produces the real item_history
row), sources through ``sync_sources``/``record_failure``, triage through
``save_triage``, judgements through ``save_judgements``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from tracker.judge.types import Judgement, PossibleDeadline
from tracker.models import Item, Source
from tracker.storage import open_db
from tracker.storage.connection import transaction
from tracker.storage.items import store_items
from tracker.storage.judgements import save_judgements
from tracker.storage.sources import record_failure, sync_sources
from tracker.storage.triage import save_triage
from tracker.storage.users import insert_user
from tracker.work.triage import TriageState

SOURCE = Source(id="bmwk", name="BMWK Pressemitteilungen", url="http://127.0.0.1/bmwk.xml", kind="rss",
                publisher="BMWK", jurisdiction="DE", language="de")
T0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def make_item(item_id: str, title: str, *, deadline: date | None = None, deadline_at: datetime | None = None,
              summary: str = "") -> Item:
    text = f"{title} {summary} {deadline}"
    return Item(id=item_id, source_id=SOURCE.id, guid=item_id, link=f"https://example.org/{item_id}",
                canonical_url=f"https://example.org/{item_id}", title=title, summary_html=summary, summary=summary,
                text=summary, published_at=T0, updated_at=None, language="de", jurisdiction="DE",
                content_hash=hashlib.sha256(text.encode()).hexdigest(), deadline=deadline, deadline_at=deadline_at)


def add_items(db: Path, items: Sequence[Item], now: datetime = T0, sources: Sequence[Source] = (SOURCE,)) -> None:
    with open_db(db) as con, transaction(con):
        sync_sources(con, list(sources))
        store_items(con, SOURCE.id, list(items), now)


def judge(db: Path, item_id: str, *, score: float, topics: Sequence[str], relevant: bool = True,
          now: datetime = T0, possible: PossibleDeadline | None = None) -> None:
    verdict = Judgement(id=item_id, relevant=relevant, score=score, topics=list(topics),
                        topic_scores={t: score for t in topics}, evidence=[], stage="consultation", language="de",
                        language_supported=True, in_remit=True, deadline=None, deadline_text=None,
                        deadline_confidence=None, deadline_origin=None, model_version="rules",
                        possible_deadline=possible)
    with open_db(db) as con, transaction(con):
        save_judgements(con, [verdict], now=now, taxonomy_sha="test")


def set_triage(db: Path, item_id: str, state: TriageState, now: datetime = T0) -> None:
    with open_db(db) as con:
        save_triage(con, item_id, state, actor="test", at=now)


def add_user(db: Path, user_id: str, email: str | None, now: datetime = T0) -> None:
    with open_db(db) as con:
        insert_user(con, user_id=user_id, display_name=user_id.title(), email=email, role="team",
                    organisation_id=None, password_hash="x", is_demo=False, now=now)


def fail_source(db: Path, source: Source, times: int, now: datetime = T0) -> None:
    with open_db(db) as con:
        sync_sources(con, [source])
        for _ in range(times):
            record_failure(con, source.id, now=now, status=503, error="HTTP 503 Service Unavailable",
                           duration_ms=10)
