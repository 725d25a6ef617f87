"""Actual cost of posts (plan vs actual, monthly rows, exports), payroll imports, Land payments.

Payroll figures are personal data of staff (D-086): every page here asks
``kim.programmes.access`` and answers 404 to anyone who may not see them – a reader of the post
without payroll rights finds no trace of them. Each view of actual cost writes ``PAYROLL_READ``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kim.accounts.access import UserContext, user_context
from kim.audit.models import EventType
from kim.audit.record import record
from kim.core.exports import ExportQuery, Table, csv_bytes, export_builder, table_export
from kim.core.forms import add_action_errors
from kim.core.locking import EditConflict
from kim.programmes import payroll_actions, queries
from kim.programmes.access import (
    can_view_payroll,
    costs_for_user,
    get_cost_for_user,
    get_grant_for_managing,
    get_payroll_organisation_for_user,
    get_position_for_payroll,
    payroll_imports_for_user,
    payroll_organisations_for_user,
    posts_hosted_by,
)
from kim.programmes.forms import (
    ActualCostForm,
    DeleteCostForm,
    GrantPaymentForm,
    PayrollImportForm,
    ProofDueForm,
)
from kim.programmes.models import (
    ActualCost,
    CostKind,
    CostSource,
    Grant,
    Position,
    PositionStatus,
)
from kim.programmes.payroll import TEMPLATE_HEADER, first_year, month_states, plan_actual

GET_POST = require_http_methods(["GET", "POST"])


# --- plan and actual on the post page -----------------------------------------------------------


@dataclass(frozen=True)
class MonthRow:
    month: dt.date
    status: str | None
    personnel: ActualCost | None
    setup: ActualCost | None

    @property
    def filled(self) -> bool:
        return self.status == PositionStatus.FILLED


def payroll_section(
    request: HttpRequest, ctx: UserContext, position: Position, today: dt.date
) -> dict[str, Any] | None:
    """The "Plan und Ist" section of the post page, or None for a reader without payroll
    rights (no trace). ``position`` needs its history prefetched (``queries.with_detail``).
    Fixed number of queries: the cost rows (one query) and the pay rules of the forecast."""
    if not can_view_payroll(ctx, position):
        return None
    costs = list(costs_for_user(ctx, position).order_by("month", "kind"))
    start = first_year(position) or today.year
    last = max([today.year, *(c.month.year for c in costs)])
    years = range(min([start, *(c.month.year for c in costs)]), last + 1)
    cost_rows = queries.position_costs(position, years=years) or []
    forecast = {r.year: r.employer_cost for r in cost_rows if r.months}
    rows = plan_actual(position, costs, years, forecast)
    with_costs = sorted({c.month.year for c in costs})
    year = _selected_year(
        request.GET.get("jahr"), years, with_costs[-1] if with_costs else today.year
    )
    by_month = {(c.month, c.kind): c for c in costs if c.month.year == year}
    months = [
        MonthRow(
            month=dt.date(year, number, 1),
            status=position.status_on(dt.date(year, number, 15)),
            personnel=by_month.get((dt.date(year, number, 1), CostKind.PERSONNEL)),
            setup=by_month.get((dt.date(year, number, 1), CostKind.SETUP)),
        )
        for number in range(1, 13)
    ]
    filled, vacant = month_states(position, year)
    record(
        EventType.PAYROLL_READ,
        actor=request.user,
        subject=position,
        organisation=position.home,
        extra={"year": year},
    )
    return {
        "years": rows,
        "year": year,
        "months": months,
        "year_row": next((r for r in rows if r.year == year), None),
        "months_filled": len(filled),
        "months_vacant": len(vacant),
    }


def _selected_year(value: Any, years: range, default: int) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return default
    return year if year in years else default


# --- the post's cost rows -----------------------------------------------------------------------


@login_required
@require_GET
def cost_list(request: HttpRequest, code: str) -> HttpResponse:
    """Every actual cost row of the post, newest month first, with entry and exports."""
    ctx = user_context(request)
    position = get_position_for_payroll(ctx, code)
    rows = list(
        costs_for_user(ctx, position).select_related("batch", "staff").order_by("-month", "kind")
    )
    record(
        EventType.PAYROLL_READ,
        actor=request.user,
        subject=position,
        organisation=position.home,
        extra={"rows": len(rows)},
    )
    return render(
        request,
        "programmes/cost_list.html",
        {
            "position": position,
            "rows": rows,
            "total": sum((r.amount for r in rows if r.kind == CostKind.PERSONNEL), Decimal(0)),
            "may_import": payroll_organisations_for_user(ctx).filter(pk=position.home_id).exists(),
        },
    )


def _cost_page(
    request: HttpRequest,
    position: Position,
    form: Any,
    title: str,
    conflict_rows: list[Any] | None = None,
) -> HttpResponse:
    return render(
        request,
        "programmes/cost_form.html",
        {"position": position, "form": form, "title": title, "conflict_rows": conflict_rows},
    )


@login_required
@GET_POST
def cost_add(request: HttpRequest, code: str) -> HttpResponse:
    position = get_position_for_payroll(user_context(request), code)
    form = ActualCostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payroll_actions.record_cost(
                position,
                acting_user=request.user,
                month=data["month"],
                kind=data["kind"],
                amount=data["amount"],
                note=data["note"],
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The actual cost has been recorded."))
            return redirect(_back(position, data["month"]))
    return _cost_page(request, position, form, _("Record actual cost"))


def _back(position: Position, month: dt.date) -> str:
    from django.urls import reverse

    url = reverse("programmes:position_detail", args=[position.code])
    return f"{url}?jahr={month.year}#h-payroll"


@login_required
@GET_POST
def cost_edit(request: HttpRequest, code: str, cost_code: str) -> HttpResponse:
    ctx = user_context(request)
    position = get_position_for_payroll(ctx, code)
    cost = get_cost_for_user(ctx, position, cost_code)
    initial = {
        "month": cost.month,
        "kind": cost.kind,
        "amount": cost.amount,
        "note": cost.note,
        "version": cost.version,
    }
    form = ActualCostForm(request.POST or None, initial=initial, editing=True)
    conflict_rows = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payroll_actions.record_cost(
                position,
                acting_user=request.user,
                month=cost.month,
                kind=cost.kind,
                amount=data["amount"],
                note=data["note"],
                expected_version=data["version"] or 0,
            )
        except EditConflict as exc:
            add_action_errors(form, exc)
            conflict_rows = exc.rows(form.data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The actual cost has been corrected."))
            return redirect(_back(position, cost.month))
    title = _("Correct the actual cost of %(month)s") % {"month": cost.month.strftime("%m.%Y")}
    return _cost_page(request, position, form, title, conflict_rows)


@login_required
@GET_POST
def cost_delete(request: HttpRequest, code: str, cost_code: str) -> HttpResponse:
    ctx = user_context(request)
    position = get_position_for_payroll(ctx, code)
    cost = get_cost_for_user(ctx, position, cost_code)
    form = DeleteCostForm(request.POST or None, initial={"version": cost.version})
    if request.method == "POST" and form.is_valid():
        try:
            payroll_actions.delete_cost(
                cost, acting_user=request.user, expected_version=form.cleaned_data["version"]
            )
        except EditConflict as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The row has been deleted."))
            return redirect(_back(position, cost.month))
    return render(
        request,
        "programmes/cost_delete.html",
        {"position": position, "cost": cost, "form": form},
    )


@export_builder
def cost_table(query: ExportQuery) -> Table:
    """The post's actual cost rows (404 for anyone without payroll rights, like the page)."""
    position = get_position_for_payroll(query.ctx, query.kwargs["code"])
    header = [
        _("Post"),
        _("Title"),
        _("Month"),
        _("Kind"),
        _("Amount (€)"),
        _("Holder (pseudonym)"),
        _("Source"),
        _("Note"),
    ]

    def body() -> list[list[Any]]:
        return [
            [
                position.code,
                position.title,
                c.month.strftime("%m.%Y"),
                CostKind(c.kind).label,
                c.amount,
                c.staff.pseudonym if c.staff else "",
                CostSource(c.source).label,
                c.note,
            ]
            for c in costs_for_user(query.ctx, position)
            .select_related("staff")
            .order_by("month", "kind")
        ]

    return Table(
        filename=f"ist-kosten-{position.code}",
        title=_("Actual cost"),
        header=header,
        rows=body,
        audit_subject="programmes.actual_costs",
    )


