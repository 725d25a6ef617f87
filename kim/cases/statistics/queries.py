"""Case statistics with disclosure control: scope, rows, tally, suppression (D-082).

Who counts what (docs/permissions.md § Case statistics): the KIM coordination its Kreis;
programme and team leads their own organisation(s); nobody else. Counting crosses the walls
of row-level security, so it runs inside ``system_access`` (audited); what leaves this module
are suppressed tables only – no case, no person, no case manager.

A fixed number of queries per table, whatever the number of cases.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _

from kim.accounts.access import UserContext
from kim.accounts.models import Role
from kim.cases.access import aggregate_regions
from kim.cases.models import (
    ACTIVE_PHASES,
    Barrier,
    BarrierCategory,
    BenefitPeriod,
    BenefitSystem,
    Case,
    ClosingReason,
    Goal,
    GoalStatus,
    Phase,
    PhaseChange,
    Referral,
)
from kim.cases.statistics.measures import (
    DIMENSIONS,
    MEASURES,
    StatisticsError,
    check_period,
    check_request,
)
from kim.cases.statistics.suppression import (
    Entry,
    Mark,
    Published,
    suppress,
    suppress_median,
)
from kim.core.rls import Actor, system_access
from kim.network.models import Service, ServiceTopic
from kim.organisations.models import (
    REGION_KINDS,
    AuthorityType,
    Organisation,
    OrgKind,
    Rechtskreis,
)

UNKNOWN = "unknown"
Row = dict[str, Any]


# --- scope --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """A Kreis and, for programme and team leads, the organisations they may count."""

    kreis: Organisation
    organisations: tuple[Organisation, ...] | None = None

    @property
    def label(self) -> str:
        if self.organisations is None:
            return self.kreis.name
        return ", ".join(o.name for o in self.organisations)

    def org_ids(self) -> list[int] | None:
        return None if self.organisations is None else [o.pk for o in self.organisations]


def _region_of(org: Organisation) -> Organisation | None:
    return org if org.kind in REGION_KINDS else org.region


def statistics_scopes(ctx: UserContext) -> list[Scope]:
    """The scopes of the reader (1 query): each Kreis it coordinates whole; elsewhere the
    organisations in which it leads the programme or a team, grouped by their Kreis."""
    whole = aggregate_regions(ctx)
    own = ctx.organisations_with_role(Role.PROGRAMME_LEAD, Role.TEAM_LEAD)
    orgs = Organisation.objects.filter(Q(pk__in=whole) | Q(pk__in=own)).select_related("region")
    scopes = [Scope(o) for o in orgs if o.pk in whole]
    limited: dict[int, list[Organisation]] = defaultdict(list)
    kreise: dict[int, Organisation] = {}
    for org in sorted(orgs, key=lambda o: o.name):
        region = _region_of(org)
        if org.pk in own and region is not None and region.pk not in whole:
            limited[region.pk].append(org)
            kreise[region.pk] = region
    scopes += [Scope(kreise[pk], tuple(members)) for pk, members in limited.items()]
    return sorted(scopes, key=lambda s: s.kreis.name)


def get_scope_for_user(ctx: UserContext, ags: str) -> Scope:
    """The reader's scope in the Kreis with this AGS; 404 for a Kreis the reader cannot count."""
    for scope in statistics_scopes(ctx):
        if scope.kreis.ags == ags:
            return scope
    raise Http404


def kreis_scope(ags: str) -> Scope:
    """The whole Kreis (the CLI, the council): a ``StatisticsError`` for an unknown AGS."""
    kreis = Organisation.objects.filter(ags=ags, kind__in=(OrgKind.KREIS, OrgKind.KREISFREIE_STADT))
    found = kreis.first() if ags else None
    if found is None:
        raise StatisticsError(_("Unknown Kreis: no Kreis has the AGS “%(ags)s”.") % {"ags": ags})
    return Scope(found)


# --- the table ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Axis:
    dimension: str
    label: str
    keys: list[str]
    labels: list[str]


