"""Apportionment of VZÄ: known answers from council practice, and invariants for any input.

The expected numbers below are worked out by hand in the comments; the property tests compare
the engine against a small brute-force reference written independently in this file.
"""

from __future__ import annotations

import math
from collections import Counter
from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from kim.programmes.apportionment import (
    ApportionmentError,
    Claimant,
    Method,
    Result,
    apportion,
)

DIVISOR_METHODS = (Method.SAINTE_LAGUE, Method.DHONDT)


def _claimants(weights: dict[str, int | str]) -> list[Claimant]:
    return [
        Claimant(key=f"k{index}", name=name, weight=Decimal(weight))
        for index, (name, weight) in enumerate(weights.items())
    ]


def _units(result: Result) -> dict[str, int]:
    return {row.name: row.allocated_units for row in result.rows}


# --- known answers ------------------------------------------------------------------------------

# The classic example in which all three methods differ (Wikipedia, "Largest remainder method"):
# 10 seats, 100,000 votes in total.
PARTIES = {"A": 47000, "B": 16000, "C": 15800, "D": 12000, "E": 6100, "F": 3100}


def test_textbook_largest_remainder() -> None:
    # Hare quota 100000 / 10 = 10000 votes per seat; quotas 4.70 1.60 1.58 1.20 0.61 0.31.
    # Whole parts 4+1+1+1+0+0 = 7; the 3 seats left go to the largest remainders
    # .70 (A), .61 (E), .60 (B)  ->  A 5, B 2, C 1, D 1, E 1, F 0.
    result = apportion(
        _claimants(PARTIES), total=Decimal(10), step=Decimal(1), method=Method.LARGEST_REMAINDER
    )
    assert _units(result) == {"A": 5, "B": 2, "C": 1, "D": 1, "E": 1, "F": 0}
    assert [row.floor_units for row in result.rows] == [4, 1, 1, 1, 0, 0]
    assert [row.remainder for row in result.rows] == [
        Decimal("0.7000"),
        Decimal("0.6000"),
        Decimal("0.5800"),
        Decimal("0.2000"),
        Decimal("0.6100"),
        Decimal("0.3100"),
    ]
    assert [row.extra_unit for row in result.rows] == [True, True, False, False, True, False]
    assert result.rows[0].quota == Decimal("4.7000") and result.divisor is None


def test_textbook_sainte_lague() -> None:
    # Quotients votes / (seats + 0.5), largest ten: A 94000, B 32000, C 31600, A 31333,
    # D 24000, A 18800, A 13429, E 12200, B 10667, C 10533. The next would be A 10444.
    # -> A 4, B 2, C 2, D 1, E 1, F 0. Any divisor in (10444.4, 10533.3] reproduces it; the
    # one with fewest digits is 10500: 4.48->4, 1.52->2, 1.50->2, 1.14->1, 0.58->1, 0.30->0.
    result = apportion(
        _claimants(PARTIES), total=Decimal(10), step=Decimal(1), method=Method.SAINTE_LAGUE
    )
    assert _units(result) == {"A": 4, "B": 2, "C": 2, "D": 1, "E": 1, "F": 0}
    assert result.divisor == Decimal(10500)
    assert [row.remainder for row in result.rows][:2] == [Decimal("4.4762"), Decimal("1.5238")]


def test_textbook_dhondt() -> None:
    # Quotients votes / (seats + 1), largest ten: A 47000, A 23500, B 16000, C 15800, A 15667,
    # D 12000, A 11750, A 9400, B 8000, C 7900. The next would be A 7833.
    # -> A 5, B 2, C 2, D 1, E 0, F 0. Divisors in (7833.3, 7900] reproduce it; 7900 is the
    # shortest: 5.95->5, 2.03->2, 2.00->2, 1.52->1, 0.77->0, 0.39->0.
    result = apportion(
        _claimants(PARTIES), total=Decimal(10), step=Decimal(1), method=Method.DHONDT
    )
    assert _units(result) == {"A": 5, "B": 2, "C": 2, "D": 1, "E": 0, "F": 0}
    assert result.divisor == Decimal(7900)


