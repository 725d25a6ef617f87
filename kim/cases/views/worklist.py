"""The case-management landing pages: work list, case list and team view (statistics:
``statistics.py``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_GET

from kim.accounts.access import UserContext, user_context
from kim.accounts.models import Role
from kim.cases.access import (
    can_open_cases,
    can_use_cases,
    can_view_case_statistics,
)
from kim.cases.forms.worklists import CaseFilterForm
from kim.cases.models import ACTIVE_PHASES, Phase
from kim.cases.queries import worklists as q
from kim.cases.views import statistics as stats_views
from kim.core.pagination import IdFirstPaginator

CASES_PER_PAGE = 50


def _is_team_lead(ctx: UserContext) -> bool:
    return bool(ctx.organisations_with_role(Role.TEAM_LEAD))


@login_required
@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    if not can_use_cases(ctx):
        if can_view_case_statistics(ctx):
            return redirect("cases:statistics")
        raise PermissionDenied
    today = timezone.localdate()
    context = {
        "work": q.worklist(ctx, today),
        "today": today,
        "may_open": can_open_cases(ctx),
        "is_team_lead": _is_team_lead(ctx),
        "may_see_statistics": can_view_case_statistics(ctx),
    }
    return render(request, "cases/worklist.html", context)


def _case_filter(form: CaseFilterForm, ctx: UserContext) -> q.CaseFilter:
    data = form.cleaned_data if form.is_valid() else {}
    responsible = data.get("responsible")
    return q.CaseFilter(
        phase=data.get("phase") or "",
        waiting=bool(data.get("waiting")),
        responsible=responsible.pk if responsible else None,
        q=(data.get("q") or "").strip(),
        focus=data.get("focus") or "",
        sort=data.get("sort") or "number",
        today=timezone.localdate(),
    )


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    if not can_use_cases(ctx):
        raise PermissionDenied
    managers = q.team_case_managers(ctx) if _is_team_lead(ctx) else None
    form = CaseFilterForm(request.GET, case_managers=managers)
    cases = q.case_list(ctx, _case_filter(form, ctx))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "page": IdFirstPaginator(cases, CASES_PER_PAGE).get_page(request.GET.get("page")),
        "params": params.urlencode(),
        "may_open": can_open_cases(ctx),
        "today": timezone.localdate(),
    }
    template = (
        "cases/case_list_table.html"
        if request.headers.get("HX-Request")
        else "cases/case_list.html"
    )
    return render(request, template, context)


@login_required
@require_GET
def team(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    if not _is_team_lead(ctx):
        raise PermissionDenied
    context = {
        "rows": q.team_overview(ctx, timezone.localdate()),
        "phase_labels": [Phase(p).label for p in ACTIVE_PHASES],
    }
    return render(request, "cases/team.html", context)


urlpatterns: list[URLPattern] = [
    path("", worklist, name="worklist"),
    path("faelle/", case_list, name="case_list"),
    path("team/", team, name="team"),
    path("statistik/", stats_views.statistics, name="statistics"),
    path("statistik/export.<str:fmt>", stats_views.statistics_export, name="statistics_export"),
]
