"""Interpreter bookings of a case (issue 19, D-093).

Telling an interpreter about an appointment passes the person's data on, so a booking rests
on a consent, checked in the booking's transaction:

- an interpreter **employed by an organisation** (an interpreting service): the person's
  active consent for that organisation (scope "disclosure") covering the categories shared;
  the booking is a disclosure (``Disclosure`` of kind "interpreting", with its audit event);
- a **freelance** interpreter, commissioned by the case's own organisation and bound to
  confidentiality by contract (§ 203 Abs. 3 and 4 StGB): the person's active consent of scope
  "interpreting" (recorded for the case's own organisation) covering those categories.

Without it the booking is refused (``DisclosureRefused`` on the field ``consent``, audited as
``DISCLOSURE_REFUSED`` by ``records_refusal``) and nothing is stored. The categories shared
always include the master data (name and appointment).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kim.audit.models import EventType
from kim.audit.record import record
from kim.cases.actions.consent import (
    DEFAULT_LEGAL_BASIS,
    DisclosureRefused,
    Refusal,
    active_consent_for,
    category_labels,
    clean_categories,
    records_refusal,
    refusal_for,
    write_disclosure,
)
from kim.cases.models import (
    Activity,
    ActivityKind,
    BookingStatus,
    Case,
    Consent,
    ConsentScope,
    DataCategory,
    DisclosureKind,
    InterpreterBooking,
)
from kim.core import languages
from kim.core.locking import lock_version
from kim.core.models import Actor, actor_user
from kim.network.models import Interpreter

MAX_MINUTES = 12 * 60
FIELDS = ("status", "billed_minutes", "cancel_reason")
LABELS = {
    "status": gettext_lazy("Status"),
    "billed_minutes": gettext_lazy("Minutes billed"),
    "cancel_reason": gettext_lazy("Reason for cancelling"),
}


def interpreting_consent(
    case: Case, categories: Iterable[str], at: dt.datetime | None = None
) -> Consent | None:
    """The person's active consent to book a freelance interpreter covering ``categories``."""
    at = at or timezone.now()
    day = timezone.localdate(at)
    wanted = set(categories)
    for consent in Consent.objects.filter(
        person_id=case.person_id, scope=ConsentScope.INTERPRETING
    ).order_by("-given_on", "-id"):
        revoked = consent.revoked_at is not None and consent.revoked_at <= at
        if not revoked and consent.is_active_on(day) and consent.covers(wanted):
            return consent
    return None


def _fits(consent: Consent, case: Case, interpreter: Interpreter, cats: list[str]) -> bool:
    """Whether the chosen consent is one that allows this booking now."""
    now = timezone.now()
    if consent.person_id != case.person_id or consent.revoked_at is not None:
        return False
    if not consent.is_active_on(timezone.localdate(now)) or not consent.covers(set(cats)):
        return False
    if interpreter.organisation_id is not None:
        return (
            consent.scope == ConsentScope.DISCLOSURE
            and consent.recipient_id == interpreter.organisation_id
        )
    return consent.scope == ConsentScope.INTERPRETING


def _refusal(case: Case, interpreter: Interpreter, cats: list[str]) -> Refusal:
    if interpreter.organisation is not None:
        refusal = refusal_for(case, interpreter.organisation, cats)
        if refusal is not None:
            return refusal
        message = _("Choose the consent for %(recipient)s.") % {
            "recipient": interpreter.organisation.name
        }
        return Refusal(interpreter.organisation, cats, "consent_not_chosen", message, [])
    message = _(
        "There is no active consent of the person to book a freelance interpreter that covers "
        "these data categories: %(categories)s. Record one under Consents first."
    ) % {"categories": category_labels(cats)}
    return Refusal(case.organisation, cats, "no_consent", message, list(cats))


def covering_consent(
    case: Case, interpreter: Interpreter, cats: list[str], chosen: Consent | None = None
) -> Consent:
    """The consent the booking rests on (the chosen one if it fits, else the matching one),
    or ``DisclosureRefused`` on the field ``consent``."""
    if case.is_closed:
        raise ValidationError(_("The case is closed."))
    if chosen is not None:
        if _fits(chosen, case, interpreter, cats):
            return chosen
        found = None
    elif interpreter.organisation is not None:
        found = active_consent_for(case.person, interpreter.organisation, cats)
    else:
        found = interpreting_consent(case, cats)
    if found is None:
        raise DisclosureRefused(case, [_refusal(case, interpreter, cats)], "consent")
    return found