def test_largest_remainder_shows_the_alabama_paradox() -> None:
    # Documented, not a bug: Hare-Niemeyer is not house-monotone. Weights 6, 6, 2:
    # 10 units: quotas 4.29 4.29 1.43 -> 4+4+1, one left for the largest remainder (C) -> 4 4 2.
    # 11 units: quotas 4.71 4.71 1.57 -> 4+4+1, two left for A and B -> 5 5 1: C loses a unit.
    claimants = _claimants({"A": 6, "B": 6, "C": 2})
    ten, eleven = (
        apportion(claimants, total=Decimal(n), step=Decimal(1), method=Method.LARGEST_REMAINDER)
        for n in (10, 11)
    )
    assert _units(ten) == {"A": 4, "B": 4, "C": 2}
    assert _units(eleven) == {"A": 5, "B": 5, "C": 1}


# Kreis Siegen-Wittgenstein, population at 31.12.2019 (IT.NRW), total 276,944.
TOWNS = [
    ("05970004", "Bad Berleburg", 18914),
    ("05970008", "Burbach", 14856),
    ("05970012", "Erndtebrück", 6934),
    ("05970016", "Freudenberg", 17711),
    ("05970020", "Hilchenbach", 14801),
    ("05970024", "Kreuztal", 31122),
    ("05970028", "Bad Laasphe", 13504),
    ("05970032", "Netphen", 23081),
    ("05970036", "Neunkirchen", 13165),
    ("05970040", "Siegen", 102770),
    ("05970044", "Wilnsdorf", 20086),
]
SIEGEN_WITTGENSTEIN = [
    Claimant(key=ags, name=name, weight=Decimal(pop)) for ags, name, pop in TOWNS
]

# 14 VZÄ in steps of 0.5 = 28 units.
#
# Largest remainder: 276944 / 28 = 9890.857 inhabitants per unit. Quotas (in units):
#   Bad Berleburg 1.912, Burbach 1.502, Erndtebrück 0.701, Freudenberg 1.791, Hilchenbach 1.496,
#   Kreuztal 3.147, Bad Laasphe 1.365, Netphen 2.334, Neunkirchen 1.331, Siegen 10.390,
#   Wilnsdorf 2.031. Whole parts sum to 23; the 5 units left go to the remainders .912 (Bad
#   Berleburg), .791 (Freudenberg), .701 (Erndtebrück), .502 (Burbach), .496 (Hilchenbach);
#   next would have been Siegen (.390).
# Sainte-Laguë, divisor 9800, rounded half up: 1.93->2, 1.52->2, 0.71->1, 1.81->2, 1.51->2,
#   3.18->3, 1.38->1, 2.36->2, 1.34->1, 10.49->10, 2.05->2; sum 28. Same as largest remainder.
# D'Hondt, divisor 7800, rounded down: 2.42->2, 1.90->1, 0.89->0, 2.27->2, 1.90->1, 3.99->3,
#   1.73->1, 2.96->2, 1.69->1, 13.18->13, 2.58->2; sum 28. Siegen gains 3 units, Erndtebrück
#   gets nothing.
# With a minimum of 0.5 VZÄ (1 unit) only D'Hondt changes: Erndtebrück is raised to 1 unit and
#   27 units are re-apportioned among the other 10 (weight 270010) with divisor 8000:
#   2.36->2, 1.86->1, 2.21->2, 1.85->1, 3.89->3, 1.69->1, 2.89->2, 1.65->1, 12.85->12,
#   2.51->2; sum 27. Siegen gives up the unit.
#
#   VZÄ                  LR/SL   D'Hondt  D'Hondt min 0.5
#   Bad Berleburg        1.0     1.0      1.0
#   Burbach              1.0     0.5      0.5
#   Erndtebrück          0.5     0.0      0.5 (raised)
#   Freudenberg          1.0     1.0      1.0
#   Hilchenbach          1.0     0.5      0.5
#   Kreuztal             1.5     1.5      1.5
#   Bad Laasphe          0.5     0.5      0.5
#   Netphen              1.0     1.0      1.0
#   Neunkirchen          0.5     0.5      0.5
#   Siegen               5.0     6.5      6.0
#   Wilnsdorf            1.0     1.0      1.0
PROPORTIONAL = ["1.0", "1.0", "0.5", "1.0", "1.0", "1.5", "0.5", "1.0", "0.5", "5.0", "1.0"]
DHONDT = ["1.0", "0.5", "0.0", "1.0", "0.5", "1.5", "0.5", "1.0", "0.5", "6.5", "1.0"]
DHONDT_MIN = ["1.0", "0.5", "0.5", "1.0", "0.5", "1.5", "0.5", "1.0", "0.5", "6.0", "1.0"]


