"""Structural barriers: recording one from a case, and the anonymised barrier log.

The log is for the KIM coordination, programme leads and team leads
(``kim.cases.access.can_view_barrier_log``). Case managers get **403**: the page is the same
for everyone and its existence reveals nothing, so "not allowed" is the honest answer (unlike a
case, where a stranger gets 404). The log never shows or links a case, person, case manager or
exact date.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kim.accounts.access import UserContext, user_context
from kim.cases import access
from kim.cases.actions.barriers import record_barrier
from kim.cases.forms.barriers import BarrierFilterForm, BarrierForm
from kim.cases.queries import barriers as queries
from kim.cases.queries.consent import barrier_categories, recipient_choices
from kim.core.exports import ExportQuery, Table, export_builder, table_export
from kim.core.forms import add_action_errors


def _filter(ctx: UserContext, params: QueryDict) -> tuple[BarrierFilterForm, queries.BarrierFilter]:
    """The log's door (403) and filter, shared by the page and its exports."""
    if not access.can_view_barrier_log(ctx):
        raise PermissionDenied
    form = BarrierFilterForm(params, categories=queries.category_choices())
    data = form.cleaned_data if form.is_valid() else {}
    f = queries.BarrierFilter(
        year=data.get("year"), quarter=data.get("quarter"), category=data.get("category") or ""
    )
    return form, f


@login_required
@require_GET
def barrier_log(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    form, f = _filter(ctx, request.GET)
    groups = queries.barrier_log(ctx, f)
    template = (
        "cases/barrier_log_table.html"
        if request.headers.get("HX-Request")
        else "cases/barrier_log.html"
    )
    context = {"form": form, "groups": groups, "params": request.GET.urlencode()}
    return render(request, template, context)


@export_builder
def barrier_table(query: ExportQuery) -> Table:
    """The anonymised log as an export: the page's door, filter and groups."""
    _form, f = _filter(query.ctx, query.params)
    header = [
        _("Category"),
        _("Legal sphere"),
        _("Organisation involved"),
        _("Count"),
        _("Quarters"),
        _("Descriptions"),
        _("Suggested remedies"),
    ]
    return Table(
        filename=f"barrieren-{timezone.localdate():%Y%m%d}",
        title=_("Structural barriers"),
        header=header,
        rows=lambda: queries.export_rows(queries.barrier_log(query.ctx, f)),
        audit_subject="cases.barrier_log",
    )


@login_required
@require_http_methods(["GET", "POST"])
def barrier_export(request: HttpRequest, fmt: str) -> HttpResponse:
    return table_export(request, fmt, barrier_table)


@login_required
@require_http_methods(["GET", "POST"])
def barrier_add(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    case = access.get_case_for_user(ctx, code)
    if not access.can_edit_case(ctx, case):
        raise PermissionDenied
    form = BarrierForm(
        request.POST or None,
        categories=barrier_categories(timezone.localdate()),
        organisations=recipient_choices(case),
        initial={"observed_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            record_barrier(case, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The structural barrier has been recorded."))
            return redirect(reverse("cases:case_detail", args=[case.code]))
    return render(request, "cases/barrier_form.html", {"case": case, "form": form})


urlpatterns: list[URLPattern] = [
    path("barrieren/", barrier_log, name="barrier_log"),
    path("barrieren/export.<str:fmt>", barrier_export, name="barrier_export"),
    path("faelle/<str:code>/barrieren/neu/", barrier_add, name="barrier_add"),
]
