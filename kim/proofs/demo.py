"""Proof-of-use part of the demo world: funding year 2025 (D-088).

The partners demo covers the years around today; for 2025 this step adds what a proof needs:

- a Weiterleitungsbescheid Kreis → Stadt Siegen 2025 with Siegen's B2 posts (including the two
  placed with Brücke Siegerland) and the B3 post of the Ausländerbehörde Stadt Siegen (funded
  until the merger of the foreigners' authorities on 30.06.2025), four quarterly payments done
  in 2025 and a VN reporting duty;
- on the existing contract Stadt Siegen → Brücke Siegerland (2023–2027): four quarterly payments
  done in 2025 and a VN reporting duty;
- Brücke's proof to Siegen submitted and queried by ``siegen``; Stadt Siegen's proof to the Kreis
  submitted by ``siegen`` and accepted by ``koordination``; the Kreis' Land proof 2025 started.

Amounts follow the partners demo: ``PER_VZE`` × VZÄ per year. Payroll (actual cost) is not
seeded here. Idempotent: does nothing once the Kreis' Land proof 2025 exists.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import User

from kim.organisations.models import Organisation
from kim.partners import actions as partner_actions
from kim.partners.demo import PER_VZE, _agencies
from kim.partners.models import Agreement, AgreementKind, DutyKind, PaymentKind
from kim.programmes.models import Position

from . import actions
from .models import Proof, ProofStatus
from .sachbericht.demo import seed_sachbericht

YEAR = 2025
CENT = Decimal("0.01")
NOTICE_TITLE = "Weiterleitungsbescheid KIM 2025 an die Stadt Siegen (Demo)"
QUARTERS = (dt.date(YEAR, 1, 15), dt.date(YEAR, 4, 15), dt.date(YEAR, 7, 15), dt.date(YEAR, 10, 15))
QUERY_REASON = (
    "Bitte die Personalkosten der zweiten Stelle für November und Dezember belegen und die "
    "Drittmittelangabe ergänzen (Demo)."
)


def _pay_quarterly(agreement: Agreement, user: User, total: Decimal) -> None:
    quarter = (total / 4).quantize(CENT)
    for day in QUARTERS:
        for kind in (PaymentKind.CALL_FOR_FUNDS, PaymentKind.PAYMENT):
            payment = partner_actions.add_payment(
                agreement, acting_user=user, kind=kind, due_on=day, amount=quarter
            )
            partner_actions.mark_payment_done(payment, acting_user=user, done_on=day)


def _notice(kreis: Organisation, siegen: Organisation, brucke: Organisation) -> Agreement:
    coordination = User.objects.get(username="koordination")
    b2 = list(
        Position.objects.filter(region=kreis, baustein="B2", home__in=[siegen, brucke]).order_by(
            "id"
        )
    )
    b3 = list(
        Position.objects.filter(
            region=kreis, baustein="B3", home__name="Ausländerbehörde Stadt Siegen"
        ).order_by("id")
    )
    # B3 only until the merger of the foreigners' authorities (30.06.2025): half a year.
    total = (
        PER_VZE * sum((p.vze for p in b2), Decimal(0))
        + PER_VZE * sum((p.vze for p in b3), Decimal(0)) / 2
    ).quantize(CENT)
    notice = partner_actions.create_agreement(
        acting_user=coordination,
        grantor=kreis,
        recipient=siegen,
        kind=AgreementKind.NOTICE,
        title=NOTICE_TITLE,
        signed_on=dt.date(2024, 12, 10),
        period_start=dt.date(YEAR, 1, 1),
        period_end=dt.date(YEAR, 12, 31),
        amounts=[(YEAR, total, Decimal(0))],
        positions=[*b2, *b3],
    )
    _pay_quarterly(notice, coordination, total)
    partner_actions.add_reporting_duty(
        notice,
        acting_user=coordination,
        kind=DutyKind.VERWENDUNGSNACHWEIS,
        due_on=dt.date(YEAR + 1, 3, 31),
        note="Verwendungsnachweis 2025 (Demo)",
    )
    return notice


def _contract(siegen: Organisation, brucke: Organisation) -> Agreement:
    lead = User.objects.get(username="siegen")
    contract = Agreement.objects.get(grantor=siegen, recipient=brucke)
    vze = sum((p.vze for p in contract.positions.filter(home=brucke)), Decimal(0))
    _pay_quarterly(contract, lead, (PER_VZE * vze).quantize(CENT))
    partner_actions.add_reporting_duty(
        contract,
        acting_user=lead,
        kind=DutyKind.VERWENDUNGSNACHWEIS,
        due_on=dt.date(YEAR + 1, 2, 28),
        note="Verwendungsnachweis 2025 (Demo)",
    )
    return contract


def seed_proofs(orgs: dict[str, Organisation]) -> None:
    kreis, siegen = orgs["kreis"], orgs["Siegen"]
    if Proof.objects.filter(organisation=kreis, year=YEAR, agreement=None).exists():
        return
    brucke = _agencies()[0]
    coordination = User.objects.get(username="koordination")
    lead = User.objects.get(username="siegen")
    manager = User.objects.get(username="traeger")
    notice = Agreement.objects.filter(title=NOTICE_TITLE).first() or _notice(kreis, siegen, brucke)
    contract = _contract(siegen, brucke)

    brucke_proof = actions.start_agreement_proof(contract, YEAR, acting_user=manager)
    if brucke_proof.status == ProofStatus.DRAFT:
        actions.submit_proof(brucke_proof, acting_user=manager)
        actions.review_proof(
            brucke_proof, acting_user=lead, result=ProofStatus.QUERIED, note=QUERY_REASON
        )
    siegen_proof = actions.start_agreement_proof(notice, YEAR, acting_user=lead)
    if siegen_proof.status == ProofStatus.DRAFT:
        actions.update_proof(
            siegen_proof,
            acting_user=lead,
            version=siegen_proof.version,
            third_party_funds=Decimal(0),
            third_party_note="",
            place="Siegen",
        )
        siegen_proof.refresh_from_db()
        actions.submit_proof(siegen_proof, acting_user=lead)
        actions.review_proof(siegen_proof, acting_user=coordination, result=ProofStatus.ACCEPTED)
    actions.start_land_proof(kreis, YEAR, acting_user=coordination)


def seed_land_sachbericht(orgs: dict[str, Organisation]) -> None:
    """Demo texts in the Sachbericht of the Kreis' Land proof 2025 (idempotent; released only
    if a second coordination person exists – see ``sachbericht.demo``)."""
    proof = Proof.objects.filter(organisation=orgs["kreis"], year=YEAR, agreement=None).first()
    if proof is not None:
        seed_sachbericht(proof)