@pytest.mark.parametrize(
    ("method", "minimum", "expected", "divisor", "raised"),
    [
        (Method.LARGEST_REMAINDER, "0", PROPORTIONAL, None, set()),
        (Method.LARGEST_REMAINDER, "0.5", PROPORTIONAL, None, set()),
        (Method.SAINTE_LAGUE, "0", PROPORTIONAL, Decimal(9800), set()),
        (Method.SAINTE_LAGUE, "0.5", PROPORTIONAL, Decimal(9800), set()),
        (Method.DHONDT, "0", DHONDT, Decimal(7800), set()),
        (Method.DHONDT, "0.5", DHONDT_MIN, Decimal(8000), {"Erndtebrück"}),
    ],
)
def test_siegen_wittgenstein_14_vzae(
    method: Method, minimum: str, expected: list[str], divisor: Decimal | None, raised: set[str]
) -> None:
    result = apportion(
        SIEGEN_WITTGENSTEIN,
        total=Decimal(14),
        step=Decimal("0.5"),
        method=method,
        minimum=Decimal(minimum),
    )
    assert [row.allocated for row in result.rows] == [Decimal(v) for v in expected]
    assert [row.key for row in result.rows] == [ags for ags, _name, _pop in TOWNS]
    assert result.divisor == divisor
    assert {row.name for row in result.rows if row.raised_to_minimum} == raised
    # Siegen's exact share: 14 × 102770 / 276944 = 5.19520 VZÄ = 10.39040 units.
    siegen = result.rows[9]
    assert siegen.quota == Decimal("5.1952")
    assert siegen.quota_units.quantize(Decimal("0.00001")) == Decimal("10.39040")


def test_siegen_wittgenstein_matches_the_reference() -> None:
    for method in Method:
        for minimum_units in (0, 1, 2):
            result = apportion(
                SIEGEN_WITTGENSTEIN,
                total=Decimal(14),
                step=Decimal("0.5"),
                method=method,
                minimum=Decimal(minimum_units) / 2,
            )
            weights = [Fraction(pop) for _ags, _name, pop in TOWNS]
            assert [row.allocated_units for row in result.rows] == _reference(
                weights, 28, minimum_units, method
            )


def test_steps_tell_the_largest_remainder_story() -> None:
    with translation.override("en"):
        result = apportion(
            SIEGEN_WITTGENSTEIN,
            total=Decimal(14),
            step=Decimal("0.5"),
            method=Method.LARGEST_REMAINDER,
        )
    assert result.steps == (
        "14 VZÄ in steps of 0.5 VZÄ: 28 units, apportioned by the largest remainder method "
        "(Hare–Niemeyer).",
        "Round 1: 28 units among 11 recipients with a total weight of 276,944.",
        "Quota per unit: 276,944 ÷ 28 = 9,890.8571.",
        "Whole quotas give 23 units; 5 units are left over.",
        "Remaining units by largest remainders: Bad Berleburg, Freudenberg, Erndtebrück, "
        "Burbach, Hilchenbach.",
        "Result: 14 VZÄ allocated to 11 recipients.",
    )


def test_steps_tell_the_minimum_story() -> None:
    with translation.override("en"):
        result = apportion(
            SIEGEN_WITTGENSTEIN,
            total=Decimal(14),
            step=Decimal("0.5"),
            method=Method.DHONDT,
            minimum=Decimal("0.5"),
        )
    assert result.steps == (
        "14 VZÄ in steps of 0.5 VZÄ: 28 units, apportioned by the D'Hondt method.",
        "Minimum for each recipient: 0.5 VZÄ (1 unit).",
        "Round 1: 28 units among 11 recipients with a total weight of 276,944.",
        "Divisor 7,800: each weight divided by the divisor and rounded down gives 28 units "
        "in total.",
        "Every divisor above 7,780.5000 up to 7,905.3846 gives the same result.",
        "Erndtebrück would receive 0.0 VZÄ and is raised to the minimum of 0.5 VZÄ.",
        "The remaining 13.5 VZÄ are apportioned again among the other 10.",
        "Round 2: 27 units among 10 recipients with a total weight of 270,010.",
        "Divisor 8,000: each weight divided by the divisor and rounded down gives 27 units "
        "in total.",
        "Every divisor above 7,905.3846 up to 8,564.1667 gives the same result.",
        "Result: 14 VZÄ allocated to 11 recipients.",
    )


