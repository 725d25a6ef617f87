"""Read side of the cooperation: the talk log, one talk, a welfare agency's timeline, tasks.

Every function starts from the querysets of ``access.py`` and loads related rows in a fixed
number of queries, whatever the number of talks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Min, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum

from kim.accounts.access import UserContext
from kim.organisations.models import Organisation
from kim.partners.access import (
    agreements_for_managing,
    agreements_for_user,
    follow_ups_for_owner,
    talks_for_user,
    traeger_for_user,
)
from kim.partners.models import (
    Agreement,
    AgreementAmount,
    FollowUp,
    ParticipantRole,
    Payment,
    ReportingDuty,
    StaffingDecision,
    Talk,
    TalkParticipant,
    TraegerContact,
    TraegerService,
)
from kim.programmes.access import positions_for_user
from kim.programmes.models import Position, PositionStatusChange


@dataclass(frozen=True)
class TalkFilter:
    traeger: str = ""  # organisation code
    host: str = ""  # organisation code
    outcome: str = ""
    year: int | None = None
    q: str = ""


def _with_participants(qs: QuerySet[Talk]) -> QuerySet[Talk]:
    return qs.select_related("host").prefetch_related(
        Prefetch(
            "participants",
            queryset=TalkParticipant.objects.select_related("organisation").order_by(
                "role", "organisation__name"
            ),
        )
    )


def talk_list(ctx: UserContext, f: TalkFilter) -> list[Talk]:
    """The talks the user may read, newest first, with participants, minutes and open tasks."""
    qs = talks_for_user(ctx)
    if f.traeger:
        qs = qs.filter(participants__organisation__code=f.traeger)
    if f.host:
        qs = qs.filter(host__code=f.host)
    if f.outcome:
        qs = qs.filter(outcome=f.outcome)
    if f.year:
        qs = qs.filter(held_on__year=f.year)
    if f.q:
        qs = qs.filter(
            Q(topics__icontains=f.q)
            | Q(outcome_summary__icontains=f.q)
            | Q(host__name__icontains=f.q)
        )
    # Counts as subqueries: the visibility filter may join participants, so a plain
    # Count over a second join would multiply.
    ids = qs.values("pk")
    talks = _with_participants(Talk.objects.filter(pk__in=ids)).annotate(
        minutes_count=Count("documents", distinct=True),
        open_tasks=Count("follow_ups", filter=Q(follow_ups__done_at__isnull=True), distinct=True),
    )
    return list(talks.order_by("-held_on", "-id"))


def filter_choices(ctx: UserContext) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(Träger, host) options for the talk log filters: what the user may see."""
    agencies = [(o.code, o.name) for o in traeger_for_user(ctx).order_by("name")]
    host_ids = talks_for_user(ctx).order_by().values("host_id")
    hosts = [
        (o.code, o.name)
        for o in Organisation.objects.filter(pk__in=host_ids).order_by("name").only("code", "name")
    ]
    return agencies, hosts


def talk_detail(talk: Talk) -> Talk:
    """One talk with everything its page shows."""
    return (
        _with_participants(Talk.objects.filter(pk=talk.pk))
        .select_related("region")
        .prefetch_related(
            Prefetch("positions", queryset=Position.objects.select_related("home")),
            "documents",
            Prefetch("follow_ups", queryset=FollowUp.objects.select_related("owner")),
        )
        .get()
    )


def traeger_list(ctx: UserContext) -> list[Organisation]:
    return list(
        traeger_for_user(ctx)
        .select_related("umbrella", "region")
        .annotate(service_count=Count("services", distinct=True))
        .order_by("name")
    )


@dataclass
class TraegerTimeline:
    """Everything about one welfare agency, as its page shows it."""

    org: Organisation
    services: list[TraegerService]
    contacts: list[TraegerContact]
    talks: list[Talk]
    decisions: list[StaffingDecision]
    agreements: list[Agreement]
    positions: list[tuple[Position, str | None]]  # with the status on the given day


def traeger_timeline(ctx: UserContext, org: Organisation, day: dt.date) -> TraegerTimeline:
    """Services (with towns), contacts, the talks the user may read in which the agency took
    part (newest first), staffing decisions naming it and the posts it hosts (visible ones)."""
    services = list(org.services.prefetch_related("towns"))
    contacts = list(org.contacts.all())
    talk_ids = talks_for_user(ctx).filter(participants__organisation=org).values("pk")
    talks = list(
        _with_participants(Talk.objects.filter(pk__in=talk_ids)).order_by("-held_on", "-id")
    )
    visible_positions = positions_for_user(ctx)
    decisions = list(
        StaffingDecision.objects.filter(traeger=org, position__in=visible_positions.values("pk"))
        .select_related("position", "position__home")
        .order_by("-decided_on", "-id")
    )
    hosted = (
        visible_positions.filter(home=org)
        .prefetch_related(
            Prefetch(
                "status_changes",
                queryset=PositionStatusChange.objects.order_by("valid_from", "id"),
            )
        )
        .order_by("baustein", "title")
    )
    positions = [(p, p.status_on(day)) for p in hosted]
    agreements = list(
        agreements_for_user(ctx)
        .filter(recipient=org)
        .select_related("grantor")
        .order_by("-period_start", "title")
    )
    return TraegerTimeline(org, services, contacts, talks, decisions, agreements, positions)


