"""Read side of interpreter bookings: cost, the case file's section, the form's choices and
the monthly list with its totals (D-093). Rows come only through ``kim.cases.access``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kim.accounts.access import UserContext
from kim.cases.access import bookings_for_user, can_edit_case, visible_activities
from kim.cases.models import (
    Activity,
    ActivityKind,
    BookingStatus,
    Case,
    Consent,
    ConsentScope,
    InterpreterBooking,
)
from kim.core import languages
from kim.core.models import Actor
from kim.core.rls import system_access
from kim.network.access import can_book_interpreters, interpreter_regions

CENT = Decimal("0.01")


def billable_minutes(booking: InterpreterBooking) -> int:
    """Held: the minutes billed; booked: the planned duration; cancelled: none."""
    if booking.status == BookingStatus.CANCELLED:
        return 0
    if booking.status == BookingStatus.HELD:
        return booking.billed_minutes or 0
    return booking.duration_minutes


def booking_cost(booking: InterpreterBooking) -> Decimal:
    """Rate × minutes / 60, rounded once to cents (half up): held → billed minutes, booked →
    planned duration, cancelled → 0 (a cancellation fee is not modelled)."""
    minutes = Decimal(billable_minutes(booking))
    return (booking.hourly_rate * minutes / Decimal(60)).quantize(CENT, rounding=ROUND_HALF_UP)


# --- the case file ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BookingRow:
    booking: InterpreterBooking
    language: str
    cost: Decimal
    interpreter_readable: bool
    changeable: bool
    begun: bool  # may be recorded as held


def bookings_context(ctx: UserContext, case: Case) -> dict[str, Any]:
    """The case file's interpreter section: upcoming and past bookings (one query)."""
    now = timezone.now()
    editable = can_edit_case(ctx, case)
    readable_regions = interpreter_regions(ctx)
    upcoming: list[BookingRow] = []
    past: list[BookingRow] = []
    bookings = (
        InterpreterBooking.objects.filter(case=case)
        .select_related("interpreter")
        .order_by("starts_at", "id")
    )
    for booking in bookings:
        row = BookingRow(
            booking,
            languages.name(booking.language),
            booking_cost(booking),
            booking.interpreter.region_id in readable_regions,
            editable and booking.status == BookingStatus.BOOKED,
            booking.starts_at <= now,
        )
        if booking.status == BookingStatus.BOOKED and booking.starts_at >= now:
            upcoming.append(row)
        else:
            past.append(row)
    past.reverse()
    return {
        "booking_upcoming": upcoming,
        "booking_past": past,
        "booking_tables": [
            (_("Upcoming appointments with an interpreter"), upcoming, "booking-upcoming"),
            (_("Past and cancelled bookings"), past, "booking-past"),
        ],
        "may_book_interpreter": editable and can_book_interpreters(ctx),
        "may_use_interpreters": can_book_interpreters(ctx),
    }


# --- the booking form ------------------------------------------------------------------------


def default_language(case: Case) -> str | None:
    """The person's first recorded language other than German (catalogue code)."""
    for value in case.person.languages or []:
        code = languages.normalise(str(value))
        if code and code != "de":
            return code
    return None