@pytest.mark.parametrize("method", list(Method))
def test_minimum_is_raised_and_the_rest_reapportioned(method: Method) -> None:
    # 10 units, minimum 2. Round 1 (all methods): Stadt gets 9 or 10, Dorf 0 or 1, Wald 0
    # (weight 0). Dorf and Wald are raised to 2 and keep it; Stadt gets the other 6.
    claimants = _claimants({"Stadt": 1000, "Dorf": 100, "Wald": 0})
    result = apportion(
        claimants, total=Decimal(10), step=Decimal(1), method=method, minimum=Decimal(2)
    )
    assert _units(result) == {"Stadt": 6, "Dorf": 2, "Wald": 2}
    assert [row.raised_to_minimum for row in result.rows] == [False, True, True]
    assert any("Dorf" in line for line in result.steps)
    assert any("Wald" in line for line in result.steps)


@pytest.mark.parametrize("method", list(Method))
def test_zero_weight_gets_nothing_without_minimum(method: Method) -> None:
    claimants = _claimants({"Stadt": 1000, "Dorf": 100, "Wald": 0})
    result = apportion(claimants, total=Decimal("5.5"), step=Decimal("0.5"), method=method)
    assert result.rows[2].allocated == 0
    assert sum(row.allocated for row in result.rows) == Decimal("5.5")


@pytest.mark.parametrize("method", list(Method))
def test_nothing_to_apportion(method: Method) -> None:
    claimants = _claimants({"Stadt": 1000, "Dorf": 100})
    result = apportion(claimants, total=Decimal(0), step=Decimal("0.5"), method=method)
    assert [row.allocated_units for row in result.rows] == [0, 0]
    assert (result.divisor is None) == (method == Method.LARGEST_REMAINDER)


@pytest.mark.parametrize("method", list(Method))
def test_equal_claimants_are_decided_by_list_order(method: Method) -> None:
    # Two equal weights and 3 units: each gets 1, the third unit is a tie in every method
    # (remainders .5/.5, quotients equal) and goes to the one listed first.
    result = apportion(
        _claimants({"B": 1, "C": 1}), total=Decimal(3), step=Decimal(1), method=method
    )
    assert _units(result) == {"B": 2, "C": 1}
    swapped = apportion(
        _claimants({"C": 1, "B": 1}), total=Decimal(3), step=Decimal(1), method=method
    )
    assert _units(swapped) == {"C": 2, "B": 1}


@pytest.mark.parametrize(
    ("method", "weights"),
    [
        # 2 units; quotas 0.5 and 1.5: equal remainders .5, B has the larger weight.
        (Method.LARGEST_REMAINDER, {"A": 1, "B": 3}),
        # Quotients w / (s + 0.5): B 6 wins the first unit; then A 1/0.5 = 2 = B 3/1.5.
        (Method.SAINTE_LAGUE, {"A": 1, "B": 3}),
        # Quotients w / (s + 1): B 2 wins the first unit; then A 1/1 = 1 = B 2/2.
        (Method.DHONDT, {"A": 1, "B": 2}),
    ],
)
def test_a_tie_goes_to_the_larger_weight_and_is_logged(
    method: Method, weights: dict[str, int | str]
) -> None:
    with translation.override("en"):
        result = apportion(_claimants(weights), total=Decimal(2), step=Decimal(1), method=method)
    assert _units(result) == {"A": 0, "B": 2}
    assert any(line.startswith("Equal ") and "(B, A)" in line for line in result.steps)


