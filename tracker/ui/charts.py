"""Altair chart builders for the dashboard. Pure: rows in, chart out, no Streamlit, no SQL."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import altair as alt
import pandas as pd

from tracker.vocabulary import RELEVANCE_WORDS, TriageStatus, relevance_label
from tracker.work import inbox

URGENCY_ORDER = ("kritisch", "bald", "spaeter", "abgelaufen")
URGENCY_COLOURS = ("#dc2626", "#d97706", "#2563eb", "#6b7280")
TOPIC_SELECTION = "thema"
NO_TOPIC = "ohne Thema"
# A bar starting months before the deadline squeezes every other bar; the timeline shows
# at most this many days of each consultation's run.
MAX_BAR_DAYS = 90
# Vega-Lite cannot size a faceted chart to its container; this plus the title column fits
# Streamlit's wide layout on a laptop screen.
TIMELINE_WIDTH = 480


# German number and date formats for every chart (Vega-Lite's locale): "0,85", "4. Dez."
GERMAN_LOCALE = {
    "number": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", "\u00a0€"]},
    "time": {
        "dateTime": "%A, der %e. %B %Y, %X", "date": "%d.%m.%Y", "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": ["Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"],
        "shortDays": ["So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"],
        "months": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
                   "Oktober", "November", "Dezember"],
        "shortMonths": ["Jan", "Feb", "Mrz", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"],
    },
}


def german(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The chart with German number and date formats (call on the top-level chart)."""
    return chart.configure(locale=GERMAN_LOCALE)


def primary_topic(topics: Sequence[str] | None, topic_scores: Mapping[str, float] | None) -> str | None:
    """The topic an item is filed under when it can only appear once: its best-scoring one."""
    if not topics:
        return None
    scores = topic_scores or {}
    return max(topics, key=lambda t: (float(scores.get(t, 0.0)), -topics.index(t)))


def _label(labels: Mapping[str, str], topic: str | None) -> str:
    return labels.get(topic, topic) if topic else NO_TOPIC


def deadline_frame(rows: Sequence[Mapping[str, Any]], today: date, land: str | None,
                   labels: Mapping[str, str]) -> pd.DataFrame:
    """One row per item: short title, primary topic, bar start/end, urgency in working days."""
    records = []
    for row in rows:
        deadline: date = row["deadline"]
        start = row.get("start") or deadline
        start = max(min(start, deadline), deadline - timedelta(days=MAX_BAR_DAYS))
        scores = row.get("topic_scores") or {}
        level = inbox.urgency(deadline, today, land)
        title = str(row["title"])
        records.append({
            "id": row["id"], "Titel": title if len(title) <= 70 else title[:69] + "…",
            "Thema": _label(labels, primary_topic(list(row.get("topics") or []), scores)),
            "Beginn": pd.Timestamp(start), "Frist": pd.Timestamp(deadline),
            "Dringlichkeit": level, "Arbeitstage": inbox.working_days_left(deadline, today, land),
            # A member's rows carry no triage status (work.deadlines): nothing to show then.
            "Status": TriageStatus.label_of(row["status"]) if row.get("status") else None,
            "heute": pd.Timestamp(today),
        })
    return pd.DataFrame.from_records(records, columns=[
        "id", "Titel", "Thema", "Beginn", "Frist", "Dringlichkeit", "Arbeitstage", "Status", "heute"])


def deadline_timeline(frame: pd.DataFrame) -> alt.FacetChart:
    """Bars from opening to deadline, a row per topic, coloured by urgency, with a today line."""
    colour = alt.Color("Dringlichkeit:N", title="Dringlichkeit",
                       scale=alt.Scale(domain=list(URGENCY_ORDER), range=list(URGENCY_COLOURS)),
                       legend=alt.Legend(orient="top", labelExpr=_urgency_label_expr()))
    y = alt.Y("Titel:N", title=None, sort=alt.EncodingSortField("Frist", order="ascending"),
              axis=alt.Axis(labelLimit=300, labelOverlap=False))
    tooltip = [alt.Tooltip("Titel:N"), alt.Tooltip("Frist:T", format="%d.%m.%Y"),
               alt.Tooltip("Arbeitstage:Q", title="Arbeitstage bis Frist")]
    if frame["Status"].notna().any():
        tooltip.append(alt.Tooltip("Status:N"))
    bars = alt.Chart().mark_bar(cornerRadius=3, opacity=0.8).encode(
        x=alt.X("Beginn:T", title=None, axis=alt.Axis(format="%d.%m.", orient="top")),
        x2="Frist:T", y=y, color=colour, tooltip=tooltip)
    ends = alt.Chart().mark_tick(thickness=3, size=16, color="#111827").encode(x="Frist:T", y=y, tooltip=tooltip)
    today_rule = alt.Chart().mark_rule(color="#dc2626", strokeDash=[4, 3], size=2).encode(x="heute:T")
    return (alt.layer(bars, ends, today_rule, data=frame)
            .properties(width=TIMELINE_WIDTH, height=alt.Step(22))
            .facet(row=alt.Row("Thema:N", title=None, header=alt.Header(
                labelOrient="top", labelAnchor="start", labelAngle=0, labelFontWeight="bold",
                labelFontSize=12)))
            .resolve_scale(y="independent"))


