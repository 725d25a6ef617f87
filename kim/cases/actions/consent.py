"""Consent (Einwilligung / Schweigepflichtentbindung) and the one disclosure gate.

Personal data leave the case file for another organisation only through ``disclose`` (or the
actions of ``kim.cases.actions.referrals``, which call it): each transfer needs an active consent
of the person for that recipient that covers every category sent (§ 67b Abs. 2 SGB X, § 203
StGB). A refused disclosure is itself an audit event (``DISCLOSURE_REFUSED``):

1. The gate raises ``DisclosureRefused`` (a ``ValidationError`` naming the recipient and the
   reason) inside the action's transaction, so nothing of the refused action is kept.
2. The public actions are wrapped by ``records_refusal``, which catches the exception *after*
   that transaction has been rolled back, writes the refusal event in a transaction of its own
   and raises again. Callers must therefore not wrap a disclosing action in their own
   ``atomic`` block that they roll back, or the refusal record shares that rollback.

Audit events about consents name the consent as subject; disclosures and refusals name the
case. ``extra`` carries organisation codes and category keys only, never personal values.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kim.audit.models import EventType
from kim.audit.record import record
from kim.cases.documents import store_document
from kim.cases.models import (
    Case,
    CaseDocument,
    Consent,
    ConsentDocument,
    ConsentScope,
    DataCategory,
    Disclosure,
    DisclosureKind,
    Person,
    Referral,
)
from kim.core.models import Actor, actor_user
from kim.core.uploads import CheckedFile
from kim.organisations.models import Organisation

DEFAULT_LEGAL_BASIS = "Einwilligung, § 67b Abs. 2 SGB X"
FORM_LANGUAGES = ("de", "en")
# Scopes whose consent stays in the case's own organisation (its recipient is that
# organisation; it allows no disclosure to another one): the Baustein-3 screening and the
# booking of a freelance interpreter commissioned by the organisation (D-093).
OWN_ORGANISATION_SCOPES = (ConsentScope.SCREENING, ConsentScope.INTERPRETING)


def _date(day: dt.date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def category_labels(categories: Iterable[str]) -> str:
    return ", ".join(str(DataCategory(c).label) for c in categories)


def clean_categories(categories: Iterable[str], field: str = "categories") -> list[str]:
    """At least one known data category, in catalogue order, without duplicates."""
    chosen = set(categories)
    if not chosen:
        raise ValidationError({field: _("Choose at least one data category.")})
    unknown = chosen - set(DataCategory.values)
    if unknown:
        raise ValidationError({field: _("Unknown data category: %s.") % ", ".join(sorted(unknown))})
    return [c for c in DataCategory.values if c in chosen]


# --------------------------------------------------------------------------------------------
# Consent
# --------------------------------------------------------------------------------------------


def _recipient_for_scope(case: Case, recipient: Organisation | None, scope: str) -> Organisation:
    if scope not in ConsentScope.values:
        raise ValidationError({"scope": _("Choose what the person consents to.")})
    if scope in OWN_ORGANISATION_SCOPES:
        return case.organisation
    if recipient is None:
        raise ValidationError({"recipient": _("Choose the recipient.")})
    return recipient


def _check_consent_input(
    case: Case, recipient: Organisation, given_on: dt.date, valid_until: dt.date | None
) -> None:
    if recipient.pk == case.organisation_id:
        raise ValidationError(
            {"recipient": _("The case's own organisation needs no consent; choose a partner.")}
        )
    _check_dates(case, given_on, valid_until)


def _check_dates(case: Case, given_on: dt.date, valid_until: dt.date | None) -> None:
    if case.is_closed:
        raise ValidationError(_("The case is closed."))
    if given_on > timezone.localdate():
        raise ValidationError({"given_on": _("The date lies in the future.")})
    if valid_until is not None and valid_until < given_on:
        raise ValidationError(
            {"valid_until": _("The consent cannot end before the day it was given.")}
        )


def _check_duplicate(
    person: Person, recipient: Organisation, purpose: str, cats: list[str], scope: str
) -> None:
    """One consent per scope, recipient, purpose and set of categories (a recipient may have
    several)."""
    others = Consent.objects.filter(
        person=person, recipient=recipient, scope=scope, revoked_at=None
    )
    for other in others:
        if other.purpose.casefold() == purpose.casefold() and set(other.categories) == set(cats):
            raise ValidationError(
                _(
                    "A consent for %(recipient)s with this purpose and these categories "
                    "already exists (given on %(date)s). Revoke it first to record a new one."
                )
                % {"recipient": recipient.name, "date": _date(other.given_on)}
            )


@transaction.atomic
def record_consent(
    case: Case,
    *,
    acting_user: Actor,
    recipient: Organisation | None,
    purpose: str,
    categories: Iterable[str],
    given_on: dt.date,
    valid_until: dt.date | None = None,
    form_language: str = "de",
    signed_form: CheckedFile | None = None,
    scope: str = ConsentScope.DISCLOSURE,
) -> Consent:
    """Record the person's consent for ``recipient`` (optionally with the signed form).

    A consent with scope ``screening`` lets the case's own organisation screen the person's
    residence-law prospects (Baustein 3); one with scope ``interpreting`` lets it book a
    freelance interpreter (D-093). Neither allows a disclosure, so their recipient is always
    the case's own organisation, whatever ``recipient`` says."""
    purpose = purpose.strip()
    if not purpose:
        raise ValidationError({"purpose": _("Name the purpose of the disclosure.")})
    cats = clean_categories(categories)
    recipient = _recipient_for_scope(case, recipient, scope)
    if scope == ConsentScope.DISCLOSURE:
        _check_consent_input(case, recipient, given_on, valid_until)
    else:
        _check_dates(case, given_on, valid_until)
    if form_language not in FORM_LANGUAGES:
        raise ValidationError({"form_language": _("Choose the language of the signed form.")})
    _check_duplicate(case.person, recipient, purpose, cats, scope)
    consent = Consent.objects.create(
        person=case.person,
        recipient=recipient,
        scope=scope,
        purpose=purpose,
        categories=cats,
        given_on=given_on,
        valid_until=valid_until,
        form_language=form_language,
        recorded_by=actor_user(acting_user),
    )
    if signed_form is not None:
        store_document(
            ConsentDocument(consent=consent), signed_form, uploaded_by=actor_user(acting_user)
        )
    record(
        EventType.CONSENT_RECORDED,
        actor=acting_user,
        subject=consent,
        organisation=case.organisation,
        extra={
            "case": case.code,
            "recipient": recipient.code,
            "scope": scope,
            "categories": cats,
            "form_language": form_language,
            "signed_form": signed_form is not None,
            "time_limited": valid_until is not None,
        },
    )
    return consent


