"""The only door to cooperation rows for views and the API.

- KIM coordination (and administrators) see and manage every talk of their Kreis.
- A town's programme lead manages the talks its town held; its team lead reads them.
- A welfare-agency manager reads the talks their agency took part in, nothing else.
- Council members, case managers and others see nothing here; strangers get 404.
- Welfare-agency pages: coordination, programme and team leads of the region read them, an
  agency's manager reads its own; only coordination (and administrators) add services and
  contacts.
- A follow-up task is completed by its owner or by whoever manages the talk.
- Calls for expressions of interest: coordination manages every call of its Kreis, a town's
  programme lead the calls its town issued (reading also calls offering the town's posts); a
  welfare-agency manager reads published calls of its Kreis and only its own submissions –
  never competitors' submissions, scores or the ranking (404).
- Pass-through agreements: coordination manages all of its Kreis; a town's programme lead
  manages those where the town is grantor or recipient; a welfare-agency manager reads those
  where the agency is the recipient. Others see nothing (404).
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from kim.accounts.access import UserContext, is_administrator
from kim.accounts.models import Membership, Role
from kim.organisations.models import Organisation, OrgKind
from kim.partners.models import (
    Agreement,
    Call,
    CallStatus,
    FollowUp,
    Payment,
    ReportingDuty,
    Submission,
    SubmissionDocument,
    Talk,
    TalkDocument,
    TalkParticipant,
)
from kim.programmes.access import positions_for_user
from kim.programmes.models import Position

PARTNER_ROLES = (
    Role.KIM_COORDINATION,
    Role.PROGRAMME_LEAD,
    Role.TEAM_LEAD,
    Role.TRAEGER_MANAGER,
    Role.ADMINISTRATOR,
)


def can_use_partners(ctx: UserContext) -> bool:
    return is_administrator(ctx) or ctx.has_role(
        Role.KIM_COORDINATION, Role.PROGRAMME_LEAD, Role.TEAM_LEAD, Role.TRAEGER_MANAGER
    )


def talks_for_user(ctx: UserContext) -> QuerySet[Talk]:
    qs = Talk.objects.all()
    if is_administrator(ctx):
        return qs
    regions = ctx.regions_with_role(Role.KIM_COORDINATION)
    towns = ctx.organisations_with_role(Role.PROGRAMME_LEAD, Role.TEAM_LEAD)
    agencies = ctx.organisations_with_role(Role.TRAEGER_MANAGER)
    if not (regions or towns or agencies):
        return qs.none()
    return qs.filter(
        Q(region_id__in=regions)
        | Q(host_id__in=towns)
        | Q(participants__organisation_id__in=agencies)
    ).distinct()


def can_manage_talk(ctx: UserContext, talk: Talk) -> bool:
    if is_administrator(ctx) or talk.region_id in ctx.regions_with_role(Role.KIM_COORDINATION):
        return True
    return talk.host_id in ctx.organisations_with_role(Role.PROGRAMME_LEAD)


def hosts_for_user(ctx: UserContext) -> QuerySet[Organisation]:
    """Where the user may record talks: the Kreis and its towns (coordination), the own town."""
    qs = Organisation.objects.filter(
        kind__in=[OrgKind.KREIS, OrgKind.KREISFREIE_STADT, OrgKind.KOMMUNE]
    )
    if is_administrator(ctx):
        return qs.order_by("name")
    regions = ctx.regions_with_role(Role.KIM_COORDINATION)
    towns = ctx.organisations_with_role(Role.PROGRAMME_LEAD)
    return qs.filter(Q(id__in=regions) | Q(region_id__in=regions) | Q(id__in=towns)).order_by(
        "name"
    )


def get_talk_for_user(ctx: UserContext, code: str) -> Talk:
    talk = talks_for_user(ctx).select_related("host", "region").filter(code=code).first()
    if talk is None:
        raise Http404("Talk not found")
    return talk


def get_talk_for_managing(ctx: UserContext, code: str) -> Talk:
    talk = get_talk_for_user(ctx, code)
    if not can_manage_talk(ctx, talk):
        raise PermissionDenied
    return talk


def get_document_for_user(ctx: UserContext, code: str) -> TalkDocument:
    """Minutes are readable by whoever may read the talk; 404 otherwise."""
    document = TalkDocument.objects.select_related("talk").filter(code=code).first()
    if document is None or not talks_for_user(ctx).filter(pk=document.talk_id).exists():
        raise Http404("Document not found")
    return document


def follow_ups_for_owner(user_id: int | None) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(owner_id=user_id, done_at__isnull=True).select_related("talk")


def get_follow_up_for_owner(ctx: UserContext, code: str) -> FollowUp:
    follow_up = FollowUp.objects.select_related("talk").filter(code=code).first()
    if follow_up is None or not (
        follow_up.owner_id == ctx.user_id
        or talks_for_user(ctx).filter(pk=follow_up.talk_id).exists()
    ):
        raise Http404("Task not found")
    return follow_up


def traeger_for_user(ctx: UserContext) -> QuerySet[Organisation]:
    """Welfare agencies whose page the user may open: those of the own region, or the own."""
    qs = Organisation.objects.filter(kind=OrgKind.TRAEGER)
    if is_administrator(ctx):
        return qs
    regions = ctx.regions_with_role(Role.KIM_COORDINATION, Role.PROGRAMME_LEAD, Role.TEAM_LEAD)
    own = ctx.organisations_with_role(Role.TRAEGER_MANAGER)
    return qs.filter(Q(region_id__in=regions) | Q(id__in=own))


def can_view_traeger(ctx: UserContext, org: Organisation) -> bool:
    """Whether the agency's page opens for the user: ``traeger_for_user`` as a predicate, for
    the links to it (a talk's participants)."""
    if org.kind != OrgKind.TRAEGER:
        return False
    if is_administrator(ctx):
        return True
    regions = ctx.regions_with_role(Role.KIM_COORDINATION, Role.PROGRAMME_LEAD, Role.TEAM_LEAD)
    return org.region_id in regions or org.pk in ctx.organisations_with_role(Role.TRAEGER_MANAGER)


def get_traeger_for_user(ctx: UserContext, code: str) -> Organisation:
    org = traeger_for_user(ctx).select_related("umbrella", "region").filter(code=code).first()
    if org is None:
        raise Http404("Welfare agency not found")
    return org


def can_manage_traeger(ctx: UserContext, org: Organisation) -> bool:
    """Services and contacts of a welfare agency: coordination of its region, administrators."""
    return is_administrator(ctx) or (
        org.region_id is not None and org.region_id in ctx.regions_with_role(Role.KIM_COORDINATION)
    )


def get_traeger_for_managing(ctx: UserContext, code: str) -> Organisation:
    org = get_traeger_for_user(ctx, code)
    if not can_manage_traeger(ctx, org):
        raise PermissionDenied
    return org


def can_complete_follow_up(ctx: UserContext, follow_up: FollowUp) -> bool:
    return follow_up.owner_id == ctx.user_id or can_manage_talk(ctx, follow_up.talk)


def get_follow_up_for_completing(ctx: UserContext, code: str) -> FollowUp:
    follow_up = get_follow_up_for_owner(ctx, code)
    if not can_complete_follow_up(ctx, follow_up):
        raise PermissionDenied
    return follow_up


def _talk_regions(ctx: UserContext) -> frozenset[int]:
    """The regions in which the user may record talks (see ``hosts_for_user``)."""
    return ctx.regions_with_role(Role.KIM_COORDINATION, Role.PROGRAMME_LEAD)


def traeger_for_talks(ctx: UserContext) -> QuerySet[Organisation]:
    """Welfare agencies that can be named in a talk the user records (the hosts' regions)."""
    qs = Organisation.objects.filter(kind=OrgKind.TRAEGER)
    if not is_administrator(ctx):
        qs = qs.filter(region_id__in=_talk_regions(ctx))
    return qs.order_by("name")


def positions_for_talks(ctx: UserContext) -> QuerySet[Position]:
    """Positions that can be linked to a talk: visible to the user, in the hosts' regions."""
    qs = positions_for_user(ctx).select_related("home")
    if not is_administrator(ctx):
        qs = qs.filter(region_id__in=_talk_regions(ctx))
    return qs.order_by("baustein", "home__name", "title")


def towns_for_traeger(org: Organisation) -> QuerySet[Organisation]:
    """The towns a welfare agency's service can serve: those of its region."""
    return Organisation.objects.filter(
        region_id=org.region_id, kind__in=[OrgKind.KOMMUNE, OrgKind.KREISFREIE_STADT]
    ).order_by("name")


def traeger_for_position(position: Position) -> QuerySet[Organisation]:
    """The welfare agencies that may fill a position: those of its region."""
    return Organisation.objects.filter(kind=OrgKind.TRAEGER, region_id=position.region_id).order_by(
        "name"
    )


def follow_up_owners_for_talk(talk: Talk) -> QuerySet[User]:
    """Who can own a follow-up task: active users with a cooperation role in the talk's Kreis
    or in one of the organisations that took part (one membership must satisfy all of it)."""
    taking_part = TalkParticipant.objects.filter(talk=talk).values("organisation_id")
    members = (
        Membership.objects.active()
        .filter(
            Q(organisation_id=talk.region_id) | Q(organisation_id__in=taking_part),
            role__in=PARTNER_ROLES,
        )
        .values("user_id")
    )
    return User.objects.filter(pk__in=members, is_active=True).order_by(
        "last_name", "first_name", "username"
    )


# --- pass-through agreements ---------------------------------------------------------------


def can_use_agreements(ctx: UserContext) -> bool:
    return is_administrator(ctx) or ctx.has_role(
        Role.KIM_COORDINATION, Role.PROGRAMME_LEAD, Role.TRAEGER_MANAGER
    )


def can_use_deadlines(ctx: UserContext) -> bool:
    return is_administrator(ctx) or ctx.has_role(Role.KIM_COORDINATION, Role.PROGRAMME_LEAD)


def agreements_for_user(ctx: UserContext) -> QuerySet[Agreement]:
    qs = Agreement.objects.all()
    if is_administrator(ctx):
        return qs
    regions = ctx.regions_with_role(Role.KIM_COORDINATION)
    towns = ctx.organisations_with_role(Role.PROGRAMME_LEAD)
    agencies = ctx.organisations_with_role(Role.TRAEGER_MANAGER)
    if not (regions or towns or agencies):
        return qs.none()
    return qs.filter(
        Q(region_id__in=regions)
        | Q(grantor_id__in=towns)
        | Q(recipient_id__in=towns)
        | Q(recipient_id__in=agencies)
    )


def agreements_for_managing(ctx: UserContext) -> QuerySet[Agreement]:
    qs = Agreement.objects.all()
    if is_administrator(ctx):
        return qs
    regions = ctx.regions_with_role(Role.KIM_COORDINATION)
    towns = ctx.organisations_with_role(Role.PROGRAMME_LEAD)
    return qs.filter(Q(region_id__in=regions) | Q(grantor_id__in=towns) | Q(recipient_id__in=towns))


def can_manage_agreement(ctx: UserContext, agreement: Agreement) -> bool:
    if is_administrator(ctx) or agreement.region_id in ctx.regions_with_role(Role.KIM_COORDINATION):
        return True
    towns = ctx.organisations_with_role(Role.PROGRAMME_LEAD)
    return agreement.grantor_id in towns or agreement.recipient_id in towns


def get_agreement_for_user(ctx: UserContext, code: str) -> Agreement:
    agreement = (
        agreements_for_user(ctx)
        .select_related("grantor", "recipient", "region")
        .filter(code=code)
        .first()
    )
    if agreement is None:
        raise Http404("Agreement not found")
    return agreement


def get_agreement_for_managing(ctx: UserContext, code: str) -> Agreement:
    agreement = get_agreement_for_user(ctx, code)
    if not can_manage_agreement(ctx, agreement):
        raise PermissionDenied
    return agreement


def get_payment_for_managing(ctx: UserContext, code: str) -> Payment:
    payment = Payment.objects.select_related("agreement").filter(code=code).first()
    if payment is None or not agreements_for_user(ctx).filter(pk=payment.agreement_id).exists():
        raise Http404("Payment not found")
    if not can_manage_agreement(ctx, payment.agreement):
        raise PermissionDenied
    return payment


def get_duty_for_managing(ctx: UserContext, code: str) -> ReportingDuty:
    duty = ReportingDuty.objects.select_related("agreement").filter(code=code).first()
    if duty is None or not agreements_for_user(ctx).filter(pk=duty.agreement_id).exists():
        raise Http404("Reporting duty not found")
    if not can_manage_agreement(ctx, duty.agreement):
        raise PermissionDenied
    return duty


def grantors_for_user(ctx: UserContext) -> QuerySet[Organisation]:
    """Who the user may pass funds on for: the Kreis (coordination), the own town (lead)."""
    qs = Organisation.objects.filter(
        kind__in=[OrgKind.KREIS, OrgKind.KREISFREIE_STADT, OrgKind.KOMMUNE]
    )
    if is_administrator(ctx):
        return qs.order_by("name")
    regions = ctx.regions_with_role(Role.KIM_COORDINATION)
    towns = ctx.organisations_with_role(Role.PROGRAMME_LEAD)
    return qs.filter(Q(id__in=regions) | Q(region_id__in=regions) | Q(id__in=towns)).order_by(
        "name"
    )


def recipients_for_user(ctx: UserContext) -> QuerySet[Organisation]:
    """Towns and welfare agencies of the regions in which the user may pass funds on."""
    qs = Organisation.objects.filter(kind__in=[OrgKind.KOMMUNE, OrgKind.TRAEGER])
    if not is_administrator(ctx):
        qs = qs.filter(region_id__in=_talk_regions(ctx))
    return qs.order_by("kind", "name")


# --- calls for expressions of interest ---------------------------------------------------


def can_use_calls(ctx: UserContext) -> bool:
    return is_administrator(ctx) or ctx.has_role(
        Role.KIM_COORDINATION, Role.PROGRAMME_LEAD, Role.TRAEGER_MANAGER
    )


def calls_for_managing(ctx: UserContext) -> QuerySet[Call]:
    qs = Call.objects.all()
    if is_administrator(ctx):
        return qs
    regions = ctx.regions_with_role(Role.KIM_COORDINATION)
    towns = ctx.organisations_with_role(Role.PROGRAMME_LEAD)
    return qs.filter(Q(region_id__in=regions) | Q(issuer_id__in=towns))


def calls_for_user(ctx: UserContext) -> QuerySet[Call]:
    """Calls the user may read (managers: drafts too; agencies: published ones of the Kreis)."""
    qs = Call.objects.all()
    if is_administrator(ctx):
        return qs
    regions = ctx.regions_with_role(Role.KIM_COORDINATION)
    towns = ctx.organisations_with_role(Role.PROGRAMME_LEAD)
    agencies = ctx.organisations_with_role(Role.TRAEGER_MANAGER)
    if not (regions or towns or agencies):
        return qs.none()
    agency_regions = Organisation.objects.filter(pk__in=agencies).values("region_id")
    offering_towns = Call.positions.through.objects.filter(position__home_id__in=towns).values(
        "call_id"
    )
    return qs.filter(
        Q(region_id__in=regions)
        | Q(issuer_id__in=towns)
        | Q(pk__in=offering_towns)
        | (Q(region_id__in=agency_regions) & ~Q(status=CallStatus.DRAFT))
    )


def can_manage_call(ctx: UserContext, call: Call) -> bool:
    if is_administrator(ctx) or call.region_id in ctx.regions_with_role(Role.KIM_COORDINATION):
        return True
    return call.issuer_id in ctx.organisations_with_role(Role.PROGRAMME_LEAD)


def get_call_for_user(ctx: UserContext, code: str) -> Call:
    call = calls_for_user(ctx).select_related("issuer", "region").filter(code=code).first()
    if call is None:
        raise Http404("Call not found")
    return call


def get_call_for_managing(ctx: UserContext, code: str) -> Call:
    call = get_call_for_user(ctx, code)
    if not can_manage_call(ctx, call):
        raise PermissionDenied
    return call


def submitting_agencies(ctx: UserContext, call: Call) -> QuerySet[Organisation]:
    """Agencies the user may submit for: managers record any agency of the Kreis (paper
    submissions), an agency's manager only their own – while the call is published."""
    qs = Organisation.objects.filter(kind=OrgKind.TRAEGER, region_id=call.region_id)
    if call.status != CallStatus.PUBLISHED:
        return qs.none()
    if can_manage_call(ctx, call):
        return qs.order_by("name")
    return qs.filter(id__in=ctx.organisations_with_role(Role.TRAEGER_MANAGER)).order_by("name")


def submissions_for_user(ctx: UserContext, call: Call) -> QuerySet[Submission]:
    """All submissions for the call's managers; an agency's manager sees only its own."""
    qs = Submission.objects.filter(call=call)
    if can_manage_call(ctx, call):
        return qs
    return qs.filter(traeger_id__in=ctx.organisations_with_role(Role.TRAEGER_MANAGER))


def own_submissions(ctx: UserContext) -> QuerySet[Submission]:
    """Every submission of the agencies the user manages."""
    return Submission.objects.filter(
        traeger_id__in=ctx.organisations_with_role(Role.TRAEGER_MANAGER)
    )


def get_submission_for_user(ctx: UserContext, code: str) -> Submission:
    submission = (
        Submission.objects.select_related("call", "call__issuer", "traeger")
        .filter(code=code)
        .first()
    )
    if submission is None or not (
        submissions_for_user(ctx, submission.call).filter(pk=submission.pk).exists()
        and calls_for_user(ctx).filter(pk=submission.call_id).exists()
    ):
        raise Http404("Submission not found")
    return submission


def is_own_submission(ctx: UserContext, submission: Submission) -> bool:
    return submission.traeger_id in ctx.organisations_with_role(Role.TRAEGER_MANAGER)


def can_change_submission(ctx: UserContext, submission: Submission) -> bool:
    """Withdraw or add documents: the agency itself or the call's managers."""
    return is_own_submission(ctx, submission) or can_manage_call(ctx, submission.call)


def get_submission_for_changing(ctx: UserContext, code: str) -> Submission:
    submission = get_submission_for_user(ctx, code)
    if not can_change_submission(ctx, submission):
        raise PermissionDenied
    return submission


def get_submission_for_scoring(ctx: UserContext, code: str) -> Submission:
    submission = get_submission_for_user(ctx, code)
    if not can_manage_call(ctx, submission.call):
        raise PermissionDenied
    return submission


def get_submission_document_for_user(ctx: UserContext, code: str) -> SubmissionDocument:
    document = (
        SubmissionDocument.objects.select_related("submission", "submission__call")
        .filter(code=code)
        .first()
    )
    if document is None:
        raise Http404("Document not found")
    get_submission_for_user(ctx, document.submission.code)
    return document


def positions_for_calls(ctx: UserContext) -> QuerySet[Position]:
    """Posts that can be offered: visible, of the user's managing regions, not yet at a Träger."""
    qs = positions_for_talks(ctx).exclude(employer_type="traeger")
    qs = qs.exclude(calls__status__in=[CallStatus.DRAFT, CallStatus.PUBLISHED])
    if not is_administrator(ctx):
        regions = ctx.regions_with_role(Role.KIM_COORDINATION)
        towns = ctx.organisations_with_role(Role.PROGRAMME_LEAD)
        qs = qs.filter(Q(region_id__in=regions) | Q(home_id__in=towns))
    return qs


def call_issuers_for_user(ctx: UserContext) -> QuerySet[Organisation]:
    """Who the user may issue calls for: same as who may pass funds on."""
    return grantors_for_user(ctx)
