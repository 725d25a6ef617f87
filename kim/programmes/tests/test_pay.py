"""Personnel cost under TVöD: the brief's worked example, the reference data, steps and years.

Known answers come from the domain brief §6 (worked example: 2025 tables, Jahressonderzahlung
70.28 %); hand-computed values are written out as the arithmetic they stand for.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kim.programmes import reference_data as ref
from kim.programmes.pay import (
    StaticPayRules,
    add_years,
    entry_step,
    full_year_gross,
    group_in_band,
    next_step_date,
    pay_step_for_month,
    round_cents,
    scale_of_group,
    step_on,
    year_cost,
)

RULES = StaticPayRules()
D = Decimal
RATE_2025 = D("0.7028")


def euros(amount: Decimal) -> Decimal:
    return amount.quantize(D(1), rounding=ROUND_HALF_UP)


# --- the brief's worked example (§6.4) -------------------------------------------------------

WORKED_EXAMPLE = [
    # group, step, monthly 2025 (brief §6.2), annual gross, × 1.21, × 1.27 (brief §6.4)
    ("E 9c", 1, D("3901.48"), D("49560"), D("59967"), D("62941")),
    ("E 9c", 3, D("4469.61"), D("56777"), D("68700"), D("72106")),
    ("S 12", 1, D("3859.50"), D("49026"), D("59322"), D("62264")),
    ("S 12", 4, D("4769.97"), D("60592"), D("73316"), D("76952")),
    ("E 11", 1, D("4153.35"), D("52759"), D("63839"), D("67004")),
]


@pytest.mark.parametrize(("group", "step", "monthly", "gross", "si_only", "total"), WORKED_EXAMPLE)
def test_worked_example_matches_the_brief(
    group: str,
    step: int,
    monthly: Decimal,
    gross: Decimal,
    si_only: Decimal,
    total: Decimal,
) -> None:
    assert RULES.special_rate(group, 2025) == RATE_2025
    result = full_year_gross(
        group=group, step=step, table_date=date(2025, 4, 1), special_rate=RATE_2025, rules=RULES
    )

    assert result == 12 * monthly + RATE_2025 * monthly
    assert euros(result) == gross
    assert euros(result * D("1.21")) == si_only
    assert euros(result * D("1.27")) == total


def test_worked_example_exact_cents() -> None:
    def gross(group: str, step: int) -> Decimal:
        return round_cents(
            full_year_gross(
                group=group,
                step=step,
                table_date=date(2025, 4, 1),
                special_rate=RATE_2025,
                rules=RULES,
            )
        )

    # 12 × 3,901.48 + 0.7028 × 3,901.48 = 46,817.76 + 2,741.960144
    assert gross("E 9c", 1) == D("49559.72")
    assert gross("E 9c", 3) == D("56776.56")
    assert gross("S 12", 1) == D("49026.46")
    assert gross("S 12", 4) == D("60591.97")
    assert gross("E 11", 1) == D("52759.17")


def test_worked_example_agrees_with_year_cost_for_a_full_year_at_2025_rates() -> None:
    """year_cost for a whole year under one table equals the brief's method."""
    rules = StaticPayRules(pay_table=[r for r in ref.PAY_TABLE if r.valid_from == date(2025, 4, 1)])
    cost = year_cost(
        group="E 9c", entry_step=1, step_since=date(2025, 1, 1), year=2025, vze=D(1), rules=rules
    )
    # Jan–Mar have no table in this reduced rule set: the 2025 table is carried back.
    assert cost.missing_table
    assert cost.gross == D("49559.72")
    assert cost.employer_cost == round_cents(D("49559.72") * D("1.27")) == D("62940.84")


