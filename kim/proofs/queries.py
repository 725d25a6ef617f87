"""Read side of the proof pages: the list with its filters and what the user may start."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from kim.accounts.access import UserContext
from kim.organisations.models import Organisation
from kim.partners.models import Agreement
from kim.programmes.models import Grant

from .access import (
    agreements_to_prove,
    can_review,
    coordinated_regions,
    preparing_organisations,
    proofs_for_user,
    regions_for_land_proof,
)
from .actions import proof_years
from .models import Proof, ProofStatus


@dataclass(frozen=True)
class LandEntry:
    """A Kreis' year with grants: its Land proof, or the place to start it."""

    kreis: Organisation
    year: int
    due_on: dt.date
    proof: Proof | None


@dataclass(frozen=True)
class AgreementEntry:
    """A received agreement's year without a proof yet: "Nachweis beginnen"."""

    agreement: Agreement
    year: int


def proof_list(
    ctx: UserContext, *, year: int | None = None, status: str = "", organisation: str = ""
) -> QuerySet[Proof]:
    proofs = proofs_for_user(ctx).select_related(
        "organisation", "agreement", "agreement__grantor", "region"
    )
    if year:
        proofs = proofs.filter(year=year)
    if status:
        proofs = proofs.filter(status=status)
    if organisation:
        proofs = proofs.filter(organisation__code=organisation)
    return proofs.order_by("-year", "due_on", "organisation__name", "id")


def land_entries(ctx: UserContext) -> list[LandEntry]:
    """Each Kreis the user coordinates × year with grants, with its Land proof if started
    (two queries)."""
    regions = list(regions_for_land_proof(ctx))
    if not regions:
        return []
    dues: dict[tuple[int, int], dt.date] = {}
    for grant in Grant.objects.filter(recipient__in=regions).only(
        "recipient_id", "year", "period_end", "proof_due_months"
    ):
        key = (grant.recipient_id, grant.year)
        dues[key] = min(dues.get(key, grant.proof_due_on), grant.proof_due_on)
    proofs = {
        (p.organisation_id, p.year): p
        for p in proofs_for_user(ctx).filter(organisation__in=regions, agreement__isnull=True)
    }
    return [
        LandEntry(kreis, year, dues[(kreis.pk, year)], proofs.get((kreis.pk, year)))
        for kreis in regions
        for year in sorted({y for (pk, y) in dues if pk == kreis.pk}, reverse=True)
    ]


def agreement_entries(ctx: UserContext, today: dt.date) -> list[AgreementEntry]:
    """Received agreements × years that have begun, without a proof yet (two queries)."""
    agreements = list(
        agreements_to_prove(ctx).filter(period_start__lte=today).order_by("grantor__name", "id")
    )
    started = set(
        Proof.objects.filter(agreement__in=agreements).values_list("agreement_id", "year")
    )
    return [
        AgreementEntry(agreement, year)
        for agreement in agreements
        for year in proof_years(agreement, today)
        if (agreement.pk, year) not in started
    ]


def filter_choices(ctx: UserContext) -> tuple[list[int], list[tuple[str, str]]]:
    """Years and organisations of the proofs the user sees (one query)."""
    rows = set(proofs_for_user(ctx).values_list("year", "organisation__code", "organisation__name"))
    years = sorted({r[0] for r in rows}, reverse=True)
    orgs = sorted({(r[1], r[2]) for r in rows}, key=lambda o: o[1])
    return years, orgs


def start_card_proofs(ctx: UserContext, today: dt.date) -> tuple[list[Proof], list[Proof]]:
    """For the start card, in one query: the user's own proofs not yet submitted or released
    (draft, queried) due within 60 days or overdue, earliest first; and the submitted
    agreement proofs waiting for the user's review."""
    own = preparing_organisations(ctx)
    regions = coordinated_regions(ctx)
    rows = (
        proofs_for_user(ctx)
        .filter(
            Q(
                status__in=[ProofStatus.DRAFT, ProofStatus.QUERIED],
                due_on__lte=today + dt.timedelta(days=60),
            )
            | Q(status=ProofStatus.SUBMITTED, agreement__isnull=False)
        )
        .select_related("organisation", "agreement__grantor")
        .order_by("due_on", "id")
    )
    to_prepare, to_review = [], []
    for proof in rows:
        if proof.status == ProofStatus.SUBMITTED:
            if can_review(ctx, proof):
                to_review.append(proof)
        elif (proof.agreement_id is None and proof.region_id in regions) or (
            proof.agreement_id is not None and proof.organisation_id in own
        ):
            to_prepare.append(proof)
    return to_prepare, to_review
