"""Read side of the programme: overviews on a reference date, position lists, pay rules."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from kim.accounts.access import UserContext
from kim.organisations.models import Organisation, PopulationFigure
from kim.programmes import pay
from kim.programmes.access import positions_for_user
from kim.programmes.models import (
    AllocationScenario,
    Baustein,
    EmployerAddOn,
    EmployerType,
    FundingDueRule,
    FundingPeriod,
    FundingRate,
    FundingSource,
    Grant,
    Incumbency,
    PayTableEntry,
    Position,
    PositionStatus,
    PositionStatusChange,
    SpecialPaymentRate,
    StepRule,
)
from kim.programmes.reference_data import PAY_TABLES_VALID_UNTIL

ZERO = Decimal("0")
UNFILLED = (PositionStatus.APPROVED, PositionStatus.ADVERTISED, PositionStatus.VACANT)
ESTABLISHED = (*UNFILLED, PositionStatus.FILLED)


def with_history(qs: QuerySet[Position]) -> QuerySet[Position]:
    """Positions with everything a Stichtag computation needs, in a fixed number of queries."""
    return qs.select_related("home", "region", "unit").prefetch_related(
        Prefetch(
            "status_changes", queryset=PositionStatusChange.objects.order_by("valid_from", "id")
        ),
        Prefetch(
            "incumbencies",
            queryset=Incumbency.objects.select_related("staff").order_by("start", "id"),
        ),
        "incumbencies__staff__qualifications",
        "funding_periods",
    )


def with_detail(qs: QuerySet[Position]) -> QuerySet[Position]:
    """``with_history`` plus what only the detail page shows: the staffing decisions (partners)
    with their welfare agency – two queries more, so lists keep using ``with_history``."""
    return with_history(qs).prefetch_related("staffing_decisions__traeger")


def with_cost_history(qs: QuerySet[Position]) -> QuerySet[Position]:
    """Positions with what a cost forecast needs: the home (for the label), status changes
    and holders' dates (employment), funding periods – 4 queries, no staff or qualifications."""
    return qs.select_related("home").prefetch_related(
        Prefetch(
            "status_changes", queryset=PositionStatusChange.objects.order_by("valid_from", "id")
        ),
        Prefetch("incumbencies", queryset=Incumbency.objects.order_by("start", "id")),
        "funding_periods",
    )


@dataclass
class Tally:
    """VZÄ of a group of positions on one day, by status and employer."""

    planned: Decimal = ZERO
    established: Decimal = ZERO
    filled: Decimal = ZERO
    unfilled: Decimal = ZERO
    municipal: Decimal = ZERO
    traeger: Decimal = ZERO
    established_traeger: Decimal = ZERO  # of ``established``: employed by a welfare agency
    count: int = 0

    def add(self, position: Position, status: str | None) -> None:
        if status is None or status == PositionStatus.DISCONTINUED:
            return
        vze = position.vze
        self.count += 1
        if status == PositionStatus.PLANNED:
            self.planned += vze
        else:
            self.established += vze
            if status == PositionStatus.FILLED:
                self.filled += vze
            else:
                self.unfilled += vze
            if position.employer_type == EmployerType.TRAEGER:
                self.established_traeger += vze
        if position.employer_type == EmployerType.TRAEGER:
            self.traeger += vze
        else:
            self.municipal += vze


@dataclass
class BausteinOverview:
    baustein: str
    label: str
    total: Tally = field(default_factory=Tally)
    by_home: dict[Organisation, Tally] = field(default_factory=dict)
    tasks: dict[str, list[str]] = field(default_factory=dict)  # employer type → task texts

    @property
    def homes(self) -> list[tuple[Organisation, Tally]]:
        return sorted(self.by_home.items(), key=lambda item: item[0].short_name or item[0].name)


@dataclass
class ProgrammeOverview:
    region: Organisation
    day: dt.date
    bausteine: list[BausteinOverview]
    total: Tally