def _urgency_label_expr() -> str:
    parts = [f"datum.value == '{key}' ? '{inbox.URGENCY_LABELS[key]}'" for key in URGENCY_ORDER]
    return " : ".join(parts) + " : datum.value"


def topic_weeks(rows: Sequence[Mapping[str, Any]], labels: Mapping[str, str]) -> alt.Chart:
    """Items per topic per week, stacked; clicking a bar selects its topic (param ``thema``)."""
    frame = pd.DataFrame.from_records(
        [{"Woche": pd.Timestamp(r["week"]), "KW": _week_label(r["week"]), "topic": r["topic"],
          "Thema": _label(labels, r["topic"]), "Einträge": int(r["items"])} for r in rows],
        columns=["Woche", "KW", "topic", "Thema", "Einträge"])
    weeks = list(dict.fromkeys(frame.sort_values("Woche")["KW"]))
    pick = alt.selection_point(name=TOPIC_SELECTION, fields=["topic"])
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("KW:O", title="Kalenderwoche", sort=weeks, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("sum(Einträge):Q", title="Einträge", axis=alt.Axis(format="d", tickMinStep=1)),
        color=alt.Color("topic:N", title="Thema", legend=alt.Legend(labelExpr=_topic_label_expr(frame))),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.35)),
        tooltip=["Thema:N", alt.Tooltip("Woche:T", format="%d.%m.%Y"), "Einträge:Q"],
    ).add_params(pick).properties(height=320)


def _week_label(week: date) -> str:
    year, number, _ = week.isocalendar()
    return f"KW {number:02d}/{year % 100:02d}"


def _topic_label_expr(frame: pd.DataFrame) -> str:
    pairs = dict(zip(frame["topic"], frame["Thema"], strict=True))
    if not pairs:
        return "datum.value"
    return " : ".join(f"datum.value == {_js(k)} ? {_js(v)}" for k, v in pairs.items()) + " : datum.value"


def _js(value: str) -> str:
    return json.dumps(str(value))


def score_histogram(rows: Sequence[Mapping[str, Any]], threshold: float | None = None) -> alt.LayerChart:
    frame = pd.DataFrame.from_records(
        [{"Relevanz": float(r["bucket"]), "Bewertung": relevance_label(r["relevant"]),
          "Einträge": int(r["items"])} for r in rows], columns=["Relevanz", "Bewertung", "Einträge"])
    bars = alt.Chart(frame).mark_bar().encode(
        x=alt.X("Relevanz:Q", bin=alt.Bin(step=0.05, extent=[0, 1]), title="Relevanz (0–1)",
                axis=alt.Axis(format=".1f")),
        y=alt.Y("sum(Einträge):Q", title="Einträge"),
        color=alt.Color("Bewertung:N", scale=alt.Scale(domain=[RELEVANCE_WORDS[True], RELEVANCE_WORDS[False]],
                                                        range=["#16a34a", "#9ca3af"])),
        tooltip=["Bewertung:N", alt.Tooltip("Relevanz:Q", format=".2f"),
                 alt.Tooltip("sum(Einträge):Q", title="Einträge")])
    layers: list[alt.Chart] = [bars]
    if threshold is not None:
        layers.append(alt.Chart(pd.DataFrame({"Schwelle": [threshold]})).mark_rule(
            color="#111827", strokeDash=[4, 3]).encode(x="Schwelle:Q"))
    return alt.layer(*layers).properties(height=260)


def count_bars(rows: Sequence[Mapping[str, Any]], category: str, title: str, limit: int = 30) -> alt.Chart:
    """Horizontal bars of ``items`` per ``category``, largest first."""
    frame = pd.DataFrame.from_records(
        [{title: str(r[category]), "Einträge": int(r["items"])} for r in rows[:limit]],
        columns=[title, "Einträge"])
    return alt.Chart(frame).mark_bar(color="#2563eb").encode(
        x=alt.X("Einträge:Q"), y=alt.Y(f"{title}:N", sort="-x", axis=alt.Axis(labelLimit=300, labelOverlap=False)),
        tooltip=[f"{title}:N", "Einträge:Q"]).properties(height=alt.Step(22))
