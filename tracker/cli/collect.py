"""CLI: collect, sources (health table), ingest, demo."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from tracker.cli.output import stderr_console, stdout_console
from tracker.collect import cadence, coverage
from tracker.collect import run as collecting
from tracker.collect.check import HTML, OTHER_XML, UNKNOWN_JSON, SourceCheck, kind_label, sniff_kind
from tracker.collect.fetch import FetchPolicy, FetchRequest, fetch
from tracker.collect.sources import MANUAL_SOURCE_ID, SourceRegistry, load_sources
from tracker.demo.loader import load_demo
from tracker.errors import UserError
from tracker.models import Source
from tracker.vocabulary import CheckVerdict, FetchOutcome, SourceHealth, SourceKind

console = stdout_console()
err_console = stderr_console()

OUTCOME_STYLE = {FetchOutcome.OK: "green", FetchOutcome.UNCHANGED: "cyan", FetchOutcome.WARNING: "yellow",
                 FetchOutcome.ERROR: "red"}
HEALTH_STYLE = {SourceHealth.OK: "green", SourceHealth.WARNING: "yellow", SourceHealth.ERROR: "red",
                SourceHealth.OVERDUE: "yellow"}
CHECK_STYLE = {CheckVerdict.OK: "green", CheckVerdict.NOTICE: "yellow", CheckVerdict.BROKEN: "red"}


def _message(outcome: collecting.SourceOutcome) -> str:
    """The source's message; a baseline import says so (its items raise no alerts)."""
    notes = ["Erstimport: neue Einträge ohne Benachrichtigung"] if outcome.baseline else []
    return "; ".join([*notes, *filter(None, [outcome.message])])


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
                      str(outcome.stats.unchanged + outcome.stats.linked), _message(outcome))
    console.print(table)
    baseline = sum(o.stats.new for o in report.baseline)
    console.print(f"{len(report.outcomes)} Quellen, {report.items_new} neue und {report.items_changed} "
                  f"geänderte Einträge, {len(report.failed)} Quellen mit Fehler"
                  + (f"; {baseline} neue aus einem Erstimport (ohne Benachrichtigung)." if baseline else "."))
    if report.failed:
        raise typer.Exit(1)


sources_app = typer.Typer(help="Quellen: Zustand aus der letzten Sammlung, Prüfung der Adressen.",
                          invoke_without_command=True, no_args_is_help=False)

# Exit codes of `tracker sources check` and `tracker sources --strict`, for cron and
# monitoring: 1 a source is broken (failing), 3 none is, but one needs a look (a notice,
# or overdue).
CHECK_EXIT_OK, CHECK_EXIT_BROKEN, CHECK_EXIT_NOTICE = 0, 1, 3


@sources_app.callback(invoke_without_command=True)
def sources_command(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Als JSON ausgeben.")] = False,
    strict: Annotated[bool, typer.Option(
        "--strict", help="Für die Überwachung: Exit-Code 1, wenn eine Quelle fehlerhaft ist, 3, wenn keine "
                         "fehlerhaft, aber eine überfällig ist.")] = False,
) -> None:
    """Zustand aller Quellen: letzter Erfolg, Fehler, überfällig, spät entdeckt (ohne Unterbefehl).

    Überfällig ist eine Quelle ohne erfolgreichen Abruf oder ohne neuen Eintrag länger als
    erwartet (expect_every in feeds.toml). Mit --strict: Exit-Code 1 bei einer fehlerhaften,
    3 bei einer überfälligen Quelle, sonst 0."""
    if ctx.invoked_subcommand is not None:
        return
    registry = load_sources()
    rows = coverage.source_report(configured=registry.known_ids)
    if as_json:
        console.print_json(json.dumps({"sources": rows, "problems": [str(p) for p in registry.problems]},
                                      default=str, ensure_ascii=False))
    else:
        _print_problems([str(p) for p in registry.problems])
        _print_health(rows)
    if strict:
        _strict_exit(rows, quiet=as_json)


def _print_health(rows: list[dict[str, object]]) -> None:
    table = Table("Quelle", "Zustand", "zuletzt versucht", "zuletzt erfolgreich", "HTTP", "Fehler in Folge",
                  "Einträge", "erwartet", "spät entdeckt", "Meldung")
    for row in rows:
        style = HEALTH_STYLE.get(row["state"], "dim")  # type: ignore[call-overload]
        expect = row["expect_every"]
        table.add_row(str(row["id"]), f"[{style}]{SourceHealth.label_of(row['state'])}[/]",  # type: ignore[arg-type]
                      _when(row["last_attempt_at"]), _when(row["last_success_at"]), str(row["last_status"] or "–"),
                      str(row["consecutive_failures"]), str(row["items_stored"]),
                      f"alle {cadence.format_duration(expect)}" if expect else "–",  # type: ignore[arg-type]
                      f"{row['late']} von {row['with_deadline']}" if row["with_deadline"] else "–",
                      str(row["last_error"] or row["overdue"] or row["last_warning"] or row["last_verdict"] or ""))
    console.print(table)
    if not rows:
        console.print("Noch keine Quelle abgerufen: `tracker collect` oder `tracker demo`.")


