"""Pass-through agreements: the list, creating one, its page, payment schedule, reporting
duties with receipt and review, and the deadlines of the coordination."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kim.accounts.access import user_context
from kim.core.exports import ExportQuery, Table, export_builder, table_export
from kim.core.forms import add_action_errors
from kim.partners import actions, queries
from kim.partners.access import (
    can_manage_agreement,
    can_use_agreements,
    can_use_deadlines,
    get_agreement_for_managing,
    get_agreement_for_user,
    get_duty_for_managing,
    get_payment_for_managing,
    grantors_for_user,
    positions_for_talks,
    recipients_for_user,
)
from kim.partners.forms import (
    AgreementForm,
    DoneForm,
    PaymentForm,
    ReceivedForm,
    ReportingDutyForm,
    ReviewForm,
)
from kim.partners.models import Agreement


@login_required
def agreement_list(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    if not can_use_agreements(ctx):
        raise PermissionDenied
    context = {
        "agreements": queries.agreement_list(ctx),
        "today": timezone.localdate(),
        "may_create": grantors_for_user(ctx).exists(),
    }
    return render(request, "partners/agreement_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_create(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    grantors = grantors_for_user(ctx)
    if not grantors.exists():
        raise PermissionDenied
    form = AgreementForm(
        request.POST or None,
        grantors=grantors,
        recipients=recipients_for_user(ctx),
        positions=positions_for_talks(ctx),
    )
    if request.method == "POST" and form.is_valid():
        try:
            agreement = actions.create_agreement(acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The agreement has been recorded."))
            return redirect("partners:agreement_detail", code=agreement.code)
    return render(request, "partners/agreement_form.html", {"form": form})


@login_required
def agreement_detail(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    agreement = queries.agreement_detail(get_agreement_for_user(ctx, code))
    return render(
        request,
        "partners/agreement_detail.html",
        {
            "agreement": agreement,
            "today": timezone.localdate(),
            "may_manage": can_manage_agreement(ctx, agreement),
        },
    )


def _step(
    request: HttpRequest, agreement: Agreement, form: Form, title: str, subject: str = ""
) -> HttpResponse:
    return render(
        request,
        "partners/agreement_step.html",
        {"agreement": agreement, "form": form, "title": title, "subject": subject},
    )


def _done(request: HttpRequest, agreement: Agreement, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("partners:agreement_detail", code=agreement.code)


@login_required
@require_http_methods(["GET", "POST"])
def payment_add(request: HttpRequest, code: str) -> HttpResponse:
    agreement = get_agreement_for_managing(user_context(request), code)
    form = PaymentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_payment(agreement, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            return _done(request, agreement, _("The entry has been added to the schedule."))
    return _step(request, agreement, form, _("Add a call for funds or payment"))


@login_required
@require_http_methods(["GET", "POST"])
def payment_done(request: HttpRequest, code: str) -> HttpResponse:
    payment = get_payment_for_managing(user_context(request), code)
    form = DoneForm(request.POST or None, initial={"done_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            actions.mark_payment_done(payment, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            return _done(request, payment.agreement, _("Marked as done."))
    return _step(request, payment.agreement, form, _("Mark as done"), str(payment))


@login_required
@require_http_methods(["GET", "POST"])
def duty_add(request: HttpRequest, code: str) -> HttpResponse:
    agreement = get_agreement_for_managing(user_context(request), code)
    form = ReportingDutyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_reporting_duty(agreement, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            return _done(request, agreement, _("The reporting duty has been recorded."))
    return _step(request, agreement, form, _("Add a reporting duty"))


@login_required
@require_http_methods(["GET", "POST"])
def duty_received(request: HttpRequest, code: str) -> HttpResponse:
    duty = get_duty_for_managing(user_context(request), code)
    form = ReceivedForm(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_report_received(duty, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            return _done(request, duty.agreement, _("The receipt has been recorded."))
    return _step(request, duty.agreement, form, _("Record the receipt"), str(duty))


@login_required
@require_http_methods(["GET", "POST"])
def duty_review(request: HttpRequest, code: str) -> HttpResponse:
    duty = get_duty_for_managing(user_context(request), code)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_review(duty, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            return _done(request, duty.agreement, _("The review has been recorded."))
    return _step(request, duty.agreement, form, _("Record the review"), str(duty))


# Each group shows at most this many items (state-wide administrators see thousands); the
# export holds all of them.
DEADLINES_SHOWN = 100


@login_required
def deadlines(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    if not can_use_deadlines(ctx):
        raise PermissionDenied
    today = timezone.localdate()
    return render(
        request,
        "partners/deadlines.html",
        {
            "deadlines": queries.deadlines(ctx, today),
            "today": today,
            "shown": DEADLINES_SHOWN,
            "shown_slice": f":{DEADLINES_SHOWN}",
        },
    )


@export_builder
def deadline_table(query: ExportQuery) -> Table:
    """Every deadline of the page (not only the first ``DEADLINES_SHOWN`` of a group), through
    the page's door and query (``queries.deadlines``)."""
    if not can_use_deadlines(query.ctx):
        raise PermissionDenied
    today = timezone.localdate()

    def body() -> list[list[object]]:
        return [
            [
                label,
                item.due_on,
                item.kind,
                item.amount if item.amount is not None else "",
                item.party,
                item.agreement_title,
                item.agreement_code,
            ]
            for _key, label, items in queries.deadlines(query.ctx, today).groups
            for item in items
        ]

    return Table(
        filename=f"fristen-{today:%Y%m%d}",
        title=_("Deadlines"),
        header=[
            _("Group"),
            _("Due on"),
            _("Kind"),
            _("Amount (€)"),
            _("Who has to act"),
            _("Agreement"),
            _("Code"),
        ],
        rows=body,
        audit_subject="partners.deadlines",
    )


@login_required
@require_http_methods(["GET", "POST"])
def deadlines_export(request: HttpRequest, fmt: str) -> HttpResponse:
    return table_export(request, fmt, deadline_table)
