"""The only door to programme rows (positions, grants, scenarios) for views and the API.

- KIM coordination (and administrators) see and edit the whole programme of their Kreis.
- A town's programme lead and team lead see the Kreis overview (aggregates) and edit the
  positions hosted by their own town.
- Welfare-agency managers and Baustein-3 officers see the positions hosted by their organisation.
- Council members see nothing here (they get reports); strangers get 404.
- Staff records belong to the organisation that employs the person: coordination keeps those of
  the Kreis, a town's programme lead those of the town; anyone else's staff are 404 (D-046).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from kim.accounts.access import UserContext, is_administrator
from kim.accounts.models import Role
from kim.organisations.models import Organisation
from kim.programmes.models import (
    ActualCost,
    AllocationScenario,
    Grant,
    PayrollImport,
    Position,
    StaffMember,
)

TOWN_ROLES = (Role.PROGRAMME_LEAD, Role.TEAM_LEAD)
HOST_ROLES = (Role.TRAEGER_MANAGER, Role.B3_OFFICER)


def _coordinates(ctx: UserContext, region_id: int | None) -> bool:
    return is_administrator(ctx) or (
        region_id is not None and region_id in ctx.regions_with_role(Role.KIM_COORDINATION)
    )


def can_view_overview(ctx: UserContext, region: Organisation) -> bool:
    """The Kreis overview shows aggregates: coordination, admins and the towns' programme leads."""
    return _coordinates(ctx, region.pk) or region.pk in ctx.regions_with_role(*TOWN_ROLES)


def can_manage_programme(ctx: UserContext, region: Organisation) -> bool:
    """Grants, allocation scenarios and every position of the Kreis."""
    return _coordinates(ctx, region.pk)


def can_view_position(ctx: UserContext, position: Position) -> bool:
    if _coordinates(ctx, position.region_id):
        return True
    return position.home_id in ctx.organisations_with_role(*TOWN_ROLES, *HOST_ROLES)


def can_edit_position(ctx: UserContext, position: Position) -> bool:
    if _coordinates(ctx, position.region_id):
        return True
    return position.home_id in ctx.organisations_with_role(Role.PROGRAMME_LEAD)


def can_create_position_at(ctx: UserContext, home: Organisation) -> bool:
    return _coordinates(ctx, home.region_id_or_self) or home.pk in ctx.organisations_with_role(
        Role.PROGRAMME_LEAD
    )


def can_see_staff_names(ctx: UserContext, position: Position) -> bool:
    """Real names of post holders: coordination and the hosting organisation's leads only."""
    return _coordinates(ctx, position.region_id) or position.home_id in ctx.organisations_with_role(
        Role.PROGRAMME_LEAD, Role.TRAEGER_MANAGER
    )


def positions_for_user(ctx: UserContext) -> QuerySet[Position]:
    qs = Position.objects.all()
    if is_administrator(ctx):
        return qs
    regions = ctx.regions_with_role(Role.KIM_COORDINATION)
    homes = ctx.organisations_with_role(*TOWN_ROLES, *HOST_ROLES)
    if not regions and not homes:
        return qs.none()
    # A town's posts placed with a welfare agency stay the town's to see: those whose funds it
    # passes on (pass-through agreements of the partners app, reverse name "agreements").
    towns = ctx.organisations_with_role(*TOWN_ROLES)
    passed_on = Position.objects.filter(agreements__grantor_id__in=towns).values("pk")
    return qs.filter(Q(region_id__in=regions) | Q(home_id__in=homes) | Q(pk__in=passed_on))


def get_position_for_user(ctx: UserContext, code: str) -> Position:
    position = (
        positions_for_user(ctx).select_related("region", "home", "unit").filter(code=code).first()
    )
    if position is None:
        raise Http404("Position not found")
    return position


def get_position_for_editing(ctx: UserContext, code: str) -> Position:
    position = get_position_for_user(ctx, code)
    if not can_edit_position(ctx, position):
        raise PermissionDenied
    return position


