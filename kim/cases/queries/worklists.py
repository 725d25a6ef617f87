"""Read side of the case-management landing pages: work list, case list, team view.

Every function runs a fixed number of queries whatever the number of cases; names are
decrypted only for the rows shown (at most ``BLOCK_ROWS`` per block, one page of the list).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from kim.accounts.access import UserContext
from kim.accounts.models import Membership, Role
from kim.cases.access import case_manager_organisations, cases_for_user
from kim.cases.models import (
    ACTIVE_PHASES,
    Case,
    CaseloadRule,
    Person,
    Phase,
    ResidencePeriod,
    Task,
)
from kim.cases.queries.persons import all_words, search_organisations, word_token_sets

BLOCK_ROWS = 25
DUE_SOON_DAYS = 14
DEFAULT_NOTICE_DAYS = 60
NEAR_LIMIT = Decimal("0.9")


# --- rules -----------------------------------------------------------------------------------


def caseload_rules(org_ids: Iterable[int], day: dt.date) -> dict[int, CaseloadRule | None]:
    """The rule valid on ``day`` per organisation, falling back to the default rule (one query)."""
    ids = sorted(set(org_ids))
    rules = list(
        CaseloadRule.objects.filter(Q(organisation_id__in=ids) | Q(organisation__isnull=True))
        .filter(valid_from__lte=day)
        .exclude(valid_to__lt=day)
        .order_by("-valid_from", "-id")
    )
    default = next((r for r in rules if r.organisation_id is None), None)
    return {i: next((r for r in rules if r.organisation_id == i), default) for i in ids}


def caseload_rule(organisation_id: int, day: dt.date) -> CaseloadRule | None:
    return caseload_rules([organisation_id], day)[organisation_id]


def _notice_days(rules: dict[int, CaseloadRule | None]) -> int:
    days = [r.transition_notice_days for r in rules.values() if r is not None]
    return max(days, default=DEFAULT_NOTICE_DAYS)


@dataclass(frozen=True)
class Caseload:
    active: int
    limit: int
    confirmed: bool

    @property
    def ratio(self) -> Decimal:
        return Decimal(self.active) / Decimal(self.limit)

    @property
    def percent(self) -> int:
        return int(self.ratio * 100)

    @property
    def reached(self) -> bool:
        return self.ratio >= 1

    @property
    def near(self) -> bool:
        return NEAR_LIMIT <= self.ratio < 1


def _caseload(active: int, rule: CaseloadRule | None) -> Caseload | None:
    return Caseload(active, rule.limit, rule.confirmed) if rule else None


# --- work list -------------------------------------------------------------------------------


@dataclass
class Worklist:
    phase_counts: list[tuple[str, str, int]]
    active: int
    waiting: int
    overdue_review_count: int
    overdue_reviews: list[Case]
    overdue_tasks: list[Task]
    due_tasks: list[Task]
    transitions: list[ResidencePeriod]
    notice_days: int
    caseload: Caseload | None
    block_rows: int = BLOCK_ROWS
    own: bool = True

    @property
    def block_slice(self) -> str:
        return f":{self.block_rows}"


def _active_base(ctx: UserContext) -> tuple[QuerySet[Case], bool]:
    """A case manager's own active cases; a team lead without cases: their organisations'."""
    active = cases_for_user(ctx).filter(phase__in=ACTIVE_PHASES)
    if case_manager_organisations(ctx):
        return active.filter(responsible_id=ctx.user_id), True
    return active, False


def _case_counts(base: QuerySet[Case], today: dt.date) -> dict[str, int]:
    aggregates = {
        "active": Count("pk"),
        "waiting": Count("pk", filter=Q(on_waiting_list=True)),
        "overdue": Count("pk", filter=Q(next_review_on__lt=today)),
    }
    aggregates.update({f"phase_{p}": Count("pk", filter=Q(phase=p)) for p in ACTIVE_PHASES})
    return base.aggregate(**aggregates)


PERSON_UNSHOWN = ("birth_date", "address", "phone", "email", "special_categories", "notes")


def _unshown(prefix: str = "", case: bool = True) -> list[str]:
    """Encrypted columns a work-list row never shows (``prefix`` leads to the case)."""
    fields = [f"{prefix}person__{f}" for f in PERSON_UNSHOWN]
    if case:
        fields += [f"{prefix}indication_reason", f"{prefix}closing_note"]
    return fields


def _open_tasks(base: QuerySet[Case]) -> QuerySet[Task]:
    return (
        Task.objects.filter(case__in=base, done_on__isnull=True)
        .select_related("case__person")
        .defer(*_unshown("case__"))
        .order_by("due_on", "id")
    )


def upcoming_transitions(
    base: QuerySet[Case], today: dt.date, notice_days: int, limit: int = BLOCK_ROWS + 1
) -> list[ResidencePeriod]:
    """Residence periods of the cases' persons ending within the notice period (soonest first);
    each carries ``case_code`` and ``days_left``."""
    periods: list[ResidencePeriod] = list(
        ResidencePeriod.objects.filter(
            person_id__in=base.values("person_id"),
            valid_until__gte=today,
            valid_until__lte=today + dt.timedelta(days=notice_days),
        )
        .annotate(
            case_code=Subquery(base.filter(person_id=OuterRef("person_id")).values("code")[:1])
        )
        .select_related("person")
        .defer("file_reference", *_unshown(case=False))
        .order_by("valid_until", "id")[:limit]
    )
    for p in periods:
        p.days_left = (p.valid_until - today).days  # type: ignore[attr-defined,operator]
    return periods


def _worklist_rules(ctx: UserContext, today: dt.date) -> dict[int, CaseloadRule | None]:
    """The caseload rules behind the work list's notice period and caseload (one query)."""
    return caseload_rules(case_manager_organisations(ctx) or search_organisations(ctx), today)