def test_2026_widens_the_gap_as_the_brief_says() -> None:
    """Brief §6.4: E 9c Stufe 1 at full-year 2026 rates ≈ 51.5 k€ gross, ≈ 65.5 k€ × 1.27."""
    rate = RULES.special_rate("E 9c", 2026)
    assert rate == D("0.85")
    result = full_year_gross(
        group="E 9c", step=1, table_date=date(2026, 5, 1), special_rate=rate, rules=RULES
    )
    assert round_cents(result) == D("51537.75")  # 12.85 × 4,010.72
    assert round(result / 1000, 1) == D("51.5")
    assert round(result * D("1.27") / 1000, 1) == D("65.5")


# --- reference data --------------------------------------------------------------------------


def _rows_by_group() -> dict[str, dict[date, ref.PayRow]]:
    rows: dict[str, dict[date, ref.PayRow]] = defaultdict(dict)
    for row in ref.PAY_TABLE:
        assert row.valid_from not in rows[row.group], f"duplicate {row.group} {row.valid_from}"
        rows[row.group][row.valid_from] = row
    return rows


def rule_2025(value: Decimal) -> Decimal:
    return round_cents(max(value * D("1.03"), value + 110))


def rule_2026(value: Decimal) -> Decimal:
    return round_cents(value * D("1.028"))


def test_pay_table_has_the_brief_groups_and_dates() -> None:
    rows = _rows_by_group()
    assert set(rows) == {"E 9b", "E 9c", "E 10", "E 11", "S 11b", "S 12"}
    for group, by_date in rows.items():
        assert set(by_date) == {date(2024, 3, 1), date(2025, 4, 1), date(2026, 5, 1)}, group
        for row in by_date.values():
            assert row.scale == scale_of_group(group)


def test_computed_rows_follow_the_brief_rule_to_the_cent() -> None:
    """Validates the data entry: each COMPUTED row is recomputed from the row before it."""
    checked = 0
    for group, by_date in _rows_by_group().items():
        y2024, y2025, y2026 = (by_date[d] for d in sorted(by_date))
        for step in range(6):
            if y2025.computed:
                assert y2025.amounts[step] == rule_2025(y2024.amounts[step]), (group, step + 1)
                checked += 1
            assert y2026.computed
            assert y2026.amounts[step] == rule_2026(y2025.amounts[step]), (group, step + 1)
            checked += 1
    assert checked == 6 * 6 + 2 * 6  # all 2026 values, SuE 2025 values


def test_published_2025_general_table_also_matches_the_agreement() -> None:
    """The E rows for 2025 are copied from a published table; the agreement predicts them."""
    for group in ("E 9b", "E 9c", "E 10", "E 11"):
        by_date = _rows_by_group()[group]
        published = by_date[date(2025, 4, 1)]
        assert not published.computed and published.rule == ""
        before = by_date[date(2024, 3, 1)].amounts
        assert published.amounts == tuple(rule_2025(v) for v in before)


def test_pay_rows_are_well_formed() -> None:
    for row in ref.PAY_TABLE:
        assert len(row.amounts) == 6
        assert list(row.amounts) == sorted(row.amounts), f"{row.group} steps not ascending"
        assert all(a == round_cents(a) for a in row.amounts)
        assert bool(row.rule) == row.computed
        assert row.source


def test_step_rules_cover_both_tables() -> None:
    years = {(r.scale, r.step): r.years for r in ref.STEP_RULES}
    assert [years[("TVöD VKA", s)] for s in range(1, 7)] == [1, 2, 3, 4, 5, None]
    assert [years[("TVöD SuE", s)] for s in range(1, 7)] == [1, 3, 4, 4, 5, None]
    # Brief §6.3: a case manager (SuE) needs 17 years to reach the top step.
    assert sum(years[("TVöD SuE", s)] or 0 for s in range(1, 6)) == 17


