"""Where the ``tracker`` command writes: Rich consoles that never wrap when the output is
not a terminal.

Rich lays text out for a terminal 80 columns wide when it cannot ask one (a pipe, a cron
log, a test capturing output), and takes the width of whatever terminal stdin happens to
be otherwise. Either way a long message or table row would be broken mid-sentence in a
log. Off a terminal these consoles are as wide as any line: one message, one line.
"""

from __future__ import annotations

from rich.console import Console, ConsoleDimensions

# Wider than any message or table row the CLI prints; Rich pads nothing to this width.
UNWRAPPED_WIDTH = 100_000


class CliConsole(Console):
    """A Rich console laid out for the terminal when there is one, unwrapped otherwise."""

    @property
    def size(self) -> ConsoleDimensions:
        measured = Console.size.fget(self)  # type: ignore[attr-defined]
        if self.is_terminal:
            return measured
        return ConsoleDimensions(UNWRAPPED_WIDTH, measured.height)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        Console.size.fset(self, new_size)  # type: ignore[attr-defined]


def stdout_console() -> CliConsole:
    return CliConsole()


def stderr_console() -> CliConsole:
    return CliConsole(stderr=True)
