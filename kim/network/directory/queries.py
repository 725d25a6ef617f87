"""Read side of the directory: the filtered list (page and exports share it), the detail's
related rows, and the export's columns. Rows come only through ``kim.network.access``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone, translation

from kim.accounts.access import UserContext
from kim.core import languages
from kim.network import access
from kim.network.models import Service, ServiceText, ServiceTopic
from kim.organisations.models import Organisation, Rechtskreis

PER_PAGE = 25
LIST_SEPARATOR = "; "


@dataclass(frozen=True)
class ServiceFilter:
    q: str = ""
    topic: str = ""  # a topic key
    sphere: str = ""  # a Rechtskreis value
    town: int | None = None  # a town's pk
    language: str = ""  # a language code
    current_only: bool = True
    due_only: bool = False  # entries the user maintains and has to confirm


def service_list(
    ctx: UserContext, f: ServiceFilter, today: dt.date | None = None
) -> QuerySet[Service]:
    """The entries the user may read, filtered, with what a row of the list shows."""
    day = today or timezone.localdate()
    rows = access.services_for_user(ctx)
    if f.due_only:
        rows = rows.filter(pk__in=access.unconfirmed_services(ctx, day).values("pk"))
    if f.current_only:
        rows = rows.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day)
    if f.q:
        rows = rows.filter(
            Q(name__icontains=f.q)
            | Q(description__icontains=f.q)
            | Q(provider__name__icontains=f.q)
            | Q(provider__short_name__icontains=f.q)
        )
    if f.topic:
        rows = rows.filter(
            pk__in=Service.topics.through.objects.filter(servicetopic__key=f.topic).values(
                "service_id"
            )
        )
    if f.sphere:
        rows = (
            rows.filter(legal_spheres__contains=[f.sphere])
            if _json_contains()
            else rows.filter(legal_spheres__icontains=f'"{f.sphere}"')
        )
    if f.town is not None:
        with_towns = Service.towns.through.objects.values("service_id")
        rows = rows.filter(
            Q(pk__in=with_towns.filter(organisation_id=f.town)) | ~Q(pk__in=with_towns)
        )
    if f.language:
        rows = (
            rows.filter(languages__contains=[f.language])
            if _json_contains()
            else rows.filter(languages__icontains=f'"{f.language}"')
        )
    return (
        rows.select_related("provider")
        .prefetch_related(
            Prefetch("topics", queryset=ServiceTopic.objects.order_by("position", "name")),
            Prefetch("towns", queryset=Organisation.objects.order_by("name")),
        )
        .order_by("name", "id")
    )


def _json_contains() -> bool:
    """``__contains`` on a JSON list works on PostgreSQL; SQLite has no JSON containment, where
    the quoted value inside the stored list text is as exact (codes never contain quotes)."""
    from django.db import connection

    return connection.vendor == "postgresql"


def filter_towns(ctx: UserContext) -> list[Organisation]:
    """The towns of the Kreise the user works in, for the list's town filter."""
    return list(
        Organisation.objects.filter(region_id__in=ctx.region_ids, kind="kommune").order_by("name")
    )


def topic_versions() -> list[ServiceTopic]:
    """Every version of every topic, in catalogue order (the catalogue is public knowledge)."""
    return list(ServiceTopic.objects.order_by("position", "key", "valid_from"))


def detail_texts(service: Service) -> list[ServiceText]:
    return list(service.texts.order_by("language"))


def sphere_labels() -> dict[str, str]:
    return {value: str(label) for value, label in Rechtskreis.choices if value}


def sphere_choices() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in Rechtskreis.choices if value]


# --------------------------------------------------------------------------------------------
# Export (the import reads the same columns: directory.importer)
# --------------------------------------------------------------------------------------------

# German headers in both formats, whatever the UI language: the import reads them back.
HEADER: tuple[str, ...] = (
    "Code",
    "Name",
    "Beschreibung",
    "Anbieter",
    "Themen",
    "Rechtskreise",
    "Orte",
    "Adresse",
    "Öffnungszeiten",
    "Sprachen",
    "Barrierefreiheit",
    "Stufenlos",
    "Termin",
    "Telefon",
    "E-Mail",
    "Website",
    "Gültig ab",
    "Gültig bis",
    "Quelle",
    "Bestätigt am",
    "Öffentlich",
)


def yes_no(value: bool | None) -> str:
    return "" if value is None else ("ja" if value else "nein")


def export_rows(services: Sequence[Service]) -> list[list[Any]]:
    with translation.override("de"):
        spheres = sphere_labels()
    rows = []
    for s in services:
        rows.append(
            [
                s.code,
                s.name,
                s.description,
                s.provider.name,
                LIST_SEPARATOR.join(t.name for t in s.topics.all()),
                LIST_SEPARATOR.join(spheres.get(v, v) for v in s.legal_spheres),
                LIST_SEPARATOR.join(t.name for t in s.towns.all()),
                s.address,
                s.opening_hours,
                LIST_SEPARATOR.join(_language_de(c) for c in s.languages),
                s.accessibility,
                yes_no(s.step_free),
                s.appointment,
                s.phone,
                s.email,
                s.website,
                s.valid_from,
                s.valid_to,
                s.source,
                s.confirmed_on,
                yes_no(s.public),
            ]
        )
    return rows


def _language_de(code: str) -> str:
    language = languages.get(code)
    return language.name_de if language else code
