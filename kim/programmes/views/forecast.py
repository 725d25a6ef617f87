"""Cost and Eigenanteil forecast with what-if assumptions, chart, data table and exports."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from kim.accounts.access import user_context
from kim.core.exports import tabular_response
from kim.programmes import queries
from kim.programmes.access import get_region_for_overview
from kim.programmes.charts import bar_chart
from kim.programmes.forms import ForecastForm


def _forecast(
    request: HttpRequest, code: str
) -> tuple[object, ForecastForm, queries.Forecast | None]:
    ctx = user_context(request)
    region = get_region_for_overview(ctx, code)
    year = timezone.localdate().year
    form = ForecastForm(request.GET or {"first_year": year, "last_year": year + 4})
    if not form.is_valid():
        return region, form, None
    data = form.cleaned_data
    what_if = queries.WhatIf(
        pay_group=data["pay_group"] or None,
        step=data["step"],
        start=data["start"],
        factor=data["factor"],
    )
    try:
        forecast = queries.forecast_for(
            region,
            reader=ctx,
            years=range(data["first_year"], data["last_year"] + 1),
            baustein=data["baustein"],
            what_if=what_if,
        )
    except ValueError as exc:  # e.g. a step schedule beyond the supported range
        form.add_error(
            None, _("The forecast cannot be computed for these years: %(reason)s") % {"reason": exc}
        )
        return region, form, None
    return region, form, forecast


@login_required
def forecast(request: HttpRequest, code: str) -> HttpResponse:
    region, form, result = _forecast(request, code)
    chart = None
    if result is not None:
        chart = bar_chart(
            labels=[str(y) for y in result.years],
            series=[
                (_("Employer cost"), [r.employer_cost for r in result.total.rows]),
                (_("Land funding"), [r.funding for r in result.total.rows]),
                (_("Eigenanteil"), [r.eigenanteil for r in result.total.rows]),
            ],
        )
    return render(
        request,
        "programmes/forecast.html",
        {
            "region": region,
            "form": form,
            "forecast": result,
            "chart": chart,
            "params": request.GET.urlencode(),
        },
    )


@login_required
def forecast_export(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    region, _form, result = _forecast(request, code)
    header = [
        _("Position / group"),
        _("Year"),
        _("Months"),
        _("Gross pay (€)"),
        _("Employer cost (€)"),
        _("Land funding (€)"),
        _("Eigenanteil (€)"),
    ]
    rows: list[list[object]] = []
    if result is not None:
        for line in [*result.positions, *result.by_baustein, *result.by_home, result.total]:
            for r in line.rows:
                rows.append(
                    [
                        line.label,
                        r.year,
                        r.months,
                        r.gross,
                        r.employer_cost,
                        r.funding,
                        r.eigenanteil,
                    ]
                )
    return tabular_response(
        request,
        fmt=fmt,
        filename=f"kim-prognose-{region.ags}",  # type: ignore[attr-defined]
        title=_("Forecast"),
        header=header,
        rows=rows,
        audit_subject="programmes.forecast",
        actor_ctx=user_context(request),
    )
