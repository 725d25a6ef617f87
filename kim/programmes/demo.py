"""Programme part of the demo world (fictional staff and internal dealings, public rates).

B1: 4 coordination VZÄ + 0.5 Verwaltungsassistenz at the Kommunales Integrationszentrum.
B2: 14 VZÄ distributed across the towns by population at 31.12.2019 (largest remainder,
    minimum 0.5 – Kreuztal gets 1.5, as reported); two of Siegen's posts are placed with a
    (fictional) welfare agency; a mix of statuses, holders and qualification states.
B3: one post at the Kreis Ausländerbehörde and one at the Stadt Siegen's until the 2025 merger
    (0.5 vs 1.0 VZÄ is UNCONFIRMED in the brief; the demo uses 1.0).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from kim.core.exports import csv_bytes
from kim.organisations.models import Organisation
from kim.programmes import actions, allocation, payroll_actions, queries
from kim.programmes.models import (
    ActualCost,
    AllocationScenario,
    CostKind,
    Grant,
    GrantPayment,
    Position,
)
from kim.programmes.payroll import month_states

D = Decimal
DEMO_NOTE = "Demo (fiktiv)"


def _grants(kreis: Organisation, bra: Organisation) -> None:
    for year in (2025, 2026):
        for baustein, vze, amount in (
            ("B1", D("4.5"), D("250500")),
            ("B2", D("14"), D("798000")),
            ("B3", D("2"), D("114000")),
        ):
            if Grant.objects.filter(recipient=kreis, year=year, baustein=baustein).exists():
                continue
            actions.create_grant(
                acting_user=None,
                recipient=kreis,
                grantor=bra,
                year=year,
                baustein=baustein,
                approved_vze=vze,
                amount=amount,
                notice_date=dt.date(year - 1, 12, 15) if year == 2026 else dt.date(2025, 3, 3),
                period_start=dt.date(year, 1, 1),
                period_end=dt.date(year, 12, 31),
                file_reference=f"36.{year}-KIM-{baustein} ({DEMO_NOTE})",
                conditions="ANBest-G; Verwendungsnachweis bis 30.06. des Folgejahres (Demo-Annahme)",
            )


def _post(kreis: Organisation, **fields: object) -> Position:
    return actions.create_position(acting_user=None, region=kreis, status="approved", **fields)  # type: ignore[arg-type]


def _fill(position: Position, pseudonym: str, start: dt.date, *, certified: bool = True) -> None:
    staff = actions.create_staff_member(
        acting_user=None, employer=position.home, pseudonym=pseudonym
    )
    actions.assign_incumbent(position, acting_user=None, staff=staff, start=start)
    actions.record_qualification(
        staff,
        acting_user=None,
        state="in_training",
        on=start,
        provider="Weiterbildung Case Management (Demo)",
    )
    if certified:
        actions.record_qualification(
            staff,
            acting_user=None,
            state="certified",
            on=start + dt.timedelta(days=300),
            provider="DGCC-zertifizierte Weiterbildung (Demo)",
        )


def _b1(kreis: Organisation) -> None:
    ki = kreis.units.filter(short_name="KI").first()
    steps = [
        (3, "CO-01", dt.date(2021, 1, 1)),
        (2, "CO-02", dt.date(2022, 4, 1)),
        (1, "CO-03", dt.date(2023, 9, 1)),
    ]
    for number, (step, pseudonym, start) in enumerate(steps, start=1):
        post = _post(
            kreis,
            status_from=start,
            baustein="B1",
            title=f"Koordination KIM {number}",
            vze=D(1),
            home=kreis,
            unit=ki,
            employer_type="municipal",
            pay_group="E 11",
            entry_step=step,
            step_since=start,
            tasks="Strategische Steuerung, Lenkungsgruppe, Arbeitsgruppen, Schnittstellenmanagement",
        )
        _fill(post, pseudonym, start, certified=False)
        if number == 2:
            # Vacant for a quarter in 2025 (the proof of use shows the vacancy rule at work):
            # CO-02 leaves on 31.03.2025, CO-04 (in training) takes over on 01.07.2025.
            incumbency = post.incumbencies.get()
            actions.end_incumbency(incumbency, acting_user=None, end=dt.date(2025, 3, 31))
            _fill(post, "CO-04", dt.date(2025, 7, 1), certified=False)
    vacant = _post(
        kreis,
        status_from=dt.date(2024, 1, 1),
        baustein="B1",
        title="Koordination KIM 4",
        vze=D(1),
        home=kreis,
        unit=ki,
        employer_type="municipal",
        pay_group="E 11",
        entry_step=1,
        tasks="Datenmanagement und Berichtswesen",
    )
    actions.change_position_status(
        vacant, acting_user=None, status="advertised", valid_from=dt.date(2026, 9, 1)
    )
    va = _post(
        kreis,
        status_from=dt.date(2021, 1, 1),
        baustein="B1",
        title="Verwaltungsassistenz KIM",
        vze=D("0.5"),
        home=kreis,
        unit=ki,
        employer_type="municipal",
        rate_kind="va_half",
        tasks="Verwaltung, Haushalt, Verwendungsnachweise",
    )
    _fill(va, "VA-01", dt.date(2021, 3, 1), certified=False)


def _b2(kreis: Organisation, towns: dict[str, Organisation]) -> None:
    inputs = allocation.Inputs(
        region=kreis,
        total=D(14),
        step=D("0.5"),
        minimum=D("0.5"),
        method="largest-remainder",
        key="population",
        as_of=dt.date(2019, 12, 31),
    )
    scenario = actions.save_scenario(
        acting_user=None, inputs=inputs, name="B2 nach Einwohnern 2019 (Demo)", baustein="B2"
    )
    inputs_sl = allocation.Inputs(
        region=kreis,
        total=D(14),
        step=D("0.5"),
        minimum=D(0),
        method="sainte-lague",
        key="population",
        as_of=dt.date(2019, 12, 31),
    )
    actions.save_scenario(
        acting_user=None,
        inputs=inputs_sl,
        name="B2 Sainte-Laguë ohne Mindestausstattung (Demo)",
        baustein="B2",
    )
    posts = actions.adopt_scenario(scenario, acting_user=None, planned_from=dt.date(2022, 1, 1))
    siegen_posts = [p for p in posts if p.home_id == towns["Siegen"].pk]
    # Two of Siegen's posts are offered to welfare agencies in the demo call for expressions of
    # interest (kim.partners.demo); its award moves them to the winning agency.
    for position in siegen_posts[:2]:
        actions.update_position(
            position,
            acting_user=None,
            expected_version=position.version,
            tasks="Case Management für Geflüchtete und Neuzugewanderte, Schwerpunkt Familien (Träger)",
        )
    pseudonym = 0
    for index, position in enumerate(Position.objects.filter(scenario=scenario).order_by("id")):
        position.refresh_from_db()
        group = "S 12" if index % 2 else "E 9c"
        step = 1 + index % 3
        actions.update_position(
            position,
            acting_user=None,
            expected_version=position.version,
            pay_group=group,
            entry_step=step,
            step_since=dt.date(2023, 1, 1),
            tasks=position.tasks
            or "Rechtskreisübergreifendes Case Management nach DGCC; Lotsenfunktion zu Jobcenter, Ausländerbehörde und Jugendamt",
        )
        actions.change_position_status(
            position, acting_user=None, status="approved", valid_from=dt.date(2022, 6, 1)
        )
        if index % 7 == 6:
            actions.change_position_status(
                position, acting_user=None, status="advertised", valid_from=dt.date(2026, 10, 1)
            )
            continue
        pseudonym += 1
        _fill(position, f"CM-{pseudonym:02d}", dt.date(2023, 1, 1), certified=index % 4 != 3)
        actions.set_funding_period(
            position, acting_user=None, source="kim", valid_from=dt.date(2023, 1, 1)
        )
    first_holder = Position.objects.filter(scenario=scenario, home=towns["Netphen"]).first()
    if first_holder is not None:
        incumbency = first_holder.incumbencies.filter(end__isnull=True).first()
        if incumbency is not None:
            actions.end_incumbency(incumbency, acting_user=None, end=dt.date(2026, 6, 30))


def _b3(kreis: Organisation, abh_kreis: Organisation, abh_siegen: Organisation) -> None:
    kreis_post = _post(
        kreis,
        status_from=dt.date(2020, 7, 1),
        baustein="B3",
        title="Bleiberecht und Einbürgerung (B3)",
        vze=D(1),
        home=abh_kreis,
        employer_type="municipal",
        pay_group="E 9c",
        entry_step=3,
        step_since=dt.date(2022, 7, 1),
        tasks="Potenzialanalyse §§ 25a/25b AufenthG, Einbürgerungsberatung",
    )
    _fill(kreis_post, "B3-01", dt.date(2020, 9, 1), certified=False)
    siegen_post = _post(
        kreis,
        status_from=dt.date(2020, 7, 1),
        baustein="B3",
        title="Bleiberecht (B3), Stadt Siegen",
        vze=D(1),
        home=abh_siegen,
        employer_type="municipal",
        pay_group="E 9b",
        entry_step=2,
        step_since=dt.date(2020, 10, 1),
        tasks="Aufenthaltsrechtliche Beratung; Übergang in die Kreis-ABH 2025",
    )
    _fill(siegen_post, "B3-02", dt.date(2020, 10, 1), certified=False)
    incumbency = siegen_post.incumbencies.get()
    actions.end_incumbency(incumbency, acting_user=None, end=dt.date(2025, 6, 30))
    actions.change_position_status(
        siegen_post,
        acting_user=None,
        status="discontinued",
        valid_from=dt.date(2025, 7, 1),
        note="ABH-Zusammenlegung (Datum: Demo-Annahme)",
    )


def seed_programme(orgs: dict[str, Organisation]) -> None:
    """Idempotent: does nothing once the Kreis has any position."""
    actions.load_reference_data(acting_user=None)
    kreis = orgs["kreis"]
    _grants(kreis, orgs["bra"])
    if (
        Position.objects.filter(region=kreis).exists()
        or AllocationScenario.objects.filter(region=kreis).exists()
    ):
        return
    _b1(kreis)
    _b2(kreis, orgs)
    abh_siegen = Organisation.objects.get(name="Ausländerbehörde Stadt Siegen")
    _b3(kreis, orgs["abh_kreis"], abh_siegen)


# --- actual cost and Land payments of 2025 (D-086) ---------------------------------------------

PAYROLL_YEAR = 2025
VA_MONTHLY = D("2310.00")  # the Verwaltungsassistenz has no pay group: a plausible 0.5 E 8
PAYMENT_DAYS = ((2, 15), (5, 15), (8, 15), (11, 15))


def _monthly_amounts(position: Position, rules: object, rates: object) -> dict[int, Decimal]:
    """Month → employer cost for each month of 2025 in which the post was filled (on the
    15th): the forecast's cost of the year ÷ its months, varied by a few euros per month."""
    filled, _vacant = month_states(position, PAYROLL_YEAR)
    if not filled:
        return {}
    rows = queries.position_costs(
        position,
        years=range(PAYROLL_YEAR, PAYROLL_YEAR + 1),
        rules=rules,
        rates=rates,  # type: ignore[arg-type]
    )
    base = VA_MONTHLY
    if rows and rows[0].months:
        base = (rows[0].employer_cost / rows[0].months).quantize(D("0.01"))
    return {m: base + D((m * 7 + position.pk) % 11 - 5) for m in filled}


