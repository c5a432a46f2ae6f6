"""Eingang: every new and changed publication, most relevant and most urgent first."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

import streamlit as st

from tracker.collect import coverage
from tracker.ui import widgets
from tracker.ui.render import escape_markdown
from tracker.ui.session import current_user
from tracker.ui.widgets import badge, deadline_badge, guarded, status_badge, topic_label
from tracker.vocabulary import Stage, jurisdiction_label, relevance_label
from tracker.work import inbox, triage, views, visits

ss = st.session_state
day = widgets.today()
user = current_user()
# NEU: first seen since this user last looked; the cutoff holds for this session.
if "inbox_new_cutoff" not in ss:
    with guarded():
        ss["inbox_new_cutoff"] = visits.start_looking(user)
if time.monotonic() - ss.get("_inbox_looked", 0.0) > 60:
    with guarded():
        visits.looked(user)
    ss["_inbox_looked"] = time.monotonic()
new_cutoff: datetime = ss["inbox_new_cutoff"]
ss.setdefault("inbox_statuses", list(triage.OPEN_STATUSES))
ss.setdefault("inbox_sort", inbox.DEFAULT_SORT)
ss.setdefault("inbox_page", 1)
ss.setdefault("inbox_dates", [])
ss.setdefault("inbox_min_score", 0)

dates = ss.get("inbox_dates") or ()
current = inbox.make_filter(
    topics=ss.get("inbox_topics"), sources=ss.get("inbox_sources"),
    jurisdictions=ss.get("inbox_jurisdictions"), stages=ss.get("inbox_stages"),
    statuses=ss.get("inbox_statuses"), owners=ss.get("inbox_owners"),
    text=ss.get("inbox_text", ""), min_score=int(ss.get("inbox_min_score", 0)) / 100,
    only_changed=bool(ss.get("inbox_only_changed", False)),
    include_irrelevant=bool(ss.get("inbox_include_irrelevant", False)),
    date_from=dates[0] if len(dates) > 0 else None, date_to=dates[1] if len(dates) > 1 else None,
)
# A new filter starts again on page 1; otherwise a shrunken result could show an empty page.
if ss.get("_inbox_last_filter", current) != current:
    ss["inbox_page"] = 1
ss["_inbox_last_filter"] = current

with guarded():
    read = views.inbox(user, current, today=day, sort=ss["inbox_sort"], page=int(ss["inbox_page"]))
shift, view = read.shift, read.data
all_items, names, total, counts, rows = view.all_items, view.source_names, view.total, view.counts, view.rows

st.title("Eingang")
widgets.demo_banner(shift)
with guarded():
    # Items judged not relevant are counted since the same moment as NEU: since this user last looked.
    covered = coverage.load_coverage(since=new_cutoff)

if all_items == 0:
    if not names:
        st.info("Noch keine Quellen und keine Einträge. Quellen in der feeds.toml eintragen und auf der "
                "Seite **Quellen** „Jetzt sammeln“ drücken – oder mit `tracker demo` Demodaten laden.")
    else:
        st.info("Noch keine Einträge. Auf der Seite **Quellen** „Jetzt sammeln“ drücken.")
    st.page_link("app_pages/quellen.py", label="Zu den Quellen", icon=":material/rss_feed:")
    st.stop()


def options(facet: str, known: list[str] | tuple[str, ...] = ()) -> list[str]:
    """Values with counts, plus every known and selected value so a choice never disappears."""
    selected = getattr(current, facet)
    values = set(counts[facet]) | set(known) | set(selected)
    return sorted(values, key=lambda v: (-counts[facet].get(v, 0), v))


def counted(facet: str, label: Callable[[str], str] = lambda v: v or "–") -> Callable[[str], str]:
    return lambda value: f"{label(value)} ({counts[facet].get(value, 0)})"


side = st.sidebar
side.header("Filter")
side.text_input("Suche in Titel und Text", key="inbox_text", placeholder="z. B. Wärmeplanung")
side.multiselect("Thema", options("topics", list(widgets.topic_labels())),
                 select_all=False, key="inbox_topics", placeholder="alle",
                 format_func=counted("topics", topic_label))
side.multiselect("Status", options("statuses", triage.STATUSES),
                 select_all=False, key="inbox_statuses", placeholder="alle",
                 format_func=counted("statuses", triage.status_label))
side.multiselect("Quelle", options("sources", list(names)), select_all=False, key="inbox_sources", placeholder="alle",
                 format_func=counted("sources", lambda v: names.get(v, v)))
side.multiselect("Rechtsraum", options("jurisdictions"),
                 select_all=False, key="inbox_jurisdictions", placeholder="alle",
                 format_func=counted("jurisdictions", jurisdiction_label))
side.multiselect("Verfahrensstand", options("stages"), select_all=False, key="inbox_stages", placeholder="alle",
                 format_func=counted("stages", lambda v: Stage.label_of(v or None)))
side.multiselect("Verantwortlich", options("owners"), select_all=False, key="inbox_owners", placeholder="alle",
                 format_func=counted("owners", widgets.person))
side.date_input("Veröffentlicht im Zeitraum", key="inbox_dates", format="DD.MM.YYYY")
side.slider("Mindestrelevanz", 0, 100, step=5, key="inbox_min_score", format="%d %%")
side.checkbox("Nur geänderte Einträge", key="inbox_only_changed")
side.checkbox("Auch als nicht relevant bewertete Einträge", key="inbox_include_irrelevant")

head, sort_col, page_col = st.columns([3, 2, 1])
head.markdown(f"**{total}** von {all_items} Einträgen")
hidden = counts["hidden"].get("", 0)
if hidden:
    head.button(f"{hidden} als nicht relevant bewertete einblenden", key="eingang_show_irrelevant", type="tertiary",
                icon=":material/visibility:", on_click=lambda: ss.update(inbox_include_irrelevant=True))
sort_col.selectbox("Sortierung", list(inbox.SORTS), key="inbox_sort", format_func=inbox.SORTS.get,
                   label_visibility="collapsed")
pages = inbox.page_count(total)
ss["inbox_page"] = view.page  # pulled back when the result shrank below the page asked for
page_col.number_input(f"Seite (von {pages})", min_value=1, max_value=pages, key="inbox_page")

# What this inbox can vouch for, at its head so nobody reads an empty page as an all-clear.
if covered.complete:
    st.caption("Abdeckung: " + " ".join(escape_markdown(line) for line in covered.lines()))
else:
    with st.expander(f"Abdeckung: {covered.gaps()} – Funkstille ist keine Entwarnung",
                     icon=":material/warning:", expanded=True):
        st.markdown("  \n".join(escape_markdown(line) for line in covered.lines())
                    + "  \nEinzelheiten auf der Seite **Quellen**.")

if not rows:
    st.info("Kein Eintrag passt zu diesen Filtern. Filter in der Seitenleiste lockern.")
    st.stop()

for row in rows:
    with st.container(border=True):
        marks = []
        if inbox.is_new(row["first_seen_at"], new_cutoff):
            marks.append(badge("NEU", "#0ea5e9"))
        if not row["relevant"]:
            marks.append(badge(relevance_label(False), "#9ca3af"))
        if row["changed"]:
            marks.append(badge("GEÄNDERT", "#db2777"))
        marks.append(deadline_badge(row["deadline"], day))
        marks.append(widgets.possible_deadline_badge(row["deadline"], row["possible_deadline"], day))
        marks += widgets.arrival_badges(row["first_seen_at"], row["deadline"], row["is_baseline"], row["mail_reading"])
        if row["status"] != triage.DEFAULT_STATUS:
            marks.append(status_badge(row["status"]))
        marks.append(badge(f"Relevanz {widgets.fmt_number(row['score'])}", "#475569"))
        meta = " · ".join(filter(None, [
            ", ".join(row["source_names"] or []),
            f"von {row['ministry']}" if row["ministry"] else "",
            row["day"].strftime("%d.%m.%Y") if row["day"] else "",
            jurisdiction_label(row["jurisdiction"]) if row["jurisdiction"] else "",
            Stage.label_of(row["stage"] or None, ""),
            ", ".join(topic_label(t) for t in row["topics"]),
            f"verantwortlich: {widgets.person(row['owner'])}" if row["owner"] else "",
        ]))
        st.markdown("".join(marks), unsafe_allow_html=True)
        st.page_link("app_pages/vorgang.py", label=f"**{escape_markdown(row['title'][:300])}**",
                     query_params={"item": row["id"]})
        st.caption(escape_markdown(meta))
        if row["summary"]:
            summary = row["summary"]
            st.markdown(escape_markdown(summary if len(summary) <= 300 else summary[:299].rstrip() + " …"))
