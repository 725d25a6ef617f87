"""Allocation of a Baustein's VZÄ across the towns of a Kreis: inputs from the database,
arithmetic in ``apportionment``, results as plain data that scenarios store and views show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from kim.organisations.models import Organisation, OrgKind, PopulationFigure
from kim.programmes.apportionment import ApportionmentError, Claimant, Method, Result, apportion

KEY_CATEGORIES = {"population": "total", "foreign": "foreign", "refugees": "refugees"}
KEY_LABELS = {
    "population": _lazy("population"),
    "foreign": _lazy("foreign population"),
    "refugees": _lazy("refugees"),
}


class AllocationInputError(ValueError):
    """Input the allocation cannot work with; the message is for the user (German)."""


@dataclass(frozen=True)
class Pool:
    name: str
    ags: tuple[str, ...]


@dataclass(frozen=True)
class Inputs:
    region: Organisation
    total: Decimal
    step: Decimal
    method: str
    key: str
    as_of: dt.date | None
    minimum: Decimal = Decimal(0)
    pools: tuple[Pool, ...] = ()
    custom_weights: dict[str, Decimal] | None = None
    custom_source: str = ""


def find_region(ags: str) -> Organisation:
    region = Organisation.objects.filter(
        ags=ags, kind__in=[OrgKind.KREIS, OrgKind.KREISFREIE_STADT]
    ).first()
    if region is None:
        raise AllocationInputError(_("No Kreis with AGS %(ags)s.") % {"ags": ags})
    return region


def towns_of(region: Organisation) -> list[Organisation]:
    towns = list(
        Organisation.objects.filter(
            region=region, kind__in=[OrgKind.KOMMUNE, OrgKind.KREISFREIE_STADT]
        ).order_by("ags")
    )
    return towns or ([region] if region.kind == OrgKind.KREISFREIE_STADT else [])


def town_weights(inputs: Inputs, towns: list[Organisation]) -> tuple[dict[str, Decimal], str]:
    """Weight per AGS and a source line; every town needs a figure at exactly ``as_of``."""
    if inputs.key == "custom":
        weights = inputs.custom_weights or {}
        missing = [t.name for t in towns if t.ags not in weights]
        if missing:
            raise AllocationInputError(
                _("Custom weights missing for: %(towns)s") % {"towns": ", ".join(missing)}
            )
        source = _("custom weights") + (f": {inputs.custom_source}" if inputs.custom_source else "")
        return {t.ags: Decimal(weights[t.ags]) for t in towns}, source
    if inputs.key not in KEY_CATEGORIES:
        raise AllocationInputError(_("Unknown distribution key: %(key)s") % {"key": inputs.key})
    if inputs.as_of is None:
        raise AllocationInputError(_("The distribution key needs a reference date."))
    figures = {
        f.kommune_id: f
        for f in PopulationFigure.objects.filter(
            kommune__in=towns, category=KEY_CATEGORIES[inputs.key], reference_date=inputs.as_of
        )
    }
    missing = [t.name for t in towns if t.pk not in figures]
    if missing:
        raise AllocationInputError(
            _("No %(key)s figure at %(date)s for: %(towns)s")
            % {
                "key": str(KEY_LABELS[inputs.key]),
                "date": inputs.as_of.strftime("%d.%m.%Y"),
                "towns": ", ".join(missing),
            }
        )
    sources = sorted({f.source for f in figures.values()})
    return {t.ags: Decimal(figures[t.pk].value) for t in towns}, "; ".join(sources)


def claimants(
    inputs: Inputs, towns: list[Organisation], weights: dict[str, Decimal]
) -> list[Claimant]:
    """One claimant per town, except that the towns of a pool share one claimant."""
    by_ags = {t.ags: t for t in towns}
    pooled: set[str] = set()
    result = []
    for index, pool in enumerate(inputs.pools, start=1):
        unknown = [a for a in pool.ags if a not in by_ags]
        if unknown or len(pool.ags) < 2:
            raise AllocationInputError(
                _("Pool “%(name)s” needs at least two towns of this Kreis.") % {"name": pool.name}
            )
        if pooled & set(pool.ags):
            raise AllocationInputError(_("A town can belong to one pool only."))
        pooled |= set(pool.ags)
        result.append(
            Claimant(
                f"pool-{index}", pool.name, sum((weights[a] for a in pool.ags), start=Decimal(0))
            )
        )
    result += [Claimant(t.ags, t.name, weights[t.ags]) for t in towns if t.ags not in pooled]
    return result


def run(inputs: Inputs) -> tuple[Result, str, list[Claimant]]:
    towns = towns_of(inputs.region)
    if not towns:
        raise AllocationInputError(_("This Kreis has no towns recorded."))
    try:
        method = Method(inputs.method)
    except ValueError as exc:
        raise AllocationInputError(_("Unknown method: %(m)s") % {"m": inputs.method}) from exc
    weights, source = town_weights(inputs, towns)
    people = claimants(inputs, towns, weights)
    try:
        result = apportion(
            people, total=inputs.total, step=inputs.step, method=method, minimum=inputs.minimum
        )
    except ApportionmentError as exc:
        raise AllocationInputError(str(exc)) from exc
    return result, source, people


def result_to_json(result: Result, source: str, pools: tuple[Pool, ...]) -> dict[str, Any]:
    pool_members = {f"pool-{i}": list(p.ags) for i, p in enumerate(pools, start=1)}
    return {
        "method": str(result.method),
        "divisor": None if result.divisor is None else str(result.divisor),
        "source": source,
        "steps": list(result.steps),
        "rows": [
            {
                "key": r.key,
                "name": r.name,
                "members": pool_members.get(r.key, [r.key]),
                "weight": str(r.weight),
                "quota": str(r.quota),
                "floor_units": r.floor_units,
                "remainder": str(r.remainder),
                "extra_unit": r.extra_unit,
                "raised_to_minimum": r.raised_to_minimum,
                "allocated": str(r.allocated),
            }
            for r in result.rows
        ],
    }


def parse_decimal(text: str, field: str) -> Decimal:
    try:
        value = Decimal(str(text).replace(",", "."))
    except InvalidOperation as exc:
        raise AllocationInputError(
            _("%(field)s is not a number: %(v)s") % {"field": field, "v": text}
        ) from exc
    if not value.is_finite():
        raise AllocationInputError(
            _("%(field)s is not a number: %(v)s") % {"field": field, "v": text}
        )
    return value
