"""docs/OPERATIONS.md covers every alerts command, option and setting the code reads."""

from __future__ import annotations

from pathlib import Path

import click
import typer

from tracker import settings
from tracker.cli import alerts as alerts_commands

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "OPERATIONS.md"
README = ROOT / "README.md"


def _commands() -> list[tuple[str, click.Command]]:
    app = typer.Typer()
    alerts_commands.register(app)
    group = typer.main.get_group(app)
    found = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += [(f"{name} {sub}", c) for sub, c in command.commands.items()]
        else:
            found.append((name, command))
    return found


def test_every_command_and_option_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for name, command in _commands():
        assert f"tracker {name}" in text, name
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--") and opt != "--help":
                    assert opt in text, f"{name} {opt}"


def test_every_setting_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8") + README.read_text(encoding="utf-8")
    names = set(settings.setting_names())
    assert names >= {"SMTP_HOST", "TRACKER_BASE_URL", "TRACKER_WEBHOOKS", "TRACKER_SCHEDULE_MINUTES"}
    missing = sorted(n for n in names if f"`{n}`" not in text)
    assert missing == []
