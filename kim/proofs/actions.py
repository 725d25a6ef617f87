"""Every change to a proof of use (D-088): start, edit, submit, review, release.

Each action runs in one transaction and writes one audit event (``PROOF_*``). The review of an
agreement proof is recorded on the agreement's VN reporting duty as well (through
``kim.partners.actions``: receipt on submission, review result with the reclaim check), so the
deadlines view and the agreement page agree with the proof page.

Due dates:

- Land proof: the earliest ``Grant.proof_due_on`` of the Kreis' grants of the year.
- Agreement proof: the due date of the agreement's VN reporting duty for the year when there is
  one; otherwise the end of the agreement's period within the year plus the Kreis' grant
  ``proof_due_months`` minus ``RECIPIENT_LEAD_MONTHS`` (a default: the recipient proves to its
  grantor before the grantor proves to the Land). Change the constant to change the default.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kim.audit.models import AuditEvent, EventType
from kim.audit.record import record
from kim.core.formats import euro
from kim.core.locking import lock_version
from kim.core.models import Actor, actor_user, add_months
from kim.organisations.models import Organisation
from kim.partners import actions as partner_actions
from kim.partners.models import Agreement, DutyKind, ReportingDuty, Review
from kim.programmes.models import Grant

from .models import Proof, ProofStatus
from .statement import NoGrant, statement_for

RECIPIENT_LEAD_MONTHS = 3  # default: a recipient's proof is due this many months before the Land's
DEFAULT_PROOF_DUE_MONTHS = 6  # when the Kreis has no grant for the year (Grant's default)
EDIT_FIELDS = ("third_party_funds", "third_party_note", "place")
EDITABLE = (ProofStatus.DRAFT,)
REVIEWABLE = (ProofStatus.SUBMITTED,)
REVIEW_RESULTS = (ProofStatus.ACCEPTED, ProofStatus.QUERIED, ProofStatus.RECLAIM)
_DUTY_REVIEW: dict[str, str] = {
    ProofStatus.ACCEPTED: Review.ACCEPTED,
    ProofStatus.QUERIED: Review.QUERIES,
    ProofStatus.RECLAIM: Review.RECLAIM,
}


def _lock(proof: Proof) -> Proof:
    return Proof.objects.select_for_update().get(pk=proof.pk)


def _event(event: str, proof: Proof, acting_user: Actor, **extra: object) -> None:
    record(
        event,
        actor=acting_user,
        subject=proof,
        organisation=proof.organisation,
        extra={"year": proof.year, "status": proof.status, **extra},
    )


# --- start --------------------------------------------------------------------------------------


@transaction.atomic
def start_land_proof(kreis: Organisation, year: int, *, acting_user: Actor) -> Proof:
    """The Kreis' proof to the Land for ``year``; returns the existing one when started."""
    existing = Proof.objects.filter(organisation=kreis, year=year, agreement=None).first()
    if existing is not None:
        return existing
    grants = list(Grant.objects.filter(recipient=kreis, year=year))
    if not grants:
        raise NoGrant(year)
    proof = Proof.objects.create(
        region=kreis,
        organisation=kreis,
        year=year,
        due_on=min(g.proof_due_on for g in grants),
        created_by=actor_user(acting_user),
    )
    _event(EventType.PROOF_CREATED, proof, acting_user, kind="land")
    return proof


def vn_duty_for(agreement: Agreement, year: int) -> ReportingDuty | None:
    """The agreement's VN reporting duty for ``year``: the earliest one due after the end of
    the year's part of the period and before the end of the next year, not used by another
    proof."""
    covered_end = min(agreement.period_end, dt.date(year, 12, 31))
    used = Proof.objects.filter(duty__isnull=False).exclude(agreement=agreement, year=year)
    return (
        ReportingDuty.objects.filter(
            agreement=agreement,
            kind=DutyKind.VERWENDUNGSNACHWEIS,
            due_on__gte=covered_end,
            due_on__lte=dt.date(year + 1, 12, 31),
        )
        .exclude(pk__in=used.values("duty_id"))
        .order_by("due_on", "id")
        .first()
    )


def default_due_on(agreement: Agreement, year: int) -> dt.date:
    """End of the agreement's period within the year + the Kreis' grant months − the lead."""
    months = min(
        Grant.objects.filter(recipient_id=agreement.region_id, year=year).values_list(
            "proof_due_months", flat=True
        ),
        default=DEFAULT_PROOF_DUE_MONTHS,
    )
    covered_end = min(agreement.period_end, dt.date(year, 12, 31))
    return add_months(covered_end, max(0, months - RECIPIENT_LEAD_MONTHS))


