"""CLI: alerts run/status/subscribe/subscriptions/pause/resume, and ics (calendar files)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tracker.alerts import calendars, outbox, render, rules, subscriptions
from tracker.cli.output import stderr_console, stdout_console
from tracker.errors import UserError

console = stdout_console()
err_console = stderr_console()

alerts_app = typer.Typer(help="Benachrichtigungen: Erinnerungen, neue Einträge, verschobene Fristen.",
                         no_args_is_help=True)

STATUS_LABELS = {"pending": "wartet", "sending": "im Versand", "failed": "fehlgeschlagen", "sent": "gesendet"}


def _split(values: list[str] | None) -> list[str]:
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def _parse_now(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise UserError(f"--now {value!r} ist kein ISO-Zeitpunkt (z. B. 2026-03-02T08:00+01:00)") from exc
    if moment.tzinfo is None:
        raise UserError("--now braucht eine Zeitzone, z. B. 2026-03-02T08:00+01:00")
    return moment


@alerts_app.command("run")
def run_command(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Nur zeigen, was gesendet würde; nichts speichern.")]
    = False,
    no_digest: Annotated[bool, typer.Option("--no-digest", help="Nur Sofort-Abos senden, Sammelmails zurückhalten.")]
    = False,
    now: Annotated[str | None, typer.Option("--now", help="Zeitpunkt statt jetzt (ISO, mit Zeitzone).")] = None,
) -> None:
    """Fällige Benachrichtigungen berechnen, im Postausgang speichern und senden."""
    report = outbox.run(now=_parse_now(now), dry_run=dry_run, include_digest=not no_digest)
    for reason in report.skipped:
        err_console.print(f"[yellow]Übersprungen:[/] {reason}", highlight=False)
    if report.dry_run:
        if not report.would_send:
            console.print("Nichts Neues zu senden.")
        table = Table("Empfänger", "Kanal", "Modus", "Hinweis")
        for entry in report.would_send:
            table.add_row(entry.recipient, entry.channel, entry.mode, render.headline(entry.alert))
        if report.would_send:
            console.print(table)
        console.print(f"Probelauf: {report.new} neue Benachrichtigungen würden gesendet "
                      f"({report.computed} insgesamt fällig, der Rest wurde schon erfasst).")
        waiting = {k: v for k, v in outbox.status(limit=0).counts.items() if k != "sent"}
        if waiting:
            console.print("Außerdem im Postausgang: " + ", ".join(
                f"{STATUS_LABELS.get(k, k)}: {v}" for k, v in sorted(waiting.items())))
        return
    if report.locked:
        console.print("Ein anderer Prozess versendet gerade Benachrichtigungen; dieser Lauf setzt aus.")
        return
    for message in report.recovered:
        console.print(f"{message.channel} → {message.recipient}: {message.alert_count} Hinweis(e), vom abgebrochenen "
                      "Lauf schon zugestellt, jetzt als gesendet erfasst (nicht erneut gesendet)", highlight=False)
    for message in report.sent + report.failed:
        state = "[green]gesendet[/]" if message.ok else f"[red]fehlgeschlagen:[/] {message.error}"
        again = " (erneut)" if message.resent else ""
        console.print(f"{message.channel} → {message.recipient}: {message.alert_count} Hinweis(e), "
                      f"{state}{again}", highlight=False)
    console.print(f"{report.new} neue Benachrichtigungen erfasst, {len(report.sent)} Nachrichten gesendet, "
                  f"{len(report.failed)} fehlgeschlagen (werden später erneut versucht).")
    if report.failed:
        raise typer.Exit(2)


@alerts_app.command("status")
def status_command(
    limit: Annotated[int, typer.Option("--limit", help="Höchstens so viele offene Einträge zeigen.")] = 50,
) -> None:
    """Postausgang: was wartet, was fehlschlug (mit Grund), was zuletzt gesendet wurde."""
    state = outbox.status(limit=limit)
    counts = ", ".join(f"{STATUS_LABELS.get(k, k)}: {v}" for k, v in sorted(state.counts.items())) or "leer"
    console.print(f"Postausgang: {counts}")
    if state.open_rows:
        table = Table("Nr.", "Status", "Versuche", "Nächster Versuch", "Kanal", "Empfänger", "Hinweis", "Fehler")
        for row in state.open_rows:
            next_at = row["next_attempt_at"]
            table.add_row(str(row["id"]), STATUS_LABELS.get(row["status"], row["status"]), str(row["attempts"]),
                          f"{next_at:%d.%m.%Y %H:%M}" if next_at and row["status"] == "failed" else "–",
                          row["channel"], row["recipient"],
                          render.headline(rules.Alert.from_payload(row["payload"])), row["last_error"] or "")
        console.print(table)
    if state.recent_deliveries:
        table = Table("Zeitpunkt", "Kanal", "Empfänger", "Hinweise", "Ergebnis")
        for row in state.recent_deliveries:
            table.add_row(f"{row['attempted_at']:%d.%m.%Y %H:%M:%S}", row["channel"], row["recipient"],
                          str(row["alert_count"]), "ok" if row["ok"] else f"Fehler: {row['error']}")
        console.print(table)
    if state.counts.get("failed"):
        raise typer.Exit(2)


@alerts_app.command("subscribe")
def subscribe_command(
    user: Annotated[str, typer.Argument(help="Benutzername (users.id).")],
    topic: Annotated[list[str] | None, typer.Option("--topic", "-t", help="Thema (mehrfach oder kommagetrennt; "
                                                    "ohne Angabe: alle Themen).")] = None,
    min_score: Annotated[float, typer.Option("--min-score", help="Mindest-Relevanz 0..1.")] = rules.DEFAULT_MIN_SCORE,
    channel: Annotated[list[str] | None, typer.Option("--channel", "-c", help="email oder webhook:<name> "
                                                      "(mehrfach möglich; Standard: email).")] = None,
    mode: Annotated[str, typer.Option("--mode", help="digest (Sammelmail) oder immediate (sofort).")] = "digest",
    kind: Annotated[list[str] | None, typer.Option("--kind", help="reminder, new_item, deadline_moved, "
                                                   "source_failing (Standard: alle).")] = None,
    remind: Annotated[str, typer.Option("--remind", help="Erinnern so viele Arbeitstage vor jeder Frist, "
                                        "kommagetrennt.")] = ",".join(map(str, rules.DEFAULT_REMINDER_DAYS)),
) -> None:
    """Ein Abo anlegen: welche Themen, ab welcher Relevanz, über welchen Kanal."""
    try:
        days = [int(part) for part in _split([remind])]
    except ValueError as exc:
        raise UserError(f"--remind {remind!r}: Arbeitstage als ganze Zahlen, z. B. 5,2,0") from exc
    sub_id = subscriptions.subscribe(user, topics=_split(topic), min_score=min_score,
                                     channels=_split(channel) or ["email"], mode=mode,
                                     kinds=_split(kind) or list(rules.ALERT_KINDS), reminder_days=days)
    console.print(f"Abo {sub_id} für {user} angelegt.")


@alerts_app.command("subscriptions")
def subscriptions_command() -> None:
    """Alle Abos anzeigen."""
    table = Table("Nr.", "Benutzer", "E-Mail", "Themen", "ab", "Kanäle", "Modus", "Arten", "Erinnern", "aktiv")
    for row in subscriptions.list_all():
        table.add_row(str(row["id"]), row["user_id"], row["email"] or "–", ", ".join(row["topics"]) or "alle",
                      f"{row['min_score']:.2f}", ", ".join(row["channels"]), row["mode"], ", ".join(row["kinds"]),
                      ", ".join(map(str, row["reminder_days"])), "ja" if row["active"] else "nein")
    console.print(table)


@alerts_app.command("pause")
def pause_command(subscription_id: Annotated[int, typer.Argument(help="Nummer des Abos.")]) -> None:
    """Ein Abo anhalten (es bleibt gespeichert)."""
    subscriptions.set_active(subscription_id, False)
    console.print(f"Abo {subscription_id} angehalten.")


@alerts_app.command("resume")
def resume_command(subscription_id: Annotated[int, typer.Argument(help="Nummer des Abos.")]) -> None:
    """Ein angehaltenes Abo wieder aktivieren."""
    subscriptions.set_active(subscription_id, True)
    console.print(f"Abo {subscription_id} wieder aktiv.")


def ics_command(
    out: Annotated[Path, typer.Option("--out", help="Verzeichnis für die .ics-Dateien.")],
    today: Annotated[str | None, typer.Option("--today", help="Stichtag (JJJJ-MM-TT) statt heute; Fristen bis "
                                              "60 Tage davor bleiben im Kalender.")] = None,
) -> None:
    """Fristen als iCalendar-Dateien schreiben: fristen.ics und fristen-<thema>.ics."""
    try:
        day = date.fromisoformat(today) if today else None
    except ValueError as exc:
        raise UserError(f"--today {today!r} ist kein Datum (JJJJ-MM-TT)") from exc
    written = calendars.write_calendars(out, today=day)
    for path in written:
        console.print(str(path), highlight=False)
    console.print(f"{len(written)} Kalenderdateien geschrieben.")


def register(app: typer.Typer) -> None:
    app.add_typer(alerts_app, name="alerts")
    app.command("ics")(ics_command)
