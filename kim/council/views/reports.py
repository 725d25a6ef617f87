"""The administration's report on a motion: drafting it from the motion's page, the draft page
(composed from live data on every load), editing its header and the answer to each question,
downloads of the draft, the four-eyes release, and the released – frozen – versions with their
downloads; the list of reports.

Drafts are read without audit events: a report holds no personal data. Creating, editing and
releasing are audited by the actions. An answer whose figures changed since its text was saved
is marked on the draft page and needs a confirmation on the release page (decisions D-054).
Council members reach released versions only; every draft page is 404 for them
(``access.get_report_for_managing``).
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kim.accounts.access import UserContext, user_context
from kim.core.files import bytes_response
from kim.core.jobs import job_url, start_job
from kim.council.access import (
    bodies_for_managing,
    can_manage_report,
    can_release_report,
    can_use_council,
    departments_for_managing,
    get_motion_for_managing,
    get_release_for_user,
    get_report_for_managing,
    releases_for_user,
    reports_for_user,
)
from kim.council.actions import reports as actions
from kim.council.blocks import label_for
from kim.council.document import ReportDocument
from kim.council.forms import (
    ReleaseForm,
    ReportEditForm,
    ReportForm,
    SectionForm,
    add_action_errors,
)
from kim.council.models import Organization, Paper, Report, ReportRelease
from kim.council.render import XLSX_TYPE, attachment_blocks, file_name, render_attachment
from kim.council.render import render as render_document
from kim.council.render.html import render_html
from kim.council.report import changed_sections, compose, frozen
from kim.council.tasks import PDF_JOB_ROWS, pdf_in_background, render_report_pdf

DOWNLOADS = ("pdf", "docx", "html")  # every format of render.FORMATS, the usual one first


# --- helpers ------------------------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    """The signed-in user (every view here is ``login_required``); the report actions need a
    real person, since the four-eyes rule compares who edited with who releases."""
    return cast(User, request.user)


def _departments(ctx: UserContext, motion: Paper) -> QuerySet[Organization]:
    return departments_for_managing(ctx).filter(body_id=motion.body_id)


def _versions(ctx: UserContext) -> QuerySet[ReportRelease]:
    """Released versions for lists and headers, newest first, without their snapshots."""
    return (
        releases_for_user(ctx)
        .select_related("released_by", "drafted_by")
        .defer("snapshot")
        .order_by("-number")
    )


def _download(
    request: HttpRequest, doc: ReportDocument, fmt: str, suffix: str, page: str
) -> HttpResponse:
    """The file at once – or, for the PDF of a long report, a page offering to prepare it in
    the background (a GET changes nothing; its button posts to the same URL). ``page``: the
    report's page, for the way back."""
    if fmt == "pdf" and pdf_in_background(doc):
        return _offer_pdf_job(request, doc, page)
    content, content_type, extension = render_document(doc, fmt)
    filename = file_name(doc.reference, suffix, extension)
    return bytes_response(content, filename=filename, content_type=content_type)


def _attachment(doc: ReportDocument, key: str) -> HttpResponse:
    """The XLSX with the full list of a summarised block; 404 if the report has none."""
    try:
        content, filename = render_attachment(doc, key)
    except KeyError:
        raise Http404("No such attachment") from None
    return bytes_response(content, filename=filename, content_type=XLSX_TYPE)


def _attachment_links(doc: ReportDocument, url: str, *args: object) -> list[tuple[str, str]]:
    """``(file name, URL)`` of the report's XLSX attachments, for its page."""
    return [(name, reverse(url, args=[*args, key])) for key, name in attachment_blocks(doc).items()]


def _offer_pdf_job(request: HttpRequest, doc: ReportDocument, page: str) -> HttpResponse:
    def number(n: int) -> str:
        return formats.number_format(n, use_l10n=True, force_grouping=True)

    explanation = _(
        "The tables of this report hold %(n)s rows; the PDF of a report with more than "
        "%(limit)s rows takes too long to be made while you wait."
    ) % {"n": number(doc.table_rows), "limit": number(PDF_JOB_ROWS)}
    context = {
        "title": _pdf_job_title(doc.reference, doc.version if not doc.is_draft else None),
        "explanation": explanation,
        "button": _("Prepare the PDF"),
        "action": request.get_full_path(),
        "back_url": page,
        "back_label": _("Back to the report"),
    }
    return render(request, "core/job_offer.html", context)