def proof_years(agreement: Agreement, today: dt.date) -> list[int]:
    """The years of the agreement that have ended or are running (newest first)."""
    last = min(agreement.period_end.year, today.year)
    return list(range(last, agreement.period_start.year - 1, -1))


@transaction.atomic
def start_agreement_proof(agreement: Agreement, year: int, *, acting_user: Actor) -> Proof:
    """The recipient's proof to the grantor for ``year``; returns the existing one."""
    existing = Proof.objects.filter(agreement=agreement, year=year).first()
    if existing is not None:
        return existing
    if year not in proof_years(agreement, timezone.localdate()):
        raise ValidationError(
            _("A proof can only be started for a year of the agreement that has begun.")
        )
    duty = vn_duty_for(agreement, year)
    proof = Proof.objects.create(
        region_id=agreement.region_id,
        organisation_id=agreement.recipient_id,
        year=year,
        agreement=agreement,
        duty=duty,
        due_on=duty.due_on if duty is not None else default_due_on(agreement, year),
        created_by=actor_user(acting_user),
    )
    _event(EventType.PROOF_CREATED, proof, acting_user, kind="agreement")
    return proof


# --- edit ---------------------------------------------------------------------------------------


def proof_field_labels() -> dict[str, str]:
    return {f: str(getattr(Proof._meta.get_field(f), "verbose_name", f)) for f in EDIT_FIELDS}


@transaction.atomic
def update_proof(
    proof: Proof,
    *,
    acting_user: Actor,
    version: int,
    third_party_funds: Decimal,
    third_party_note: str,
    place: str,
) -> Proof:
    """The preparer's own data: third-party funds, from whom, place (optimistic locking)."""
    current = lock_version(
        Proof, proof.pk, version, fields=EDIT_FIELDS, labels=proof_field_labels()
    )
    if current.status not in EDITABLE:
        raise ValidationError(_("Only a draft can be changed."))
    if third_party_funds < 0:
        raise ValidationError({"third_party_funds": _("The amount must not be negative.")})
    if third_party_funds and not third_party_note.strip():
        raise ValidationError({"third_party_note": _("Say from whom the third-party funds come.")})
    changes = {
        "third_party_funds": third_party_funds,
        "third_party_note": third_party_note.strip(),
        "place": place.strip(),
    }
    changed = sorted(f for f, v in changes.items() if getattr(current, f) != v)
    if not changed:
        return current
    for name in changed:
        setattr(current, name, changes[name])
    current.version += 1
    current.full_clean()
    current.save()
    _event(EventType.PROOF_UPDATED, current, acting_user, fields=changed)
    return current


def last_editor_id(proof: Proof) -> int | None:
    """Who last started or changed the proof (from the audit trail)."""
    event = (
        AuditEvent.objects.filter(
            subject_code=proof.code,
            event_type__in=[EventType.PROOF_CREATED, EventType.PROOF_UPDATED],
        )
        .order_by("-created_at", "-id")
        .values_list("actor_id", flat=True)
        .first()
    )
    return event


# --- submit and review (agreement proofs) -------------------------------------------------------


@transaction.atomic
def submit_proof(proof: Proof, *, acting_user: Actor) -> Proof:
    """Freeze the figures and hand the proof to the grantor; marks the VN duty received.

    A queried proof goes back to draft when the preparer changes it (``reopen_proof``) or is
    submitted again directly; either way the figures are frozen anew.
    """
    current = _lock(proof)
    if current.agreement_id is None:
        raise ValidationError(_("The proof to the Land is released, not submitted."))
    if current.status not in (ProofStatus.DRAFT, ProofStatus.QUERIED):
        raise ValidationError(_("This proof has already been submitted."))
    resubmitted = current.status == ProofStatus.QUERIED
    current.figures = statement_for(current).figures()
    current.status = ProofStatus.SUBMITTED
    current.submitted_at = timezone.now()
    current.submitted_by = actor_user(acting_user)
    current.version += 1
    current.save()
    if current.duty_id is not None:
        duty = ReportingDuty.objects.get(pk=current.duty_id)
        if duty.received_on is None:
            received = max(timezone.localdate(), duty.agreement.period_start)
            partner_actions.record_report_received(
                duty, acting_user=acting_user, received_on=received
            )
    _event(EventType.PROOF_SUBMITTED, current, acting_user, resubmitted=resubmitted)
    return current


