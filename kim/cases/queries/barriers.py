"""The anonymised barrier log: structural barriers grouped by category × legal sphere ×
organisation involved, with counts, descriptions and suggested remedies, but never the case,
the person, the case manager or the exact date (quarter only). Ready for working-group agendas.

Who sees which Kreis: the KIM coordination its Kreis (``aggregate_regions``), programme and
team leads the Kreis they work in, administrators every Kreis.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from kim.accounts.access import UserContext, is_administrator
from kim.accounts.models import Role
from kim.cases.access import aggregate_regions
from kim.cases.models import Barrier, BarrierCategory
from kim.organisations.models import Rechtskreis


def barrier_log_regions(ctx: UserContext) -> frozenset[int] | None:
    """The Kreise whose log the user sees; None means all (administrators)."""
    if is_administrator(ctx):
        return None
    return aggregate_regions(ctx) | ctx.regions_with_role(Role.PROGRAMME_LEAD, Role.TEAM_LEAD)


@dataclass(frozen=True)
class BarrierFilter:
    year: int | None = None
    quarter: int | None = None
    category: str = ""


@dataclass(frozen=True)
class BarrierEntry:
    quarter: str
    description: str
    suggested_remedy: str


@dataclass
class BarrierGroup:
    category: str
    rechtskreis: str
    organisation: str
    entries: list[BarrierEntry] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.entries)

    @property
    def quarters(self) -> list[str]:
        return sorted({e.quarter for e in self.entries})

    @property
    def remedies(self) -> list[str]:
        return list(dict.fromkeys(e.suggested_remedy for e in self.entries if e.suggested_remedy))


def quarter_label(month_start: object) -> str:
    month = getattr(month_start, "month", 1)
    return f"{getattr(month_start, 'year', '')}/Q{(month - 1) // 3 + 1}"


def _barriers(ctx: UserContext, f: BarrierFilter) -> QuerySet[Barrier]:
    regions = barrier_log_regions(ctx)
    qs = Barrier.objects.all() if regions is None else Barrier.objects.filter(region_id__in=regions)
    if f.year:
        qs = qs.filter(observed_month__year=f.year)
    if f.quarter:
        months = range(3 * f.quarter - 2, 3 * f.quarter + 1)
        qs = qs.filter(observed_month__month__in=months)
    if f.category:
        qs = qs.filter(category__key=f.category)
    # Only what the log shows: no case, no exact date beyond the month.
    return qs.select_related("category", "organisation_involved").only(
        "category__name",
        "category__position",
        "organisation_involved__name",
        "rechtskreis",
        "description",
        "suggested_remedy",
        "observed_month",
    )


def barrier_log(ctx: UserContext, f: BarrierFilter) -> list[BarrierGroup]:
    """The groups, most frequent first (one query)."""
    groups: dict[tuple[str, str, str], BarrierGroup] = {}
    order: dict[tuple[str, str, str], int] = defaultdict(int)
    for barrier in _barriers(ctx, f).order_by("observed_month", "id"):
        key = (
            barrier.category.name,
            str(Rechtskreis(barrier.rechtskreis).label) if barrier.rechtskreis else "–",
            barrier.organisation_involved.name if barrier.organisation_involved else "–",
        )
        group = groups.setdefault(key, BarrierGroup(*key))
        order[key] = barrier.category.position
        group.entries.append(
            BarrierEntry(
                quarter_label(barrier.observed_month),
                barrier.description,
                barrier.suggested_remedy,
            )
        )
    return sorted(
        groups.values(),
        key=lambda g: (-g.count, order[(g.category, g.rechtskreis, g.organisation)], g.category),
    )


@dataclass(frozen=True)
class Quarter:
    year: int
    quarter: int

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def first_month(self) -> dt.date:
        return dt.date(self.year, 3 * self.quarter - 2, 1)

    @property
    def previous(self) -> Quarter:
        return (
            Quarter(self.year, self.quarter - 1) if self.quarter > 1 else Quarter(self.year - 1, 4)
        )

    @property
    def label(self) -> str:
        return f"{self.year}/Q{self.quarter}"

    @property
    def end(self) -> dt.date:
        """The first day after the quarter."""
        if self.quarter == 4:
            return dt.date(self.year + 1, 1, 1)
        return dt.date(self.year, 3 * self.quarter + 1, 1)


@dataclass(frozen=True)
class QuarterCounts:
    """Barriers recorded in this and the previous quarter (the log filtered to each), and this
    quarter's per category (key, name, count), most frequent first; counts only."""

    this: Quarter
    previous: Quarter
    count: int
    previous_count: int
    categories: list[tuple[str, str, int]]


def barrier_quarter_counts(ctx: UserContext, today: dt.date) -> QuarterCounts:
    """One query over the barriers of the user's Kreise, as ``barrier_log`` filters them."""
    this = Quarter.of(today)
    previous = this.previous
    regions = barrier_log_regions(ctx)
    qs = Barrier.objects.all() if regions is None else Barrier.objects.filter(region_id__in=regions)
    in_this = Q(observed_month__gte=this.first_month)
    rows = (
        qs.filter(observed_month__gte=previous.first_month, observed_month__lt=this.end)
        .values("category__key", "category__name", "category__position")
        .annotate(n=Count("pk", filter=in_this), before=Count("pk", filter=~in_this))
        .order_by()
    )
    ordered = sorted(rows, key=lambda r: (-r["n"], r["category__position"], r["category__key"]))
    return QuarterCounts(
        this=this,
        previous=previous,
        count=sum(r["n"] for r in ordered),
        previous_count=sum(r["before"] for r in ordered),
        categories=[(r["category__key"], r["category__name"], r["n"]) for r in ordered if r["n"]],
    )


def category_choices() -> list[tuple[str, str]]:
    return list(BarrierCategory.objects.values_list("key", "name"))


def export_rows(groups: list[BarrierGroup]) -> list[list[object]]:
    return [
        [
            g.category,
            g.rechtskreis,
            g.organisation,
            g.count,
            ", ".join(g.quarters),
            "\n".join(e.description for e in g.entries),
            "\n".join(g.remedies),
        ]
        for g in groups
    ]
