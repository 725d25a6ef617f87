"""Topics (generative themes): the board, a topic's page, the coordination's actions on it, the
proposal run and the thresholds (docs/permissions.md § Topics).

Who may not see a topic gets 404 (``access.get_topic_for_user``); who sees it but may not
change it (programme and team leads, case managers) gets 403 on an action. The board answers
404 to whoever has no topics at all (council members, welfare-agency managers, …).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kim.accounts.access import UserContext, user_context
from kim.cases.queries.barriers import category_choices
from kim.core.exports import ExportQuery, Table, export_builder, table_export
from kim.core.forms import add_action_errors
from kim.core.locking import EditConflict
from kim.steering import access
from kim.steering import queries_topics as queries
from kim.steering.actions import topics as actions
from kim.steering.forms_topics import (
    AddBarriersForm,
    AssignForm,
    LevelForm,
    MergeForm,
    ReasonForm,
    ThresholdForm,
    TopicEditForm,
    TopicFilterForm,
    VersionForm,
)
from kim.steering.models import Topic, TopicStatus

# --- the board --------------------------------------------------------------------------------


def _filter(ctx: UserContext, params: QueryDict) -> tuple[TopicFilterForm, queries.TopicFilter]:
    """The board's door (404) and filter, shared by the page and its exports."""
    if not access.can_view_topics(ctx):
        raise Http404("No topics")
    form = TopicFilterForm(
        params,
        categories=category_choices(),
        working_groups=queries.working_group_choices(ctx) if access.topic_read_regions(ctx) else [],
    )
    data = form.cleaned_data if form.is_valid() else {}
    f = queries.TopicFilter(
        status=data.get("status", ""),
        level=data.get("level", ""),
        category=data.get("category", ""),
        working_group=data.get("working_group", ""),
        q=data.get("q", ""),
    )
    return form, f