def test_special_payment_rates() -> None:
    assert RULES.special_rate("E 9b", 2024) == D("0.7028")
    assert RULES.special_rate("E 11", 2025) == D("0.7028")
    assert RULES.special_rate("S 11b", 2025) == D("0.7028")
    assert RULES.special_rate("S 12", 2026) == D("0.85")
    assert RULES.special_rate("E 11", 2030) == D("0.85")
    assert RULES.special_rate("E 9c", 2023) is None  # the brief gives no earlier rate
    bands = {
        (r.group_from, r.group_to, r.valid_from.year): r.rate for r in ref.SPECIAL_PAYMENT_RATES
    }
    assert bands[("E 1", "E 8", 2024)] == D("0.8451")
    assert bands[("E 13", "E 15", 2024)] == D("0.5178")


def test_group_bands() -> None:
    assert group_in_band("E 9b", "E 9a", "E 12")
    assert group_in_band("E 9a", "E 9a", "E 12")
    assert group_in_band("E 12", "E 9a", "E 12")
    assert not group_in_band("E 8", "E 9a", "E 12")
    assert not group_in_band("E 13", "E 9a", "E 12")
    assert group_in_band("S 11b", "S 10", "S 18")
    assert not group_in_band("S 11b", "E 9a", "E 12")


def test_employer_add_on_default() -> None:
    (add_on,) = ref.EMPLOYER_ADD_ONS
    assert add_on.factor == D("1.27")
    assert not add_on.confirmed
    shares = dict(add_on.breakdown)
    social = sum(v for k, v in shares.items() if "kvw" not in k)
    assert social == D("0.2095")  # ≈ 21 % (brief §6.4)
    assert abs(1 + sum(shares.values()) - add_on.factor) < D("0.005")
    assert RULES.employer_factor(date(2025, 6, 1)) == D("1.27")
    assert RULES.employer_factor(date(2022, 1, 1)) == D("1.27")  # earliest used before it


def _fact(baustein: str, kind: str, on: date) -> ref.FundingRateFact:
    (fact,) = [
        f
        for f in ref.FUNDING_RATES
        if f.baustein == baustein
        and f.kind == kind
        and f.valid_from <= on
        and (f.valid_to is None or on <= f.valid_to)
    ]
    return fact


def test_funding_rates_follow_the_brief() -> None:
    assert _fact("B1", "per_vze", date(2021, 6, 1)).amount == D("55000")
    assert _fact("B1", "per_vze", date(2023, 6, 1)).amount == D("57000")
    assert _fact("B1", "per_vze", date(2023, 6, 1)).confirmed
    switch = _fact("B1", "per_vze", date(2022, 6, 1))
    assert "nicht bestätigt – bitte prüfen" in switch.note
    assert "UNCONFIRMED" in switch.internal_note  # the research trail, never shown
    assert _fact("B1", "va_half", date(2025, 1, 1)).amount == D("22500")
    assert _fact("B1", "non_personnel", date(2021, 1, 1)).amount == D("9700")
    assert _fact("B1", "workplace_setup", date(2025, 1, 1)).amount == D("5700")
    assert _fact("B2", "per_vze", date(2021, 1, 1)).amount == D("55000")
    b2_now = _fact("B2", "per_vze", date(2025, 1, 1))
    b3_now = _fact("B3", "per_vze", date(2025, 1, 1))
    assert (b2_now.amount, b2_now.confirmed) == (D("57000"), False)
    assert (b3_now.amount, b3_now.confirmed) == (D("57000"), False)
    assert not _fact("B3", "per_vze", date(2021, 1, 1)).confirmed


def test_funding_periods_do_not_overlap_and_keys_are_unique() -> None:
    by_key: dict[tuple[str, str], list[ref.FundingRateFact]] = defaultdict(list)
    for fact in ref.FUNDING_RATES:
        by_key[(fact.baustein, fact.kind)].append(fact)
    for key, facts in by_key.items():
        facts.sort(key=lambda f: f.valid_from)
        assert len({f.valid_from for f in facts}) == len(facts), key
        for earlier, later in itertools.pairwise(facts):
            assert earlier.valid_to is not None and earlier.valid_to < later.valid_from, key


