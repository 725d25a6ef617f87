"""Consent, the printable consent form, and the disclosures: referrals, case conferences,
shared documents and case summaries.

Access: strangers get 404 (``get_case_for_user``); who may see the case but not act gets 403
(``can_edit_case`` for consents and referral answers, ``can_disclose`` for disclosures). Every
disclosure POST asks for the password again (allauth ``reauthentication_required``; GET shows
the form without it). A refused disclosure shows the reason next to the recipient field and
stores nothing but its audit event.
"""

from __future__ import annotations

from typing import Any

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kim.accounts.access import UserContext, user_context
from kim.cases import access, printing
from kim.cases.actions import consent as consent_actions
from kim.cases.actions import referrals as referral_actions
from kim.cases.documents import document_response
from kim.cases.forms.consent import (
    ConferenceForm,
    ConsentForm,
    ConsentPrintForm,
    DocumentShareForm,
    ReferralForm,
    ReferralStatusForm,
    RevokeForm,
    SummaryForm,
)
from kim.cases.models import Case
from kim.cases.queries import consent as queries
from kim.core.files import bytes_response
from kim.core.forms import add_action_errors
from kim.core.pdf import html_to_pdf

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

FORM_TEMPLATE = "cases/disclosure_form.html"


def _case(request: HttpRequest, code: str, predicate: Any) -> tuple[UserContext, Case]:
    """The case (404 for strangers) and 403 unless ``predicate`` allows the request."""
    ctx = user_context(request)
    case = access.get_case_for_user(ctx, code)
    if not predicate(ctx, case):
        raise PermissionDenied
    return ctx, case


def _case_url(case: Case) -> str:
    return reverse("cases:case_detail", args=[case.code])


def _form_page(request: HttpRequest, case: Case, form: Form, **extra: Any) -> HttpResponse:
    context = {"case": case, "form": form, "cancel_url": _case_url(case), **extra}
    return render(request, FORM_TEMPLATE, context)


def _try(form: Form, action: Any, **kwargs: Any) -> Any:
    """Run the action; on a ValidationError show it on the form and return None."""
    try:
        return action(**kwargs)
    except ValidationError as exc:
        add_action_errors(form, exc)
        return None


# --------------------------------------------------------------------------------------------
# Consent
# --------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def consent_add(request: HttpRequest, code: str) -> HttpResponse:
    _ctx, case = _case(request, code, access.can_edit_case)
    form = ConsentForm(
        request.POST or None,
        request.FILES or None,
        recipients=queries.recipient_choices(case),
        initial={"given_on": timezone.localdate(), "form_language": "de"},
    )
    if request.method == "POST" and form.is_valid():
        kwargs = {"case": case, "acting_user": request.user, **form.cleaned_data}
        if _try(form, consent_actions.record_consent, **kwargs):
            messages.success(request, _("The consent has been recorded."))
            return redirect(_case_url(case))
    return _form_page(
        request, case, form, title=_("Record a consent"), multipart=True, kind="consent"
    )


@login_required
@require_http_methods(["GET", "POST"])
def consent_revoke(request: HttpRequest, code: str, consent: str) -> HttpResponse:
    _ctx, case = _case(request, code, access.can_edit_case)
    found = queries.get_consent_with_case(case, consent)
    form = RevokeForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _try(form, consent_actions.revoke_consent, consent=found, acting_user=request.user)
    ):
        messages.success(request, _("The consent has been revoked."))
        return redirect(_case_url(case))
    return render(
        request,
        "cases/consent_revoke.html",
        {"case": case, "consent": found, "form": form, "cancel_url": _case_url(case)},
    )


@login_required
@require_GET
def consent_document(request: HttpRequest, code: str, consent: str, document: str) -> HttpResponse:
    """The signed form leaves the server only here: after the access check, audited."""
    case, found = access.get_consent_document_for_user(
        user_context(request), code, consent, document
    )
    response = document_response(found)
    consent_actions.record_consent_document_read(found, acting_user=request.user, case=case)
    return response


@login_required
@require_GET
def consent_form(request: HttpRequest, code: str) -> HttpResponse:
    """The printable consent form (HTML, or PDF with ``format=pdf``); without complete
    parameters, the page to choose them."""
    _ctx, case = _case(request, code, access.can_edit_case)
    recipients = queries.recipient_choices(case)
    choices = queries.form_language_choices(
        case.organisation.region_id_or_self, timezone.localdate()
    )
    form = ConsentPrintForm(
        request.GET if "recipient" in request.GET else None,
        recipients=recipients,
        language_choices=choices,
        initial={"language": queries.preferred_form_language(case, [c for c, _n in choices])},
    )
    recipient = None
    if form.is_valid():
        recipient = recipients.filter(code=form.cleaned_data["recipient"]).first()
        if recipient is None:
            form.add_error("recipient", _("Choose a partner organisation of the list."))
    if recipient is None:
        formats = [
            ("html", _("Print view")),
            ("pdf", _("As PDF")),
            ("docx", _("As Word document")),
        ]
        return render(
            request,
            "cases/consent_form_choose.html",
            {"case": case, "form": form, "formats": formats},
        )
    data = form.cleaned_data
    fmt = request.GET.get("format", "html")
    fmt = fmt if fmt in ("pdf", "docx") else "html"
    forms = queries.consent_forms(
        case,
        recipient=recipient,
        purpose=data["purpose"],
        categories=data["categories"],
        valid_until=data["valid_until"],
        language=data["language"],
    )
    consent_actions.record_consent_form_printed(
        case,
        acting_user=request.user,
        recipient=recipient,
        categories=data["categories"],
        language=data["language"],
        fmt=fmt,
    )
    filename = f"einwilligung-{case.person.number}"
    if fmt == "docx":
        return bytes_response(
            printing.consent_form_docx(case, forms),
            filename=f"{filename}.docx",
            content_type=DOCX,
        )
    context = {
        "case": case,
        "forms": forms,
        "params": _print_params(request),
        "demo_mark": queries.DEMO_MARK,
    }
    if fmt == "html":
        return render(request, "cases/consent_form_print.html", context)
    return bytes_response(
        html_to_pdf(printing.consent_form_html(case, forms)),
        filename=f"{filename}.pdf",
        content_type="application/pdf",
    )


