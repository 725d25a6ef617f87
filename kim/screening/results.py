"""What the screening says: one result per rule and person, every criterion explained."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    LIKELY = "likely"  # every checkable criterion met, no discretionary one known to fail
    UNLIKELY = "unlikely"  # a checkable criterion fails
    UNCLEAR = "unclear"  # data missing for a checkable criterion (none fails)
    NOT_IN_FORCE = "not_in_force"  # no version of the rule applies on the decision date


class Kind(StrEnum):
    CHECKABLE = "checkable"
    DISCRETIONARY = "discretionary"


@dataclass(frozen=True)
class CriterionResult:
    id: str
    met: bool | None
    kind: Kind
    explanation: str  # German, naming the norm


@dataclass(frozen=True)
class RuleResult:
    rule: str  # "aufenthg_25a", "aufenthg_25b", "aufenthg_104c", "stag_10", "stag_10_3"
    version_valid_from: dt.date | None  # None when not in force
    outcome: Outcome
    criteria: tuple[CriterionResult, ...]
    met_from: dt.date | None  # when a failing time criterion will be met, else None
    norm: str  # e.g. "§ 25b AufenthG (Fassung ab 31.12.2022)"
    explanation: str  # one German sentence summing up the outcome

    def as_json(self) -> dict[str, object]:
        """The CLI contract's shape (issue 7 § 4)."""
        return {
            "rule": self.rule,
            "version_valid_from": self.version_valid_from.isoformat()
            if self.version_valid_from
            else None,
            "outcome": self.outcome.value,
            "criteria": [
                {"id": c.id, "met": c.met, "kind": c.kind.value, "explanation": c.explanation}
                for c in self.criteria
            ],
            "met_from": self.met_from.isoformat() if self.met_from else None,
        }
