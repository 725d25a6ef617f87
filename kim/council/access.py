"""The only door to council rows for views and the OParl API.

- A town's programme lead manages the council business of the town's body; KIM coordination
  (and administrators) manage that of every body in their Kreis – the Kreis's own and its
  towns'. Managing means: record papers, motions and their questions, meetings and committees,
  change a motion's status, tag answer blocks, release papers, attach files; and read drafts.
- A council member reads the public meetings and the released papers of the body of the
  organisation they hold the role in – never a draft, never a non-public meeting.
- The administration's report on a motion is a draft of the staff who manage the motion's body
  (read, edit, download, release – the release by someone other than its last editor). Its
  released versions are frozen papers: readable by those staff and by the body's council
  members. For a council member a report without a released version does not exist (404), and
  the draft pages stay 404 even once a version is released.
- Everyone else sees nothing here: lists answer 403, rows 404 – the same 404 as a missing row.
- The OParl API (``public_*``) needs no login and shows exactly what a council member of any
  body may read: public meetings (and their public agenda items), released papers with their
  consultations and files, and the bodies' organizations.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404

from kim.accounts.access import UserContext, is_administrator
from kim.accounts.models import Role
from kim.council.actions.reports import can_release
from kim.council.models import (
    MEETING_KINDS,
    MOTION_TYPES,
    AgendaItem,
    Body,
    Consultation,
    File,
    Meeting,
    MotionQuestion,
    Organization,
    OrganizationKind,
    Paper,
    Report,
    ReportRelease,
)

MANAGER_ROLES = (Role.KIM_COORDINATION, Role.PROGRAMME_LEAD)


def can_use_council(ctx: UserContext) -> bool:
    """Whether the council pages appear in the navigation at all."""
    return is_administrator(ctx) or ctx.has_role(*MANAGER_ROLES, Role.COUNCIL_MEMBER)


def _managed(ctx: UserContext, prefix: str = "") -> Q:
    """Rows of the bodies the user manages (``prefix`` leads from the row to its body)."""
    regions = ctx.regions_with_role(Role.KIM_COORDINATION)
    towns = ctx.organisations_with_role(Role.PROGRAMME_LEAD)
    return Q(**{f"{prefix}region_id__in": regions}) | Q(**{f"{prefix}organisation_id__in": towns})


def _council(ctx: UserContext, prefix: str = "") -> Q:
    """Rows of the bodies the user sits on as a council member."""
    return Q(**{f"{prefix}organisation_id__in": ctx.organisations_with_role(Role.COUNCIL_MEMBER)})


def can_manage_body(ctx: UserContext, body: Body) -> bool:
    if is_administrator(ctx) or body.region_id in ctx.regions_with_role(Role.KIM_COORDINATION):
        return True
    return body.organisation_id in ctx.organisations_with_role(Role.PROGRAMME_LEAD)


def can_read_body(ctx: UserContext, body: Body) -> bool:
    return can_manage_body(ctx, body) or body.organisation_id in ctx.organisations_with_role(
        Role.COUNCIL_MEMBER
    )


def can_manage_paper(ctx: UserContext, paper: Paper) -> bool:
    return can_manage_body(ctx, paper.body)


def can_manage_meeting(ctx: UserContext, meeting: Meeting) -> bool:
    return can_manage_body(ctx, meeting.body)


def bodies_for_managing(ctx: UserContext) -> QuerySet[Body]:
    qs = Body.objects.select_related("organisation").order_by("name")
    if is_administrator(ctx):
        return qs
    return qs.filter(_managed(ctx))


def bodies_for_user(ctx: UserContext) -> QuerySet[Body]:
    qs = Body.objects.select_related("organisation").order_by("name")
    if is_administrator(ctx):
        return qs
    return qs.filter(_managed(ctx) | _council(ctx))


def papers_for_user(ctx: UserContext) -> QuerySet[Paper]:
    """All papers of managed bodies; the released ones of the bodies one sits on."""
    qs = Paper.objects.all()
    if is_administrator(ctx):
        return qs
    return qs.filter(_managed(ctx, "body__") | (_council(ctx, "body__") & Q(released=True)))


def motions_for_user(ctx: UserContext) -> QuerySet[Paper]:
    return papers_for_user(ctx).filter(paper_type__in=MOTION_TYPES)


def get_motion_for_user(ctx: UserContext, code: str) -> Paper:
    motion = (
        motions_for_user(ctx)
        .select_related("body", "body__organisation", "committee", "meeting", "under_direction_of")
        .filter(code=code)
        .first()
    )
    if motion is None:
        raise Http404("Motion not found")
    return motion


def get_motion_for_managing(ctx: UserContext, code: str) -> Paper:
    motion = get_motion_for_user(ctx, code)
    if not can_manage_paper(ctx, motion):
        raise PermissionDenied
    return motion


def get_question_for_managing(ctx: UserContext, code: str) -> MotionQuestion:
    question = (
        MotionQuestion.objects.select_related("paper", "paper__body").filter(code=code).first()
    )
    if question is None or not motions_for_user(ctx).filter(pk=question.paper_id).exists():
        raise Http404("Question not found")
    if not can_manage_paper(ctx, question.paper):
        raise PermissionDenied
    return question


def get_file_for_user(ctx: UserContext, code: str) -> File:
    """A paper's file is readable by whoever may read the paper; 404 otherwise."""
    file = File.objects.select_related("paper").filter(code=code).first()
    if file is None or not papers_for_user(ctx).filter(pk=file.paper_id).exists():
        raise Http404("File not found")
    return file


