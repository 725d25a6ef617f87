"""Helpers for the rule tables: terse periods and persons, evaluation against the reference
versions (no database)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from kim.screening.engine import evaluate
from kim.screening.facts import Period, PersonFacts, Status
from kim.screening.results import RuleResult
from kim.screening.rulebook import reference_versions

VERSIONS = reference_versions()


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def period(status: str, start: str, end: str | None = None, section: str = "") -> Period:
    return Period(Status(status), d(start), d(end) if end else None, section)


def person(base: PersonFacts, **changes: Any) -> PersonFacts:
    return replace(base, **changes)


def result(facts: PersonFacts, day: str, rule: str) -> RuleResult:
    (found,) = [r for r in evaluate(facts, d(day), VERSIONS) if r.rule == rule]
    return found


def criterion(res: RuleResult, cid: str) -> bool | None:
    (found,) = [c for c in res.criteria if c.id == cid]
    return found.met