@dataclass(frozen=True)
class CaseTable:
    scope: Scope
    start: dt.date
    end: dt.date
    measure: str
    axes: list[Axis]
    table: Published
    median: bool

    @property
    def measure_label(self) -> str:
        return str(MEASURES[self.measure].label)

    @property
    def empty(self) -> bool:
        return self.table.total.value == 0 and not self.table.total.suppressed

    def as_json(self) -> dict[str, Any]:
        """The shape of the CLI and the API (issue 17 § 3)."""
        dims = [a.dimension for a in self.axes]
        cells = []
        for index, entry in self.table.cells.items():
            keys = {a.dimension: a.keys[i] for a, i in zip(self.axes, index, strict=True)}
            cells.append({"keys": keys, **_entry_json(entry)})
        margins = [
            {"keys": {axis.dimension: axis.keys[k]}, **_entry_json(entry)}
            for axis, line in zip(self.axes, self.table.margins, strict=True)
            for k, entry in enumerate(line)
        ]
        return {
            "kreis": self.scope.kreis.ags,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "measure": self.measure,
            "dimensions": dims,
            "cells": cells,
            "margins": margins,
            "total": _entry_json(self.table.total),
        }


def _entry_json(entry: Entry) -> dict[str, Any]:
    return {"value": entry.published, "suppressed": entry.suppressed}


def case_table(
    scope: Scope,
    measure: str,
    dims: Iterable[str],
    start: dt.date,
    end: dt.date,
    *,
    actor: Actor,
) -> CaseTable:
    """The suppressed table of ``measure`` by ``dims`` for the scope and period."""
    dims = tuple(dims)
    definition = check_request(measure, dims)
    check_period(start, end)
    with system_access("case statistics", actor=actor):
        rows = ROWS[measure](scope, start, end)
        axes = [_axis(scope, d, start, end, rows, measure) for d in dims]
    if definition.median:
        published = _medians(rows, axes)
    else:
        published = suppress(_counts(rows, axes), len(axes))
    return CaseTable(scope, start, end, measure, axes, published, definition.median)


def _counts(rows: list[Row], axes: list[Axis]) -> Any:
    index = [{k: i for i, k in enumerate(a.keys)} for a in axes]
    if not axes:
        return len(rows)
    if len(axes) == 1:
        counts = [0] * len(axes[0].keys)
        for row in rows:
            counts[index[0][row[axes[0].dimension]]] += 1
        return counts
    matrix = [[0] * len(axes[1].keys) for _k in axes[0].keys]
    for row in rows:
        i, j = index[0][row[axes[0].dimension]], index[1][row[axes[1].dimension]]
        matrix[i][j] += 1
    return matrix


def _median_entry(values: list[int]) -> Entry:
    value, hidden = suppress_median(values)
    if hidden:
        return Entry(0, Mark.SMALL)
    return Entry(value if value is not None else 0, Mark.SHOWN)


def _medians(rows: list[Row], axes: list[Axis]) -> Published:
    """Medians per cell, per margin value and overall; non-additive, no secondary suppression.
    A cell without cases has no median (``empty``)."""

    def pick(keys: dict[str, str]) -> list[int]:
        return [r["days"] for r in rows if all(r[d] == k for d, k in keys.items())]

    def entry(keys: dict[str, str]) -> Entry:
        values = pick(keys)
        return _median_entry(values) if values else Entry(0, Mark.SHOWN, empty=True)

    cells: dict[tuple[int, ...], Entry] = {}
    shape = tuple(len(a.keys) for a in axes)
    for index in _indices(shape):
        cells[index] = entry({a.dimension: a.keys[i] for a, i in zip(axes, index, strict=True)})
    margins = [[entry({a.dimension: k}) for k in a.keys] for a in axes]
    return Published(shape, cells, margins, entry({}))


def _indices(shape: tuple[int, ...]) -> list[tuple[int, ...]]:
    result: list[tuple[int, ...]] = [()]
    for size in shape:
        result = [(*r, i) for r in result for i in range(size)]
    return result


# --- rows per measure (inside system access) ----------------------------------------------------


