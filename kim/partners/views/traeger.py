"""Welfare agencies (Träger): the directory, one agency's timeline, adding services and contacts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kim.accounts.access import user_context
from kim.core.forms import add_action_errors
from kim.partners import actions, queries
from kim.partners.access import (
    can_manage_traeger,
    can_use_partners,
    get_traeger_for_managing,
    get_traeger_for_user,
    towns_for_traeger,
)
from kim.partners.forms import ContactForm, ServiceForm


@login_required
def traeger_list(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    if not can_use_partners(ctx):
        raise PermissionDenied
    return render(request, "partners/traeger_list.html", {"agencies": queries.traeger_list(ctx)})


@login_required
def traeger_detail(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    org = get_traeger_for_user(ctx, code)
    today = timezone.localdate()
    return render(
        request,
        "partners/traeger_detail.html",
        {
            "org": org,
            "timeline": queries.traeger_timeline(ctx, org, today),
            "today": today,
            "may_manage": can_manage_traeger(ctx, org),
        },
    )


def _step_page(request: HttpRequest, org: object, form: object, title: str) -> HttpResponse:
    return render(request, "partners/traeger_step.html", {"org": org, "form": form, "title": title})


@login_required
@require_http_methods(["GET", "POST"])
def service_add(request: HttpRequest, code: str) -> HttpResponse:
    org = get_traeger_for_managing(user_context(request), code)
    form = ServiceForm(request.POST or None, towns=towns_for_traeger(org))
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_service(org, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The service has been recorded."))
            return redirect("partners:traeger_detail", code=org.code)
    return _step_page(request, org, form, _("Add a service"))


@login_required
@require_http_methods(["GET", "POST"])
def contact_add(request: HttpRequest, code: str) -> HttpResponse:
    org = get_traeger_for_managing(user_context(request), code)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_contact(org, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The contact has been recorded."))
            return redirect("partners:traeger_detail", code=org.code)
    return _step_page(request, org, form, _("Add a contact"))
