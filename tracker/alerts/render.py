"""German wording of alerts, shared by e-mail and webhooks: plain text, HTML, subject.

Titles come from feeds and are untrusted: every value is escaped before it goes into HTML.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date
from html import escape
from urllib.parse import quote, urlencode

from tracker import settings
from tracker.alerts.rules import ALERT_KINDS, DATE_KIND_LABELS, KIND_LABELS, Alert
from tracker.clock import BERLIN

WEEKDAYS = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")


def base_url() -> str:
    """Where the dashboard is reachable, for links in messages: setting TRACKER_BASE_URL."""
    return settings.get().base_url


def message_id(dedup_keys: Sequence[str], domain: str) -> str:
    """A Message-ID that depends only on which alerts a message carries."""
    digest = hashlib.sha256("\n".join(sorted(dedup_keys)).encode()).hexdigest()[:40]
    return f"<{digest}@{domain}>"


def german_date(day: date) -> str:
    return f"{WEEKDAYS[day.weekday()]}, {day:%d.%m.%Y}"


def alert_url(alert: Alert, base: str) -> str:
    """The dashboard page for an alert: the item's Vorgang page, or the sources page."""
    if alert.item_id:
        return f"{base}/vorgang?{urlencode({'item': alert.item_id}, quote_via=quote)}"
    if alert.source_id:
        return f"{base}/quellen"
    return base


def _days_left(n: int | None) -> str:
    if n is None:
        return ""
    if n <= 0:
        return " (heute)"
    return " (noch 1 Arbeitstag)" if n == 1 else f" (noch {n} Arbeitstage)"


def headline(alert: Alert) -> str:
    """One line saying what happened, without the link."""
    if alert.kind == "reminder" and alert.due:
        label = DATE_KIND_LABELS.get(alert.date_kind or "external", "Frist")
        when = german_date(alert.due)
        if alert.due_at is not None:
            when += f", {alert.due_at.astimezone(BERLIN):%H:%M} Uhr"
        return f"{label} am {when}{_days_left(alert.working_days_left)}: {alert.title}"
    if alert.kind == "deadline_moved" and alert.old_deadline and alert.new_deadline:
        how = "verlängert" if alert.new_deadline > alert.old_deadline else "vorgezogen"
        return (f"Frist {how}: {alert.title} — bisher {german_date(alert.old_deadline)}, "
                f"jetzt {german_date(alert.new_deadline)}")
    if alert.kind == "new_item":
        parts = [alert.title]
        if alert.score is not None:
            parts.append(f"Relevanz {alert.score:.2f}".replace(".", ","))
        if alert.topics:
            parts.append("Themen: " + ", ".join(alert.topics))
        if alert.due:
            parts.append(f"Frist: {german_date(alert.due)}")
        elif alert.possible_due:
            parts.append(f"Frist prüfen: vielleicht {german_date(alert.possible_due)}")
        return " — ".join(parts)
    if alert.kind == "source_failing":
        return f"Quelle {alert.title}: {alert.detail or 'Abruf fehlgeschlagen'}"
    if alert.kind == "source_overdue":
        return f"Quelle {alert.title} überfällig: {alert.detail or 'lange nichts Neues'}"
    return alert.title


def grouped(alerts: Sequence[Alert]) -> list[tuple[str, list[Alert]]]:
    groups = []
    for kind in ALERT_KINDS:
        members = [a for a in alerts if a.kind == kind]
        if members:
            groups.append((KIND_LABELS[kind], members))
    return groups


def subject(alerts: Sequence[Alert], today: date) -> str:
    counts = [f"{len(members)} {label}" for label, members in grouped(alerts)]
    if len(alerts) == 1:
        return f"Konsultationsradar: {headline(alerts[0])}"[:200]
    return f"Konsultationsradar {today:%d.%m.%Y}: " + ", ".join(counts)


COVERAGE_HEADING = "Abdeckung (Funkstille ist keine Entwarnung)"


def text_body(alerts: Sequence[Alert], base: str, coverage: Sequence[str] = ()) -> str:
    lines = ["Guten Tag,", "", "der Konsultationsradar meldet:", ""]
    for label, members in grouped(alerts):
        lines.append(f"{label} ({len(members)})")
        lines.append("-" * (len(label) + len(str(len(members))) + 3))
        for alert in members:
            lines.append(f"* {headline(alert)}")
            lines.append(f"  {alert_url(alert, base)}")
        lines.append("")
    if coverage:
        lines += [COVERAGE_HEADING, "-" * len(COVERAGE_HEADING), coverage[0],
                  *(f"* {line}" for line in coverage[1:]), f"  {base}/quellen", ""]
    lines += [f"Alle Fristen: {base}/fristen", "",
              "-- ", "Sie erhalten diese Nachricht, weil Sie im Konsultationsradar ein Abo haben.",
              "Automatisch erzeugt; Änderungen am Abo über das Team."]
    return "\n".join(lines) + "\n"


def html_body(alerts: Sequence[Alert], base: str, coverage: Sequence[str] = ()) -> str:
    parts = ["<!DOCTYPE html><html lang=\"de\"><head><meta charset=\"utf-8\"></head><body>",
             "<p>Guten Tag,</p><p>der Konsultationsradar meldet:</p>"]
    for label, members in grouped(alerts):
        parts.append(f"<h2>{escape(label)} ({len(members)})</h2><ul>")
        for alert in members:
            parts.append(f"<li><a href=\"{escape(alert_url(alert, base))}\">{escape(headline(alert))}</a></li>")
        parts.append("</ul>")
    if coverage:
        parts.append(f"<h2>{escape(COVERAGE_HEADING)}</h2><p>{escape(coverage[0])}</p>")
        if coverage[1:]:
            parts.append("<ul>" + "".join(f"<li>{escape(line)}</li>" for line in coverage[1:]) + "</ul>")
        parts.append(f"<p><a href=\"{escape(base)}/quellen\">Zu den Quellen</a></p>")
    parts.append(f"<p><a href=\"{escape(base)}/fristen\">Alle Fristen</a></p>"
                 "<p><small>Sie erhalten diese Nachricht, weil Sie im Konsultationsradar ein Abo haben. "
                 "Automatisch erzeugt; Änderungen am Abo über das Team.</small></p></body></html>")
    return "".join(parts)
