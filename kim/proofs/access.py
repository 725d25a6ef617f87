"""The only door to proofs of use (Verwendungsnachweise) and the payroll figures behind them.

- **Land proof** (the Kreis' proof on its grants, ``agreement`` empty): the KIM coordination of
  the Kreis reads and prepares it; a second coordination member releases it (four eyes).
- **Agreement proof** (a town's or welfare agency's proof to its grantor): the recipient's
  programme lead (town) or manager (welfare agency) prepares and submits it; the grantor
  reviews it – the KIM coordination when the Kreis passed the funds on, the town's programme
  lead when a town passed them on to an agency. The coordination of the Kreis reads every
  submitted proof of its Kreis (it consolidates them); a draft is only its preparer's.
- **Sachbericht** (the narrative part, D-087): whoever prepares the proof edits it; a version
  is released by a second person – another coordination member for the Land proof, another
  preparer of the same organisation for an agreement proof (``can_release_sachbericht``; the
  action checks that the releasing person did not edit last). Readers of a proof who do not
  prepare it (the grantor reviewing a submitted proof, the coordination consolidating) see
  the released versions only.
- Everyone else – council members, the data-protection officer, administrators without a
  coordination role, case managers, team leads – gets 404 (least privilege, D-085).

Payroll figures (actual cost per post and month) are personal data of staff: only the
coordination of the Kreis and the employer's programme lead or agency manager see them
(``can_view_payroll``); a grantor who is neither sees the recipient's totals, not per-post cost.

Starting proofs (D-088): the coordination starts its Kreis' Land proof for a year with grants
(``regions_for_land_proof``); a town's programme lead or an agency's manager starts the proof
for a pass-through agreement its organisation received (``agreements_to_prove``,
``get_agreement_to_prove``). ``payroll_visible_posts`` names the posts of a statement whose
actual cost the user may see.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from kim.accounts.access import UserContext
from kim.accounts.models import Role
from kim.organisations.models import Organisation
from kim.partners.models import Agreement
from kim.programmes.models import Position

from .models import Proof, ProofStatus, Sachbericht, SachberichtRelease

PREPARER_ROLES = (Role.PROGRAMME_LEAD, Role.TRAEGER_MANAGER)


def coordinated_regions(ctx: UserContext) -> frozenset[int]:
    return ctx.regions_with_role(Role.KIM_COORDINATION)


def preparing_organisations(ctx: UserContext) -> frozenset[int]:
    """Organisations whose own proofs the user prepares (town programme lead, agency manager)."""
    return ctx.organisations_with_role(*PREPARER_ROLES)


def can_use_proofs(ctx: UserContext) -> bool:
    """Whether the proof pages exist for the user at all (menu, start page)."""
    return bool(coordinated_regions(ctx) or preparing_organisations(ctx))


def proofs_for_user(ctx: UserContext) -> QuerySet[Proof]:
    regions = coordinated_regions(ctx)
    own = preparing_organisations(ctx)
    if not regions and not own:
        return Proof.objects.none()
    submitted = ~Q(status=ProofStatus.DRAFT)  # a draft is the preparer's own working state
    return Proof.objects.filter(
        Q(region_id__in=regions, agreement__isnull=True)
        | (Q(region_id__in=regions) & submitted)
        | Q(organisation_id__in=own, agreement__isnull=False)
        | (Q(agreement__grantor_id__in=own) & submitted)
    )


def get_proof_for_user(ctx: UserContext, code: str) -> Proof:
    proof = (
        proofs_for_user(ctx)
        .select_related("region", "organisation", "agreement", "agreement__grantor", "duty")
        .filter(code=code)
        .first()
    )
    if proof is None:
        raise Http404("No such proof")
    return proof


def can_prepare(ctx: UserContext, proof: Proof) -> bool:
    """Edit the proof's own data (third-party funds, Sachbericht texts) and submit it."""
    if proof.agreement_id is None:
        return proof.region_id in coordinated_regions(ctx)
    return proof.organisation_id in preparing_organisations(ctx)


