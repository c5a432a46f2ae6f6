"""The same matter at another level: items that share a reference number with an item,
placed where they stand in the chain (EU, Bundestag, Bundesrat, federal government, Länder).

Items sharing a Vorlage's own number (COM, Council document, EU procedure, Drucksache, DIP
Vorgang) are the same Vorlage; items that only name the same adopted EU act (a CELEX number)
are related, not the same: many texts cite one regulation. Triage offered across links
follows the same line (``tracker.work.decisions.apply_triage_to_linked``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tracker.access import permissions
from tracker.models import User
from tracker.storage import open_db
from tracker.storage.references import item_references, linked_items, source_of_item
from tracker.vocabulary import SAME_MATTER_REFERENCES, Level, ReferenceKind, TriageStatus

LEVEL_ORDER = tuple(Level)


def level_of(row: Mapping[str, Any]) -> Level:
    """Where an item stands, from its DIP publisher (BT/BR), its jurisdiction and its source."""
    herausgeber = row.get("herausgeber")
    if herausgeber == "BR":
        return Level.BUNDESRAT
    if herausgeber == "BT":
        return Level.BUNDESTAG
    jurisdiction = row.get("jurisdiction") or row.get("source_jurisdiction") or ""
    if jurisdiction == "eu":
        return Level.EU
    name = f"{row.get('publisher') or ''} {row.get('source_name') or ''}".lower()
    if "bundesrat" in name:
        return Level.BUNDESRAT
    if "bundestag" in name or row.get("source_kind") == "dip":
        return Level.BUNDESTAG
    if jurisdiction.startswith("de-"):
        return Level.LAND
    if jurisdiction == "de":
        return Level.BUND
    return Level.OTHER


def reference_label(kind: str, value: str) -> str:
    """A reference as people write it: 'COM(2023) 123', 'BT-Drucksache 21/6278', 'CELEX 32024L1275'."""
    if kind in (ReferenceKind.COM, ReferenceKind.EU_PROCEDURE):
        return value
    return f"{ReferenceKind.label_of(kind)} {value}"


@dataclass(frozen=True)
class LinkedItem:
    id: str
    title: str
    link: str | None
    level: Level
    status: str
    owner: str | None
    deadline: Any
    stage: str | None
    shared: tuple[tuple[str, str], ...]
    same_matter: bool  # shares a Vorlage's own number, not only a cited act

    @property
    def via(self) -> str:
        return ", ".join(reference_label(kind, value) for kind, value in self.shared)


@dataclass(frozen=True)
class Links:
    """An item's place in the chain and the linked items, grouped by level."""

    level: Level
    references: tuple[tuple[str, str], ...]
    same_matter: dict[Level, list[LinkedItem]] = field(default_factory=dict)
    related: dict[Level, list[LinkedItem]] = field(default_factory=dict)

    @property
    def same_matter_items(self) -> list[LinkedItem]:
        return [item for level in LEVEL_ORDER for item in self.same_matter.get(level, [])]


def group_links(own: Mapping[str, Any] | None, references: Sequence[Mapping[str, Any]],
                rows: Sequence[Mapping[str, Any]]) -> Links:
    """Pure: the linked rows (``storage.references.linked_items``) grouped by level and by
    whether they are the same Vorlage or only name the same act."""
    same: dict[Level, list[LinkedItem]] = {}
    related: dict[Level, list[LinkedItem]] = {}
    for row in rows:
        shared = tuple(tuple(pair) for pair in row["shared"])
        is_same = any(kind in SAME_MATTER_REFERENCES for kind, _ in shared)
        linked = LinkedItem(row["id"], row["title"], row.get("link"), level_of(row), row.get("status") or
                            TriageStatus.NEU, row.get("owner"), row.get("deadline"), row.get("stage"), shared, is_same)
        (same if is_same else related).setdefault(linked.level, []).append(linked)
    return Links(level_of(own or {}), tuple((r["kind"], r["value"]) for r in references), same, related)


def links_of(user: User, item_id: str) -> Links:
    """The item's references and the items linked through them (team only)."""
    permissions.require_team(user)
    with open_db() as con:
        return group_links(source_of_item(con, item_id), item_references(con, item_id), linked_items(con, item_id))


def triage_candidates(links: Links, status: str) -> list[LinkedItem]:
    """The same Vorlage elsewhere whose triage differs from ``status`` (nothing to offer while
    the item itself is still new)."""
    if status == TriageStatus.NEU:
        return []
    return [item for item in links.same_matter_items if item.status != status]
