"""STUB (S1) – rule versions as plain data, from the database or from the reference data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RuleVersionData:
    rule: str
    valid_from: dt.date
    valid_to: dt.date | None
    norm: str
    source: str
    params: dict[str, Any] = field(default_factory=dict)
    criteria: tuple[dict[str, str], ...] = ()


def database_versions() -> list[RuleVersionData]:
    """Every stored rule version (one query); what the app and the CLI evaluate with."""
    raise NotImplementedError