def test_every_record_cites_a_source_that_fits_the_table_column() -> None:
    """load_reference_data stores sources and notes in 500-character columns. The source is a
    German citation for users; the pages the figure was found on are the internal note."""
    records: list[
        ref.PayRow | ref.StepRule | ref.SpecialPaymentRate | ref.EmployerAddOn | ref.FundingRateFact
    ] = [
        *ref.PAY_TABLE,
        *ref.STEP_RULES,
        *ref.SPECIAL_PAYMENT_RATES,
        *ref.EMPLOYER_ADD_ONS,
        *ref.FUNDING_RATES,
    ]
    for record in records:
        assert record.source and "http" not in record.source, record
        assert "http" in record.internal_note, record
        assert len(record.source) <= 500, record
    assert all(len(f.note) <= 500 for f in ref.FUNDING_RATES)


# --- monthly pay lookups ---------------------------------------------------------------------


def test_monthly_uses_the_table_valid_on_the_day() -> None:
    assert RULES.monthly("E 9c", 1, date(2024, 3, 1)) == D("3787.84")
    assert RULES.monthly("E 9c", 1, date(2025, 3, 31)) == D("3787.84")
    assert RULES.monthly("E 9c", 1, date(2025, 4, 1)) == D("3901.48")
    assert RULES.monthly("S 12", 6, date(2026, 5, 1)) == D("5454.65")
    assert RULES.monthly("E 9c", 1, date(2024, 2, 29)) is None  # before the earliest table
    assert RULES.monthly("E 9c", 1, date(2027, 4, 1)) is None  # after the agreement's term
    assert StaticPayRules(tables_valid_until=None).monthly("E 9c", 1, date(2030, 1, 1)) == D(
        "4010.72"
    )
    assert RULES.monthly("E 6", 1, date(2025, 4, 1)) is None  # not in the brief


def test_scale_of() -> None:
    assert RULES.scale_of("E 9c") == "TVöD VKA"
    assert RULES.scale_of("S 12") == "TVöD SuE"
    with pytest.raises(ValueError):
        RULES.scale_of("A 9")


# --- steps -----------------------------------------------------------------------------------


def test_case_manager_in_sue_progresses_slower_than_general_table() -> None:
    hired = date(2024, 1, 1)

    def sue(on: date) -> int:
        return step_on("S 12", 1, hired, on, RULES)

    def general(on: date) -> int:
        return step_on("E 9c", 1, hired, on, RULES)

    assert sue(date(2024, 12, 31)) == 1
    assert sue(date(2025, 1, 1)) == 2
    assert sue(date(2027, 12, 31)) == 2
    assert sue(date(2028, 1, 1)) == 3
    assert general(date(2025, 1, 1)) == 2
    assert general(date(2026, 12, 31)) == 2
    assert general(date(2027, 1, 1)) == 3
    assert general(date(2030, 1, 1)) == 4
    # Top step: 1 + 2 + 3 + 4 + 5 = 15 years (general), 17 years (SuE).
    assert general(date(2039, 1, 1)) == 6
    assert sue(date(2040, 12, 31)) == 5
    assert sue(date(2041, 1, 1)) == 6


def test_next_step_date() -> None:
    hired = date(2024, 1, 1)
    assert next_step_date("S 12", 1, hired, RULES) == date(2025, 1, 1)
    assert next_step_date("S 12", 1, hired, RULES, after=date(2025, 1, 1)) == date(2028, 1, 1)
    assert next_step_date("E 9c", 3, hired, RULES) == date(2027, 1, 1)
    assert next_step_date("E 9c", 6, hired, RULES) is None
    assert next_step_date("E 9c", 1, hired, RULES, after=date(2045, 1, 1)) is None


def test_step_before_step_since_is_the_entry_step() -> None:
    assert step_on("E 9c", 2, date(2025, 7, 1), date(2020, 1, 1), RULES) == 2


