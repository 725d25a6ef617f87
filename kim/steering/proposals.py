"""The proposal rule, without the database: which threshold applies, and whether a category's
barriers of one quarter reach it (issue 17, decisions D-084).

1. A threshold row applies to a Kreis and a category when its ``region`` is empty or that Kreis,
   its ``category`` empty or that category, and it is valid on the quarter's first day.
2. Of the applicable rows the most specific wins – Kreis and category, then Kreis, then
   category, then the default – and among equally specific rows the one valid from the
   latest day (a newer row supersedes an older one without closing it).
3. A category reaches the threshold in a quarter when it has at least ``min_barriers``
   barriers in the Kreis, recorded in cases of at least ``min_organisations`` different
   organisations. Barriers whose organisation is unknown count as barriers, not as
   organisations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from kim.cases.queries.barriers import Quarter


@dataclass(frozen=True)
class Rule:
    """One threshold row, as the engine needs it."""

    region_id: int | None
    category_id: int | None
    min_barriers: int
    min_organisations: int
    valid_from: dt.date
    valid_to: dt.date | None
    source: str = ""
    pk: int | None = None

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def applies_to(self, region_id: int, category_id: int) -> bool:
        return self.region_id in (None, region_id) and self.category_id in (None, category_id)

    @property
    def specificity(self) -> int:
        return 2 * (self.region_id is not None) + (self.category_id is not None)


def applicable_rule(
    rules: Iterable[Rule], region_id: int, category_id: int, day: dt.date
) -> Rule | None:
    """The most specific rule for the Kreis and category valid on ``day`` (None: no rule)."""
    candidates = [r for r in rules if r.applies_to(region_id, category_id) and r.valid_on(day)]
    if not candidates:
        return None
    return max(candidates, key=lambda r: (r.specificity, r.valid_from, r.pk or 0))


@dataclass(frozen=True)
class Tally:
    """A category's barriers in one quarter of one Kreis."""

    category_id: int
    quarter: Quarter
    barriers: int
    organisations: int


def tally(rows: Iterable[tuple[int, dt.date, int | None]]) -> list[Tally]:
    """``(category_id, observed_month, organisation_id)`` per barrier → one tally per category
    and quarter, in quarter and category order."""
    barriers: dict[tuple[int, Quarter], int] = {}
    organisations: dict[tuple[int, Quarter], set[int]] = {}
    for category_id, month, organisation_id in rows:
        key = (category_id, Quarter.of(month))
        barriers[key] = barriers.get(key, 0) + 1
        seen = organisations.setdefault(key, set())
        if organisation_id is not None:
            seen.add(organisation_id)
    return [
        Tally(category_id, quarter, n, len(organisations[(category_id, quarter)]))
        for (category_id, quarter), n in sorted(
            barriers.items(), key=lambda item: (item[0][1].year, item[0][1].quarter, item[0][0])
        )
    ]


def reaches(rule: Rule, t: Tally) -> bool:
    return t.barriers >= rule.min_barriers and t.organisations >= rule.min_organisations


def quarter_code(quarter: Quarter) -> str:
    """The form stored on ``Topic.proposed_quarter`` and used by the API: ``2026-Q1``."""
    return f"{quarter.year}-Q{quarter.quarter}"


def due(
    rules: Iterable[Rule],
    region_id: int,
    tallies: Iterable[Tally],
    already: set[tuple[int, str]],
) -> list[tuple[Tally, Rule]]:
    """The tallies that reach their rule and whose (category, quarter) was never proposed."""
    rules = list(rules)
    found = []
    for t in tallies:
        if (t.category_id, quarter_code(t.quarter)) in already:
            continue
        rule = applicable_rule(rules, region_id, t.category_id, t.quarter.first_month)
        if rule is not None and reaches(rule, t):
            found.append((t, rule))
    return found