@transaction.atomic
def revoke_consent(consent: Consent, *, acting_user: Actor) -> Consent:
    """Revocation takes effect at once: every later disclosure on this consent is refused."""
    locked = Consent.objects.select_for_update().select_related("person").get(pk=consent.pk)
    if locked.revoked_at is not None:
        raise ValidationError(_("This consent has already been revoked."))
    locked.revoked_at = timezone.now()
    locked.revoked_by = actor_user(acting_user)
    locked.save(update_fields=["revoked_at", "revoked_by"])
    consent.revoked_at, consent.revoked_by = locked.revoked_at, locked.revoked_by
    record(
        EventType.CONSENT_REVOKED,
        actor=acting_user,
        subject=consent,
        organisation=locked.person.organisation,
        extra={"recipient": consent.recipient.code, "categories": list(consent.categories)},
    )
    return consent


@transaction.atomic
def record_consent_document_read(
    document: ConsentDocument, *, acting_user: Actor, case: Case
) -> ConsentDocument:
    """A signed consent form was downloaded (reads of personal data are audit events)."""
    record(
        EventType.CASE_DOCUMENT_READ,
        actor=acting_user,
        subject=document,
        organisation=case.organisation,
        extra={"case": case.code, "kind": "consent_form"},
    )
    return document


