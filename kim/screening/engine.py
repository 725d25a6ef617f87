"""The rule engine: facts + decision date + rule versions → one result per rule.

Pure and database-free: the caller passes the versions (``rulebook.database_versions()`` or
``reference_versions()``). Each version is compiled once (its criteria bound to their checks
in ``kim.screening.rules``), so a batch evaluates 10,000 persons in a few seconds.

Outcome (issue 7 § 2): ``unlikely`` if a checkable criterion fails; else ``unclear`` if a
checkable one is unknown or a discretionary one is known to fail (the authority's discretion
decides); else ``likely``. ``not_in_force`` when no version applies on the decision date.
``met_from``: when the only failing checkable criteria are time criteria (nothing unknown) and
each has a date on which it will be met if nothing else changes, the latest of those dates – the
day the rule becomes likely; an application deadline (27th birthday) before it cancels it. When
other criteria fail too, the explanation still names the day the time criterion is met.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from kim.screening.facts import PersonFacts
from kim.screening.reference_data import RULE_NORMS, RULE_ORDER
from kim.screening.results import CriterionResult, Kind, Outcome, RuleResult
from kim.screening.rulebook import RuleVersionData
from kim.screening.rules import CHECKS, TIME_CRITERIA, UNKNOWN, Check, Ctx, de


@dataclass(frozen=True)
class _Criterion:
    id: str
    kind: Kind
    label: str
    norm: str
    check: Callable[[Ctx], Check]


@dataclass(frozen=True)
class _Compiled:
    version: RuleVersionData
    criteria: tuple[_Criterion, ...]


def _compile(version: RuleVersionData) -> _Compiled:
    criteria = tuple(
        _Criterion(
            id=c["id"],
            kind=Kind(c.get("kind", Kind.DISCRETIONARY)),
            label=c.get("label", c["id"]),
            norm=c.get("norm", version.norm),
            check=CHECKS.get(c["id"], UNKNOWN),
        )
        for c in version.criteria
    )
    return _Compiled(version, criteria)


class Rulebook:
    """The versions of every rule, compiled once; ``evaluate`` one person at a time."""

    def __init__(self, versions: Iterable[RuleVersionData]) -> None:
        self.by_rule: dict[str, list[_Compiled]] = {rule: [] for rule in RULE_ORDER}
        for version in sorted(versions, key=lambda v: v.valid_from):
            if version.rule in self.by_rule:
                self.by_rule[version.rule].append(_compile(version))

    def evaluate(self, facts: PersonFacts, day: dt.date) -> list[RuleResult]:
        results = []
        for rule in RULE_ORDER:
            compiled = self._on(rule, day)
            if compiled is None:
                results.append(self._not_in_force(rule, day))
            else:
                results.append(_evaluate_version(compiled, facts, day, self.by_rule[rule]))
        return results

    def _on(self, rule: str, day: dt.date) -> _Compiled | None:
        for compiled in self.by_rule[rule]:
            if compiled.version.applies_on(day):
                return compiled
        return None

    def _not_in_force(self, rule: str, day: dt.date) -> RuleResult:
        base = RULE_NORMS.get(rule, rule)
        known = [c.version for c in self.by_rule[rule]]
        earlier = [v for v in known if v.valid_to is not None and v.valid_to < day]
        if known and day < known[0].valid_from:
            why = f"Die Regelung gilt erst ab {de(known[0].valid_from)}"
            tail = "noch nicht"
        elif earlier:
            last = earlier[-1]
            assert last.valid_to is not None
            template = str(last.params.get("expired_note", "Die Regelung galt nur bis {valid_to}"))
            why = template.format(valid_to=de(last.valid_to))
            tail = "nicht mehr"
        else:
            why = "Für diesen Tag ist keine Fassung der Regelung hinterlegt"
            tail = "nicht"
        return RuleResult(
            rule=rule,
            version_valid_from=None,
            outcome=Outcome.NOT_IN_FORCE,
            criteria=(),
            met_from=None,
            norm=base,
            explanation=f"{base}: {why}; die Regelung gilt am {de(day)} {tail}.",
        )


def _evaluate_version(
    compiled: _Compiled, facts: PersonFacts, day: dt.date, siblings: Sequence[_Compiled]
) -> RuleResult:
    version = compiled.version
    ctx = Ctx(facts=facts, day=day, params=version.params)
    checks = [(c, c.check(ctx)) for c in compiled.criteria]
    criteria = tuple(
        CriterionResult(id=c.id, met=r.met, kind=c.kind, explanation=f"{c.norm}: {r.text}")
        for c, r in checks
    )
    outcome = _outcome(checks)
    time_met_from, notes = _met_from(checks, version, siblings)
    return RuleResult(
        rule=version.rule,
        version_valid_from=version.valid_from,
        outcome=outcome,
        criteria=criteria,
        met_from=time_met_from if _only_time_missing(checks) else None,
        norm=version.norm,
        explanation=_summary(version, outcome, checks, time_met_from, notes),
    )


def _only_time_missing(checks: Sequence[tuple[_Criterion, Check]]) -> bool:
    """Whether waiting is all it takes: every failing checkable criterion is a time criterion
    and none is unknown. Only then is ``met_from`` the day the rule becomes likely ("§ 25b
    likely from …"); a person whose status does not fit gets no date, however long they stay.
    """
    checkable = [(c, r) for c, r in checks if c.kind is Kind.CHECKABLE]
    return all(r.met is not None for _c, r in checkable) and all(
        c.id in TIME_CRITERIA for c, r in checkable if r.met is False
    )


def _outcome(checks: Sequence[tuple[_Criterion, Check]]) -> Outcome:
    checkable = [r.met for c, r in checks if c.kind is Kind.CHECKABLE]
    if False in checkable:
        return Outcome.UNLIKELY
    if None in checkable:
        return Outcome.UNCLEAR
    if any(r.met is False for c, r in checks if c.kind is Kind.DISCRETIONARY):
        return Outcome.UNCLEAR
    return Outcome.LIKELY


def _met_from(
    checks: Sequence[tuple[_Criterion, Check]],
    version: RuleVersionData,
    siblings: Sequence[_Compiled],
) -> tuple[dt.date | None, list[str]]:
    failing = [r for c, r in checks if c.id in TIME_CRITERIA and r.met is False]
    if not failing or any(r.met_from is None for r in failing):
        return None, []
    met_from = max(r.met_from for r in failing if r.met_from is not None)
    deadlines = [r.deadline for c, r in checks if r.deadline is not None]
    if deadlines and met_from > min(deadlines):
        return None, [
            f"Die Zeitvoraussetzung wäre erst am {de(met_from)} erfüllt, der Antrag ist aber nur "
            f"bis {de(min(deadlines))} möglich."
        ]
    notes = []
    if version.valid_to is not None and met_from > version.valid_to:
        later = [s.version for s in siblings if s.version.valid_from > version.valid_to]
        change = "ändert sich die Rechtslage" if later else "entfällt die Regelung"
        notes.append(
            f"Achtung: Diese Fassung gilt nur bis {de(version.valid_to)}; danach {change}, "
            f"bevor die Zeit am {de(met_from)} erreicht ist."
        )
    return met_from, notes


def _summary(
    version: RuleVersionData,
    outcome: Outcome,
    checks: Sequence[tuple[_Criterion, Check]],
    met_from: dt.date | None,
    notes: list[str],
) -> str:
    failing = [c.label for c, r in checks if c.kind is Kind.CHECKABLE and r.met is False]
    unknown = [c.label for c, r in checks if c.kind is Kind.CHECKABLE and r.met is None]
    only_time = all(
        c.id in TIME_CRITERIA for c, r in checks if c.kind is Kind.CHECKABLE and r.met is False
    )
    if outcome is Outcome.LIKELY:
        text = "alle prüfbaren Voraussetzungen erfüllt – voraussichtlich erfüllt"
    elif outcome is Outcome.UNLIKELY and met_from is not None and only_time and not unknown:
        text = f"voraussichtlich erfüllt ab {de(met_from)}, wenn sich sonst nichts ändert"
    elif outcome is Outcome.UNLIKELY:
        text = "nicht erfüllt: " + "; ".join(failing)
        if met_from is not None:
            text += f". Die Zeitvoraussetzung ist ab {de(met_from)} erfüllt"
    elif unknown:
        text = "unklar, Angaben fehlen zu: " + "; ".join(unknown)
    else:
        text = "prüfbare Voraussetzungen erfüllt, aber eine Ermessensvoraussetzung spricht dagegen"
    parts = [
        f"{version.norm}: {text}.",
        *notes,
        "Unverbindliche Einschätzung; die Behörde entscheidet.",
    ]
    return " ".join(parts)


def evaluate(
    facts: PersonFacts, decision_date: dt.date, versions: Sequence[RuleVersionData]
) -> list[RuleResult]:
    """One result per rule (all five rules, in a fixed order), judged by the law in force on
    ``decision_date``."""
    return Rulebook(versions).evaluate(facts, decision_date)


def evaluate_many(
    persons: Iterable[PersonFacts], decision_date: dt.date, versions: Sequence[RuleVersionData]
) -> list[tuple[PersonFacts, list[RuleResult]]]:
    """``evaluate`` for a batch: the versions are compiled once."""
    book = Rulebook(versions)
    return [(facts, book.evaluate(facts, decision_date)) for facts in persons]
