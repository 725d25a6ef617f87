"""Actual cost (payroll), its import, Land payments and the 2025 demo data (D-086)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kim.audit.models import AuditEvent, EventType
from kim.core.exports import csv_bytes
from kim.organisations.models import Organisation
from kim.programmes import payroll_actions
from kim.programmes.demo import seed_payroll
from kim.programmes.models import (
    ActualCost,
    CostKind,
    CostSource,
    Grant,
    GrantPayment,
    PayrollImport,
    Position,
)
from kim.programmes.payroll import parse_amount, parse_month

pytestmark = pytest.mark.django_db

SIEGEN = "Stadt Siegen"
KREUZTAL = "Stadt Kreuztal"
BRUECKE = "Brücke Siegerland – Integrationshilfe e.V. (Demo)"
HEADER = ["Stelle", "Pseudonym", "Monat", "Betrag", "Art"]


def _post(home_name: str, baustein: str = "B2") -> Position:
    return Position.objects.filter(home__name=home_name, baustein=baustein).order_by("id").first()


def _org(name: str) -> Organisation:
    return Organisation.objects.get(name=name)


def _csv(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    return csv_bytes(header, rows)


# --- parsing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("03.2025", dt.date(2025, 3, 1)),
        ("2025-03", dt.date(2025, 3, 1)),
        ("15.03.2025", dt.date(2025, 3, 1)),
        ("2025-03-31", dt.date(2025, 3, 1)),
    ],
)
def test_months_in_every_accepted_form(text: str, month: dt.date) -> None:
    assert parse_month(text) == month


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("4.321,09", Decimal("4321.09")),
        ("4321,09", Decimal("4321.09")),
        ("4321.09", Decimal("4321.09")),
        ("4.321", Decimal("4321.00")),
        ("4321", Decimal("4321.00")),
        ("1.234.567,8", Decimal("1234567.80")),
    ],
)
def test_german_and_plain_amounts(text: str, amount: Decimal) -> None:
    assert parse_amount(text) == amount


@pytest.mark.parametrize("text", ["", "abc", "4,321,09", "12.34.56", "4321,091"])
def test_bad_amounts_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_amount(text)


# --- the import: all or nothing, pseudonyms, replace, XLSX ---------------------------------------


def test_a_file_with_one_bad_row_stores_nothing_and_names_every_bad_row() -> None:
    siegen, kreuztal = _post(SIEGEN), _post(KREUZTAL)
    ActualCost.objects.all().delete()
    data = _csv(
        [
            [siegen.code, "", "01.2024", "4.100,00", "Personal"],  # line 2: good
            ["NOPE", "", "02.2024", "4.100,00", ""],  # 3: unknown post
            [kreuztal.code, "", "02.2024", "4.100,00", ""],  # 4: another employer's post
            [siegen.code, "", "13.2024", "4.100,00", ""],  # 5: bad month
            [siegen.code, "", "03.2024", "viel", ""],  # 6: bad amount
            [siegen.code, "", "01.2024", "4.000,00", "Personal"],  # 7: repeats line 2
            ["", "XX-99", "04.2024", "1,00", ""],  # 8: unknown pseudonym
            [siegen.code, "", "05.2024", "-5,00", ""],  # 9: negative
        ]
    )
    imports = PayrollImport.objects.count()
    with pytest.raises(ValidationError) as caught:
        payroll_actions.import_payroll(_org(SIEGEN), acting_user=None, name="x.csv", data=data)
    errors = caught.value.message_dict["file"]
    assert [e.split(":")[0] for e in errors] == [
        "Zeile 3",
        "Zeile 4",
        "Zeile 5",
        "Zeile 6",
        "Zeile 7",
        "Zeile 8",
        "Zeile 9",
    ], errors
    assert "nicht" in errors[1] and SIEGEN in errors[1]  # not hosted by this employer
    assert not ActualCost.objects.exists()
    assert PayrollImport.objects.count() == imports


def test_pseudonym_maps_to_the_post_held_that_month() -> None:
    position = _post(SIEGEN)
    holder = position.incumbencies.order_by("start").first()
    month = dt.date(holder.start.year + 1, 3, 1)
    ActualCost.objects.filter(position=position, month=month).delete()
    data = _csv([["", holder.staff.pseudonym, month.strftime("%m.%Y"), "4.321,09", ""]])
    payroll_actions.import_payroll(_org(SIEGEN), acting_user=None, name="p.csv", data=data)
    cost = ActualCost.objects.get(position=position, month=month, kind=CostKind.PERSONNEL)
    assert cost.amount == Decimal("4321.09")
    assert cost.staff == holder.staff and cost.source == CostSource.IMPORT
    # Before the holder started, the pseudonym held no post: refused with the row named.
    early = _csv([["", holder.staff.pseudonym, "01.2010", "4.321,09", ""]])
    with pytest.raises(ValidationError) as caught:
        payroll_actions.import_payroll(_org(SIEGEN), acting_user=None, name="p.csv", data=early)
    assert caught.value.message_dict["file"][0].startswith("Zeile 2: ")


def test_rows_for_a_recorded_month_replace_the_amount() -> None:
    position = _post(SIEGEN)
    ActualCost.objects.filter(position=position).delete()
    first = _csv(
        [[position.code, "", "01.2024", "100,00", ""], [position.code, "", "02.2024", "200", ""]]
    )
    result = payroll_actions.import_payroll(
        _org(SIEGEN), acting_user=None, name="a.csv", data=first
    )
    assert (result.created, result.replaced) == (2, 0)
    second = _csv(
        [
            [position.code, "", "02.2024", "250,50", "Personal"],
            [position.code, "", "03.2024", "300", ""],
            [position.code, "", "03.2024", "900", "Einrichtung"],
        ]
    )
    result = payroll_actions.import_payroll(
        _org(SIEGEN), acting_user=None, name="b.csv", data=second
    )
    assert (result.created, result.replaced) == (2, 1)
    amounts = {
        (c.month.month, c.kind): c.amount for c in ActualCost.objects.filter(position=position)
    }
    assert amounts == {
        (1, "personnel"): Decimal("100.00"),
        (2, "personnel"): Decimal("250.50"),
        (3, "personnel"): Decimal("300.00"),
        (3, "setup"): Decimal("900.00"),
    }
    assert ActualCost.objects.get(position=position, month=dt.date(2024, 2, 1)).version == 2
    event = AuditEvent.objects.filter(event_type=EventType.PAYROLL_IMPORTED).latest("id")
    assert event.extra["rows"] == 3 and event.extra["replaced"] == 1
    assert "total" not in event.extra and "amount" not in event.extra  # no person's amounts


def test_xlsx_and_comma_separated_csv_with_bom() -> None:
    from openpyxl import Workbook

    position = _post(SIEGEN)
    ActualCost.objects.filter(position=position).delete()
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Stelle", "Monat", "Betrag"])
    sheet.append([position.code, dt.datetime(2024, 4, 1), 4321.09])
    sheet.append([position.code, "05.2024", "4.000,00"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = payroll_actions.import_payroll(
        _org(SIEGEN), acting_user=None, name="lohn.xlsx", data=buffer.getvalue()
    )
    assert result.created == 2
    text = f"\ufeffStelle,Monat,Betrag\n{position.code},2024-06,4321.09\n".encode()
    payroll_actions.import_payroll(_org(SIEGEN), acting_user=None, name="l.csv", data=text)
    assert sorted(
        ActualCost.objects.filter(position=position).values_list("month__month", "amount")
    ) == [(4, Decimal("4321.09")), (5, Decimal("4000.00")), (6, Decimal("4321.09"))]


def test_import_page_lists_errors_and_past_imports(login_as) -> None:
    client = login_as("siegen")
    siegen = _org(SIEGEN)
    url = f"/programm/ist-kosten/{siegen.code}/"
    bad = SimpleUploadedFile("bad.csv", _csv([["NOPE", "", "01.2024", "1", ""]]))
    page = client.post(url, {"file": bad}).content.decode()
    assert "Zeile 2: " in page and 'id="id_file_error"' in page
    position = _post(SIEGEN)
    good = SimpleUploadedFile("gut.csv", _csv([[position.code, "", "01.2024", "1,00", ""]]))
    response = client.post(url, {"file": good}, follow=True)
    text = response.content.decode()
    assert "gut.csv" in text and 'id="payroll-imports"' in text
    template = client.get(f"{url}vorlage.csv")
    assert template.status_code == 200 and position.code in template.content.decode("utf-8-sig")


# --- who sees payroll --------------------------------------------------------------------------

# persona → the homes of the posts whose actual cost it sees
PAYROLL_READERS = {
    "koordination": {SIEGEN, KREUZTAL, BRUECKE},
    "siegen": {SIEGEN},
    "traeger": {BRUECKE},
    "cm-siegen": set(),
    "cm-kreuztal": set(),
    "cm-traeger": set(),
    "teamlead-siegen": set(),
    "abh": set(),
    "rat": set(),
    "dsb": set(),
    "admin": set(),
}


@pytest.mark.parametrize("persona", sorted(PAYROLL_READERS))
def test_payroll_is_seen_only_by_coordination_and_the_employer(login_as, persona: str) -> None:
    client = login_as(persona)
    for home in (SIEGEN, KREUZTAL, BRUECKE):
        position = _post(home)
        allowed = home in PAYROLL_READERS[persona]
        detail = client.get(f"/programm/stellen/{position.code}/")
        if detail.status_code == 200:
            text = detail.content.decode()
            assert ('id="h-payroll"' in text) is allowed, (persona, home)
            assert ("/ist-kosten/" in text) is allowed, (persona, home)  # no trace, no link
        else:
            assert not allowed
        expected = 200 if allowed else 404
        for url in (
            f"/programm/stellen/{position.code}/ist-kosten/",
            f"/programm/stellen/{position.code}/ist-kosten/neu/",
            f"/programm/stellen/{position.code}/ist-kosten/export.csv",
            f"/programm/ist-kosten/{position.home.code}/",
        ):
            assert client.get(url).status_code == expected, (persona, home, url)


def test_viewing_payroll_is_logged_once_per_page_view(login_as) -> None:
    position = _post(SIEGEN)
    client = login_as("siegen")
    before = AuditEvent.objects.filter(event_type=EventType.PAYROLL_READ).count()
    client.get(f"/programm/stellen/{position.code}/")
    assert AuditEvent.objects.filter(event_type=EventType.PAYROLL_READ).count() == before + 1
    login_as("teamlead-siegen").get(f"/programm/stellen/{position.code}/")
    assert AuditEvent.objects.filter(event_type=EventType.PAYROLL_READ).count() == before + 1


def test_post_page_queries_stay_flat_with_many_cost_rows(login_as) -> None:
    position = _post(SIEGEN)
    client = login_as("koordination")
    url = f"/programm/stellen/{position.code}/?jahr=2025"
    ActualCost.objects.filter(position=position).delete()
    ActualCost.objects.create(
        position=position, month=dt.date(2025, 1, 1), amount=1, source="manual"
    )
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    ActualCost.objects.bulk_create(
        ActualCost(position=position, month=dt.date(year, m, 1), amount=m, source="manual")
        for year in range(2015, 2026)
        for m in range(1, 13)
        if (year, m) != (2025, 1)
    )
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200 and 'id="payroll-months"' in response.content.decode()
    assert len(many) == len(few), [q["sql"][:80] for q in many]


# --- entering by hand, optimistic locking --------------------------------------------------------


def test_record_correct_and_delete_by_hand_with_german_errors(login_as) -> None:
    position = _post(SIEGEN)
    ActualCost.objects.filter(position=position).delete()
    client = login_as("siegen")
    add = f"/programm/stellen/{position.code}/ist-kosten/neu/"
    page = client.post(add, {"month": "13.2024", "kind": "personnel", "amount": "1"})
    assert 'id="id_month_error"' in page.content.decode()
    page = client.post(add, {"month": "03.2024", "kind": "personnel", "amount": "-1"})
    assert 'id="id_amount_error"' in page.content.decode()
    assert (
        client.post(
            add, {"month": "03.2024", "kind": "personnel", "amount": "4.321,09"}
        ).status_code
        == 302
    )
    cost = ActualCost.objects.get(position=position)
    assert cost.amount == Decimal("4321.09") and cost.source == CostSource.MANUAL
    again = client.post(add, {"month": "03.2024", "kind": "personnel", "amount": "1"})
    assert 'id="id_month_error"' in again.content.decode()  # correct the row instead
    event = AuditEvent.objects.filter(event_type=EventType.COST_RECORDED).latest("id")
    assert event.extra == {"change": "created", "month": "2024-03", "kind": "personnel"}

    edit = f"/programm/stellen/{position.code}/ist-kosten/{cost.code}/"
    assert client.get(edit).status_code == 200
    # Someone else corrects the row after this form was loaded: the save is refused.
    payroll_actions.record_cost(
        position,
        acting_user=None,
        month=cost.month,
        amount=Decimal("1000"),
        expected_version=cost.version,
    )
    stale = client.post(edit, {"amount": "5000", "note": "", "version": cost.version})
    assert stale.status_code == 200 and 'id="edit-conflict"' in stale.content.decode()
    cost.refresh_from_db()
    assert cost.amount == Decimal("1000.00") and cost.version == 2
    fresh = client.post(edit, {"amount": "5.000,00", "note": "Nachzahlung", "version": 2})
    assert fresh.status_code == 302
    cost.refresh_from_db()
    assert (cost.amount, cost.note, cost.version) == (Decimal("5000.00"), "Nachzahlung", 3)

    delete = f"/programm/stellen/{position.code}/ist-kosten/{cost.code}/loeschen/"
    assert client.post(delete, {"version": 2}).status_code == 200  # stale: refused
    assert ActualCost.objects.filter(pk=cost.pk).exists()
    assert client.post(delete, {"version": 3}).status_code == 302
    assert not ActualCost.objects.filter(pk=cost.pk).exists()


# --- grants: payments and the proof deadline ---------------------------------------------------


def test_grant_page_is_the_coordination_s(login_as) -> None:
    grant = Grant.objects.filter(year=2026, baustein="B2").get()
    url = f"/programm/bescheide/{grant.code}/"
    for persona in ("siegen", "traeger", "admin", "rat", "dsb", "cm-siegen"):
        assert login_as(persona).get(url).status_code == 404, persona
    client = login_as("koordination")
    assert client.get(url).status_code == 200
    response = client.post(
        f"{url}zahlung/", {"received_on": "15.02.2026", "amount": "199.500,00", "note": ""}
    )
    assert response.status_code == 302
    assert GrantPayment.objects.get(grant=grant).amount == Decimal("199500.00")
    too_much = client.post(
        f"{url}zahlung/", {"received_on": "15.05.2026", "amount": "700.000,00", "note": ""}
    )
    assert 'id="id_amount_error"' in too_much.content.decode()
    assert client.post(f"{url}frist/", {"months": "9"}).status_code == 302
    grant.refresh_from_db()
    assert grant.proof_due_on == dt.date(2027, 9, 30)
    assert AuditEvent.objects.filter(
        event_type=EventType.GRANT_PAYMENT_RECORDED, subject_code=grant.code
    ).exists()


def test_due_rules_are_shown_with_the_rates(login_as) -> None:
    text = login_as("siegen").get("/programm/saetze/").content.decode()
    assert 'id="due-rules"' in text and "nicht bestätigt" in text


# --- the demo's 2025 ------------------------------------------------------------------------


def test_demo_coordination_post_is_vacant_for_a_quarter_of_2025() -> None:
    post = Position.objects.get(title="Koordination KIM 2")
    assert post.status_on(dt.date(2025, 3, 15)) == "filled"
    assert post.status_on(dt.date(2025, 4, 15)) == "vacant"
    assert post.status_on(dt.date(2025, 6, 15)) == "vacant"
    assert post.status_on(dt.date(2025, 7, 15)) == "filled"
    holders = [i.staff.pseudonym for i in post.incumbencies.order_by("start")]
    assert holders == ["CO-02", "CO-04"]
    months = set(
        ActualCost.objects.filter(position=post, month__year=2025).values_list(
            "month__month", flat=True
        )
    )
    assert months == {1, 2, 3, 7, 8, 9, 10, 11, 12}


def test_demo_payroll_and_payments_are_complete_and_idempotent() -> None:
    kreis = Organisation.objects.get(ags="05970")
    for grant in Grant.objects.filter(recipient=kreis, year=2025):
        payments = list(grant.payments.order_by("received_on"))
        assert [p.received_on.month for p in payments] == [2, 5, 8, 11]
        assert sum(p.amount for p in payments) == grant.amount
    siegen = _org(SIEGEN)
    imported = ActualCost.objects.filter(position__home=siegen, month__year=2025)
    assert imported.exists() and not imported.filter(batch__isnull=True).exists()
    assert PayrollImport.objects.filter(organisation=siegen).exists()
    for position in Position.objects.filter(region=kreis):
        filled = {m for m in range(1, 13) if position.status_on(dt.date(2025, m, 15)) == "filled"}
        recorded = set(
            position.actual_costs.filter(month__year=2025).values_list("month__month", flat=True)
        )
        assert recorded == filled, position.title
    counts = (ActualCost.objects.count(), GrantPayment.objects.count())
    from kim.organisations.demo import demo_organisations

    seed_payroll(demo_organisations())
    assert (ActualCost.objects.count(), GrantPayment.objects.count()) == counts