def _cases(scope: Scope) -> QuerySet[Case]:
    qs = Case.objects.filter(Q(organisation__region=scope.kreis) | Q(organisation=scope.kreis))
    ids = scope.org_ids()
    return qs if ids is None else qs.filter(organisation_id__in=ids)


def _intake_on() -> Subquery:
    first = (
        PhaseChange.objects.filter(case=OuterRef("pk"), to_phase=Phase.INTAKE)
        .values("case")
        .annotate(first=Min("changed_on"))
        .values("first")
    )
    return Subquery(first)


CASE_FIELDS = (
    "pk",
    "person_id",
    "organisation__code",
    "person__town__ags",
    "referred_on",
    "closed_on",
    "closing_reason",
)


def _case_rows(qs: QuerySet[Case], day_field: str) -> list[Row]:
    """Rows with the dimensions every case measure shares (2 queries)."""
    found = list(qs.annotate(intake_on=_intake_on()).values(*CASE_FIELDS, "intake_on"))
    spheres = _benefit_on(found)
    rows = []
    for c in found:
        day = c[day_field] if day_field != "intake_on" else c["intake_on"]
        rows.append(
            {
                "case": c["pk"],
                "town": c["person__town__ags"] or UNKNOWN,
                "organisation": c["organisation__code"],
                "quarter": quarter_key(day) if day else "",
                "year": str(day.year) if day else "",
                "legal_sphere": spheres.get(c["pk"], UNKNOWN),
                "closing_reason": c["closing_reason"] or UNKNOWN,
                "referred_on": c["referred_on"],
                "intake_on": c["intake_on"],
            }
        )
    return rows


def _benefit_on(cases: list[Row]) -> dict[int, str]:
    """The benefit system of each case's person on the day the intake started (else the
    referral day)."""
    periods: dict[int, list[BenefitPeriod]] = defaultdict(list)
    persons = {c["person_id"] for c in cases}
    for p in BenefitPeriod.objects.filter(person_id__in=persons).order_by("valid_from", "id"):
        periods[p.person_id].append(p)
    result = {}
    for c in cases:
        day = c["intake_on"] or c["referred_on"]
        for p in periods.get(c["person_id"], ()):
            if p.valid_from <= day and (p.valid_until is None or p.valid_until >= day):
                result[c["pk"]] = p.system
    return result


def new_cases(scope: Scope, start: dt.date, end: dt.date) -> list[Row]:
    qs = _cases(scope).filter(referred_on__gte=start, referred_on__lte=end)
    return _case_rows(qs, "referred_on")


def active_cases(scope: Scope, start: dt.date, end: dt.date) -> list[Row]:
    qs = _cases(scope).filter(
        Q(referred_on__lte=end) & (Q(closed_on__isnull=True) | Q(closed_on__gte=start))
    )
    rows = _case_rows(qs, "referred_on")
    phases: dict[int, str] = {}
    changes = PhaseChange.objects.filter(
        case_id__in=[r["case"] for r in rows], changed_on__lte=end
    ).order_by("changed_on", "id")
    for change in changes.values("case_id", "to_phase"):
        phases[change["case_id"]] = change["to_phase"]
    for r in rows:
        r["phase"] = phases.get(r["case"], Phase.ACCESS)
    return rows


def closed_cases(scope: Scope, start: dt.date, end: dt.date) -> list[Row]:
    qs = _cases(scope).filter(closed_on__gte=start, closed_on__lte=end)
    return _case_rows(qs, "closed_on")


def goals_reached(scope: Scope, start: dt.date, end: dt.date) -> list[Row]:
    reached = Goal.objects.filter(case=OuterRef("pk"), status=GoalStatus.ACHIEVED)
    qs = _cases(scope).filter(Exists(reached), closed_on__gte=start, closed_on__lte=end)
    return _case_rows(qs, "closed_on")


def waiting_days(scope: Scope, start: dt.date, end: dt.date) -> list[Row]:
    qs = (
        _cases(scope)
        .annotate(first_intake=_intake_on())
        .filter(first_intake__gte=start, first_intake__lte=end)
    )
    rows = _case_rows(qs, "intake_on")
    for r in rows:
        r["days"] = (r["intake_on"] - r["referred_on"]).days
    return rows


