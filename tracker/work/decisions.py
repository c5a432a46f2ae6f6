"""The team's decisions on one item: its triage (status, owner, internal dates) and the
team's verdict on its relevance, which ``tracker train`` learns from.

Pages call these instead of writing to storage: each checks that the acting user may
decide (the policy team), applies the triage rules, then writes in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from tracker.access import permissions
from tracker.collect.normalise import plausible
from tracker.errors import UserError
from tracker.models import User
from tracker.storage import open_db
from tracker.storage import triage as store
from tracker.storage.connection import transaction
from tracker.storage.inbox import item_detail
from tracker.storage.references import item_references, linked_items, source_of_item
from tracker.vocabulary import DeadlineOrigin
from tracker.work import linking, triage


class TriageRejected(UserError):
    """The wanted triage breaks a rule; ``problems`` lists each, one sentence apiece."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


def save_triage(user: User, item_id: str, wanted: triage.TriageState) -> list[tuple[str, str | None, str | None]]:
    """Store the wanted triage state of an item; returns the changes (empty: nothing to store).

    Raises ``PermissionDenied`` for members and ``TriageRejected`` when a rule is broken."""
    permissions.require_team(user)
    with open_db() as con:  # save_triage writes the state and its events in one transaction
        item = item_detail(con, item_id)
        if item is None:
            raise UserError(f"Unbekannte Meldung {item_id!r}.")
        stored = store.triage_state(con, item_id)
        problems = triage.validate(wanted, stored, item["deadline"])
        if problems:
            raise TriageRejected(problems)
        return store.save_triage(con, item_id, wanted, actor=user.id, at=datetime.now(UTC))


def set_deadline(user: User, item_id: str, day: date | None) -> bool:
    """The team's word on an item's deadline: mostly the judge's possible deadline after a
    look at the document, or a correction of one the judge read wrongly from the text. From
    then on it counts in the inbox, calendars and reminders, and re-judging keeps it. A
    publisher's own deadline field is not overwritten. False when nothing changed."""
    permissions.require_team(user)
    if day is None:
        raise UserError("Bitte ein Datum wählen.")
    if not plausible(day):
        raise UserError(f"Der {day:%d.%m.%Y} ist als Frist nicht plausibel.")
    with open_db() as con, transaction(con):
        state = store.deadline_state(con, item_id)
        if state is None:
            raise UserError(f"Unbekannte Meldung {item_id!r}.")
        if state["deadline_origin"] == DeadlineOrigin.STRUCTURED:
            raise UserError(f"Die Frist {state['deadline']:%d.%m.%Y} steht im Feld des Herausgebers und wird "
                            "nicht überschrieben.")
        if state["deadline"] == day and state["deadline_origin"] == DeadlineOrigin.TEAM:
            return False
        # The sentence that names the day stays with it, where the judge found one.
        sentence = (state["possible_deadline_text"] if day == state["possible_deadline"]
                    else state["deadline_text"] if day == state["deadline"] else None)
        store.set_team_deadline(con, item_id, day, sentence, old=state["deadline"], actor=user.id,
                                at=datetime.now(UTC))
    return True


def record_relevance(user: User, item_id: str, *, relevant: bool, topics: list[str], note: str = "") -> bool:
    """The team's verdict on an item's relevance and topics, kept with who and when.

    Only a change writes: the same verdict and topics as the team's last label, without a
    note, store nothing (returns False), so saving a form again never turns someone's
    "nicht relevant" into anything else."""
    permissions.require_team(user)
    with open_db() as con:
        labels = store.relevance_labels(con, item_id)
        last = labels[0] if labels else None
        if (last is not None and bool(last["relevant"]) == relevant
                and sorted(last["topics"] or []) == sorted(topics) and not note.strip()):
            return False
        store.add_relevance_label(con, item_id, relevant=relevant, topics=topics, actor=user.id,
                                  at=datetime.now(UTC), note=note.strip())
    return True


def last_relevance_label(user: User, item_id: str) -> dict[str, Any] | None:
    """The team's latest verdict on the item, or None (team only)."""
    permissions.require_team(user)
    with open_db() as con:
        labels = store.relevance_labels(con, item_id)
    return labels[0] if labels else None


def history(user: User, item_id: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The item's triage events and relevance labels, newest first (team only)."""
    permissions.require_team(user)
    with open_db() as con:
        return store.triage_events(con, item_id), store.relevance_labels(con, item_id)


@dataclass(frozen=True)
class LinkedTriage:
    """What applying an item's triage to one linked item did."""

    item_id: str
    title: str
    changes: list[tuple[str, str | None, str | None]]
    problems: list[str]


def apply_triage_to_linked(user: User, item_id: str, target_ids: list[str] | None = None) -> list[LinkedTriage]:
    """Give the same Vorlage at its other levels (``tracker.work.linking``) this item's status,
    and its owner where the linked item has none. Each linked item keeps its own internal
    dates (its deadline differs) and is checked against the triage rules on its own; one that
    breaks a rule is reported and left as it was. ``target_ids`` limits it to those items."""
    permissions.require_team(user)
    with open_db() as con:
        if item_detail(con, item_id) is None:
            raise UserError(f"Unbekannte Meldung {item_id!r}.")
        source = store.triage_state(con, item_id)
        links = linking.group_links(source_of_item(con, item_id), item_references(con, item_id),
                                    linked_items(con, item_id))
        candidates = [c for c in linking.triage_candidates(links, source.status)
                      if target_ids is None or c.id in target_ids]
        results = []
        for candidate in candidates:
            stored = store.triage_state(con, candidate.id)
            wanted = replace(stored, status=source.status, owner=stored.owner or source.owner)
            problems = triage.validate(wanted, stored, item_detail(con, candidate.id)["deadline"])
            changes = [] if problems else store.save_triage(con, candidate.id, wanted, actor=user.id,
                                                            at=datetime.now(UTC))
            results.append(LinkedTriage(candidate.id, candidate.title, changes, problems))
        return results
