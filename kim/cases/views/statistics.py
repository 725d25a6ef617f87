"""The case statistics page and its exports (D-082): one table with disclosure control, its
chart, and the caseload distribution; coordination, programme and team leads only."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kim.accounts.access import UserContext, user_context
from kim.cases.access import can_use_cases, can_view_case_statistics
from kim.cases.statistics import queries
from kim.cases.statistics import render as shape
from kim.cases.statistics.forms import CaseStatisticsForm
from kim.cases.statistics.measures import StatisticsError
from kim.core.exports import ExportQuery, Table, export_builder, table_export
from kim.core.rls import actor_of


def _table(
    ctx: UserContext, params: QueryDict
) -> tuple[CaseStatisticsForm, list[queries.Scope], queries.CaseTable | None]:
    """The page's door (403), form and table, shared by the page and its exports; a Kreis the
    reader cannot count is a 404 (``get_scope_for_user``)."""
    if not can_view_case_statistics(ctx):
        raise PermissionDenied
    scopes = queries.statistics_scopes(ctx)
    kreis = str(params.get("kreis") or "")
    if kreis:
        queries.get_scope_for_user(ctx, kreis)  # 404 for a Kreis not the reader's
    form = CaseStatisticsForm(params, scopes=scopes)
    if not scopes or not form.is_valid():
        return form, scopes, None
    data = form.cleaned_data
    scope = queries.get_scope_for_user(ctx, data["kreis"])
    try:
        table = queries.case_table(
            scope,
            data["measure"],
            form.dimensions(),
            data["start"],
            data["end"],
            actor=actor_of(ctx),
        )
    except StatisticsError as error:  # the form checks the same; never a 500
        form.add_error(None, str(error))
        return form, scopes, None
    return form, scopes, table


@login_required
@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    form, scopes, table = _table(ctx, request.GET)
    grid = shape.grid(table) if table else None
    bands = None
    if table is not None:
        bands = queries.caseload_bands(table.scope, timezone.localdate(), actor=actor_of(ctx))
    context = {
        "form": form,
        "table": table,
        "grid": grid,
        "chart": shape.chart(table, grid) if table and grid and not table.table.withheld else None,
        "bands": bands,
        "params": form.data.urlencode() if isinstance(form.data, QueryDict) else _query(form),
        "may_use_cases": can_use_cases(ctx),
        "has_scope": bool(scopes),
    }
    return render(request, "cases/statistics.html", context)


def _query(form: CaseStatisticsForm) -> str:
    params = QueryDict(mutable=True)
    for key, value in form.data.items():
        params[key] = value
    return params.urlencode()


@export_builder
def statistics_table(query: ExportQuery) -> Table:
    """Exactly the page's table: the same door, form, query and grid."""
    _form, _scopes, table = _table(query.ctx, query.params)
    grid = shape.grid(table) if table else None
    return Table(
        filename=f"fallstatistik-{timezone.localdate():%Y%m%d}",
        title=_("Case statistics"),
        header=grid.header if grid else [_("Case statistics")],
        rows=lambda: shape.export_rows(grid) if grid else [],
        audit_subject="cases.statistics",
    )


@login_required
@require_http_methods(["GET", "POST"])
def statistics_export(request: HttpRequest, fmt: str) -> HttpResponse:
    return table_export(request, fmt, statistics_table)
