"""Themen: what arrives per topic, how relevant it is, and from where; a topic opens the inbox;
how the judge holds against the team's own verdicts."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pandas as pd
import streamlit as st

from tracker.clock import BERLIN
from tracker.ui import charts, widgets
from tracker.ui.render import escape_markdown
from tracker.ui.session import current_user
from tracker.ui.widgets import guarded
from tracker.vocabulary import jurisdiction_label, relevance_label
from tracker.work import feedback, views

WEEKS = 26
day = widgets.today()


def show_in_inbox(topic: str) -> None:
    st.session_state["inbox_topics"] = [topic]
    # Forget the chart selection, or coming back here would jump to the inbox again.
    st.session_state.pop("themen_weeks", None)
    st.switch_page("app_pages/eingang.py")


st.title("Themen")
with guarded():
    read = views.topic_statistics(current_user(), since=day - timedelta(weeks=WEEKS))
shift, stats = read.shift, read.data
weeks, scores, per_source, per_jurisdiction = stats.weeks, stats.scores, stats.per_source, stats.per_jurisdiction
widgets.demo_banner(shift)

if not per_jurisdiction:
    st.info("Noch keine Einträge. Auf der Seite **Quellen** „Jetzt sammeln“ drücken.")
    st.stop()

labels = widgets.topic_labels()
st.subheader(f"Einträge je Thema und Woche (letzte {WEEKS} Wochen)")
if weeks:
    event = st.altair_chart(charts.german(charts.topic_weeks(weeks, labels)), width="stretch", on_select="rerun",
                            key="themen_weeks")
    picked = [p.get("topic") for p in (event.selection.get(charts.TOPIC_SELECTION) or []) if p.get("topic")]
    if picked:
        show_in_inbox(picked[0])
    st.caption("Ein Klick auf einen Balken öffnet den Eingang mit diesem Thema.")
    totals: dict[str, int] = {}
    for row in weeks:
        totals[row["topic"]] = totals.get(row["topic"], 0) + int(row["items"])
    columns = st.columns(4)
    for n, (topic, count) in enumerate(sorted(totals.items(), key=lambda kv: -kv[1])):
        if columns[n % 4].button(f"{widgets.topic_label(topic)} ({count})", key=f"themen_topic_{topic}",
                                 width="stretch"):
            show_in_inbox(topic)
else:
    st.caption("In diesem Zeitraum wurde kein Eintrag einem Thema zugeordnet.")

left, right = st.columns(2)
with left:
    st.subheader("Verteilung der Relevanz")
    st.altair_chart(charts.german(charts.score_histogram(scores, widgets.relevance_threshold())), width="stretch")
    st.caption("Die gestrichelte Linie ist die Relevanzschwelle aus data/topics.toml.")
    st.subheader("Einträge je Rechtsraum")
    named = [{**row, "jurisdiction": jurisdiction_label(row["jurisdiction"])} for row in per_jurisdiction]
    st.altair_chart(charts.german(charts.count_bars(named, "jurisdiction", "Rechtsraum")), width="stretch")
with right:
    st.subheader("Einträge je Quelle")
    st.altair_chart(charts.german(charts.count_bars(per_source, "source", "Quelle")), width="stretch")

st.subheader("Bewertung im Abgleich mit dem Team")
with guarded():
    judged = feedback.report(current_user(), today=day)
st.markdown(escape_markdown(feedback.summary_line(judged.unseen)))
st.caption("Gezählt werden die Rückmeldungen „relevant“ oder „nicht relevant“ auf der Seite Vorgang, die nach "
           "dem Training des bewertenden Modells gegeben wurden: Texte, die es nie gesehen hat, aus den eigenen "
           "Quellen." + (f" Modell vom {judged.model_trained_at.astimezone(BERLIN):%d.%m.%Y}."
                         if judged.model_trained_at else " Bewertet wird nur mit Regeln.")
           + " Übersehenes zeigt sich nur, wo jemand auch die als nicht relevant bewerteten Einträge "
             "ansieht (Eingang, „Auch als nicht relevant bewertete Einträge“).")
if judged.learnt.verdicts:
    st.caption(feedback.learnt_line(judged.learnt))
if judged.disagreements:
    st.dataframe(pd.DataFrame([{
        "Rückmeldung vom": widgets.fmt_datetime(row["labelled_at"]),
        "Team": relevance_label(row["team_relevant"]),
        "Bewertung": f"{relevance_label(row['judged_relevant'])} ({widgets.fmt_number(row['score'])})",
        "Von": widgets.person(row["labelled_by"]), "Vorgang": f"vorgang?item={quote(row['item_id'])}",
        "Titel": row["title"]} for row in judged.disagreements]),  # the long title last: the rest stays in view
        hide_index=True, width="stretch",
        column_config={"Vorgang": st.column_config.LinkColumn("Vorgang", display_text="öffnen")})
    st.caption("Die neuesten Rückmeldungen, bei denen die Bewertung anders lag.")

st.subheader("Stichprobe: ausgeblendet als nicht relevant")
sample = judged.sample
if sample:
    st.dataframe(pd.DataFrame([{
        "Erstmals gesehen": widgets.fmt_datetime(row["first_seen_at"]), "Relevanz": widgets.fmt_number(row["score"]),
        "Quelle": row["source"], "Vorgang": f"vorgang?item={quote(row['id'])}", "Titel": row["title"]}
        for row in sample]), hide_index=True, width="stretch",
        column_config={"Vorgang": st.column_config.LinkColumn("Vorgang", display_text="einstufen")})
    st.caption(f"Zufällig gezogen aus den letzten {feedback.SAMPLE_WEEKS} Wochen, ohne Rückmeldung des Teams; "
               "die Auswahl wechselt jede Woche. Eine Einstufung auf der Seite Vorgang zeigt, was die Bewertung "
               "übersieht, und macht die Zahl „übersehen“ oben aussagekräftig.")
else:
    st.caption(f"Alle in den letzten {feedback.SAMPLE_WEEKS} Wochen ausgeblendeten Einträge haben eine "
               "Rückmeldung des Teams, oder es gab keine.")