def consent_choices(case: Case) -> QuerySet[Consent]:
    """Consents a booking may rest on: not revoked, valid today, to disclose or to book a
    freelance interpreter."""
    today = timezone.localdate()
    return (
        Consent.objects.filter(
            person_id=case.person_id,
            scope__in=(ConsentScope.DISCLOSURE, ConsentScope.INTERPRETING),
            revoked_at=None,
            given_on__lte=today,
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .select_related("recipient")
        .order_by("-given_on", "id")
    )


def appointment_choices(ctx: UserContext, case: Case) -> QuerySet[Activity]:
    return (
        visible_activities(ctx, case).filter(kind=ActivityKind.APPOINTMENT).order_by("-occurred_at")
    )


# --- the monthly list ------------------------------------------------------------------------


@dataclass
class Total:
    name: str
    count: int = 0
    minutes: int = 0
    cost: Decimal = field(default_factory=lambda: Decimal("0.00"))

    def add(self, minutes: int, cost: Decimal) -> None:
        self.count += 1
        self.minutes += minutes
        self.cost += cost


@dataclass(frozen=True)
class MonthRow:
    booking: InterpreterBooking
    number: str
    organisation: str
    interpreter: str
    language: str
    minutes: int
    cost: Decimal
    status: str


@dataclass
class MonthList:
    month: dt.date  # first day
    rows: list[MonthRow]
    by_interpreter: list[Total]
    by_organisation: list[Total]
    total: Total

    @property
    def previous(self) -> dt.date:
        return (self.month - dt.timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> dt.date:
        return (self.month + dt.timedelta(days=32)).replace(day=1)


def parse_month(value: str | None, today: dt.date | None = None) -> dt.date:
    """``2026-11`` → 1 November 2026; anything else (or a year outside 2000–2100) → the
    current month."""
    try:
        year, month = (int(part) for part in str(value or "").split("-"))
        if 2000 <= year <= 2100:
            return dt.date(year, month, 1)
    except ValueError:
        pass
    return (today or timezone.localdate()).replace(day=1)


def _bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    following = (month + dt.timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(month, dt.time.min, tzinfo=tz)
    return start, dt.datetime.combine(following, dt.time.min, tzinfo=tz)


def _totals(rows: Iterable[MonthRow], key: str) -> list[Total]:
    totals: dict[str, Total] = {}
    for row in rows:
        name = getattr(row, key)
        totals.setdefault(name, Total(name)).add(row.minutes, row.cost)
    return sorted(totals.values(), key=lambda t: t.name)


def month_list(ctx: UserContext, month: dt.date) -> MonthList:
    """The month's bookings of the cases the user may see, with the person's pseudonymous
    case number only, and totals per interpreter and per organisation (one query)."""
    start, end = _bounds(month)
    bookings = (
        bookings_for_user(ctx)
        .filter(starts_at__gte=start, starts_at__lt=end)
        .select_related("case__person", "case__organisation", "interpreter")
        .only(
            "code",
            "starts_at",
            "language",
            "duration_minutes",
            "billed_minutes",
            "status",
            "hourly_rate",
            "case__code",
            "case__person__number",
            "case__organisation__name",
            "interpreter__name",
            "interpreter__code",
            "interpreter__region_id",
        )
        .order_by("starts_at", "id")
    )
    rows = [
        MonthRow(
            b,
            b.case.person.number,
            b.case.organisation.name,
            b.interpreter.name,
            languages.name(b.language),
            billable_minutes(b),
            booking_cost(b),
            str(BookingStatus(b.status).label),
        )
        for b in bookings
    ]
    total = Total("")
    for row in rows:
        total.add(row.minutes, row.cost)
    return MonthList(
        month, rows, _totals(rows, "interpreter"), _totals(rows, "organisation"), total
    )


def region_month_totals(
    region_ids: frozenset[int], month: dt.date, actor: Actor, *, audit: bool = True
) -> list[Total]:
    """The coordination's view: bookings and cost of the month per organisation of its
    Kreise – sums only, no case row leaves this function. Counting across organisations needs
    the system role on PostgreSQL (``system_access``, audited as ``core.rls_bypassed``; the
    export passes ``audit=False`` because its own ``EXPORT`` event records the reader, and the
    offer of a background export – a GET – must write nothing)."""
    if not region_ids:
        return []
    start, end = _bounds(month)
    with system_access("interpreter cost per organisation", actor=actor, audit=audit):
        bookings = list(
            InterpreterBooking.objects.filter(
                Q(case__organisation__region_id__in=region_ids)
                | Q(case__organisation_id__in=region_ids),
                starts_at__gte=start,
                starts_at__lt=end,
            )
            .select_related("case__organisation")
            .only(
                "status",
                "hourly_rate",
                "duration_minutes",
                "billed_minutes",
                "case__organisation__name",
            )
        )
    totals: dict[str, Total] = {}
    for booking in bookings:
        name = booking.case.organisation.name
        totals.setdefault(name, Total(name)).add(billable_minutes(booking), booking_cost(booking))
    return sorted(totals.values(), key=lambda t: t.name)
