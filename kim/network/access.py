"""The only door to the service network for views, the API and exports
(docs/permissions.md § Service network).

- **Directory.** Everyone signed in reads the services of the Kreise they work in. The KIM
  coordination maintains every entry of its Kreis; a welfare-agency manager maintains the
  entries their agency provides. Entries of another Kreis: 404, exactly like a missing row –
  unless public, and then only on the public page (``public_services``), never here.
- **Interpreters.** The coordination maintains the pool of its Kreis; case managers and team
  leads read it (to book). Everybody else: 404.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kim.accounts.access import UserContext
from kim.accounts.models import Role
from kim.network.models import CONFIRMATION_MONTHS, Interpreter, Service
from kim.organisations.models import Organisation, OrgKind

BOOKING_ROLES = (Role.CASE_MANAGER, Role.TEAM_LEAD)


# --------------------------------------------------------------------------------------------
# Directory
# --------------------------------------------------------------------------------------------


def coordinated_regions(ctx: UserContext) -> frozenset[int]:
    """Kreise whose whole directory and interpreter pool the user maintains."""
    return ctx.regions_with_role(Role.KIM_COORDINATION)


def own_providers(ctx: UserContext) -> frozenset[int]:
    """Welfare agencies whose own entries the user maintains."""
    return ctx.organisations_with_role(Role.TRAEGER_MANAGER)


def can_use_directory(ctx: UserContext) -> bool:
    return ctx.user_id is not None and bool(ctx.region_ids)


def can_maintain_directory(ctx: UserContext) -> bool:
    return bool(coordinated_regions(ctx) or own_providers(ctx))


def services_for_user(ctx: UserContext) -> QuerySet[Service]:
    """Every entry of the Kreise the user works in (current, past and future ones)."""
    if ctx.user_id is None:
        return Service.objects.none()
    return Service.objects.filter(region_id__in=ctx.region_ids)


def can_view_service(ctx: UserContext, service: Service) -> bool:
    """The predicate of ``services_for_user`` for one row already loaded (no query)."""
    return ctx.user_id is not None and service.region_id in ctx.region_ids


def get_service_for_user(ctx: UserContext, code: str) -> Service:
    try:
        return services_for_user(ctx).select_related("provider", "region").get(code=code)
    except Service.DoesNotExist:
        raise Http404("No such service") from None


def maintained_services(ctx: UserContext) -> QuerySet[Service]:
    """The entries the user maintains."""
    if ctx.user_id is None:
        return Service.objects.none()
    return Service.objects.filter(
        Q(region_id__in=coordinated_regions(ctx))
        | Q(region_id__in=ctx.region_ids, provider_id__in=own_providers(ctx))
    )


def can_edit_service(ctx: UserContext, service: Service) -> bool:
    return service.region_id in coordinated_regions(ctx) or (
        service.region_id in ctx.region_ids and service.provider_id in own_providers(ctx)
    )


def maintainable_regions(ctx: UserContext) -> QuerySet[Organisation]:
    """Kreise in which the user may create entries."""
    ids = coordinated_regions(ctx) | (ctx.region_ids if own_providers(ctx) else frozenset())
    return Organisation.objects.filter(pk__in=ids).order_by("name")


def provider_choices(ctx: UserContext, region: Organisation) -> QuerySet[Organisation]:
    """Providers the user may name on an entry of ``region``: for the coordination every
    organisation of the Kreis except the Land's, for a welfare-agency manager their agency."""
    if region.pk in coordinated_regions(ctx):
        return (
            Organisation.objects.filter(Q(pk=region.pk) | Q(region_id=region.pk))
            .exclude(kind__in=(OrgKind.LAND, OrgKind.BEZIRKSREGIERUNG))
            .order_by("name")
        )
    if region.pk in ctx.region_ids:
        return Organisation.objects.filter(pk__in=own_providers(ctx)).order_by("name")
    return Organisation.objects.none()


def town_choices(region: Organisation) -> QuerySet[Organisation]:
    return Organisation.objects.filter(region_id=region.pk, kind=OrgKind.KOMMUNE).order_by("name")


