"""Interpreter bookings: book from the case file, cancel, record as held, and the monthly
list of bookings and cost with its exports (``/fallmanagement/dolmetschen/``, D-093)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods

from kim.accounts.access import UserContext, user_context
from kim.cases.access import aggregate_regions, can_edit_case, get_booking_for_user
from kim.cases.actions import bookings as actions
from kim.cases.forms.bookings import BookingForm, CancelBookingForm, HeldBookingForm
from kim.cases.models import InterpreterBooking
from kim.cases.queries import bookings as q
from kim.cases.views.casefile import editable_case
from kim.cases.views.lifecycle import step_page
from kim.core.exports import ExportQuery, Table, export_builder, table_export
from kim.core.forms import add_action_errors
from kim.core.locking import EditConflict
from kim.core.rls import actor_of
from kim.network.access import bookable_interpreters, can_book_interpreters

GET_POST = require_http_methods(["GET", "POST"])


@login_required
@GET_POST
def booking_add(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    case = editable_case(request, code)
    interpreters = bookable_interpreters(ctx, case.organisation.region_id_or_self or 0)
    language = q.default_language(case)
    initial: dict[str, Any] = {"language": language}
    if language:
        first = next((i for i in interpreters if language in i.languages), None)
        initial["interpreter"] = first.pk if first else None
    form = BookingForm(
        request.POST or None,
        initial=initial,
        interpreters=interpreters.select_related("organisation"),
        consents=q.consent_choices(case),
        appointments=q.appointment_choices(ctx, case),
    )

    def run(data: dict[str, Any]) -> object:
        return actions.book_interpreter(case, acting_user=request.user, **data)

    return step_page(
        request,
        case,
        form,
        run,
        title=_("Book an interpreter"),
        done=_("The interpreter has been booked."),
    )


def _change_page(
    request: HttpRequest,
    case_code: str,
    code: str,
    form_class: type[CancelBookingForm] | type[HeldBookingForm],
    run: Callable[[InterpreterBooking, dict[str, Any]], object],
    title: str,
    done: str,
) -> HttpResponse:
    ctx = user_context(request)
    case, booking = get_booking_for_user(ctx, case_code, code)
    if not can_edit_case(ctx, case):
        raise PermissionDenied
    form = form_class(request.POST or None, initial={"version": booking.version})
    conflict_rows = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            run(booking, data)
        except EditConflict as exc:
            add_action_errors(form, exc)
            conflict_rows = exc.rows(data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(reverse("cases:case_detail", args=[case.code]) + "#interpreters")
    context = {
        "case": case,
        "booking": booking,
        "form": form,
        "title": title,
        "conflict_rows": conflict_rows,
        "cancel_url": reverse("cases:case_detail", args=[case.code]) + "#interpreters",
    }
    return render(request, "cases/booking_change.html", context)


@login_required
@GET_POST
def booking_cancel(request: HttpRequest, code: str, booking: str) -> HttpResponse:
    def run(b: InterpreterBooking, data: dict[str, Any]) -> object:
        return actions.cancel_booking(
            b, acting_user=request.user, expected_version=data["version"], reason=data["reason"]
        )

    return _change_page(
        request,
        code,
        booking,
        CancelBookingForm,
        run,
        _("Cancel the interpreter booking"),
        _("The booking has been cancelled."),
    )


@login_required
@GET_POST
def booking_held(request: HttpRequest, code: str, booking: str) -> HttpResponse:
    def run(b: InterpreterBooking, data: dict[str, Any]) -> object:
        return actions.record_booking_held(
            b,
            acting_user=request.user,
            expected_version=data["version"],
            billed_minutes=data["billed_minutes"],
        )

    return _change_page(
        request,
        code,
        booking,
        HeldBookingForm,
        run,
        _("The appointment with the interpreter took place"),
        _("The minutes billed have been recorded."),
    )


# --- the monthly list -------------------------------------------------------------------------


def _month_reader(ctx: UserContext) -> bool:
    """True for case managers and team leads (the bookings of their cases), False for the
    coordination (sums per organisation of its Kreis only); everybody else: 404."""
    if can_book_interpreters(ctx):
        return True
    if aggregate_regions(ctx):
        return False
    raise Http404("No interpreter bookings")


def _organisation_sums(ctx: UserContext, month: dt.date, *, audit: bool = True) -> list[q.Total]:
    return q.region_month_totals(aggregate_regions(ctx), month, actor_of(ctx), audit=audit)


@login_required
@require_GET
def interpreter_month(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    with_rows = _month_reader(ctx)
    month = q.parse_month(request.GET.get("monat"))
    if with_rows:
        listing = q.month_list(ctx, month)
    else:
        sums = _organisation_sums(ctx, month)
        total = q.Total("")
        for row in sums:
            total.count, total.minutes = total.count + row.count, total.minutes + row.minutes
            total.cost += row.cost
        listing = q.MonthList(month, [], [], sums, total)
    context = {
        "sums_only": not with_rows,
        "listing": listing,
        "month_param": f"{month:%Y-%m}",
        "previous_param": f"{listing.previous:%Y-%m}",
        "next_param": f"{listing.next:%Y-%m}",
        "total_tables": [
            (_("Totals per interpreter"), listing.by_interpreter, "totals-interpreter"),
            (_("Totals per organisation"), listing.by_organisation, "totals-organisation"),
        ],
    }
    return render(request, "cases/interpreter_month.html", context)


@export_builder
def interpreter_month_table(query: ExportQuery) -> Table:
    """Exactly the page's rows: the same door and query."""
    with_rows = _month_reader(query.ctx)
    month = q.parse_month(query.params.get("monat"))
    if not with_rows:
        return Table(
            filename=f"dolmetschen-organisationen-{month:%Y-%m}",
            title=_("Interpreter cost %(month)s") % {"month": f"{month:%m.%Y}"},
            header=[
                _("Organisation"),
                _("Bookings"),
                pgettext("duration", "Minutes"),
                _("Cost (€)"),
            ],
            rows=lambda: [
                [t.name, t.count, t.minutes, t.cost]
                for t in _organisation_sums(query.ctx, month, audit=False)
            ],
            audit_subject="cases.interpreter_cost",
        )

    def rows() -> list[list[Any]]:
        listing = q.month_list(query.ctx, month)
        return [
            [
                formats.date_format(
                    timezone.localtime(r.booking.starts_at), "SHORT_DATETIME_FORMAT"
                ),
                r.number,
                r.organisation,
                r.interpreter,
                r.language,
                r.minutes,
                r.cost,
                r.status,
            ]
            for r in listing.rows
        ]

    return Table(
        filename=f"dolmetschen-{month:%Y-%m}",
        title=_("Interpreter bookings %(month)s") % {"month": f"{month:%m.%Y}"},
        header=[
            _("Appointment"),
            _("Case number"),
            _("Organisation"),
            _("Interpreter"),
            _("Language"),
            pgettext("duration", "Minutes"),
            _("Cost (€)"),
            _("Status"),
        ],
        rows=rows,
        audit_subject="cases.interpreter_bookings",
    )


@login_required
@GET_POST
def interpreter_month_export(request: HttpRequest, fmt: str) -> HttpResponse:
    return table_export(request, fmt, interpreter_month_table)


urlpatterns: list[URLPattern] = [
    path("faelle/<str:code>/dolmetschen/neu/", booking_add, name="booking_add"),
    path(
        "faelle/<str:code>/dolmetschen/<str:booking>/absagen/",
        booking_cancel,
        name="booking_cancel",
    ),
    path(
        "faelle/<str:code>/dolmetschen/<str:booking>/stattgefunden/",
        booking_held,
        name="booking_held",
    ),
    path("dolmetschen/", interpreter_month, name="interpreter_month"),
    path("dolmetschen/export.<str:fmt>", interpreter_month_export, name="interpreter_month_export"),
]