def test_a_claimant_raised_after_losing_a_tie_stays_below_the_minimum_in_the_table() -> None:
    # D'Hondt, 34 units, minimum 5, weights 0, 1, 2, 4, 4.
    # Round 1: K0 (0 units) and K1 (3) are raised; 24 units remain for K2, K3, K4 (weight 10).
    # Round 2: quotients 2/s, 4/s; the 24th unit is a three-way tie at 0.4 (K3's 10th, K4's 10th,
    #   K2's 5th): the larger weights K3 then K4 win it, K2 stays at 4 and is raised.
    # Round 3: 19 units for K3 and K4: 10 and 9 (tie at 0.4 again, K3 is listed first).
    # At the final divisor 0.4, K2's quotient is exactly 5.0: the tie it lost, so the table
    # shows 4 units before the minimum, not 5.
    claimants = _claimants({"K0": 0, "K1": 1, "K2": 2, "K3": 4, "K4": 4})
    result = apportion(
        claimants, total=Decimal(34), step=Decimal(1), method=Method.DHONDT, minimum=Decimal(5)
    )
    assert _units(result) == {"K0": 5, "K1": 5, "K2": 5, "K3": 10, "K4": 9}
    assert result.divisor == Decimal("0.4")
    k2 = result.rows[2]
    assert (k2.raised_to_minimum, k2.remainder, k2.floor_units) == (True, Decimal("5.0000"), 4)


# --- invalid input ------------------------------------------------------------------------------

VALID = {"total": Decimal(14), "step": Decimal("0.5"), "minimum": Decimal("0.5")}


@pytest.mark.parametrize(
    ("claimants", "changes", "code"),
    [
        (SIEGEN_WITTGENSTEIN, {"step": Decimal(0)}, "step_not_positive"),
        (SIEGEN_WITTGENSTEIN, {"step": Decimal("-0.5")}, "step_not_positive"),
        (SIEGEN_WITTGENSTEIN, {"step": Decimal("NaN")}, "step_not_positive"),
        (SIEGEN_WITTGENSTEIN, {"total": Decimal("14.25")}, "total_not_multiple"),
        (SIEGEN_WITTGENSTEIN, {"total": Decimal(-14)}, "total_not_multiple"),
        (SIEGEN_WITTGENSTEIN, {"total": Decimal("Infinity")}, "total_not_multiple"),
        (SIEGEN_WITTGENSTEIN, {"minimum": Decimal("0.3")}, "minimum_not_multiple"),
        (SIEGEN_WITTGENSTEIN, {"minimum": Decimal("-0.5")}, "minimum_not_multiple"),
        (SIEGEN_WITTGENSTEIN, {"minimum": Decimal("1.5")}, "minimum_exceeds_total"),
        ([], {}, "no_claimants"),
        (_claimants({"A": 1, "B": -1}), {}, "negative_weight"),
        (_claimants({"A": 1, "B": "NaN"}), {}, "negative_weight"),
        (_claimants({"A": 0, "B": 0}), {}, "zero_weights"),
        (SIEGEN_WITTGENSTEIN + SIEGEN_WITTGENSTEIN[:1], {"minimum": Decimal(0)}, "duplicate_key"),
    ],
)
def test_invalid_input_is_refused_with_a_code(
    claimants: list[Claimant], changes: dict[str, Decimal], code: str
) -> None:
    arguments = {**VALID, **changes}
    for method in Method:
        with pytest.raises(ApportionmentError) as caught:
            apportion(claimants, method=method, **arguments)
        assert caught.value.code == code
        assert str(caught.value) == caught.value.message


def test_minimum_that_just_fits_is_accepted() -> None:
    # 11 towns × 1 unit = 11 units ≤ 28; 11 × 2.5 = 27.5 VZÄ > 14 would not fit.
    result = apportion(
        SIEGEN_WITTGENSTEIN,
        total=Decimal("5.5"),
        step=Decimal("0.5"),
        method=Method.DHONDT,
        minimum=Decimal("0.5"),
    )
    assert all(row.allocated == Decimal("0.5") for row in result.rows)


# --- properties ---------------------------------------------------------------------------------


def _reference(weights: list[Fraction], units: int, minimum: int, method: Method) -> list[int]:
    """Brute force, written without looking at the engine.

    Divisor methods: list every quotient weight / (j + offset) for j = 0 .. units-1, sort
    them (largest first; ties: larger weight, then earlier claimant) and count how many of the
    first ``units`` belong to each claimant. Minimum: fix everyone below it, repeat.
    """
    fixed: set[int] = set()
    while True:
        active = [index for index in range(len(weights)) if index not in fixed]
        free = units - minimum * len(fixed)
        if method == Method.LARGEST_REMAINDER:
            given_units = _reference_largest_remainder(weights, active, free)
        else:
            given_units = _reference_divisor(weights, active, free, method)
        below = {index for index in active if given_units[index] < minimum}
        if not below:
            return [
                minimum if index in fixed else given_units[index] for index in range(len(weights))
            ]
        fixed |= below


