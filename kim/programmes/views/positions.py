"""Positions: list with filters and exports, detail with history, create, edit, history steps."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kim.accounts.access import UserContext, user_context
from kim.core.exports import ExportQuery, Table, export_builder, table_export
from kim.core.forms import add_action_errors
from kim.programmes import actions, queries
from kim.programmes.access import (
    can_create_position_at,
    can_edit_position,
    can_manage_staff,
    can_see_staff_names,
    can_use_programme,
    get_position_for_editing,
    get_position_for_user,
    get_staff_for_position,
    payroll_organisations_for_user,
    position_homes_for_user,
    positions_for_user,
    staff_for_position,
)
from kim.programmes.forms import (
    EndIncumbencyForm,
    FundingPeriodForm,
    IncumbencyForm,
    PositionFilterForm,
    PositionForm,
    QualificationForm,
    StatusChangeForm,
)
from kim.programmes.models import Baustein, EmployerType, PositionStatus
from kim.programmes.views.payroll import payroll_section


def _filter(
    ctx: UserContext, params: QueryDict
) -> tuple[PositionFilterForm, queries.PositionFilter, dt.date]:
    """The filter of the position list and of its exports: both refuse exactly alike (403)."""
    if not can_use_programme(ctx):
        raise PermissionDenied
    form = PositionFilterForm(params)
    day = form.reference_date()
    data = form.cleaned_data if form.is_valid() else {}
    f = queries.PositionFilter(
        q=(data.get("q") or "").strip(),
        baustein=data.get("baustein") or "",
        status=data.get("status") or "",
        employer_type=data.get("employer_type") or "",
    )
    return form, f, day


@login_required
def position_list(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    form, f, day = _filter(ctx, request.GET)
    rows = queries.position_list(ctx, f, day)
    total = sum(
        (p.vze for p, s in rows if s not in (None, PositionStatus.DISCONTINUED)), start=queries.ZERO
    )
    context = {
        "form": form,
        "rows": rows,
        "day": day,
        "total": total,
        "params": request.GET.urlencode(),
        "may_create": position_homes_for_user(ctx).exists(),
        "may_import_payroll": payroll_organisations_for_user(ctx).exists(),
    }
    template = (
        "programmes/_position_table.html"
        if request.headers.get("HX-Request")
        else "programmes/position_list.html"
    )
    return render(request, template, context)


@export_builder
def position_table(query: ExportQuery) -> Table:
    """The position list as an export (the list's filters and door; staff as pseudonyms)."""
    _form, f, day = _filter(query.ctx, query.params)
    header = [
        _("Code"),
        _("Baustein"),
        _("Title"),
        _("Organisational home"),
        _("Employer"),
        _("VZÄ"),
        _("Status on %(date)s") % {"date": day.strftime("%d.%m.%Y")},
        _("Pay group"),
        _("Step"),
        _("Holder (pseudonym)"),
        _("Tasks"),
    ]

    def body() -> list[list[Any]]:
        return [
            [
                p.code,
                p.baustein,
                p.title,
                p.home.name,
                EmployerType(p.employer_type).label,
                p.vze,
                PositionStatus(s).label if s else "",
                p.pay_group,
                p.entry_step,
                ", ".join(i.staff.pseudonym for i in p.incumbents_on(day)),
                p.tasks,
            ]
            for p, s in queries.position_list(query.ctx, f, day)
        ]

    return Table(
        filename=f"stellen-{day:%Y%m%d}",
        title=_("KIM positions"),
        header=header,
        rows=body,
        audit_subject="programmes.positions",
    )


@login_required
@require_http_methods(["GET", "POST"])
def position_export(request: HttpRequest, fmt: str) -> HttpResponse:
    return table_export(request, fmt, position_table)


@login_required
def position_detail(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    position = get_position_for_user(ctx, code)
    position = queries.with_detail(positions_for_user(ctx).filter(pk=position.pk)).get()
    today = timezone.localdate()
    return render(
        request,
        "programmes/position_detail.html",
        {
            "position": position,
            "today": today,
            "status": position.status_on(today),
            "may_edit": can_edit_position(ctx, position),
            "show_names": can_see_staff_names(ctx, position),
            # Holders whose staff record the reader keeps (the qualification link); no queries.
            "kept_staff": {
                i.staff_id for i in position.incumbencies.all() if can_manage_staff(ctx, i.staff)
            },
            "costs": queries.position_costs(position, years=range(today.year, today.year + 5)),
            "payroll": payroll_section(request, ctx, position, today),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def position_create(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    homes = position_homes_for_user(ctx)
    if not homes.exists():
        raise PermissionDenied
    form = PositionForm(
        request.POST or None, homes=homes, initial={"baustein": Baustein.B2, "entry_step": 1}
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("version", "status_from")}
        home = data["home"]
        if not can_create_position_at(ctx, home):
            raise PermissionDenied
        region = home if home.is_region else home.region
        try:
            position = actions.create_position(
                acting_user=request.user,
                region=region,
                status_from=form.cleaned_data.get("status_from") or timezone.localdate(),
                **data,
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The position has been created."))
            return redirect("programmes:position_detail", code=position.code)
    return render(request, "programmes/position_form.html", {"form": form, "position": None})


@login_required
@require_http_methods(["GET", "POST"])
def position_edit(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    position = get_position_for_editing(ctx, code)
    form = PositionForm(request.POST or None, instance=position, homes=position_homes_for_user(ctx))
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        position.refresh_from_db()
        try:
            actions.update_position(
                position,
                acting_user=request.user,
                expected_version=form.cleaned_data["version"] or 0,
                **fields,
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("programmes:position_detail", code=position.code)
    return render(request, "programmes/position_form.html", {"form": form, "position": position})


def _step_page(request: HttpRequest, position: object, form: object, title: str) -> HttpResponse:
    return render(
        request,
        "programmes/position_step.html",
        {"position": position, "form": form, "title": title},
    )


@login_required
@require_http_methods(["GET", "POST"])
def position_status(request: HttpRequest, code: str) -> HttpResponse:
    position = get_position_for_editing(user_context(request), code)
    form = StatusChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_position_status(position, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The status has been recorded."))
            return redirect("programmes:position_detail", code=position.code)
    return _step_page(request, position, form, _("Record a status change"))


@login_required
@require_http_methods(["GET", "POST"])
def position_incumbent(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    position = get_position_for_editing(ctx, code)
    form = IncumbencyForm(request.POST or None, staff=staff_for_position(ctx, position))
    if request.method == "POST" and form.is_valid():
        try:
            actions.assign_incumbent_or_new_staff(
                position, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The post holder has been recorded."))
            return redirect("programmes:position_detail", code=position.code)
    return _step_page(request, position, form, _("Record a post holder"))


@login_required
@require_http_methods(["GET", "POST"])
def incumbency_end(request: HttpRequest, code: str, incumbency_id: int) -> HttpResponse:
    position = get_position_for_editing(user_context(request), code)
    incumbency = position.incumbencies.filter(pk=incumbency_id, end__isnull=True).first()
    if incumbency is None:
        raise PermissionDenied
    form = EndIncumbencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.end_incumbency(
                incumbency, acting_user=request.user, end=form.cleaned_data["end"]
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(
                request, _("The end of the holder's time on the post has been recorded.")
            )
            return redirect("programmes:position_detail", code=position.code)
    return _step_page(request, position, form, _("End a post holder's time"))


@login_required
@require_http_methods(["GET", "POST"])
def staff_qualification(request: HttpRequest, code: str, staff_code: str) -> HttpResponse:
    ctx = user_context(request)
    position = get_position_for_editing(ctx, code)
    staff = get_staff_for_position(ctx, position, staff_code)
    form = QualificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.record_qualification(staff, acting_user=request.user, **form.cleaned_data)
        messages.success(request, _("The qualification has been recorded."))
        return redirect("programmes:position_detail", code=position.code)
    return _step_page(
        request, position, form, _("Record a qualification of %(who)s") % {"who": staff.pseudonym}
    )


@login_required
@require_http_methods(["GET", "POST"])
def position_funding(request: HttpRequest, code: str) -> HttpResponse:
    position = get_position_for_editing(user_context(request), code)
    form = FundingPeriodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_funding_period(position, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The funding period has been recorded."))
            return redirect("programmes:position_detail", code=position.code)
    return _step_page(request, position, form, _("Record a funding period"))
