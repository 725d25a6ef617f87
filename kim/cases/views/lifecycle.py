"""The phase transitions of a case, one URL and view per action (POST), with GET form pages.
Every page works without JavaScript; refused transitions show the action's German message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kim.accounts.access import user_context
from kim.cases.access import CaseRole, case_role
from kim.cases.actions import lifecycle as actions
from kim.cases.actions import plan
from kim.cases.forms import lifecycle as f
from kim.cases.models import Case
from kim.cases.queries import casefile as q
from kim.cases.views.casefile import assignable_case, closable_case, editable_case
from kim.core.forms import add_action_errors
from kim.core.locking import EditConflict

GET_POST = require_http_methods(["GET", "POST"])


def step_page(
    request: HttpRequest,
    case: Case,
    form: forms.Form,
    run: Callable[[dict[str, Any]], object],
    *,
    title: str,
    done: str,
    template: str = "cases/case_step.html",
) -> HttpResponse:
    """GET: the form page. POST: validate, run the action, back to the case file."""
    if request.method == "POST" and form.is_valid():
        try:
            run(form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("cases:case_detail", code=case.code)
    context = {"case": case, "form": form, "title": title}
    context["cancel_url"] = reverse("cases:case_detail", args=[case.code])
    return render(request, template, context)


def _post_only(
    request: HttpRequest, case: Case, run: Callable[[], object], done: str
) -> HttpResponse:
    try:
        run()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("cases:case_detail", code=case.code)


# --- access and intake ---------------------------------------------------------------------


@login_required
@GET_POST
def referral_edit(request: HttpRequest, code: str) -> HttpResponse:
    case = editable_case(request, code)
    initial = {
        "version": case.version,
        "referral_source": case.referral_source,
        "referral_organisation": case.referral_organisation_id,
        "referred_on": case.referred_on,
    }
    form = f.ReferralForm(
        request.POST or None, initial=initial, organisations=q.partner_organisations(case)
    )
    conflict_rows = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            actions.update_referral(
                case, acting_user=request.user, expected_version=data.pop("version"), **data
            )
        except EditConflict as exc:
            add_action_errors(form, exc)
            conflict_rows = exc.rows(data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The referral data have been saved."))
            return redirect("cases:case_detail", code=case.code)
    return render(
        request,
        "cases/case_step.html",
        {
            "case": case,
            "form": form,
            "title": _("Change the referral data"),
            "conflict_rows": conflict_rows,
            "cancel_url": reverse("cases:case_detail", args=[case.code]),
        },
    )


@login_required
@GET_POST
def triage(request: HttpRequest, code: str) -> HttpResponse:
    case = editable_case(request, code)
    form = f.TriageForm(
        request.POST or None,
        criteria=q.triage_criteria_on(case, timezone.localdate()),
        initial={
            "criteria": [c.pk for c in case.triage_criteria.all()],
            "on_waiting_list": case.on_waiting_list,
        },
    )
    return step_page(
        request,
        case,
        form,
        lambda d: actions.triage_case(case, acting_user=request.user, **d),
        title=_("Triage the waiting list entry"),
        done=_("The triage has been recorded."),
    )


@login_required
@require_POST
def intake_start(request: HttpRequest, code: str) -> HttpResponse:
    case = editable_case(request, code)
    run = lambda: actions.start_intake(case, acting_user=request.user)  # noqa: E731
    return _post_only(request, case, run, _("The intake has started."))


@login_required
@GET_POST
def indication(request: HttpRequest, code: str) -> HttpResponse:
    case = editable_case(request, code)
    form = f.IndicationForm(
        request.POST or None,
        organisations=q.partner_organisations(case),
        initial={"decided_on": timezone.localdate()},
    )
    return step_page(
        request,
        case,
        form,
        lambda d: actions.decide_indication(case, acting_user=request.user, **d),
        title=_("Decide on the indication"),
        done=_("The indication has been recorded."),
    )


# --- assessment ----------------------------------------------------------------------------


@login_required
@GET_POST
def assessment(request: HttpRequest, code: str) -> HttpResponse:
    case = editable_case(request, code)
    today = timezone.localdate()
    form = f.AssessmentForm(
        request.POST or None,
        life_areas=q.life_areas_on(today),
        entries=q.assessment_entries(case),
        initial={"assessed_on": today},
    )

    def run(data: dict[str, Any]) -> object:
        return actions.record_assessment(
            case, acting_user=request.user, entries=form.entries(), assessed_on=data["assessed_on"]
        )

    return step_page(
        request,
        case,
        form,
        run,
        title=_("Assessment of needs and resources"),
        done=_("The assessment has been saved."),
        template="cases/assessment_form.html",
    )


@login_required
@require_POST
def assessment_finish(request: HttpRequest, code: str) -> HttpResponse:
    case = editable_case(request, code)
    run = lambda: actions.finish_assessment(case, acting_user=request.user)  # noqa: E731
    return _post_only(request, case, run, _("The assessment is finished; plan the goals now."))


# --- integration plan ----------------------------------------------------------------------


@login_required
@GET_POST
def goal_add(request: HttpRequest, code: str) -> HttpResponse:
    case = editable_case(request, code)
    form = f.GoalForm(
        request.POST or None,
        life_areas=q.life_areas_on(timezone.localdate()),
        organisations=q.partner_organisations(case),
        initial={"plan_version": case.plan_version},
    )

    def run(data: dict[str, Any]) -> object:
        data = dict(data)
        version = data.pop("plan_version")
        return plan.add_goal(case, acting_user=request.user, expected_plan_version=version, **data)

    return step_page(
        request, case, form, run, title=_("Add a goal"), done=_("The goal has been added.")
    )


@login_required
@GET_POST
def goal_edit(request: HttpRequest, code: str, goal: str) -> HttpResponse:
    case = editable_case(request, code)
    the_goal = q.get_goal(case, goal)
    form = f.GoalForm(
        request.POST or None,
        life_areas=q.life_areas_on(timezone.localdate()),
        organisations=q.partner_organisations(case),
        initial={
            "plan_version": case.plan_version,
            "life_area": the_goal.life_area_id,
            "description": the_goal.description,
            "due_on": the_goal.due_on,
            "responsible_organisation": the_goal.responsible_organisation_id,
        },
    )
    conflict_rows = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("plan_version")
        try:
            plan.update_goal(
                the_goal, acting_user=request.user, expected_plan_version=version, **data
            )
        except EditConflict as exc:
            add_action_errors(form, exc)
            conflict_rows = exc.rows(data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The goal has been saved."))
            return redirect("cases:case_detail", code=case.code)
    return render(
        request,
        "cases/plan_goal_form.html",
        {"case": case, "goal": the_goal, "form": form, "conflict_rows": conflict_rows},
    )


@login_required
@GET_POST
def measure_add(request: HttpRequest, code: str, goal: str) -> HttpResponse:
    case = editable_case(request, code)
    the_goal = q.get_goal(case, goal)
    form = f.MeasureForm(
        request.POST or None,
        organisations=q.partner_organisations(case),
        initial={"plan_version": case.plan_version},
    )

    def run(data: dict[str, Any]) -> object:
        data = dict(data)
        version = data.pop("plan_version")
        return plan.add_measure(
            the_goal, acting_user=request.user, expected_plan_version=version, **data
        )

    return step_page(
        request,
        case,
        form,
        run,
        title=_("Add a measure to the goal"),
        done=_("The measure has been added."),
    )


@login_required
@GET_POST
def plan_agree(request: HttpRequest, code: str) -> HttpResponse:
    case = editable_case(request, code)
    form = f.AgreePlanForm(
        request.POST or None,
        initial={"plan_version": case.plan_version, "agreed_on": timezone.localdate()},
    )

    def run(data: dict[str, Any]) -> object:
        return plan.agree_plan(
            case,
            acting_user=request.user,
            agreed_on=data["agreed_on"],
            expected_plan_version=data["plan_version"],
        )

    return step_page(
        request,
        case,
        form,
        run,
        title=_("Record the client's agreement to the plan"),
        done=_("The integration plan has been agreed."),
    )


@login_required
@require_POST
def plan_revise(request: HttpRequest, code: str) -> HttpResponse:
    case = editable_case(request, code)
    run = lambda: plan.revise_plan(case, acting_user=request.user)  # noqa: E731
    return _post_only(request, case, run, _("A new version of the plan can be edited now."))


# --- linking and monitoring ----------------------------------------------------------------


@login_required
@GET_POST
def monitoring_start(request: HttpRequest, code: str) -> HttpResponse:
    case = editable_case(request, code)
    form = f.StartMonitoringForm(request.POST or None)
    return step_page(
        request,
        case,
        form,
        lambda d: actions.start_monitoring(case, acting_user=request.user, **d),
        title=_("Start the monitoring"),
        done=_("The monitoring has started."),
    )


@login_required
@GET_POST
def review(request: HttpRequest, code: str) -> HttpResponse:
    case = editable_case(request, code)
    form = f.ReviewForm(
        request.POST or None,
        goals=q.goals_of(case),
        initial={"reviewed_on": timezone.localdate()},
    )

    def run(data: dict[str, Any]) -> object:
        return actions.record_review(
            case,
            acting_user=request.user,
            reviewed_on=data["reviewed_on"],
            next_review_on=data["next_review_on"],
            goal_statuses=form.goal_statuses(),
        )

    return step_page(
        request, case, form, run, title=_("Record a review"), done=_("The review has been saved.")
    )


@login_required
@require_POST
def linking_resume(request: HttpRequest, code: str) -> HttpResponse:
    case = editable_case(request, code)
    run = lambda: actions.resume_linking(case, acting_user=request.user)  # noqa: E731
    return _post_only(request, case, run, _("The case is back in the linking phase."))


# --- closing and assignment ----------------------------------------------------------------


@login_required
@GET_POST
def close(request: HttpRequest, code: str) -> HttpResponse:
    case = closable_case(request, code)
    form = f.CloseForm(
        request.POST or None,
        goals=q.goals_of(case),
        organisations=q.partner_organisations(case),
        initial={"closed_on": timezone.localdate()},
    )

    def run(data: dict[str, Any]) -> object:
        return actions.close_case(
            case,
            acting_user=request.user,
            reason=data["reason"],
            closed_on=data["closed_on"],
            attainment=form.attainment(),
            handed_to=data["handed_to"],
            note=data["note"],
        )

    return step_page(
        request, case, form, run, title=_("Close the case"), done=_("The case has been closed.")
    )


@login_required
@GET_POST
def assign(request: HttpRequest, code: str) -> HttpResponse:
    """Team leads change the responsible case manager; the responsible one names deputies."""
    case = assignable_case(request, code)
    form = f.AssignForm(
        request.POST or None,
        case_managers=q.case_managers_of(case),
        may_change_responsible=case_role(user_context(request), case) == CaseRole.TEAM_LEAD,
        initial={"responsible": case.responsible_id, "deputies": list(case.deputy_ids)},  # type: ignore[attr-defined]
    )
    return step_page(
        request,
        case,
        form,
        lambda d: actions.assign_case(case, acting_user=request.user, **d),
        title=_("Case manager and deputies"),
        done=_("The assignment has been saved."),
    )


urlpatterns: list[URLPattern] = [
    path("faelle/<str:code>/zugang/", referral_edit, name="referral_edit"),
    path("faelle/<str:code>/triage/", triage, name="triage"),
    path("faelle/<str:code>/klaerung/start/", intake_start, name="intake_start"),
    path("faelle/<str:code>/klaerung/", indication, name="indication"),
    path("faelle/<str:code>/assessment/", assessment, name="assessment"),
    path("faelle/<str:code>/assessment/abschliessen/", assessment_finish, name="assessment_finish"),
    path("faelle/<str:code>/ziele/neu/", goal_add, name="goal_add"),
    path("faelle/<str:code>/ziele/<str:goal>/", goal_edit, name="goal_edit"),
    path("faelle/<str:code>/ziele/<str:goal>/massnahmen/neu/", measure_add, name="measure_add"),
    path("faelle/<str:code>/plan/", plan_agree, name="plan_agree"),
    path("faelle/<str:code>/plan/ueberarbeiten/", plan_revise, name="plan_revise"),
    path("faelle/<str:code>/monitoring/", monitoring_start, name="monitoring_start"),
    path("faelle/<str:code>/monitoring/ueberpruefung/", review, name="review"),
    path("faelle/<str:code>/monitoring/umsetzung/", linking_resume, name="linking_resume"),
    path("faelle/<str:code>/abschluss/", close, name="close"),
    path("faelle/<str:code>/zuordnung/", assign, name="assign"),
]
