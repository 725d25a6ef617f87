"""Calls for expressions of interest (Interessenbekundungsverfahren): the list with filters and
exports, creating a call with its criteria, publication, submissions with documents, scoring
and the decision.

A welfare agency's manager reaches only published calls and the own submission: competitors'
submissions, documents and score pages answer 404, exactly like missing rows.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kim.accounts.access import UserContext, user_context
from kim.core.exports import ExportQuery, Table, export_builder, table_export
from kim.core.files import file_response
from kim.core.forms import add_action_errors
from kim.partners import queries
from kim.partners.access import (
    call_issuers_for_user,
    can_change_submission,
    can_manage_call,
    can_use_calls,
    get_call_for_managing,
    get_call_for_user,
    get_submission_document_for_user,
    get_submission_for_changing,
    get_submission_for_scoring,
    get_submission_for_user,
    positions_for_calls,
    submitting_agencies,
)
from kim.partners.actions import calls as actions
from kim.partners.forms import (
    CallFilterForm,
    CallForm,
    ConfirmForm,
    CriterionForm,
    DecisionForm,
    PublishForm,
    ScoreForm,
    SubmissionDocumentForm,
    SubmissionForm,
)
from kim.partners.models import Call, CallStatus, Submission, SubmissionStatus
from kim.programmes.access import can_view_position


def _filtered(ctx: UserContext, params: QueryDict) -> tuple[CallFilterForm, list[Call]]:
    form = CallFilterForm(params)
    data = form.cleaned_data if form.is_valid() else {}
    f = queries.CallFilter(
        status=data.get("status") or "",
        year=data.get("year"),
        q=(data.get("q") or "").strip(),
    )
    return form, queries.call_list(ctx, f)


@login_required
def call_list(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    if not can_use_calls(ctx):
        raise PermissionDenied
    form, calls = _filtered(ctx, request.GET)
    context = {
        "form": form,
        "calls": calls,
        "params": request.GET.urlencode(),
        "filtered": any(request.GET.get(k) for k in ("status", "year", "q")),
        "may_create": call_issuers_for_user(ctx).exists(),
    }
    template = (
        "partners/_call_table.html"
        if request.headers.get("HX-Request")
        else "partners/call_list.html"
    )
    return render(request, template, context)


def _local(value: dt.datetime, fmt: str) -> object:
    """A moment for the spreadsheet: a (naive, local) date and time in XLSX, text in CSV."""
    local = timezone.localtime(value)
    return local.replace(tzinfo=None) if fmt == "xlsx" else f"{local:%d.%m.%Y %H:%M}"


@export_builder
def call_table(query: ExportQuery) -> Table:
    """The list of calls as an export: the list's door, filters and query (``call_list``)."""
    if not can_use_calls(query.ctx):
        raise PermissionDenied
    header = [
        _("Code"),
        _("Title"),
        _("Issued by"),
        _("Baustein"),
        _("Area"),
        _("Status"),
        _("Published on"),
        _("Deadline for submissions"),
        _("Period from"),
        _("Period to"),
        _("VZÄ offered"),
        _("Funding per VZÄ and year (€)"),
        _("Top-up per VZÄ and year (€)"),
        _("Submissions"),
        _("Decision"),
        _("Decided on"),
    ]

    def body() -> list[list[object]]:
        _form, calls = _filtered(query.ctx, query.params)
        return [
            [
                c.code,
                c.title,
                c.issuer.name,
                c.baustein,
                c.area,
                c.get_status_display(),
                c.published_on,
                _local(c.deadline, query.fmt),
                c.period_start,
                c.period_end,
                c.offered_vze,  # type: ignore[attr-defined]
                c.funding_per_vze,
                c.top_up_per_vze,
                # Agencies must not learn how many competitors there are.
                c.submission_count if c.may_manage else None,  # type: ignore[attr-defined]
                c.get_decision_display(),
                c.decided_on,
            ]
            for c in calls
        ]

    return Table(
        filename=f"interessenbekundungen-{timezone.localdate():%Y%m%d}",
        title=_("Calls for expressions of interest"),
        header=header,
        rows=body,
        audit_subject="partners.calls",
    )


