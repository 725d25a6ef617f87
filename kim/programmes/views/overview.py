"""Programme overview of a Kreis (and of one town): posts per Baustein on a reference date."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kim.accounts.access import user_context
from kim.core.forms import add_action_errors
from kim.organisations.access import get_organisation_for_user
from kim.programmes import actions, queries
from kim.programmes.access import (
    can_manage_payments,
    can_manage_programme,
    can_use_programme,
    can_view_overview,
    get_region_for_managing,
    get_region_for_overview,
    regions_for_user,
)
from kim.programmes.forms import GrantForm, PositionFilterForm


@login_required
def programme_home(request: HttpRequest) -> HttpResponse:
    """Send the user to the overview of their Kreis (the first one, if several)."""
    ctx = user_context(request)
    region = regions_for_user(ctx).order_by("name").first()
    if region is not None:
        return redirect("programmes:overview", code=region.code)
    if can_use_programme(ctx):
        return redirect("programmes:position_list")
    raise PermissionDenied


@login_required
def overview(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    region = get_region_for_overview(ctx, code)
    day = PositionFilterForm(request.GET).reference_date()
    return render(
        request,
        "programmes/overview.html",
        {
            "region": region,
            "overview": queries.programme_overview(region, day),
            "day": day,
            "may_manage": can_manage_programme(ctx, region),
            "may_manage_payments": can_manage_payments(ctx, region),
            "may_import_payroll": can_manage_payments(ctx, region),
            "grants": queries.grants_for_region(region),
            "rates": queries.rates_in_force(day),
        },
    )


@login_required
def town_overview(request: HttpRequest, code: str) -> HttpResponse:
    """One town's (or Träger's) posts per Baustein with the Eigenanteil forecast."""
    ctx = user_context(request)
    home = get_organisation_for_user(ctx, code)
    region = home if home.is_region else home.region
    may_view_region = region is not None and can_view_overview(ctx, region)
    if region is None or not (
        may_view_region
        or home.pk
        in ctx.organisations_with_role(
            "programme_lead", "team_lead", "traeger_manager", "b3_officer"
        )
    ):
        raise PermissionDenied
    day = PositionFilterForm(request.GET).reference_date()
    forecast = queries.forecast_for(
        region, reader=ctx, home=home, years=range(day.year, day.year + 5)
    )
    return render(
        request,
        "programmes/town_overview.html",
        {
            "home": home,
            "region": region,
            "overview": queries.programme_overview(region, day, home=home),
            "day": day,
            "forecast": forecast,
            "may_view_region": may_view_region,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def grant_create(request: HttpRequest, code: str) -> HttpResponse:
    """Record a Zuwendungsbescheid of the Bezirksregierung for this Kreis."""
    region = get_region_for_managing(user_context(request), code)
    form = GrantForm(request.POST or None, initial={"baustein": "B2"})
    if request.method == "POST" and form.is_valid():
        grantor = region.parent if region.parent is not None else region
        try:
            actions.create_grant(
                acting_user=request.user, recipient=region, grantor=grantor, **form.cleaned_data
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The grant has been recorded."))
            return redirect("programmes:overview", code=region.code)
    return render(request, "programmes/grant_form.html", {"form": form, "region": region})


@login_required
def reference(request: HttpRequest) -> HttpResponse:
    """Funding rates, pay tables, step rules, special payments and the employer add-on."""
    if not can_use_programme(user_context(request)):
        raise PermissionDenied
    return render(request, "programmes/reference.html", {"data": queries.reference_data()})