def _month_text(month: int) -> str:
    return f"{month:02d}.{PAYROLL_YEAR}"


def _amount_text(amount: Decimal) -> str:
    whole, cents = f"{amount:.2f}".split(".")
    return f"{int(whole):,}".replace(",", ".") + "," + cents


def seed_payroll(orgs: dict[str, Organisation]) -> None:
    """Actual cost of 2025 for every demo post and month it was filled, and the Land's four
    quarterly payments on each 2025 grant. Idempotent (nothing twice).

    The Kreis' own B1 posts are entered by hand (``record_cost``); every other employer's rows
    come in as one payroll file each through ``import_payroll`` – the Stadt Siegen's by the
    holders' pseudonyms, the others by post code – so the demo exercises the import."""
    kreis, siegen = orgs["kreis"], orgs["Siegen"]
    _payments(kreis)
    if ActualCost.objects.filter(position__region=kreis).exists():
        return
    posts = list(queries.with_cost_history(Position.objects.filter(region=kreis)).order_by("id"))
    rules, rates = queries.DatabasePayRules(), queries.FundingRates()
    files: dict[int, list[list[str]]] = {}
    homes: dict[int, Organisation] = {}
    for position in posts:
        amounts = _monthly_amounts(position, rules, rates)
        if not amounts:
            continue
        if position.home_id == kreis.pk:
            for month, amount in amounts.items():
                payroll_actions.record_cost(
                    position,
                    acting_user=None,
                    month=dt.date(PAYROLL_YEAR, month, 1),
                    kind=CostKind.PERSONNEL,
                    amount=amount,
                    note=DEMO_NOTE,
                )
            continue
        homes[position.home_id] = position.home
        by_pseudonym = position.home_id == siegen.pk
        for month, amount in amounts.items():
            holders = position.incumbents_on(dt.date(PAYROLL_YEAR, month, 15))
            pseudonym = holders[0].staff.pseudonym if by_pseudonym and len(holders) == 1 else ""
            code = "" if pseudonym else position.code
            files.setdefault(position.home_id, []).append(
                [code, pseudonym, _month_text(month), _amount_text(amount), "Personal"]
            )
    for home_id, rows in files.items():
        home = homes[home_id]
        data = csv_bytes(["Stelle", "Pseudonym", "Monat", "Betrag", "Art"], rows)
        payroll_actions.import_payroll(
            home,
            acting_user=None,
            name=f"lohnexport-{PAYROLL_YEAR}-{home.code}.csv",
            data=data,
        )


def _payments(kreis: Organisation) -> None:
    for grant in Grant.objects.filter(recipient=kreis, year=PAYROLL_YEAR):
        if GrantPayment.objects.filter(grant=grant).exists():
            continue
        quarter = (grant.amount / 4).quantize(D("0.01"))
        for number, (month, day) in enumerate(PAYMENT_DAYS, start=1):
            amount = quarter if number < 4 else grant.amount - 3 * quarter
            payroll_actions.record_grant_payment(
                grant,
                acting_user=None,
                received_on=dt.date(PAYROLL_YEAR, month, day),
                amount=amount,
                note=f"Abschlag {number}/4 ({DEMO_NOTE})",
            )