def worklist(ctx: UserContext, today: dt.date) -> Worklist:
    """The landing page of a case manager (at most seven queries)."""
    base, own = _active_base(ctx)
    counts = _case_counts(base, today)
    reviews: list[Case] = []
    if counts["overdue"]:
        reviews = list(
            base.filter(next_review_on__lt=today)
            .select_related("person")
            .defer(*_unshown())
            .order_by("next_review_on", "id")[:BLOCK_ROWS]
        )
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    overdue_tasks = list(_open_tasks(base).filter(due_on__lt=today)[: BLOCK_ROWS + 1])
    due_tasks = list(
        _open_tasks(base).filter(due_on__gte=today, due_on__lte=soon)[: BLOCK_ROWS + 1]
    )
    rules = _worklist_rules(ctx, today)
    notice = _notice_days(rules)
    primary = ctx.primary
    main_org = next(
        (m.organisation_id for m in ctx.memberships if m.role == Role.CASE_MANAGER),
        primary.organisation_id if primary else None,
    )
    return Worklist(
        phase_counts=[(p, str(Phase(p).label), counts[f"phase_{p}"]) for p in ACTIVE_PHASES],
        active=counts["active"],
        waiting=counts["waiting"],
        overdue_review_count=counts["overdue"],
        overdue_reviews=reviews,
        overdue_tasks=overdue_tasks,
        due_tasks=due_tasks,
        transitions=upcoming_transitions(base, today, notice),
        notice_days=notice,
        caseload=_caseload(counts["active"], rules.get(main_org)) if own and main_org else None,
        own=own,
    )


@dataclass(frozen=True)
class WorklistSummary:
    """The counts of the work list's blocks (start page): what the work list shows under
    "overdue reviews", "overdue tasks", "tasks due within 14 days" and "residence status
    ending within ``notice_days`` days"."""

    own: bool
    overdue_reviews: int
    overdue_tasks: int
    due_tasks: int
    transitions: int
    notice_days: int


def worklist_summary(ctx: UserContext, today: dt.date) -> WorklistSummary:
    """The same cases and rows as ``worklist``, counted only (four queries, no names)."""
    base, own = _active_base(ctx)
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    tasks = Task.objects.filter(case__in=base, done_on__isnull=True).aggregate(
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        due=Count("pk", filter=Q(due_on__gte=today, due_on__lte=soon)),
    )
    notice = _notice_days(_worklist_rules(ctx, today))
    transitions = ResidencePeriod.objects.filter(
        person_id__in=base.values("person_id"),
        valid_until__gte=today,
        valid_until__lte=today + dt.timedelta(days=notice),
    ).count()
    return WorklistSummary(
        own=own,
        overdue_reviews=base.filter(next_review_on__lt=today).count(),
        overdue_tasks=tasks["overdue"],
        due_tasks=tasks["due"],
        transitions=transitions,
        notice_days=notice,
    )