def programme_overview(
    region: Organisation, day: dt.date, *, home: Organisation | None = None
) -> ProgrammeOverview:
    """Per Baustein: VZÄ planned/established/filled/unfilled, municipal vs Träger, per home."""
    qs = Position.objects.filter(region=region)
    if home is not None:
        qs = qs.filter(home=home)
    overview = {b.value: BausteinOverview(b.value, str(b.label)) for b in Baustein}
    grand = Tally()
    # Only the status history is needed here (3 queries fewer than ``with_history``).
    qs = qs.select_related("home").prefetch_related(
        Prefetch(
            "status_changes", queryset=PositionStatusChange.objects.order_by("valid_from", "id")
        )
    )
    for position in qs:
        status = position.status_on(day)
        block = overview[position.baustein]
        block.total.add(position, status)
        block.by_home.setdefault(position.home, Tally()).add(position, status)
        grand.add(position, status)
        if status not in (None, PositionStatus.DISCONTINUED) and position.tasks:
            tasks = block.tasks.setdefault(position.employer_type, [])
            if position.tasks not in tasks:  # the same task text once per employer
                tasks.append(position.tasks)
    return ProgrammeOverview(region, day, list(overview.values()), grand)


@dataclass(frozen=True)
class PositionFilter:
    q: str = ""
    baustein: str = ""
    status: str = ""
    employer_type: str = ""
    home: str = ""  # organisation code


def position_list(
    ctx: UserContext, f: PositionFilter, day: dt.date
) -> list[tuple[Position, str | None]]:
    """Visible positions with their status on ``day``; status filtering happens on that status."""
    qs = positions_for_user(ctx)
    if f.q:
        qs = qs.filter(
            Q(title__icontains=f.q) | Q(tasks__icontains=f.q) | Q(home__name__icontains=f.q)
        )
    if f.baustein:
        qs = qs.filter(baustein=f.baustein)
    if f.employer_type:
        qs = qs.filter(employer_type=f.employer_type)
    if f.home:
        qs = qs.filter(home__code=f.home)
    rows = [
        (p, p.status_on(day)) for p in with_history(qs.order_by("baustein", "home__name", "title"))
    ]
    if f.status:
        rows = [(p, s) for p, s in rows if s == f.status]
    return rows


def homes_with_positions(ctx: UserContext) -> list[Organisation]:
    ids = positions_for_user(ctx).values_list("home_id", flat=True).distinct()
    return list(Organisation.objects.filter(id__in=ids).order_by("name"))


def vze_by_home(positions: list[tuple[Position, str | None]]) -> dict[int, Decimal]:
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for position, status in positions:
        if status not in (None, PositionStatus.DISCONTINUED):
            totals[position.home_id] += position.vze
    return dict(totals)


# --- money: rates, grants, pay rules from the database, cost and Eigenanteil ------------------


def grants_for_region(region: Organisation) -> list[Grant]:
    """The Kreis' grants with ``paid`` (the Land's payments recorded so far) annotated."""
    return list(
        Grant.objects.filter(recipient=region)
        .select_related("grantor")
        .annotate(paid=Coalesce(Sum("payments__amount"), Value(ZERO)))
        .order_by("-year", "baustein")
    )


def funding_rates() -> list[FundingRate]:
    """Every funding rate, past and present (they are public Land facts)."""
    return list(FundingRate.objects.order_by("baustein", "kind", "valid_from"))


