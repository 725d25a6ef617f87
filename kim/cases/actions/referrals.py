"""Referrals, case conferences, shared documents and case summaries: every one is a disclosure
and goes through the gate of ``kim.cases.actions.consent`` in the same transaction, so there
is no referral, conference or summary without the person's consent (refusals are audited by
``records_refusal``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kim.audit.models import EventType
from kim.audit.record import record
from kim.cases.actions.consent import (
    DEFAULT_LEGAL_BASIS,
    check_disclosure,
    clean_categories,
    records_refusal,
    write_disclosure,
)
from kim.cases.models import (
    Case,
    CaseConference,
    CaseDocument,
    DataCategory,
    Disclosure,
    DisclosureKind,
    Goal,
    Referral,
    ReferralStatus,
)
from kim.core.models import Actor, actor_user
from kim.network.models import Service
from kim.organisations.models import Organisation

# Allowed status moves of a referral (sent → accepted/declined, accepted → completed).
REFERRAL_MOVES: dict[str, tuple[str, ...]] = {
    ReferralStatus.SENT: (ReferralStatus.ACCEPTED, ReferralStatus.DECLINED),
    ReferralStatus.ACCEPTED: (ReferralStatus.COMPLETED,),
    ReferralStatus.DECLINED: (),
    ReferralStatus.COMPLETED: (),
}


def _not_future(day: dt.date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("The date lies in the future.")})


@records_refusal
@transaction.atomic
def send_referral(
    case: Case,
    *,
    acting_user: Actor,
    recipient: Organisation,
    purpose: str,
    categories: Iterable[str],
    sent_on: dt.date,
    goal: Goal | None = None,
    note: str = "",
    service: Service | None = None,
) -> Referral:
    """Refer the person to ``recipient`` (phase 4); the referral is a disclosure (kind REFERRAL).

    ``service``: the service of the directory the person is referred to (D-091) – an entry of
    the case's Kreis, valid on ``sent_on``, offered by ``recipient``."""
    purpose = purpose.strip()
    if not purpose:
        raise ValidationError({"purpose": _("Name the purpose of the referral.")})
    cats = clean_categories(categories)
    _not_future(sent_on, "sent_on")
    if goal is not None and goal.case_id != case.pk:
        raise ValidationError({"goal": _("Choose a goal of this case.")})
    if service is not None:
        _check_service(case, service, recipient, sent_on)
    consent = check_disclosure(case, [recipient], cats, "recipient")[recipient.pk]
    referral = Referral.objects.create(
        case=case,
        recipient=recipient,
        goal=goal,
        service=service,
        purpose=purpose,
        categories=cats,
        sent_on=sent_on,
        status=ReferralStatus.SENT,
        status_changed_on=sent_on,
        note=note.strip() or None,
        created_by=actor_user(acting_user),
    )
    write_disclosure(
        case,
        consent,
        acting_user=acting_user,
        kind=DisclosureKind.REFERRAL,
        categories=cats,
        legal_basis=DEFAULT_LEGAL_BASIS,
        referral=referral,
    )
    return referral


def _check_service(case: Case, service: Service, recipient: Organisation, sent_on: dt.date) -> None:
    if service.region_id != case.organisation.region_id_or_self or not service.is_valid_on(sent_on):
        raise ValidationError(
            {"service": _("Choose a service of the Kreis offered on the day of the referral.")}
        )
    if service.provider_id != recipient.pk:
        raise ValidationError(
            {
                "service": _(
                    "This service is offered by %(provider)s, not by the recipient you chose."
                )
                % {"provider": service.provider.name}
            }
        )


