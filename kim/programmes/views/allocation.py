"""Allocation scenarios: compute with every step shown, save, compare side by side, adopt."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from kim.accounts.access import user_context
from kim.programmes import actions, allocation, queries
from kim.programmes.access import get_region_for_managing, get_scenario_for_user
from kim.programmes.forms import AdoptForm, ScenarioForm


def _inputs(region: object, data: dict) -> allocation.Inputs:  # type: ignore[type-arg]
    return allocation.Inputs(
        region=region,  # type: ignore[arg-type]
        total=data["total"],
        step=data["step"],
        minimum=data["minimum"] or Decimal(0),
        method=data["method"],
        key=data["key"],
        as_of=data["as_of"],
        pools=tuple(allocation.Pool(name, ags) for name, ags in data["pools"]),
        custom_weights=data.get("custom_weights") or None,
        custom_source=data.get("custom_source") or "",
    )


@login_required
@require_http_methods(["GET", "POST"])
def allocation_list(request: HttpRequest, code: str) -> HttpResponse:
    region = get_region_for_managing(user_context(request), code)
    form = ScenarioForm(
        request.POST or None,
        initial={
            "name": _("Scenario %(date)s") % {"date": timezone.localdate().strftime("%d.%m.%Y")}
        },
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        inputs = _inputs(region, form.cleaned_data)
        try:
            if "save" in request.POST:
                scenario = actions.save_scenario(
                    acting_user=request.user,
                    inputs=inputs,
                    name=form.cleaned_data["name"],
                    baustein=form.cleaned_data["baustein"],
                )
                messages.success(request, _("The scenario has been saved."))
                return redirect("programmes:scenario_detail", code=scenario.code)
            result, source, _people = allocation.run(inputs)
            preview = allocation.result_to_json(result, source, inputs.pools)
        except allocation.AllocationInputError as exc:
            form.add_error(None, str(exc))
    return render(
        request,
        "programmes/allocation.html",
        {
            "region": region,
            "form": form,
            "preview": preview,
            "scenarios": queries.scenarios_for_region(region),
            "key_dates": queries.key_dates(region),
        },
    )


@login_required
def scenario_detail(request: HttpRequest, code: str) -> HttpResponse:
    scenario = get_scenario_for_user(user_context(request), code)
    return render(
        request,
        "programmes/scenario_detail.html",
        {
            "scenario": scenario,
            "result": scenario.result,
            "adopt_form": AdoptForm(initial={"planned_from": timezone.localdate()}),
        },
    )


@login_required
@require_POST
def scenario_adopt(request: HttpRequest, code: str) -> HttpResponse:
    scenario = get_scenario_for_user(user_context(request), code)
    form = AdoptForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "programmes/scenario_detail.html",
            {"scenario": scenario, "result": scenario.result, "adopt_form": form},
        )
    positions = actions.adopt_scenario(
        scenario, acting_user=request.user, planned_from=form.cleaned_data["planned_from"]
    )
    messages.success(
        request,
        ngettext(
            "Scenario adopted: %(n)d planned post created.",
            "Scenario adopted: %(n)d planned posts created.",
            len(positions),
        )
        % {"n": len(positions)},
    )
    return redirect("programmes:overview", code=scenario.region.code)


@login_required
def scenario_compare(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    region = get_region_for_managing(ctx, code)
    scenarios = [get_scenario_for_user(ctx, c) for c in request.GET.getlist("s")[:4]]
    return render(
        request,
        "programmes/scenario_compare.html",
        {"region": region, "scenarios": scenarios, "table": queries.compare_scenarios(scenarios)},
    )
