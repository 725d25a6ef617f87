"""Read side of the cooperation: the talk log, one talk, a welfare agency's timeline, tasks.

Every function starts from the querysets of ``access.py`` and loads related rows in a fixed
number of queries, whatever the number of talks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from kim.accounts.access import UserContext
from kim.accounts.models import Role
from kim.organisations.models import Organisation
from kim.partners import ranking as ranking_mod
from kim.partners.access import (
    agreements_for_managing,
    agreements_for_user,
    calls_for_managing,
    calls_for_user,
    can_manage_call,
    follow_ups_for_owner,
    own_submissions,
    submissions_for_user,
    talks_for_user,
    traeger_for_user,
)
from kim.partners.models import (
    Agreement,
    AgreementAmount,
    Award,
    Call,
    CallStatus,
    Criterion,
    DutyKind,
    FollowUp,
    ParticipantRole,
    Payment,
    PaymentKind,
    ReportingDuty,
    Score,
    StaffingDecision,
    Submission,
    SubmissionStatus,
    Talk,
    TalkDocument,
    TalkParticipant,
    TraegerContact,
    TraegerService,
)
from kim.programmes.access import positions_for_user
from kim.programmes.models import Grant, Position, PositionStatusChange
from kim.programmes.queries import Tally, baustein_tallies, with_status_history


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


def talk_list(ctx: UserContext, f: TalkFilter) -> QuerySet[Talk]:
    """The talks the user may read, newest first, with participants, minutes and open tasks.

    A queryset, so that the page (50 talks) is sliced in the database and the participants
    are prefetched for that page only; exports iterate over all of it."""
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
    # Counts as correlated subqueries: computed only for the rows of the page (a GROUP BY
    # would count for every talk before the LIMIT), and the visibility filter's join on
    # participants cannot multiply them.
    ids = qs.values("pk")
    talks = _with_participants(Talk.objects.filter(pk__in=ids)).annotate(
        minutes_count=_count(TalkDocument.objects.filter(talk=OuterRef("pk"))),
        open_tasks=_count(FollowUp.objects.filter(talk=OuterRef("pk"), done_at__isnull=True)),
    )
    return talks.order_by("-held_on", "-id")


def _count(qs: QuerySet[Any]) -> Coalesce:
    """The number of rows of a correlated queryset (0, not NULL, when there are none)."""
    return Coalesce(
        Subquery(
            qs.order_by().values("talk").annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


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
    submissions: list[Submission]  # the agency's expressions of interest the user may read


def traeger_timeline(ctx: UserContext, org: Organisation, day: dt.date) -> TraegerTimeline:
    """Services (with towns), contacts, the talks the user may read in which the agency took
    part (newest first), staffing decisions naming it, the posts it hosts (visible ones) and its
    expressions of interest with each call's decision and the resulting agreement."""
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
    agreements = agreement_list(ctx, AgreementFilter(recipient=org.code))
    return TraegerTimeline(
        org,
        services,
        contacts,
        talks,
        decisions,
        agreements,
        positions,
        traeger_submissions(ctx, org),
    )


def traeger_submissions(ctx: UserContext, org: Organisation) -> list[Submission]:
    """The agency's submissions the user may read (one query): those to calls the user
    manages, or all of them for the agency's own manager – the rule of ``submissions_for_user``
    applied to every call the user may read at once."""
    visible = Submission.objects.filter(
        traeger=org, call__in=calls_for_user(ctx).values("pk")
    ).filter(
        Q(call__in=calls_for_managing(ctx).values("pk"))
        | Q(pk__in=own_submissions(ctx).values("pk"))
    )
    return list(
        visible.select_related("call", "call__issuer", "agreement").order_by(
            "-call__deadline", "-id"
        )
    )


def traeger_participants(talk: Talk) -> list[Organisation]:
    """The welfare agencies of a talk (participants prefetched by the functions above)."""
    return [p.organisation for p in talk.participants.all() if p.role == ParticipantRole.TRAEGER]


def open_follow_ups(ctx: UserContext, today: dt.date) -> list[tuple[FollowUp, bool, bool]]:
    """The user's open tasks, overdue first, each with whether it is overdue and whether the
    user may read its talk (``talks_for_user``): an owner need not (one query)."""
    readable = Exists(talks_for_user(ctx).filter(pk=OuterRef("talk_id")))
    tasks = list(
        follow_ups_for_owner(ctx.user_id).annotate(readable=readable).order_by("due", "id")
    )
    rows: list[tuple[FollowUp, bool, bool]] = [(t, t.due < today, t.readable) for t in tasks]
    return [r for r in rows if r[1]] + [r for r in rows if not r[1]]


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
    """Plain values, no model instances: an administrator's view holds thousands of these."""

    due_on: dt.date
    agreement_code: str
    agreement_title: str
    party: str  # who has to act: the grantor for payments, the recipient for reports
    kind: str  # display label
    amount: Decimal | None = None


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