def traeger_participants(talk: Talk) -> list[Organisation]:
    """The welfare agencies of a talk (participants prefetched by the functions above)."""
    return [p.organisation for p in talk.participants.all() if p.role == ParticipantRole.TRAEGER]


def open_follow_ups(user_id: int | None, today: dt.date) -> list[tuple[FollowUp, bool]]:
    """The user's open tasks, overdue first, each with whether it is overdue (one query)."""
    tasks = list(follow_ups_for_owner(user_id).order_by("due", "id"))
    overdue = [t for t in tasks if t.due < today]
    return [(t, True) for t in overdue] + [(t, False) for t in tasks if t.due >= today]


# --- pass-through agreements ---------------------------------------------------------------


@dataclass(frozen=True)
class AgreementFilter:
    kind: str = ""
    recipient: str = ""  # organisation code
    year: int | None = None  # the period overlaps this year


def agreement_list(ctx: UserContext, f: AgreementFilter | None = None) -> list[Agreement]:
    """The agreements the user may read with their totals and open items (one query).

    The total is a subquery: counting payments and duties joins both, which would multiply."""
    f = f or AgreementFilter()
    qs = agreements_for_user(ctx)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.recipient:
        qs = qs.filter(recipient__code=f.recipient)
    if f.year:
        qs = qs.filter(
            period_start__lte=dt.date(f.year, 12, 31), period_end__gte=dt.date(f.year, 1, 1)
        )
    return list(
        qs.select_related("grantor", "recipient")
        .annotate(
            total_amount=Subquery(
                AgreementAmount.objects.filter(agreement=OuterRef("pk"))
                .order_by()
                .values("agreement")
                .annotate(sum_amount=Sum("amount"))
                .values("sum_amount")
            ),
            open_payments=Count(
                "payments", filter=Q(payments__done_on__isnull=True), distinct=True
            ),
            open_reports=Count("duties", filter=Q(duties__received_on__isnull=True), distinct=True),
            next_due=Min("duties__due_on", filter=Q(duties__received_on__isnull=True)),
        )
        .order_by("-period_start", "title")
    )


def agreement_detail(agreement: Agreement) -> Agreement:
    """One agreement with amounts, posts, payment schedule and reporting duties."""
    return (
        Agreement.objects.filter(pk=agreement.pk)
        .select_related("grantor", "recipient", "region")
        .prefetch_related(
            Prefetch("amounts", queryset=AgreementAmount.objects.order_by("year")),
            Prefetch("positions", queryset=Position.objects.select_related("home")),
            Prefetch("payments", queryset=Payment.objects.order_by("due_on", "id")),
            Prefetch("duties", queryset=ReportingDuty.objects.order_by("due_on", "id")),
        )
        .get()
    )


@dataclass(frozen=True)
class DeadlineItem:
    due_on: dt.date
    agreement: Agreement
    party: Organisation  # who has to act: the grantor for payments, the recipient for reports
    kind: str  # display label
    amount: object | None = None


@dataclass
class Deadlines:
    overdue: list[DeadlineItem]
    next_30: list[DeadlineItem]
    next_60: list[DeadlineItem]
    next_90: list[DeadlineItem]

    @property
    def groups(self) -> list[tuple[str, str, list[DeadlineItem]]]:
        from django.utils.translation import gettext as _

        return [
            ("overdue", _("Overdue"), self.overdue),
            ("next-30", _("Due in the next 30 days"), self.next_30),
            ("next-60", _("Due in 31 to 60 days"), self.next_60),
            ("next-90", _("Due in 61 to 90 days"), self.next_90),
        ]


def deadlines(ctx: UserContext, today: dt.date) -> Deadlines:
    """Payments not done and reports not received of the agreements the user manages, up to 90
    days ahead, grouped overdue / 0–30 / 31–60 / 61–90 days (two queries)."""
    visible = agreements_for_managing(ctx).values("pk")
    horizon = today + dt.timedelta(days=90)
    payments = Payment.objects.filter(
        agreement__in=visible, done_on__isnull=True, due_on__lte=horizon
    ).select_related("agreement", "agreement__grantor", "agreement__recipient")
    duties = ReportingDuty.objects.filter(
        agreement__in=visible, received_on__isnull=True, due_on__lte=horizon
    ).select_related("agreement", "agreement__grantor", "agreement__recipient")
    items = [
        DeadlineItem(p.due_on, p.agreement, p.agreement.grantor, p.get_kind_display(), p.amount)
        for p in payments
    ] + [
        DeadlineItem(d.due_on, d.agreement, d.agreement.recipient, d.get_kind_display())
        for d in duties
    ]
    items.sort(key=lambda i: (i.due_on, i.agreement.title))
    result = Deadlines([], [], [], [])
    for item in items:
        days = (item.due_on - today).days
        if days < 0:
            result.overdue.append(item)
        elif days <= 30:
            result.next_30.append(item)
        elif days <= 60:
            result.next_60.append(item)
        else:
            result.next_90.append(item)
    return result
