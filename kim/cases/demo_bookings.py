"""Demo interpreter bookings (demo step 62, after the demo cases and the demo pool): in two
Arabic-speaking demo cases of ``cm-siegen``, with the consents they need (D-093) – a consent
for the demo interpreting service, and a consent to book a freelance interpreter. Some held
in the previous month, one cancelled, two upcoming. Idempotent: nothing happens once a
booking exists."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from kim.cases.actions import bookings, consent
from kim.cases.models import Case, ConsentScope, DataCategory, InterpreterBooking
from kim.network.models import Interpreter
from kim.organisations.models import Organisation


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=timezone.get_current_timezone())


def seed_bookings(kreis: Organisation) -> None:
    if InterpreterBooking.objects.exists():
        return
    user = get_user_model().objects.filter(username="cm-siegen").first()
    pool = {
        i.name: i for i in Interpreter.objects.filter(region=kreis, active=True)
    }  # fmt: skip
    service_interpreter = pool.get("Demo-Dolmetscherin Arabisch")
    freelance = pool.get("Demo-Dolmetscher Kurdisch und Arabisch")
    if user is None or service_interpreter is None or freelance is None:
        return
    cases = [
        c
        for c in Case.objects.filter(responsible=user, closed_on=None)
        .select_related("person", "organisation")
        .order_by("id")
        if "ar" in (c.person.languages or [])
    ][:2]
    if len(cases) < 2:
        return
    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    first, second = cases
    master = [DataCategory.MASTER_DATA]

    # An interpreter of the interpreting service: consent for that organisation.
    assert service_interpreter.organisation is not None
    consent.record_consent(
        first,
        acting_user=user,
        recipient=service_interpreter.organisation,
        purpose="Dolmetschen bei Terminen (Demo)",
        categories=master,
        given_on=last_month - dt.timedelta(days=10),
        valid_until=today + dt.timedelta(days=365),
    )
    for day, minutes, billed in ((3, 60, 60), (17, 60, 75)):
        booking = bookings.book_interpreter(
            first,
            acting_user=user,
            interpreter=service_interpreter,
            language="ar",
            starts_at=_at(last_month + dt.timedelta(days=day), 10),
            duration_minutes=minutes,
            place="Rathaus Siegen, Beratungsraum 2 (Demo)",
        )
        bookings.record_booking_held(
            booking, acting_user=user, expected_version=booking.version, billed_minutes=billed
        )
    bookings.book_interpreter(
        first,
        acting_user=user,
        interpreter=service_interpreter,
        language="ar",
        starts_at=_at(today + dt.timedelta(days=7), 9),
        duration_minutes=90,
    )

    # A freelance interpreter commissioned by the town: the consent to book one.
    consent.record_consent(
        second,
        acting_user=user,
        recipient=None,
        scope=ConsentScope.INTERPRETING,
        purpose="Freiberufliche Dolmetschende für Termine beauftragen (Demo)",
        categories=master,
        given_on=last_month - dt.timedelta(days=5),
    )
    held = bookings.book_interpreter(
        second,
        acting_user=user,
        interpreter=freelance,
        language="ar",
        starts_at=_at(last_month + dt.timedelta(days=8), 14),
        duration_minutes=90,
    )
    bookings.record_booking_held(
        held, acting_user=user, expected_version=held.version, billed_minutes=90
    )
    cancelled = bookings.book_interpreter(
        second,
        acting_user=user,
        interpreter=freelance,
        language="ar",
        starts_at=_at(last_month + dt.timedelta(days=20), 11),
        duration_minutes=60,
    )
    bookings.cancel_booking(
        cancelled,
        acting_user=user,
        expected_version=cancelled.version,
        reason="Termin von der Behörde verschoben (Demo).",
    )
    bookings.book_interpreter(
        second,
        acting_user=user,
        interpreter=freelance,
        language="ar",
        starts_at=_at(today + dt.timedelta(days=14), 10),
        duration_minutes=60,
    )