def test_a_step_reached_mid_month_is_paid_for_the_whole_month() -> None:
    """§ 17 Abs. 1 TVöD: the new step's pay is due from the start of the month it is reached."""
    hired = date(2024, 7, 15)
    assert step_on("E 9c", 1, hired, date(2025, 7, 1), RULES) == 1
    assert pay_step_for_month("E 9c", 1, hired, date(2025, 6, 1), RULES) == 1
    assert pay_step_for_month("E 9c", 1, hired, date(2025, 7, 1), RULES) == 2


def test_step_period_from_29_february() -> None:
    assert add_years(date(2024, 2, 29), 1) == date(2025, 3, 1)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert add_years(date(2024, 5, 31), 2) == date(2026, 5, 31)


@pytest.mark.parametrize(
    ("scale", "years", "expected"),
    [
        ("TVöD VKA", D("0"), 1),
        ("TVöD VKA", D("0.99"), 1),
        ("TVöD VKA", D("1"), 2),
        ("TVöD VKA", D("2.5"), 2),
        ("TVöD VKA", D("3"), 3),
        ("TVöD VKA", D("12"), 3),
        ("TVöD SuE", D("0.5"), 1),
        ("TVöD SuE", D("1"), 2),
        ("TVöD SuE", D("3"), 2),  # SuE needs 4 years for Stufe 3 (assumption, see pay.py)
        ("TVöD SuE", D("4"), 3),
    ],
)
def test_entry_step_from_experience(scale: str, years: Decimal, expected: int) -> None:
    assert entry_step(scale, years) == expected


def test_entry_step_rejects_unknown_scale() -> None:
    with pytest.raises(ValueError):
        entry_step("TV-L", D(2))


# --- year cost -------------------------------------------------------------------------------


def test_year_across_the_2025_table_change() -> None:
    """E 9c Stufe 1 all of 2025: Jan–Mar on the 2024 table, Apr–Dec on the 2025 table."""
    cost = year_cost(
        group="E 9c", entry_step=1, step_since=date(2025, 1, 1), year=2025, vze=D(1), rules=RULES
    )
    assert [m.monthly_pay for m in cost.months] == [D("3787.84")] * 3 + [D("3901.48")] * 9
    assert {m.step for m in cost.months} == {1}
    assert cost.base_pay == 3 * D("3787.84") + 9 * D("3901.48") == D("46476.84")
    # September pay × 70.28 % = 2,741.960144
    assert cost.special_payment == D("2741.96")
    assert cost.gross == D("49218.80")
    assert cost.employer_factor == D("1.27")
    assert cost.employer_cost == D("62507.88")  # 49,218.80 × 1.27 = 62,507.876
    assert not cost.missing_table


def test_year_with_table_change_and_step_up() -> None:
    """S 12 hired 01.07.2024 in Stufe 1: Stufe 2 from 01.07.2025 (one year in Stufe 1)."""
    cost = year_cost(
        group="S 12", entry_step=1, step_since=date(2024, 7, 1), year=2025, vze=D(1), rules=RULES
    )
    assert [m.step for m in cost.months] == [1] * 6 + [2] * 6
    expected_base = 3 * D("3747.09") + 3 * D("3859.50") + 6 * D("4122.07")
    assert cost.base_pay == expected_base == D("47552.19")
    assert cost.special_payment == round_cents(D("0.7028") * D("4122.07")) == D("2896.99")
    assert cost.gross == D("50449.18")  # 47,552.19 + 2,896.99
    assert cost.employer_cost == D("64070.46")  # 50,449.18 × 1.27 = 64,070.4586