@transaction.atomic
def reopen_proof(proof: Proof, *, acting_user: Actor) -> Proof:
    """A queried proof back to draft so that the preparer can change it and submit again."""
    current = _lock(proof)
    if current.status != ProofStatus.QUERIED:
        raise ValidationError(_("Only a queried proof can be reopened."))
    current.status = ProofStatus.DRAFT
    current.version += 1
    current.save()
    _event(EventType.PROOF_UPDATED, current, acting_user, fields=["status"])
    return current


def _review_on_duty(
    proof: Proof, acting_user: Actor, result: str, note: str, reclaim_amount: Decimal | None
) -> None:
    """Record the review on the VN duty (``record_review`` checks reclaim ≤ paid); without a
    duty the same check here."""
    if proof.duty_id is None:
        assert proof.agreement is not None
        paid = partner_actions.paid_total(proof.agreement)
        if reclaim_amount is not None and reclaim_amount > paid:
            raise ValidationError(
                {
                    "reclaim_amount": _(
                        "The reclaim of %(amount)s exceeds the %(paid)s paid so far."
                    )
                    % {"amount": euro(reclaim_amount), "paid": euro(paid)}
                }
            )
        return
    duty = ReportingDuty.objects.get(pk=proof.duty_id)
    if duty.received_on is None:
        partner_actions.record_report_received(
            duty,
            acting_user=acting_user,
            received_on=max(timezone.localdate(), duty.agreement.period_start),
        )
    partner_actions.record_review(
        duty,
        acting_user=acting_user,
        review=_DUTY_REVIEW[result],
        reclaim_amount=reclaim_amount,
        note=note[:500],
    )


@transaction.atomic
def review_proof(
    proof: Proof,
    *,
    acting_user: Actor,
    result: str,
    note: str = "",
    reclaim_amount: Decimal | None = None,
) -> Proof:
    """The grantor's review: accepted, queried (a reason is required) or a reclaim (an amount
    up to what was paid – checked by ``record_review`` on the VN duty)."""
    current = _lock(proof)
    if current.agreement_id is None:
        raise ValidationError(_("The proof to the Land is released, not reviewed."))
    if current.status not in REVIEWABLE:
        raise ValidationError(_("Only a submitted proof can be reviewed."))
    if result not in REVIEW_RESULTS:
        raise ValidationError({"result": _("Choose a review result.")})
    note = note.strip()
    if result == ProofStatus.QUERIED and not note:
        raise ValidationError({"note": _("Say what is unclear: a query needs a reason.")})
    if result != ProofStatus.RECLAIM:
        reclaim_amount = None
    elif reclaim_amount is None or reclaim_amount <= 0:
        raise ValidationError({"reclaim_amount": _("Enter the amount reclaimed.")})
    _review_on_duty(current, acting_user, result, note, reclaim_amount)
    current.status = result
    current.review_note = note
    current.reclaim_amount = reclaim_amount
    current.reviewed_at = timezone.now()
    current.reviewed_by = actor_user(acting_user)
    current.version += 1
    current.save()
    _event(EventType.PROOF_REVIEWED, current, acting_user, result=result)
    return current


# --- release (Land proof) -----------------------------------------------------------------------


@transaction.atomic
def release_land_proof(proof: Proof, *, acting_user: Actor) -> Proof:
    """Four eyes: a second coordination person – not the one who last changed the proof –
    releases it; the figures are frozen."""
    current = _lock(proof)
    if current.agreement_id is not None:
        raise ValidationError(_("Only the proof to the Land is released."))
    if current.status != ProofStatus.DRAFT:
        raise ValidationError(_("This proof has already been released."))
    user = actor_user(acting_user)
    editor = last_editor_id(current)
    if user is None or editor is None or editor == user.pk:
        raise ValidationError(
            _(
                "Four eyes: the proof must be released by a second person of the coordination, "
                "not by the person who last changed it."
            )
        )
    current.figures = statement_for(current).figures()
    current.status = ProofStatus.RELEASED
    current.submitted_at = timezone.now()
    current.submitted_by = user
    current.version += 1
    current.save()
    _event(EventType.PROOF_RELEASED, current, acting_user)
    return current


# --- downloads ----------------------------------------------------------------------------------


@transaction.atomic
def record_proof_export(proof: Proof, *, acting_user: Actor, fmt: str, post_costs: bool) -> None:
    """A download of the statement (XLSX, DOCX, PDF, JSON) is an audit event."""
    _event(EventType.PROOF_EXPORTED, proof, acting_user, format=fmt, post_costs=post_costs)
