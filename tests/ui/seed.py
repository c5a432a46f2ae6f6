"""Seeding a dashboard database through the real store functions (items, judgements)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from tracker.judge.types import Evidence, Judgement, PossibleDeadline
from tracker.models import Item, Source
from tracker.storage import open_db
from tracker.storage.connection import transaction
from tracker.storage.items import store_items
from tracker.storage.judgements import save_judgements
from tracker.storage.sources import sync_sources
from tracker.vocabulary import DeadlineOrigin

SOURCES = (
    Source(id="bnetza", name="Bundesnetzagentur", url="http://127.0.0.1:9/bnetza.xml", kind="rss",
           publisher="Bundesnetzagentur", jurisdiction="de", language="de"),
    Source(id="eu-hys", name="EU Have Your Say", url="http://127.0.0.1:9/hys.json", kind="rss",
           publisher="Europäische Kommission", jurisdiction="eu", language="en"),
)
XSS_TITLE = 'Datenplattform <script>window.__xss = 1; document.title = "pwned"</script> Konsultation'
XSS_SUMMARY = ('Offene Urbane Datenplattform <img src=x onerror="window.__xss=2;document.title=\'pwned\'"> '
               '[klick](javascript:window.__xss=3) <b onmouseover="window.__xss=4">fett</b>')


@dataclass
class Spec:
    id: str
    title: str
    summary: str = ""
    source_id: str = "bnetza"
    score: float = 0.0
    topics: tuple[str, ...] = ()
    deadline: date | None = None
    stage: str = "news"
    published: datetime | None = None
    terms: dict[str, str] = field(default_factory=dict)  # term -> topic, found in the summary
    jurisdiction: str = ""  # empty: the jurisdiction of the seed source named by source_id
    possible: PossibleDeadline | None = None  # a deadline the judge was unsure of
    model_version: str = "rules"  # Judge.model_version of the judgement

    def __post_init__(self) -> None:
        if not self.jurisdiction:
            self.jurisdiction = next(s.jurisdiction for s in SOURCES if s.id == self.source_id)


def item(spec: Spec) -> Item:
    digest = hashlib.sha256(f"{spec.title}|{spec.summary}|{spec.deadline}".encode()).hexdigest()
    return Item(id=spec.id, source_id=spec.source_id, guid=spec.id, link=f"https://example.org/{spec.id}",
                canonical_url=f"https://example.org/{spec.id}", title=spec.title, summary_html=spec.summary,
                summary=spec.summary, text="", published_at=spec.published, updated_at=None, language="de",
                jurisdiction=spec.jurisdiction, content_hash=digest, deadline=spec.deadline,
                deadline_text=f"Stellungnahmen bis zum {spec.deadline:%d.%m.%Y} erbeten." if spec.deadline else None,
                deadline_origin=DeadlineOrigin.TEXT if spec.deadline else None, stage=spec.stage)


def judgement(spec: Spec) -> Judgement:
    evidence = []
    for term, topic in spec.terms.items():
        start = spec.summary.find(term)
        if start >= 0:
            evidence.append(Evidence(term=term, topic=topic, field="summary", start=start, end=start + len(term),
                                     sentence=spec.summary, weight=1.0))
    return Judgement(id=spec.id, relevant=spec.score >= 0.5, score=spec.score, topics=list(spec.topics),
                     topic_scores={t: spec.score for t in spec.topics}, evidence=evidence, stage=spec.stage,
                     language="de", language_supported=True, in_remit=True, deadline=spec.deadline,
                     deadline_text=None, deadline_confidence=None, deadline_origin=None,
                     model_version=spec.model_version, possible_deadline=spec.possible)


def seed(db_path: Path, specs: Sequence[Spec], *, now: datetime | None = None) -> None:
    now = now or datetime.now(UTC)
    by_source: dict[str, list[Spec]] = defaultdict(list)
    for spec in specs:
        by_source[spec.source_id].append(spec)
    with open_db(db_path) as con, transaction(con):
        sync_sources(con, SOURCES)
        for source_id, group in by_source.items():
            store_items(con, source_id, [item(s) for s in group], now)
        save_judgements(con, [judgement(s) for s in specs], now=now)


def standard_specs(today: date) -> list[Spec]:
    """A small inbox with one of each case the pages must handle."""
    published = datetime.combine(today - timedelta(days=3), datetime.min.time(), tzinfo=UTC)
    return [
        Spec("hot", "Referentenentwurf Wärmeplanungsgesetz – Verbändeanhörung",
             "Änderung des Wärmeplanungsgesetzes und des Messstellenbetriebsgesetzes (Smart-Meter-Rollout).",
             score=0.75, topics=("energy",), deadline=today + timedelta(days=4), stage="consultation",
             published=published, terms={"Wärmeplanungsgesetzes": "energy", "Smart-Meter-Rollout": "energy"}),
        Spec("lora", "Frequenzen für LoRaWAN-Netze der Versorger", "Anhörung zu 450 MHz und 868 MHz.",
             source_id="eu-hys", score=0.8, topics=("iot_networks",), deadline=today + timedelta(days=60),
             stage="consultation", published=published - timedelta(days=10), terms={"450 MHz": "iot_networks"}),
        Spec("xss", XSS_TITLE, XSS_SUMMARY, score=0.6, topics=("urban_data",), published=published,
             terms={"Urbane Datenplattform": "urban_data"}),
        Spec("noise", "Pressemitteilung zum Tag der offenen Tür", "Kaffee und Kuchen.", score=0.05,
             published=published - timedelta(days=30)),
    ]
