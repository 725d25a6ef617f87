"""Interpreter bookings (issue 19 point 5, D-093): no booking without a consent that covers
telling the interpreter, cancelling, recording the minutes billed, the cost arithmetic, the
monthly list with its totals and exports, and who sees which bookings."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from kim.accounts.access import load_user_context
from kim.audit.models import AuditEvent, EventType
from kim.cases.actions.bookings import book_interpreter, cancel_booking, record_booking_held
from kim.cases.actions.consent import DisclosureRefused, record_consent
from kim.cases.models import (
    BookingStatus,
    Case,
    ConsentScope,
    DataCategory,
    Disclosure,
    DisclosureKind,
    InterpreterBooking,
)
from kim.cases.queries.bookings import booking_cost
from kim.core import rls
from kim.core.locking import EditConflict
from kim.network.interpreters.actions import record_interpreter
from kim.network.interpreters.demo import SERVICE
from kim.network.models import Interpreter
from kim.organisations.models import Organisation

pytestmark = pytest.mark.django_db

MASTER, HEALTH = DataCategory.MASTER_DATA, DataCategory.HEALTH
TZ = timezone.get_current_timezone()
MONTH = dt.date(2025, 3, 1)  # a month without demo bookings


def _user(name: str = "cm-siegen") -> Any:
    return get_user_model().objects.get(username=name)


def _service_interpreter() -> Interpreter:
    return Interpreter.objects.get(name="Demo-Dolmetscherin Arabisch")


def _freelance() -> Interpreter:
    return Interpreter.objects.get(name="Demo-Dolmetscher Kurdisch und Arabisch")


def _service() -> Organisation:
    return Organisation.objects.get(name=SERVICE)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


def _soon() -> dt.datetime:
    return _at(timezone.localdate() + dt.timedelta(days=5))


def _consent_for_service(case: Case, categories: list[str] | None = None) -> Any:
    return record_consent(
        case,
        acting_user=case.responsible,
        recipient=_service(),
        purpose="Dolmetschen",
        categories=categories or [MASTER],
        given_on=timezone.localdate() - dt.timedelta(days=1),
    )


def _interpreting_consent(case: Case, categories: list[str] | None = None) -> Any:
    return record_consent(
        case,
        acting_user=case.responsible,
        recipient=None,
        scope=ConsentScope.INTERPRETING,
        purpose="Freiberufliche Dolmetschende",
        categories=categories or [MASTER],
        given_on=timezone.localdate() - dt.timedelta(days=1),
    )


def _book(case: Case, interpreter: Interpreter, **kw: Any) -> InterpreterBooking:
    values: dict[str, Any] = {
        "language": "ar",
        "starts_at": _soon(),
        "duration_minutes": 60,
    }
    values.update(kw)
    return book_interpreter(case, acting_user=case.responsible, interpreter=interpreter, **values)


@pytest.fixture
def arabic_case(make_case: Callable[..., Case]) -> Case:
    return make_case("cm-siegen", first_name="Lina", languages=["Arabisch", "Deutsch"])


# --- consent ---------------------------------------------------------------------------------


def test_service_interpreter_needs_a_consent_for_the_service(arabic_case: Case) -> None:
    """Same call, first without and then with the consent: refused and audited, nothing
    stored; then booked with the consent, its categories and one disclosure."""
    with pytest.raises(DisclosureRefused) as refused:
        _book(arabic_case, _service_interpreter())
    assert list(refused.value.message_dict) == ["consent"]
    assert SERVICE in refused.value.message_dict["consent"][0]
    assert not InterpreterBooking.objects.filter(case=arabic_case).exists()
    assert not Disclosure.objects.filter(case=arabic_case).exists()
    refusal = AuditEvent.objects.filter(
        event_type=EventType.DISCLOSURE_REFUSED, subject_code=arabic_case.code
    ).get()
    assert refusal.extra["recipient"] == _service().code
    assert not AuditEvent.objects.filter(event_type=EventType.INTERPRETER_BOOKED).filter(
        extra__case=arabic_case.code
    )

    consent = _consent_for_service(arabic_case)
    booking = _book(arabic_case, _service_interpreter(), place="Rathaus, Raum 2")
    assert booking.consent == consent
    assert booking.shared_categories == [MASTER]
    assert booking.hourly_rate == Decimal("55.00") and booking.status == BookingStatus.BOOKED
    assert booking.place == "Rathaus, Raum 2"
    disclosure = Disclosure.objects.get(case=arabic_case)
    assert disclosure.kind == DisclosureKind.INTERPRETING
    assert disclosure.recipient == _service() and disclosure.consent == consent
    booked = AuditEvent.objects.filter(
        event_type=EventType.INTERPRETER_BOOKED, subject_code=booking.code
    )
    assert booked.count() == 1
    assert booked.get().extra["consent"] == consent.code
    assert "Rathaus" not in str(booked.get().extra)  # no personal values in the audit


def test_freelance_interpreter_needs_the_interpreting_consent(arabic_case: Case) -> None:
    """A consent for the interpreting service does not cover a freelance interpreter."""
    _consent_for_service(arabic_case)
    with pytest.raises(DisclosureRefused) as refused:
        _book(arabic_case, _freelance())
    assert list(refused.value.message_dict) == ["consent"]
    assert not InterpreterBooking.objects.filter(case=arabic_case).exists()
    consent = _interpreting_consent(arabic_case)
    assert consent.recipient == arabic_case.organisation
    booking = _book(arabic_case, _freelance())
    assert booking.consent == consent and booking.hourly_rate == Decimal("62.00")
    # Nothing leaves the organisation: no disclosure row.
    assert not Disclosure.objects.filter(case=arabic_case).exists()


def test_consent_must_cover_every_category_shared(arabic_case: Case) -> None:
    _interpreting_consent(arabic_case, [MASTER])
    with pytest.raises(DisclosureRefused):
        _book(arabic_case, _freelance(), categories=[MASTER, HEALTH])
    with pytest.raises(ValidationError) as exc:
        _book(arabic_case, _freelance(), categories=[HEALTH])
    assert list(exc.value.message_dict) == ["categories"]
    assert not InterpreterBooking.objects.filter(case=arabic_case).exists()


def test_a_chosen_consent_must_fit_the_interpreter(arabic_case: Case) -> None:
    service_consent = _consent_for_service(arabic_case)
    with pytest.raises(DisclosureRefused):
        _book(arabic_case, _freelance(), consent=service_consent)
    assert _book(arabic_case, _service_interpreter(), consent=service_consent).pk


def test_language_and_pool_are_checked(arabic_case: Case) -> None:
    _interpreting_consent(arabic_case)
    with pytest.raises(ValidationError) as exc:
        _book(arabic_case, _freelance(), language="tr")
    assert list(exc.value.message_dict) == ["language"]
    freelance = _freelance()
    freelance.active = False
    freelance.save()
    with pytest.raises(ValidationError) as exc:
        _book(arabic_case, freelance)
    assert list(exc.value.message_dict) == ["interpreter"]


# --- the booking page ------------------------------------------------------------------------


def test_booking_page_defaults_and_refusal_next_to_the_consent(
    arabic_case: Case, login_as: Callable[[str], Client]
) -> None:
    client = login_as("cm-siegen")
    url = f"/fallmanagement/faelle/{arabic_case.code}/dolmetschen/neu/"
    form = client.get(url).context["form"]
    assert form.initial["language"] == "ar"
    assert form["interpreter"].value() in {_service_interpreter().pk, _freelance().pk}
    assert "Deutsch" not in dict(form.fields["language"].choices).values()
    assert "Tigrinya" in str(form["interpreter"])  # languages and rate shown
    data = {
        "interpreter": _freelance().pk,
        "language": "ar",
        "starts_at": timezone.localtime(_soon()).strftime("%d.%m.%Y %H:%M"),
        "duration_minutes": "60",
        "categories": [MASTER],
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["consent"]
    assert not InterpreterBooking.objects.filter(case=arabic_case).exists()
    past = {**data, "starts_at": "01.01.2025 10:00"}
    assert list(client.post(url, past).context["form"].errors) == ["starts_at"]
    _interpreting_consent(arabic_case)
    response = client.post(url, data)
    assert response.status_code == 302
    booking = InterpreterBooking.objects.get(case=arabic_case)
    page = client.get(f"/fallmanagement/faelle/{arabic_case.code}/").content.decode()
    assert f'id="booking-{booking.code}"' in page
    assert f"/netzwerk/dolmetschende/{_freelance().code}/" in page
    assert f"/dolmetschen/{booking.code}/absagen/" in page


def test_team_lead_sees_bookings_but_cannot_book(
    arabic_case: Case, login_as: Callable[[str], Client]
) -> None:
    _interpreting_consent(arabic_case)
    booking = _book(arabic_case, _freelance())
    client = login_as("teamlead-siegen")
    page = client.get(f"/fallmanagement/faelle/{arabic_case.code}/").content.decode()
    assert f'id="booking-{booking.code}"' in page and "/absagen/" not in page
    base = f"/fallmanagement/faelle/{arabic_case.code}/dolmetschen/"
    assert client.get(base + "neu/").status_code == 403
    assert client.get(f"{base}{booking.code}/absagen/").status_code == 403
    other = login_as("cm-kreuztal")
    assert other.get(base + "neu/").status_code == 404
    assert other.get(f"{base}{booking.code}/absagen/").status_code == 404


# --- cancel and held -------------------------------------------------------------------------


def test_cancel_needs_a_reason_and_locks(
    arabic_case: Case, login_as: Callable[[str], Client]
) -> None:
    _interpreting_consent(arabic_case)
    booking = _book(arabic_case, _freelance())
    url = f"/fallmanagement/faelle/{arabic_case.code}/dolmetschen/{booking.code}/absagen/"
    client = login_as("cm-siegen")
    response = client.post(url, {"version": booking.version, "reason": " "})
    assert list(response.context["form"].errors) == ["reason"]
    response = client.post(url, {"version": booking.version + 1, "reason": "verschoben"})
    assert 'id="edit-conflict"' in response.content.decode()
    response = client.post(url, {"version": booking.version, "reason": "verschoben"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.cancelled_by == _user() and booking.cancelled_at is not None
    assert booking.cancel_reason == "verschoben" and booking_cost(booking) == Decimal("0.00")
    assert (
        AuditEvent.objects.filter(
            event_type=EventType.INTERPRETER_CANCELLED, subject_code=booking.code
        ).count()
        == 1
    )
    booking.case = arabic_case
    with pytest.raises(ValidationError):
        cancel_booking(booking, acting_user=_user(), expected_version=booking.version, reason="x")


def test_held_with_minutes_only_once_it_took_place(arabic_case: Case) -> None:
    _interpreting_consent(arabic_case)
    future = _book(arabic_case, _freelance())
    with pytest.raises(ValidationError) as exc:
        record_booking_held(
            future, acting_user=_user(), expected_version=future.version, billed_minutes=60
        )
    assert list(exc.value.message_dict) == ["billed_minutes"]
    past = _book(arabic_case, _freelance(), starts_at=_at(MONTH))
    with pytest.raises(EditConflict):
        record_booking_held(
            past, acting_user=_user(), expected_version=past.version + 1, billed_minutes=60
        )
    held = record_booking_held(
        past, acting_user=_user(), expected_version=past.version, billed_minutes=75
    )
    assert held.status == BookingStatus.HELD and held.billed_minutes == 75
    assert booking_cost(held) == Decimal("77.50")  # 62 € × 75 / 60
    event = AuditEvent.objects.filter(
        event_type=EventType.INTERPRETER_BOOKING_CHANGED, subject_code=held.code
    ).get()
    assert event.extra["billed_minutes"] == 75


# --- cost ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "status", "planned", "billed", "cost"),
    [
        ("55.00", BookingStatus.HELD, 60, 75, "68.75"),
        ("48.50", BookingStatus.HELD, 60, 50, "40.42"),  # 40.41666…
        ("62.00", BookingStatus.BOOKED, 45, None, "46.50"),  # planned duration
        ("0.30", BookingStatus.HELD, 60, 5, "0.03"),  # 0.025: half up, not to even
        ("0.90", BookingStatus.HELD, 60, 1, "0.02"),  # 0.015
        ("75.00", BookingStatus.CANCELLED, 90, None, "0.00"),
        ("45.00", BookingStatus.HELD, 60, 0, "0.00"),
    ],
)
def test_cost_arithmetic(rate: str, status: str, planned: int, billed: int, cost: str) -> None:
    booking = InterpreterBooking(
        hourly_rate=Decimal(rate), status=status, duration_minutes=planned, billed_minutes=billed
    )
    assert booking_cost(booking) == Decimal(cost)


# --- the monthly list ------------------------------------------------------------------------


def _month_world(make_case: Callable[..., Case]) -> dict[str, Case]:
    """March 2025: Siegen – one held at the service (55 €, 90 min), one held freelance
    (62 €, 45 min), one cancelled, one booked (62 €, 30 min planned); Kreuztal – one held
    freelance (62 €, 60 min)."""
    siegen = make_case("cm-siegen", first_name="Lina", languages=["ar"])
    kreuztal = make_case("cm-kreuztal", first_name="Omar", languages=["ar"])
    _consent_for_service(siegen)
    _interpreting_consent(siegen)
    _interpreting_consent(kreuztal)

    def held(case: Case, interpreter: Interpreter, day: int, minutes: int) -> None:
        b = _book(case, interpreter, starts_at=_at(MONTH + dt.timedelta(days=day)))
        record_booking_held(
            b, acting_user=_user(), expected_version=b.version, billed_minutes=minutes
        )

    held(siegen, _service_interpreter(), 2, 90)
    held(siegen, _freelance(), 5, 45)
    cancelled = _book(siegen, _freelance(), starts_at=_at(MONTH + dt.timedelta(days=9)))
    cancel_booking(cancelled, acting_user=_user(), expected_version=1, reason="abgesagt")
    _book(
        siegen, _freelance(), starts_at=_at(MONTH + dt.timedelta(days=30), 23), duration_minutes=30
    )
    held(kreuztal, _freelance(), 12, 60)
    # Outside the month: 1 April 00:00 belongs to April.
    _book(siegen, _freelance(), starts_at=_at(dt.date(2025, 4, 1), 0))
    return {"siegen": siegen, "kreuztal": kreuztal}


def _totals(rows: list[Any]) -> dict[str, tuple[int, int, Decimal]]:
    return {t.name: (t.count, t.minutes, t.cost) for t in rows}


def test_monthly_list_rows_and_totals(make_case, login_as) -> None:
    cases = _month_world(make_case)
    response = login_as("cm-siegen").get("/fallmanagement/dolmetschen/?monat=2025-03")
    listing = response.context["listing"]
    assert [r.number for r in listing.rows] == [cases["siegen"].person.number] * 4
    assert [r.minutes for r in listing.rows] == [90, 45, 0, 30]
    assert _totals(listing.by_interpreter) == {
        "Demo-Dolmetscherin Arabisch": (1, 90, Decimal("82.50")),
        "Demo-Dolmetscher Kurdisch und Arabisch": (3, 75, Decimal("77.50")),
    }
    assert _totals(listing.by_organisation) == {"Stadt Siegen": (4, 165, Decimal("160.00"))}
    assert (listing.total.count, listing.total.cost) == (4, Decimal("160.00"))
    body = response.content.decode()
    assert "Lina" not in body and "Fiktiva" not in body  # case numbers only
    assert "?monat=2025-02" in body and "?monat=2025-04" in body
    lead = login_as("teamlead-siegen").get("/fallmanagement/dolmetschen/?monat=2025-03")
    assert lead.context["listing"].total.count == 4
    other = login_as("cm-kreuztal").get("/fallmanagement/dolmetschen/?monat=2025-03")
    assert _totals(other.context["listing"].by_organisation) == {
        "Stadt Kreuztal": (1, 60, Decimal("62.00"))
    }


@pytest.mark.sqlite_too
def test_coordination_sees_sums_per_organisation_only(make_case, login_as) -> None:
    cases = _month_world(make_case)
    client = login_as("koordination")
    response = client.get("/fallmanagement/dolmetschen/?monat=2025-03")
    listing = response.context["listing"]
    assert response.context["sums_only"] and listing.rows == []
    assert _totals(listing.by_organisation) == {
        "Stadt Kreuztal": (1, 60, Decimal("62.00")),
        "Stadt Siegen": (4, 165, Decimal("160.00")),
    }
    assert listing.total.cost == Decimal("222.00")
    body = response.content.decode()
    assert cases["siegen"].person.number not in body
    assert "Demo-Dolmetscher" not in body
    csv_text = client.get("/fallmanagement/dolmetschen/export.csv?monat=2025-03").content
    rows = list(csv.reader(io.StringIO(csv_text.decode("utf-8-sig")), delimiter=";"))
    assert [r[0] for r in rows[1:]] == ["Stadt Kreuztal", "Stadt Siegen"]
    if connection.vendor == "postgresql":  # the system role was used, and recorded
        assert AuditEvent.objects.filter(
            event_type=EventType.RLS_BYPASSED, extra__reason="interpreter cost per organisation"
        ).exists()


@pytest.mark.parametrize("value", ["1-1", "9999-12", "2026-13", "x", "2026-11-1", ""])
def test_an_implausible_month_shows_the_current_one(login_as, value: str) -> None:
    response = login_as("cm-siegen").get("/fallmanagement/dolmetschen/", {"monat": value})
    assert response.status_code == 200
    assert response.context["listing"].month == timezone.localdate().replace(day=1)


@pytest.mark.parametrize("persona", ["siegen", "traeger", "abh", "rat", "dsb"])
def test_monthly_list_is_for_case_managers_and_team_leads_only(login_as, persona: str) -> None:
    assert login_as(persona).get("/fallmanagement/dolmetschen/").status_code == 404
    assert login_as(persona).get("/fallmanagement/dolmetschen/export.csv").status_code == 404


@pytest.mark.sqlite_too
def test_row_level_security_hides_other_organisations_bookings(make_case) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row-level security exists only on PostgreSQL; SQLite keeps one wall")
    cases = _month_world(make_case)
    ctx = load_user_context(_user("cm-kreuztal"))
    with rls.reader_scope(ctx):
        seen = set(InterpreterBooking.objects.values_list("case_id", flat=True))
    assert cases["kreuztal"].pk in seen and cases["siegen"].pk not in seen


def test_monthly_export_is_formula_safe_and_audited(make_case, login_as) -> None:
    case = make_case("cm-siegen", first_name="Lina", languages=["ar"])
    _interpreting_consent(case)
    evil = record_interpreter(
        Organisation.objects.get(ags="05970"),
        acting_user=None,
        name='=HYPERLINK("http://evil.example","x")',
        languages=["ar"],
        kind="freelance",
        hourly_rate=Decimal("50"),
    )
    _book(case, evil, starts_at=_at(MONTH + dt.timedelta(days=3)))
    client = login_as("cm-siegen")
    csv_text = client.get("/fallmanagement/dolmetschen/export.csv?monat=2025-03").content
    rows = list(csv.reader(io.StringIO(csv_text.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][3].startswith("'=HYPERLINK")
    xlsx = client.get("/fallmanagement/dolmetschen/export.xlsx?monat=2025-03").content
    sheet = load_workbook(io.BytesIO(xlsx)).active
    cell = sheet.cell(row=2, column=4)
    assert cell.data_type == "s" and str(cell.value).startswith("=HYPERLINK")
    events = AuditEvent.objects.filter(
        event_type=EventType.EXPORT_DOWNLOADED, subject_type="cases.interpreter_bookings"
    )
    assert events.count() == 2


def test_monthly_list_query_count_is_flat(make_case, login_as) -> None:
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    case = make_case("cm-siegen", first_name="Lina", languages=["ar"])
    _interpreting_consent(case)
    client = login_as("cm-siegen")
    url = "/fallmanagement/dolmetschen/?monat=2025-03"
    counts = []
    made = 0
    for n in (5, 30):
        while made < n:
            _book(case, _freelance(), starts_at=_at(MONTH + dt.timedelta(days=made % 28)))
            made += 1
        client.get(url)
        with CaptureQueriesContext(conn) as queries:
            response = client.get(url)
        assert len(response.context["listing"].rows) == n
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 12, counts


# --- retention -------------------------------------------------------------------------------


def test_retention_keeps_bookings_as_cost_records_without_personal_data(make_case) -> None:
    """A consent a booking rests on is not deleted on its own (like one a disclosure rests on);
    anonymising the closed case keeps the booking's cost data and drops place, reason and the
    link to the consent, which then goes with the person's other consents."""
    import time_machine

    from kim.cases.models import Consent
    from kim.cases.retention import plan_retention, run_retention
    from kim.cases.tests.test_retention import CLOSED_ON, RUN_DAY, close

    case = make_case(first_name="Bea", referred_on=dt.date(2021, 1, 4))
    consent = Consent.objects.create(
        person=case.person,
        recipient=case.organisation,
        scope=ConsentScope.INTERPRETING,
        purpose="Dolmetschen",
        categories=[MASTER],
        given_on=dt.date(2021, 1, 4),
        valid_until=dt.date(2021, 2, 1),
    )
    booking = InterpreterBooking.objects.create(
        case=case,
        interpreter=_freelance(),
        language="ar",
        starts_at=_at(dt.date(2021, 1, 20)),
        duration_minutes=60,
        place="Rathaus",
        consent=consent,
        shared_categories=[MASTER],
        hourly_rate=Decimal("62.00"),
        status=BookingStatus.CANCELLED,
        cancel_reason="krank",
    )
    close(case, CLOSED_ON)
    planned = plan_retention(RUN_DAY)
    assert consent.code not in {i.code for i in planned if i.target == "consents"}
    assert case.code in {i.code for i in planned if i.target == "case_file"}
    with time_machine.travel(dt.datetime(2024, 7, 1, 3, 0, tzinfo=dt.UTC), tick=False):
        run_retention(timezone.localdate(), dry_run=False)
    booking.refresh_from_db()
    assert booking.place is None and booking.cancel_reason == "" and booking.consent is None
    assert booking.hourly_rate == Decimal("62.00") and booking.language == "ar"
    assert not Consent.objects.filter(pk=consent.pk).exists()


