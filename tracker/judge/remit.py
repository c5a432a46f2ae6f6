"""Whether an item's jurisdiction is one the association answers to."""

from __future__ import annotations

from fnmatch import fnmatchcase
from functools import lru_cache


@lru_cache(maxsize=1024)  # a handful of codes, asked for every item
def in_remit(jurisdiction: str | None, remit: tuple[str, ...]) -> bool:
    """True for a jurisdiction matching one of the remit patterns ("eu", "de", "de-*").

    An unknown jurisdiction is kept in remit: hiding an item because its source forgot to
    say where it is from would be the worse mistake.
    """
    if not jurisdiction:
        return True
    code = jurisdiction.strip().lower()
    return any(fnmatchcase(code, pattern) for pattern in remit)
