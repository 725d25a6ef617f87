"""Retention as code: which rows the dated ``RetentionRule`` rows make due on a given day.

Each target has its own clock (the day from which its months are counted):

- ``case_file``: a closed case from ``Case.closed_on``. Due only when *every* case of the person
  is closed that long (the person is anonymised together with the case file).
- ``activities`` and ``documents``: the rows of a closed case, from ``Case.closed_on``.
- ``consents``: a revoked or expired consent, from the earlier of revocation and expiry; only
  when the person has no open case, and never a consent a disclosure rests on (those are proof
  of the disclosure and go with the case file, see ``kim.cases.actions.dataprotection``).
- ``waiting_list``: a case still in phase access on the waiting list, from ``referred_on``
  (deleted; the person too when they have no other case).

A legal hold (``Case.legal_hold`` or ``Person.legal_hold``) takes the case, and for the
person-wide targets (case file, consents) the person, out of every rule.

``plan_retention`` only reads; ``run_retention`` applies each item in its own transaction with
its audit event and writes one summary event. A dry run returns the same plan and writes
nothing. Items name target, action, the row's code and the clock's start, never a name.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, Func, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from kim.cases.models import (
    Activity,
    Case,
    CaseDocument,
    Consent,
    Disclosure,
    InterpreterBooking,
    Phase,
    RetentionRule,
    RetentionTarget,
)
from kim.core.models import Actor

ORDER = [
    RetentionTarget.ACTIVITIES,
    RetentionTarget.DOCUMENTS,
    RetentionTarget.CONSENTS,
    RetentionTarget.CASE_FILE,
    RetentionTarget.WAITING_LIST,
]


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months (31.01. + 1 → 28./29.02.); negative goes back."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


@dataclass(frozen=True)
class RetentionItem:
    target: str
    action: str
    code: str
    clock_started: dt.date
    rule_id: int
    months: int

    def line(self) -> str:
        """One log line: no names, only what, how, which row and since when."""
        return (
            f"{self.target} {self.action} {self.code} "
            f"(clock {self.clock_started.isoformat()}, rule {self.rule_id}: {self.months} months)"
        )


@dataclass(frozen=True)
class RetentionResult:
    items: list[RetentionItem]
    applied: int
    dry_run: bool

    @property
    def counts(self) -> dict[str, int]:
        """Items per ``target:action``, sorted by key."""
        counted = Counter(f"{i.target}:{i.action}" for i in self.items)
        return dict(sorted(counted.items()))


def rules_on(today: dt.date) -> dict[str, RetentionRule]:
    """The rule valid on ``today`` per target (the latest ``valid_from`` wins)."""
    rules: dict[str, RetentionRule] = {}
    valid = RetentionRule.objects.filter(valid_from__lte=today).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=today)
    )
    for rule in valid.order_by("target", "-valid_from", "-id"):
        rules.setdefault(rule.target, rule)
    return rules


def rule_on(target: str, today: dt.date) -> RetentionRule | None:
    return rules_on(today).get(target)


def _held() -> Q:
    """Cases under a legal hold, their own or their person's."""
    return Q(legal_hold=True) | Q(person__legal_hold=True)


def _person_blocked(cutoff: dt.date) -> Exists:
    """The case's person has a case that is open, closed after ``cutoff`` or under a hold."""
    blocking = (
        Case.objects.filter(person_id=OuterRef("person_id"))
        .filter(~Q(phase=Phase.CLOSED) | Q(closed_on__gt=cutoff) | Q(legal_hold=True))
        .values("pk")
    )
    return Exists(blocking)


def _closed_before(cutoff: dt.date) -> QuerySet[Case]:
    return Case.objects.filter(phase=Phase.CLOSED, closed_on__lte=cutoff).exclude(_held())


def _due_case_files(cutoff: dt.date) -> QuerySet[Case]:
    return (
        _closed_before(cutoff)
        .filter(anonymised_at__isnull=True)
        .exclude(_person_blocked(cutoff))
        .order_by("closed_on", "id")
    )


def _plan_case_file(cutoff: dt.date) -> list[tuple[str, dt.date]]:
    cases = _due_case_files(cutoff).values_list("code", "closed_on")
    return [(code, closed) for code, closed in cases if closed]


def _due_case_rows(
    model: type[Activity] | type[CaseDocument], cutoff: dt.date
) -> QuerySet[Activity] | QuerySet[CaseDocument]:
    return model.objects.filter(case__in=_closed_before(cutoff)).order_by(
        "case__closed_on", "case_id", "id"
    )


def _plan_case_rows(
    model: type[Activity] | type[CaseDocument], cutoff: dt.date
) -> list[tuple[str, dt.date]]:
    rows = _due_case_rows(model, cutoff).values_list("code", "case__closed_on")
    return [(code, closed) for code, closed in rows if closed]


def _plan_activities(cutoff: dt.date) -> list[tuple[str, dt.date]]:
    return _plan_case_rows(Activity, cutoff)


def _plan_documents(cutoff: dt.date) -> list[tuple[str, dt.date]]:
    return _plan_case_rows(CaseDocument, cutoff)