def regions_for_user(ctx: UserContext) -> QuerySet[Organisation]:
    """Kreise whose programme overview the user may open."""
    qs = Organisation.objects.filter(kind__in=["kreis", "kreisfreie_stadt"])
    if is_administrator(ctx):
        return qs
    return qs.filter(id__in=ctx.regions_with_role(Role.KIM_COORDINATION, *TOWN_ROLES))


def get_region_for_overview(ctx: UserContext, code: str) -> Organisation:
    region = regions_for_user(ctx).filter(code=code).first()
    if region is None:
        raise Http404("Programme not found")
    return region


def get_region_for_managing(ctx: UserContext, code: str) -> Organisation:
    region = get_region_for_overview(ctx, code)
    if not can_manage_programme(ctx, region):
        raise PermissionDenied
    return region


def get_scenario_for_user(ctx: UserContext, code: str) -> AllocationScenario:
    scenario = AllocationScenario.objects.select_related("region").filter(code=code).first()
    if scenario is None or not can_manage_programme(ctx, scenario.region):
        raise Http404("Scenario not found")
    return scenario


def position_homes_for_user(ctx: UserContext) -> QuerySet[Organisation]:
    """Organisations where the user may create posts: the whole Kreis for coordination
    (Kreis, towns, Träger, authorities), the own town for a programme lead."""
    qs = Organisation.objects.exclude(kind__in=["land", "bezirksregierung", "umbrella"])
    if is_administrator(ctx):
        return qs.order_by("name")
    regions = ctx.regions_with_role(Role.KIM_COORDINATION)
    towns = ctx.organisations_with_role(Role.PROGRAMME_LEAD)
    return qs.filter(Q(id__in=regions) | Q(region_id__in=regions) | Q(id__in=towns)).order_by(
        "name"
    )


def can_manage_staff(ctx: UserContext, staff: StaffMember) -> bool:
    """Staff records belong to their employer: kept by the coordination of its Kreis and by
    the employer's own programme lead – those who edit the employer's posts (D-046)."""
    return _coordinates(ctx, staff.region_id) or staff.employer_id in ctx.organisations_with_role(
        Role.PROGRAMME_LEAD
    )


def staff_for_user(ctx: UserContext) -> QuerySet[StaffMember]:
    """The staff records the user keeps (``can_manage_staff``); everyone else's are hidden."""
    qs = StaffMember.objects.all()
    if is_administrator(ctx):
        return qs
    regions = ctx.regions_with_role(Role.KIM_COORDINATION)
    employers = ctx.organisations_with_role(Role.PROGRAMME_LEAD)
    if not regions and not employers:
        return qs.none()
    return qs.filter(Q(region_id__in=regions) | Q(employer_id__in=employers))


def staff_for_position(ctx: UserContext, position: Position) -> QuerySet[StaffMember]:
    """Who may be put on the post: staff of its employing organisation (its home) that the
    user keeps. Offered by the holder form, so no one else's staff are ever listed."""
    return staff_for_user(ctx).filter(employer_id=position.home_id).order_by("pseudonym")


def get_staff_for_position(ctx: UserContext, position: Position, code: str) -> StaffMember:
    """A staff member of the post's employer, or one who holds or held the post, whose record
    the user keeps; 404 for anyone else's staff, exactly like a code that does not exist."""
    staff = (
        staff_for_user(ctx)
        .filter(Q(employer_id=position.home_id) | Q(incumbencies__position=position))
        .filter(code=code)
        .first()
    )
    if staff is None:
        raise Http404("Staff member not found")
    return staff


def can_use_programme(ctx: UserContext) -> bool:
    """Whether the programme pages appear in the navigation at all."""
    return is_administrator(ctx) or ctx.has_role(Role.KIM_COORDINATION, *TOWN_ROLES, *HOST_ROLES)


# --- actual cost (payroll) and Land payments (D-086) ---------------------------------------------

PAYROLL_ROLES = (Role.PROGRAMME_LEAD, Role.TRAEGER_MANAGER)


def _coordinates_strictly(ctx: UserContext, region_id: int | None) -> bool:
    """The KIM coordination of the Kreis – without the administrators' blanket access: an
    administrator without a coordination role sees no payroll (least privilege, D-086)."""
    return region_id is not None and region_id in ctx.regions_with_role(Role.KIM_COORDINATION)