def _check(
    case: Case,
    interpreter: Interpreter,
    language: str,
    duration_minutes: int,
    activity: Activity | None,
) -> None:
    if case.is_closed:
        raise ValidationError(_("The case is closed."))
    region_id = case.organisation.region_id_or_self
    if interpreter.region_id != region_id or not interpreter.active:
        raise ValidationError(
            {"interpreter": _("Choose an interpreter of the Kreis' pool who is available.")}
        )
    if language == "de" or languages.get(language) is None:
        raise ValidationError({"language": _("Choose the person's language.")})
    if language not in interpreter.languages:
        raise ValidationError(
            {
                "language": _("%(name)s does not interpret %(language)s.")
                % {"name": interpreter.name, "language": languages.name(language)}
            }
        )
    if not 1 <= duration_minutes <= MAX_MINUTES:
        raise ValidationError(
            {"duration_minutes": _("Enter between 1 and %(max)s minutes.") % {"max": MAX_MINUTES}}
        )
    if activity is not None and (
        activity.case_id != case.pk or activity.kind != ActivityKind.APPOINTMENT
    ):
        raise ValidationError({"activity": _("Choose an appointment of this case.")})


@records_refusal
@transaction.atomic
def book_interpreter(
    case: Case,
    *,
    acting_user: Actor,
    interpreter: Interpreter,
    language: str,
    starts_at: dt.datetime,
    duration_minutes: int,
    categories: Iterable[str] = (DataCategory.MASTER_DATA,),
    consent: Consent | None = None,
    place: str = "",
    activity: Activity | None = None,
) -> InterpreterBooking:
    """Book ``interpreter`` for an appointment of the case. The consent is checked now (the
    appointment itself may lie in the past only for the demo seed; the form refuses it)."""
    _check(case, interpreter, language, duration_minutes, activity)
    cats = clean_categories(categories)
    if DataCategory.MASTER_DATA not in cats:
        raise ValidationError(
            {
                "categories": _(
                    "The interpreter learns the name and the appointment: include the master data."
                )
            }
        )
    rests_on = covering_consent(case, interpreter, cats, consent)
    booking = InterpreterBooking.objects.create(
        case=case,
        interpreter=interpreter,
        language=language,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        place=place.strip() or None,
        activity=activity,
        consent=rests_on,
        shared_categories=cats,
        hourly_rate=interpreter.hourly_rate,
        created_by=actor_user(acting_user),
    )
    if interpreter.organisation_id is not None:
        write_disclosure(
            case,
            rests_on,
            acting_user=acting_user,
            kind=DisclosureKind.INTERPRETING,
            categories=cats,
            legal_basis=DEFAULT_LEGAL_BASIS,
        )
    record(
        EventType.INTERPRETER_BOOKED,
        actor=acting_user,
        subject=booking,
        organisation=case.organisation,
        extra={
            "case": case.code,
            "interpreter": interpreter.code,
            "language": language,
            "categories": cats,
            "consent": rests_on.code,
            "place": bool(booking.place),
        },
    )
    return booking


def _open(booking: InterpreterBooking, expected_version: int) -> InterpreterBooking:
    current = lock_version(
        InterpreterBooking,
        booking.pk,
        expected_version,
        fields=FIELDS,
        labels={k: str(v) for k, v in LABELS.items()},
    )
    if booking.case.is_closed:
        raise ValidationError(_("The case is closed."))
    if current.status != BookingStatus.BOOKED:
        raise ValidationError(
            _("This booking is “%(status)s” and can no longer be changed.")
            % {"status": BookingStatus(current.status).label}
        )
    return current


@transaction.atomic
def cancel_booking(
    booking: InterpreterBooking, *, acting_user: Actor, expected_version: int, reason: str
) -> InterpreterBooking:
    """Cancel a booked interpreter; the reason stays on the booking (not in the audit)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for cancelling.")})
    current = _open(booking, expected_version)
    current.status = BookingStatus.CANCELLED
    current.cancelled_at = timezone.now()
    current.cancelled_by = actor_user(acting_user)
    current.cancel_reason = reason[:300]
    current.version += 1
    current.save()
    record(
        EventType.INTERPRETER_CANCELLED,
        actor=acting_user,
        subject=current,
        organisation=booking.case.organisation,
        extra={"case": booking.case.code, "interpreter": current.interpreter.code},
    )
    return current


@transaction.atomic
def record_booking_held(
    booking: InterpreterBooking, *, acting_user: Actor, expected_version: int, billed_minutes: int
) -> InterpreterBooking:
    """The appointment took place: the minutes the interpreter bills."""
    if not 1 <= billed_minutes <= MAX_MINUTES:
        raise ValidationError(
            {"billed_minutes": _("Enter between 1 and %(max)s minutes.") % {"max": MAX_MINUTES}}
        )
    current = _open(booking, expected_version)
    if current.starts_at > timezone.now():
        raise ValidationError(
            {"billed_minutes": _("The appointment lies in the future; it has not taken place yet.")}
        )
    current.status = BookingStatus.HELD
    current.billed_minutes = billed_minutes
    current.version += 1
    current.save()
    record(
        EventType.INTERPRETER_BOOKING_CHANGED,
        actor=acting_user,
        subject=current,
        organisation=booking.case.organisation,
        extra={
            "case": booking.case.code,
            "status": current.status,
            "billed_minutes": billed_minutes,
        },
    )
    return current