@transaction.atomic
def record_consent_form_printed(
    case: Case,
    *,
    acting_user: Actor,
    recipient: Organisation,
    categories: list[str],
    language: str,
    fmt: str,
) -> Case:
    record(
        EventType.CONSENT_FORM_PRINTED,
        actor=acting_user,
        subject=case,
        organisation=case.organisation,
        extra={
            "recipient": recipient.code,
            "categories": categories,
            "language": language,
            "format": fmt,
        },
    )
    return case


def active_consent_for(
    person: Person,
    recipient: Organisation,
    categories: Iterable[str],
    at: dt.datetime | None = None,
) -> Consent | None:
    """The person's consent for ``recipient`` that covers all ``categories`` and is active at
    ``at`` (default now): given_on ≤ day ≤ valid_until and not revoked by then."""
    at = at or timezone.now()
    day = timezone.localdate(at)
    wanted = set(categories)
    disclosure_consents = Consent.objects.filter(
        person=person, recipient=recipient, scope=ConsentScope.DISCLOSURE
    )
    for consent in disclosure_consents.order_by("-given_on", "-id"):
        revoked = consent.revoked_at is not None and consent.revoked_at <= at
        if not revoked and consent.is_active_on(day) and consent.covers(wanted):
            return consent
    return None


# --------------------------------------------------------------------------------------------
# The disclosure gate
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """Why one recipient may not receive the data: a reason code and the German message."""

    recipient: Organisation
    categories: list[str]
    reason: str
    message: str
    missing: list[str]


class DisclosureRefused(ValidationError):
    """A ``ValidationError`` that also carries the refusals for the audit trail."""

    def __init__(self, case: Case, refusals: list[Refusal], field: str = "recipient") -> None:
        messages = [r.message for r in refusals]
        target = NON_FIELD_ERRORS if refusals[0].reason == "case_closed" else field
        super().__init__({target: messages})
        self.case = case
        self.refusals = refusals


def _covering_reason(
    covering: list[Consent], recipient: Organisation, day: dt.date
) -> tuple[str, str]:
    """Reason and message when consents covering the categories exist but none is active."""
    name = recipient.name
    revoked = [c for c in covering if c.revoked_at is not None]
    if revoked:
        when = max(timezone.localdate(c.revoked_at) for c in revoked if c.revoked_at)
        return "revoked", _("The consent for %(recipient)s was revoked on %(date)s.") % {
            "recipient": name,
            "date": _date(when),
        }
    expired = [c for c in covering if c.valid_until is not None and c.valid_until < day]
    if expired:
        until = max(c.valid_until for c in expired if c.valid_until)
        return "expired", _("The consent for %(recipient)s expired on %(date)s.") % {
            "recipient": name,
            "date": _date(until),
        }
    first = min(c.given_on for c in covering)
    return "not_yet_valid", _("The consent for %(recipient)s applies only from %(date)s.") % {
        "recipient": name,
        "date": _date(first),
    }


def refusal_for(case: Case, recipient: Organisation, categories: list[str]) -> Refusal | None:
    """None when a disclosure of ``categories`` to ``recipient`` is allowed now; else why not."""
    if case.is_closed:
        message = _("The case is closed; no data may be disclosed any more.")
        return Refusal(recipient, categories, "case_closed", message, [])
    now = timezone.now()
    if active_consent_for(case.person, recipient, categories, at=now) is not None:
        return None
    day = timezone.localdate(now)
    consents = list(
        Consent.objects.filter(
            person=case.person, recipient=recipient, scope=ConsentScope.DISCLOSURE
        )
    )
    active = [c for c in consents if c.is_active_on(day) and c.revoked_at is None]
    if active:
        best = max(active, key=lambda c: len(set(c.categories) & set(categories)))
        missing = [c for c in categories if c not in best.categories]
        message = _(
            "The consent for %(recipient)s does not cover these data categories: %(missing)s."
        ) % {"recipient": recipient.name, "missing": category_labels(missing)}
        return Refusal(recipient, categories, "categories_missing", message, missing)
    covering = [c for c in consents if c.covers(categories)]
    if covering:
        reason, message = _covering_reason(covering, recipient, day)
        return Refusal(recipient, categories, reason, message, [])
    message = _("There is no consent of the person for disclosure to %(recipient)s.") % {
        "recipient": recipient.name
    }
    return Refusal(recipient, categories, "no_consent", message, list(categories))