@login_required
@require_http_methods(["GET", "POST"])
def call_export(request: HttpRequest, fmt: str) -> HttpResponse:
    return table_export(request, fmt, call_table)


@login_required
@require_http_methods(["GET", "POST"])
def call_create(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    issuers = call_issuers_for_user(ctx)
    if not issuers.exists():
        raise PermissionDenied
    initial = {"issuer": issuers[0]} if len(issuers) == 1 else {}
    form = CallForm(
        request.POST or None, issuers=issuers, positions=positions_for_calls(ctx), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            call = actions.create_call(acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The call has been saved as a draft. Add its criteria."))
            return redirect("partners:call_detail", code=call.code)
    return render(request, "partners/call_form.html", {"form": form})


@login_required
def call_detail(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    call = get_call_for_user(ctx, code)
    managing = can_manage_call(ctx, call)
    page = queries.call_page(ctx, call, managing=managing)
    now = timezone.now()
    submitted = {s.traeger_id for s in page.submissions}
    may_submit = call.status == CallStatus.PUBLISHED and (managing or now <= call.deadline)
    if may_submit:
        may_submit = submitting_agencies(ctx, call).exclude(pk__in=submitted).exists()
    return render(
        request,
        "partners/call_detail.html",
        {
            "call": call,
            "page": page,
            "managing": managing,
            "may_submit": may_submit,
            "deadline_passed": now > call.deadline,
            "scoring_open": call.status == CallStatus.PUBLISHED and now > call.deadline,
            "positions": [(p, can_view_position(ctx, p)) for p in page.positions],
            "agreements": [
                (s.agreement, page.awards.get(s.pk, [])) for s in page.submissions if s.agreement
            ],
        },
    )


def _step(
    request: HttpRequest,
    form: Form | None,
    *,
    title: str,
    back: tuple[str, str],
    notice: str = "",
    intro: str = "",
    submit_label: str = "",
) -> HttpResponse:
    """One form page (``call_step.html``); with a ``notice`` instead of the form if the step
    is not possible in the current state."""
    context = {
        "form": form,
        "title": title,
        "back_url": back[0],
        "back_label": back[1],
        "notice": notice,
        "intro": intro,
        "submit_label": submit_label or _("Save"),
    }
    return render(request, "partners/call_step.html", context)


def _call_back(call: Call) -> tuple[str, str]:
    return reverse("partners:call_detail", args=[call.code]), call.title


def _submission_back(submission: Submission) -> tuple[str, str]:
    return (
        reverse("partners:submission_detail", args=[submission.code]),
        _("Expression of interest by %(org)s") % {"org": submission.traeger.name},
    )


@login_required
@require_http_methods(["GET", "POST"])
def criterion_add(request: HttpRequest, code: str) -> HttpResponse:
    call = get_call_for_managing(user_context(request), code)
    notice = ""
    if call.status != CallStatus.DRAFT:
        notice = _("Criteria can only be changed before the call is published.")
    form = CriterionForm(request.POST or None)
    if request.method == "POST" and not notice and form.is_valid():
        try:
            actions.add_criterion(call, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The criterion has been added."))
            return redirect("partners:call_detail", code=call.code)
    weights = sum(c.weight for c in call.criteria.all())
    return _step(
        request,
        form,
        title=_("Add a criterion"),
        back=_call_back(call),
        notice=notice,
        intro=_("Weights so far: %(used)s %% of 100 %%.") % {"used": weights},
    )


@login_required
@require_http_methods(["GET", "POST"])
def call_publish(request: HttpRequest, code: str) -> HttpResponse:
    call = get_call_for_managing(user_context(request), code)
    notice = "" if call.status == CallStatus.DRAFT else _("This call has already been published.")
    form = PublishForm(request.POST or None, initial={"published_on": timezone.localdate()})
    if request.method == "POST" and not notice and form.is_valid():
        try:
            actions.publish_call(call, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The call has been published."))
            return redirect("partners:call_detail", code=call.code)
    deadline = timezone.localtime(call.deadline)
    return _step(
        request,
        form,
        title=_("Publish the call"),
        back=_call_back(call),
        notice=notice,
        intro=_(
            "After publication the criteria are fixed and welfare agencies of the Kreis can "
            "submit until the deadline (%(deadline)s)."
        )
        % {"deadline": f"{deadline:%d.%m.%Y %H:%M}"},
        submit_label=_("Publish"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def submission_create(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    call = get_call_for_user(ctx, code)
    agencies = submitting_agencies(ctx, call)
    if not agencies.exists():
        raise PermissionDenied
    managing, now = can_manage_call(ctx, call), timezone.now()
    form = SubmissionForm(
        request.POST or None,
        request.FILES or None,
        agencies=agencies,
        may_backdate=managing,
        now=now,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            submission = actions.submit_interest(
                call,
                acting_user=request.user,
                traeger=data["traeger"],
                vze_offered=data["vze_offered"],
                summary=data["summary"],
                submitted_at=data.get("submitted_at"),
                documents=[data["document"]] if data.get("document") else [],
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The expression of interest has been received."))
            return redirect("partners:submission_detail", code=submission.code)
    return render(
        request,
        "partners/submission_form.html",
        {
            "call": call,
            "form": form,
            "managing": managing,
            "closed": now > call.deadline and not managing,
            "total_vze": actions.total_vze(call),
        },
    )


@login_required
def submission_detail(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    submission = get_submission_for_user(ctx, code)
    managing = can_manage_call(ctx, submission.call)
    return render(
        request,
        "partners/submission_detail.html",
        {
            "submission": submission,
            "call": submission.call,
            "documents": list(submission.documents.all()),
            "awarded": queries.awarded_positions(submission),
            "managing": managing,
            "scores": queries.submission_scores(submission) if managing else [],
            "may_change": can_change_submission(ctx, submission)
            and submission.call.status != CallStatus.DECIDED,
            "may_withdraw": can_change_submission(ctx, submission)
            and submission.call.status != CallStatus.DECIDED
            and submission.status == SubmissionStatus.SUBMITTED,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def submission_document_add(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    submission = get_submission_for_changing(ctx, code)
    notice = ""
    if submission.call.status == CallStatus.DECIDED:
        notice = _("The call has been decided; documents can no longer be added.")
    form = SubmissionDocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and not notice and form.is_valid():
        try:
            actions.attach_submission_document(
                submission,
                acting_user=request.user,
                checked=form.cleaned_data["file"],
                by_agency=not can_manage_call(ctx, submission.call),
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The document has been stored."))
            return redirect("partners:submission_detail", code=submission.code)
    return _step(
        request,
        form,
        title=_("Add a document"),
        back=_submission_back(submission),
        notice=notice,
        intro=_(
            "The file is stored outside the web server's public folders and can only be "
            "downloaded by the agency and the call's managers. Every download is recorded in "
            "the audit trail."
        ),
        submit_label=_("Upload"),
    )


@login_required
@require_GET
def submission_document_download(request: HttpRequest, code: str) -> FileResponse:
    """Submission documents leave the server only here: after the access check, audited."""
    document = get_submission_document_for_user(user_context(request), code)
    response = file_response(
        document.file, filename=document.original_name, content_type=document.content_type
    )
    actions.record_submission_document_download(document, acting_user=request.user)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def submission_withdraw(request: HttpRequest, code: str) -> HttpResponse:
    submission = get_submission_for_changing(user_context(request), code)
    notice = ""
    if submission.call.status == CallStatus.DECIDED:
        notice = _("The call has been decided; the submission cannot be withdrawn.")
    elif submission.status == SubmissionStatus.WITHDRAWN:
        notice = _("The submission has already been withdrawn.")
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not notice and form.is_valid():
        try:
            actions.withdraw_submission(submission, acting_user=request.user)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The expression of interest has been withdrawn."))
            return redirect("partners:submission_detail", code=submission.code)
    return _step(
        request,
        form,
        title=_("Withdraw the expression of interest"),
        back=_submission_back(submission),
        notice=notice,
        intro=_(
            "A withdrawn submission is no longer scored and cannot win posts. This cannot be "
            "undone, and the agency cannot submit to this call again."
        ),
        submit_label=_("Withdraw"),
    )


def _scoring_notice(call: Call, submission: Submission, now: dt.datetime) -> str:
    if call.status == CallStatus.DRAFT:
        return _("The call has not been published yet.")
    if call.status == CallStatus.DECIDED:
        return _("The call has been decided; scores can no longer be changed.")
    if now <= call.deadline:
        deadline = timezone.localtime(call.deadline)
        return _("Scoring opens when the deadline has passed (%(deadline)s).") % {
            "deadline": f"{deadline:%d.%m.%Y %H:%M}"
        }
    if submission.status != SubmissionStatus.SUBMITTED:
        return _("A withdrawn submission is not scored.")
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def submission_score(request: HttpRequest, code: str) -> HttpResponse:
    submission = get_submission_for_scoring(user_context(request), code)
    call = submission.call
    criteria = list(call.criteria.all())
    mine = queries.my_scores(call, request.user.pk, submission)
    initial: dict[str, object] = {}
    for criterion_id, score in mine.items():
        initial[f"points_{criterion_id}"] = score.points
        initial[f"comment_{criterion_id}"] = score.comment
    form = ScoreForm(
        request.POST or None, criteria=criteria, scale_max=call.scale_max, initial=initial
    )
    notice = _scoring_notice(call, submission, timezone.now())
    if request.method == "POST" and not notice and form.is_valid():
        try:
            actions.score_submission(
                submission,
                acting_user=request.user,  # type: ignore[arg-type]
                points=form.points(),
                comments=form.comments(),
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("Your scores have been saved."))
            return redirect("partners:call_detail", code=call.code)
    return render(
        request,
        "partners/score_form.html",
        {
            "submission": submission,
            "call": call,
            "form": form,
            "notice": notice,
            "rescoring": bool(mine),
        },
    )


def _candidates(page: queries.CallPage) -> list[tuple[Submission, str]]:
    """The active submissions, best first, labelled with rank, total and VZÄ offered."""
    result = []
    for ranked in page.ranking or []:
        submission: Submission = ranked.key  # type: ignore[assignment]
        label = _("%(org)s – rank %(rank)s, %(total)s points, offers %(vze)s VZÄ") % {
            "org": submission.traeger.name,
            "rank": ranked.rank,
            "total": f"{ranked.total_shown:.2f}".replace(".", ","),
            "vze": f"{submission.vze_offered:.2f}".replace(".", ","),
        }
        result.append((submission, label))
    return result


@login_required
@require_http_methods(["GET", "POST"])
def call_decide(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    call = get_call_for_managing(ctx, code)
    page = queries.call_page(ctx, call, managing=True)
    notice = ""
    if call.status != CallStatus.PUBLISHED:
        notice = _("Only a published call that is not yet decided can be decided.")
    form = DecisionForm(
        request.POST or None,
        positions=page.positions,
        candidates=_candidates(page),
        initial={"decided_on": timezone.localdate()},
    )
    if request.method == "POST" and not notice and form.is_valid():
        data = form.cleaned_data
        try:
            actions.decide_call(
                call,
                acting_user=request.user,
                decision=data["decision"],
                reason=data["decision_reason"],
                decided_on=data["decided_on"],
                decided_by=data["decided_by"],
                awards=form.awards(),
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The decision has been recorded."))
            return redirect("partners:call_detail", code=call.code)
    return render(
        request,
        "partners/decision_form.html",
        {"call": call, "page": page, "form": form, "notice": notice},
    )
