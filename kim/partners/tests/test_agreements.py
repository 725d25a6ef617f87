"""Pass-through agreements: validation in the actions, one audit event per change, who may see
and manage what, the deadlines grouping and the query counts of the pages.

Whatever the demo seeds for agreements is never counted on, only the rows these tests create.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client

from kim.audit.models import AuditEvent, EventType
from kim.audit.record import verify_chain
from kim.organisations.models import Organisation
from kim.partners import actions
from kim.partners.models import (
    Agreement,
    AgreementAmount,
    Payment,
    ReportingDuty,
    Review,
)
from kim.programmes.models import Position

pytestmark = pytest.mark.django_db

PERSONAS = [
    "koordination",
    "siegen",
    "teamlead-siegen",
    "traeger",
    "cm-traeger",
    "cm-siegen",
    "rat",
    "dsb",
    "admin",
]
START, END = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
YEAR_AMOUNT, TOP_UP = Decimal("114000.00"), Decimal("20000.00")


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _org(short_name: str) -> Organisation:
    return Organisation.objects.get(short_name=short_name)


def _kwargs(**change: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "acting_user": _user("siegen"),
        "grantor": _org("Siegen"),
        "recipient": _org("Brücke Siegerland"),
        "kind": "contract",
        "title": "Testvertrag B2",
        "signed_on": dt.date(2024, 12, 1),
        "period_start": START,
        "period_end": END,
        "amounts": [(2025, YEAR_AMOUNT, TOP_UP)],
        "positions": list(
            Position.objects.filter(baustein="B2", home__short_name="Brücke Siegerland")
        ),
    }
    kwargs.update(change)
    return kwargs


def _agreement(**change: Any) -> Agreement:
    return actions.create_agreement(**_kwargs(**change))


def _counts() -> tuple[int, ...]:
    return (
        Agreement.objects.count(),
        AgreementAmount.objects.count(),
        Payment.objects.count(),
        ReportingDuty.objects.count(),
        AuditEvent.objects.count(),
    )


# --- validation -------------------------------------------------------------------------------


def test_create_agreement_stores_amounts_positions_and_default_conditions() -> None:
    agreement = _agreement()
    assert agreement.region == _org("Siegen").region
    assert [(a.year, a.amount, a.top_up) for a in agreement.amounts.all()] == [
        (2025, YEAR_AMOUNT, TOP_UP)
    ]
    assert agreement.positions.count() == 2
    assert "ANBest-P" in agreement.conditions


@pytest.mark.parametrize(
    "change",
    [
        {"period_end": dt.date(2024, 12, 31)},
        {"amounts": []},
        {"amounts": [(2026, YEAR_AMOUNT, TOP_UP)]},
        {"amounts": [(2025, YEAR_AMOUNT, TOP_UP), (2025, YEAR_AMOUNT, Decimal(0))]},
        {"amounts": [(2025, Decimal("-1.00"), Decimal(0))]},
        {"amounts": [(2025, YEAR_AMOUNT, Decimal("-5.00"))]},
        {"amounts": [(2025, Decimal("1.005"), Decimal(0))]},
        {"recipient": "Kreuztal"},  # a town cannot pass funds on to another town
        {"grantor": "Brücke Siegerland", "recipient": "Siegen"},
        {"positions": "other-kreis"},
    ],
)
def test_create_agreement_refuses_and_stores_nothing(change: dict[str, Any], stranger) -> None:
    for field in ("grantor", "recipient"):
        if isinstance(change.get(field), str):
            change[field] = _org(change[field])
    if change.get("positions") == "other-kreis":
        olpe = Organisation.objects.get(ags="05966")
        change["positions"] = [Position(region=olpe, pk=-1)]
    before = _counts()
    with pytest.raises(ValidationError):
        _agreement(**change)
    assert _counts() == before


def test_payments_must_add_up_per_year() -> None:
    agreement = _agreement()
    actions.add_payment(
        agreement,
        acting_user=_user("siegen"),
        kind="payment",
        due_on=dt.date(2025, 3, 1),
        amount=Decimal("100000.00"),
    )
    before = _counts()
    with pytest.raises(ValidationError) as info:
        actions.add_payment(
            agreement,
            acting_user=_user("siegen"),
            kind="payment",
            due_on=dt.date(2025, 6, 1),
            amount=Decimal("34000.01"),
        )
    message = " ".join(info.value.message_dict["amount"])
    assert "2025" in message and "134.000,00" in message and "100.000,00" in message
    assert _counts() == before
    # exactly up to amount + top-up is fine; a call for funds is counted on its own
    actions.add_payment(
        agreement,
        acting_user=_user("siegen"),
        kind="payment",
        due_on=dt.date(2025, 6, 1),
        amount=Decimal("34000.00"),
    )
    actions.add_payment(
        agreement,
        acting_user=_user("siegen"),
        kind="call",
        due_on=dt.date(2025, 2, 1),
        amount=YEAR_AMOUNT + TOP_UP,
    )


@pytest.mark.parametrize(
    "due_on, amount",
    [
        (dt.date(2024, 12, 1), Decimal("10.00")),  # before the period
        (dt.date(2026, 2, 1), Decimal("10.00")),  # no amount agreed for the year
        (dt.date(2025, 2, 1), Decimal("0.00")),
    ],
)
def test_add_payment_refuses_and_stores_nothing(due_on: dt.date, amount: Decimal) -> None:
    agreement = _agreement()
    before = _counts()
    with pytest.raises(ValidationError):
        actions.add_payment(
            agreement, acting_user=None, kind="payment", due_on=due_on, amount=amount
        )
    assert _counts() == before


def test_reporting_duty_cannot_be_due_before_the_period() -> None:
    agreement = _agreement()
    before = _counts()
    with pytest.raises(ValidationError):
        actions.add_reporting_duty(
            agreement, acting_user=None, kind="interim", due_on=dt.date(2024, 12, 31)
        )
    assert _counts() == before
    # after the period is fine (the Verwendungsnachweis falls due afterwards)
    actions.add_reporting_duty(agreement, acting_user=None, kind="vn", due_on=dt.date(2026, 6, 30))


def _received_duty() -> ReportingDuty:
    agreement = _agreement()
    payment = actions.add_payment(
        agreement,
        acting_user=None,
        kind="payment",
        due_on=dt.date(2025, 2, 1),
        amount=Decimal("50000.00"),
    )
    actions.mark_payment_done(payment, acting_user=None, done_on=dt.date(2025, 2, 3))
    actions.add_payment(  # scheduled, not paid: does not count for a reclaim
        agreement,
        acting_user=None,
        kind="payment",
        due_on=dt.date(2025, 5, 1),
        amount=Decimal("50000.00"),
    )
    duty = actions.add_reporting_duty(
        agreement, acting_user=None, kind="sachbericht", due_on=dt.date(2025, 9, 30)
    )
    return actions.record_report_received(duty, acting_user=None, received_on=dt.date(2025, 9, 29))


@pytest.mark.parametrize(
    "review, amount",
    [
        (Review.RECLAIM, None),
        (Review.RECLAIM, Decimal("0.00")),
        (Review.RECLAIM, Decimal("50000.01")),  # more than has been paid
        (Review.ACCEPTED, Decimal("10.00")),
        (Review.PENDING, None),
    ],
)
def test_record_review_refuses_and_stores_nothing(review: str, amount: Decimal | None) -> None:
    duty = _received_duty()
    before = _counts()
    with pytest.raises(ValidationError):
        actions.record_review(duty, acting_user=None, review=review, reclaim_amount=amount)
    assert _counts() == before
    duty.refresh_from_db()
    assert (duty.review, duty.reclaim_amount) == (Review.PENDING, None)


def test_reclaim_up_to_the_paid_total() -> None:
    duty = actions.record_review(
        _received_duty(),
        acting_user=None,
        review=Review.RECLAIM,
        reclaim_amount=Decimal("50000.00"),
    )
    assert (duty.review, duty.reclaim_amount) == (Review.RECLAIM, Decimal("50000.00"))


def test_report_cannot_be_reviewed_before_receipt_nor_received_twice() -> None:
    agreement = _agreement()
    duty = actions.add_reporting_duty(
        agreement, acting_user=None, kind="interim", due_on=dt.date(2025, 6, 30)
    )
    with pytest.raises(ValidationError):
        actions.record_review(duty, acting_user=None, review=Review.ACCEPTED)
    actions.record_report_received(duty, acting_user=None, received_on=dt.date(2025, 7, 1))
    before = _counts()
    with pytest.raises(ValidationError):
        actions.record_report_received(duty, acting_user=None, received_on=dt.date(2025, 7, 2))
    assert _counts() == before


def test_payment_cannot_be_marked_done_twice() -> None:
    agreement = _agreement()
    payment = actions.add_payment(
        agreement, acting_user=None, kind="call", due_on=START, amount=Decimal("1.00")
    )
    actions.mark_payment_done(payment, acting_user=None, done_on=START)
    before = _counts()
    with pytest.raises(ValidationError):
        actions.mark_payment_done(payment, acting_user=None, done_on=START)
    assert _counts() == before


# --- one audit event per change ----------------------------------------------------------------


def _do_create() -> object:
    return _agreement()


def _do_add_payment(agreement: Agreement) -> object:
    return actions.add_payment(
        agreement, acting_user=_user("siegen"), kind="call", due_on=START, amount=Decimal("1.00")
    )


def _do_payment_done(agreement: Agreement) -> object:
    payment = Payment.objects.create(
        agreement=agreement, kind="payment", due_on=START, amount=Decimal("1.00")
    )
    return actions.mark_payment_done(payment, acting_user=_user("siegen"), done_on=START)


def _duty(agreement: Agreement, received: bool = False) -> ReportingDuty:
    return ReportingDuty.objects.create(
        agreement=agreement,
        kind="interim",
        due_on=dt.date(2025, 6, 30),
        received_on=dt.date(2025, 6, 29) if received else None,
    )


def _do_add_duty(agreement: Agreement) -> object:
    return actions.add_reporting_duty(
        agreement, acting_user=_user("siegen"), kind="interim", due_on=dt.date(2025, 6, 30)
    )


def _do_received(agreement: Agreement) -> object:
    return actions.record_report_received(
        _duty(agreement), acting_user=_user("siegen"), received_on=dt.date(2025, 7, 1)
    )


def _do_review(agreement: Agreement) -> object:
    return actions.record_review(
        _duty(agreement, received=True), acting_user=_user("siegen"), review=Review.QUERIES
    )


@pytest.mark.parametrize(
    "do, event_type, subject_type",
    [
        (_do_add_payment, EventType.AGREEMENT_PAYMENT_ADDED, "partners.payment"),
        (_do_payment_done, EventType.AGREEMENT_PAYMENT_DONE, "partners.payment"),
        (_do_add_duty, EventType.REPORTING_DUTY_ADDED, "partners.reportingduty"),
        (_do_received, EventType.REPORT_RECEIVED, "partners.reportingduty"),
        (_do_review, EventType.REPORT_REVIEWED, "partners.reportingduty"),
    ],
)
def test_every_action_writes_exactly_one_event(
    do: Callable[[Agreement], object], event_type: str, subject_type: str
) -> None:
    before = AuditEvent.objects.count()
    agreement = _agreement()
    events = list(AuditEvent.objects.order_by("id")[before:])
    assert [(e.event_type, e.subject_type) for e in events] == [
        (EventType.AGREEMENT_CREATED, "partners.agreement")
    ]
    do(agreement)
    events = list(AuditEvent.objects.order_by("id")[before + 1 :])
    assert len(events) == 1
    assert (events[0].event_type, events[0].subject_type) == (event_type, subject_type)
    assert events[0].subject_code
    assert verify_chain().ok


# --- permissions --------------------------------------------------------------------------------


def _matrix_agreements() -> dict[str, Agreement]:
    kreis = _org("Siegen").region
    coordination = _user("koordination")
    return {
        "kreis-siegen": _agreement(
            acting_user=coordination,
            grantor=kreis,
            recipient=_org("Siegen"),
            kind="notice",
            positions=[],
        ),
        "siegen-bruecke": _agreement(),
        "siegen-lebenswege": _agreement(recipient=_org("Lebenswege"), positions=[]),
        "kreis-kreuztal": _agreement(
            acting_user=coordination,
            grantor=kreis,
            recipient=_org("Kreuztal"),
            kind="notice",
            positions=[],
        ),
    }


# (agreement, persona) → (GET detail, GET add-payment form); everyone else gets 404 for both
MATRIX = {
    ("kreis-siegen", "siegen"): (200, 200),
    ("siegen-bruecke", "siegen"): (200, 200),
    ("siegen-lebenswege", "siegen"): (200, 200),
    ("siegen-bruecke", "traeger"): (200, 403),  # the recipient's manager reads it
}
MANAGES_ALL = {"koordination", "admin"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_agreement_matrix(login_as, persona: str) -> None:
    agreements = _matrix_agreements()
    client = login_as(persona)
    for which, agreement in agreements.items():
        detail, manage = (
            (200, 200) if persona in MANAGES_ALL else MATRIX.get((which, persona), (404, 404))
        )
        assert client.get(f"/partner/vereinbarungen/{agreement.code}/").status_code == detail, which
        for url in (
            f"/partner/vereinbarungen/{agreement.code}/zahlungen/neu/",
            f"/partner/vereinbarungen/{agreement.code}/berichte/neu/",
        ):
            assert client.get(url).status_code == manage, (which, url)
    payment = Payment.objects.create(
        agreement=agreements["siegen-bruecke"], kind="call", due_on=START, amount=Decimal(1)
    )
    duty = _duty(agreements["siegen-bruecke"], received=True)
    _detail, manage = (
        (200, 200)
        if persona in MANAGES_ALL
        else MATRIX.get(("siegen-bruecke", persona), (404, 404))
    )
    assert client.get(f"/partner/zahlungen/{payment.code}/erledigt/").status_code == manage
    assert client.get(f"/partner/berichte/{duty.code}/eingang/").status_code == manage
    assert client.get(f"/partner/berichte/{duty.code}/pruefung/").status_code == manage


LIST_ALLOWED = {"koordination", "siegen", "traeger", "admin"}
DEADLINES_ALLOWED = {"koordination", "siegen", "admin"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_deadlines_and_create_pages(login_as, persona: str) -> None:
    agreements = _matrix_agreements()
    client = login_as(persona)
    response = client.get("/partner/vereinbarungen/")
    assert response.status_code == (200 if persona in LIST_ALLOWED else 403)
    if response.status_code == 200:
        listed = {a.pk for a in response.context["agreements"]}
        for which, agreement in agreements.items():
            visible = persona in MANAGES_ALL or (which, persona) in MATRIX
            assert (agreement.pk in listed) == visible, which
    status = 200 if persona in DEADLINES_ALLOWED else 403
    assert client.get("/partner/fristen/").status_code == status
    assert client.get("/partner/vereinbarungen/neu/").status_code == status


def test_stranger_sees_no_agreement(stranger: Client) -> None:
    agreement = _agreement()
    assert stranger.get(f"/partner/vereinbarungen/{agreement.code}/").status_code == 404
    response = stranger.get("/partner/vereinbarungen/")
    assert response.status_code == 200
    assert agreement not in response.context["agreements"]


def test_create_through_the_form(login_as) -> None:
    client = login_as("siegen")
    brucke = _org("Brücke Siegerland")
    response = client.post(
        "/partner/vereinbarungen/neu/",
        {
            "grantor": _org("Siegen").pk,
            "recipient": brucke.pk,
            "kind": "contract",
            "title": "Formularvertrag",
            "signed_on": "01.12.2024",
            "period_start": "01.01.2025",
            "period_end": "31.12.2026",
            "amounts": "2025: 114.000,00; 20000\n2026: 114000",
            "conditions": "ANBest-P",
        },
    )
    assert response.status_code == 302
    agreement = Agreement.objects.get(title="Formularvertrag")
    assert [(a.year, a.amount, a.top_up) for a in agreement.amounts.all()] == [
        (2025, YEAR_AMOUNT, TOP_UP),
        (2026, YEAR_AMOUNT, Decimal(0)),
    ]
    before = Agreement.objects.count()
    response = client.post(
        "/partner/vereinbarungen/neu/",
        {
            "grantor": _org("Siegen").pk,
            "recipient": brucke.pk,
            "kind": "contract",
            "title": "Kaputt",
            "signed_on": "01.12.2024",
            "period_start": "01.01.2025",
            "period_end": "31.12.2025",
            "amounts": "2025 114000",
            "conditions": "ANBest-P",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["amounts"]
    assert Agreement.objects.count() == before


def test_payment_form_shows_the_sums_error(login_as) -> None:
    agreement = _agreement()
    response = login_as("siegen").post(
        f"/partner/vereinbarungen/{agreement.code}/zahlungen/neu/",
        {"kind": "payment", "due_on": "01.03.2025", "amount": "134000,01"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Payment.objects.filter(agreement=agreement).exists()


def test_traeger_page_lists_agreements_the_reader_may_see(login_as) -> None:
    agreements = _matrix_agreements()
    brucke = _org("Brücke Siegerland")
    response = login_as("traeger").get(f"/partner/traeger/{brucke.code}/")
    shown = response.context["timeline"].agreements
    assert agreements["siegen-bruecke"] in shown
    assert agreements["siegen-lebenswege"] not in shown


# --- deadlines ----------------------------------------------------------------------------------


def test_deadlines_grouping(login_as) -> None:
    agreement = _agreement()
    user = _user("siegen")

    def pay(day: dt.date, done: bool = False) -> None:
        payment = actions.add_payment(
            agreement, acting_user=user, kind="call", due_on=day, amount=Decimal("1.00")
        )
        if done:
            actions.mark_payment_done(payment, acting_user=user, done_on=day)

    def duty(day: dt.date, received: bool = False) -> None:
        item = actions.add_reporting_duty(agreement, acting_user=user, kind="interim", due_on=day)
        if received:
            actions.record_report_received(item, acting_user=user, received_on=day)

    pay(dt.date(2025, 5, 20))  # overdue
    pay(dt.date(2025, 5, 10), done=True)  # done: not listed
    duty(dt.date(2025, 5, 31))  # overdue
    duty(dt.date(2025, 6, 1))  # today: next 30
    pay(dt.date(2025, 7, 1))  # 30 days: next 30
    duty(dt.date(2025, 7, 2))  # 31 days: 31–60
    duty(dt.date(2025, 7, 3), received=True)  # received: not listed
    pay(dt.date(2025, 7, 31))  # 60 days: 31–60
    duty(dt.date(2025, 8, 1))  # 61 days: 61–90
    pay(dt.date(2025, 8, 30))  # 90 days: 61–90
    duty(dt.date(2025, 8, 31))  # 91 days: not listed

    def dates(items: list[Any]) -> list[dt.date]:
        return [i.due_on for i in items if i.agreement_code == agreement.code]

    with time_machine.travel(dt.datetime(2025, 6, 1, 9, 0), tick=False):
        response = login_as("koordination").get("/partner/fristen/")
    result = response.context["deadlines"]
    assert dates(result.overdue) == [dt.date(2025, 5, 20), dt.date(2025, 5, 31)]
    assert dates(result.next_30) == [dt.date(2025, 6, 1), dt.date(2025, 7, 1)]
    assert dates(result.next_60) == [dt.date(2025, 7, 2), dt.date(2025, 7, 31)]
    assert dates(result.next_90) == [dt.date(2025, 8, 1), dt.date(2025, 8, 30)]
    overdue = [i for i in result.overdue if i.agreement_code == agreement.code]
    assert [i.party for i in overdue] == [_org("Siegen").name, _org("Brücke Siegerland").name]


# --- query counts -------------------------------------------------------------------------------


def _busy_agreements(count: int) -> list[Agreement]:
    agreements = []
    for number in range(count):
        agreement = _agreement(title=f"Vertrag {number}")
        for month in (2, 5, 8):
            payment = actions.add_payment(
                agreement,
                acting_user=None,
                kind="payment",
                due_on=dt.date(2025, month, 1),
                amount=Decimal("100.00"),
            )
            actions.mark_payment_done(payment, acting_user=None, done_on=dt.date(2025, month, 1))
            actions.add_reporting_duty(
                agreement, acting_user=None, kind="interim", due_on=dt.date(2025, month, 15)
            )
        agreements.append(agreement)
    return agreements


def test_agreement_list_query_count(login_as, django_assert_max_num_queries) -> None:
    _busy_agreements(4)
    client = login_as("koordination")
    with django_assert_max_num_queries(8):
        client.get("/partner/vereinbarungen/")


def test_agreement_detail_query_count(login_as, django_assert_max_num_queries) -> None:
    agreement = _busy_agreements(1)[0]
    client = login_as("siegen")
    with django_assert_max_num_queries(12):
        client.get(f"/partner/vereinbarungen/{agreement.code}/")


def test_deadlines_query_count(login_as, django_assert_max_num_queries) -> None:
    _busy_agreements(4)
    client = login_as("koordination")
    with (
        time_machine.travel(dt.datetime(2025, 6, 1, 9, 0), tick=False),
        django_assert_max_num_queries(8),
    ):
        response = client.get("/partner/fristen/")
    assert len(response.context["deadlines"].overdue) >= 4


def test_years_are_not_formatted_as_numbers(login_as) -> None:
    from kim.partners.models import Agreement

    agreement = Agreement.objects.filter(amounts__isnull=False).first()
    assert agreement is not None
    year = agreement.amounts.first().year
    body = (
        login_as("koordination").get(f"/partner/vereinbarungen/{agreement.code}/").content.decode()
    )
    assert f">{year}</th>" in body and f"{str(year)[0]}.{str(year)[1:]}" not in body