def _pdf_job_title(reference: str, number: int | None) -> str:
    if number is None:
        return _("Report %(reference)s as PDF (draft)") % {"reference": reference}
    return _("Report %(reference)s as PDF (version %(n)s)") % {"reference": reference, "n": number}


def _start_pdf_job(
    request: HttpRequest, report: Report, fmt: str, number: int | None
) -> HttpResponse:
    """The POST of a download button: only the PDF is prepared in the background."""
    if fmt != "pdf":
        return HttpResponseNotAllowed(["GET"])
    job = start_job(
        render_report_pdf,
        kind="council.report_pdf",
        title=_pdf_job_title(report.reference, number),
        owner=request.user,
        args=[report.code, number],
    )
    return redirect(job_url(job))


def motion_report(ctx: UserContext, motion: Paper, *, may_manage: bool) -> dict[str, Any]:
    """The report part of a motion's page: the draft for its managers (one query), the
    released versions for its readers (one query)."""
    if may_manage:
        report = (
            reports_for_user(ctx)
            .filter(motion=motion)
            .annotate(release_count=Count("releases"))
            .first()
        )
        return {"report": report, "report_versions": []}
    versions = _versions(ctx).filter(report__motion=motion).select_related("report")
    return {"report": None, "report_versions": list(versions)}


def _section_rows(report: Report, changed: set[str]) -> list[dict[str, Any]]:
    """Each question of the motion with its narrative, the labels of its answer blocks and
    whether the figures under it changed since the text was saved (``changed``: numbers)."""
    sections = {s.question_id: s for s in report.sections.all()}
    rows = []
    for question in report.motion.questions.all():
        section = sections.get(question.pk)
        keys = section.block_keys if section is not None else question.block_keys
        rows.append(
            {
                "question": question,
                "narrative": section.narrative if section is not None else "",
                "labels": [label_for(k) for k in keys],
                "changed": str(question.number) in changed,
            }
        )
    return rows