def meetings_for_user(ctx: UserContext) -> QuerySet[Meeting]:
    """All meetings of managed bodies; the public ones of the bodies one sits on."""
    qs = Meeting.objects.all()
    if is_administrator(ctx):
        return qs
    return qs.filter(_managed(ctx, "body__") | (_council(ctx, "body__") & Q(public=True)))


def get_meeting_for_user(ctx: UserContext, code: str) -> Meeting:
    meeting = meetings_for_user(ctx).select_related("body").filter(code=code).first()
    if meeting is None:
        raise Http404("Meeting not found")
    return meeting


def get_meeting_for_managing(ctx: UserContext, code: str) -> Meeting:
    meeting = get_meeting_for_user(ctx, code)
    if not can_manage_meeting(ctx, meeting):
        raise PermissionDenied
    return meeting


def organizations_for_user(ctx: UserContext) -> QuerySet[Organization]:
    """Committees, council groups and departments of the bodies one may read (public facts)."""
    qs = Organization.objects.all()
    if is_administrator(ctx):
        return qs
    return qs.filter(_managed(ctx, "body__") | _council(ctx, "body__"))


# --- the administration's reports ---------------------------------------------------------------


def can_manage_report(ctx: UserContext, report: Report) -> bool:
    """Draft, edit, download the draft of, and release a report (load ``motion__body``)."""
    return can_manage_body(ctx, report.motion.body)


def can_release_report(ctx: UserContext, report: Report) -> bool:
    """Four-eyes: a manager of the body who did not change the draft last (the same rule the
    release action enforces)."""
    return can_manage_report(ctx, report) and can_release(report, ctx.user_id)


def reports_for_user(ctx: UserContext) -> QuerySet[Report]:
    """Every report of the managed bodies; those with a released version of the bodies one
    sits on as a council member (for them only the released versions are readable)."""
    qs = Report.objects.all()
    if is_administrator(ctx):
        return qs
    released = Q(pk__in=ReportRelease.objects.values("report_id"))
    return qs.filter(_managed(ctx, "motion__body__") | (_council(ctx, "motion__body__") & released))


def releases_for_user(ctx: UserContext) -> QuerySet[ReportRelease]:
    """Released versions of the reports of the bodies one manages or sits on."""
    qs = ReportRelease.objects.all()
    if is_administrator(ctx):
        return qs
    prefix = "report__motion__body__"
    return qs.filter(_managed(ctx, prefix) | (_council(ctx, prefix) & Q(paper__released=True)))


def get_report_for_managing(ctx: UserContext, code: str) -> Report:
    """The draft and its pages: 404 for everyone who does not manage the body – council
    members included, even when a version of the report has been released."""
    report = (
        Report.objects.select_related(
            "motion", "motion__body", "motion__body__organisation", "department", "last_edited_by"
        )
        .filter(code=code)
        .first()
    )
    if report is None or not can_manage_report(ctx, report):
        raise Http404("Report not found")
    return report


def get_release_for_user(ctx: UserContext, code: str, number: int) -> ReportRelease:
    """One released version of a report, for the body's staff and council members; 404
    otherwise, exactly like a missing version."""
    release = (
        releases_for_user(ctx)
        .select_related(
            "report",
            "report__motion",
            "report__motion__body",
            "report__motion__body__organisation",
            "released_by",
            "drafted_by",
        )
        .filter(report__code=code, number=number)
        .first()
    )
    if release is None:
        raise Http404("Report version not found")
    return release


# --- choices for the forms of managers ------------------------------------------------------


def _of_managed_bodies(ctx: UserContext) -> QuerySet[Organization]:
    qs = Organization.objects.select_related("body").order_by("body__name", "name")
    return qs if is_administrator(ctx) else qs.filter(_managed(ctx, "body__"))


def committees_for_managing(ctx: UserContext) -> QuerySet[Organization]:
    return _of_managed_bodies(ctx).filter(kind__in=MEETING_KINDS)


def originators_for_managing(ctx: UserContext) -> QuerySet[Organization]:
    """Council groups first ("fraktion" sorts last by kind), then the council and committees."""
    return (
        _of_managed_bodies(ctx)
        .exclude(kind=OrganizationKind.DEPARTMENT)
        .order_by("body__name", "-kind", "name")
    )


def departments_for_managing(ctx: UserContext) -> QuerySet[Organization]:
    return _of_managed_bodies(ctx).filter(kind=OrganizationKind.DEPARTMENT)


def meetings_for_managing(ctx: UserContext) -> QuerySet[Meeting]:
    qs = Meeting.objects.select_related("body").order_by("-start")
    return qs if is_administrator(ctx) else qs.filter(_managed(ctx, "body__"))


# --- the public OParl view --------------------------------------------------------------------


def public_bodies() -> QuerySet[Body]:
    return Body.objects.select_related("organisation")


def public_organizations() -> QuerySet[Organization]:
    return Organization.objects.all()


def public_meetings() -> QuerySet[Meeting]:
    return Meeting.objects.filter(public=True)


def public_agenda_items() -> QuerySet[AgendaItem]:
    return AgendaItem.objects.filter(public=True, meeting__public=True)


def released_papers() -> QuerySet[Paper]:
    return Paper.objects.filter(released=True)


def public_consultations() -> QuerySet[Consultation]:
    return Consultation.objects.filter(paper__released=True)


def public_files() -> QuerySet[File]:
    return File.objects.filter(paper__released=True)


def get_public[M: models.Model](qs: QuerySet[M], code: str) -> M:
    """One row of a public queryset by code, or 404 exactly like a missing row."""
    row = qs.filter(code=code).first()
    if row is None:
        raise Http404("Not found")
    return row
