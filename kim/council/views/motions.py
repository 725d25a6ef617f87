"""Motions and enquiries: the list with filters, recording one with its questions, its page,
status changes, adding and tagging questions, releasing it, its documents."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kim.accounts.access import UserContext, user_context
from kim.core.files import file_response
from kim.council import actions, queries
from kim.council.access import (
    bodies_for_managing,
    can_manage_paper,
    can_use_council,
    committees_for_managing,
    departments_for_managing,
    get_file_for_user,
    get_motion_for_managing,
    get_motion_for_user,
    get_question_for_managing,
    meetings_for_managing,
    originators_for_managing,
)
from kim.council.blocks import label_for
from kim.council.forms import (
    FileForm,
    MotionFilterForm,
    MotionForm,
    NewQuestionForm,
    QuestionFormSet,
    StatusForm,
    TagForm,
    add_action_errors,
)
from kim.council.models import Paper
from kim.council.views.reports import motion_report


def _filtered(request: HttpRequest, ctx: UserContext) -> tuple[MotionFilterForm, list[Paper]]:
    form = MotionFilterForm(request.GET, years=queries.motion_years(ctx))
    data = form.cleaned_data if form.is_valid() else {}
    f = queries.MotionFilter(
        status=data.get("status") or "",
        year=data.get("year"),
        q=(data.get("q") or "").strip(),
    )
    return form, queries.motion_list(ctx, f)


@login_required
def motion_list(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    if not can_use_council(ctx):
        raise PermissionDenied
    form, motions = _filtered(request, ctx)
    today = timezone.localdate()
    context = {
        "form": form,
        "motions": motions,
        "overdue": {m.pk for m in motions if m.is_overdue_on(today)},
        "filtered": any(request.GET.get(k) for k in ("q", "status", "year")),
        "may_record": bodies_for_managing(ctx).exists(),
    }
    template = (
        "council/_motion_table.html"
        if request.headers.get("HX-Request")
        else "council/motion_list.html"
    )
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def motion_create(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    bodies = bodies_for_managing(ctx)
    if not bodies.exists():
        raise PermissionDenied
    form = MotionForm(
        request.POST or None,
        bodies=bodies,
        originators=originators_for_managing(ctx),
        committees=committees_for_managing(ctx),
        meetings=meetings_for_managing(ctx),
        departments=departments_for_managing(ctx),
        initial={"body": bodies.first() if bodies.count() == 1 else None},
    )
    questions = QuestionFormSet(request.POST or None, prefix="questions")
    if request.method == "POST" and all([form.is_valid(), questions.is_valid()]):
        data = dict(form.cleaned_data)
        try:
            motion = actions.receive_motion(
                data.pop("body"), acting_user=request.user, questions=questions.texts(), **data
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The motion has been recorded."))
            return redirect("council:motion_detail", code=motion.code)
    return render(request, "council/motion_form.html", {"form": form, "questions": questions})


@login_required
def motion_detail(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    motion = queries.motion_detail(get_motion_for_user(ctx, code))
    may_manage = can_manage_paper(ctx, motion)
    return render(
        request,
        "council/motion_detail.html",
        {
            "motion": motion,
            "may_manage": may_manage,
            "today": timezone.localdate(),
            "questions": [
                (q, [label_for(k) for k in q.block_keys]) for q in motion.questions.all()
            ],
            **motion_report(ctx, motion, may_manage=may_manage),
        },
    )


def _step(request: HttpRequest, motion: Paper, form: object, title: str) -> HttpResponse:
    return render(
        request, "council/motion_step.html", {"motion": motion, "form": form, "title": title}
    )


@login_required
@require_http_methods(["GET", "POST"])
def motion_status(request: HttpRequest, code: str) -> HttpResponse:
    motion = get_motion_for_managing(user_context(request), code)
    form = StatusForm(request.POST or None, motion=motion)
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_motion_status(motion, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The status has been changed."))
            return redirect("council:motion_detail", code=motion.code)
    return _step(request, motion, form, _("Change the status"))


@login_required
@require_http_methods(["GET", "POST"])
def question_add(request: HttpRequest, code: str) -> HttpResponse:
    motion = get_motion_for_managing(user_context(request), code)
    form = NewQuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_question(motion, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The question has been added."))
            return redirect("council:motion_detail", code=motion.code)
    return _step(request, motion, form, _("Add a question"))


@login_required
@require_http_methods(["GET", "POST"])
def question_tag(request: HttpRequest, code: str) -> HttpResponse:
    question = get_question_for_managing(user_context(request), code)
    form = TagForm(request.POST or None, initial={"block_keys": question.block_keys})
    if request.method == "POST" and form.is_valid():
        try:
            actions.tag_question(question, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The answer blocks have been saved."))
            return redirect("council:motion_detail", code=question.paper.code)
    return render(
        request,
        "council/question_tag.html",
        {"motion": question.paper, "question": question, "form": form},
    )


@login_required
@require_POST
def motion_release(request: HttpRequest, code: str) -> HttpResponse:
    motion = get_motion_for_managing(user_context(request), code)
    try:
        actions.release_paper(motion, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The motion has been released to the council."))
    return redirect("council:motion_detail", code=motion.code)


@login_required
@require_http_methods(["GET", "POST"])
def file_upload(request: HttpRequest, code: str) -> HttpResponse:
    motion = get_motion_for_managing(user_context(request), code)
    form = FileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            actions.attach_file(motion, acting_user=request.user, checked=data.pop("file"), **data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The document has been stored."))
            return redirect("council:motion_detail", code=motion.code)
    return render(request, "council/file_form.html", {"motion": motion, "form": form})


@login_required
@require_GET
def file_download(request: HttpRequest, code: str) -> FileResponse:
    """A paper's document, for whoever may read the paper (drafts: its body's staff)."""
    file = get_file_for_user(user_context(request), code)
    return file_response(file.file, filename=file.file_name, content_type=file.mime_type)
