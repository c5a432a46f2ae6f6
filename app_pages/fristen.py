"""Fristen: open consultations on a timeline, the next 30 days as a list, iCalendar files
(all deadlines, one per topic) that update moved deadlines when imported again."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from tracker.alerts import calendars, feeds
from tracker.ui import charts, widgets
from tracker.ui.session import current_user
from tracker.ui.widgets import guarded
from tracker.work import deadlines, inbox, triage, views

LIST_DAYS = 30
# What matters first: the date, the time left, what it is, and (for the team) the way in.
TEAM_COLUMNS = ("Frist", "Arbeitstage", "Titel", "Vorgang", "Status", "Verantwortlich", "Input Mitglieder",
                "Freigabe Vorstand", "Thema")
# Members see the dates of the hearing and their input, never the team's internal owner or board dates.
MEMBER_COLUMNS = ("Frist", "Arbeitstage", "Titel", "Stellungnahme", "Input Mitglieder", "Thema")
day = widgets.today()
land = widgets.land()
user = current_user()

st.title("Fristen")
min_score = st.slider("Mindestrelevanz", 0, 100, 0, step=5, key="fristen_min_score", format="%d %%")
with guarded():
    shift = views.demo_shift()
    rows = deadlines.open_deadlines(user, today=day, min_score=min_score / 100)
widgets.demo_banner(shift)

upcoming = [r for r in rows if r["deadline"] >= day]
soon = [r for r in upcoming if r["deadline"] <= day + timedelta(days=LIST_DAYS)]
if not upcoming:
    st.info("Keine offenen Fristen. Neue Einträge erscheinen hier, sobald eine Frist erkannt wurde "
            "und der Eintrag nicht als erledigt oder irrelevant markiert ist.")
else:
    frame = charts.deadline_frame(rows, day, land, widgets.topic_labels())
    st.altair_chart(charts.german(charts.deadline_timeline(frame)), width="stretch")
    st.subheader(f"Die nächsten {LIST_DAYS} Tage")
    if not soon:
        st.caption(f"In den nächsten {LIST_DAYS} Tagen endet keine Frist.")
    else:
        # Members have no Vorgang page: they open the consultations they were asked about.
        columns = TEAM_COLUMNS if user.is_team else MEMBER_COLUMNS
        st.dataframe(pd.DataFrame([{
            "Frist": r["deadline"].strftime("%d.%m.%Y"),
            "Arbeitstage": inbox.working_days_left(r["deadline"], day, land),
            "Titel": r["title"],
            "Thema": ", ".join(widgets.topic_label(t) for t in r["topics"]) or "–",
            "Status": triage.status_label(r.get("status")),
            "Verantwortlich": widgets.person(r.get("owner")) or "–",
            "Input Mitglieder": widgets.fmt_date(r["member_input_due"]),
            "Freigabe Vorstand": widgets.fmt_date(r.get("board_signoff_due")),
            "Vorgang": f"vorgang?item={r['id']}",
            "Stellungnahme": f"stellungnahmen?item={r['id']}" if r["asked"] else "",
        } for r in soon], columns=columns), hide_index=True, width="stretch", column_config={
            "Vorgang": st.column_config.LinkColumn("Vorgang", display_text="öffnen"),
            "Stellungnahme": st.column_config.LinkColumn("Stellungnahme", display_text="Position eintragen"),
            "Arbeitstage": st.column_config.NumberColumn("Arbeitstage", format="%d"),
        })

if user.is_team:
    with guarded():
        to_check = deadlines.possible_deadlines(user, today=day, min_score=min_score / 100)
    if to_check:
        st.subheader("Fristen zu prüfen")
        st.caption("Relevante Vorgänge ohne erkannte Frist, deren Text vielleicht eine nennt. Sie stehen in "
                   "keinem Kalender, bis die Frist im Vorgang übernommen ist.")
        st.dataframe(pd.DataFrame([{
            "Vielleicht am": r["possible_deadline"].strftime("%d.%m.%Y"),
            "Wahrscheinlichkeit": round((r["possible_deadline_confidence"] or 0) * 100),
            "Titel": r["title"], "Vorgang": f"vorgang?item={r['id']}",
            "Satz": r["possible_deadline_text"] or "",
        } for r in to_check]), hide_index=True, width="stretch", column_config={
            "Vorgang": st.column_config.LinkColumn("Vorgang", display_text="prüfen"),
            "Wahrscheinlichkeit": st.column_config.NumberColumn("Wahrscheinlichkeit", format="%d %%"),
        })

st.subheader("Kalender")
if user.is_team:
    st.caption("Offene Vorgänge mit Frist, die als relevant bewertet sind oder beobachtet werden, mit den internen "
               "Terminen (Input der Mitglieder, Freigabe Vorstand); unabhängig von der Mindestrelevanz oben. "
               "Verschobene Fristen ersetzen beim erneuten Import den alten Termin.")
else:
    st.caption("Die Konsultationen, zu denen Ihre Organisation angefragt ist: Frist der Anhörung und Termin für "
               "Ihre Eingabe.")
st.caption("Zum Abonnieren in Outlook, Thunderbird oder Apple Kalender gibt es unter „Benachrichtigungen“ "
           "eine persönliche Kalender-Adresse.")
with guarded():
    # A demo database shows its (shifted) demo dates here; `tracker ics` files never carry them.
    entries = (calendars.deadline_entries(today=day, include_demo=shift is not None) if user.is_team
               else feeds.entries_for(user, today=day))
if not entries:
    st.info("Keine Termine für den Kalender.")
    st.stop()
if shift is not None:
    st.caption("Demodaten: die Termine sind verschoben und nur zum Ausprobieren gedacht.")
files = calendars.calendar_files(entries, topic_labels=widgets.topic_labels())
st.download_button("Alle Fristen als iCalendar herunterladen (.ics)", key="fristen_ics", mime="text/calendar",
                   file_name=f"konsultationsradar-{calendars.ALL_FILE}", data=files[calendars.ALL_FILE],
                   icon=":material/calendar_month:")
topic_files = {name.removeprefix("fristen-").removesuffix(".ics"): name for name in files
               if name != calendars.ALL_FILE}
if topic_files:
    pick, get = st.columns([2, 3], vertical_alignment="bottom")
    topic = pick.selectbox("Kalender für ein Thema", list(topic_files), format_func=widgets.topic_label,
                           key="fristen_topic")
    get.download_button(f"Fristen „{widgets.topic_label(topic)}“ herunterladen (.ics)", key="fristen_ics_topic",
                        mime="text/calendar", file_name=f"konsultationsradar-{topic_files[topic]}",
                        data=files[topic_files[topic]], icon=":material/calendar_month:")
