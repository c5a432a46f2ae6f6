"""One adapter per JSON API: pure functions from response bytes to a ParseResult."""

from __future__ import annotations

from collections.abc import Callable

from tracker.collect.adapters import federalregister, govuk, haveyoursay, regulationsgov
from tracker.models import ParseResult

Adapter = Callable[[bytes, str], ParseResult]

ADAPTERS: dict[str, Adapter] = {
    "haveyoursay": haveyoursay.parse,
    "govuk": govuk.parse,
    "federalregister": federalregister.parse,
    "regulationsgov": regulationsgov.parse,
}

__all__ = ["ADAPTERS", "Adapter"]
