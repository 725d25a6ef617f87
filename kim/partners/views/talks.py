"""Talks: the log with filters and exports, recording a talk, its page, outcome, minutes, tasks."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kim.accounts.access import UserContext, user_context
from kim.core.exports import ExportQuery, Table, export_builder, table_export
from kim.core.files import file_response
from kim.core.forms import add_action_errors
from kim.partners import actions, queries
from kim.partners.access import (
    can_complete_follow_up,
    can_manage_talk,
    can_use_partners,
    can_view_traeger,
    follow_up_owners_for_talk,
    get_document_for_user,
    get_follow_up_for_completing,
    get_talk_for_managing,
    get_talk_for_user,
    hosts_for_user,
    positions_for_talks,
    traeger_for_talks,
)
from kim.partners.forms import FollowUpForm, MinutesForm, OutcomeForm, TalkFilterForm, TalkForm
from kim.partners.models import ParticipantRole, Talk, TalkFormat
from kim.programmes.access import can_view_position


def _filtered(ctx: UserContext, params: QueryDict) -> tuple[TalkFilterForm, QuerySet[Talk]]:
    agencies, hosts = queries.filter_choices(ctx)
    form = TalkFilterForm(params, agencies=agencies, hosts=hosts)
    data = form.cleaned_data if form.is_valid() else {}
    f = queries.TalkFilter(
        traeger=data.get("traeger") or "",
        host=data.get("host") or "",
        outcome=data.get("outcome") or "",
        year=data.get("year"),
        q=(data.get("q") or "").strip(),
    )
    return form, queries.talk_list(ctx, f)


TALKS_PER_PAGE = 50


@login_required
def talk_list(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    if not can_use_partners(ctx):
        raise PermissionDenied
    form, talks = _filtered(ctx, request.GET)
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "page": Paginator(talks, TALKS_PER_PAGE).get_page(request.GET.get("page")),
        "params": params.urlencode(),
        "may_record": hosts_for_user(ctx).exists(),
    }
    template = (
        "partners/_talk_table.html"
        if request.headers.get("HX-Request")
        else "partners/talk_list.html"
    )
    return render(request, template, context)


@export_builder
def talk_table(query: ExportQuery) -> Table:
    """The talk log as an export: the log's door, filters and query (``talk_list``)."""
    if not can_use_partners(query.ctx):
        raise PermissionDenied
    header = [
        _("Code"),
        _("Date"),
        _("Held by"),
        _("Format"),
        _("Welfare agencies"),
        _("Baustein"),
        _("Topics"),
        _("Outcome"),
        _("Outcome in brief"),
        _("Minutes"),
        _("Open follow-up tasks"),
    ]

    def body() -> list[list[object]]:
        _form, talks = _filtered(query.ctx, query.params)
        return [
            [
                t.code,
                t.held_on,
                t.host.name,
                TalkFormat(t.format).label,
                ", ".join(o.name for o in queries.traeger_participants(t)),
                t.baustein,
                t.topics,
                t.get_outcome_display(),
                t.outcome_summary,
                t.minutes_count,  # type: ignore[attr-defined]
                t.open_tasks,  # type: ignore[attr-defined]
            ]
            for t in talks
        ]

    return Table(
        filename=f"gespraeche-{timezone.localdate():%Y%m%d}",
        title=_("Talks with welfare agencies"),
        header=header,
        rows=body,
        audit_subject="partners.talks",
    )


@login_required
@require_http_methods(["GET", "POST"])
def talk_export(request: HttpRequest, fmt: str) -> HttpResponse:
    return table_export(request, fmt, talk_table)


@login_required
@require_http_methods(["GET", "POST"])
def talk_create(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    hosts = hosts_for_user(ctx)
    if not hosts.exists():
        raise PermissionDenied
    form = TalkForm(
        request.POST or None,
        hosts=hosts,
        agencies=traeger_for_talks(ctx),
        positions=positions_for_talks(ctx),
        initial={"held_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            talk = actions.record_talk(acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The talk has been recorded."))
            return redirect("partners:talk_detail", code=talk.code)
    return render(request, "partners/talk_form.html", {"form": form})


@login_required
def talk_detail(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    talk = queries.talk_detail(get_talk_for_user(ctx, code))
    today = timezone.localdate()
    return render(
        request,
        "partners/talk_detail.html",
        {
            "talk": talk,
            "today": today,
            "may_manage": can_manage_talk(ctx, talk),
            "participants": [
                (p, p.role == ParticipantRole.TRAEGER and can_view_traeger(ctx, p.organisation))
                for p in talk.participants.all()
            ],
            "positions": [(p, can_view_position(ctx, p)) for p in talk.positions.all()],
            "tasks": [
                (t, t.done_at is None and t.due < today, can_complete_follow_up(ctx, t))
                for t in talk.follow_ups.all()
            ],
        },
    )


def _step_page(request: HttpRequest, talk: Talk, form: object, title: str) -> HttpResponse:
    return render(request, "partners/talk_step.html", {"talk": talk, "form": form, "title": title})


@login_required
@require_http_methods(["GET", "POST"])
def talk_outcome(request: HttpRequest, code: str) -> HttpResponse:
    talk = get_talk_for_managing(user_context(request), code)
    form = OutcomeForm(
        request.POST or None,
        initial={
            "version": talk.version,
            "outcome": talk.outcome,
            "outcome_summary": talk.outcome_summary,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.record_outcome(
                talk,
                acting_user=request.user,
                expected_version=data["version"],
                outcome=data["outcome"],
                outcome_summary=data["outcome_summary"],
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The outcome has been recorded."))
            return redirect("partners:talk_detail", code=talk.code)
    return _step_page(request, talk, form, _("Record the outcome"))


@login_required
@require_http_methods(["GET", "POST"])
def minutes_upload(request: HttpRequest, code: str) -> HttpResponse:
    talk = get_talk_for_managing(user_context(request), code)
    form = MinutesForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.attach_minutes(
                talk, acting_user=request.user, checked=form.cleaned_data["file"]
            )
        except ValidationError as exc:  # e.g. the file storage is full (kim.core.files)
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The minutes have been stored."))
            return redirect("partners:talk_detail", code=talk.code)
    return render(request, "partners/minutes_form.html", {"talk": talk, "form": form})


@login_required
@require_GET
def minutes_download(request: HttpRequest, code: str) -> FileResponse:
    """Minutes leave the server only here: after the access check, as an audited download."""
    document = get_document_for_user(user_context(request), code)
    response = file_response(
        document.file, filename=document.original_name, content_type=document.content_type
    )
    actions.record_minutes_download(document, acting_user=request.user)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_add(request: HttpRequest, code: str) -> HttpResponse:
    talk = get_talk_for_managing(user_context(request), code)
    form = FollowUpForm(request.POST or None, owners=follow_up_owners_for_talk(talk))
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_follow_up(talk, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The follow-up task has been recorded."))
            return redirect("partners:talk_detail", code=talk.code)
    return _step_page(request, talk, form, _("Add a follow-up task"))


@login_required
@require_POST
def follow_up_done(request: HttpRequest, code: str) -> HttpResponse:
    task = get_follow_up_for_completing(user_context(request), code)
    actions.complete_follow_up(task, acting_user=request.user)
    messages.success(request, _("The task has been marked as done."))
    return redirect("partners:talk_detail", code=task.talk.code)