# --- lists and the motion's page -----------------------------------------------------------------


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    if not can_use_council(ctx):
        raise PermissionDenied
    reports = list(
        reports_for_user(ctx)
        .select_related("motion", "motion__body")
        .prefetch_related(Prefetch("releases", queryset=_versions(ctx), to_attr="versions"))
        .order_by("-date", "-id")
    )
    context = {
        "rows": [(r, can_manage_report(ctx, r)) for r in reports],
        "any_managed": bodies_for_managing(ctx).exists(),
    }
    return render(request, "council/report_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def report_create(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    motion = get_motion_for_managing(ctx, code)
    existing = reports_for_user(ctx).filter(motion=motion).first()
    if existing is not None:
        return redirect("council:report_detail", code=existing.code)
    form = ReportForm(
        request.POST or None,
        departments=_departments(ctx, motion),
        initial=ReportForm.initial_for(motion),
    )
    if request.method == "POST" and form.is_valid():
        try:
            report = actions.create_report(motion, acting_user=_user(request), **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The draft of the report has been created."))
            return redirect("council:report_detail", code=report.code)
    return render(
        request,
        "council/report_form.html",
        {"motion": motion, "form": form, "title": _("Draft the report"), "report": None},
    )


# --- the draft -----------------------------------------------------------------------------------


@login_required
@require_GET
def report_detail(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    report = get_report_for_managing(ctx, code)
    document = compose(report)
    changed = {section.number for section in changed_sections(report, document)}
    context = {
        "report": report,
        "motion": report.motion,
        "document": render_html(document, standalone=False, changed=changed),
        "versions": list(_versions(ctx).filter(report=report)),
        "sections": _section_rows(report, changed),
        "any_changed": bool(changed),
        "may_release": can_release_report(ctx, report),
        "formats": DOWNLOADS,
        "pdf_job": pdf_in_background(document),
        "attachments": _attachment_links(document, "council:draft_attachment", report.code),
    }
    return render(request, "council/report_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    report = get_report_for_managing(ctx, code)
    form = ReportEditForm(
        request.POST or None,
        departments=_departments(ctx, report.motion),
        initial=ReportEditForm.initial_from(report),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            actions.update_report(
                report, acting_user=_user(request), expected_version=data.pop("version"), **data
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The report has been saved."))
            return redirect("council:report_detail", code=report.code)
    return render(
        request,
        "council/report_form.html",
        {
            "motion": report.motion,
            "form": form,
            "title": _("Edit header and introduction"),
            "report": report,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def section_edit(request: HttpRequest, code: str, question: str) -> HttpResponse:
    ctx = user_context(request)
    report = get_report_for_managing(ctx, code)
    row = report.motion.questions.filter(code=question).first()
    if row is None:
        raise Http404("Question not found")
    section = report.sections.filter(question=row).first()
    form = SectionForm(
        request.POST or None,
        initial={
            "version": report.version,
            "narrative": section.narrative if section else "",
            "block_keys": section.block_keys if section else row.block_keys,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            actions.update_section(
                report,
                row,
                acting_user=_user(request),
                expected_version=data.pop("version"),
                **data,
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The answer has been saved."))
            url = reverse("council:report_detail", kwargs={"code": report.code})
            return redirect(f"{url}#report-q-{row.number}")
    return render(
        request,
        "council/report_section_form.html",
        {"report": report, "question": row, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def draft_download(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    report = get_report_for_managing(user_context(request), code)
    if request.method == "POST":
        return _start_pdf_job(request, report, fmt, None)
    page = reverse("council:report_detail", args=[report.code])
    return _download(request, compose(report), fmt, "Entwurf", page)


@login_required
@require_http_methods(["GET", "POST"])
def report_release(request: HttpRequest, code: str) -> HttpResponse:
    """A confirmation page; the POST releases exactly the draft version that was shown. The last
    editor sees the four-eyes rule instead of the button, and their POST is refused (403)."""
    ctx = user_context(request)
    report = get_report_for_managing(ctx, code)
    may_release = can_release_report(ctx, report)
    changed = changed_sections(report, compose(report)) if may_release else []
    form = ReleaseForm(request.POST or None, initial={"version": report.version}, changed=changed)
    status = 200
    if request.method == "POST" and not may_release:
        status = 403
    elif request.method == "POST" and form.is_valid():
        try:
            release = actions.release_report(
                report,
                acting_user=_user(request),
                expected_version=form.cleaned_data["version"],
                confirmed_sections=form.confirmed_sections(),
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(
                request,
                _("Version %(n)s of the report has been released.") % {"n": release.number},
            )
            return redirect("council:release_detail", code=report.code, number=release.number)
    latest = report.releases.order_by("-number").values_list("number", flat=True).first()
    context = {
        "report": report,
        "motion": report.motion,
        "form": form,
        "may_release": may_release,
        "next_number": (latest or 0) + 1,
        "refused": status == 403,
    }
    return render(request, "council/report_release.html", context, status=status)


# --- released versions ---------------------------------------------------------------------------


@login_required
@require_GET
def release_detail(request: HttpRequest, code: str, number: int) -> HttpResponse:
    ctx = user_context(request)
    release = get_release_for_user(ctx, code, number)
    report = release.report
    may_manage = can_manage_report(ctx, report)
    document = frozen(release)
    context = {
        "release": release,
        "report": report,
        "document": render_html(document, standalone=False),
        "pdf_job": pdf_in_background(document),
        "versions": list(_versions(ctx).filter(report=report)),
        "may_manage": may_manage,
        "motion_visible": may_manage or report.motion.released,
        "formats": DOWNLOADS,
        "attachments": _attachment_links(
            document, "council:release_attachment", report.code, release.number
        ),
    }
    return render(request, "council/report_version.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def release_download(request: HttpRequest, code: str, number: int, fmt: str) -> HttpResponse:
    release = get_release_for_user(user_context(request), code, number)
    if request.method == "POST":
        return _start_pdf_job(request, release.report, fmt, release.number)
    page = reverse("council:release_detail", args=[code, release.number])
    return _download(request, frozen(release), fmt, f"Version-{release.number}", page)


@login_required
@require_GET
def draft_attachment(request: HttpRequest, code: str, key: str) -> HttpResponse:
    """The full list behind a summary of the draft, composed now, as XLSX (decisions D-080)."""
    report = get_report_for_managing(user_context(request), code)
    return _attachment(compose(report), key)


@login_required
@require_GET
def release_attachment(request: HttpRequest, code: str, number: int, key: str) -> HttpResponse:
    """The full list behind a summary of a released version, from its snapshot, as XLSX."""
    release = get_release_for_user(user_context(request), code, number)
    return _attachment(frozen(release), key)