def test_partial_year_hired_in_july() -> None:
    cost = year_cost(
        group="E 9c",
        entry_step=1,
        step_since=date(2025, 7, 1),
        year=2025,
        vze=D(1),
        rules=RULES,
        employed_from=date(2025, 7, 1),
    )
    assert [m.month for m in cost.months] == [date(2025, m, 1) for m in range(7, 13)]
    assert cost.base_pay == 6 * D("3901.48") == D("23408.88")
    # § 20 Abs. 4: six of twelve months → half the Jahressonderzahlung.
    assert cost.special_payment == round_cents(D("0.7028") * D("3901.48") * 6 / 12)
    assert cost.special_payment == D("1370.98")
    assert cost.gross == D("24779.86")


def test_half_post() -> None:
    full, half = (
        year_cost(
            group="E 9c",
            entry_step=1,
            step_since=date(2025, 1, 1),
            year=2025,
            vze=vze,
            rules=RULES,
        )
        for vze in (D(1), D("0.5"))
    )
    assert {m.fte_share for m in half.months} == {D("0.5")}
    assert half.base_pay == D("23238.42")  # 46,476.84 / 2
    assert half.special_payment == D("1370.98")  # 2,741.960144 / 2 = 1,370.980072
    assert half.gross == D("24609.40")
    assert abs(half.gross * 2 - full.gross) <= D("0.02")


def test_hired_mid_month_is_paid_for_the_days_employed() -> None:
    """§ 24 Abs. 3 TVöD: 16 of 31 days in July."""
    cost = year_cost(
        group="E 9c",
        entry_step=1,
        step_since=date(2025, 7, 16),
        year=2025,
        vze=D(1),
        rules=RULES,
        employed_from=date(2025, 7, 16),
    )
    assert cost.months[0].fte_share == D(16) / D(31)
    assert cost.base_pay == round_cents(D("3901.48") * 16 / 31 + 5 * D("3901.48"))


def test_no_special_payment_when_leaving_before_december() -> None:
    """§ 20 Abs. 1 TVöD: only those employed on 1 December have a claim."""
    cost = year_cost(
        group="E 9c",
        entry_step=1,
        step_since=date(2025, 1, 1),
        year=2025,
        vze=D(1),
        rules=RULES,
        employed_until=date(2025, 11, 30),
    )
    assert len(cost.months) == 11
    assert cost.special_payment == D(0)
    assert cost.gross == cost.base_pay


def test_hired_after_september_uses_first_month_as_reference() -> None:
    cost = year_cost(
        group="S 12",
        entry_step=1,
        step_since=date(2025, 10, 1),
        year=2025,
        vze=D(1),
        rules=RULES,
        employed_from=date(2025, 10, 1),
    )
    assert cost.special_payment == round_cents(D("0.7028") * D("3859.50") * 3 / 12)


def test_forecast_beyond_known_tables_carries_the_latest_table_and_says_so() -> None:
    cost = year_cost(
        group="E 9c", entry_step=1, step_since=date(2026, 1, 1), year=2028, vze=D(1), rules=RULES
    )
    assert cost.missing_table
    # Stufe 2 from 01.01.2027: the 2026 table (the latest known) carried forward.
    assert {m.monthly_pay for m in cost.months} == {D("4290.50")}
    assert cost.special_payment == round_cents(D("0.85") * D("4290.50"))

    partly_known = year_cost(
        group="E 9c", entry_step=1, step_since=date(2026, 1, 1), year=2027, vze=D(1), rules=RULES
    )
    assert partly_known.missing_table  # the agreement's term ends 31.03.2027

    for year in (2025, 2026):
        known = year_cost(
            group="E 9c", entry_step=1, step_since=date(2026, 1, 1), year=year, vze=D(1),
            rules=RULES,
        )  # fmt: skip
        assert not known.missing_table, year


def test_before_the_earliest_table_the_earliest_is_used_and_flagged() -> None:
    cost = year_cost(
        group="E 9c", entry_step=1, step_since=date(2024, 1, 1), year=2024, vze=D(1), rules=RULES
    )
    assert cost.missing_table
    assert {m.monthly_pay for m in cost.months} == {D("3787.84")}


