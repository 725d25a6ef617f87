"""Read side of the case-file page and of the lifecycle forms (choices, one goal)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from kim.accounts.access import UserContext
from kim.accounts.models import Membership, Role
from kim.cases.access import (
    can_assign_case,
    can_close_case,
    can_edit_case,
    can_read_confidential,
    case_role,
    visible_activities,
)
from kim.cases.actions.lifecycle import CLOSABLE_PHASES
from kim.cases.models import (
    AssessmentEntry,
    Case,
    CaseDocument,
    Goal,
    LifeArea,
    Measure,
    Phase,
    PhaseChange,
    TargetGroupCriterion,
)
from kim.organisations.models import Organisation

ACTIVITIES_SHOWN = 100


@dataclass(frozen=True)
class PhaseStep:
    phase: str
    label: str
    state: str  # "done", "current" or "upcoming"


def phase_steps(case: Case) -> list[PhaseStep]:
    """All phases in order with the current one marked (a revision moves back to planning)."""
    phases = list(Phase)
    current = phases.index(Phase(case.phase))
    return [
        PhaseStep(
            p.value,
            str(p.label),
            "current" if i == current else ("done" if i < current else "upcoming"),
        )
        for i, p in enumerate(phases)
    ]


def goals_of(case: Case) -> QuerySet[Goal]:
    measures = Measure.objects.select_related("responsible_organisation")
    return (
        Goal.objects.filter(case=case)
        .select_related("life_area", "responsible_organisation")
        .prefetch_related(Prefetch("measures", queryset=measures))
    )


def get_goal(case: Case, code: str) -> Goal:
    """A goal of a case already loaded through ``access.get_case_for_user``, or 404."""
    goal = goals_of(case).filter(code=code).first()
    if goal is None:
        raise Http404("No such goal")
    goal.case = case
    return goal


def casefile_context(ctx: UserContext, case: Case) -> dict[str, Any]:
    """What the case-file page shows of the lifecycle, activities and documents; the number of
    queries does not grow with goals, activities or documents."""
    activities = visible_activities(ctx, case).select_related("author")
    return {
        "case_role": case_role(ctx, case),
        "may_edit": can_edit_case(ctx, case),
        "may_close": can_close_case(ctx, case),
        "closable": case.phase in CLOSABLE_PHASES,
        "may_assign": can_assign_case(ctx, case) and not case.is_closed,
        "may_read_confidential": can_read_confidential(ctx, case),
        "steps": phase_steps(case),
        "phase_changes": list(
            PhaseChange.objects.filter(case=case).select_related("changed_by").order_by("id")
        ),
        "deputies": list(case.deputies.order_by("last_name", "username")),
        "triage_criteria": list(case.triage_criteria.all()),
        "assessment": list(AssessmentEntry.objects.filter(case=case).select_related("life_area")),
        "goals": list(goals_of(case)),
        "activities": list(activities[:ACTIVITIES_SHOWN]),
        "documents": list(
            CaseDocument.objects.filter(case=case)
            .select_related("uploaded_by")
            .order_by("-uploaded_at", "-id")
        ),
        "referral_organisation": case.referral_organisation,
        "handed_to": case.handed_to,
    }


# --- choices for the forms ----------------------------------------------------------------


def life_areas_on(day: dt.date) -> QuerySet[LifeArea]:
    return LifeArea.objects.filter(valid_from__lte=day).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )


def assessment_entries(case: Case) -> dict[int, AssessmentEntry]:
    return {e.life_area_id: e for e in AssessmentEntry.objects.filter(case=case)}


def triage_criteria_on(case: Case, day: dt.date) -> QuerySet[TargetGroupCriterion]:
    """The target-group criteria of the case's Kreis valid on ``day``."""
    return TargetGroupCriterion.objects.filter(
        region_id=case.organisation.region_id_or_self, valid_from__lte=day
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))


def partner_organisations(case: Case) -> QuerySet[Organisation]:
    """Organisations of the case's Kreis (regular services, agencies, authorities)."""
    region_id = case.organisation.region_id_or_self
    return Organisation.objects.filter(Q(region_id=region_id) | Q(pk=region_id)).order_by("name")


def case_managers_of(case: Case) -> QuerySet[User]:
    """Users holding the case-manager role in the case's organisation."""
    ids = (
        Membership.objects.active()
        .filter(organisation_id=case.organisation_id, role=Role.CASE_MANAGER)
        .values("user_id")
    )
    return User.objects.filter(pk__in=ids, is_active=True).order_by("last_name", "username")
