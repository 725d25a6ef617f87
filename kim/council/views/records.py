"""Council records: meetings (list, one meeting with its agenda, new meeting, new agenda item)
and the committees, council groups and departments of the bodies."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kim.accounts.access import user_context
from kim.council import actions, queries
from kim.council.access import (
    bodies_for_managing,
    can_manage_meeting,
    can_use_council,
    committees_for_managing,
    get_meeting_for_managing,
    get_meeting_for_user,
)
from kim.council.forms import (
    AgendaItemForm,
    MeetingForm,
    OrganizationForm,
    add_action_errors,
)


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    if not can_use_council(ctx):
        raise PermissionDenied
    context = {
        "meetings": queries.meeting_list(ctx),
        "may_record": bodies_for_managing(ctx).exists(),
    }
    return render(request, "council/meeting_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    bodies = bodies_for_managing(ctx)
    if not bodies.exists():
        raise PermissionDenied
    form = MeetingForm(request.POST or None, bodies=bodies, committees=committees_for_managing(ctx))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            meeting = actions.create_meeting(data.pop("body"), acting_user=request.user, **data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The meeting has been recorded."))
            return redirect("council:meeting_detail", code=meeting.code)
    return render(request, "council/meeting_form.html", {"form": form})


@login_required
def meeting_detail(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    meeting, agenda = queries.meeting_detail(ctx, get_meeting_for_user(ctx, code))
    return render(
        request,
        "council/meeting_detail.html",
        {"meeting": meeting, "agenda": agenda, "may_manage": can_manage_meeting(ctx, meeting)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def agenda_item_add(request: HttpRequest, code: str) -> HttpResponse:
    meeting = get_meeting_for_managing(user_context(request), code)
    form = AgendaItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_agenda_item(meeting, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The agenda item has been added."))
            return redirect("council:meeting_detail", code=meeting.code)
    return render(request, "council/agenda_item_form.html", {"meeting": meeting, "form": form})


@login_required
def organization_list(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    if not can_use_council(ctx):
        raise PermissionDenied
    context = {
        "organizations": queries.organization_list(ctx),
        "may_record": bodies_for_managing(ctx).exists(),
    }
    return render(request, "council/organization_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def organization_create(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    bodies = bodies_for_managing(ctx)
    if not bodies.exists():
        raise PermissionDenied
    form = OrganizationForm(request.POST or None, bodies=bodies)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            actions.create_organization(data.pop("body"), acting_user=request.user, **data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The entry has been recorded."))
            return redirect("council:organization_list")
    return render(request, "council/organization_form.html", {"form": form})
