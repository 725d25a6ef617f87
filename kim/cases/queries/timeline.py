"""Read side of the legal-sphere timeline: what the case-file page shows, and task lookup."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404
from django.utils import timezone

from kim.accounts.access import UserContext
from kim.cases.access import can_edit_case
from kim.cases.models import BenefitPeriod, Case, ResidencePeriod, Task
from kim.cases.queries.persons import household_links
from kim.cases.queries.worklists import DEFAULT_NOTICE_DAYS, caseload_rule

DONE_TASKS_SHOWN = 20


def _mark_ending(periods: list[Any], today: dt.date, notice_days: int) -> None:
    """``days_left`` on periods ending within the notice period (None otherwise)."""
    for p in periods:
        days = (p.valid_until - today).days if p.valid_until else None
        p.days_left = days if days is not None and 0 <= days <= notice_days else None


def timeline_context(ctx: UserContext, case: Case) -> dict[str, Any]:
    """What the case-file page shows of this concern (template `cases/_timeline.html`).

    ``case`` comes from ``get_case_for_user``; six queries.
    """
    today = timezone.localdate()
    rule = caseload_rule(case.organisation_id, today)
    notice = rule.transition_notice_days if rule else DEFAULT_NOTICE_DAYS
    residence = list(
        ResidencePeriod.objects.filter(person_id=case.person_id)
        .select_related("authority")
        .order_by("-valid_from", "-id")
    )
    benefits = list(
        BenefitPeriod.objects.filter(person_id=case.person_id)
        .select_related("authority")
        .order_by("-valid_from", "-id")
    )
    _mark_ending(residence, today, notice)
    _mark_ending(benefits, today, notice)
    tasks = Task.objects.filter(case=case)
    open_tasks = list(tasks.filter(done_on__isnull=True).order_by("due_on", "id"))
    for t in open_tasks:
        t.overdue = t.due_on < today  # type: ignore[attr-defined]
    return {
        "timeline_case": case,
        "residence_periods": residence,
        "benefit_periods": benefits,
        "household": household_links(case.person),
        "open_tasks": open_tasks,
        "done_tasks": list(
            tasks.filter(done_on__isnull=False).order_by("-done_on", "-id")[:DONE_TASKS_SHOWN]
        ),
        "may_edit_timeline": can_edit_case(ctx, case),
        "notice_days": notice,
    }


def get_task_of_case(case: Case, code: str) -> Task:
    """A task of a case the caller already obtained through ``get_case_for_user``."""
    task = Task.objects.filter(case=case, code=code).first()
    if task is None:
        raise Http404("No such task")
    return task
