"""The installed ``tracker`` console script in a subprocess: what cron and monitoring see.

Exit codes and output layout are only real here: in-process runners hand back what the
command function returned, not what the process exits with, and they fake the terminal.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

TRACKER = Path(sys.executable).parent / "tracker"


def tracker(*args: str, env: Mapping[str, str] | None = None, cwd: Path | None = None,
            timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """Run ``tracker ARGS`` with stdout and stderr as pipes (not a terminal), like cron."""
    if not TRACKER.exists():
        pytest.fail(f"console script not installed: {TRACKER} (pip install -e .)")
    merged = {**os.environ, **(env or {})}
    return subprocess.run([str(TRACKER), *args], env=merged, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def assert_no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stdout + result.stderr, result.stderr[-3000:]
