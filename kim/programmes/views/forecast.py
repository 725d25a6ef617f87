"""Cost and Eigenanteil forecast with what-if assumptions, chart, data table and exports."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kim.accounts.access import UserContext, user_context
from kim.core.exports import ExportQuery, Table, export_builder, table_export
from kim.organisations.models import Organisation
from kim.programmes import queries
from kim.programmes.access import get_region_for_overview
from kim.programmes.charts import bar_chart
from kim.programmes.forms import ForecastForm


def _forecast(
    ctx: UserContext, region: Organisation, params: QueryDict
) -> tuple[ForecastForm, queries.Forecast | None]:
    """The forecast for the page's (or the export's) assumptions, as ``ctx`` may read it."""
    year = timezone.localdate().year
    form = ForecastForm(params or {"first_year": year, "last_year": year + 4})
    if not form.is_valid():
        return form, None
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
        return form, None
    return form, forecast


@login_required
def forecast(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    region = get_region_for_overview(ctx, code)
    form, result = _forecast(ctx, region, request.GET)
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


@export_builder
def forecast_table(query: ExportQuery) -> Table:
    """The forecast as an export: the page's door (the region) and the page's figures, per-post
    lines only for posts the reader may open (``forecast_for(reader=...)``, D-047)."""
    region = get_region_for_overview(query.ctx, query.kwargs["code"])
    header = [
        _("Position / group"),
        _("Year"),
        _("Months"),
        _("Gross pay (€)"),
        _("Employer cost (€)"),
        _("Land funding (€)"),
        _("Eigenanteil (€)"),
    ]

    def body() -> list[list[object]]:
        _form, result = _forecast(query.ctx, region, query.params)
        if result is None:
            return []
        lines = [*result.positions, *result.by_baustein, *result.by_home, result.total]
        return [
            [line.label, r.year, r.months, r.gross, r.employer_cost, r.funding, r.eigenanteil]
            for line in lines
            for r in line.rows
        ]

    return Table(
        filename=f"kim-prognose-{region.ags}",
        title=_("Forecast"),
        header=header,
        rows=body,
        audit_subject="programmes.forecast",
    )


@login_required
@require_http_methods(["GET", "POST"])
def forecast_export(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    return table_export(request, fmt, forecast_table, code=code)
