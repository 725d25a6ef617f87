"""Steering bodies, their meetings, minutes and decisions: lists, pages and one view per
action (prepare, hold and minute a meeting: plan → agenda → attendance → minutes → decisions →
approve). Readers (members) get the pages; changes are for the coordination of the body's
Kreis (403 for readers, 404 for everybody else)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, register_converter, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kim.accounts.access import UserContext, user_context
from kim.core.files import bytes_response, file_response
from kim.core.forms import add_action_errors
from kim.core.locking import EditConflict
from kim.steering import forms as f
from kim.steering import minutes as generated
from kim.steering import queries_bodies as q
from kim.steering.access import (
    can_edit_body,
    can_manage_steering,
    can_use_steering,
    get_body_for_user,
    get_meeting_for_user,
)
from kim.steering.actions import bodies as body_actions
from kim.steering.actions import meetings as meeting_actions
from kim.steering.models import (
    OPEN_DECISION_STATUSES,
    MeetingStatus,
    SteeringBody,
    SteeringMeeting,
)

GET_POST = require_http_methods(["GET", "POST"])


def _editable_body(ctx: UserContext, code: str) -> SteeringBody:
    body = get_body_for_user(ctx, code)
    if not can_edit_body(ctx, body):
        raise PermissionDenied
    return body


def _editable_meeting(ctx: UserContext, code: str) -> SteeringMeeting:
    meeting = get_meeting_for_user(ctx, code)
    if not can_edit_body(ctx, meeting.body):
        raise PermissionDenied
    return meeting


def _topic_links() -> bool:
    """Whether the topic pages exist (built in views/topics.py)."""
    try:
        reverse("steering:topic_detail", args=["x"])
    except NoReverseMatch:
        return False
    return True


def _save(
    request: HttpRequest, form: forms.Form, run: Callable[[dict[str, Any]], object]
) -> tuple[bool, list[Any] | None]:
    """Validate ``form`` and run the action: (done, conflict rows to show)."""
    if request.method != "POST" or not form.is_valid():
        return False, None
    data = dict(form.cleaned_data)
    try:
        run(data)
    except EditConflict as exc:
        add_action_errors(form, exc)
        return False, exc.rows(form.data)
    except ValidationError as exc:
        add_action_errors(form, exc)
        return False, None
    return True, None


def _form_page(
    request: HttpRequest,
    form: forms.Form,
    *,
    title: str,
    back: tuple[str, str],
    conflict_rows: list[Any] | None = None,
    multipart: bool = False,
) -> HttpResponse:
    return render(
        request,
        "steering/body_step.html",
        {
            "form": form,
            "title": title,
            "back_url": back[0],
            "back_label": back[1],
            "cancel_url": back[0],
            "conflict_rows": conflict_rows,
            "multipart": multipart,
        },
    )


def _body_back(body: SteeringBody) -> tuple[str, str]:
    return reverse("steering:body_detail", args=[body.code]), body.name


def _meeting_back(meeting: SteeringMeeting) -> tuple[str, str]:
    return reverse("steering:meeting_detail", args=[meeting.code]), _(
        "Meeting of %(body)s on %(day)s"
    ) % {"body": meeting.body.name, "day": meeting.held_on.strftime("%d.%m.%Y")}


# --------------------------------------------------------------------------------------------
# Bodies
# --------------------------------------------------------------------------------------------


@login_required
@require_GET
def body_list(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    if not can_use_steering(ctx):
        raise Http404("No steering")
    form = f.BodyFilterForm(request.GET)
    kind = form.cleaned_data["kind"] if form.is_valid() else ""
    return render(
        request,
        "steering/body_list.html",
        {
            "form": form,
            "bodies": q.body_list(ctx, kind),
            "may_create": can_manage_steering(ctx),
        },
    )


@login_required
@GET_POST
def body_create(request: HttpRequest) -> HttpResponse:
    ctx = user_context(request)
    if not can_manage_steering(ctx):
        raise Http404("No steering")
    organisations = q.running_organisations(ctx)
    form = f.BodyForm(
        request.POST or None,
        organisations=organisations,
        parents=q.parent_choices_for(ctx),
        initial={"established_on": timezone.localdate()},
    )
    created: list[SteeringBody] = []

    def run(data: dict[str, Any]) -> None:
        created.append(body_actions.create_body(acting_user=request.user, **data))

    done, _rows = _save(request, form, run)
    if done:
        messages.success(request, _("The body has been created."))
        return redirect("steering:body_detail", code=created[0].code)
    back = (reverse("steering:body_list"), _("Steering bodies"))
    return _form_page(request, form, title=_("New steering body"), back=back)


@login_required
@require_GET
def body_detail(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    body = get_body_for_user(ctx, code)
    return render(
        request,
        "steering/body_detail.html",
        {
            "body": body,
            "page": q.body_page(ctx, body),
            "parent_visible": body.parent_id is not None
            and q.is_readable_body(ctx, body.parent_id),
            "may_edit": can_edit_body(ctx, body),
            "today": timezone.localdate(),
        },
    )


@login_required
@GET_POST
def body_edit(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    body = _editable_body(ctx, code)
    form = f.BodyForm(
        request.POST or None,
        organisations=None,
        parents=q.parent_choices(body.region_id).exclude(pk=body.pk),
        editing=True,
        initial={
            "version": body.version,
            "name": body.name,
            "remit": body.remit,
            "parent": body.parent_id,
            "established_on": body.established_on,
            "dissolved_on": body.dissolved_on,
        },
    )

    def run(data: dict[str, Any]) -> None:
        body_actions.update_body(
            acting_user=request.user, body=body, expected_version=data.pop("version") or 0, **data
        )

    done, rows = _save(request, form, run)
    if done:
        messages.success(request, _("The body has been changed."))
        return redirect("steering:body_detail", code=body.code)
    return _form_page(
        request, form, title=_("Change the body"), back=_body_back(body), conflict_rows=rows
    )


@login_required
@GET_POST
def member_add(request: HttpRequest, code: str) -> HttpResponse:
    body = _editable_body(user_context(request), code)
    form = f.MemberForm(
        request.POST or None,
        accounts=q.account_choices(body),
        organisations=q.member_organisations(body),
        initial={"joined_on": timezone.localdate()},
    )

    def run(data: dict[str, Any]) -> None:
        body_actions.add_member(acting_user=request.user, body=body, **data)

    done, _rows = _save(request, form, run)
    if done:
        messages.success(request, _("The member has been added."))
        return redirect("steering:body_detail", code=body.code)
    return _form_page(request, form, title=_("Add a member"), back=_body_back(body))


@login_required
@GET_POST
def member_end(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    member = q.get_member_for_user(ctx, code)
    if not can_edit_body(ctx, member.body):
        raise PermissionDenied
    form = f.EndMembershipForm(request.POST or None, initial={"left_on": timezone.localdate()})

    def run(data: dict[str, Any]) -> None:
        body_actions.end_membership(acting_user=request.user, member=member, **data)

    done, _rows = _save(request, form, run)
    if done:
        messages.success(request, _("The membership has been ended."))
        return redirect("steering:body_detail", code=member.body.code)
    title = _("End the membership of %(member)s") % {"member": member}
    return _form_page(request, form, title=title, back=_body_back(member.body))


@login_required
@require_GET
def decision_list(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    body = get_body_for_user(ctx, code)
    owners = body.members.select_related("user")
    form = f.DecisionFilterForm(request.GET, owners=owners)
    data = form.cleaned_data if form.is_valid() else {}
    return render(
        request,
        "steering/decision_list.html",
        {
            "body": body,
            "form": form,
            "decisions": q.decisions_of_body(
                body, status=data.get("status") or "", owner=data.get("owner")
            ),
            "today": timezone.localdate(),
            "open_statuses": OPEN_DECISION_STATUSES,
            "may_edit": can_edit_body(ctx, body),
        },
    )


# --------------------------------------------------------------------------------------------
# Meetings
# --------------------------------------------------------------------------------------------


@login_required
@GET_POST
def meeting_plan(request: HttpRequest, code: str) -> HttpResponse:
    body = _editable_body(user_context(request), code)
    form = f.MeetingForm(request.POST or None)
    planned: list[SteeringMeeting] = []

    def run(data: dict[str, Any]) -> None:
        planned.append(meeting_actions.plan_meeting(acting_user=request.user, body=body, **data))

    done, _rows = _save(request, form, run)
    if done:
        messages.success(request, _("The meeting has been planned."))
        return redirect("steering:meeting_detail", code=planned[0].code)
    return _form_page(request, form, title=_("Plan a meeting"), back=_body_back(body))


@login_required
@require_GET
def meeting_detail(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    meeting = q.meeting_page(get_meeting_for_user(ctx, code))
    may_edit = can_edit_body(ctx, meeting.body)
    return render(
        request,
        "steering/meeting_detail.html",
        {
            "meeting": meeting,
            "body": meeting.body,
            "may_edit": may_edit,
            # Topic pages are the coordination's (it reads every topic of its Kreis).
            "topic_links": may_edit and _topic_links(),
            "today": timezone.localdate(),
            "held": meeting.status == MeetingStatus.HELD,
            "cancelled": meeting.status == MeetingStatus.CANCELLED,
        },
    )


@login_required
@GET_POST
def meeting_edit(request: HttpRequest, code: str) -> HttpResponse:
    meeting = _editable_meeting(user_context(request), code)
    form = f.MeetingForm(
        request.POST or None,
        editing=True,
        initial={
            "version": meeting.version,
            "held_on": meeting.held_on,
            "starts_at": meeting.starts_at,
            "location": meeting.location,
            "status": meeting.status,
        },
    )

    def run(data: dict[str, Any]) -> None:
        meeting_actions.update_meeting(
            acting_user=request.user,
            meeting=meeting,
            expected_version=data.pop("version") or 0,
            **data,
        )

    done, rows = _save(request, form, run)
    if done:
        messages.success(request, _("The meeting has been changed."))
        return redirect("steering:meeting_detail", code=meeting.code)
    return _form_page(
        request,
        form,
        title=_("Change date, place or status"),
        back=_meeting_back(meeting),
        conflict_rows=rows,
    )


@login_required
@GET_POST
def agenda_add(request: HttpRequest, code: str) -> HttpResponse:
    meeting = _editable_meeting(user_context(request), code)
    form = f.AgendaItemForm(request.POST or None, topics=q.topic_choices(meeting.body))

    def run(data: dict[str, Any]) -> None:
        meeting_actions.add_agenda_item(acting_user=request.user, meeting=meeting, **data)

    done, _rows = _save(request, form, run)
    if done:
        messages.success(request, _("The agenda item has been added."))
        return redirect("steering:meeting_detail", code=meeting.code)
    return _form_page(request, form, title=_("Add an agenda item"), back=_meeting_back(meeting))


def _editable_item(request: HttpRequest, code: str) -> Any:
    ctx = user_context(request)
    item = q.get_agenda_item_for_user(ctx, code)
    if not can_edit_body(ctx, item.meeting.body):
        raise PermissionDenied
    return item


@login_required
@GET_POST
def agenda_edit(request: HttpRequest, code: str) -> HttpResponse:
    item = _editable_item(request, code)
    meeting = item.meeting
    form = f.AgendaItemForm(
        request.POST or None,
        topics=q.topic_choices(meeting.body),
        initial={"title": item.title, "description": item.description, "topic": item.topic_id},
    )

    def run(data: dict[str, Any]) -> None:
        meeting_actions.update_agenda_item(acting_user=request.user, item=item, **data)

    done, _rows = _save(request, form, run)
    if done:
        messages.success(request, _("The agenda item has been changed."))
        return redirect("steering:meeting_detail", code=meeting.code)
    return _form_page(request, form, title=_("Change the agenda item"), back=_meeting_back(meeting))


@login_required
@require_POST
def agenda_remove(request: HttpRequest, code: str) -> HttpResponse:
    item = _editable_item(request, code)
    meeting_actions.remove_agenda_item(acting_user=request.user, item=item)
    messages.success(request, _("The agenda item has been removed."))
    return redirect("steering:meeting_detail", code=item.meeting.code)


@login_required
@require_POST
def agenda_move(request: HttpRequest, code: str, up: bool) -> HttpResponse:
    item = _editable_item(request, code)
    meeting_actions.move_agenda_item(acting_user=request.user, item=item, up=up)
    return redirect(reverse("steering:meeting_detail", args=[item.meeting.code]) + "#h-agenda")


@login_required
@GET_POST
def attendance(request: HttpRequest, code: str) -> HttpResponse:
    meeting = _editable_meeting(user_context(request), code)
    members = meeting_actions.members_on(meeting)
    recorded = {a.member_id: a for a in meeting.attendance.all()}
    initial: dict[str, str] = {}
    for m in members:
        row = recorded.get(m.pk)
        initial[f"status_{m.pk}"] = row.status if row else "present"
        initial[f"note_{m.pk}"] = row.note if row else ""
    form = f.AttendanceForm(request.POST or None, members=members, initial=initial)

    def run(_data: dict[str, Any]) -> None:
        meeting_actions.record_attendance(
            acting_user=request.user, meeting=meeting, entries=form.entries()
        )

    done, _rows = _save(request, form, run)
    if done:
        messages.success(request, _("The attendance has been recorded."))
        return redirect("steering:meeting_detail", code=meeting.code)
    return _form_page(request, form, title=_("Record the attendance"), back=_meeting_back(meeting))


@login_required
@GET_POST
def minutes_edit(request: HttpRequest, code: str) -> HttpResponse:
    meeting = _editable_meeting(user_context(request), code)
    form = f.MinutesTextForm(
        request.POST or None, initial={"version": meeting.version, "minutes": meeting.minutes}
    )

    def run(data: dict[str, Any]) -> None:
        meeting_actions.save_minutes(
            acting_user=request.user,
            meeting=meeting,
            expected_version=data["version"],
            minutes=data["minutes"],
        )

    done, rows = _save(request, form, run)
    if done:
        messages.success(request, _("The minutes have been saved."))
        return redirect(reverse("steering:meeting_detail", args=[meeting.code]) + "#h-minutes")
    return _form_page(
        request, form, title=_("Write the minutes"), back=_meeting_back(meeting), conflict_rows=rows
    )


@login_required
@GET_POST
def minutes_approve(request: HttpRequest, code: str) -> HttpResponse:
    meeting = _editable_meeting(user_context(request), code)
    form = f.ApproveMinutesForm(
        request.POST or None,
        initial={"version": meeting.version, "approved_on": timezone.localdate()},
    )

    def run(data: dict[str, Any]) -> None:
        meeting_actions.approve_minutes(
            acting_user=request.user,
            meeting=meeting,
            expected_version=data["version"],
            approved_on=data["approved_on"],
        )

    done, rows = _save(request, form, run)
    if done:
        messages.success(request, _("The minutes have been approved."))
        return redirect("steering:meeting_detail", code=meeting.code)
    return _form_page(
        request,
        form,
        title=_("Approve the minutes"),
        back=_meeting_back(meeting),
        conflict_rows=rows,
    )


@login_required
@GET_POST
def minutes_upload(request: HttpRequest, code: str) -> HttpResponse:
    meeting = _editable_meeting(user_context(request), code)
    form = f.MinutesDocumentForm(request.POST or None, request.FILES or None)

    def run(data: dict[str, Any]) -> None:
        meeting_actions.attach_minutes_document(
            acting_user=request.user, meeting=meeting, checked=data["file"]
        )

    done, _rows = _save(request, form, run)
    if done:
        messages.success(request, _("The minutes have been stored."))
        return redirect("steering:meeting_detail", code=meeting.code)
    return _form_page(
        request,
        form,
        title=_("Upload signed minutes"),
        back=_meeting_back(meeting),
        multipart=True,
    )


@login_required
@require_GET
def minutes_generated(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    """The minutes generated from the structured data, after the access check, audited."""
    meeting = q.meeting_page(get_meeting_for_user(user_context(request), code))
    data, content_type, name = generated.render(meeting, fmt)
    meeting_actions.record_minutes_read(acting_user=request.user, meeting=meeting, fmt=fmt)
    return bytes_response(data, filename=name, content_type=content_type)


@login_required
@require_GET
def minutes_download(request: HttpRequest, code: str) -> FileResponse:
    """Stored minutes leave the server only here: after the access check, audited."""
    document = q.get_document_for_user(user_context(request), code)
    response = file_response(
        document.file, filename=document.original_name, content_type=document.content_type
    )
    meeting_actions.record_minutes_read(
        acting_user=request.user, meeting=document.meeting, document=document
    )
    return response


# --------------------------------------------------------------------------------------------
# Decisions
# --------------------------------------------------------------------------------------------


@login_required
@GET_POST
def decision_add(request: HttpRequest, code: str) -> HttpResponse:
    meeting = _editable_meeting(user_context(request), code)
    form = f.DecisionForm(
        request.POST or None,
        owners=q.active_members(meeting.body, meeting.held_on),
        agenda_items=meeting.agenda_items.order_by("number"),
        topics=q.topic_choices(meeting.body),
    )

    def run(data: dict[str, Any]) -> None:
        meeting_actions.record_decision(acting_user=request.user, meeting=meeting, **data)

    done, _rows = _save(request, form, run)
    if done:
        messages.success(request, _("The decision has been recorded."))
        return redirect(reverse("steering:meeting_detail", args=[meeting.code]) + "#h-decisions")
    return _form_page(request, form, title=_("Record a decision"), back=_meeting_back(meeting))


@login_required
@GET_POST
def decision_edit(request: HttpRequest, code: str) -> HttpResponse:
    ctx = user_context(request)
    decision = q.get_decision_for_user(ctx, code)
    if not can_edit_body(ctx, decision.meeting.body):
        raise PermissionDenied
    form = f.DecisionStatusForm(
        request.POST or None,
        initial={
            "version": decision.version,
            "status": decision.status,
            "status_note": decision.status_note,
            "due_on": decision.due_on,
        },
    )

    def run(data: dict[str, Any]) -> None:
        meeting_actions.update_decision(
            acting_user=request.user,
            decision=decision,
            expected_version=data.pop("version"),
            **data,
        )

    done, rows = _save(request, form, run)
    if done:
        messages.success(request, _("The decision has been updated."))
        return redirect(
            reverse("steering:meeting_detail", args=[decision.meeting.code]) + "#h-decisions"
        )
    title = _("Where the decision stands: %(text)s") % {"text": decision.text[:80]}
    return _form_page(
        request, form, title=title, back=_meeting_back(decision.meeting), conflict_rows=rows
    )


class MinutesFormatConverter:
    """The generated minutes' formats (``minutes.FORMATS``); anything else is no URL (404)."""

    regex = "docx|pdf"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(MinutesFormatConverter, "minutesformat")