LAND_PROOF_LISTED_AFTER = dt.timedelta(days=365)


def land_proof_deadlines(ctx: UserContext, today: dt.date, horizon: dt.date) -> list[DeadlineItem]:
    """The coordination's deadlines of the Verwendungsnachweis to the Land: per Kreis and year
    the earliest ``Grant.proof_due_on`` (one query). This app does not see proofs (floors), so
    a deadline stays listed up to a year after it passed, released or not; the proof pages
    show the proof's status (D-088)."""
    regions = ctx.regions_with_role(Role.KIM_COORDINATION)
    if not regions:
        return []
    due: dict[tuple[int, int], tuple[dt.date, str]] = {}
    for grant in Grant.objects.filter(recipient_id__in=regions).select_related("recipient"):
        key = (grant.recipient_id, grant.year)
        day = grant.proof_due_on
        if key not in due or day < due[key][0]:
            due[key] = (day, grant.recipient.name)
    kind = gettext("Verwendungsnachweis to the Land")
    return [
        DeadlineItem(
            day,
            "",
            gettext("Verwendungsnachweis to the Land %(year)s") % {"year": year},
            name,
            kind,
        )
        for (_pk, year), (day, name) in due.items()
        if today - LAND_PROOF_LISTED_AFTER <= day <= horizon
    ]


def deadlines(ctx: UserContext, today: dt.date) -> Deadlines:
    """Payments not done and reports not received of the agreements the user manages, up to 90
    days ahead, grouped overdue / 0–30 / 31–60 / 61–90 days (two queries)."""
    visible = agreements_for_managing(ctx).values("pk")
    horizon = today + dt.timedelta(days=90)
    payment_kinds, duty_kinds = dict(PaymentKind.choices), dict(DutyKind.choices)
    payments = Payment.objects.filter(
        agreement__in=visible, done_on__isnull=True, due_on__lte=horizon
    ).values_list(
        "due_on",
        "agreement__code",
        "agreement__title",
        "agreement__grantor__name",
        "kind",
        "amount",
    )
    duties = ReportingDuty.objects.filter(
        agreement__in=visible, received_on__isnull=True, due_on__lte=horizon
    ).values_list(
        "due_on", "agreement__code", "agreement__title", "agreement__recipient__name", "kind"
    )
    items = [
        DeadlineItem(due, code, title, party, str(payment_kinds[kind]), amount)
        for due, code, title, party, kind, amount in payments
    ] + [
        DeadlineItem(due, code, title, party, str(duty_kinds[kind]))
        for due, code, title, party, kind in duties
    ]
    items += land_proof_deadlines(ctx, today, horizon)
    items.sort(key=lambda i: (i.due_on, i.agreement_title))
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


# --- calls for expressions of interest -----------------------------------------------------


@dataclass(frozen=True)
class CallFilter:
    status: str = ""
    year: int | None = None  # year of the deadline
    q: str = ""


def call_list(ctx: UserContext, f: CallFilter | None = None) -> list[Call]:
    """The calls the user may read, with offered VZÄ and (for managers) submission counts."""
    f = f or CallFilter()
    qs = calls_for_user(ctx)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.year:
        qs = qs.filter(deadline__year=f.year)
    if f.q:
        qs = qs.filter(Q(title__icontains=f.q) | Q(area__icontains=f.q))
    managed = set(calls_for_managing(ctx).values_list("pk", flat=True))
    calls: list[Call] = list(
        qs.select_related("issuer")
        .annotate(
            offered_vze=Subquery(
                Position.objects.filter(calls=OuterRef("pk"))
                .order_by()
                .values("calls")
                .annotate(total=Sum("vze"))
                .values("total")
            ),
            submission_count=Count(
                "submissions",
                filter=~Q(submissions__status=SubmissionStatus.WITHDRAWN),
                distinct=True,
            ),
        )
        .order_by("-deadline", "title")
    )
    for call in calls:
        call.may_manage = call.pk in managed  # type: ignore[attr-defined]
        if not call.may_manage:  # type: ignore[attr-defined]
            call.submission_count = None  # type: ignore[attr-defined]  # competitors' business
    return calls


@dataclass
class CallPage:
    """Everything a call's page shows to one user."""

    call: Call
    positions: list[Position]
    criteria: list[Criterion]
    submissions: list[Submission]  # what the user may see
    ranking: list[ranking_mod.Ranked] | None  # managers only
    missing_scores: list[str]
    awards: dict[int, list[Position]]  # submission id → posts won

    @property
    def total_vze(self) -> Decimal:
        return sum((p.vze for p in self.positions), Decimal(0))

    @property
    def weights(self) -> int:
        return sum(c.weight for c in self.criteria)