def test_interpreting_consent_is_recorded_through_the_consent_form(
    arabic_case: Case, login_as: Callable[[str], Client]
) -> None:
    """The new scope needs no recipient: it stays in the case's own organisation."""
    from kim.cases.models import Consent

    response = login_as("cm-siegen").post(
        f"/fallmanagement/faelle/{arabic_case.code}/einwilligungen/neu/",
        {
            "scope": ConsentScope.INTERPRETING,
            "purpose": "Dolmetschende beauftragen",
            "categories": [MASTER],
            "given_on": timezone.localdate().strftime("%d.%m.%Y"),
            "form_language": "de",
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.get(person=arabic_case.person, scope=ConsentScope.INTERPRETING)
    assert consent.recipient == arabic_case.organisation
    assert _book(arabic_case, _freelance()).consent == consent


def test_demo_has_held_cancelled_and_upcoming_bookings_with_their_consents() -> None:
    demo = InterpreterBooking.objects.filter(case__responsible__username="cm-siegen")
    statuses = sorted(demo.values_list("status", flat=True))
    assert statuses == ["booked", "booked", "cancelled", "held", "held", "held"]
    assert all(b.consent_id for b in demo)
    assert demo.filter(status="booked", starts_at__gt=timezone.now()).count() == 2
    assert Disclosure.objects.filter(kind=DisclosureKind.INTERPRETING).count() == 3