def _print_params(request: HttpRequest) -> str:
    """The chosen parameters without ``format`` (for the links to the PDF and DOCX)."""
    params = request.GET.copy()
    params.pop("format", None)
    return params.urlencode()


# --------------------------------------------------------------------------------------------
# Disclosures (re-authentication before each POST)
# --------------------------------------------------------------------------------------------


@login_required
@reauthentication_required(allow_get=True)
@require_http_methods(["GET", "POST"])
def referral_add(request: HttpRequest, code: str) -> HttpResponse:
    _ctx, case = _case(request, code, access.can_disclose)
    form = ReferralForm(
        request.POST or None,
        recipients=queries.recipient_choices(case),
        goals=queries.case_goals(case),
        services_on=lambda day: queries.referral_services(case, day),
        initial={"sent_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        kwargs = {"case": case, "acting_user": request.user, **form.cleaned_data}
        if _try(form, referral_actions.send_referral, **kwargs):
            messages.success(request, _("The referral has been recorded as sent."))
            return redirect(_case_url(case))
    return _form_page(request, case, form, title=_("Refer to a partner"), kind="disclosure")


@login_required
@require_http_methods(["GET", "POST"])
def referral_status(request: HttpRequest, code: str, referral: str) -> HttpResponse:
    _ctx, case = _case(request, code, access.can_edit_case)
    found = queries.get_referral(case, referral)
    moves = referral_actions.REFERRAL_MOVES.get(found.status, ())
    form = ReferralStatusForm(
        request.POST or None, moves=moves, initial={"on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        kwargs = {"referral": found, "acting_user": request.user, **form.cleaned_data}
        if _try(form, referral_actions.update_referral_status, **kwargs):
            messages.success(request, _("The status of the referral has been changed."))
            return redirect(_case_url(case))
    title = _("Answer of %(recipient)s") % {"recipient": found.recipient.name}
    return _form_page(request, case, form, title=title, kind="referral", referral=found)


@login_required
@reauthentication_required(allow_get=True)
@require_http_methods(["GET", "POST"])
def conference_add(request: HttpRequest, code: str) -> HttpResponse:
    _ctx, case = _case(request, code, access.can_disclose)
    form = ConferenceForm(
        request.POST or None,
        recipients=queries.recipient_choices(case),
        initial={"held_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        kwargs = {"case": case, "acting_user": request.user, **form.cleaned_data}
        if _try(form, referral_actions.record_conference, **kwargs):
            messages.success(request, _("The case conference has been recorded."))
            return redirect(_case_url(case))
    return _form_page(request, case, form, title=_("Record a case conference"), kind="disclosure")


@login_required
@reauthentication_required(allow_get=True)
@require_http_methods(["GET", "POST"])
def document_share(request: HttpRequest, code: str) -> HttpResponse:
    _ctx, case = _case(request, code, access.can_disclose)
    form = DocumentShareForm(
        request.POST or None,
        recipients=queries.recipient_choices(case),
        documents=queries.case_documents(case),
    )
    if request.method == "POST" and form.is_valid():
        kwargs = {"case": case, "acting_user": request.user, **form.cleaned_data}
        if _try(form, referral_actions.share_document, **kwargs):
            messages.success(request, _("The passing on of the document has been recorded."))
            return redirect(_case_url(case))
    return _form_page(request, case, form, title=_("Pass on a document"), kind="disclosure")


@login_required
@reauthentication_required(allow_get=True)
@require_http_methods(["GET", "POST"])
def summary_send(request: HttpRequest, code: str) -> HttpResponse:
    """The summary is downloaded at once; that download is the disclosure."""
    _ctx, case = _case(request, code, access.can_disclose)
    form = SummaryForm(request.POST or None, recipients=queries.recipient_choices(case))
    if request.method == "POST" and form.is_valid():
        kwargs = {"case": case, "acting_user": request.user, **form.cleaned_data}
        summary = _try(form, referral_actions.send_case_summary, **kwargs)
        if summary is not None:
            return bytes_response(
                summary.pdf, filename=summary.filename, content_type="application/pdf"
            )
    return _form_page(request, case, form, title=_("Case summary for a partner"), kind="summary")


urlpatterns: list[URLPattern] = [
    path("faelle/<str:code>/einwilligungen/neu/", consent_add, name="consent_add"),
    path("faelle/<str:code>/einwilligungen/formular/", consent_form, name="consent_form"),
    path(
        "faelle/<str:code>/einwilligungen/<str:consent>/widerruf/",
        consent_revoke,
        name="consent_revoke",
    ),
    path(
        "faelle/<str:code>/einwilligungen/<str:consent>/formulare/<str:document>/",
        consent_document,
        name="consent_document",
    ),
    path("faelle/<str:code>/vermittlungen/neu/", referral_add, name="referral_add"),
    path(
        "faelle/<str:code>/vermittlungen/<str:referral>/status/",
        referral_status,
        name="referral_status",
    ),
    path("faelle/<str:code>/fallkonferenzen/neu/", conference_add, name="conference_add"),
    path("faelle/<str:code>/weitergabe/dokument/", document_share, name="document_share"),
    path("faelle/<str:code>/weitergabe/zusammenfassung/", summary_send, name="summary_send"),
]