def can_review(ctx: UserContext, proof: Proof) -> bool:
    """Accept, query or reclaim a submitted agreement proof: the grantor's side."""
    if proof.agreement is None:
        return False
    grantor = proof.agreement.grantor
    if grantor.pk == proof.region_id:
        return proof.region_id in coordinated_regions(ctx)
    return grantor.pk in ctx.organisations_with_role(Role.PROGRAMME_LEAD)


def can_release(ctx: UserContext, proof: Proof) -> bool:
    """Release the Land proof (the four-eyes check on the person is the action's)."""
    return proof.agreement_id is None and proof.region_id in coordinated_regions(ctx)


def can_release_sachbericht(ctx: UserContext, proof: Proof) -> bool:
    """Release a version of the proof's Sachbericht (four eyes on the person: the action)."""
    if proof.agreement_id is None:
        return can_release(ctx, proof)
    return can_prepare(ctx, proof)


def get_sachbericht_for_preparing(ctx: UserContext, code: str) -> tuple[Proof, Sachbericht | None]:
    """The proof whose Sachbericht draft the user prepares, and the Sachbericht (None: nobody
    has written in it yet); 404 for everybody else, also for readers of the proof."""
    proof = get_proof_for_user(ctx, code)
    if not can_prepare(ctx, proof):
        raise Http404("No such Sachbericht")
    sachbericht = Sachbericht.objects.select_related("last_edited_by").filter(proof=proof).first()
    return proof, sachbericht


def sachbericht_versions(sachbericht: Sachbericht | None) -> QuerySet[SachberichtRelease]:
    """Released versions of a Sachbericht the caller got through this door, newest first,
    without their snapshots."""
    if sachbericht is None:
        return SachberichtRelease.objects.none()
    return (
        SachberichtRelease.objects.filter(sachbericht=sachbericht)
        .select_related("released_by", "drafted_by")
        .defer("snapshot")
        .order_by("-number")
    )


def get_sachbericht_release_for_user(
    ctx: UserContext, code: str, number: int
) -> SachberichtRelease:
    """A released version of the Sachbericht of a proof the user reads; 404 otherwise."""
    proof = get_proof_for_user(ctx, code)
    found = (
        SachberichtRelease.objects.filter(sachbericht__proof=proof, number=number)
        .select_related("sachbericht", "released_by", "drafted_by")
        .first()
    )
    if found is None:
        raise Http404("No such version")
    found.sachbericht.proof = proof
    return found


def latest_sachbericht_number(proof: Proof) -> int | None:
    """The newest released version of a proof's Sachbericht (for a reader of the proof)."""
    return (
        SachberichtRelease.objects.filter(sachbericht__proof=proof)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )


def can_view_payroll(ctx: UserContext, employer: Organisation) -> bool:
    """Actual cost of the posts an organisation hosts: its coordination and its own leads."""
    region = employer.region_id_or_self
    if region is not None and region in coordinated_regions(ctx):
        return True
    return employer.pk in preparing_organisations(ctx)


def regions_for_land_proof(ctx: UserContext) -> QuerySet[Organisation]:
    """Kreise whose Land proof the user may prepare."""
    return Organisation.objects.filter(pk__in=coordinated_regions(ctx)).order_by("name")


def agreements_to_prove(ctx: UserContext) -> QuerySet[Agreement]:
    """Pass-through agreements received by an organisation whose proofs the user prepares."""
    own = preparing_organisations(ctx)
    if not own:
        return Agreement.objects.none()
    return Agreement.objects.filter(recipient_id__in=own).select_related("grantor", "recipient")


def get_agreement_to_prove(ctx: UserContext, code: str) -> Agreement:
    agreement = agreements_to_prove(ctx).filter(code=code).first()
    if agreement is None:
        raise Http404("No such agreement")
    return agreement


def get_region_for_land_proof(ctx: UserContext, code: str) -> Organisation:
    region = regions_for_land_proof(ctx).filter(code=code).first()
    if region is None:
        raise Http404("No such Kreis")
    return region


def payroll_visible_posts(ctx: UserContext, codes: list[str]) -> frozenset[str]:
    """The posts among ``codes`` whose actual cost the user may see (one query)."""
    homes = Position.objects.filter(code__in=codes).select_related("home")
    return frozenset(p.code for p in homes if can_view_payroll(ctx, p.home))
