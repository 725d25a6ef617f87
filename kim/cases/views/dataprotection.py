"""Data-protection pages of a case: Art. 15 export (JSON, PDF), erasure on request, legal hold.

Exports and erasure need a recent password entry (re-authentication, CONVENTIONS § 3.4).
"""

from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kim.accounts.access import user_context
from kim.cases.access import (
    can_erase_person,
    can_export_case,
    can_set_legal_hold,
    get_case_for_user,
)
from kim.cases.actions.dataprotection import erase_person, record_case_export, set_legal_hold
from kim.cases.art15 import SECTIONS, art15_data, art15_json, art15_pdf
from kim.cases.forms.dataprotection import EraseForm, LegalHoldForm
from kim.cases.models import Case
from kim.core.files import bytes_response
from kim.core.forms import add_action_errors

CONTENT_TYPES = {"json": "application/json", "pdf": "application/pdf"}


def _exportable(request: HttpRequest, code: str) -> Case:
    """The case door: 404 for everyone who may not see the case, 403 for readers who may not
    export it – answered before the password prompt, exactly like the case page."""
    ctx = user_context(request)
    case = get_case_for_user(ctx, code)
    if not can_export_case(ctx, case):
        raise PermissionDenied
    return case


@reauthentication_required
def _export(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    ctx = user_context(request)
    case = _exportable(request, code)
    data = art15_data(ctx, case)
    body = art15_json(data) if fmt == "json" else art15_pdf(data)
    record_case_export(
        case,
        acting_user=request.user,
        fmt=fmt,
        sections=SECTIONS,
        confidential_notes=data["confidential_notes_included"],
    )
    return bytes_response(
        body, filename=f"auskunft-{case.person.number}.{fmt}", content_type=CONTENT_TYPES[fmt]
    )


@login_required
@require_GET
def art15_json_view(request: HttpRequest, code: str) -> HttpResponse:
    _exportable(request, code)
    return _export(request, code, "json")


@login_required
@require_GET
def art15_pdf_view(request: HttpRequest, code: str) -> HttpResponse:
    _exportable(request, code)
    return _export(request, code, "pdf")


def _case_for(request: HttpRequest, code: str, allowed: object) -> Case:
    ctx = user_context(request)
    case = get_case_for_user(ctx, code)
    if not allowed(ctx, case):  # type: ignore[operator]
        raise PermissionDenied
    return case


@login_required
@reauthentication_required
@require_http_methods(["GET", "POST"])
def erase_person_view(request: HttpRequest, code: str) -> HttpResponse:
    case = _case_for(request, code, can_erase_person)
    form = EraseForm(request.POST or None, expected_number=case.person.number)
    if request.method == "POST" and form.is_valid():
        try:
            erase_person(case, acting_user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(
                request, _("Person %(number)s has been erased.") % {"number": case.person.number}
            )
            return redirect("cases:worklist")
    return render(request, "cases/erase_confirm.html", {"case": case, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def legal_hold_view(request: HttpRequest, code: str) -> HttpResponse:
    case = _case_for(request, code, can_set_legal_hold)
    initial = {"on": "0" if case.legal_hold else "1", "reason": case.legal_hold_reason}
    form = LegalHoldForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            set_legal_hold(
                case,
                acting_user=request.user,
                on=form.cleaned_data["on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The legal hold has been changed."))
            return redirect("cases:case_detail", code=case.code)
    context = {"case": case, "form": form, "case_url": reverse("cases:case_detail", args=[code])}
    return render(request, "cases/legal_hold_form.html", context)


urlpatterns: list[URLPattern] = [
    path("faelle/<str:code>/auskunft/json/", art15_json_view, name="art15_json"),
    path("faelle/<str:code>/auskunft/pdf/", art15_pdf_view, name="art15_pdf"),
    path("faelle/<str:code>/loeschen/", erase_person_view, name="erase_person"),
    path("faelle/<str:code>/sperre/", legal_hold_view, name="legal_hold"),
]
