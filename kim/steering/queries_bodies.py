"""Read side of steering bodies, meetings and decisions: lists and pages for views, start
cards and the generated minutes. Every function starts from the access door
(``kim.steering.access``) or from a row the door has already handed out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import Count, Exists, Min, Model, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from kim.accounts.access import UserContext
from kim.accounts.models import Membership, Role
from kim.organisations.models import Organisation, OrgKind
from kim.steering.access import (
    bodies_for_user,
    managed_regions,
    meetings_for_user,
)
from kim.steering.models import (
    OPEN_DECISION_STATUSES,
    Attendance,
    BodyKind,
    BodyMember,
    Decision,
    MeetingAgendaItem,
    MeetingStatus,
    MinutesDocument,
    SteeringBody,
    SteeringMeeting,
    Topic,
    TopicStatus,
)

# --------------------------------------------------------------------------------------------
# Rows behind the door (404 for everybody who may not read the body)
# --------------------------------------------------------------------------------------------


def _get[T: Model](queryset: QuerySet[T], code: str) -> T:
    try:
        return queryset.get(code=code)
    except queryset.model.DoesNotExist:  # type: ignore[attr-defined]
        raise Http404("No such row") from None


def get_member_for_user(ctx: UserContext, code: str) -> BodyMember:
    members = BodyMember.objects.filter(body__in=bodies_for_user(ctx)).select_related("body")
    return _get(members, code)


def get_agenda_item_for_user(ctx: UserContext, code: str) -> MeetingAgendaItem:
    items = MeetingAgendaItem.objects.filter(meeting__in=meetings_for_user(ctx))
    return _get(items.select_related("meeting", "meeting__body"), code)


def get_document_for_user(ctx: UserContext, code: str) -> MinutesDocument:
    documents = MinutesDocument.objects.filter(meeting__in=meetings_for_user(ctx))
    return _get(documents.select_related("meeting", "meeting__body"), code)


def get_decision_for_user(ctx: UserContext, code: str) -> Decision:
    decisions = Decision.objects.filter(meeting__in=meetings_for_user(ctx))
    return _get(
        decisions.select_related("meeting", "meeting__body", "owner", "owner__user", "topic"),
        code,
    )


# --------------------------------------------------------------------------------------------
# Lists and pages
# --------------------------------------------------------------------------------------------


def body_list(ctx: UserContext, kind: str = "") -> QuerySet[SteeringBody]:
    """The bodies the user may open (optionally of one kind) with member and meeting counts
    and the date of the next planned meeting (one query)."""
    bodies = bodies_for_user(ctx)
    if kind:
        bodies = bodies.filter(kind=kind)
    return (
        bodies.select_related("organisation", "parent")
        .annotate(
            member_count=Count("members", filter=Q(members__left_on__isnull=True), distinct=True),
            meeting_count=Count("meetings", distinct=True),
            next_meeting=Min("meetings__held_on", filter=Q(meetings__status=MeetingStatus.PLANNED)),
        )
        .order_by("kind", "name")
    )


@dataclass
class BodyPage:
    members: list[BodyMember]
    former_members: list[BodyMember]
    groups: list[tuple[SteeringBody, bool]]  # (group, the reader may open it)
    meetings: list[SteeringMeeting]
    open_decisions: list[Decision]


def body_page(ctx: UserContext, body: SteeringBody) -> BodyPage:
    members = list(body.members.select_related("user", "organisation"))
    visible = set(bodies_for_user(ctx).filter(parent=body).values_list("pk", flat=True))
    groups = [(g, g.pk in visible) for g in body.groups.order_by("name")]
    return BodyPage(
        members=[m for m in members if m.left_on is None],
        former_members=[m for m in members if m.left_on is not None],
        groups=groups,
        meetings=list(body.meetings.annotate(decision_count=Count("decisions"))),
        open_decisions=list(decisions_of_body(body).filter(status__in=OPEN_DECISION_STATUSES)),
    )


def decisions_of_body(
    body: SteeringBody, *, status: str = "", owner: BodyMember | None = None
) -> QuerySet[Decision]:
    decisions = Decision.objects.filter(meeting__body=body).select_related(
        "meeting", "owner", "owner__user", "topic"
    )
    if status:
        decisions = decisions.filter(status=status)
    if owner is not None:
        decisions = decisions.filter(owner=owner)
    return decisions.order_by("due_on", "meeting__held_on", "id")


def meeting_page(meeting: SteeringMeeting) -> SteeringMeeting:
    """The meeting with its agenda (and topics), attendance, documents and decisions."""
    return (
        SteeringMeeting.objects.select_related("body", "body__organisation", "body__region")
        .prefetch_related(
            Prefetch(
                "agenda_items",
                queryset=MeetingAgendaItem.objects.select_related("topic").order_by("number"),
            ),
            Prefetch(
                "attendance",
                queryset=Attendance.objects.select_related(
                    "member", "member__user", "member__organisation"
                ).order_by("member__role", "member__name", "member_id"),
            ),
            "documents",
            Prefetch(
                "decisions",
                queryset=Decision.objects.select_related(
                    "owner", "owner__user", "agenda_item", "topic"
                ).order_by("id"),
            ),
        )
        .get(pk=meeting.pk)
    )


# --------------------------------------------------------------------------------------------
# Choices for forms
# --------------------------------------------------------------------------------------------


def active_members(body: SteeringBody, day: dt.date) -> QuerySet[BodyMember]:
    return (
        body.members.filter(joined_on__lte=day)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=day))
        .select_related("user", "organisation")
    )


def topic_choices(body: SteeringBody) -> QuerySet[Topic]:
    """Topics a meeting of the body can put on its agenda or decide on: those of its Kreis
    that are neither rejected nor merged."""
    return (
        Topic.objects.filter(region_id=body.region_id)
        .exclude(status__in=(TopicStatus.REJECTED, TopicStatus.MERGED))
        .order_by("title")
    )


# Roles that look after the platform itself (D-083): they make nobody a member of a body, so
# that the menu and the start page need no query to know that such users have no steering.
PLATFORM_ROLES = frozenset({Role.ADMINISTRATOR, Role.DPO})


def may_be_member(ctx: UserContext) -> bool:
    """Whether the user holds a role that can make them a member of a body (no query)."""
    return bool(ctx.roles - PLATFORM_ROLES)


def account_choices(body: SteeringBody) -> QuerySet[User]:
    """Accounts that can become members: active users with a role in the body's Kreis or one
    of the organisations in it, other than the platform roles."""
    in_region = (
        Membership.objects.active()
        .filter(Q(organisation_id=body.region_id) | Q(organisation__region_id=body.region_id))
        .exclude(role__in=PLATFORM_ROLES)
        .values("user_id")
    )
    return User.objects.filter(pk__in=in_region, is_active=True).order_by(
        "last_name", "first_name", "username"
    )


def parent_choices(body_region_id: int) -> QuerySet[SteeringBody]:
    return SteeringBody.objects.filter(
        region_id=body_region_id, kind=BodyKind.STEERING_GROUP
    ).order_by("name")


# --------------------------------------------------------------------------------------------
# Start page
# --------------------------------------------------------------------------------------------


def open_decisions_for_owner(ctx: UserContext, today: dt.date) -> list[tuple[Decision, bool, bool]]:
    """The user's open decisions (as a member responsible for them), each with (overdue,
    readable): the meeting is linked only when the user may still open it (one query)."""
    if ctx.user_id is None:
        return []
    readable = bodies_for_user(ctx).filter(pk=OuterRef("meeting__body_id"))
    decisions = (
        Decision.objects.filter(owner__user_id=ctx.user_id, status__in=OPEN_DECISION_STATUSES)
        .select_related("meeting", "meeting__body")
        .annotate(readable=Exists(readable))
        .order_by("due_on", "id")
    )
    return [
        (d, d.due_on is not None and d.due_on < today, bool(d.readable))  # type: ignore[attr-defined]
        for d in decisions
    ]


def next_meetings(ctx: UserContext, today: dt.date, limit: int = 5) -> list[SteeringMeeting]:
    """The next planned meetings of the bodies of the Kreise the user coordinates."""
    return list(
        SteeringMeeting.objects.filter(
            body__region_id__in=managed_regions(ctx),
            status=MeetingStatus.PLANNED,
            held_on__gte=today,
        )
        .select_related("body")
        .order_by("held_on", "id")[:limit]
    )


def running_organisations(ctx: UserContext) -> QuerySet[Organisation]:
    """Who can run a new body: the Kreise the user coordinates and their towns."""
    regions = managed_regions(ctx)
    return Organisation.objects.filter(
        Q(pk__in=regions) | Q(region_id__in=regions, kind=OrgKind.KOMMUNE)
    ).order_by("kind", "name")


def member_organisations(body: SteeringBody) -> QuerySet[Organisation]:
    """Organisations of the directory a member can represent: those of the body's Kreis."""
    return Organisation.objects.filter(Q(pk=body.region_id) | Q(region_id=body.region_id)).order_by(
        "name"
    )


def parent_choices_for(ctx: UserContext) -> QuerySet[SteeringBody]:
    """Steering groups a new group can report to: those of the Kreise the user coordinates."""
    return SteeringBody.objects.filter(
        region_id__in=managed_regions(ctx), kind=BodyKind.STEERING_GROUP
    ).order_by("name")


def is_readable_body(ctx: UserContext, body_id: int) -> bool:
    return bodies_for_user(ctx).filter(pk=body_id).exists()
