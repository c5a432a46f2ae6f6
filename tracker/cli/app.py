"""The ``tracker`` command line.

Each concern registers its commands from its own module under ``tracker.cli`` so
that this file stays a table of contents. Errors meant for the user end as one line on
stderr and exit code 1, never a traceback.
"""

from __future__ import annotations

import sys

import typer

from tracker.errors import UserError
from tracker.storage import DatabaseLockedError

app = typer.Typer(
    name="tracker",
    help="Konsultationsradar: Quellen sammeln, bewerten, Stellungnahmen vorbereiten.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register_commands() -> None:
    from tracker.cli import alerts, collect, dashboard, export, judge, users

    for module in (collect, alerts, users, export, judge, dashboard):
        module.register(app)


_register_commands()


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    try:
        # Outside standalone mode click hands back what ended the command instead of
        # exiting: a command's ``typer.Exit(n)`` arrives here as ``n``.
        code = app(args=argv, standalone_mode=False)
    except (UserError, DatabaseLockedError) as exc:
        typer.secho(f"Fehler: {exc}", err=True, fg=typer.colors.RED)
        return 1
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        typer.echo("Abgebrochen.", err=True)
        return 130
    except typer.TyperException as exc:  # usage errors (typer's own click): usage text, exit code 2
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        else:
            typer.secho(f"Fehler: {exc.format_message()}", err=True, fg=typer.colors.RED)
        return exc.exit_code
    except Exception as exc:  # anything unforeseen: still one line, never a traceback
        typer.secho(f"Fehler: {type(exc).__name__}: {exc}", err=True, fg=typer.colors.RED)
        return 1
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