def referrals(scope: Scope, start: dt.date, end: dt.date) -> list[Row]:
    found = Referral.objects.filter(
        case__in=_cases(scope), sent_on__gte=start, sent_on__lte=end
    ).values(
        "sent_on",
        "case__organisation__code",
        "case__person__town__ags",
        "recipient__kind",
        "recipient__authority_type",
    )
    return [
        {
            "town": r["case__person__town__ags"] or UNKNOWN,
            "organisation": r["case__organisation__code"],
            "quarter": quarter_key(r["sent_on"]),
            "year": str(r["sent_on"].year),
            "recipient_type": r["recipient__authority_type"] or r["recipient__kind"],
        }
        for r in found
    ]


NO_SERVICE = "no_service"


def referrals_by_topic(scope: Scope, start: dt.date, end: dt.date) -> list[Row]:
    """One row per referral and topic of its service (2 queries); ``no_service`` for a
    referral that names no service, ``unknown`` for a service without topics."""
    found = list(
        Referral.objects.filter(
            case__in=_cases(scope), sent_on__gte=start, sent_on__lte=end
        ).values("sent_on", "service_id", "case__organisation__code", "case__person__town__ags")
    )
    topics: dict[int, list[str]] = defaultdict(list)
    services = {r["service_id"] for r in found if r["service_id"]}
    through = Service.topics.through.objects.filter(service_id__in=services)
    for link in through.values("service_id", "servicetopic__key").order_by("servicetopic__key"):
        keys = topics[link["service_id"]]
        if link["servicetopic__key"] not in keys:  # two dated rows of one topic count once
            keys.append(link["servicetopic__key"])
    rows = []
    for r in found:
        keys = (topics.get(r["service_id"]) or [UNKNOWN]) if r["service_id"] else [NO_SERVICE]
        for key in keys:
            rows.append(
                {
                    "town": r["case__person__town__ags"] or UNKNOWN,
                    "organisation": r["case__organisation__code"],
                    "quarter": quarter_key(r["sent_on"]),
                    "year": str(r["sent_on"].year),
                    "topic": key,
                }
            )
    return rows


def barriers(scope: Scope, start: dt.date, end: dt.date) -> list[Row]:
    qs = Barrier.objects.filter(
        region=scope.kreis,
        observed_month__gte=start.replace(day=1),
        observed_month__lte=end,
    )
    ids = scope.org_ids()
    if ids is not None:
        qs = qs.filter(case__organisation_id__in=ids)
    return [
        {
            "quarter": quarter_key(b["observed_month"]),
            "year": str(b["observed_month"].year),
            "legal_sphere": b["rechtskreis"] or "none",
            "barrier_category": b["category__key"],
        }
        for b in qs.values("observed_month", "rechtskreis", "category__key")
    ]


ROWS = {
    "new_cases": new_cases,
    "active_cases": active_cases,
    "closed_cases": closed_cases,
    "referrals": referrals,
    "referrals_by_topic": referrals_by_topic,
    "closing_reasons": closed_cases,
    "goals_reached": goals_reached,
    "waiting_days_median": waiting_days,
    "barriers": barriers,
}


# --- the values of each dimension ---------------------------------------------------------------


