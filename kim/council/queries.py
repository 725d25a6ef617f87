"""Read side of council business: the motion list, one motion, meetings, committees, and the
querysets behind the OParl lists.

Every function starts from the querysets of ``access.py`` and loads related rows in a fixed
number of queries, whatever the number of papers, questions or meetings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Max, Prefetch, Q, QuerySet

from kim.accounts.access import UserContext
from kim.council import access
from kim.council.models import (
    AgendaItem,
    Body,
    Consultation,
    File,
    Meeting,
    MotionQuestion,
    MotionStatus,
    Organization,
    Paper,
    Report,
    ReportRelease,
)


@dataclass(frozen=True)
class MotionFilter:
    status: str = ""
    year: int | None = None
    q: str = ""


def motion_list(ctx: UserContext, f: MotionFilter) -> list[Paper]:
    """The motions the user may read, newest first, with question counts (one query)."""
    qs = access.motions_for_user(ctx)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.year:
        qs = qs.filter(date__year=f.year)
    if f.q:
        qs = qs.filter(
            Q(reference__icontains=f.q) | Q(name__icontains=f.q) | Q(questions__text__icontains=f.q)
        )
    ids = qs.values("pk")
    return list(
        Paper.objects.filter(pk__in=ids)
        .select_related("body", "committee", "meeting")
        .annotate(
            question_count=Count("questions", distinct=True),
            untagged_count=Count("questions", filter=Q(questions__block_keys=[]), distinct=True),
        )
        .order_by("-date", "-id")
    )


def motion_years(ctx: UserContext) -> list[int]:
    """The years that have motions the user may read, newest first (for the filter)."""
    dates = access.motions_for_user(ctx).dates("date", "year", order="DESC")
    return [d.year for d in dates]


def has_any_motion(ctx: UserContext) -> bool:
    return access.motions_for_user(ctx).exists()


def motion_detail(motion: Paper) -> Paper:
    """One motion with questions, originators, consultations and files."""
    return (
        Paper.objects.filter(pk=motion.pk)
        .select_related("body", "body__organisation", "committee", "meeting", "under_direction_of")
        .prefetch_related(
            Prefetch("questions", queryset=MotionQuestion.objects.order_by("number")),
            "originator_organizations",
            Prefetch(
                "consultations",
                queryset=Consultation.objects.select_related(
                    "meeting", "agenda_item", "organization"
                ),
            ),
            Prefetch("files", queryset=File.objects.order_by("role", "id")),
        )
        .get()
    )


def meeting_list(ctx: UserContext) -> list[Meeting]:
    """Meetings the user may read, newest first, with their committees (two queries)."""
    return list(
        access.meetings_for_user(ctx)
        .select_related("body")
        .prefetch_related("organizations")
        .annotate(item_count=Count("agenda_items"))
        .order_by("-start", "-id")
    )


def meeting_detail(ctx: UserContext, meeting: Meeting) -> tuple[Meeting, list[AgendaItem]]:
    """A meeting, its agenda (council members: public items only) with the paper each item
    deals with, if the reader may see that paper."""
    meeting = (
        Meeting.objects.filter(pk=meeting.pk)
        .select_related("body")
        .prefetch_related("organizations")
        .get()
    )
    items = AgendaItem.objects.filter(meeting=meeting).select_related("consultation__paper")
    if not access.can_manage_meeting(ctx, meeting):
        items = items.filter(public=True)
    visible = set(
        access.papers_for_user(ctx)
        .filter(consultations__agenda_item__meeting=meeting)
        .values_list("pk", flat=True)
    )
    agenda = list(items.order_by("order"))
    for item in agenda:
        consultation = getattr(item, "consultation", None)
        item.visible_paper = (  # type: ignore[attr-defined]
            consultation.paper if consultation and consultation.paper_id in visible else None
        )
    return meeting, agenda


def organization_list(ctx: UserContext) -> list[Organization]:
    return list(
        access.organizations_for_user(ctx)
        .select_related("body")
        .order_by("body__name", "kind", "name")
    )


def open_motion_count(ctx: UserContext) -> int:
    """Motions of managed bodies that still wait for an answer."""
    return (
        access.motions_for_user(ctx)
        .filter(status__in=[MotionStatus.RECEIVED, MotionStatus.IN_PROGRESS])
        .count()
    )


# --- OParl lists: each a queryset in a stable order with everything its objects embed ---------


def oparl_bodies() -> QuerySet[Body]:
    return access.public_bodies().order_by("id")


def oparl_organizations(body: Body) -> QuerySet[Organization]:
    return access.public_organizations().filter(body=body).select_related("body").order_by("id")


def _public_items() -> QuerySet[AgendaItem]:
    return access.public_agenda_items().select_related("consultation__paper").order_by("order")


def oparl_meetings(body: Body | None = None) -> QuerySet[Meeting]:
    qs = access.public_meetings().prefetch_related(
        "organizations", Prefetch("agenda_items", queryset=_public_items())
    )
    return (qs.filter(body=body) if body is not None else qs).order_by("id")


def oparl_agenda_items(body: Body | None = None) -> QuerySet[AgendaItem]:
    qs = access.public_agenda_items().select_related("meeting", "consultation__paper")
    return (qs.filter(meeting__body=body) if body is not None else qs).order_by("id")


def _public_consultations() -> QuerySet[Consultation]:
    return access.public_consultations().select_related(
        "paper", "meeting", "agenda_item", "organization"
    )


def oparl_papers(body: Body | None = None) -> QuerySet[Paper]:
    qs = access.released_papers().prefetch_related(
        "originator_organizations",
        Prefetch("related_papers", queryset=access.released_papers().only("code")),
        Prefetch("files", queryset=File.objects.order_by("id")),
        Prefetch("consultations", queryset=_public_consultations().order_by("id")),
    )
    qs = qs.select_related("body", "under_direction_of")
    return (qs.filter(body=body) if body is not None else qs).order_by("id")


def oparl_consultations(body: Body | None = None) -> QuerySet[Consultation]:
    qs = _public_consultations()
    return (qs.filter(paper__body=body) if body is not None else qs).order_by("id")


def oparl_files(body: Body | None = None) -> QuerySet[File]:
    qs = access.public_files().select_related("paper")
    return (qs.filter(body=body) if body is not None else qs).order_by("id")


# --- start page ---------------------------------------------------------------------------

OPEN_MOTION = (MotionStatus.RECEIVED, MotionStatus.IN_PROGRESS)


def motions_due(ctx: UserContext, today: dt.date, days: int = 30) -> list[Paper]:
    """Unanswered motions of the bodies the user manages whose answer is overdue or due within
    ``days`` days, the earliest deadline first (one query)."""
    return list(
        access.motions_for_user(ctx)
        .filter(
            body__in=access.bodies_for_managing(ctx).values("pk"),
            status__in=OPEN_MOTION,
            deadline__lte=today + dt.timedelta(days=days),
        )
        .order_by("deadline", "reference")
    )


def drafts_awaiting_release(ctx: UserContext) -> list[Report]:
    """Reports of the managed bodies never released or changed since their latest release,
    with who changed them last (one query; the four-eyes check needs no more)."""
    return list(
        access.reports_for_user(ctx)
        .filter(motion__body__in=access.bodies_for_managing(ctx).values("pk"))
        .annotate(last_release=Max("releases__released_at"))
        .filter(Q(last_release__isnull=True) | Q(modified__gt=F("last_release")))
        .select_related("motion", "motion__body")
        .order_by("-modified", "-id")
    )


def latest_releases(
    ctx: UserContext, organisation_id: int, limit: int = 5
) -> tuple[int, list[ReportRelease]]:
    """How many report versions of the council of ``organisation_id`` the user may read, and
    the latest ``limit`` of them, newest first (two queries, without the snapshots)."""
    qs = access.releases_for_user(ctx).filter(report__motion__body__organisation_id=organisation_id)
    latest = list(
        qs.select_related("report").defer("snapshot").order_by("-released_at", "-id")[:limit]
    )
    return qs.count(), latest
