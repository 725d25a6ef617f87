"""The only door to organisation rows for views and the API.

Organisations are not personal data, but a user sees only the region (Kreis or kreisfreie
Stadt) they work in, plus supra-regional bodies (Land, Bezirksregierung, umbrella
associations). Council members read released reports only and do not browse the directory.

The KIM coordination edits the organisations of its region and adds new ones under a parent
there. Whatever it creates or edits stays in that region (decisions D-050): only towns, welfare
agencies and authorities (``MEMBER_KINDS``) – never a Kreis, a kreisfreie Stadt or a
supra-regional body – and a kind or parent changes only within the organisation's region. Only
administrators create top-level bodies or move organisations elsewhere.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from kim.accounts.access import UserContext, is_administrator
from kim.accounts.models import Role
from kim.organisations.models import Organisation, OrgKind

DIRECTORY_ROLES = frozenset(set(Role) - {Role.COUNCIL_MEMBER})
SUPRA_REGIONAL_KINDS = (OrgKind.LAND, OrgKind.BEZIRKSREGIERUNG, OrgKind.UMBRELLA)
# Kinds that belong to a region: what the coordination may create there or turn an
# organisation of its region into.
MEMBER_KINDS = (OrgKind.KOMMUNE, OrgKind.TRAEGER, OrgKind.AUTHORITY)


def can_browse_directory(ctx: UserContext) -> bool:
    return is_administrator(ctx) or bool(ctx.roles & DIRECTORY_ROLES)


def can_view_organisation(ctx: UserContext, org: Organisation) -> bool:
    if is_administrator(ctx):
        return True
    if not can_browse_directory(ctx):
        return False
    region_id = org.region_id_or_self
    if region_id is None:
        # Land, Bezirksregierung, umbrella associations are public bodies; anything else
        # without a region is visible to administrators only (same rule as the list).
        return org.kind in SUPRA_REGIONAL_KINDS
    return region_id in ctx.regions_with_role(*DIRECTORY_ROLES)


def can_edit_organisation(ctx: UserContext, org: Organisation) -> bool:
    """KIM coordination edits its own region; supra-regional bodies only administrators."""
    if is_administrator(ctx):
        return True
    region_id = org.region_id_or_self
    return region_id is not None and region_id in ctx.regions_with_role(Role.KIM_COORDINATION)


def can_create_organisations(ctx: UserContext) -> bool:
    return is_administrator(ctx) or ctx.has_role(Role.KIM_COORDINATION)


def organisations_for_user(ctx: UserContext) -> QuerySet[Organisation]:
    qs = Organisation.objects.all()
    if is_administrator(ctx):
        return qs
    if not can_browse_directory(ctx):
        return qs.none()
    regions = ctx.regions_with_role(*DIRECTORY_ROLES)
    return qs.filter(
        Q(id__in=regions)
        | Q(region_id__in=regions)
        | Q(
            region__isnull=True, kind__in=[OrgKind.LAND, OrgKind.BEZIRKSREGIERUNG, OrgKind.UMBRELLA]
        )
    )


def get_organisation_for_user(ctx: UserContext, code: str) -> Organisation:
    """The organisation with ``code`` if the user may see it; 404 otherwise (also if missing)."""
    org = (
        Organisation.objects.select_related("parent", "region", "umbrella")
        .filter(code=code)
        .first()
    )
    if org is None or not can_view_organisation(ctx, org):
        raise Http404("Organisation not found")
    return org


def get_organisation_for_editing(ctx: UserContext, code: str) -> Organisation:
    """404 for strangers, PermissionDenied (403) for readers who may not edit."""
    org = get_organisation_for_user(ctx, code)
    if not can_edit_organisation(ctx, org):
        raise PermissionDenied
    return org


def can_create_under(ctx: UserContext, parent: Organisation | None) -> bool:
    """New organisations go into the creator's own region; top-level bodies only by admins."""
    if is_administrator(ctx):
        return True
    region_id = parent.region_id_or_self if parent is not None else None
    return region_id is not None and region_id in ctx.regions_with_role(Role.KIM_COORDINATION)


def can_give_kind(ctx: UserContext, org: Organisation | None, kind: str) -> bool:
    """Whether a new organisation (``org`` None) or ``org`` may have ``kind``: administrators
    any; otherwise an unchanged kind, or a change between the kinds that belong to a region."""
    if is_administrator(ctx) or (org is not None and kind == org.kind):
        return True
    return kind in MEMBER_KINDS and (org is None or org.kind in MEMBER_KINDS)


def can_move_under(ctx: UserContext, org: Organisation, parent: Organisation | None) -> bool:
    """Whether an edit may give ``org`` this parent: administrators any (cycles aside, see
    ``Organisation.clean``); otherwise the parent it has, or – for a town, welfare agency or
    authority – a parent in the organisation's own region, which the user coordinates."""
    if is_administrator(ctx) or (parent.pk if parent else None) == org.parent_id:
        return True
    if parent is None or org.kind not in MEMBER_KINDS:
        return False
    region_id = org.region_id_or_self
    return parent.region_id_or_self == region_id and region_id in ctx.regions_with_role(
        Role.KIM_COORDINATION
    )