# --- case list -------------------------------------------------------------------------------


class Focus:
    REVIEW_OVERDUE = "review_overdue"
    TASKS_OVERDUE = "tasks_overdue"
    TASKS_DUE = "tasks_due"
    TRANSITIONS = "transitions"


SORTS = {
    "number": ("person__number", "id"),
    "-number": ("-person__number", "-id"),
    "review": ("next_review_on", "person__number"),
    "-review": ("-next_review_on", "person__number"),
    "referred": ("referred_on", "person__number"),
    "-referred": ("-referred_on", "person__number"),
}


@dataclass(frozen=True)
class CaseFilter:
    phase: str = ""  # "" = all active, a phase, or "all"
    waiting: bool = False
    responsible: int | None = None
    mine: bool = False
    q: str = ""
    focus: str = ""
    sort: str = "number"
    today: dt.date = field(default_factory=dt.date.today)


def _focus(qs: QuerySet[Case], ctx: UserContext, f: CaseFilter) -> QuerySet[Case]:
    open_tasks = Task.objects.filter(case_id=OuterRef("pk"), done_on__isnull=True)
    soon = f.today + dt.timedelta(days=DUE_SOON_DAYS)
    if f.focus == Focus.REVIEW_OVERDUE:
        return qs.filter(next_review_on__lt=f.today)
    if f.focus == Focus.TASKS_OVERDUE:
        return qs.filter(Exists(open_tasks.filter(due_on__lt=f.today)))
    if f.focus == Focus.TASKS_DUE:
        return qs.filter(Exists(open_tasks.filter(due_on__gte=f.today, due_on__lte=soon)))
    if f.focus == Focus.TRANSITIONS:
        orgs = case_manager_organisations(ctx) or search_organisations(ctx)
        notice = _notice_days(caseload_rules(orgs, f.today))
        ending = ResidencePeriod.objects.filter(
            person_id=OuterRef("person_id"),
            valid_until__gte=f.today,
            valid_until__lte=f.today + dt.timedelta(days=notice),
        )
        return qs.filter(Exists(ending))
    return qs


def _name_filter(qs: QuerySet[Case], ctx: UserContext, q: str) -> QuerySet[Case]:
    sets = word_token_sets(q)
    if not sets:
        return qs
    matching = Person.objects.filter(all_words(sets, search_organisations(ctx)))
    return qs.filter(person_id__in=matching.values("pk"))


# Encrypted columns a list row never shows: not decrypted for nothing (benchmarks/cases.py).
UNSHOWN_FIELDS = tuple(_unshown())


def case_list(ctx: UserContext, f: CaseFilter) -> QuerySet[Case]:
    """The cases the user may see, filtered and sorted; rows carry person and responsible."""
    qs = cases_for_user(ctx)
    if f.phase in Phase.values:
        qs = qs.filter(phase=f.phase)
    elif f.phase != "all":  # default: the active cases
        qs = qs.filter(phase__in=ACTIVE_PHASES)
    if f.waiting:
        qs = qs.filter(on_waiting_list=True)
    if f.mine:
        qs = qs.filter(responsible_id=ctx.user_id)
    if f.responsible is not None:
        qs = qs.filter(responsible_id=f.responsible)
    qs = _focus(qs, ctx, f)
    if f.q.strip():
        qs = _name_filter(qs, ctx, f.q)
    return (
        qs.select_related("person", "responsible")
        .defer(*UNSHOWN_FIELDS)
        .order_by(*SORTS.get(f.sort, SORTS["number"]))
    )


