"""CLI: ``tracker export --item ID --format docx|md --out FILE``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tracker import export
from tracker.access import auth
from tracker.errors import UserError
from tracker.work import statement


def export_command(
    item: Annotated[str, typer.Option("--item", "-i", help="Kennung der Meldung (Arbeitsbereich).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Zieldatei.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="docx oder md.")] = "docx",
    version: Annotated[int | None, typer.Option("--version", "-v",
                                                help="Entwurfsversion (Standard: die neueste).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Vorhandene Datei überschreiben.")] = False,
    assemble: Annotated[bool, typer.Option("--assemble", help="Vorher einen neuen Entwurf aus der "
                                                              "Positionsmatrix zusammenstellen.")] = False,
    internal: Annotated[bool, typer.Option("--intern", help="Die interne Fassung (mit Zuordnung zu den "
                                                           "Mitgliedern und Positionsmatrix) statt des "
                                                           "Schreibens.")] = False,
) -> None:
    """Die gemeinsame Stellungnahme als DOCX oder Markdown schreiben (oder ihre interne Fassung)."""
    if out.exists() and not force:
        raise UserError(f"{out} gibt es schon; mit --force überschreiben.")
    if assemble:
        if version is not None:
            raise UserError("--assemble und --version schließen sich aus.")
        created = statement.assemble_draft(auth.LOCAL_USER, item)
        typer.echo(f"Entwurf Version {created['version']} aus der Positionsmatrix zusammengestellt.")
    try:
        render = export.render_internal if internal else export.render
        rendered = render(auth.LOCAL_USER, item, fmt.lower(), version)
    except UserError as exc:
        if version is None and "keinen Entwurf" in str(exc):
            raise UserError(f"{exc} Im Dashboard unter „Stellungnahmen“ zusammenstellen oder hier mit "
                            "--assemble aus der Positionsmatrix erzeugen.") from exc
        raise
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(rendered.data)
    tmp.replace(out)  # never leave a half-written file behind
    flags = statement.open_flags(statement.get_version(auth.LOCAL_USER, item, rendered.version)["body_md"])
    if flags and not internal:
        typer.secho(f"Warnung: Version {rendered.version} enthält noch {flags} offene Stelle(n) "
                    f"„{statement.NO_INPUT_FLAG}“.", err=True, fg=typer.colors.YELLOW)
    typer.echo(f"Version {rendered.version} geschrieben: {out} ({len(rendered.data):,} Bytes)".replace(",", "."))


def register(app: typer.Typer) -> None:
    app.command("export")(export_command)
