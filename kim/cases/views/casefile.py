"""The case file page: header, phases, the sections of every concern; each read is audited."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from kim.accounts.access import user_context
from kim.cases.access import can_assign_case, can_close_case, can_edit_case, get_case_for_user
from kim.cases.actions.lifecycle import record_case_read
from kim.cases.models import Case
from kim.cases.queries.bookings import bookings_context
from kim.cases.queries.casefile import casefile_context
from kim.cases.queries.consent import consent_context
from kim.cases.queries.dataprotection import dataprotection_context
from kim.cases.queries.timeline import timeline_context


def editable_case(request: HttpRequest, code: str) -> Case:
    """The case for a change: 404 for strangers, 403 for readers and closed cases."""
    case = get_case_for_user(user_context(request), code)
    if not can_edit_case(user_context(request), case):
        raise PermissionDenied
    return case


def closable_case(request: HttpRequest, code: str) -> Case:
    case = get_case_for_user(user_context(request), code)
    if not can_close_case(user_context(request), case):
        raise PermissionDenied
    return case


def assignable_case(request: HttpRequest, code: str) -> Case:
    case = get_case_for_user(user_context(request), code)
    if case.is_closed or not can_assign_case(user_context(request), case):
        raise PermissionDenied
    return case


@login_required
@require_GET
def case_detail(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    case = get_case_for_user(ctx, code)
    record_case_read(case, acting_user=request.user)
    context = {"case": case, **casefile_context(ctx, case)}
    for section in (timeline_context, consent_context, dataprotection_context, bookings_context):
        context.update(section(ctx, case))
    return render(request, "cases/case_detail.html", context)


urlpatterns: list[URLPattern] = [
    path("faelle/<str:code>/", case_detail, name="case_detail"),
]
