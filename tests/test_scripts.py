"""The set-up scripts on a machine that lacks something: they say what to install, in one
line, instead of failing later or half way (scripts/bootstrap.sh, scripts/test.sh)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from tests.conftest import PROJECT_ROOT

BOOTSTRAP = PROJECT_ROOT / "scripts" / "bootstrap.sh"
TEST_SH = PROJECT_ROOT / "scripts" / "test.sh"
REAL_PYTHON = sys.executable


def _script(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def _bootstrap(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", f'source "{BOOTSTRAP}" ""'], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)


def _debian_python_without_venv(tmp_path: Path) -> Path:
    """A python3 like Debian's without python3-venv: `-m venv` leaves bin/python, no pip, and fails."""
    broken = tmp_path / "python-in-broken-venv"
    _script(broken, f'#!/bin/bash\nif [ "$1" = "-m" ] && [ "$2" = "pip" ]; then echo "No module named pip" >&2; '
                    f'exit 1; fi\nexec "{REAL_PYTHON}" "$@"\n')
    return _script(tmp_path / "python3", f"""#!/bin/bash
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then
    mkdir -p "$3/bin" && cp "{broken}" "$3/bin/python"
    echo "The virtual environment was not created successfully because ensurepip is not available." >&2
    exit 1
fi
exec "{REAL_PYTHON}" "$@"
""")


def test_a_venv_without_pip_is_named_and_not_left_behind(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    env = {"PYTHON": str(_debian_python_without_venv(tmp_path)), "VENV": str(venv)}
    for _ in range(2):  # the second run must not take the leftovers for a working environment
        result = _bootstrap(env)
        assert result.returncode == 1
        assert "python3-venv" in result.stderr.splitlines()[-1], result.stderr
        assert not venv.exists()


def test_a_leftover_venv_without_pip_is_not_taken_for_a_working_one(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    _script(venv / "bin" / "python", f'#!/bin/bash\n[ "$2" = "pip" ] && exit 1\nexec "{REAL_PYTHON}" "$@"\n')
    result = _bootstrap({"PYTHON": str(_debian_python_without_venv(tmp_path)), "VENV": str(venv)})
    assert result.returncode == 1
    assert "unvollständig" in result.stderr and "python3-venv" in result.stderr.splitlines()[-1]


def test_python_versions_outside_pyproject_are_refused(tmp_path: Path) -> None:
    for version in ("3.10.12", "3.14.0"):
        fake = _script(tmp_path / f"python{version}", f'#!/bin/bash\nif [ "$1" = "--version" ]; then '
                                                      f'echo "Python {version}"; exit 0; fi\n'
                                                      f'exec "{REAL_PYTHON}" -c "import sys; sys.exit(1)"\n')
        result = _bootstrap({"PYTHON": str(fake), "VENV": str(tmp_path / "venv")})
        assert result.returncode == 1
        assert result.stderr.splitlines()[-1].startswith(
            f"Python 3.11 bis 3.13 wird gebraucht (gefunden: Python {version})"), result.stderr
    assert "requires-python = \">=3.11,<3.14\"" in (PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_test_sh_as_a_user_whose_sudo_wants_a_password_says_what_to_install(tmp_path: Path) -> None:
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in ("bash", "dirname", "grep", "rm", "touch", "cat", "mkdir"):
        found = subprocess.run(["bash", "-c", f"command -v {tool}"], capture_output=True, text=True).stdout.strip()
        (tools / tool).symlink_to(found)
    _script(tools / "id", '#!/bin/bash\necho 1000\n')
    _script(tools / "sudo", '#!/bin/bash\necho "sudo: a password is required" >&2\nexit 1\n')
    # No chromium, soffice, pdftoppm, strace or fc-list on this PATH: all of them look missing.
    result = subprocess.run(["bash", str(TEST_SH), "--version"], cwd=tmp_path,
                            env={**os.environ, "PATH": str(tools), "PYTHON": REAL_PYTHON},
                            capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    warning = [line for line in result.stderr.splitlines() if line.startswith("WARNUNG")]
    assert len(warning) == 1, result.stderr
    assert "sudo apt-get install chromium libreoffice-writer-nogui poppler-utils strace" in warning[0]
    # The mailbox tests' real Dovecot (found in /usr/sbin even off the PATH) and openssl.
    assert "openssl" in warning[0]
    assert ("dovecot-imapd" in warning[0]) == (not Path("/usr/sbin/dovecot").exists())
    assert "a password is required" not in result.stderr
    assert result.returncode == 0, result.stderr  # went on: ruff, then pytest --version
    assert "pytest" in result.stdout + result.stderr