def _reference_largest_remainder(
    weights: list[Fraction], active: list[int], units: int
) -> dict[int, int]:
    total_weight = sum(weights[index] for index in active)
    quotas = {index: units * weights[index] / total_weight for index in active}
    result = {index: math.floor(quota) for index, quota in quotas.items()}
    by_remainder = sorted(active, key=lambda i: (result[i] - quotas[i], -weights[i], i))
    for index in by_remainder[: units - sum(result.values())]:
        result[index] += 1
    return result


def _reference_divisor(
    weights: list[Fraction], active: list[int], units: int, method: Method
) -> dict[int, int]:
    offset = Fraction(1, 2) if method == Method.SAINTE_LAGUE else Fraction(1)
    quotients = sorted(
        (-weights[index] / (j + offset), -weights[index], index, j)
        for index in active
        for j in range(units)
    )
    counts = Counter(index for _q, _w, index, _j in quotients[:units])
    return {index: counts[index] for index in active}


def _has_tie_at_the_cut(weights: list[Fraction], units: int, method: Method) -> bool:
    offset = Fraction(1, 2) if method == Method.SAINTE_LAGUE else Fraction(1)
    quotients = sorted((w / (j + offset) for w in weights for j in range(units + 1)), reverse=True)
    return units > 0 and quotients[units - 1] == quotients[units]


WEIGHT = st.one_of(
    st.integers(min_value=0, max_value=6),  # small weights make ties likely
    st.integers(min_value=0, max_value=10**6),
    st.decimals(min_value=0, max_value=100000, places=2),
).map(Decimal)
STEP = st.one_of(
    st.sampled_from([Decimal("0.1"), Decimal("0.25"), Decimal("0.5"), Decimal(1)]),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal(5), places=2),
)