def can_view_payroll_of(ctx: UserContext, employer: Organisation) -> bool:
    """Actual cost of the posts an organisation hosts: the coordination of its Kreis and the
    organisation's own programme lead (town) or manager (welfare agency). The same rule as
    ``kim.proofs.access.can_view_payroll`` (proofs sits above programmes and cannot be asked)."""
    return _coordinates_strictly(ctx, employer.region_id_or_self) or (
        employer.pk in ctx.organisations_with_role(*PAYROLL_ROLES)
    )


def can_view_payroll(ctx: UserContext, position: Position) -> bool:
    """The post's actual cost rows: coordination of its Kreis, lead of its home (D-086).

    Never case managers, team leads, B3 officers, council members, the data-protection officer
    or administrators without a coordination role."""
    return _coordinates_strictly(ctx, position.region_id) or (
        position.home_id in ctx.organisations_with_role(*PAYROLL_ROLES)
    )


def can_record_cost(ctx: UserContext, position: Position) -> bool:
    """Enter, correct and delete actual cost: whoever may see it (the employer keeps it)."""
    return can_view_payroll(ctx, position)


def payroll_organisations_for_user(ctx: UserContext) -> QuerySet[Organisation]:
    """Employers whose payroll the user may import: every organisation of a coordinated Kreis
    (the Kreis itself included), the own town or welfare agency of a lead."""
    regions = ctx.regions_with_role(Role.KIM_COORDINATION)
    own = ctx.organisations_with_role(*PAYROLL_ROLES)
    if not regions and not own:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        Q(pk__in=regions) | Q(region_id__in=regions) | Q(pk__in=own)
    ).exclude(kind__in=["land", "bezirksregierung", "umbrella"])


def get_payroll_organisation_for_user(ctx: UserContext, code: str) -> Organisation:
    organisation = payroll_organisations_for_user(ctx).filter(code=code).first()
    if organisation is None:
        raise Http404("Organisation not found")
    return organisation


def get_position_for_payroll(ctx: UserContext, code: str) -> Position:
    """A post whose actual cost the user keeps; 404 for everyone else – a reader of the post
    who may not see its payroll learns nothing of it either (no trace, D-086)."""
    position = get_position_for_user(ctx, code)
    if not can_view_payroll(ctx, position):
        raise Http404("Position not found")
    return position


def can_manage_payments(ctx: UserContext, region: Organisation) -> bool:
    """Land payments and proof deadlines of the Kreis' grants: its KIM coordination only."""
    return _coordinates_strictly(ctx, region.pk)


def get_grant_for_managing(ctx: UserContext, code: str) -> Grant:
    """A grant of a Kreis the user coordinates (payments, proof deadline); 404 otherwise."""
    grant = Grant.objects.select_related("recipient").filter(code=code).first()
    if grant is None or not _coordinates_strictly(ctx, grant.recipient_id):
        raise Http404("Grant not found")
    return grant


def costs_for_user(ctx: UserContext, position: Position) -> QuerySet[ActualCost]:
    """The post's actual cost rows for a payroll reader (``can_view_payroll``), else none."""
    if not can_view_payroll(ctx, position):
        return ActualCost.objects.none()
    return ActualCost.objects.filter(position=position)


def get_cost_for_user(ctx: UserContext, position: Position, code: str) -> ActualCost:
    cost = costs_for_user(ctx, position).filter(code=code).first()
    if cost is None:
        raise Http404("Cost row not found")
    return cost


def payroll_imports_for_user(
    ctx: UserContext, organisation: Organisation
) -> QuerySet[PayrollImport]:
    """Past payroll imports of an employer whose payroll the user may import."""
    if not payroll_organisations_for_user(ctx).filter(pk=organisation.pk).exists():
        return PayrollImport.objects.none()
    return PayrollImport.objects.filter(organisation=organisation)


def posts_hosted_by(ctx: UserContext, organisation: Organisation) -> QuerySet[Position]:
    """The posts an employer hosts, for its payroll template (only for its payroll keepers)."""
    if not payroll_organisations_for_user(ctx).filter(pk=organisation.pk).exists():
        return Position.objects.none()
    return Position.objects.filter(home=organisation)
