"""Every change to talks, minutes, follow-ups, services, contacts, staffing decisions and
pass-through agreements (amounts, payment schedule, reporting duties, reviews). Calls for
expressions of interest live in ``actions.calls``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kim.audit.models import EventType
from kim.audit.record import record
from kim.core.formats import euro
from kim.core.models import Actor, actor_user
from kim.core.uploads import CheckedFile
from kim.organisations.models import Organisation, OrgKind
from kim.partners.models import (
    Agreement,
    AgreementAmount,
    FollowUp,
    Outcome,
    ParticipantRole,
    Payment,
    ReportingDuty,
    Review,
    StaffingDecision,
    Talk,
    TalkDocument,
    TalkParticipant,
    TraegerContact,
    TraegerService,
)
from kim.programmes.models import Position


def _check_region(region: Organisation, organisations: Iterable[Organisation], field: str) -> None:
    for org in organisations:
        if org.region_id_or_self != region.pk:
            raise ValidationError(
                {field: _("%(org)s does not belong to this Kreis.") % {"org": org.name}}
            )


@transaction.atomic
def record_talk(
    *,
    acting_user: Actor,
    host: Organisation,
    held_on: dt.date,
    format: str,
    topics: str,
    traeger: Iterable[Organisation],
    baustein: str = "",
    positions: Iterable[Position] = (),
    outcome: str = Outcome.OPEN,
    outcome_summary: str = "",
) -> Talk:
    """A talk held by a Kreis or town with one or more welfare agencies."""
    region = host if host.is_region else host.region
    agencies = list(traeger)
    if region is None:
        raise ValidationError({"host": _("The talk must be held by a Kreis or a town.")})
    if not agencies:
        raise ValidationError({"traeger": _("Name at least one welfare agency that took part.")})
    if any(a.kind != OrgKind.TRAEGER for a in agencies):
        raise ValidationError({"traeger": _("Only welfare agencies can be named here.")})
    _check_region(region, agencies, "traeger")
    positions = list(positions)
    if any(p.region_id != region.pk for p in positions):
        raise ValidationError({"positions": _("The positions must belong to this Kreis.")})
    talk = Talk(
        region=region,
        host=host,
        held_on=held_on,
        format=format,
        topics=topics,
        baustein=baustein,
        outcome=outcome,
        outcome_summary=outcome_summary,
        created_by=actor_user(acting_user),
    )
    talk.full_clean(exclude=["created_by"])  # None for system jobs (seed, imports)
    talk.save()
    talk.positions.set(positions)
    TalkParticipant.objects.create(talk=talk, organisation=host, role=ParticipantRole.HOST)
    for agency in agencies:
        TalkParticipant.objects.create(talk=talk, organisation=agency, role=ParticipantRole.TRAEGER)
    record(
        EventType.TALK_RECORDED,
        actor=acting_user,
        subject=talk,
        organisation=host,
        extra={"traeger": sorted(a.code for a in agencies), "outcome": outcome},
    )
    return talk


@transaction.atomic
def record_outcome(
    talk: Talk, *, acting_user: Actor, expected_version: int, outcome: str, outcome_summary: str
) -> Talk:
    current = Talk.objects.select_for_update().get(pk=talk.pk)
    if current.version != expected_version:
        raise ValidationError(
            _(
                "This talk was changed by someone else in the meantime. "
                "Please reload the page and enter your changes again."
            )
        )
    current.outcome, current.outcome_summary = outcome, outcome_summary
    current.full_clean(exclude=["created_by"])
    current.version += 1
    current.save(update_fields=["outcome", "outcome_summary", "version"])
    record(
        EventType.TALK_OUTCOME_RECORDED,
        actor=acting_user,
        subject=current,
        organisation=current.host,
        extra={"outcome": outcome},
    )
    return current


@transaction.atomic
def attach_minutes(talk: Talk, *, acting_user: Actor, checked: CheckedFile) -> TalkDocument:
    """Store already checked minutes (see ``uploads.check_document``) under MEDIA_ROOT."""
    document = TalkDocument(talk=talk)
    document.store(checked, uploaded_by=actor_user(acting_user))
    record(
        EventType.TALK_MINUTES_ATTACHED,
        actor=acting_user,
        subject=talk,
        organisation=talk.host,
        extra={"document": document.code, "size": checked.size},
    )
    return document


def record_minutes_download(document: TalkDocument, *, acting_user: Actor) -> None:
    """Reading minutes is a disclosure of their content: an audit event (own transaction)."""
    record(
        EventType.TALK_MINUTES_READ,
        actor=acting_user,
        subject=document.talk,
        organisation=document.talk.host,
        extra={"document": document.code},
    )


@transaction.atomic
def add_follow_up(
    talk: Talk, *, acting_user: Actor, title: str, owner: User, due: dt.date
) -> FollowUp:
    if due < talk.held_on:
        raise ValidationError({"due": _("The due date lies before the talk.")})
    task = FollowUp(talk=talk, title=title, owner=owner, due=due)
    task.full_clean()
    task.save()
    record(
        EventType.FOLLOW_UP_ADDED,
        actor=acting_user,
        subject=task,
        organisation=talk.host,
        extra={"due": due.isoformat()},
    )
    return task


@transaction.atomic
def complete_follow_up(task: FollowUp, *, acting_user: Actor) -> FollowUp:
    if task.done_at is None:
        task.done_at = timezone.now()
        task.save(update_fields=["done_at"])
        record(
            EventType.FOLLOW_UP_DONE, actor=acting_user, subject=task, organisation=task.talk.host
        )
    return task


@transaction.atomic
def add_service(
    traeger: Organisation,
    *,
    acting_user: Actor,
    kind: str,
    description: str = "",
    towns: Iterable[Organisation] = (),
) -> TraegerService:
    towns = list(towns)
    region = traeger.region
    if region is not None:
        _check_region(region, towns, "towns")
    service = TraegerService(traeger=traeger, kind=kind, description=description)
    service.full_clean()
    service.save()
    service.towns.set(towns)
    record(
        EventType.TRAEGER_SERVICE_ADDED,
        actor=acting_user,
        subject=service,
        organisation=traeger,
        extra={"kind": kind},
    )
    return service


@transaction.atomic
def add_contact(
    traeger: Organisation,
    *,
    acting_user: Actor,
    role: str,
    office_email: str = "",
    office_phone: str = "",
) -> TraegerContact:
    contact = TraegerContact(
        traeger=traeger, role=role, office_email=office_email, office_phone=office_phone
    )
    contact.full_clean()
    contact.save()
    record(
        EventType.TRAEGER_CONTACT_ADDED, actor=acting_user, subject=contact, organisation=traeger
    )
    return contact


@transaction.atomic
def record_staffing_decision(
    position: Position,
    *,
    acting_user: Actor,
    decided_on: dt.date,
    employer_type: str,
    rationale: str,
    traeger: Organisation | None = None,
    tasks: str = "",
    decided_by: str = "",
) -> StaffingDecision:
    """The answer to "city staff or Träger, and which tasks?" for one post, dated."""
    if employer_type == "traeger" and traeger is None:
        raise ValidationError({"traeger": _("Name the welfare agency that fills the post.")})
    if employer_type == "municipal" and traeger is not None:
        raise ValidationError(
            {"traeger": _("A post filled by municipal staff has no welfare agency.")}
        )
    if traeger is not None:
        _check_region(position.region, [traeger], "traeger")
    last = StaffingDecision.objects.filter(position=position).order_by("-decided_on", "-id").first()
    if last is not None and decided_on < last.decided_on:
        raise ValidationError(
            {
                "decided_on": _("A later decision for this post exists (%(date)s).")
                % {"date": last.decided_on.strftime("%d.%m.%Y")}
            }
        )
    decision = StaffingDecision(
        position=position,
        decided_on=decided_on,
        employer_type=employer_type,
        traeger=traeger,
        rationale=rationale,
        tasks=tasks,
        decided_by=decided_by,
        recorded_by=actor_user(acting_user),
    )
    decision.full_clean(exclude=["recorded_by"])  # None for system jobs (seed, imports)
    decision.save()
    record(
        EventType.STAFFING_DECIDED,
        actor=acting_user,
        subject=position,
        organisation=position.home,
        extra={"employer_type": employer_type, "decided_on": decided_on.isoformat()},
    )
    return decision


# --- pass-through agreements ---------------------------------------------------------------


def _check_parties(grantor: Organisation, recipient: Organisation) -> Organisation:
    """Kreis → town, or Kreis/town → welfare agency of the same region; returns the region."""
    region = grantor if grantor.is_region else grantor.region
    if region is None or grantor.kind not in (
        OrgKind.KREIS,
        OrgKind.KREISFREIE_STADT,
        OrgKind.KOMMUNE,
    ):
        raise ValidationError({"grantor": _("Funds are passed on by a Kreis or a town.")})
    allowed = [OrgKind.TRAEGER]
    if grantor.is_region:
        allowed.append(OrgKind.KOMMUNE)
    if recipient.kind not in allowed or recipient.pk == grantor.pk:
        raise ValidationError(
            {"recipient": _("The recipient must be a town of the Kreis or a welfare agency.")}
        )
    _check_region(region, [recipient], "recipient")
    return region


@transaction.atomic
def create_agreement(
    *,
    acting_user: Actor,
    grantor: Organisation,
    recipient: Organisation,
    kind: str,
    title: str,
    signed_on: dt.date,
    period_start: dt.date,
    period_end: dt.date,
    amounts: Iterable[tuple[int, Decimal, Decimal]],
    conditions: str = "",
    positions: Iterable[Position] = (),
) -> Agreement:
    """A contract or notice passing funds on, with (year, amount, top-up) lines and posts."""
    region = _check_parties(grantor, recipient)
    if period_end < period_start:
        raise ValidationError({"period_end": _("The period ends before it starts.")})
    lines = list(amounts)
    if not lines:
        raise ValidationError({"amounts": _("Enter at least one amount per year.")})
    years = [year for year, _amount, _top_up in lines]
    if len(set(years)) != len(years):
        raise ValidationError({"amounts": _("Each year may appear only once.")})
    for year, amount, top_up in lines:
        if not period_start.year <= year <= period_end.year:
            raise ValidationError(
                {"amounts": _("The year %(year)s lies outside the period.") % {"year": year}}
            )
        if amount < 0 or top_up < 0:
            raise ValidationError(
                {"amounts": _("The amounts for %(year)s must not be negative.") % {"year": year}}
            )
    positions = list(positions)
    if any(p.region_id != region.pk for p in positions):
        raise ValidationError({"positions": _("The positions must belong to this Kreis.")})
    agreement = Agreement(
        region=region,
        grantor=grantor,
        recipient=recipient,
        kind=kind,
        title=title,
        signed_on=signed_on,
        period_start=period_start,
        period_end=period_end,
    )
    if conditions:
        agreement.conditions = conditions
    agreement.full_clean()
    agreement.save()
    agreement.positions.set(positions)
    for year, amount, top_up in sorted(lines):
        line = AgreementAmount(agreement=agreement, year=year, amount=amount, top_up=top_up)
        line.full_clean()
        line.save()
    record(
        EventType.AGREEMENT_CREATED,
        actor=acting_user,
        subject=agreement,
        organisation=grantor,
        extra={"recipient": recipient.code, "kind": kind, "years": sorted(years)},
    )
    return agreement


def _lock(agreement: Agreement) -> Agreement:
    return Agreement.objects.select_for_update().get(pk=agreement.pk)


@transaction.atomic
def add_payment(
    agreement: Agreement, *, acting_user: Actor, kind: str, due_on: dt.date, amount: Decimal
) -> Payment:
    """A call for funds or payment; per year, each kind stays within amount + top-up."""
    _lock(agreement)
    if amount <= 0:
        raise ValidationError({"amount": _("The amount must be greater than zero.")})
    if not agreement.period_start <= due_on:
        raise ValidationError({"due_on": _("The date lies before the period.")})
    line = AgreementAmount.objects.filter(agreement=agreement, year=due_on.year).first()
    if line is None:
        raise ValidationError(
            {"due_on": _("No amount is agreed for %(year)s.") % {"year": due_on.year}}
        )
    earlier = sum(
        (
            p.amount
            for p in Payment.objects.filter(
                agreement=agreement, kind=kind, due_on__year=due_on.year
            )
        ),
        Decimal(0),
    )
    if earlier + amount > line.total:
        raise ValidationError(
            {
                "amount": _(
                    "The amounts don't add up for %(year)s: %(earlier)s already scheduled plus "
                    "%(amount)s exceed the agreed %(total)s (amount plus top-up)."
                )
                % {
                    "year": due_on.year,
                    "earlier": euro(earlier),
                    "amount": euro(amount),
                    "total": euro(line.total),
                }
            }
        )
    payment = Payment(agreement=agreement, kind=kind, due_on=due_on, amount=amount)
    payment.full_clean()
    payment.save()
    record(
        EventType.AGREEMENT_PAYMENT_ADDED,
        actor=acting_user,
        subject=payment,
        organisation=agreement.grantor,
        extra={"kind": kind, "due_on": due_on.isoformat(), "amount": str(amount)},
    )
    return payment


@transaction.atomic
def mark_payment_done(payment: Payment, *, acting_user: Actor, done_on: dt.date) -> Payment:
    current = Payment.objects.select_for_update().select_related("agreement").get(pk=payment.pk)
    if current.done_on is not None:
        raise ValidationError({"done_on": _("This has already been marked as done.")})
    if done_on < current.agreement.signed_on:
        raise ValidationError({"done_on": _("The date lies before the agreement was signed.")})
    current.done_on = done_on
    current.save(update_fields=["done_on"])
    record(
        EventType.AGREEMENT_PAYMENT_DONE,
        actor=acting_user,
        subject=current,
        organisation=current.agreement.grantor,
        extra={"done_on": done_on.isoformat()},
    )
    return current


@transaction.atomic
def add_reporting_duty(
    agreement: Agreement, *, acting_user: Actor, kind: str, due_on: dt.date, note: str = ""
) -> ReportingDuty:
    """A report the recipient owes; it falls due inside or after the period."""
    if due_on < agreement.period_start:
        raise ValidationError({"due_on": _("A report cannot be due before the period starts.")})
    duty = ReportingDuty(agreement=agreement, kind=kind, due_on=due_on, note=note)
    duty.full_clean()
    duty.save()
    record(
        EventType.REPORTING_DUTY_ADDED,
        actor=acting_user,
        subject=duty,
        organisation=agreement.grantor,
        extra={"kind": kind, "due_on": due_on.isoformat()},
    )
    return duty


@transaction.atomic
def record_report_received(
    duty: ReportingDuty, *, acting_user: Actor, received_on: dt.date
) -> ReportingDuty:
    current = ReportingDuty.objects.select_for_update().select_related("agreement").get(pk=duty.pk)
    if current.received_on is not None:
        raise ValidationError({"received_on": _("The receipt has already been recorded.")})
    if received_on < current.agreement.period_start:
        raise ValidationError({"received_on": _("The date lies before the period.")})
    current.received_on = received_on
    current.save(update_fields=["received_on"])
    record(
        EventType.REPORT_RECEIVED,
        actor=acting_user,
        subject=current,
        organisation=current.agreement.grantor,
        extra={"received_on": received_on.isoformat()},
    )
    return current


def paid_total(agreement: Agreement) -> Decimal:
    """What has actually been paid out under the agreement."""
    return sum(
        (
            p.amount
            for p in Payment.objects.filter(
                agreement=agreement, kind="payment", done_on__isnull=False
            )
        ),
        Decimal(0),
    )


@transaction.atomic
def record_review(
    duty: ReportingDuty,
    *,
    acting_user: Actor,
    review: str,
    reclaim_amount: Decimal | None = None,
    note: str = "",
) -> ReportingDuty:
    """Accepted, queries or a reclaim (with an amount up to what has been paid)."""
    current = ReportingDuty.objects.select_for_update().select_related("agreement").get(pk=duty.pk)
    if current.received_on is None:
        raise ValidationError(_("A report can only be reviewed once it has been received."))
    if review == Review.PENDING:
        raise ValidationError({"review": _("Choose a review result.")})
    if review == Review.RECLAIM:
        paid = paid_total(current.agreement)
        if reclaim_amount is None or reclaim_amount <= 0:
            raise ValidationError({"reclaim_amount": _("Enter the amount reclaimed.")})
        if reclaim_amount > paid:
            raise ValidationError(
                {
                    "reclaim_amount": _(
                        "The reclaim of %(amount)s exceeds the %(paid)s paid so far."
                    )
                    % {"amount": euro(reclaim_amount), "paid": euro(paid)}
                }
            )
    elif reclaim_amount is not None:
        raise ValidationError({"reclaim_amount": _("Only a reclaim has an amount.")})
    current.review, current.reclaim_amount = review, reclaim_amount
    if note:
        current.note = note
    current.full_clean()
    current.save(update_fields=["review", "reclaim_amount", "note"])
    record(
        EventType.REPORT_REVIEWED,
        actor=acting_user,
        subject=current,
        organisation=current.agreement.grantor,
        extra={"review": review, "reclaim_amount": str(reclaim_amount or "")},
    )
    return current