@login_required
@GET_POST
def cost_export(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    return table_export(request, fmt, cost_table, code=code)


# --- payroll import ----------------------------------------------------------------------------


@login_required
@require_GET
def payroll_home(request: HttpRequest) -> HttpResponse:
    """The employers whose payroll the user may import."""
    organisations = list(
        payroll_organisations_for_user(user_context(request)).order_by("kind", "name")
    )
    if not organisations:
        raise Http404("No payroll to import")
    return render(request, "programmes/payroll_home.html", {"organisations": organisations})


@login_required
@GET_POST
def payroll_import(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    organisation = get_payroll_organisation_for_user(ctx, code)
    form = PayrollImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = payroll_actions.import_payroll(
                organisation,
                acting_user=request.user,
                name=upload.name or "upload.csv",
                data=upload.read(),
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "%(n)d row has been imported: %(new)d new, %(replaced)d replaced.",
                    "%(n)d rows have been imported: %(new)d new, %(replaced)d replaced.",
                    result.batch.rows,
                )
                % {"n": result.batch.rows, "new": result.created, "replaced": result.replaced},
            )
            return redirect("programmes:payroll_import", code=organisation.code)
    imports = payroll_imports_for_user(ctx, organisation).select_related("created_by")[:50]
    return render(
        request,
        "programmes/payroll_import.html",
        {"organisation": organisation, "form": form, "imports": imports},
    )


@login_required
@require_GET
def payroll_template(request: HttpRequest, code: str) -> HttpResponse:
    """A CSV to fill in: the header and one row per post the organisation hosts (no amounts)."""
    ctx = user_context(request)
    organisation = get_payroll_organisation_for_user(ctx, code)
    month = timezone.localdate().replace(day=1).strftime("%m.%Y")
    posts = posts_hosted_by(ctx, organisation).order_by("baustein", "title")
    rows = [[p.code, "", month, "", "Personal"] for p in posts]
    response = HttpResponse(
        csv_bytes(TEMPLATE_HEADER, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="ist-kosten-vorlage-{organisation.code}.csv"'
    )
    return response


# --- grants: payments received and the proof deadline --------------------------------------------


def _grant_page(
    request: HttpRequest,
    grant: Grant,
    payment_form: GrantPaymentForm | None = None,
    due_form: ProofDueForm | None = None,
) -> HttpResponse:
    payments = list(grant.payments.all())
    return render(
        request,
        "programmes/grant_detail.html",
        {
            "grant": grant,
            "payments": payments,
            "paid": sum((p.amount for p in payments), Decimal(0)),
            "payment_form": payment_form or GrantPaymentForm(),
            "due_form": due_form or ProofDueForm(initial={"months": grant.proof_due_months}),
        },
    )


@login_required
@require_GET
def grant_detail(request: HttpRequest, code: str) -> HttpResponse:
    return _grant_page(request, get_grant_for_managing(user_context(request), code))


@login_required
@require_POST
def grant_payment(request: HttpRequest, code: str) -> HttpResponse:
    grant = get_grant_for_managing(user_context(request), code)
    form = GrantPaymentForm(request.POST)
    if form.is_valid():
        try:
            payroll_actions.record_grant_payment(
                grant, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The payment has been recorded."))
            return redirect("programmes:grant_detail", code=grant.code)
    return _grant_page(request, grant, payment_form=form)


@login_required
@require_POST
def grant_proof_due(request: HttpRequest, code: str) -> HttpResponse:
    grant = get_grant_for_managing(user_context(request), code)
    form = ProofDueForm(request.POST)
    if form.is_valid():
        try:
            payroll_actions.set_proof_due_months(
                grant, acting_user=request.user, months=form.cleaned_data["months"]
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The deadline of the proof of use has been saved."))
            return redirect("programmes:grant_detail", code=grant.code)
    return _grant_page(request, grant, due_form=form)
