"""Rule versions as plain data, from the database or from the reference data.

The engine never touches the database: callers load the versions once
(``database_versions()``, one query) and pass them in, so a batch of 10,000 persons costs
one query, and tests can evaluate against ``reference_versions()`` without a database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kim.screening import reference_data


@dataclass(frozen=True)
class RuleVersionData:
    rule: str
    valid_from: dt.date
    valid_to: dt.date | None
    norm: str
    source: str
    params: dict[str, Any] = field(default_factory=dict)
    criteria: tuple[dict[str, str], ...] = ()
    confirmed: bool = True
    note: str = ""

    def applies_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def reference_versions() -> list[RuleVersionData]:
    """The versions of ``kim.screening.reference_data`` (no database), ordered like
    ``database_versions()`` (rule, valid_from)."""
    data = sorted(reference_data.VERSIONS, key=lambda v: (v["rule"], v["valid_from"]))
    return [
        RuleVersionData(
            rule=v["rule"],
            valid_from=v["valid_from"],
            valid_to=v["valid_to"],
            norm=v["norm"],
            source=v["source"],
            params=dict(v["params"]),
            criteria=tuple(dict(c) for c in v["criteria"]),
            confirmed=v["confirmed"],
            note=v["note"],
        )
        for v in data
    ]


def database_versions() -> list[RuleVersionData]:
    """Every stored rule version (one query); what the app and the CLI evaluate with. An empty
    table (reference data not loaded yet) falls back to ``reference_versions()``."""
    from kim.screening.models import RuleVersion

    rows = list(RuleVersion.objects.order_by("rule", "valid_from"))
    if not rows:
        return reference_versions()
    return [
        RuleVersionData(
            rule=r.rule,
            valid_from=r.valid_from,
            valid_to=r.valid_to,
            norm=r.norm,
            source=r.source,
            params=dict(r.params),
            criteria=tuple(dict(c) for c in r.criteria),
            confirmed=r.confirmed,
            note=r.note,
        )
        for r in rows
    ]


def version_on(
    versions: Iterable[RuleVersionData], rule: str, day: dt.date
) -> RuleVersionData | None:
    """The version of ``rule`` in force on ``day`` (validity dates inclusive), or None."""
    for version in versions:
        if version.rule == rule and version.applies_on(day):
            return version
    return None


def versions_of(versions: Sequence[RuleVersionData], rule: str) -> list[RuleVersionData]:
    """The versions of one rule, oldest first."""
    return sorted((v for v in versions if v.rule == rule), key=lambda v: v.valid_from)
