"""The legal-sphere timeline of a case: residence and benefit periods, tasks.

Every page works without JavaScript: a GET shows the form, the POST saves and returns to the
case file (section ``#timeline``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kim.accounts.access import user_context
from kim.cases.access import can_edit_case, get_case_for_user
from kim.cases.actions.timeline import (
    complete_task,
    create_task,
    record_benefit_period,
    record_residence_period,
)
from kim.cases.forms.timeline import BenefitForm, ResidenceForm, TaskForm, kreis_authorities
from kim.cases.models import Case
from kim.cases.queries.timeline import get_task_of_case
from kim.core.forms import add_action_errors


def _editable_case(request: HttpRequest, code: str) -> Case:
    ctx = user_context(request)
    case = get_case_for_user(ctx, code)
    if not can_edit_case(ctx, case):
        raise PermissionDenied
    return case


def _timeline_url(case: Case) -> str:
    return reverse("cases:case_detail", args=[case.code]) + "#timeline"


def _form_page(
    request: HttpRequest,
    case: Case,
    form: Form,
    save: Callable[..., Any],
    *,
    title: str,
    done: str,
) -> HttpResponse:
    """GET: the form; POST: the action with the cleaned data, then back to the case file."""
    if request.method == "POST" and form.is_valid():
        try:
            save(case, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(_timeline_url(case))
    context = {"form": form, "case": case, "title": title, "cancel_url": _timeline_url(case)}
    return render(request, "cases/timeline_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def residence_add(request: HttpRequest, code: str) -> HttpResponse:
    case = _editable_case(request, code)
    authorities = kreis_authorities(case.organisation.region_id_or_self)
    form = ResidenceForm(request.POST or None, authorities=authorities)
    return _form_page(
        request,
        case,
        form,
        record_residence_period,
        title=_("Record a residence status"),
        done=_("The residence status has been recorded."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def benefit_add(request: HttpRequest, code: str) -> HttpResponse:
    case = _editable_case(request, code)
    authorities = kreis_authorities(case.organisation.region_id_or_self)
    form = BenefitForm(request.POST or None, authorities=authorities)
    return _form_page(
        request,
        case,
        form,
        record_benefit_period,
        title=_("Record a benefit"),
        done=_("The benefit has been recorded."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_add(request: HttpRequest, code: str) -> HttpResponse:
    case = _editable_case(request, code)
    form = TaskForm(request.POST or None)
    return _form_page(
        request,
        case,
        form,
        create_task,
        title=_("Add a task"),
        done=_("The task has been added."),
    )


@login_required
@require_POST
def task_done(request: HttpRequest, code: str, task: str) -> HttpResponse:
    """Mark a task done; with htmx the row is replaced in place (inline), otherwise back to
    the case page with a message."""
    case = _editable_case(request, code)
    row = get_task_of_case(case, task)
    error = ""
    try:
        row = complete_task(row, case, acting_user=request.user)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.headers.get("HX-Request"):
        context = {"task": row, "error": error, "case": case}
        return render(request, "cases/timeline_task_row.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("The task has been marked as done."))
    return redirect(_timeline_url(case))


urlpatterns: list[URLPattern] = [
    path("faelle/<str:code>/aufenthalt/neu/", residence_add, name="residence_add"),
    path("faelle/<str:code>/leistungen/neu/", benefit_add, name="benefit_add"),
    path("faelle/<str:code>/aufgaben/neu/", task_add, name="task_add"),
    path("faelle/<str:code>/aufgaben/<str:task>/erledigt/", task_done, name="task_done"),
]