@login_required
@require_GET
def topic_board(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    form, f = _filter(ctx, request.GET)
    topics = list(queries.topic_list(ctx, f))
    context = {
        "form": form,
        "columns": queries.board(topics),
        "count": len(topics),
        "params": request.GET.urlencode(),
        "can_manage": access.can_manage_topics(ctx),
        "full_reader": bool(access.topic_read_regions(ctx)),
    }
    template = (
        "steering/topic_board_columns.html"
        if request.headers.get("HX-Request")
        else "steering/topic_board.html"
    )
    return render(request, template, context)


@export_builder
def topic_table(query: ExportQuery) -> Table:
    """The board as an export: the page's door, filter and rows."""
    _form, f = _filter(query.ctx, query.params)
    return Table(
        filename=f"themen-{timezone.localdate():%Y%m%d}",
        title=_("Topics"),
        header=queries.export_header(),
        rows=lambda: queries.export_rows(query.ctx, list(queries.topic_list(query.ctx, f))),
        audit_subject="steering.topic_board",
    )


@login_required
@require_http_methods(["GET", "POST"])
def topic_export(request: HttpRequest, fmt: str) -> HttpResponse:
    return table_export(request, fmt, topic_table)


@login_required
@require_POST
def topic_propose(request: HttpRequest) -> HttpResponse:
    """The board's "check for proposals" button: the proposal rule for the coordination's
    Kreise, today."""
    ctx = user_context(request)
    if not access.can_manage_topics(ctx):
        raise Http404("No topics")
    created = []
    for region in queries.managed_kreise(ctx):
        created += actions.propose_topics(
            acting_user=request.user, region=region, day=timezone.localdate()
        )
    if created:
        messages.success(
            request,
            _("New proposals: %(titles)s.") % {"titles": ", ".join(t.title for t in created)},
        )
    else:
        messages.info(request, _("No category has reached its threshold; no new proposals."))
    return redirect("steering:topic_board")


@login_required
@require_http_methods(["GET", "POST"])
def topic_thresholds(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    if not access.can_manage_topics(ctx):
        raise Http404("No topics")
    form = ThresholdForm(request.POST or None, regions=queries.managed_kreise(ctx))
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_threshold(acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("The threshold has been recorded."))
            return redirect("steering:topic_thresholds")
    thresholds = list(queries.thresholds_for_user(ctx))
    return render(
        request, "steering/topic_thresholds.html", {"form": form, "thresholds": thresholds}
    )


# --- one topic ----------------------------------------------------------------------------------


@login_required
@require_GET
def topic_detail(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    topic = access.get_topic_for_user(ctx, code)
    details = access.can_read_topic_details(ctx, topic)
    manage = access.can_manage_topic(ctx, topic)
    context: dict[str, Any] = {
        "topic": topic,
        "evidence": queries.evidence(topic),
        "details": details,
        "manage": manage,
        "history": list(queries.level_history(topic)) if details else [],
        "decisions": list(queries.topic_decisions(topic)) if details else [],
        "agenda": queries.topic_agenda(ctx, topic) if details else [],
        "active": topic.status in (TopicStatus.PROPOSED, TopicStatus.OPEN),
        "is_open": topic.status == TopicStatus.OPEN,
        "is_proposed": topic.status == TopicStatus.PROPOSED,
        "version_form": VersionForm(initial={"version": topic.version}),
        "merged_visible": details and topic.merged_into_id is not None,
    }
    return render(request, "steering/topic_detail.html", context)


def _managed_topic(request: HttpRequest, code: str) -> Topic:
    ctx = user_context(request)
    topic = access.get_topic_for_user(ctx, code)
    if not access.can_manage_topic(ctx, topic):
        raise PermissionDenied
    return topic


def _step(
    request: HttpRequest,
    code: str,
    *,
    title: str,
    make_form: Callable[[Topic, Any], forms.Form],
    run: Callable[[Topic, dict[str, Any]], object],
    done: str,
    intro: str = "",
) -> HttpResponse:
    """One action on a topic: door (404/403) → form → action → back to the topic page. An
    edit conflict re-shows the form with both versions."""
    topic = _managed_topic(request, code)
    form = make_form(topic, request.POST or None)
    conflict_rows = None
    if request.method == "POST" and form.is_valid():
        try:
            run(topic, form.cleaned_data)
        except EditConflict as exc:
            add_action_errors(form, exc)
            conflict_rows = exc.rows(form.data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("steering:topic_detail", code=topic.code)
    context = {
        "topic": topic,
        "form": form,
        "title": title,
        "intro": intro,
        "conflict_rows": conflict_rows,
    }
    return render(request, "steering/topic_step.html", context)


@login_required
@require_POST
def topic_confirm(request: HttpRequest, code: str) -> HttpResponse:
    topic = _managed_topic(request, code)
    form = VersionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("The form was incomplete; please try again."))
        actions.confirm_topic(
            topic, acting_user=request.user, expected_version=form.cleaned_data["version"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The topic has been confirmed."))
    return redirect("steering:topic_detail", code=topic.code)


@login_required
@require_http_methods(["GET", "POST"])
def topic_edit(request: HttpRequest, code: str) -> HttpResponse:
    return _step(
        request,
        code,
        title=_("Edit the topic"),
        make_form=lambda t, data: TopicEditForm(
            data,
            initial={"version": t.version, "title": t.title, "description": t.description},
        ),
        run=lambda t, d: actions.edit_topic(
            t,
            acting_user=request.user,
            title=d["title"],
            description=d["description"],
            expected_version=d["version"],
        ),
        done=_("The topic has been saved."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def topic_reject(request: HttpRequest, code: str) -> HttpResponse:
    return _step(
        request,
        code,
        title=_("Reject the proposal"),
        intro=_("The category is not proposed again for this quarter."),
        make_form=lambda t, data: ReasonForm(data, initial={"version": t.version}),
        run=lambda t, d: actions.reject_topic(
            t, acting_user=request.user, reason=d["reason"], expected_version=d["version"]
        ),
        done=_("The proposal has been rejected."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def topic_merge(request: HttpRequest, code: str) -> HttpResponse:
    return _step(
        request,
        code,
        title=_("Merge into another topic"),
        intro=_("The barriers move to the other topic; this one is kept as merged."),
        make_form=lambda t, data: MergeForm(
            data, targets=queries.merge_targets(t), initial={"version": t.version}
        ),
        run=lambda t, d: actions.merge_topic(
            t,
            acting_user=request.user,
            into=d["into"],
            reason=d["reason"],
            expected_version=d["version"],
        ),
        done=_("The topic has been merged."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def topic_add_barriers(request: HttpRequest, code: str) -> HttpResponse:
    return _step(
        request,
        code,
        title=_("Add barriers of a further quarter"),
        make_form=lambda t, data: AddBarriersForm(
            data, quarters=queries.barrier_quarters(t), initial={"version": t.version}
        ),
        run=lambda t, d: actions.add_barriers(
            t, acting_user=request.user, quarter=d["quarter"], expected_version=d["version"]
        ),
        done=_("The barriers have been added."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def topic_assign(request: HttpRequest, code: str) -> HttpResponse:
    return _step(
        request,
        code,
        title=_("Assign to a working group"),
        make_form=lambda t, data: AssignForm(
            data,
            bodies=actions.working_groups(t.region_id),
            initial={"version": t.version, "body": t.working_group_id},
        ),
        run=lambda t, d: actions.assign_working_group(
            t, acting_user=request.user, body=d["body"], expected_version=d["version"]
        ),
        done=_("The working group has been saved."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def topic_level(request: HttpRequest, code: str) -> HttpResponse:
    return _step(
        request,
        code,
        title=_("Move to another level"),
        intro=_("Each move is dated and reasoned; the history is shown on the topic's page."),
        make_form=lambda t, data: LevelForm(
            data, initial={"version": t.version, "changed_on": timezone.localdate()}
        ),
        run=lambda t, d: actions.change_level(
            t,
            acting_user=request.user,
            to_level=d["to_level"],
            changed_on=d["changed_on"],
            reason=d["reason"],
            expected_version=d["version"],
        ),
        done=_("The topic has been moved."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def topic_close(request: HttpRequest, code: str) -> HttpResponse:
    return _step(
        request,
        code,
        title=_("Close the topic"),
        make_form=lambda t, data: ReasonForm(data, initial={"version": t.version}),
        run=lambda t, d: actions.close_topic(
            t, acting_user=request.user, reason=d["reason"], expected_version=d["version"]
        ),
        done=_("The topic has been closed."),
    )


urlpatterns: list[URLPattern] = [
    path("themen/", topic_board, name="topic_board"),
    path("themen/export.<str:fmt>", topic_export, name="topic_export"),
    path("themen/vorschlaege/", topic_propose, name="topic_propose"),
    path("themen/schwellen/", topic_thresholds, name="topic_thresholds"),
    path("themen/<str:code>/", topic_detail, name="topic_detail"),
    path("themen/<str:code>/bearbeiten/", topic_edit, name="topic_edit"),
    path("themen/<str:code>/bestaetigen/", topic_confirm, name="topic_confirm"),
    path("themen/<str:code>/ablehnen/", topic_reject, name="topic_reject"),
    path("themen/<str:code>/zusammenfuehren/", topic_merge, name="topic_merge"),
    path("themen/<str:code>/barrieren/", topic_add_barriers, name="topic_add_barriers"),
    path("themen/<str:code>/arbeitsgruppe/", topic_assign, name="topic_assign"),
    path("themen/<str:code>/ebene/", topic_level, name="topic_level"),
    path("themen/<str:code>/abschliessen/", topic_close, name="topic_close"),
]