def test_explicit_factor_overrides_the_default() -> None:
    cost = year_cost(
        group="E 9c",
        entry_step=1,
        step_since=date(2025, 1, 1),
        year=2025,
        vze=D(1),
        rules=RULES,
        factor=D("1.21"),
    )
    assert cost.employer_factor == D("1.21")
    assert cost.employer_cost == round_cents(cost.gross * D("1.21"))


def test_no_months_employed_costs_nothing() -> None:
    cost = year_cost(
        group="E 9c",
        entry_step=1,
        step_since=date(2025, 1, 1),
        year=2025,
        vze=D(1),
        rules=RULES,
        employed_until=date(2024, 12, 31),
    )
    assert cost.months == ()
    assert (cost.base_pay, cost.special_payment, cost.gross, cost.employer_cost) == (D(0),) * 4


# --- properties ------------------------------------------------------------------------------

GROUPS = st.sampled_from(["E 9b", "E 9c", "E 10", "E 11", "S 11b", "S 12"])
YEARS = st.integers(min_value=2024, max_value=2028)
VZE = st.decimals(min_value=D("0.01"), max_value=D("1.00"), places=2)
DAYS = st.dates(min_value=date(2010, 1, 1), max_value=date(2028, 12, 31))


@given(group=GROUPS, year=YEARS, since=DAYS, step=st.integers(1, 6), a=VZE, b=VZE)
def test_cost_is_monotone_in_vze(
    group: str, year: int, since: date, step: int, a: Decimal, b: Decimal
) -> None:
    low, high = sorted((a, b))
    costs = [
        year_cost(group=group, entry_step=step, step_since=since, year=year, vze=v, rules=RULES)
        for v in (low, high)
    ]
    for field in ("base_pay", "special_payment", "gross", "employer_cost"):
        assert getattr(costs[0], field) <= getattr(costs[1], field), field


@given(
    group=GROUPS,
    year=YEARS,
    since=DAYS,
    step=st.integers(1, 5),
    vze=VZE,
    start=st.none() | DAYS,
    end=st.none() | DAYS,
)
def test_cost_does_not_fall_with_a_higher_entry_step(
    group: str,
    year: int,
    since: date,
    step: int,
    vze: Decimal,
    start: date | None,
    end: date | None,
) -> None:
    lower, higher = (
        year_cost(
            group=group,
            entry_step=s,
            step_since=since,
            year=year,
            vze=vze,
            rules=RULES,
            employed_from=start,
            employed_until=end,
        )
        for s in (step, step + 1)
    )
    assert lower.gross <= higher.gross
    assert all(a.step <= b.step for a, b in zip(lower.months, higher.months, strict=True))


@given(
    group=GROUPS,
    year=YEARS,
    since=DAYS,
    step=st.integers(1, 6),
    vze=VZE,
    start=st.none() | DAYS,
    end=st.none() | DAYS,
)
def test_year_cost_adds_up(
    group: str,
    year: int,
    since: date,
    step: int,
    vze: Decimal,
    start: date | None,
    end: date | None,
) -> None:
    cost = year_cost(
        group=group,
        entry_step=step,
        step_since=since,
        year=year,
        vze=vze,
        rules=RULES,
        employed_from=start,
        employed_until=end,
    )
    assert cost.gross == cost.base_pay + cost.special_payment
    assert cost.base_pay == round_cents(
        sum((m.monthly_pay * m.fte_share for m in cost.months), D(0))
    )
    assert cost.employer_cost == round_cents(cost.gross * cost.employer_factor)
    for money in (cost.base_pay, cost.special_payment, cost.gross, cost.employer_cost):
        assert money == round_cents(money) and money >= 0
    assert len(cost.months) <= 12
    assert all(D(0) < m.fte_share <= vze for m in cost.months)
    steps = [m.step for m in cost.months]
    assert steps == sorted(steps)