def call_page(ctx: UserContext, call: Call, *, managing: bool) -> CallPage:
    """A call with its posts, criteria, the visible submissions and, for managers, the ranking
    with its arithmetic (a fixed number of queries whatever the number of submissions)."""
    positions = list(call.positions.select_related("home").order_by("home__name", "title"))
    criteria = list(call.criteria.all())
    submissions = list(
        submissions_for_user(ctx, call)
        .select_related("traeger", "agreement")
        .prefetch_related("documents")
        .order_by("submitted_at", "id")
    )
    awards: dict[int, list[Position]] = {}
    for award in Award.objects.filter(submission__in=[s.pk for s in submissions]).select_related(
        "position", "position__home"
    ):
        awards.setdefault(award.submission_id, []).append(award.position)
    ranking = None
    missing: list[str] = []
    if managing:
        scores: dict[tuple[object, int], list[int]] = {}
        for score in Score.objects.filter(submission__call=call).order_by(
            "evaluator_id", "criterion_id"
        ):
            scores.setdefault((score.submission_id, score.criterion_id), []).append(score.points)
        active = [s for s in submissions if s.status != SubmissionStatus.WITHDRAWN]
        by_id = {s.pk: s for s in active}
        ranked = ranking_mod.rank(
            [s.pk for s in active],
            [ranking_mod.CriterionInput(c.pk, c.name, c.weight) for c in criteria],
            scores,
            scale_max=call.scale_max,
            min_evaluators=call.min_evaluators,
        )
        ranking = [
            ranking_mod.Ranked(
                by_id[r.key],  # type: ignore[index]
                r.rank,
                r.total,
                r.share,
                r.lines,
                r.complete,
            )
            for r in ranked
        ]
        if call.status == CallStatus.PUBLISHED:
            missing = [r.key.traeger.name for r in ranking if not r.complete]  # type: ignore[attr-defined]
    return CallPage(call, positions, criteria, submissions, ranking, missing, awards)


def my_scores(call: Call, user_id: int | None, submission: Submission) -> dict[int, Score]:
    """The user's own scores for one submission, by criterion id."""
    return {
        s.criterion_id: s for s in Score.objects.filter(submission=submission, evaluator_id=user_id)
    }


def visible_submissions(ctx: UserContext, calls: Sequence[Call]) -> dict[int, list[Submission]]:
    """The submissions of several calls that the user may see, by call id, in order of receipt,
    with agency and agreement (one query, whatever the number of calls).

    The rule of ``submissions_for_user``: every submission of a call the user manages, only the
    own agencies' submissions of the others."""
    managed = {c.pk for c in calls if can_manage_call(ctx, c)}
    others = [c.pk for c in calls if c.pk not in managed]
    own = own_submissions(ctx).values("pk")
    rows = (
        Submission.objects.filter(Q(call_id__in=managed) | Q(call_id__in=others, pk__in=own))
        .select_related("traeger", "agreement")
        .order_by("submitted_at", "id")
    )
    result: dict[int, list[Submission]] = {c.pk: [] for c in calls}
    for submission in rows:
        result[submission.call_id].append(submission)
    return result


def awarded_positions(submission: Submission) -> list[Position]:
    """The posts a submission won (empty before the decision)."""
    return [
        a.position
        for a in Award.objects.filter(submission=submission)
        .select_related("position", "position__home")
        .order_by("position__title")
    ]


def submission_scores(submission: Submission) -> list[Score]:
    """Every evaluator's points for one submission, by criterion – for the call's managers."""
    return list(
        Score.objects.filter(submission=submission)
        .select_related("criterion", "evaluator")
        .order_by("criterion__order", "criterion_id", "evaluator__last_name", "evaluator_id")
    )


# --- for council reports: what a town's posts, talks and calls looked like on a day ----------
# No user context: council reports show aggregated, non-personal facts of the body's own
# programme; whoever composes the report has been checked by the council app.


def posts_of_body(body: Organisation) -> QuerySet[Position]:
    """The KIM posts that fall on a town or Kreis: those it or its authorities host (e.g. its
    Ausländerbehörde), and those whose funds it receives (Kreis → town notice) or passes on
    (town → Träger contract)."""
    via_agreements = Agreement.positions.through.objects.filter(
        Q(agreement__recipient=body) | Q(agreement__grantor=body)
    ).values("position_id")
    if body.is_region:  # a Kreis (or kreisfreie Stadt): every post of its programme
        return Position.objects.filter(region=body)
    return Position.objects.filter(Q(home=body) | Q(home__parent=body) | Q(pk__in=via_agreements))


@dataclass(frozen=True)
class StaffingOnDay:
    position: Position
    decision: StaffingDecision | None  # the latest decision on or before the day


