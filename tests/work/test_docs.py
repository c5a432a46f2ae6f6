"""docs/STATEMENTS.md names every option of ``tracker users …`` and ``tracker export``."""

from __future__ import annotations

from pathlib import Path

import typer

from tracker.cli import export as export_cmd
from tracker.cli import users as users_cmd

DOC = Path(__file__).resolve().parents[2] / "docs" / "STATEMENTS.md"


def _options(command: object, path: str) -> list[tuple[str, str]]:
    # Typer ships its own copy of click, so look at the shape, not the class.
    found = [(path, opt) for p in command.params if getattr(p, "param_type_name", "") == "option"
             for opt in p.opts if opt.startswith("--") and opt != "--help"]
    if hasattr(command, "commands"):
        for name, sub in command.commands.items():
            found += _options(sub, f"{path} {name}")
    return found


def test_every_option_is_documented():
    app = typer.Typer(add_completion=False)  # as tracker.cli.app builds it
    users_cmd.register(app)
    export_cmd.register(app)
    text = DOC.read_text(encoding="utf-8")
    root = typer.main.get_command(app)
    options = _options(root, "tracker")
    assert len(options) >= 14
    missing = [f"{path} {opt}" for path, opt in options if opt not in text]
    assert not missing, missing
    for sub in ("users add", "users list", "users passwd", "users org", "users demo", "export --item"):
        assert f"tracker {sub}" in text