@transaction.atomic
def update_referral_status(
    referral: Referral, *, acting_user: Actor, status: str, on: dt.date
) -> Referral:
    """Record the partner's answer: sent → accepted/declined, accepted → completed."""
    case = referral.case
    if case.is_closed:
        raise ValidationError(_("The case is closed."))
    if status not in REFERRAL_MOVES.get(referral.status, ()):
        raise ValidationError(
            {
                "status": _("A referral that is “%(from)s” cannot become “%(to)s”.")
                % {
                    "from": ReferralStatus(referral.status).label,
                    "to": ReferralStatus(status).label
                    if status in ReferralStatus.values
                    else status,
                }
            }
        )
    _not_future(on, "on")
    if on < referral.status_changed_on:
        raise ValidationError({"on": _("The date lies before the last change of the status.")})
    previous = referral.status
    referral.status, referral.status_changed_on = status, on
    referral.save(update_fields=["status", "status_changed_on"])
    record(
        EventType.REFERRAL_STATUS_CHANGED,
        actor=acting_user,
        subject=referral,
        organisation=case.organisation,
        extra={"case": case.code, "from": previous, "to": status},
    )
    return referral


@records_refusal
@transaction.atomic
def record_conference(
    case: Case,
    *,
    acting_user: Actor,
    held_on: dt.date,
    participants: Iterable[Organisation],
    categories: Iterable[str],
    summary: str = "",
) -> CaseConference:
    """A case conference: one disclosure (kind CONFERENCE) per participating partner; refused
    as a whole when one of them lacks a consent for the categories discussed."""
    _not_future(held_on, "held_on")
    cats = clean_categories(categories)
    partners = sorted(
        {p.pk: p for p in participants if p.pk != case.organisation_id}.values(),
        key=lambda o: o.name,
    )
    if not partners:
        raise ValidationError({"participants": _("Choose at least one partner organisation.")})
    consents = check_disclosure(case, partners, cats, "participants")
    conference = CaseConference.objects.create(
        case=case, held_on=held_on, summary=summary.strip() or None
    )
    conference.participants.set(partners)
    for partner in partners:
        write_disclosure(
            case,
            consents[partner.pk],
            acting_user=acting_user,
            kind=DisclosureKind.CONFERENCE,
            categories=cats,
            legal_basis=DEFAULT_LEGAL_BASIS,
        )
    record(
        EventType.CONFERENCE_RECORDED,
        actor=acting_user,
        subject=conference,
        organisation=case.organisation,
        extra={
            "case": case.code,
            "participants": [p.code for p in partners],
            "categories": cats,
            "summary": bool(summary.strip()),
        },
    )
    return conference


@records_refusal
@transaction.atomic
def share_document(
    case: Case, *, acting_user: Actor, document: CaseDocument, recipient: Organisation
) -> Disclosure:
    """Pass a document of the case file on (kind DOCUMENT, category "documents")."""
    if document.case_id != case.pk:
        raise ValidationError({"document": _("Choose a document of this case.")})
    cats = [DataCategory.DOCUMENTS.value]
    consent = check_disclosure(case, [recipient], cats, "recipient")[recipient.pk]
    return write_disclosure(
        case,
        consent,
        acting_user=acting_user,
        kind=DisclosureKind.DOCUMENT,
        categories=cats,
        legal_basis=DEFAULT_LEGAL_BASIS,
        document=document,
    )


@dataclass(frozen=True)
class CaseSummary:
    disclosure: Disclosure
    pdf: bytes
    filename: str


@records_refusal
@transaction.atomic
def send_case_summary(
    case: Case, *, acting_user: Actor, recipient: Organisation, categories: Iterable[str]
) -> CaseSummary:
    """A PDF with only the consented categories, downloaded by the case manager to pass on;
    the download is the disclosure (kind SUMMARY)."""
    from kim.cases.queries.consent import summary_pdf

    cats = clean_categories(categories)
    consent = check_disclosure(case, [recipient], cats, "recipient")[recipient.pk]
    pdf = summary_pdf(case, recipient, cats)
    disclosure = write_disclosure(
        case,
        consent,
        acting_user=acting_user,
        kind=DisclosureKind.SUMMARY,
        categories=cats,
        legal_basis=DEFAULT_LEGAL_BASIS,
    )
    filename = f"fallzusammenfassung-{case.person.number}-{timezone.localdate():%Y%m%d}.pdf"
    return CaseSummary(disclosure, pdf, filename)