def check_disclosure(
    case: Case, recipients: Iterable[Organisation], categories: list[str], field: str
) -> dict[int, Consent]:
    """The active consent per recipient, or ``DisclosureRefused`` naming every refusal."""
    consents: dict[int, Consent] = {}
    refusals: list[Refusal] = []
    for recipient in recipients:
        refusal = refusal_for(case, recipient, categories)
        if refusal is not None:
            refusals.append(refusal)
            continue
        consent = active_consent_for(case.person, recipient, categories)
        assert consent is not None
        consents[recipient.pk] = consent
    if refusals:
        raise DisclosureRefused(case, refusals, field)
    return consents


def write_disclosure(
    case: Case,
    consent: Consent,
    *,
    acting_user: Actor,
    kind: str,
    categories: list[str],
    legal_basis: str,
    referral: Referral | None = None,
    document: CaseDocument | None = None,
) -> Disclosure:
    """Store the disclosure row and its audit event (inside the caller's transaction)."""
    disclosure = Disclosure.objects.create(
        case=case,
        consent=consent,
        recipient=consent.recipient,
        kind=kind,
        categories=categories,
        legal_basis=legal_basis,
        disclosed_at=timezone.now(),
        disclosed_by=actor_user(acting_user),
        referral=referral,
        document=document,
    )
    record(
        EventType.DISCLOSURE,
        actor=acting_user,
        subject=case,
        organisation=case.organisation,
        extra={
            "recipient": consent.recipient.code,
            "categories": categories,
            "legal_basis": legal_basis,
            "kind": kind,
            "consent": consent.code,
            # The directory's service a referral names (D-091).
            **({"service": referral.service.code} if referral and referral.service else {}),
        },
    )
    return disclosure


@transaction.atomic
def record_disclosure_refusal(refused: DisclosureRefused, *, acting_user: Actor) -> None:
    """One ``DISCLOSURE_REFUSED`` event per refused recipient, in a transaction of its own."""
    case = refused.case
    for refusal in refused.refusals:
        record(
            EventType.DISCLOSURE_REFUSED,
            actor=acting_user,
            subject=case,
            organisation=case.organisation,
            extra={
                "recipient": refusal.recipient.code,
                "categories": refusal.categories,
                "reason": refusal.reason,
                "missing": refusal.missing,
            },
        )


def records_refusal[**P, R](
    action: Callable[P, R],
) -> Callable[P, R]:
    """Wrap a disclosing action (outside its ``atomic``) so that a refusal is audited even
    though the action's own transaction is rolled back."""

    @functools.wraps(action)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return action(*args, **kwargs)
        except DisclosureRefused as refused:
            actor: Any = kwargs.get("acting_user")
            record_disclosure_refusal(refused, acting_user=actor)
            raise

    return wrapper


@records_refusal
@transaction.atomic
def disclose(
    case: Case,
    *,
    acting_user: Actor,
    recipient: Organisation,
    categories: Iterable[str],
    kind: str,
    legal_basis: str = DEFAULT_LEGAL_BASIS,
    referral: Referral | None = None,
    document: CaseDocument | None = None,
) -> Disclosure:
    """The one gate: disclose ``categories`` of the case to ``recipient`` if the person's active
    consent covers them; otherwise ``DisclosureRefused`` (audited, nothing stored). Who may
    disclose at all (``kim.cases.access.can_disclose``) is checked by the caller."""
    if kind not in DisclosureKind.values:
        raise ValueError(f"Unknown disclosure kind {kind!r}")
    cats = clean_categories(categories)
    consent = check_disclosure(case, [recipient], cats, "recipient")[recipient.pk]
    return write_disclosure(
        case,
        consent,
        acting_user=acting_user,
        kind=kind,
        categories=cats,
        legal_basis=legal_basis,
        referral=referral,
        document=document,
    )
