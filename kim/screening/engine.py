"""STUB (S1) – the rule engine's public interface."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from kim.screening.facts import PersonFacts
from kim.screening.results import RuleResult
from kim.screening.rulebook import RuleVersionData


def evaluate(
    facts: PersonFacts, decision_date: dt.date, versions: Sequence[RuleVersionData]
) -> list[RuleResult]:
    """One result per rule (all five rules, in a fixed order), judged by the law in force on
    ``decision_date``."""
    raise NotImplementedError