def quarter_key(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarters(start: dt.date, end: dt.date) -> list[str]:
    keys, year, q = [], start.year, (start.month - 1) // 3 + 1
    last = (end.year, (end.month - 1) // 3 + 1)
    while (year, q) <= last:
        keys.append(f"{year}-Q{q}")
        year, q = (year + 1, 1) if q == 4 else (year, q + 1)
    return keys


def _with_unknown(pairs: list[tuple[str, str]], rows: list[Row], dim: str) -> list[tuple[str, str]]:
    known = {k for k, _label in pairs}
    extra = sorted({r[dim] for r in rows} - known)
    return pairs + [(k, _("unknown") if k == UNKNOWN else k) for k in extra]


def _axis(
    scope: Scope, dim: str, start: dt.date, end: dt.date, rows: list[Row], measure: str
) -> Axis:
    pairs = _domain(scope, dim, start, end, measure)
    pairs = _with_unknown(pairs, rows, dim)
    return Axis(dim, str(DIMENSIONS[dim]), [k for k, _l in pairs], [lb for _k, lb in pairs])


def _domain(
    scope: Scope, dim: str, start: dt.date, end: dt.date, measure: str
) -> list[tuple[str, str]]:
    if dim == "town":
        towns = Organisation.objects.filter(region=scope.kreis, kind=OrgKind.KOMMUNE)
        return [(o.ags, o.name) for o in towns.exclude(ags="").order_by("name")]
    if dim == "organisation":
        if scope.organisations is not None:
            return [(o.code, o.name) for o in scope.organisations]
        with_cases = _cases(scope).values("organisation_id")
        orgs = Organisation.objects.filter(pk__in=with_cases).order_by("name")
        return [(o.code, o.name) for o in orgs]
    if dim == "quarter":
        return [(k, k.replace("-", " ")) for k in quarters(start, end)]
    if dim == "year":
        return [(str(y), str(y)) for y in range(start.year, end.year + 1)]
    return _choice_domain(dim, measure)


def _choice_domain(dim: str, measure: str) -> list[tuple[str, str]]:
    if dim == "phase":
        return [(str(p.value), str(p.label)) for p in (*ACTIVE_PHASES, Phase.CLOSED)]
    if dim == "legal_sphere" and measure == "barriers":
        return [(str(v) or "none", str(label)) for v, label in Rechtskreis.choices]
    if dim == "legal_sphere":
        return [(str(v), str(label)) for v, label in BenefitSystem.choices]
    if dim == "closing_reason":
        return [(str(v), str(label)) for v, label in ClosingReason.choices]
    if dim == "topic":
        return _topic_domain()
    if dim == "recipient_type":
        kinds = [(str(v), str(label)) for v, label in AuthorityType.choices]
        return kinds + [(str(v), str(label)) for v, label in OrgKind.choices]
    categories = BarrierCategory.objects.order_by("position", "key")
    return [(c.key, c.name) for c in categories]


def _topic_domain() -> list[tuple[str, str]]:
    """Every topic of the catalogue (the newest name of each key), then "without a service"."""
    names: dict[str, str] = {}
    for topic in ServiceTopic.objects.order_by("position", "key", "valid_from"):
        names[topic.key] = topic.name_en if _english() else topic.name
    return [*names.items(), (NO_SERVICE, _("without a service"))]


def _english() -> bool:
    return (translation.get_language() or "de").startswith("en")


# --- caseload per case manager (page only: a distribution, never a name) ------------------------

CASELOAD_BANDS = ((1, 10), (11, 20), (21, 30), (31, 40), (41, None))


@dataclass(frozen=True)
class CaseloadBands:
    labels: list[str]
    table: Published

    @property
    def rows(self) -> list[tuple[str, Entry]]:
        return list(zip(self.labels, self.table.margins[0], strict=True))


def caseload_bands(scope: Scope, day: dt.date, *, actor: Actor) -> CaseloadBands:
    """How many case managers carry how many open cases on ``day`` (1 query); the counts of
    case managers per band are suppressed like any other table."""
    with system_access("case statistics", actor=actor):
        open_cases = _cases(scope).filter(
            Q(referred_on__lte=day) & (Q(closed_on__isnull=True) | Q(closed_on__gt=day))
        )
        per_user = [
            r["n"] for r in open_cases.values("responsible_id").annotate(n=Count("pk")).order_by()
        ]
    counts = [0] * len(CASELOAD_BANDS)
    for n in per_user:
        for i, (low, high) in enumerate(CASELOAD_BANDS):
            if n >= low and (high is None or n <= high):
                counts[i] += 1
    labels = [
        f"{low}–{high}" if high is not None else _("%(n)s or more") % {"n": low}
        for low, high in CASELOAD_BANDS
    ]
    return CaseloadBands(labels, suppress(counts, 1))
