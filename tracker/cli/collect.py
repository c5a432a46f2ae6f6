"""CLI: collect, sources (health table), ingest, demo."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tracker.cli.output import stderr_console, stdout_console
from tracker.collect import run as collecting
from tracker.collect.fetch import FetchPolicy, FetchRequest, fetch
from tracker.collect.sources import SourceRegistry, load_sources
from tracker.demo.loader import load_demo
from tracker.errors import UserError
from tracker.models import Source
from tracker.storage import open_db
from tracker.storage.sources import source_health
from tracker.vocabulary import FetchOutcome, SourceHealth, SourceKind

console = stdout_console()
err_console = stderr_console()

OUTCOME_STYLE = {FetchOutcome.OK: "green", FetchOutcome.UNCHANGED: "cyan", FetchOutcome.WARNING: "yellow",
                 FetchOutcome.ERROR: "red"}
HEALTH_STYLE = {SourceHealth.OK: "green", SourceHealth.WARNING: "yellow", SourceHealth.ERROR: "red"}


def _print_problems(problems: list[str]) -> None:
    for problem in problems:
        err_console.print(f"[yellow]Konfiguration:[/] {problem}", highlight=False)


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err_console, transient=True)


def collect_command(
    source: Annotated[list[str] | None, typer.Option("--source", "-s", help="Nur diese Quelle(n) sammeln.")] = None,
) -> None:
    """Alle aktivierten Quellen aus feeds.toml abrufen und speichern."""
    registry = load_sources()
    _print_problems([str(p) for p in registry.problems])
    with _progress() as progress:
        task = progress.add_task("Sammle …", total=None)

        def on_progress(source_id: str, done: int, total: int) -> None:
            progress.update(task, completed=done, total=total, description=f"Sammle {source_id}")

        report = collecting.run_collection(source, registry=registry, on_progress=on_progress)
    table = Table("Quelle", "Ergebnis", "HTTP", "neu", "geändert", "unverändert", "Meldung")
    for outcome in sorted(report.outcomes, key=lambda o: o.source_id):
        style = OUTCOME_STYLE.get(outcome.state, "")
        table.add_row(outcome.source_id, f"[{style}]{outcome.state.label}[/]", str(outcome.http_status or "–"),
                      str(outcome.stats.new), str(outcome.stats.changed),
                      str(outcome.stats.unchanged + outcome.stats.linked), outcome.message or "")
    console.print(table)
    console.print(f"{len(report.outcomes)} Quellen, {report.items_new} neue und {report.items_changed} "
                  f"geänderte Einträge, {len(report.failed)} Quellen mit Fehler.")
    if report.failed:
        raise typer.Exit(1)


def sources_command(
    as_json: Annotated[bool, typer.Option("--json", help="Als JSON ausgeben.")] = False,
) -> None:
    """Zustand aller Quellen: letzter Erfolg, Fehler, Einträge."""
    registry = load_sources()
    with open_db() as con:
        rows = source_health(con)
    if as_json:
        console.print_json(json.dumps({"sources": rows, "problems": [str(p) for p in registry.problems]},
                                      default=str, ensure_ascii=False))
        return
    _print_problems([str(p) for p in registry.problems])
    configured = {s.id for s in registry.sources}
    table = Table("Quelle", "Zustand", "zuletzt versucht", "zuletzt erfolgreich", "HTTP", "Fehler in Folge",
                  "Einträge", "Meldung")
    for row in rows:
        configured_now = row["id"] in configured
        state = SourceHealth.label_of(row["state"]) if configured_now else "nicht mehr konfiguriert"
        style = HEALTH_STYLE.get(row["state"], "dim") if configured_now else "dim"
        table.add_row(str(row["id"]), f"[{style}]{state}[/]", _when(row["last_attempt_at"]),
                      _when(row["last_success_at"]), str(row["last_status"] or "–"),
                      str(row["consecutive_failures"]), str(row["items_stored"]),
                      str(row["last_error"] or row["last_warning"] or ""))
    console.print(table)
    if not rows:
        console.print("Noch keine Quelle abgerufen: `tracker collect` oder `tracker demo`.")


def _when(value: object) -> str:
    return value.strftime("%d.%m.%Y %H:%M") if value else "–"  # type: ignore[attr-defined]


def _guess_kind(body: bytes, name: str) -> str:
    """rss for anything XML-like; for JSON, the adapter whose shape the document has."""
    head = body.lstrip()[:1]
    if head not in (b"{", b"["):
        return "rss"
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise UserError(f"{name}: sieht nach JSON aus, ist aber kein gültiges JSON ({exc})") from exc
    text = json.dumps(data)[:20000]
    if isinstance(data, dict) and "details" in data and ("closing_date" in text or "gov.uk" in text):
        return "govuk"
    if "federalregister.gov" in text:
        return "federalregister"
    if "regulations.gov" in text or ('"attributes"' in text and '"docketId"' in text):
        return "regulationsgov"
    if "feedbackEndDate" in text or "shortTitle" in text or "better-regulation" in text:
        return "haveyoursay"
    if "results" in text and "gov.uk" in text:
        return "govuk"
    raise UserError(f"{name}: kein Adapter für dieses JSON-Format; mit --kind eine Art angeben "
                    f"({', '.join(SourceKind.codes())})")


def _read_location(location: str, source: str | None,
                   collector: FetchPolicy) -> tuple[bytes, str, dict[str, str], int | None]:
    if location.startswith(("http://", "https://")):
        fetched = fetch(FetchRequest(source or "manuell", location), collector)
        if fetched.error or fetched.body is None:
            raise UserError(f"{location}: {fetched.error or 'keine Antwort'}")
        return fetched.body, fetched.final_url or location, fetched.headers, fetched.status
    path = Path(location)
    try:
        return path.read_bytes(), path.resolve().as_uri(), {}, None
    except OSError as exc:
        raise UserError(f"{location}: {exc.strerror or exc}") from exc


def _target_source(registry: SourceRegistry, source: str | None, kind: str | None, jurisdiction: str,
                   body: bytes, url: str, location: str) -> Source:
    if source:
        base = registry.get(source)
        return base if not kind or kind == base.kind else Source(**{**base.__dict__, "kind": kind})
    target = Source(id="manuell", name="Manuell eingelesen", url=url, kind=kind or "json",
                    publisher="", jurisdiction=jurisdiction, language="", enabled=False)
    if kind:
        return target
    try:
        return Source(**{**target.__dict__, "kind": _guess_kind(body, location)})
    except UserError as exc:
        collecting.record_ingest_failure(target, str(exc))
        raise


def ingest_command(
    locations: Annotated[list[str], typer.Argument(help="Dateien oder http(s)-Adressen von Feeds/JSON-Dokumenten.")],
    source: Annotated[str | None, typer.Option("--source", "-s", help="Quelle aus feeds.toml.")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help=f"Art: {', '.join(SourceKind.codes())}.")] = None,
    jurisdiction: Annotated[str, typer.Option(help="Rechtsraum, wenn keine Quelle angegeben ist.")] = "de",
) -> None:
    """Gespeicherte oder entfernte Dokumente einlesen (gleicher Weg wie collect)."""
    if kind and kind not in SourceKind.codes():
        raise UserError(f"--kind {kind}: unbekannt, erlaubt: {', '.join(SourceKind.codes())}")
    registry = load_sources()
    documents, failures = [], []
    for location in locations:
        try:
            body, url, headers, status = _read_location(location, source, registry.collector)
            target = _target_source(registry, source, kind, jurisdiction, body, url, location)
        except UserError as exc:
            failures.append(str(exc))
            continue
        documents.append((location, (body, target, url, headers, status)))
    outcomes = collecting.ingest_documents([doc for _, doc in documents], registry_sources=registry.sources)
    for (location, (_, target, *_rest)), outcome in zip(documents, outcomes, strict=True):
        if outcome.state == FetchOutcome.ERROR:
            failures.append(f"{location}: {outcome.message}")
            continue
        stats = outcome.stats
        console.print(f"{location}: {stats.seen} Einträge ({stats.new} neu, {stats.changed} geändert, "
                      f"{stats.unchanged + stats.linked} bekannt) in Quelle {target.id}.")
        if outcome.message:
            err_console.print(f"[yellow]Warnung:[/] {location}: {outcome.message}", highlight=False)
    if len(failures) == 1 and len(locations) == 1:
        raise UserError(failures[0])
    for failure in failures:
        err_console.print(f"[red]Fehler:[/] {failure}", highlight=False)
    if failures:
        raise UserError(f"{len(failures)} von {len(locations)} Dokumenten nicht eingelesen")


def demo_command(
    no_shift: Annotated[bool, typer.Option("--no-shift", help="Daten nicht auf heute verschieben.")] = False,
) -> None:
    """Die mitgelieferten Demodaten laden (funktioniert ohne Netz)."""
    report = load_demo(shift=not no_shift)
    console.print(f"Demodaten: {report.items} Einträge, {report.new} neu gespeichert, {report.changed} geändert; "
                  f"Daten um {report.shift_days} Tage verschoben.")


def register(app: typer.Typer) -> None:
    app.command("collect")(collect_command)
    app.command("sources")(sources_command)
    app.command("ingest")(ingest_command)
    app.command("demo")(demo_command)