def staffing_on(positions: QuerySet[Position], day: dt.date) -> list[StaffingOnDay]:
    """For each post, the staffing decision in force on ``day`` (two queries)."""
    posts = list(positions.select_related("home").order_by("baustein", "title", "id"))
    latest: dict[int, StaffingDecision] = {}
    for decision in (
        StaffingDecision.objects.filter(position__in=[p.pk for p in posts], decided_on__lte=day)
        .select_related("traeger")
        .order_by("decided_on", "id")
    ):
        latest[decision.position_id] = decision
    return [StaffingOnDay(p, latest.get(p.pk)) for p in posts]


def talks_of_body(body: Organisation, day: dt.date) -> list[Talk]:
    """Talks the body held or took part in, up to ``day``, oldest first, with participants."""
    taking_part = TalkParticipant.objects.filter(organisation=body).values("talk_id")
    qs = Talk.objects.filter(Q(host=body) | Q(pk__in=taking_part), held_on__lte=day)
    return list(_with_participants(qs).order_by("held_on", "id"))


@dataclass(frozen=True)
class CallOnDay:
    call: Call
    offered_vze: Decimal
    submissions: int  # received by the day
    decided: bool  # decided on or before the day
    winners: list[str]  # agencies awarded (when decided by the day)


def calls_of_body(body: Organisation, day: dt.date) -> list[CallOnDay]:
    """Calls the body issued and published by ``day``, as they stood that day (3 queries)."""
    calls = list(
        Call.objects.filter(issuer=body, published_on__lte=day)
        .prefetch_related("positions")
        .order_by("published_on", "id")
    )
    submissions = list(
        Submission.objects.filter(call__in=calls)
        .select_related("traeger")
        .order_by("submitted_at", "id")
    )
    result = []
    for call in calls:
        own = [s for s in submissions if s.call_id == call.pk]
        decided = call.decided_on is not None and call.decided_on <= day
        received = [s for s in own if timezone.localtime(s.submitted_at).date() <= day]
        winners = [s.traeger.name for s in own if decided and s.status == SubmissionStatus.AWARDED]
        result.append(
            CallOnDay(
                call,
                sum((p.vze for p in call.positions.all()), Decimal(0)),
                len(received),
                decided,
                winners,
            )
        )
    return result


@dataclass(frozen=True)
class DeadlineCounts:
    overdue: int
    next_30: int


def deadline_counts(ctx: UserContext, today: dt.date) -> DeadlineCounts:
    """How many items of ``deadlines`` are overdue and due in the next 30 days, for the start
    page: the same rows, but only their due dates, in one query."""
    visible = agreements_for_managing(ctx).values("pk")
    horizon = today + dt.timedelta(days=30)
    payments = Payment.objects.filter(
        agreement__in=visible, done_on__isnull=True, due_on__lte=horizon
    ).values_list("due_on", flat=True)
    duties = ReportingDuty.objects.filter(
        agreement__in=visible, received_on__isnull=True, due_on__lte=horizon
    ).values_list("due_on", flat=True)
    dues = list(payments.order_by().union(duties.order_by(), all=True).order_by())
    overdue = sum(1 for due in dues if due < today)
    return DeadlineCounts(overdue=overdue, next_30=len(dues) - overdue)


# --- start page ---------------------------------------------------------------------------


def body_post_tallies(body: Organisation, days: list[dt.date]) -> list[dict[str, Tally]]:
    """The posts that fall on a town or Kreis – ``posts_of_body``, the same posts as the council
    report's block "KIM posts per Baustein" – per Baustein on each day (2 queries)."""
    return baustein_tallies(with_status_history(posts_of_body(body)), days)


@dataclass(frozen=True)
class AgencyDesk:
    """What a welfare agency's manager has to keep an eye on."""

    agreements: list[Agreement]  # received by the agency, in force today
    duties: list[ReportingDuty]  # reports not yet received, overdue or due in 30 days
    calls: list[Call]  # published calls whose deadline has not passed


def agency_desk(ctx: UserContext, today: dt.date) -> AgencyDesk:
    """The agreements the user's agencies receive, their reports due and the open calls
    (3 queries), all read through the access doors."""
    agencies = ctx.organisations_with_role(Role.TRAEGER_MANAGER)
    received = agreements_for_user(ctx).filter(recipient_id__in=agencies)
    agreements = list(
        received.filter(period_start__lte=today, period_end__gte=today)
        .select_related("grantor")
        .order_by("period_end", "title")
    )
    duties = list(
        ReportingDuty.objects.filter(
            agreement__in=received.values("pk"),
            received_on__isnull=True,
            due_on__lte=today + dt.timedelta(days=30),
        )
        .select_related("agreement")
        .order_by("due_on", "id")
    )
    calls = list(
        calls_for_user(ctx)
        .filter(status=CallStatus.PUBLISHED, deadline__date__gte=today)
        .order_by("deadline", "title")
    )
    return AgencyDesk(agreements, duties, calls)
