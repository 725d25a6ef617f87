"""Read-side functions for organisation lists and pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from kim.accounts.access import UserContext
from kim.organisations.access import organisations_for_user
from kim.organisations.models import (
    Organisation,
    OrganisationalUnit,
    OrgKind,
    PopulationCategory,
    PopulationFigure,
    ResponsibilityPeriod,
)


def organisation_list(ctx: UserContext, *, q: str = "", kind: str = "") -> QuerySet[Organisation]:
    qs = organisations_for_user(ctx).select_related("region", "parent", "umbrella")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(short_name__icontains=q) | Q(ags__startswith=q))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("kind", "name")


@dataclass
class TownRow:
    town: Organisation
    figures: list[PopulationFigure]

    def latest(self, category: str = PopulationCategory.TOTAL) -> PopulationFigure | None:
        matching = [f for f in self.figures if f.category == category]
        return matching[0] if matching else None


@dataclass
class RegionOverview:
    region: Organisation
    towns: list[TownRow]
    authorities: Sequence[Organisation]
    traeger: list[Organisation]
    units: Sequence[OrganisationalUnit]
    reference_dates: list[dt.date] = field(default_factory=list)

    def population_rows(self) -> list[tuple[Organisation, list[int | None]]]:
        """One row per town: its total population at each reference date (None = missing)."""
        rows = []
        for row in self.towns:
            by_date = {f.reference_date: f.value for f in row.figures if f.category == "total"}
            rows.append((row.town, [by_date.get(day) for day in self.reference_dates]))
        return rows

    def population_totals(self) -> list[int | None]:
        """Sum over all towns per reference date; None where any town lacks a figure."""
        rows = self.population_rows()
        totals: list[int | None] = []
        for index in range(len(self.reference_dates)):
            column = [values[index] for _, values in rows]
            totals.append(None if None in column else sum(v for v in column if v is not None))
        return totals


def region_overview(region: Organisation) -> RegionOverview:
    """Towns with population, authorities with their responsibility periods, Träger, units."""
    figures = Prefetch(
        "population_figures",
        queryset=PopulationFigure.objects.order_by("-reference_date"),
        to_attr="figure_list",
    )
    towns = list(
        Organisation.objects.filter(
            region=region, kind__in=[OrgKind.KOMMUNE, OrgKind.KREISFREIE_STADT]
        )
        .prefetch_related(figures)
        .order_by("short_name", "name")
    )
    if region.kind == OrgKind.KREISFREIE_STADT:
        towns = list(Organisation.objects.filter(pk=region.pk).prefetch_related(figures))
    periods = Prefetch(
        "responsibilities",
        queryset=ResponsibilityPeriod.objects.select_related("kommune").order_by(
            "valid_from", "kommune__name"
        ),
        to_attr="period_list",
    )
    authorities = list(
        Organisation.objects.filter(region=region, kind=OrgKind.AUTHORITY)
        .select_related("parent")
        .prefetch_related(periods)
        .order_by("authority_type", "name")
    )
    traeger = list(
        Organisation.objects.filter(region=region, kind=OrgKind.TRAEGER)
        .select_related("umbrella")
        .order_by("name")
    )
    units = list(region.units.all())
    dates = sorted(
        {f.reference_date for t in towns for f in t.figure_list if f.category == "total"},  # type: ignore[attr-defined]
        reverse=True,
    )
    return RegionOverview(
        region=region,
        towns=[TownRow(t, t.figure_list) for t in towns],  # type: ignore[attr-defined]
        authorities=authorities,
        traeger=traeger,
        units=units,
        reference_dates=dates,
    )


def responsible_authorities(kommune: Organisation, day: dt.date) -> list[ResponsibilityPeriod]:
    """Authorities serving ``kommune`` on ``day``."""
    return list(
        ResponsibilityPeriod.objects.filter(kommune=kommune, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .select_related("authority")
        .order_by("authority__authority_type")
    )


def kind_counts(ctx: UserContext) -> dict[str, int]:
    rows = organisations_for_user(ctx).values("kind").annotate(n=Count("id"))
    return {r["kind"]: r["n"] for r in rows}


def organisation_by_key(key: str) -> Organisation | None:
    """The organisation with this code or AGS (the operator's commands name it either way)."""
    return Organisation.objects.filter(Q(code=key) | Q(ags=key)).first()
