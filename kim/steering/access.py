"""The only door to steering rows for views, the API and exports (docs/permissions.md § Steering).

- The KIM coordination manages everything of its Kreis: bodies of the Kreis and of its towns,
  their members, meetings, minutes and decisions, and the topics (``managed_regions``).
- Members of a body (an active ``BodyMember`` with their account) see that body, its meetings,
  minutes and decisions (read-only unless they also coordinate).
- Programme and team leads read the topics of the Kreis they work in (counts only).
- Case managers see only the topics that concern barriers they recorded in their own cases –
  as counts.
- Council members and welfare-agency managers: nothing, unless they are members of a body.
- Everybody else: 404, exactly like a missing row.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kim.accounts.access import UserContext
from kim.accounts.models import Role
from kim.cases.access import case_manager_organisations, cases_for_user
from kim.steering.models import SteeringBody, SteeringMeeting, Topic


def managed_regions(ctx: UserContext) -> frozenset[int]:
    """Kreise whose steering the user manages (the KIM coordination)."""
    return ctx.regions_with_role(Role.KIM_COORDINATION)


def can_manage_steering(ctx: UserContext) -> bool:
    return bool(managed_regions(ctx))


def _member_filter(ctx: UserContext, day: dt.date, prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}members__user_id": ctx.user_id,
            f"{prefix}members__joined_on__lte": day,
        }
    ) & (
        Q(**{f"{prefix}members__left_on__isnull": True})
        | Q(**{f"{prefix}members__left_on__gte": day})
    )


def bodies_for_user(ctx: UserContext) -> QuerySet[SteeringBody]:
    """Bodies the user may open: every body of a Kreis they coordinate, and the bodies they are
    an active member of."""
    if ctx.user_id is None:
        return SteeringBody.objects.none()
    today = timezone.localdate()
    regions = managed_regions(ctx)
    ids = SteeringBody.objects.filter(Q(region_id__in=regions) | _member_filter(ctx, today))
    return SteeringBody.objects.filter(pk__in=ids.values("pk"))


def get_body_for_user(ctx: UserContext, code: str) -> SteeringBody:
    try:
        return (
            bodies_for_user(ctx).select_related("organisation", "region", "parent").get(code=code)
        )
    except SteeringBody.DoesNotExist:
        raise Http404("No such body") from None


def meetings_for_user(ctx: UserContext) -> QuerySet[SteeringMeeting]:
    return SteeringMeeting.objects.filter(body__in=bodies_for_user(ctx))


def get_meeting_for_user(ctx: UserContext, code: str) -> SteeringMeeting:
    try:
        return meetings_for_user(ctx).select_related("body", "body__region").get(code=code)
    except SteeringMeeting.DoesNotExist:
        raise Http404("No such meeting") from None


def can_edit_body(ctx: UserContext, body: SteeringBody) -> bool:
    """Change the body, its members, meetings, minutes and decisions: the coordination of the
    body's Kreis."""
    return body.region_id in managed_regions(ctx)


def can_use_steering(ctx: UserContext) -> bool:
    """Whether the steering pages (bodies) are in the user's navigation at all."""
    return can_manage_steering(ctx) or bodies_for_user(ctx).exists()


# --------------------------------------------------------------------------------------------
# Topics (D-084; docs/permissions.md § Topics)
# --------------------------------------------------------------------------------------------
#
# - The coordination reads and manages every topic of its Kreis.
# - Programme and team leads read the topics of the Kreis they work in.
# - Case managers read the topics that hold a barrier of a case they may open
#   (``kim.cases.access.cases_for_user``): title, level, status and the evidence counts only –
#   no description, working group, decisions or actions.
# - Everybody else (council members, welfare-agency managers, Baustein-3 officers, the
#   data-protection officer, administrators, other Kreise): 404, like a missing topic.


def topic_read_regions(ctx: UserContext) -> frozenset[int]:
    """Kreise whose topics the user reads in full."""
    return managed_regions(ctx) | ctx.regions_with_role(Role.PROGRAMME_LEAD, Role.TEAM_LEAD)


def can_view_topics(ctx: UserContext) -> bool:
    """Whether the topic board is in the user's navigation (no query)."""
    return bool(topic_read_regions(ctx)) or bool(case_manager_organisations(ctx))


def can_manage_topics(ctx: UserContext) -> bool:
    return can_manage_steering(ctx)


def topics_for_user(ctx: UserContext) -> QuerySet[Topic]:
    """The topics the user may open (no duplicates: the barrier condition is a subquery)."""
    if ctx.user_id is None or not can_view_topics(ctx):
        return Topic.objects.none()
    visible = Q(region_id__in=topic_read_regions(ctx))
    if case_manager_organisations(ctx):
        own = Topic.barriers.through._default_manager.filter(
            barrier__case__in=cases_for_user(ctx).values("pk")
        ).values("topic_id")
        visible |= Q(pk__in=own)
    return Topic.objects.filter(visible)


def get_topic_for_user(ctx: UserContext, code: str) -> Topic:
    try:
        return (
            topics_for_user(ctx)
            .select_related("region", "category", "working_group", "merged_into")
            .get(code=code)
        )
    except Topic.DoesNotExist:
        raise Http404("No such topic") from None


def can_read_topic_details(ctx: UserContext, topic: Topic) -> bool:
    """Description, reasons, working group and decisions: the full readers of its Kreis."""
    return topic.region_id in topic_read_regions(ctx)


def can_manage_topic(ctx: UserContext, topic: Topic) -> bool:
    return topic.region_id in managed_regions(ctx)


__all__ = [
    "bodies_for_user",
    "can_edit_body",
    "can_manage_steering",
    "can_manage_topic",
    "can_manage_topics",
    "can_read_topic_details",
    "can_use_steering",
    "can_view_topics",
    "get_body_for_user",
    "get_meeting_for_user",
    "get_topic_for_user",
    "managed_regions",
    "meetings_for_user",
    "topic_read_regions",
    "topics_for_user",
]