def rates_in_force(day: dt.date) -> list[FundingRate]:
    return list(
        FundingRate.objects.filter(valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("baustein", "kind")
    )


class DatabasePayRules:
    """``pay.PayRules`` backed by the reference tables, loaded once per instance (4 queries)."""

    def __init__(self) -> None:
        self._pay: dict[tuple[str, int], list[tuple[dt.date, Decimal]]] = defaultdict(list)
        self._scale: dict[str, str] = {}
        for e in PayTableEntry.objects.order_by("valid_from"):
            self._pay[(e.group, e.step)].append((e.valid_from, e.amount))
            self._scale[e.group] = e.scale
        self._steps = {(r.scale, r.step): r.years for r in StepRule.objects.all()}
        self._special = list(SpecialPaymentRate.objects.order_by("valid_from"))
        self._addons = list(EmployerAddOn.objects.order_by("valid_from"))
        self._special_memo: dict[tuple[str, int], Decimal | None] = {}

    def monthly(self, group: str, step: int, on: dt.date) -> Decimal | None:
        # Beyond the current pay agreement the tables are unknown: the cost engine then carries
        # the last table forward and flags the result (``missing_table``).
        if on > PAY_TABLES_VALID_UNTIL:
            return None
        amount = None
        for valid_from, value in self._pay.get((group, step), []):
            if valid_from <= on:
                amount = value
        return amount

    def scale_of(self, group: str) -> str:
        return self._scale.get(group) or pay.scale_of_group(group)

    def step_years(self, scale: str, step: int) -> int | None:
        return self._steps.get((scale, step))

    def special_rate(self, group: str, year: int) -> Decimal | None:
        # Asked once per post and year; the answer only depends on (group, year).
        if (group, year) not in self._special_memo:
            self._special_memo[(group, year)] = self._special_rate(group, year)
        return self._special_memo[(group, year)]

    def _special_rate(self, group: str, year: int) -> Decimal | None:
        day = dt.date(year, 11, 1)
        rate = None
        for r in self._special:
            if (
                r.scale == self.scale_of(group)
                and pay.group_in_band(group, r.group_from, r.group_to)
                and r.valid_from <= day
                and (r.valid_to is None or day <= r.valid_to)
            ):
                rate = r.rate
        return rate

    def employer_factor(self, on: dt.date) -> Decimal:
        factor = Decimal("1")
        for addon in self._addons:
            if addon.valid_from <= on:
                factor = addon.factor
        return factor


@dataclass(frozen=True)
class WhatIf:
    """Assumptions to try out in a forecast; None keeps each position's own value."""

    pay_group: str | None = None
    step: int | None = None
    start: dt.date | None = None
    factor: Decimal | None = None


@dataclass(frozen=True)
class CostRow:
    year: int
    months: int
    gross: Decimal
    employer_cost: Decimal
    funding: Decimal
    missing_table: bool

    @property
    def eigenanteil(self) -> Decimal:
        return self.employer_cost - self.funding


class FundingRates:
    """Funding rates from the database, loaded once."""

    def __init__(self) -> None:
        self._rates = list(FundingRate.objects.order_by("valid_from"))
        self._memo: dict[tuple[str, str, dt.date], Decimal] = {}

    def monthly(self, baustein: str, kind: str, on: dt.date) -> Decimal:
        # Asked for every month of every post; the answer only depends on the arguments.
        key = (baustein, kind, on)
        if key not in self._memo:
            self._memo[key] = self._monthly(baustein, kind, on)
        return self._memo[key]

    def _monthly(self, baustein: str, kind: str, on: dt.date) -> Decimal:
        amount = ZERO
        for r in self._rates:
            if r.baustein == baustein and r.kind == kind and r.covers(on):
                amount = r.amount
        return amount / 12


def _employment(position: Position, what_if: WhatIf) -> tuple[dt.date | None, dt.date | None]:
    """Forecast assumption: a post is held from its first holder's start (or its first status
    date) until it is discontinued; vacancies in between are not modelled."""
    if what_if.start is not None:
        start: dt.date | None = what_if.start
    else:
        starts = [i.start for i in position.incumbencies.all()]
        changes = list(position.status_changes.all())
        start = min(starts) if starts else (changes[0].valid_from if changes else None)
    end = None
    for change in position.status_changes.all():
        if change.status == PositionStatus.DISCONTINUED:
            end = change.valid_from - dt.timedelta(days=1)
    return start, end


def _funding_on(periods: list[FundingPeriod], day: dt.date) -> FundingPeriod | None:
    """``Position.funding_on`` on an already loaded list of the post's funding periods."""
    matching = [f for f in periods if f.covers(day)]
    return matching[-1] if matching else None


def position_costs(
    position: Position,
    *,
    years: range,
    rules: Any = None,
    rates: FundingRates | None = None,
    what_if: WhatIf = WhatIf(),
) -> list[CostRow] | None:
    """Employer cost, Land funding and Eigenanteil per year; None without a pay group."""
    rules = rules or DatabasePayRules()
    rates = rates or FundingRates()
    group = what_if.pay_group or position.pay_group
    start, end = _employment(position, what_if)
    if not group or start is None:
        return None
    step = what_if.step or position.entry_step
    step_since = position.step_since or start
    if what_if.step is not None or what_if.start is not None:
        step_since = start
    periods = list(position.funding_periods.all())  # once, not per month (prefetched or not)
    share = position.vze / Decimal("0.5") if position.rate_kind == "va_half" else position.vze
    rows = []
    for year in years:
        cost = pay.year_cost(
            group=group,
            entry_step=step,
            step_since=step_since,
            year=year,
            vze=position.vze,
            rules=rules,
            employed_from=start,
            employed_until=end,
            factor=what_if.factor,
        )
        funding = ZERO
        for month in cost.months:
            funded = _funding_on(periods, month.month)
            if funded is None or funded.source == FundingSource.KIM:
                funding += rates.monthly(position.baustein, position.rate_kind, month.month) * share
        rows.append(
            CostRow(
                year=year,
                months=len(cost.months),
                gross=cost.gross,
                employer_cost=cost.employer_cost,
                funding=funding.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
                missing_table=cost.missing_table,
            )
        )
    return rows


@dataclass
class ForecastLine:
    label: str
    rows: list[CostRow]
    code: str = ""

    def total(self, attr: str) -> Decimal:
        return sum((getattr(r, attr) for r in self.rows), start=ZERO)


@dataclass
class Forecast:
    """The totals hold every post of the selection; ``positions`` and ``without_pay_group``
    name only posts the reader may open, ``not_listed`` counts the others (decisions D-047)."""

    years: list[int]
    positions: list[ForecastLine]
    without_pay_group: list[Position]
    by_baustein: list[ForecastLine]
    by_home: list[ForecastLine]
    total: ForecastLine
    missing_table: bool
    not_listed: int = 0
    without_pay_group_count: int = 0


def _sum_lines(label: str, lines: list[ForecastLine], years: list[int]) -> ForecastLine:
    rows = []
    for index, year in enumerate(years):
        picked = [line.rows[index] for line in lines]
        rows.append(
            CostRow(
                year=year,
                months=sum(r.months for r in picked),
                gross=sum((r.gross for r in picked), start=ZERO),
                employer_cost=sum((r.employer_cost for r in picked), start=ZERO),
                funding=sum((r.funding for r in picked), start=ZERO),
                missing_table=any(r.missing_table for r in picked),
            )
        )
    return ForecastLine(label, rows)


def forecast_for(
    region: Organisation,
    *,
    reader: UserContext | None,
    years: range,
    home: Organisation | None = None,
    baustein: str = "",
    what_if: WhatIf = WhatIf(),
    positions: list[Position] | None = None,
) -> Forecast:
    """Cost, funding and Eigenanteil per position, Baustein, organisation and in total.

    1. The totals (in total, per Baustein, per organisation) cover every post of the selection:
       they are the Kreis' aggregates, the same for every reader of the overview.
    2. Per-post lines – and the posts left out for want of a pay group – name only the posts
       ``reader`` may open (``positions_for_user``, the position pages' own door), so no page,
       export or API answer shows the pay of, or a link to, a post the reader cannot open.
       ``reader=None`` (e.g. a council report) names no post at all.
    """
    if positions is None:
        qs = Position.objects.filter(region=region)
        if home is not None:
            qs = qs.filter(home=home)
        if baustein:
            qs = qs.filter(baustein=baustein)
        positions = list(with_cost_history(qs.order_by("baustein", "home__name", "title")))
    visible = _visible_post_ids(reader, region)
    rules, rates = DatabasePayRules(), FundingRates()
    year_list = list(years)
    lines, listed, missing = [], [], []
    grouped_b: dict[str, list[ForecastLine]] = defaultdict(list)
    grouped_h: dict[str, list[ForecastLine]] = defaultdict(list)
    for position in positions:
        rows = position_costs(position, years=years, rules=rules, rates=rates, what_if=what_if)
        if rows is None:
            missing.append(position)
            continue
        line = ForecastLine(
            f"{position.title} ({position.home.short_name or position.home.name})",
            rows,
            position.code,
        )
        lines.append(line)
        if position.pk in visible:
            listed.append(line)
        grouped_b[position.baustein].append(line)
        grouped_h[position.home.name].append(line)
    by_b = [_sum_lines(b, grouped_b[b], year_list) for b in sorted(grouped_b)]
    by_h = [_sum_lines(h, grouped_h[h], year_list) for h in sorted(grouped_h)]
    total = _sum_lines("total", lines, year_list)
    missing_listed = [p for p in missing if p.pk in visible]
    return Forecast(
        years=year_list,
        positions=listed,
        without_pay_group=missing_listed,
        by_baustein=by_b,
        by_home=by_h,
        total=total,
        missing_table=any(r.missing_table for r in total.rows),
        not_listed=len(positions) - len(listed) - len(missing_listed),
        without_pay_group_count=len(missing),
    )


def _visible_post_ids(reader: UserContext | None, region: Organisation) -> frozenset[int]:
    """Ids of the region's posts the reader may open (one query; none without a reader)."""
    if reader is None:
        return frozenset()
    return frozenset(positions_for_user(reader).filter(region=region).values_list("pk", flat=True))


# --- allocation scenarios ------------------------------------------------------------------------


def scenarios_for_region(region: Organisation) -> list[AllocationScenario]:
    return list(
        AllocationScenario.objects.filter(region=region)
        .select_related("created_by")
        .order_by("-created_at")
    )


def key_dates(region: Organisation) -> list[tuple[str, dt.date]]:
    """Reference dates for which population data exist, per category (for the scenario form)."""
    rows = (
        PopulationFigure.objects.filter(kommune__region=region)
        .values_list("category", "reference_date")
        .distinct()
        .order_by("category", "-reference_date")
    )
    return list(rows)


@dataclass
class CompareRow:
    name: str
    values: list[Decimal | None]


def compare_scenarios(scenarios: list[AllocationScenario]) -> list[CompareRow]:
    """Towns (or pools) as rows, scenarios as columns; missing entries are None."""
    names: dict[str, str] = {}
    values: dict[str, list[Decimal | None]] = {}
    for index, scenario in enumerate(scenarios):
        for row in scenario.result.get("rows", []):
            key = ",".join(row["members"])
            names.setdefault(key, row["name"])
            values.setdefault(key, [None] * len(scenarios))[index] = Decimal(row["allocated"])
    return [CompareRow(names[k], values[k]) for k in sorted(names, key=lambda k: names[k])]


def programme_summary(
    day: dt.date, *, region: Organisation | None = None, home_ids: Any = None
) -> Tally:
    """One tally for the start page (2 queries: positions and their status history)."""
    qs = Position.objects.all()
    if region is not None:
        qs = qs.filter(region=region)
    if home_ids is not None:
        qs = qs.filter(home_id__in=home_ids)
    tally = Tally()
    for position in qs.prefetch_related(
        Prefetch(
            "status_changes", queryset=PositionStatusChange.objects.order_by("valid_from", "id")
        )
    ):
        tally.add(position, position.status_on(day))
    return tally


@dataclass
class PayTableRow:
    group: str
    scale: str
    valid_from: dt.date
    amounts: list[Decimal]
    computed: bool
    rule: str
    source: str


@dataclass
class ReferenceData:
    rates: list[FundingRate]
    pay_rows: list[PayTableRow]
    step_rules: list[StepRule]
    special: list[SpecialPaymentRate]
    add_ons: list[EmployerAddOn]
    due_rules: list[FundingDueRule] = field(default_factory=list)


def reference_data() -> ReferenceData:
    """Everything the cost and funding figures rest on, with sources (6 queries)."""
    rows: dict[tuple[str, dt.date], PayTableRow] = {}
    for e in PayTableEntry.objects.order_by("group", "valid_from", "step"):
        row = rows.setdefault(
            (e.group, e.valid_from),
            PayTableRow(e.group, e.scale, e.valid_from, [], e.computed, e.rule, e.source),
        )
        row.amounts.append(e.amount)
    return ReferenceData(
        rates=list(FundingRate.objects.order_by("baustein", "kind", "valid_from")),
        pay_rows=list(rows.values()),
        step_rules=list(StepRule.objects.order_by("scale", "step")),
        special=list(SpecialPaymentRate.objects.order_by("valid_from", "scale", "group_from")),
        add_ons=list(EmployerAddOn.objects.order_by("valid_from")),
        due_rules=list(FundingDueRule.objects.order_by("valid_from")),
    )


# --- start page: posts per Baustein on several days, long vacancies ---------------------------


def month_before(day: dt.date) -> dt.date:
    """The same day one month earlier (the month's last day when it is shorter: 31.03. →
    28./29.02.)."""
    year, month = (day.year - 1, 12) if day.month == 1 else (day.year, day.month - 1)
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def with_status_history(qs: QuerySet[Position]) -> list[Position]:
    """The posts with their home and dated status history, ready for ``baustein_tallies`` and
    ``long_vacancies`` (2 queries; both then run without any)."""
    return list(
        qs.select_related("home").prefetch_related(
            Prefetch(
                "status_changes",
                queryset=PositionStatusChange.objects.order_by("valid_from", "id"),
            )
        )
    )


def baustein_tallies(positions: Iterable[Position], days: list[dt.date]) -> list[dict[str, Tally]]:
    """For each day, a ``Tally`` per Baustein (and ``""`` for all together) of ``positions``
    (from ``with_status_history``), from the dated status history."""
    result: list[dict[str, Tally]] = [
        {"": Tally(), **{b.value: Tally() for b in Baustein}} for _day in days
    ]
    for position in positions:
        for tallies, day in zip(result, days, strict=True):
            status = position.status_on(day)
            tallies[position.baustein].add(position, status)
            tallies[""].add(position, status)
    return result


def unfilled_since(position: Position, day: dt.date) -> dt.date | None:
    """When the post's current run of unfilled statuses (approved, advertised, vacant) began,
    if it is established and unfilled on ``day``; ``None`` otherwise."""
    since = None
    for change in position.status_changes.all():  # ordered by valid_from, id
        if change.valid_from > day:
            break
        since = (since or change.valid_from) if change.status in UNFILLED else None
    return since


def long_vacancies(
    positions: Iterable[Position], day: dt.date, min_days: int = 90
) -> list[tuple[Position, dt.date]]:
    """Posts (from ``with_status_history``) established but unfilled on ``day`` for more than
    ``min_days`` days, longest first, with the day the vacancy began."""
    found = []
    for position in positions:
        since = unfilled_since(position, day)
        if since is not None and (day - since).days > min_days:
            found.append((position, since))
    return sorted(found, key=lambda item: (item[1], item[0].title))
