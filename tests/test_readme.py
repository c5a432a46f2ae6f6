"""The README is a newcomer's path: it names every command and every option of the collect commands."""

from __future__ import annotations

import typer.main

from tests.conftest import PROJECT_ROOT
from tracker.cli.app import app

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def _commands() -> dict[str, object]:
    return typer.main.get_command(app).commands  # type: ignore[attr-defined]


def test_every_command_is_in_the_readme():
    missing = [name for name in _commands() if f"tracker {name}" not in README]
    assert not missing, f"README does not mention: {missing}"


def test_every_option_of_the_collect_commands_is_in_the_readme():
    commands = _commands()
    missing = []
    for name in ("collect", "sources", "ingest", "demo", "export"):
        for param in commands[name].params:  # type: ignore[attr-defined]
            for opt in getattr(param, "opts", []):
                if opt.startswith("--") and opt != "--help" and opt not in README:
                    missing.append(f"{name} {opt}")
    assert not missing, f"README does not document: {missing}"


def test_the_two_commands_are_the_scripts_ci_runs():
    assert "bash scripts/start.sh" in README and "bash scripts/test.sh" in README
    assert "scripts/test.sh" in (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
