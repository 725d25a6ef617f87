"""Every change to organisations, units, responsibility periods and population figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from kim.audit.models import EventType
from kim.audit.record import record
from kim.core.models import Actor
from kim.organisations.models import (
    REGION_KINDS,
    Organisation,
    OrganisationalUnit,
    OrgKind,
    PopulationFigure,
    ResponsibilityPeriod,
)

EDITABLE_FIELDS = (
    "kind",
    "name",
    "short_name",
    "ags",
    "municipality_type",
    "parent",
    "region",
    "umbrella",
    "authority_type",
    "rechtskreis",
    "legal_form",
    "website",
    "is_demo",
)


class StaleObjectError(ValidationError):
    """The row was changed by someone else since the form was loaded (optimistic locking)."""


def _parent_region(org: Organisation) -> Organisation | None:
    parent = org.parent
    if parent is None:
        return None
    return parent if parent.is_region else parent.region


def _derive_region(org: Organisation, *, parent_changed: bool = False) -> None:
    """Regions are roots; a Kommune belongs to its Kreis unless a region is given. A new
    parent in another region takes the organisation along (only administrators can give one,
    decisions D-050); a parent without a region (the Land) leaves the region as it is."""
    if org.kind in REGION_KINDS:
        org.region = None
    elif org.region is None or parent_changed:
        org.region = _parent_region(org) or org.region


@transaction.atomic
def create_organisation(*, acting_user: Actor, **fields: Any) -> Organisation:
    org = Organisation(**{k: v for k, v in fields.items() if k in EDITABLE_FIELDS})
    _derive_region(org)
    org.full_clean()
    org.save()
    record(
        EventType.ORGANISATION_CREATED,
        actor=acting_user,
        subject=org,
        organisation=org,
        extra={"kind": org.kind},
    )
    return org


@transaction.atomic
def update_organisation(
    org: Organisation, *, acting_user: Actor, expected_version: int, **fields: Any
) -> Organisation:
    """Change fields; refuse if the row's version moved on since the form was loaded."""
    current = Organisation.objects.select_for_update().get(pk=org.pk)
    if current.version != expected_version:
        raise StaleObjectError(
            _(
                "This organisation was changed by someone else in the meantime. "
                "Please reload the page and enter your changes again."
            )
        )
    changed = []
    for name, value in fields.items():
        if name in EDITABLE_FIELDS and getattr(current, name) != value:
            setattr(current, name, value)
            changed.append(name)
    if not changed:
        return current
    _derive_region(current, parent_changed="parent" in changed)
    current.full_clean()
    current.version += 1
    current.save()
    record(
        EventType.ORGANISATION_UPDATED,
        actor=acting_user,
        subject=current,
        organisation=current,
        extra={"fields": sorted(changed)},
    )
    return current


@transaction.atomic
def create_unit(
    organisation: Organisation,
    *,
    acting_user: Actor,
    name: str,
    short_name: str = "",
) -> OrganisationalUnit:
    unit = OrganisationalUnit(organisation=organisation, name=name, short_name=short_name)
    unit.full_clean()
    unit.save()
    record(EventType.UNIT_CREATED, actor=acting_user, subject=unit, organisation=organisation)
    return unit


def _overlapping_responsibilities(
    authority: Organisation, kommune: Organisation, valid_from: dt.date, valid_to: dt.date | None
) -> list[ResponsibilityPeriod]:
    qs = ResponsibilityPeriod.objects.filter(
        kommune=kommune, authority__authority_type=authority.authority_type
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
    if valid_to is not None:
        qs = qs.filter(valid_from__lte=valid_to)
    return list(qs.select_related("authority"))


@transaction.atomic
def set_responsibility(
    *,
    acting_user: Actor,
    authority: Organisation,
    kommune: Organisation,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    source: str = "",
) -> ResponsibilityPeriod:
    """Record that ``authority`` serves ``kommune``; periods of the same authority type
    for one town must not overlap (a town has one Ausländerbehörde at a time)."""
    if authority.kind != OrgKind.AUTHORITY:
        raise ValidationError({"authority": _("Only authorities and services can be responsible.")})
    if kommune.kind not in (OrgKind.KOMMUNE, OrgKind.KREISFREIE_STADT):
        raise ValidationError({"kommune": _("Responsibility is recorded per municipality.")})
    clash = _overlapping_responsibilities(authority, kommune, valid_from, valid_to)
    if clash:
        raise ValidationError(
            {
                "valid_from": _(
                    "%(town)s is already served by %(authority)s in this period (from %(start)s)."
                )
                % {
                    "town": kommune.name,
                    "authority": clash[0].authority.name,
                    "start": clash[0].valid_from.strftime("%d.%m.%Y"),
                }
            }
        )
    period = ResponsibilityPeriod(
        authority=authority,
        kommune=kommune,
        valid_from=valid_from,
        valid_to=valid_to,
        source=source,
    )
    period.full_clean()
    period.save()
    record(
        EventType.RESPONSIBILITY_SET,
        actor=acting_user,
        subject=period,
        organisation=authority,
        extra={"kommune": kommune.code, "valid_from": valid_from.isoformat()},
    )
    return period


@transaction.atomic
def end_responsibility(
    period: ResponsibilityPeriod, *, acting_user: Actor, valid_to: dt.date
) -> ResponsibilityPeriod:
    if valid_to < period.valid_from:
        raise ValidationError({"valid_to": _("The end date lies before the start date.")})
    period.valid_to = valid_to
    period.save(update_fields=["valid_to"])
    record(
        EventType.RESPONSIBILITY_ENDED,
        actor=acting_user,
        subject=period,
        organisation=period.authority,
        extra={"valid_to": valid_to.isoformat()},
    )
    return period


def _store_population(
    kommune: Organisation, category: str, reference_date: dt.date, value: int, source: str
) -> tuple[PopulationFigure, bool]:
    return PopulationFigure.objects.update_or_create(
        kommune=kommune,
        category=category,
        reference_date=reference_date,
        defaults={"value": value, "source": source},
    )


@transaction.atomic
def record_population(
    *,
    acting_user: Actor,
    kommune: Organisation,
    reference_date: dt.date,
    value: int,
    source: str,
    category: str = "total",
) -> PopulationFigure:
    if kommune.kind not in (OrgKind.KOMMUNE, OrgKind.KREISFREIE_STADT):
        raise ValidationError({"kommune": _("Population figures are recorded per municipality.")})
    figure, created = _store_population(kommune, category, reference_date, value, source)
    record(
        EventType.POPULATION_RECORDED,
        actor=acting_user,
        subject=figure,
        organisation=kommune,
        extra={
            "reference_date": reference_date.isoformat(),
            "category": category,
            "replaced": not created,
        },
    )
    return figure


@transaction.atomic
def import_population(
    *, acting_user: Actor, region: Organisation, rows: list[Any], file_name: str
) -> int:
    """Store parsed, already validated rows (see ``importers.parse_population_file``):
    all of them or, if anything fails, none. One audit event for the whole import."""
    created = updated = 0
    for row in rows:
        _, was_created = _store_population(
            row.kommune, row.category, row.reference_date, row.value, row.source
        )
        created += was_created
        updated += not was_created
    record(
        EventType.POPULATION_IMPORTED,
        actor=acting_user,
        subject=region,
        organisation=region,
        extra={"file": file_name[:100], "rows": len(rows), "created": created, "updated": updated},
    )
    return len(rows)