@st.composite
def problems(draw: st.DrawFn, *, with_minimum: bool = True) -> tuple[list[Claimant], int, int]:
    weights = draw(
        st.lists(WEIGHT, min_size=1, max_size=12).filter(lambda ws: any(w > 0 for w in ws))
    )
    claimants = [
        Claimant(key=f"{index:08d}", name=f"Kommune {index}", weight=weight)
        for index, weight in enumerate(weights)
    ]
    units = draw(st.integers(min_value=0, max_value=60))
    minimum = (
        draw(st.integers(min_value=0, max_value=units // len(claimants))) if with_minimum else 0
    )
    return claimants, units, minimum


def _run(
    claimants: list[Claimant], units: int, minimum: int, step: Decimal, method: Method
) -> Result:
    return apportion(
        claimants, total=step * units, step=step, method=method, minimum=step * minimum
    )


@settings(deadline=None)
@given(problems(), STEP, st.sampled_from(Method))
def test_allocations_add_up_in_whole_steps_and_respect_the_minimum(
    problem: tuple[list[Claimant], int, int], step: Decimal, method: Method
) -> None:
    claimants, units, minimum = problem
    result = _run(claimants, units, minimum, step, method)
    assert sum(row.allocated for row in result.rows) == step * units
    assert [row.key for row in result.rows] == [claimant.key for claimant in claimants]
    for row in result.rows:
        assert row.allocated == step * row.allocated_units
        assert (Fraction(row.allocated) / Fraction(step)).denominator == 1
        assert row.allocated >= result.minimum
        assert row.allocated_units >= minimum
        if row.raised_to_minimum:
            assert row.allocated_units == minimum


@settings(deadline=None)
@given(problems(), STEP, st.sampled_from(Method))
def test_engine_agrees_with_the_brute_force_reference(
    problem: tuple[list[Claimant], int, int], step: Decimal, method: Method
) -> None:
    claimants, units, minimum = problem
    result = _run(claimants, units, minimum, step, method)
    weights = [Fraction(claimant.weight) for claimant in claimants]
    assert [row.allocated_units for row in result.rows] == _reference(
        weights, units, minimum, method
    )


@settings(deadline=None)
@given(problems(), STEP, st.sampled_from(Method))
def test_rows_explain_the_allocation(
    problem: tuple[list[Claimant], int, int], step: Decimal, method: Method
) -> None:
    claimants, units, minimum = problem
    result = _run(claimants, units, minimum, step, method)
    for row in result.rows:
        if row.raised_to_minimum:
            # Shown at the last round's rate or divisor, it would still fall below the minimum.
            assert row.floor_units < minimum and not row.extra_unit
        else:
            assert row.allocated_units == row.floor_units + row.extra_unit
        if method != Method.LARGEST_REMAINDER:
            assert result.divisor is not None and result.divisor > 0
            quotient = Fraction(row.weight) / Fraction(result.divisor)
            assert abs(Fraction(row.remainder) - quotient) <= Fraction(1, 20000)
            assert not row.extra_unit
        else:
            assert Decimal(0) <= row.remainder <= Decimal(1)


@settings(deadline=None)
@given(problems(with_minimum=False), STEP)
def test_largest_remainder_keeps_the_quota_rule(
    problem: tuple[list[Claimant], int, int], step: Decimal
) -> None:
    claimants, units, _minimum = problem
    result = _run(claimants, units, 0, step, Method.LARGEST_REMAINDER)
    total_weight = sum(Fraction(claimant.weight) for claimant in claimants)
    for row in result.rows:
        quota = units * Fraction(row.weight) / total_weight
        assert math.floor(quota) <= row.allocated_units <= math.ceil(quota)
        assert row.floor_units == math.floor(quota)
        assert abs(Fraction(row.quota_units) - quota) < Fraction(1, 10**20)
        assert abs(Fraction(row.quota) - quota * Fraction(step)) <= Fraction(1, 20000)


@settings(deadline=None)
@given(problems(with_minimum=False), STEP, st.sampled_from(DIVISOR_METHODS))
def test_divisor_methods_are_house_monotone(
    problem: tuple[list[Claimant], int, int], step: Decimal, method: Method
) -> None:
    claimants, units, _minimum = problem
    smaller = _run(claimants, units, 0, step, method)
    larger = _run(claimants, units + 1, 0, step, method)
    for before, after in zip(smaller.rows, larger.rows, strict=True):
        assert after.allocated_units >= before.allocated_units


@settings(deadline=None)
@given(problems(with_minimum=False), STEP, st.sampled_from(DIVISOR_METHODS))
def test_reported_divisor_reproduces_the_result(
    problem: tuple[list[Claimant], int, int], step: Decimal, method: Method
) -> None:
    claimants, units, _minimum = problem
    result = _run(claimants, units, 0, step, method)
    weights = [Fraction(claimant.weight) for claimant in claimants]
    if _has_tie_at_the_cut(weights, units, method):
        return  # no divisor separates tied claimants; the tie rule decided (see the steps)
    assert result.divisor is not None
    shift = Fraction(1, 2) if method == Method.SAINTE_LAGUE else Fraction(0)
    for row in result.rows:
        quotient = Fraction(row.weight) / Fraction(result.divisor)
        assert math.floor(quotient + shift) == row.allocated_units == row.floor_units


@settings(deadline=None)
@given(problems(), STEP, st.sampled_from(Method))
def test_results_are_deterministic(
    problem: tuple[list[Claimant], int, int], step: Decimal, method: Method
) -> None:
    claimants, units, minimum = problem
    first = _run(claimants, units, minimum, step, method)
    assert _run(list(claimants), units, minimum, step, method) == first


@settings(deadline=None)
@given(problems(with_minimum=False), STEP, st.integers(min_value=1, max_value=99))
def test_total_off_the_step_grid_is_refused(
    problem: tuple[list[Claimant], int, int], step: Decimal, hundredths: int
) -> None:
    claimants, units, _minimum = problem
    total = step * units + step * hundredths / 100
    with pytest.raises(ApportionmentError) as caught:
        apportion(claimants, total=total, step=step, method=Method.SAINTE_LAGUE)
    assert caught.value.code == "total_not_multiple"


@settings(deadline=None)
@given(problems(with_minimum=False), STEP)
def test_minimum_beyond_the_total_is_refused(
    problem: tuple[list[Claimant], int, int], step: Decimal
) -> None:
    claimants, units, _minimum = problem
    minimum = units // len(claimants) + 1
    with pytest.raises(ApportionmentError) as caught:
        _run(claimants, units, minimum, step, Method.DHONDT)
    assert caught.value.code == "minimum_exceeds_total"