def team_case_managers(ctx: UserContext) -> QuerySet[User]:
    """Case managers of the organisations the user leads (filter choices, team view)."""
    lead_orgs = ctx.organisations_with_role(Role.TEAM_LEAD)
    return User.objects.filter(
        Exists(
            Membership.objects.active().filter(
                user_id=OuterRef("pk"),
                organisation_id__in=lead_orgs,
                role=Role.CASE_MANAGER,
            )
        )
    ).order_by("last_name", "first_name", "username")


# --- team view -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamRow:
    user: User
    phase_counts: list[int]
    active: int
    overdue_reviews: int
    overdue_tasks: int
    caseload: Caseload | None


def team_overview(ctx: UserContext, today: dt.date) -> list[TeamRow]:
    """Per case manager of the led organisations: cases by phase, caseload, overdue (4 queries)."""
    lead_orgs = ctx.organisations_with_role(Role.TEAM_LEAD)
    members = list(
        Membership.objects.active()
        .filter(organisation_id__in=lead_orgs, role=Role.CASE_MANAGER)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user_id")
    )
    cases = Case.objects.filter(organisation_id__in=lead_orgs, phase__in=ACTIVE_PHASES)
    aggregates = {f"phase_{p}": Count("pk", filter=Q(phase=p)) for p in ACTIVE_PHASES}
    per_user: dict[int, dict[str, Any]] = {
        row["responsible_id"]: dict(row)
        for row in cases.values("responsible_id").annotate(
            active=Count("pk"),
            overdue=Count("pk", filter=Q(next_review_on__lt=today)),
            **aggregates,
        )
    }
    late_tasks = dict(
        Task.objects.filter(case__in=cases, done_on__isnull=True, due_on__lt=today)
        .values("case__responsible_id")
        .annotate(n=Count("pk"))
        .values_list("case__responsible_id", "n")
    )
    rules = caseload_rules(lead_orgs, today)
    rows, seen = [], set()
    for m in members:
        if m.user_id in seen:
            continue
        seen.add(m.user_id)
        row: dict[str, Any] = per_user.get(m.user_id, {})
        active = row.get("active", 0)
        rows.append(
            TeamRow(
                user=m.user,
                phase_counts=[row.get(f"phase_{p}", 0) for p in ACTIVE_PHASES],
                active=active,
                overdue_reviews=row.get("overdue", 0),
                overdue_tasks=late_tasks.get(m.user_id, 0),
                caseload=_caseload(active, rules.get(m.organisation_id)),
            )
        )
    return rows


@dataclass(frozen=True)
class TeamLoad:
    user: User
    active: int
    caseload: Caseload | None


@dataclass(frozen=True)
class TeamCaseload:
    """A team lead's start card: active cases per case manager of the led organisations and
    the active cases on the waiting list. Counted over the cases the lead may see, so that each
    number is what the case list shows for ``?responsible=<id>`` or ``?waiting=on``."""

    rows: list[TeamLoad]
    active: int
    waiting: int

    @property
    def others(self) -> int:
        """Active cases of case managers no longer (or never) in the led team."""
        return self.active - sum(row.active for row in self.rows)


def team_caseload(ctx: UserContext, today: dt.date) -> TeamCaseload:
    """Three queries: the team, the active cases per responsible, the caseload rules."""
    lead_orgs = ctx.organisations_with_role(Role.TEAM_LEAD)
    members = (
        Membership.objects.active()
        .filter(organisation_id__in=lead_orgs, role=Role.CASE_MANAGER)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user_id")
    )
    per_user: dict[int, dict[str, Any]] = {
        row["responsible_id"]: dict(row)
        for row in cases_for_user(ctx)
        .filter(phase__in=ACTIVE_PHASES)
        .values("responsible_id")
        .annotate(active=Count("pk"), waiting=Count("pk", filter=Q(on_waiting_list=True)))
        .order_by()
    }
    rules = caseload_rules(lead_orgs, today)
    rows: dict[int, TeamLoad] = {}
    for m in members:
        active = per_user.get(m.user_id, {}).get("active", 0)
        rows.setdefault(
            m.user_id, TeamLoad(m.user, active, _caseload(active, rules.get(m.organisation_id)))
        )
    return TeamCaseload(
        rows=list(rows.values()),
        active=sum(row["active"] for row in per_user.values()),
        waiting=sum(row["waiting"] for row in per_user.values()),
    )