def _strict_exit(rows: list[dict[str, object]], *, quiet: bool) -> None:
    """One line per failing or overdue source on stderr, and the exit code that says which."""
    failing = [r for r in rows if r["state"] == SourceHealth.ERROR]
    overdue = [r for r in rows if r["overdue"] and r["state"] != SourceHealth.ERROR]
    if not quiet:
        for row in failing:
            err_console.print(f"[red]fehlerhaft:[/] {row['id']}: {row['last_error']}", soft_wrap=True,
                              highlight=False)
        for row in overdue:
            err_console.print(f"[yellow]überfällig:[/] {row['id']}: {row['overdue']}", soft_wrap=True,
                              highlight=False)
    if failing:
        raise typer.Exit(CHECK_EXIT_BROKEN)
    if overdue:
        raise typer.Exit(CHECK_EXIT_NOTICE)


@sources_app.command("check")
def check_command(
    source: Annotated[list[str] | None, typer.Option("--source", "-s", help="Nur diese Quelle(n) prüfen.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Als JSON ausgeben.")] = False,
) -> None:
    """Jede aktivierte Quelle einmal abrufen (nichts wird gespeichert) und sagen, was an ihr zu tun ist.

    Exit-Code 0: alle lesbar; 1: mindestens eine Quelle fehlerhaft; 3: keine fehlerhaft, aber
    Hinweise (umgezogen, leer, veraltet)."""
    registry = load_sources()
    _print_problems([str(p) for p in registry.problems])
    checks = collecting.check_sources(source, registry=registry)
    if as_json:
        console.print_json(json.dumps([asdict(c) for c in checks], default=str, ensure_ascii=False))
    else:
        for check in checks:
            console.print(Text.assemble((check.source_id, CHECK_STYLE.get(check.state, "")), ": ",
                                        _check_line(check)), soft_wrap=True, highlight=False)
    counts = {state: sum(1 for c in checks if c.state == state) for state in CheckVerdict}
    console.print(f"{len(checks)} Quellen geprüft: {counts[CheckVerdict.OK]} in Ordnung, "
                  f"{counts[CheckVerdict.NOTICE]} mit Hinweis, {counts[CheckVerdict.BROKEN]} fehlerhaft.",
                  soft_wrap=True, highlight=False)
    if counts[CheckVerdict.BROKEN]:
        raise typer.Exit(CHECK_EXIT_BROKEN)
    if counts[CheckVerdict.NOTICE]:
        raise typer.Exit(CHECK_EXIT_NOTICE)


def _check_line(check: SourceCheck) -> str:
    facts = [f"HTTP {check.http_status or '–'}", f"Art: {kind_label(check.detected_kind) if check.pages else '–'}",
             f"Inhaltstyp: {check.content_type or '–'}"]
    if check.entries is not None and "Eintr" not in check.verdict:  # counts not yet in the verdict
        facts += [f"Einträge: {check.entries}", f"neuester: {check.newest:%d.%m.%Y}" if check.newest
                  else "neuester: –", f"Fristen: {check.deadlines}"]
    facts.append(f"Adresse: {check.final_url or '–'}")
    return f"{check.verdict} [{'; '.join(facts)}]"


def _when(value: object) -> str:
    return value.strftime("%d.%m.%Y %H:%M") if value else "–"  # type: ignore[attr-defined]


def _guess_kind(body: bytes, name: str) -> str:
    """The source kind whose shape the document has (RSS for anything XML-like)."""
    kind = sniff_kind(body)
    if kind in (SourceKind.ATOM, OTHER_XML, HTML, None):
        return SourceKind.RSS  # feedparser reads both and names what is wrong with the rest
    if kind == UNKNOWN_JSON:
        try:
            json.loads(body)
        except ValueError as exc:
            raise UserError(f"{name}: sieht nach JSON aus, ist aber kein gültiges JSON ({exc})") from exc
        raise UserError(f"{name}: kein Adapter für dieses JSON-Format; mit --kind eine Art angeben "
                        f"({', '.join(SourceKind.codes())})")
    return kind


def _read_location(location: str, source: str | None,
                   collector: FetchPolicy) -> tuple[bytes, str, dict[str, str], int | None]:
    if location.startswith(("http://", "https://")):
        fetched = fetch(FetchRequest(source or MANUAL_SOURCE_ID, location), collector)
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
    target = Source(id=MANUAL_SOURCE_ID, name="Manuell eingelesen", url=url, kind=kind or "json",
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
    app.add_typer(sources_app, name="sources")
    app.command("ingest")(ingest_command)
    app.command("demo")(demo_command)
