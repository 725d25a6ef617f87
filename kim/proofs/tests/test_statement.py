"""The financial statement adds up: checked against an independent computation (D-085).

The independent computation below reads the database directly – status rows, rate rows, cost
rows, payments – month by month with plain queries, without the statement module's prefetches,
``RateBook`` or ``Position.status_on``. Both must agree to the cent on every post and total.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import call_command
from django.db.models import Q, Sum

from kim.audit.models import AuditEvent, EventType
from kim.organisations.models import Organisation
from kim.partners import actions as partner_actions
from kim.partners.models import Agreement, Payment
from kim.programmes import actions as programme_actions
from kim.programmes.models import (
    ActualCost,
    DueRuleKind,
    FundingDueRule,
    FundingPeriod,
    FundingRate,
    Grant,
    GrantPayment,
    Position,
    PositionStatusChange,
)
from kim.proofs import render
from kim.proofs.models import Proof, ProofStatus
from kim.proofs.statement import NoGrant, Statement, land_statement

YEAR = 2025
CENT = Decimal("0.01")
pytestmark = pytest.mark.django_db


def _kreis() -> Organisation:
    return Organisation.objects.get(name="Kreis Siegen-Wittgenstein")


# --- the independent computation ------------------------------------------------------------


def _status(position: Position, day: dt.date) -> str | None:
    row = (
        PositionStatusChange.objects.filter(position=position, valid_from__lte=day)
        .order_by("-valid_from", "-id")
        .first()
    )
    return row.status if row else None


def _kim_funded(position: Position, day: dt.date) -> bool:
    row = (
        FundingPeriod.objects.filter(position=position, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("-valid_from", "-id")
        .first()
    )
    return row is None or row.source == "kim"


def _rate(baustein: str, kind: str, day: dt.date) -> Decimal:
    row = (
        FundingRate.objects.filter(baustein=baustein, kind=kind, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("-valid_from")
        .first()
    )
    return row.amount if row else Decimal(0)


def _rule(day: dt.date) -> str:
    row = (
        FundingDueRule.objects.filter(valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("-valid_from")
        .first()
    )
    return row.rule if row else DueRuleKind.FILLED_MONTHS


def _expected_post(position: Position) -> dict[str, Decimal | int]:
    due, filled = Decimal(0), 0
    for month in range(1, 13):
        day = dt.date(YEAR, month, 15)
        status = _status(position, day)
        filled += status == "filled"
        counts = status == "filled"
        if _rule(day) == DueRuleKind.FULL_YEAR:
            counts = status in ("approved", "advertised", "filled", "vacant")
        if counts and _kim_funded(position, day):
            rate = _rate(position.baustein, position.rate_kind, day)
            per_vza = rate * 2 if position.rate_kind == "va_half" else rate
            due += per_vza * position.vze / 12
    cost = ActualCost.objects.filter(position=position, month__year=YEAR, kind="personnel")
    return {
        "due": due.quantize(CENT, rounding=ROUND_HALF_UP),
        "filled": filled,
        "cost": cost.aggregate(s=Sum("amount"))["s"] or Decimal(0),
    }


def _independent(kreis: Organisation) -> dict[str, Decimal]:
    grants = Grant.objects.filter(recipient=kreis, year=YEAR)
    received = GrantPayment.objects.filter(grant__in=grants).aggregate(s=Sum("amount"))["s"]
    agreements = Agreement.objects.filter(
        grantor=kreis, period_start__lte=dt.date(YEAR, 12, 31), period_end__gte=dt.date(YEAR, 1, 1)
    )
    passed_posts = set(
        Position.objects.filter(agreements__in=agreements).values_list("pk", flat=True)
    )
    passed_on = Payment.objects.filter(
        agreement__in=agreements, kind="payment", done_on__isnull=False, due_on__year=YEAR
    ).aggregate(s=Sum("amount"))["s"]
    due = personnel = Decimal(0)
    bausteine = set(grants.values_list("baustein", flat=True))
    for position in Position.objects.filter(region=kreis, baustein__in=bausteine):
        expected = _expected_post(position)
        due += expected["due"]  # type: ignore[operator]
        if position.pk not in passed_posts:
            personnel += expected["cost"]  # type: ignore[operator]
    return {
        "received": received or Decimal(0),
        "passed_on": passed_on or Decimal(0),
        "due": due,
        "personnel": personnel,
    }


# --- data on top of the demo world ----------------------------------------------------------


def _post(kreis: Organisation, title: str) -> Position:
    return Position.objects.get(region=kreis, title=title)


@pytest.fixture
def year_data(db: None) -> dict[str, object]:
    """Payments on the grants, payroll for the B1 posts, a three-month vacancy, an agreement."""
    kreis = _kreis()
    for grant in Grant.objects.filter(recipient=kreis, year=YEAR):
        GrantPayment.objects.get_or_create(
            grant=grant, received_on=dt.date(YEAR, 3, 1), defaults={"amount": grant.amount}
        )
    vacated = _post(kreis, "Koordination KIM 3")
    PositionStatusChange.objects.create(
        position=vacated, status="vacant", valid_from=dt.date(YEAR, 4, 1)
    )
    PositionStatusChange.objects.create(
        position=vacated, status="filled", valid_from=dt.date(YEAR, 7, 1)
    )
    for title, monthly in (("Koordination KIM 1", "5432.10"), ("Koordination KIM 3", "5100.00")):
        post = _post(kreis, title)
        for month in range(1, 13):
            ActualCost.objects.update_or_create(
                position=post,
                month=dt.date(YEAR, month, 1),
                kind="personnel",
                defaults={"amount": Decimal(monthly), "source": "manual"},
            )
    siegen = Organisation.objects.get(name="Stadt Siegen")
    siegen_posts = list(
        Position.objects.filter(region=kreis, home=siegen, baustein="B2").order_by("id")
    )
    agreement = partner_actions.create_agreement(
        acting_user=None,
        grantor=kreis,
        recipient=siegen,
        kind="notice",
        title="Weiterleitung Test 2025",
        signed_on=dt.date(YEAR - 1, 12, 1),
        period_start=dt.date(YEAR, 1, 1),
        period_end=dt.date(YEAR, 12, 31),
        amounts=[(YEAR, Decimal("171000.00"), Decimal(0))],
        positions=siegen_posts,
    )
    payment = partner_actions.add_payment(
        agreement,
        acting_user=None,
        kind="payment",
        due_on=dt.date(YEAR, 2, 1),
        amount=Decimal("85500.00"),
    )
    partner_actions.mark_payment_done(payment, acting_user=None, done_on=dt.date(YEAR, 2, 1))
    # Cost rows of a passed-on post are the recipient's proof, not the Kreis' expenditure.
    ActualCost.objects.update_or_create(
        position=siegen_posts[0],
        month=dt.date(YEAR, 1, 1),
        kind="personnel",
        defaults={"amount": Decimal("9999.99"), "source": "manual"},
    )
    return {
        "kreis": kreis,
        "agreement": agreement,
        "vacated": vacated,
        "siegen_posts": siegen_posts,
    }


def test_the_demo_year_adds_up_against_an_independent_computation(db: None) -> None:
    kreis = _kreis()
    statement = land_statement(kreis, YEAR)
    expected = _independent(kreis)
    assert statement.land_received == expected["received"]
    assert statement.passed_on == expected["passed_on"]
    assert statement.land_funding_due == expected["due"]
    assert statement.personnel == expected["personnel"]
    assert statement.balance == statement.land_received - statement.land_funding_due


def test_the_statement_adds_up_with_payments_costs_vacancy_and_pass_through(
    year_data: dict[str, object],
) -> None:
    kreis = _kreis()
    statement = land_statement(kreis, YEAR)
    expected = _independent(kreis)
    assert statement.land_received == expected["received"] > 0
    assert statement.passed_on == expected["passed_on"] >= Decimal("85500.00")
    assert statement.land_funding_due == expected["due"]
    assert statement.personnel == expected["personnel"]
    assert (
        statement.expenditure_total == statement.personnel + statement.setup + statement.passed_on
    )
    assert (
        statement.income_total
        == statement.land_received + statement.own_funds + statement.third_party
    )
    # Every post line agrees with the independent month-by-month computation.
    for line in statement.posts:
        post = Position.objects.get(code=line.code)
        independent = _expected_post(post)
        assert line.land_funding_due == independent["due"], line.title
        assert line.months_filled == independent["filled"], line.title
    # The three vacant months cost the Kreis a quarter of a coordination post.
    vacated = next(p for p in statement.posts if p.title == "Koordination KIM 3")
    assert (vacated.months_filled, vacated.months_vacant) == (9, 3)
    assert vacated.land_funding_due == Decimal("42750.00")  # 57,000 € × 9/12
    assert vacated.actual_cost == Decimal("61200.00")
    # The passed-on Siegen post counts for the funding due, its cost for Siegen's own proof.
    passed = next(p for p in statement.posts if p.code == year_data["siegen_posts"][0].code)  # type: ignore[index]
    assert passed.passed_to == "Stadt Siegen"
    assert passed.actual_cost is None
    assert statement.balance > 0 and statement.balance_kind == "reclaim"
    assert "to be paid back" in statement.balance_text or "zurückzuzahlen" in statement.balance_text


def test_the_json_has_the_shape_of_the_issue(year_data: dict[str, object]) -> None:
    data = land_statement(_kreis(), YEAR).to_json()
    assert set(data) == {
        "kreis", "year", "grant", "income", "expenditure", "land_funding_due", "balance",
        "posts", "recipients",
    }  # fmt: skip
    assert set(data["income"]) == {"land_received", "own_funds", "third_party", "total"}
    assert set(data["expenditure"]) == {"personnel", "setup", "passed_on", "total"}
    money = [*data["income"].values(), *data["expenditure"].values(), data["balance"]]
    assert all(isinstance(v, str) and v.rsplit(".", 1)[1].__len__() == 2 for v in money)
    e = {k: Decimal(v) for k, v in data["expenditure"].items()}
    assert e["total"] == e["personnel"] + e["setup"] + e["passed_on"]
    assert Decimal(data["land_funding_due"]) == sum(
        Decimal(p["land_funding_due"]) for p in data["posts"]
    )
    assert Decimal(data["balance"]) == Decimal(data["income"]["land_received"]) - Decimal(
        data["land_funding_due"]
    )
    post = data["posts"][0]
    assert set(post) == {
        "code", "baustein", "vza", "months_filled", "actual_cost", "rate_per_vza_year",
        "land_funding_due",
    }  # fmt: skip
    assert isinstance(post["vza"], str) and isinstance(post["months_filled"], int)
    recipient = next(r for r in data["recipients"] if r["name"] == "Stadt Siegen")
    assert recipient["proof_status"] in {"missing", *ProofStatus.values}


def test_setup_cost_is_funded_up_to_the_setup_rate(year_data: dict[str, object]) -> None:
    post = _post(_kreis(), "Koordination KIM 1")
    ActualCost.objects.create(
        position=post,
        month=dt.date(YEAR, 5, 1),
        kind="setup",
        amount=Decimal("7000"),
        source="manual",
    )
    line = next(p for p in land_statement(_kreis(), YEAR).posts if p.code == post.code)
    assert line.setup_cost == Decimal("7000")
    assert line.funding_setup == Decimal("5700.00")  # the setup rate × 1 VZÄ, not the cost


def test_the_vacancy_rule_is_data_with_dates(year_data: dict[str, object]) -> None:
    kreis = _kreis()
    before = land_statement(kreis, YEAR)
    FundingDueRule.objects.create(
        rule=DueRuleKind.FULL_YEAR, valid_from=dt.date(YEAR, 1, 1), source="Testregel"
    )
    after = land_statement(kreis, YEAR)
    vacated = next(p for p in after.posts if p.title == "Koordination KIM 3")
    assert vacated.land_funding_due == Decimal("57000.00")
    assert after.land_funding_due > before.land_funding_due
    assert after.land_funding_due == _independent(kreis)["due"]
    assert "Testregel" in after.sources


def test_third_party_funds_come_from_the_proof_and_lower_the_own_funds(
    year_data: dict[str, object],
) -> None:
    kreis = _kreis()
    base = land_statement(kreis, YEAR)
    # The demo seeds the Kreis' Land proof 2025 (D-088); create it where it is missing.
    proof, _created = Proof.objects.update_or_create(
        region=kreis,
        organisation=kreis,
        year=YEAR,
        agreement=None,
        defaults={"due_on": dt.date(YEAR + 1, 6, 30), "third_party_funds": Decimal("1000.00")},
    )
    with_funds = land_statement(kreis, YEAR, proof=proof)
    assert with_funds.third_party == Decimal("1000.00")
    assert with_funds.own_funds == max(Decimal(0), base.own_funds - Decimal("1000.00"))


def test_frozen_figures_print_the_same_statement(year_data: dict[str, object]) -> None:
    statement = land_statement(_kreis(), YEAR)
    thawed = Statement.from_figures(json.loads(json.dumps(statement.figures())))
    assert thawed == statement


def test_a_year_without_grant_raises(db: None) -> None:
    with pytest.raises(NoGrant):
        land_statement(_kreis(), 2019)


def test_query_count_does_not_grow_with_posts_and_cost_rows(
    year_data: dict[str, object], django_assert_max_num_queries: object
) -> None:
    kreis = _kreis()
    with django_assert_max_num_queries(30):  # type: ignore[operator]
        small = land_statement(kreis, YEAR)
    for number in range(12):
        post = programme_actions.create_position(
            acting_user=None,
            region=kreis,
            status="filled",
            status_from=dt.date(YEAR, 1, 1),
            baustein="B2",
            title=f"Zusatzstelle {number}",
            vze=Decimal("1"),
            home=kreis,
            employer_type="municipal",
        )
        for month in range(1, 13):
            ActualCost.objects.create(
                position=post, month=dt.date(YEAR, month, 1), amount=Decimal("100"), source="manual"
            )
    with django_assert_max_num_queries(30):  # type: ignore[operator]
        large = land_statement(kreis, YEAR)
    assert len(large.posts) == len(small.posts) + 12


# --- outputs --------------------------------------------------------------------------------


def test_xlsx_is_laid_out_like_the_model_and_keeps_text_as_text(
    year_data: dict[str, object],
) -> None:
    from openpyxl import load_workbook

    agreement: Agreement = year_data["agreement"]  # type: ignore[assignment]
    agreement.recipient.name = '=HYPERLINK("http://x")'
    agreement.recipient.save(update_fields=["name"])
    statement = land_statement(_kreis(), YEAR)
    book = load_workbook(io.BytesIO(render.statement_xlsx(statement, place="Siegen")))
    assert book.sheetnames[:3] == ["Verwendungsnachweis", "Anlage 1", "Anlage 2"]
    front = book["Verwendungsnachweis"]
    texts = [c.value for row in front.iter_rows() for c in row if isinstance(c.value, str)]
    assert "I. Einnahmen" in texts and "II. Ausgaben" in texts and "III. Ergebnis" in texts
    assert any("36.2025-KIM-B1" in t for t in texts)  # the grant notice numbers in the header
    assert "Ort, Datum" in texts
    formulas = [c for row in front.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    name = agreement.recipient.name
    hyperlink = [
        c for row in front.iter_rows() for c in row if isinstance(c.value, str) and name in c.value
    ]
    assert hyperlink and hyperlink[0].data_type == "s"
    amounts = {
        row[0].value.strip(): row[1].value
        for row in front.iter_rows(min_col=1, max_col=2)
        if isinstance(row[0].value, str) and isinstance(row[1].value, int | float)
    }
    assert Decimal(str(amounts["Summe der Ausgaben"])) == statement.expenditure_total


def test_docx_and_pdf_open_and_hold_the_figures(year_data: dict[str, object]) -> None:
    import subprocess

    from docx import Document

    statement = land_statement(_kreis(), YEAR)
    document = Document(io.BytesIO(render.statement_docx(statement)))
    text = "\n".join(
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    )
    assert "Summe der Ausgaben" in text
    assert zipfile.is_zipfile(io.BytesIO(render.statement_docx(statement)))
    pdf = render.statement_pdf(statement)
    assert pdf.startswith(b"%PDF")
    plain = subprocess.run(
        ["pdftotext", "-layout", "-", "-"],  # noqa: S607 - poppler-utils from Debian
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert "III. Ergebnis" in plain and "Anlage 1" in plain


# --- CLI ------------------------------------------------------------------------------------


def _cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("land-report", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_cli_writes_the_json_and_records_the_export(year_data: dict[str, object]) -> None:
    before = AuditEvent.objects.filter(event_type=EventType.PROOF_EXPORTED).count()
    code, out, _err = _cli("verwendungsnachweis", "--kreis", "05970", "--year", "2025")
    assert code == 0
    assert json.loads(out) == land_statement(_kreis(), YEAR).to_json()
    assert AuditEvent.objects.filter(event_type=EventType.PROOF_EXPORTED).count() == before + 1


def test_cli_writes_binary_formats_to_a_file(
    tmp_path: object, year_data: dict[str, object]
) -> None:
    from pathlib import Path

    target = Path(str(tmp_path)) / "vn.xlsx"
    code, _out, _err = _cli(
        "verwendungsnachweis",
        "--kreis",
        "05970",
        "--year",
        "2025",
        "--format",
        "xlsx",
        "--out",
        str(target),
    )
    assert code == 0 and zipfile.is_zipfile(target)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--kreis", "99999", "--year", "2025"), "Kein Kreis"),
        (("--kreis", "05970", "--year", "2019"), "keinen KIM-Zuwendungsbescheid"),
        (("--kreis", "05970", "--year", "2025", "--format", "pdf"), "--out DATEI"),
        (("--kreis", "05970", "--year", "zwanzig"), "Ungültiges Jahr"),
        (("--kreis", "05970", "--year", "2025", "--format", "csv"), "Unbekanntes Format"),
    ],
)
def test_cli_refuses_bad_input_in_german(args: tuple[str, ...], message: str) -> None:
    code, out, err = _cli("verwendungsnachweis", *args)
    assert code == 2
    assert message in err and out == ""