def confirmation_due_before(today: dt.date | None = None) -> dt.date:
    """Entries last confirmed before this day are flagged (12 months, ``CONFIRMATION_MONTHS``)."""
    day = today or timezone.localdate()
    months = day.year * 12 + day.month - 1 - CONFIRMATION_MONTHS
    year, month = divmod(months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def unconfirmed_services(ctx: UserContext, today: dt.date | None = None) -> QuerySet[Service]:
    """Entries the user maintains, still valid, not confirmed for 12 months."""
    day = today or timezone.localdate()
    return maintained_services(ctx).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        confirmed_on__lt=confirmation_due_before(day),
    )


def public_services(region: Organisation, day: dt.date | None = None) -> QuerySet[Service]:
    """What the public page of a Kreis shows: entries marked public and valid today."""
    today = day or timezone.localdate()
    return Service.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=today),
        region=region,
        public=True,
        valid_from__lte=today,
    )


def public_regions(day: dt.date | None = None) -> QuerySet[Organisation]:
    """Kreise whose public page has at least one entry today (the index of ``/hilfenetz/``)."""
    today = day or timezone.localdate()
    shown = Service.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=today), public=True, valid_from__lte=today
    ).values("region_id")
    return Organisation.objects.filter(pk__in=shown).exclude(ags="").order_by("name")


def get_public_region(ags: str, day: dt.date | None = None) -> Organisation:
    """The Kreis of a public page by its AGS; 404 when unknown or without a public entry."""
    try:
        return public_regions(day).get(ags=ags)
    except Organisation.DoesNotExist:
        raise Http404("No public directory") from None


def services_for_referral(region_id: int, day: dt.date) -> QuerySet[Service]:
    """Services a referral of a case in Kreis ``region_id`` may name: the Kreis' entries valid
    on ``day`` (the day the referral is sent), public or not, with their providers."""
    return (
        Service.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
            region_id=region_id,
            valid_from__lte=day,
        )
        .select_related("provider")
        .order_by("provider__name", "name", "id")
    )


# --------------------------------------------------------------------------------------------
# Interpreters
# --------------------------------------------------------------------------------------------


def can_maintain_pool(ctx: UserContext) -> bool:
    return bool(coordinated_regions(ctx))


def pool_region(ctx: UserContext) -> Organisation | None:
    """The Kreis whose pool a new interpreter joins (the first the user coordinates)."""
    regions = sorted(coordinated_regions(ctx))
    return Organisation.objects.get(pk=regions[0]) if regions else None


def can_book_interpreters(ctx: UserContext) -> bool:
    return ctx.has_role(*BOOKING_ROLES)


def interpreter_regions(ctx: UserContext) -> frozenset[int]:
    return coordinated_regions(ctx) | ctx.regions_with_role(*BOOKING_ROLES)


def can_use_interpreters(ctx: UserContext) -> bool:
    return bool(interpreter_regions(ctx))


def interpreters_for_user(ctx: UserContext) -> QuerySet[Interpreter]:
    if ctx.user_id is None:
        return Interpreter.objects.none()
    return Interpreter.objects.filter(region_id__in=interpreter_regions(ctx))


def get_interpreter_for_user(ctx: UserContext, code: str) -> Interpreter:
    try:
        return interpreters_for_user(ctx).select_related("organisation", "region").get(code=code)
    except Interpreter.DoesNotExist:
        raise Http404("No such interpreter") from None


def can_edit_interpreter(ctx: UserContext, interpreter: Interpreter) -> bool:
    return interpreter.region_id in coordinated_regions(ctx)


def bookable_interpreters(ctx: UserContext, region_id: int) -> QuerySet[Interpreter]:
    """Active interpreters of the pool a case of ``region_id`` may book."""
    if region_id not in ctx.regions_with_role(*BOOKING_ROLES):
        return Interpreter.objects.none()
    return Interpreter.objects.filter(region_id=region_id, active=True)
