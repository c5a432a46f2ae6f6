"""docs/ARCHITECTURE.md stays a true map: every module is listed, every listed module exists,
and the top of ``tracker/`` holds only what every stage shares."""

from __future__ import annotations

import re

from tests.conftest import PROJECT_ROOT

DOC = (PROJECT_ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
PACKAGE = PROJECT_ROOT / "tracker"


def _listed() -> set[str]:
    """Module paths (relative to tracker/) named in the map's tables."""
    section = DOC[DOC.index("## Modules and what each owns"):DOC.index("## Database schema")]
    found = set()
    for cell in re.findall(r"^\| ([^|]+) \|", section, flags=re.M):
        for path in re.findall(r"`([\w/.*]+)`", cell):
            found.add(path.removeprefix("tracker/"))
    return found


def test_every_module_is_on_the_map() -> None:
    listed = _listed()
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        folder = relative.rpartition("/")[0] + "/"
        # A package's __init__ holds its docstring; a listed folder covers its modules.
        if path.name == "__init__.py" or relative in listed or folder in listed:
            continue
        missing.append(relative)
    assert missing == []


def test_every_listed_module_exists() -> None:
    absent = [p for p in _listed() if p.endswith(".py") and "*" not in p
              and not (PACKAGE / p).exists() and not (PROJECT_ROOT / p).exists()]
    assert absent == []


def test_the_top_level_holds_only_shared_modules() -> None:
    modules = sorted(p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py")
    assert len(modules) <= 7, modules


def test_pages_only_call_the_library() -> None:
    """No page opens the database or calls storage: reads go through ``work`` (which checks
    who may see what), writes through the work functions."""
    offenders = [path.name for path in sorted((PROJECT_ROOT / "app_pages").glob("*.py"))
                 if re.search(r"^\s*(from|import) tracker\.storage\b", path.read_text(encoding="utf-8"), re.M)]
    assert offenders == []