def _due_consents(cutoff: dt.date) -> QuerySet[Consent]:
    open_or_held = Case.objects.filter(person_id=OuterRef("person_id")).filter(
        ~Q(phase=Phase.CLOSED) | Q(legal_hold=True)
    )
    return (
        Consent.objects.filter(Q(revoked_at__date__lte=cutoff) | Q(valid_until__lte=cutoff))
        .exclude(person__legal_hold=True)
        .exclude(Exists(open_or_held.values("pk")))
        .exclude(Exists(Disclosure.objects.filter(consent_id=OuterRef("pk")).values("pk")))
        .exclude(Exists(InterpreterBooking.objects.filter(consent_id=OuterRef("pk")).values("pk")))
        .order_by("id")
    )


def _plan_consents(cutoff: dt.date) -> list[tuple[str, dt.date]]:
    items = []
    for consent in _due_consents(cutoff).only("code", "revoked_at", "valid_until"):
        ends = [d for d in (consent.valid_until, _revoked_on(consent)) if d is not None]
        items.append((consent.code, min(ends)))
    return sorted(items, key=lambda item: (item[1], item[0]))


def _revoked_on(consent: Consent) -> dt.date | None:
    from django.utils import timezone

    return timezone.localdate(consent.revoked_at) if consent.revoked_at else None


def _due_waiting_list(cutoff: dt.date) -> QuerySet[Case]:
    return (
        Case.objects.filter(phase=Phase.ACCESS, on_waiting_list=True, referred_on__lte=cutoff)
        .exclude(_held())
        .order_by("referred_on", "id")
    )


def _plan_waiting_list(cutoff: dt.date) -> list[tuple[str, dt.date]]:
    return list(_due_waiting_list(cutoff).values_list("code", "referred_on"))


PLANNERS: dict[str, Callable[[dt.date], list[tuple[str, dt.date]]]] = {
    RetentionTarget.CASE_FILE: _plan_case_file,
    RetentionTarget.ACTIVITIES: _plan_activities,
    RetentionTarget.DOCUMENTS: _plan_documents,
    RetentionTarget.CONSENTS: _plan_consents,
    RetentionTarget.WAITING_LIST: _plan_waiting_list,
}
# The rows each planner lists, as a queryset: ``count_due`` counts them without loading them.
DUE: dict[str, Callable[[dt.date], QuerySet[Any]]] = {
    RetentionTarget.CASE_FILE: _due_case_files,
    RetentionTarget.ACTIVITIES: lambda cutoff: _due_case_rows(Activity, cutoff),
    RetentionTarget.DOCUMENTS: lambda cutoff: _due_case_rows(CaseDocument, cutoff),
    RetentionTarget.CONSENTS: _due_consents,
    RetentionTarget.WAITING_LIST: _due_waiting_list,
}


def _count(qs: QuerySet[Any]) -> Coalesce:
    """``(SELECT COUNT(id) FROM …)`` as an expression; 0 for no rows."""
    counted = qs.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted), 0)


def count_due(today: dt.date) -> dict[str, int]:
    """What ``plan_retention(today)`` would list, counted per ``target:action`` (the keys of
    ``RetentionResult.counts``, only those with items) in two queries: the rules, then one
    row of counts. For the data-protection officer's start page."""
    rules = rules_on(today)
    if not rules:
        return {}
    counts = {
        f"{target}:{rule.action}": _count(DUE[target](add_months(today, -rule.months)))
        for target, rule in rules.items()
        if target in DUE
    }
    aliases = {f"due_{i}": expression for i, expression in enumerate(counts.values())}
    one_rule = RetentionRule.objects.filter(pk=next(iter(rules.values())).pk)
    row: dict[str, Any] = dict(one_rule.values(**aliases).get())
    found = zip(counts, (int(row[alias]) for alias in aliases), strict=True)
    return dict(sorted((key, n) for key, n in found if n))


def plan_retention(today: dt.date) -> list[RetentionItem]:
    """Every row due on ``today`` under the rules valid that day, in the order they are applied
    (activities, documents, consents, case files, waiting list). Reads only."""
    rules = rules_on(today)
    items: list[RetentionItem] = []
    for target in ORDER:
        rule = rules.get(target)
        if rule is None:
            continue
        cutoff = add_months(today, -rule.months)
        items.extend(
            RetentionItem(target, rule.action, code, clock, rule.pk, rule.months)
            for code, clock in PLANNERS[target](cutoff)
        )
    return items


def run_retention(today: dt.date, dry_run: bool, *, acting_user: Actor = None) -> RetentionResult:
    """Plan, and unless ``dry_run`` apply each item (own transaction, own audit event) and
    record one ``RETENTION_RUN`` event with the counts per target and action."""
    from kim.cases.actions.dataprotection import apply_retention_item, record_retention_run

    items = plan_retention(today)
    if dry_run:
        return RetentionResult(items, 0, True)
    applied = sum(apply_retention_item(item, acting_user=acting_user) for item in items)
    result = RetentionResult(items, applied, False)
    record_retention_run(
        acting_user=acting_user, today=today, counts=result.counts, applied=applied
    )
    return result
