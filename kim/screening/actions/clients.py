"""Screening a case manager's own client (with the person's consent for that purpose).

The results are shown, never stored: the audit event names the case, the decision date and
each rule's outcome, not a single fact about the person.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kim.audit.models import EventType
from kim.audit.record import record
from kim.cases.models import Case
from kim.core.models import Actor
from kim.screening.clients import active_screening_consent
from kim.screening.engine import evaluate
from kim.screening.facts import PersonFacts
from kim.screening.results import RuleResult
from kim.screening.rulebook import database_versions


@transaction.atomic
def screen_client(
    case: Case,
    *,
    acting_user: Actor,
    facts: PersonFacts,
    decision_date: dt.date,
    given: tuple[str, ...] = (),
) -> list[RuleResult]:
    """Evaluate every rule for the client on ``decision_date``. Refused without an active
    screening consent today. ``given`` names the facts the case manager added (names only)."""
    consent = active_screening_consent(case, timezone.localdate())
    if consent is None:
        raise ValidationError(
            _(
                "The person's consent is missing for a screening of their residence "
                "prospects (purpose: Baustein-3 screening)."
            )
        )
    results = evaluate(facts, decision_date, database_versions())
    record(
        EventType.SCREENING_CASE_RUN,
        actor=acting_user,
        subject=case,
        organisation=case.organisation,
        extra={
            "decision_date": decision_date.isoformat(),
            "outcomes": {r.rule: r.outcome.value for r in results},
            "consent": consent.code,
            "facts_added": sorted(given),
        },
    )
    return results
