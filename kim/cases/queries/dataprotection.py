"""The data-protection box of the case page (exports, erasure, legal hold, retention outlook),
and the read side of the cases API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.utils import timezone

from kim.accounts.access import UserContext
from kim.cases.access import (
    can_erase_person,
    can_export_case,
    can_set_legal_hold,
    cases_for_user,
)
from kim.cases.models import (
    Case,
    Consent,
    Goal,
    PhaseChange,
    Referral,
    RetentionAction,
    RetentionTarget,
)
from kim.cases.retention import add_months, rule_on


@dataclass(frozen=True)
class DataProtectionBox:
    case: Case
    may_export: bool
    may_erase: bool
    may_set_legal_hold: bool
    legal_hold: bool
    legal_hold_reason: str
    # When the case-file rule will act on this closed case, and how (anonymise or delete).
    retention_due_on: dt.date | None
    retention_anonymises: bool


def _retention_outlook(case: Case, today: dt.date) -> tuple[dt.date | None, bool]:
    if case.closed_on is None or case.anonymised_at is not None:
        return None, True
    rule = rule_on(RetentionTarget.CASE_FILE, today)
    if rule is None:
        return None, True
    return add_months(case.closed_on, rule.months), rule.action == RetentionAction.ANONYMISE


def dataprotection_context(ctx: UserContext, case: Case) -> dict[str, Any]:
    """What the case-file page shows of this concern (template ``cases/_dataprotection.html``).

    One query (the retention rules), only for closed cases."""
    held = case.legal_hold or case.person.legal_hold
    due_on, anonymises = _retention_outlook(case, timezone.localdate())
    box = DataProtectionBox(
        case=case,
        may_export=can_export_case(ctx, case),
        may_erase=can_erase_person(ctx, case),
        may_set_legal_hold=can_set_legal_hold(ctx, case),
        legal_hold=held,
        legal_hold_reason=case.legal_hold_reason,
        retention_due_on=None if held else due_on,
        retention_anonymises=anonymises,
    )
    return {"dataprotection": box}


# --- read side of the cases API (``kim.cases.api``) -----------------------------------------


def case_api_list(ctx: UserContext, phase: str = "") -> QuerySet[Case]:
    """The visible cases with what a list item shows, in one query per page."""
    cases = cases_for_user(ctx).select_related("person", "organisation", "responsible")
    if phase:
        cases = cases.filter(phase=phase)
    return cases.order_by("-referred_on", "-id")


def case_api_detail(case: Case) -> tuple[Case, list[Consent]]:
    """A case loaded through ``get_case_for_user`` with its goals, referrals and phase history
    prefetched, and the person's consents."""
    prefetch_related_objects(
        [case],
        Prefetch("goals", queryset=Goal.objects.order_by("position", "id")),
        Prefetch(
            "referrals",
            queryset=Referral.objects.select_related("recipient", "service").order_by(
                "-sent_on", "id"
            ),
        ),
        Prefetch("phase_changes", queryset=PhaseChange.objects.order_by("changed_at", "id")),
    )
    consents = Consent.objects.filter(person_id=case.person_id).select_related("recipient")
    return case, list(consents.order_by("-given_on", "id"))
