"""The integration plan (phase 3): goals and measures under optimistic locking on
``Case.plan_version`` – every plan change increases it, and a change based on an older version
raises ``EditConflict`` (kim.core.locking) – its agreement with the client, and its revision
from monitoring.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kim.audit.models import EventType
from kim.audit.record import record
from kim.cases.actions.lifecycle import change_phase, check_day, require_phase
from kim.cases.models import FINAL_GOAL_STATUSES, Case, Goal, LifeArea, Measure, Phase
from kim.core.locking import EditConflict
from kim.core.models import Actor
from kim.organisations.models import Organisation

GOAL_FIELDS = ("life_area", "description", "due_on", "responsible_organisation")
GOAL_LABELS = {
    "life_area": gettext_lazy("Life area"),
    "description": gettext_lazy("Goal"),
    "due_on": gettext_lazy("Due on"),
    "responsible_organisation": gettext_lazy("Responsible organisation"),
}


def _lock_plan(
    case: Case, expected: int | None, *, shown: Goal | None = None, fields: Sequence[str] = ()
) -> None:
    """Lock the case row; refuse when the plan moved on since the form was loaded."""
    current = Case.objects.select_for_update().get(pk=case.pk)
    if expected is not None and current.plan_version != expected:
        if shown is not None:
            shown = Goal.objects.select_related("life_area", "responsible_organisation").get(
                pk=shown.pk
            )
        raise EditConflict(
            shown or current,
            fields or ("plan_version",),
            {k: str(v) for k, v in GOAL_LABELS.items()},
        )
    case.plan_version = current.plan_version


def _plan_changed(case: Case, *, acting_user: Actor, what: str) -> None:
    case.plan_version += 1
    case.save(update_fields=["plan_version", "modified"])
    record(
        EventType.PLAN_CHANGED,
        actor=acting_user,
        subject=case,
        organisation=case.organisation,
        extra={"change": what, "plan_version": case.plan_version},
    )


def _check_goal_input(case: Case, life_area: LifeArea, description: str, due_on: dt.date) -> None:
    if not description.strip():
        raise ValidationError({"description": _("Describe the goal.")})
    if not life_area.is_valid_on(timezone.localdate()):
        raise ValidationError({"life_area": _("This life area is no longer in use.")})
    if due_on < case.referred_on:
        raise ValidationError({"due_on": _("The due date lies before the referral.")})


@transaction.atomic
def add_goal(
    case: Case,
    *,
    acting_user: Actor,
    life_area: LifeArea,
    description: str,
    due_on: dt.date,
    responsible_organisation: Organisation | None = None,
    expected_plan_version: int | None = None,
) -> Goal:
    require_phase(case, (Phase.PLANNING,), "plan")
    _check_goal_input(case, life_area, description, due_on)
    _lock_plan(case, expected_plan_version)
    goal = Goal.objects.create(
        case=case,
        life_area=life_area,
        description=description.strip(),
        due_on=due_on,
        responsible_organisation=responsible_organisation,
        position=Goal.objects.filter(case=case).count() + 1,
    )
    _plan_changed(case, acting_user=acting_user, what="goal_added")
    return goal


@transaction.atomic
def update_goal(
    goal: Goal,
    *,
    acting_user: Actor,
    expected_plan_version: int,
    life_area: LifeArea,
    description: str,
    due_on: dt.date,
    responsible_organisation: Organisation | None = None,
) -> Goal:
    """Change a goal; ``EditConflict`` (showing the saved goal) when the plan moved on."""
    case = goal.case
    require_phase(case, (Phase.PLANNING,), "plan")
    _check_goal_input(case, life_area, description, due_on)
    _lock_plan(case, expected_plan_version, shown=goal, fields=GOAL_FIELDS)
    goal.life_area, goal.description, goal.due_on = life_area, description.strip(), due_on
    goal.responsible_organisation = responsible_organisation
    goal.save()
    _plan_changed(case, acting_user=acting_user, what="goal_changed")
    return goal


@transaction.atomic
def add_measure(
    goal: Goal,
    *,
    acting_user: Actor,
    description: str,
    responsible_organisation: Organisation | None = None,
    due_on: dt.date | None = None,
    expected_plan_version: int | None = None,
) -> Measure:
    case = goal.case
    require_phase(case, (Phase.PLANNING,), "plan")
    if not description.strip():
        raise ValidationError({"description": _("Describe the measure.")})
    if due_on is not None and due_on < case.referred_on:
        raise ValidationError({"due_on": _("The due date lies before the referral.")})
    _lock_plan(case, expected_plan_version)
    measure = Measure.objects.create(
        goal=goal,
        description=description.strip(),
        responsible_organisation=responsible_organisation,
        due_on=due_on,
    )
    _plan_changed(case, acting_user=acting_user, what="measure_added")
    return measure


@transaction.atomic
def agree_plan(
    case: Case, *, acting_user: Actor, agreed_on: dt.date, expected_plan_version: int
) -> Case:
    """Planning → linking: the client agreed to the plan version they were shown."""
    require_phase(case, (Phase.PLANNING,), "agree_plan")
    check_day(agreed_on, case, "agreed_on")
    _lock_plan(case, expected_plan_version)
    goals = list(Goal.objects.filter(case=case).exclude(status__in=FINAL_GOAL_STATUSES))
    if not goals:
        raise ValidationError(_("Add at least one goal before the plan is agreed."))
    if any(g.due_on <= agreed_on for g in goals):
        raise ValidationError(
            {"agreed_on": _("Every open goal must be due after the day the plan is agreed.")}
        )
    case.plan_agreed_on = agreed_on
    change_phase(case, Phase.LINKING, acting_user=acting_user, day=agreed_on)
    record(
        EventType.PLAN_AGREED,
        actor=acting_user,
        subject=case,
        organisation=case.organisation,
        extra={"plan_version": case.plan_version, "goals": len(goals)},
    )
    return case


@transaction.atomic
def revise_plan(case: Case, *, acting_user: Actor, day: dt.date | None = None) -> Case:
    """Monitoring → planning: a new plan version that must be agreed again."""
    require_phase(case, (Phase.MONITORING,), "revise_plan")
    case.plan_agreed_on = None
    _plan_changed(case, acting_user=acting_user, what="revision")
    change_phase(case, Phase.PLANNING, acting_user=acting_user, day=day or timezone.localdate())
    return case
