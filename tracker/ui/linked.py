"""The Vorgang page's section "Dieselbe Vorlage auf EU-Ebene / im Bundestag / im Bundesrat":
the items linked through the reference numbers the sources give, and the offer to give
them the same triage."""

from __future__ import annotations

from datetime import date

import streamlit as st

from tracker.models import User
from tracker.ui.render import escape_markdown, link_markdown
from tracker.ui.widgets import reported
from tracker.work import decisions, linking, triage
from tracker.work.linking import LinkedItem, Links

TITLE = "Dieselbe Vorlage auf EU-Ebene / im Bundestag / im Bundesrat"
_FLASH = "linked_flash"


def render_linked_section(user: User, item_id: str, status: str, day: date) -> None:
    """The section for one item (its current triage ``status``); writes only through the library."""
    st.subheader(TITLE)
    flash = st.session_state.pop(_FLASH, None)
    if flash:
        st.success(flash)
    with reported():
        links = linking.links_of(user, item_id)
        _render(user, item_id, status, day, links)


def _render(user: User, item_id: str, status: str, day: date, links: Links) -> None:
    if not links.references:
        st.caption("Die Quelle nennt für diesen Eintrag keine Vorlagennummer (KOM-, Rats-, EU-Verfahrens-, "
                   "Drucksachen- oder DIP-Nummer), über die er sich mit anderen Ebenen verknüpfen ließe.")
        return
    numbers = ", ".join(linking.reference_label(kind, value) for kind, value in links.references)
    st.caption(f"Dieser Eintrag ({escape_markdown(links.level.label)}) nennt: {escape_markdown(numbers)}")
    if not links.same_matter and not links.related:
        st.caption("Noch kein anderer gespeicherter Eintrag trägt eine dieser Nummern.")
        return
    for level in linking.LEVEL_ORDER:
        items = links.same_matter.get(level, [])
        if items:
            st.markdown(f"**{escape_markdown(level.label[:1].upper() + level.label[1:])}**")
            for item in items:
                _item_line(item, day)
    if links.related:
        count = sum(len(items) for items in links.related.values())
        with st.expander(f"Nennen denselben EU-Rechtsakt ({count})"):
            st.caption("Verwandt, aber nicht dieselbe Vorlage: diese Einträge nennen nur denselben "
                       "beschlossenen Rechtsakt.")
            for level in linking.LEVEL_ORDER:
                for item in links.related.get(level, []):
                    _item_line(item, day)
    _offer_triage(user, item_id, status, links)


def _item_line(item: LinkedItem, day: date) -> None:
    st.page_link("app_pages/vorgang.py", label=item.title[:150] + ("…" if len(item.title) > 150 else ""),
                 icon=":material/link:", query_params={"item": item.id})
    details = [f"Status: {triage.status_label(item.status)}", f"über {item.via}"]
    if item.deadline:
        details.insert(1, f"Frist {item.deadline:%d.%m.%Y}" + (" (abgelaufen)" if item.deadline < day else ""))
    original = f" · {link_markdown('Original', item.link)}" if item.link else ""
    st.markdown(escape_markdown(" · ".join(details)) + original)


def _offer_triage(user: User, item_id: str, status: str, links: Links) -> None:
    candidates = linking.triage_candidates(links, status)
    if not candidates:
        return
    label = triage.status_label(status)
    others = "1 Eintrag derselben Vorlage steht" if len(candidates) == 1 else \
        f"{len(candidates)} Einträge derselben Vorlage stehen"
    st.info(f"Hier eingestuft als „{label}“; {others} auf anderer Ebene anders. Die Einstufung lässt sich "
            "übernehmen (die internen Termine jedes Eintrags bleiben).")
    target = "1 verknüpften Eintrag" if len(candidates) == 1 else f"{len(candidates)} verknüpfte Einträge"
    if st.button(f"„{label}“ für {target} übernehmen", key=f"linked_triage_{item_id}"):
        with reported():
            results = decisions.apply_triage_to_linked(user, item_id, [c.id for c in candidates])
            changed = sum(1 for r in results if r.changes)
            refused = [f"„{r.title[:60]}“: {' '.join(r.problems)}" for r in results if r.problems]
            message = f"Einstufung „{label}“ bei {changed} verknüpften Einträgen übernommen."
            if refused:
                message += " Nicht übernommen: " + "; ".join(refused)
            st.session_state[_FLASH] = message
            st.rerun()