urlpatterns = [
    path("gremien/", body_list, name="body_list"),
    path("gremien/neu/", body_create, name="body_create"),
    path("gremien/<str:code>/", body_detail, name="body_detail"),
    path("gremien/<str:code>/bearbeiten/", body_edit, name="body_edit"),
    path("gremien/<str:code>/mitglieder/neu/", member_add, name="member_add"),
    path("gremien/<str:code>/sitzungen/neu/", meeting_plan, name="meeting_plan"),
    path("gremien/<str:code>/beschluesse/", decision_list, name="decision_list"),
    path("mitglieder/<str:code>/beenden/", member_end, name="member_end"),
    path("sitzungen/<str:code>/", meeting_detail, name="meeting_detail"),
    path("sitzungen/<str:code>/bearbeiten/", meeting_edit, name="meeting_edit"),
    path("sitzungen/<str:code>/tagesordnung/neu/", agenda_add, name="agenda_add"),
    path("sitzungen/<str:code>/anwesenheit/", attendance, name="attendance"),
    path("sitzungen/<str:code>/protokoll/", minutes_edit, name="minutes_edit"),
    path("sitzungen/<str:code>/protokoll/genehmigen/", minutes_approve, name="minutes_approve"),
    path("sitzungen/<str:code>/protokoll/hochladen/", minutes_upload, name="minutes_upload"),
    path(
        "sitzungen/<str:code>/protokoll.<minutesformat:fmt>",
        minutes_generated,
        name="minutes_generated",
    ),
    path("sitzungen/<str:code>/beschluesse/neu/", decision_add, name="decision_add"),
    path("protokolle/<str:code>/", minutes_download, name="minutes_download"),
    path("tagesordnung/<str:code>/bearbeiten/", agenda_edit, name="agenda_edit"),
    path("tagesordnung/<str:code>/entfernen/", agenda_remove, name="agenda_remove"),
    path("tagesordnung/<str:code>/hoch/", agenda_move, {"up": True}, name="agenda_up"),
    path("tagesordnung/<str:code>/runter/", agenda_move, {"up": False}, name="agenda_down"),
    path("beschluesse/<str:code>/", decision_edit, name="decision_edit"),
]
