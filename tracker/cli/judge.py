"""CLI: classify (JSON Lines batch contract), train (relevance model), tag (re-judge stored items)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from tracker.cli.output import stderr_console
from tracker.errors import UserError

err_console = stderr_console()
TAG_BATCH = 200


def classify_command(
    input_file: Annotated[Path | None, typer.Option("--input", "-i", help="JSON-Lines-Datei (Standard: stdin).")]
    = None,
    output_file: Annotated[Path | None, typer.Option("--output", "-o", help="Ausgabedatei (Standard: stdout).")]
    = None,
    rules_only: Annotated[bool, typer.Option("--rules-only", help="Nur Regeln, kein trainiertes Modell.")] = False,
    taxonomy: Annotated[Path | None, typer.Option("--taxonomy", help="Andere topics.toml verwenden.")] = None,
) -> None:
    """Einträge ohne Datenbank bewerten: JSON Lines rein (id, title, summary, …), JSON Lines raus."""
    from tracker.judge import get_judge
    from tracker.judge.classify import classify_lines
    from tracker.judge.enrich import sources_by_id

    judge = get_judge(taxonomy, use_model=not rules_only)
    sources = sources_by_id()
    try:
        source = input_file.open(encoding="utf-8") if input_file else sys.stdin
    except OSError as exc:
        raise UserError(f"{input_file}: kann nicht gelesen werden ({exc.strerror})") from exc
    try:
        target = output_file.open("w", encoding="utf-8") if output_file else sys.stdout
    except OSError as exc:
        raise UserError(f"{output_file}: kann nicht geschrieben werden ({exc.strerror})") from exc
    try:
        for line in classify_lines(source, judge, sources):
            target.write(line + "\n")
        target.flush()
    finally:
        if input_file:
            source.close()
        if output_file:
            target.close()


def train_command(
    seed_labels: Annotated[Path | None, typer.Option(
        "--seed-labels", help="Eigene Startlabels (TSV) statt der mitgelieferten.")] = None,
    model_dir: Annotated[Path | None, typer.Option("--model-dir", help="Zielordner (Standard: data/models).")]
    = None,
    without_db: Annotated[bool, typer.Option("--without-db", help="Nur Startlabels, keine Team-Labels.")] = False,
    epochs: Annotated[int, typer.Option("--epochs", min=1, max=200, help="Trainingsdurchläufe.")] = 25,
) -> None:
    """Relevanzmodell (textcat_multilabel) aus Team-Labels und Startlabels trainieren und versioniert speichern."""
    from tracker import clock, settings
    from tracker.access import auth
    from tracker.judge import get_judge
    from tracker.judge.model import TrainingExample, save_new
    from tracker.judge.training import read_seed_labels, shipped_labels, train_model
    from tracker.storage.judgements import load_labels
    from tracker.work import feedback

    judge = get_judge(use_model=False)
    if seed_labels:
        examples = read_seed_labels(seed_labels, list(judge.taxonomy.topics), judge.taxonomy.settings.remit)
    else:
        examples = shipped_labels(judge)
    seeds = len(examples)
    team = 0
    if not without_db and settings.get().db_path.exists():
        # How the judge in use did on the team's verdicts it had not learnt: the figure a new
        # model has to beat, on the team's own sources.
        typer.echo(f"Bisher: {feedback.summary_line(feedback.report(auth.LOCAL_USER, today=clock.today()).unseen)}")
        for label in load_labels():
            topics = tuple(t for t in label.topics if t in judge.taxonomy.topics)
            examples.append(TrainingExample(title=label.title, summary=label.summary, language=label.language,
                                            relevant=label.relevant, topics=topics))
            team += 1
    try:
        model = train_model(judge, examples, epochs=epochs)
    except ValueError as exc:
        raise UserError(f"Training nicht möglich: {exc}") from exc
    model.meta.update({"seed_labels": seeds, "team_labels": team})
    path = save_new(model, model_dir)
    typer.echo(f"Modell gespeichert: {path} ({seeds} Startlabels, {team} Team-Labels, "
               f"{sum(e.relevant for e in examples)} relevant)")


def tag_command(
    only_new: Annotated[bool, typer.Option("--only-new", help="Nur Einträge ohne Bewertung.")] = False,
    rules_only: Annotated[bool, typer.Option("--rules-only", help="Nur Regeln, kein trainiertes Modell.")] = False,
) -> None:
    """Gespeicherte Einträge neu bewerten (nach Änderung der Taxonomie oder des Modells)."""
    from tracker.judge import get_judge
    from tracker.judge.enrich import judge_input, sources_by_id
    from tracker.storage.judgements import apply_tagging, items_to_tag

    judge = get_judge(use_model=not rules_only)
    sources = sources_by_id()
    items = items_to_tag(only_unjudged=only_new)
    relevant = moved = 0
    with Progress(TextColumn("Bewerte"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console, transient=not err_console.is_terminal) as progress:
        task = progress.add_task("tag", total=len(items))
        for start in range(0, len(items), TAG_BATCH):
            batch = items[start:start + TAG_BATCH]
            judgements = judge.judge_many([judge_input(i, sources.get(i.source_id or "")) for i in batch])
            moved += apply_tagging(batch, judgements, judge.taxonomy.sha)
            relevant += sum(j.relevant for j in judgements)
            progress.advance(task, len(batch))
    typer.echo(f"{len(items)} Einträge bewertet ({judge.model_version}), {relevant} relevant, "
               f"{moved} Fristen geändert.")


def register(app: typer.Typer) -> None:
    app.command("classify")(classify_command)
    app.command("train")(train_command)
    app.command("tag")(tag_command)
