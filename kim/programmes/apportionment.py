"""Apportion a Baustein's VZÄ over the towns of a Kreis by a distribution key.

The Kreis receives a number of full-time equivalents (VZÄ) for a Baustein and shares them out
among its towns (or pools) in proportion to a key such as population, the way a council
apportions seats among parliamentary groups. The engine is pure Python: no models, no database.

How it works:

1. Everything is counted in whole *units* of ``step`` (e.g. 0.5 VZÄ): ``total`` and ``minimum``
   must be whole multiples of ``step``, so that the result never needs rounding afterwards.
2. One of three council methods distributes the units:

   * ``largest-remainder`` (Hare–Niemeyer): each claimant first gets the whole part of its quota
     ``units × weight ÷ total weight``; the units left over go to the largest remainders.
   * ``sainte-lague`` (Sainte-Laguë/Schepers): a divisor method; each weight is divided by a
     common divisor and rounded half up (x.5 rounds up, the Schepers variant).
   * ``dhondt`` (D'Hondt): a divisor method that rounds down.

   The divisor methods are computed exactly as the equivalent highest-averages procedure: units
   are handed out one at a time to the largest ``weight ÷ (units so far + ½)`` (Sainte-Laguë) or
   ``weight ÷ (units so far + 1)`` (D'Hondt). Afterwards a divisor that reproduces the result is
   reported: the one with the fewest significant digits, which is what a committee would pick.
3. A claimant that would get fewer units than the minimum is raised to the minimum and keeps it;
   the remaining units are apportioned again among the others by the same method, until nobody
   else falls below the minimum. Raising can only lower the others' share, so this ends.

Ties (equal remainders, or equal quotients for the last unit) are decided by the larger weight,
then by the order of the input list, so that the result is deterministic and the rule can be
stated in a council paper. The log in ``Result.steps`` says when a tie was decided that way.

All arithmetic is exact (``fractions.Fraction`` inside, ``Decimal`` at the edges, never floats);
displayed quotas and remainders are rounded once, to four decimal places, half to even.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal, localcontext
from enum import StrEnum
from fractions import Fraction

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

DISPLAY_PLACES = 4
# Enough digits for an unrounded-looking quota; 28 is decimal's default precision.
QUOTA_PRECISION = 28
# Multiplying step × units must never round, whatever the size of the numbers.
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)


class Method(StrEnum):
    LARGEST_REMAINDER = "largest-remainder"
    SAINTE_LAGUE = "sainte-lague"
    DHONDT = "dhondt"


@dataclass(frozen=True)
class Claimant:
    """A recipient of VZÄ and its share of the distribution key."""

    key: str  # AGS or pool id
    name: str
    weight: Decimal  # >= 0, e.g. population


class ApportionmentError(ValueError):
    """Invalid input; ``message`` is for people (translated), ``code`` for programs and tests.

    Codes: ``step_not_positive``, ``total_not_multiple``, ``minimum_not_multiple``,
    ``minimum_exceeds_total``, ``no_claimants``, ``negative_weight``, ``zero_weights``,
    ``duplicate_key``.
    """

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Row:
    """One claimant's line in the apportionment table, in the claimant's input order.

    ``quota`` and ``quota_units`` are the claimant's exact share of the whole total by weight
    (the same for every method). ``floor_units``, ``remainder`` and ``extra_unit`` describe the
    last round of the method (see ``Result.steps``); without a minimum there is only one round:

    * largest remainder: ``floor_units`` is the whole part and ``remainder`` the fractional part
      of ``units × weight ÷ total weight`` in the last round (= ``quota_units`` without a
      minimum); ``extra_unit`` says whether the claimant got a unit for its remainder.
    * divisor methods: ``remainder`` is the quotient ``weight ÷ divisor`` and ``floor_units``
      that quotient rounded by the method's rule; ``extra_unit`` is always False. A quotient
      exactly on a rounding boundary is a tie the tie rule decided (see ``Result.steps``); a
      claimant raised to the minimum had lost it, so it is rounded down there.

    Unless ``raised_to_minimum``, ``allocated_units`` is ``floor_units`` (+1 for an extra unit).
    """

    key: str
    name: str
    weight: Decimal
    quota: Decimal
    quota_units: Decimal
    floor_units: int
    remainder: Decimal
    extra_unit: bool
    raised_to_minimum: bool
    allocated_units: int
    allocated: Decimal


@dataclass(frozen=True)
class Result:
    """The apportionment with everything a committee needs to follow it."""

    method: Method
    total: Decimal
    step: Decimal
    minimum: Decimal
    rows: tuple[Row, ...]
    divisor: Decimal | None  # divisor methods: weight per unit in the last round
    steps: tuple[str, ...]  # what happened, in order, in the active language


@dataclass(frozen=True)
class _Outcome:
    """One round of a method over the claimants still being apportioned ("active")."""

    units: dict[int, int]  # claimant index -> units, for the active claimants only
    tied: tuple[int, ...] = ()  # claimants whose tie at the cut was decided by the tie rule
    # Largest remainder:
    rate: Fraction | None = None  # units per weight
    extra: tuple[int, ...] = ()  # got a unit for the remainder, largest remainder first
    # Divisor methods:
    divisor: Fraction | None = None
    divisor_shown: Decimal | None = None
    low: Fraction | None = None  # every divisor in (low, high] gives the same result
    high: Fraction | None = None


@dataclass(frozen=True)
class _Run:
    final: _Outcome  # the last round
    raised: frozenset[int]


# Units so far + offset is the denominator of the highest-averages quotient; a quotient q is
# rounded to floor(q + 1 - offset): half up for Sainte-Laguë, down for D'Hondt.
_OFFSET = {Method.SAINTE_LAGUE: Fraction(1, 2), Method.DHONDT: Fraction(1)}


def apportion(
    claimants: Sequence[Claimant],
    *,
    total: Decimal,
    step: Decimal,
    method: Method,
    minimum: Decimal = Decimal(0),
) -> Result:
    """Distribute ``total`` VZÄ in multiples of ``step`` over ``claimants`` by weight.

    Every claimant gets at least ``minimum``; the allocations add up exactly to ``total``.
    Raises ``ApportionmentError`` for invalid input.
    """
    method = Method(method)
    units, minimum_units = _validate(claimants, total=total, step=step, minimum=minimum)
    weights = [Fraction(claimant.weight) for claimant in claimants]
    narrator = _Narrator(claimants, step)
    narrator.header(method, total=total, units=units, minimum_units=minimum_units)
    run = _run(method, weights, units, minimum_units, narrator)
    rows = _rows(claimants, weights, run, method=method, units=units, step=step)
    rows = _allocate(rows, run, minimum_units=minimum_units, step=step)
    narrator.result(total, len(rows))
    return Result(
        method=method,
        total=total,
        step=step,
        minimum=minimum,
        rows=rows,
        divisor=run.final.divisor_shown,
        steps=tuple(narrator.lines),
    )


# --- validation -------------------------------------------------------------------------------


def _validate(
    claimants: Sequence[Claimant], *, total: Decimal, step: Decimal, minimum: Decimal
) -> tuple[int, int]:
    """Check the input and return (units to apportion, minimum units per claimant)."""
    if not claimants:
        raise ApportionmentError(
            _("There are no recipients to apportion among."), code="no_claimants"
        )
    if not step.is_finite() or step <= 0:
        raise ApportionmentError(
            _("The step must be a number greater than zero."), code="step_not_positive"
        )
    units = _whole_units(total, step)
    if units is None:
        raise ApportionmentError(
            _("The total of %(total)s VZÄ is not a whole multiple of the step of %(step)s VZÄ.")
            % {"total": _fmt(total), "step": _fmt(step)},
            code="total_not_multiple",
        )
    minimum_units = _whole_units(minimum, step)
    if minimum_units is None:
        raise ApportionmentError(
            _("The minimum of %(minimum)s VZÄ is not a whole multiple of the step of %(step)s VZÄ.")
            % {"minimum": _fmt(minimum), "step": _fmt(step)},
            code="minimum_not_multiple",
        )
    _check_claimants(claimants)
    if minimum_units * len(claimants) > units:
        raise ApportionmentError(
            _(
                "A minimum of %(minimum)s VZÄ for each of %(count)d recipients needs more than "
                "the total of %(total)s VZÄ."
            )
            % {"minimum": _fmt(minimum), "count": len(claimants), "total": _fmt(total)},
            code="minimum_exceeds_total",
        )
    return units, minimum_units


def _whole_units(value: Decimal, step: Decimal) -> int | None:
    """``value ÷ step`` if that is a whole number >= 0, else None (negative counts as invalid)."""
    if not value.is_finite() or value < 0:
        return None
    ratio = Fraction(value) / Fraction(step)
    return ratio.numerator if ratio.denominator == 1 else None


def _check_claimants(claimants: Sequence[Claimant]) -> None:
    seen: set[str] = set()
    for claimant in claimants:
        if not claimant.weight.is_finite() or claimant.weight < 0:
            raise ApportionmentError(
                _("The weight of %(name)s must be a number of at least zero.")
                % {"name": claimant.name},
                code="negative_weight",
            )
        if claimant.key in seen:
            raise ApportionmentError(
                _("%(key)s (%(name)s) appears more than once.")
                % {"key": claimant.key, "name": claimant.name},
                code="duplicate_key",
            )
        seen.add(claimant.key)
    if all(claimant.weight == 0 for claimant in claimants):
        raise ApportionmentError(
            _("All weights are zero, so there is nothing to apportion by."), code="zero_weights"
        )


# --- rounds -----------------------------------------------------------------------------------


def _run(
    method: Method, weights: list[Fraction], units: int, minimum_units: int, narrator: _Narrator
) -> _Run:
    """Apportion, then raise claimants below the minimum and re-apportion the rest.

    1. Apportion the units still free among the active claimants (at first: all of them).
    2. Everyone below the minimum is raised to it and leaves the active set for good.
    3. Repeat with the units left after the minimums until nobody is below the minimum.

    The active set never empties: if all active claimants fell below the minimum, they would
    share fewer units than ``minimum × count``, but validation guarantees at least that many.
    Zero weights get nothing in a round, so with a minimum they are raised in the first round.
    """
    apportion_round = _largest_remainder if method == Method.LARGEST_REMAINDER else _divisor_round
    active = list(range(len(weights)))
    raised: list[int] = []
    round_number = 1
    while True:
        free_units = units - minimum_units * len(raised)
        narrator.round(round_number, free_units, active)
        outcome = apportion_round(method, weights, active, free_units)
        narrator.outcome(method, outcome, free_units)
        below = [index for index in active if outcome.units[index] < minimum_units]
        if not below:
            return _Run(final=outcome, raised=frozenset(raised))
        raised.extend(below)
        active = [index for index in active if outcome.units[index] >= minimum_units]
        narrator.raised(below, outcome, minimum_units, units - minimum_units * len(raised), active)
        round_number += 1


def _largest_remainder(
    method: Method, weights: list[Fraction], active: list[int], units: int
) -> _Outcome:
    """Hare–Niemeyer: whole quotas first, then one unit each to the largest remainders.

    ``method`` is unused; it keeps the signature the same as ``_divisor_round``.
    """
    rate = Fraction(units) / sum(weights[index] for index in active)
    quotas = {index: weights[index] * rate for index in active}
    floors = {index: math.floor(quota) for index, quota in quotas.items()}
    remainders = {index: quotas[index] - floors[index] for index in active}
    left_over = units - sum(floors.values())
    order = sorted(active, key=lambda index: (-remainders[index], -weights[index], index))
    extra = tuple(order[:left_over])
    for index in extra:
        floors[index] += 1
    tied: tuple[int, ...] = ()
    if 0 < left_over < len(order):
        cut = remainders[order[left_over - 1]]
        if remainders[order[left_over]] == cut:
            tied = tuple(index for index in order if remainders[index] == cut)
    return _Outcome(units=floors, tied=tied, rate=rate, extra=extra)


def _divisor_round(
    method: Method, weights: list[Fraction], active: list[int], units: int
) -> _Outcome:
    """Sainte-Laguë or D'Hondt by highest averages, then the divisor that reproduces it.

    Quotients ``weight ÷ (units so far + offset)`` never increase for a claimant, so the units
    handed out are exactly the ``units`` largest quotients overall; the last one handed out
    (``high``) and the best one not handed out (``low``) bound the divisors that give the result.
    """
    offset = _OFFSET[method]
    seats = {index: 0 for index in active}
    # Heap entries sort by largest quotient, then larger weight, then input order (tie rule).
    heap = [(-weights[index] / offset, -weights[index], index) for index in active]
    heapq.heapify(heap)
    high: Fraction | None = None
    for _unit in range(units):
        negative_quotient, negative_weight, index = heap[0]
        high = -negative_quotient
        seats[index] += 1
        heapq.heapreplace(heap, (-weights[index] / (seats[index] + offset), negative_weight, index))
    low = -heap[0][0]
    if high is not None and low == high:
        tied = _tied_quotients(weights, seats, offset, high)
        return _Outcome(units=seats, tied=tied, divisor=high, divisor_shown=_precise(high))
    shown = _simplest_in(low, high)
    return _Outcome(units=seats, divisor=Fraction(shown), divisor_shown=shown, low=low, high=high)


def _tied_quotients(
    weights: list[Fraction], seats: dict[int, int], offset: Fraction, cut: Fraction
) -> tuple[int, ...]:
    """Claimants whose last unit won, or whose next unit lost, at exactly the cut quotient.

    Listed in the order of the tie rule: larger weight first, then input order.
    """
    tied = [
        index
        for index, count in seats.items()
        if weights[index] / (count + offset) == cut
        or (count > 0 and weights[index] / (count - 1 + offset) == cut)
    ]
    return tuple(sorted(tied, key=lambda index: (-weights[index], index)))


def _simplest_in(low: Fraction, high: Fraction | None) -> Decimal:
    """The decimal with the fewest significant digits in ``(low, high]`` (``high`` None: ∞).

    Tries ever finer grids 10^e, starting at the order of magnitude of the upper end, and takes
    the first grid point above ``low`` that is not above ``high``.
    """
    if high is None:
        return _next_grid_point(low, _magnitude(low) if low > 0 else 0)
    exponent = _magnitude(high)
    while True:
        candidate = _next_grid_point(low, exponent)
        if Fraction(candidate) <= high:
            return candidate
        exponent -= 1


def _next_grid_point(low: Fraction, exponent: int) -> Decimal:
    """The smallest multiple of 10^exponent that is greater than ``low``, as an exact Decimal."""
    multiple = math.floor(low / Fraction(10) ** exponent) + 1
    if exponent >= 0:
        return Decimal(multiple * 10**exponent)
    return Decimal(f"{multiple}E{exponent}")


def _magnitude(value: Fraction) -> int:
    """floor(log10(value)) for value > 0, exactly."""
    exponent = len(str(value.numerator)) - len(str(value.denominator))
    while Fraction(10) ** exponent > value:
        exponent -= 1
    while Fraction(10) ** (exponent + 1) <= value:
        exponent += 1
    return exponent


# --- rows -------------------------------------------------------------------------------------


def _rows(
    claimants: Sequence[Claimant],
    weights: list[Fraction],
    run: _Run,
    *,
    method: Method,
    units: int,
    step: Decimal,
) -> tuple[Row, ...]:
    """Rows with quota, floor and remainder; allocation is filled in by ``_allocate``."""
    total_weight = sum(weights)
    step_fraction = Fraction(step)
    rows = []
    for index, claimant in enumerate(claimants):
        quota_units = units * weights[index] / total_weight
        floor_units, remainder, extra_unit = _last_round_figures(method, weights, run, index)
        rows.append(
            Row(
                key=claimant.key,
                name=claimant.name,
                weight=claimant.weight,
                quota=_rounded(quota_units * step_fraction),
                quota_units=_precise(quota_units),
                floor_units=floor_units,
                remainder=_rounded(remainder),
                extra_unit=extra_unit,
                raised_to_minimum=False,
                allocated_units=0,
                allocated=Decimal(0),
            )
        )
    return tuple(rows)


def _last_round_figures(
    method: Method, weights: list[Fraction], run: _Run, index: int
) -> tuple[int, Fraction, bool]:
    """(floor_units, remainder, extra_unit) for one claimant in the last round.

    Raised claimants are shown at the last round's rate or divisor too; since raising only
    lowers the others' share, that still rounds to less than the minimum.
    """
    final = run.final
    if final.rate is not None:
        quota = weights[index] * final.rate
        floor_units = math.floor(quota)
        return floor_units, quota - floor_units, index in final.extra
    assert final.divisor is not None
    quotient = weights[index] / final.divisor
    if index in final.units:
        # Equal to rounding the quotient, except at an exact tie, which the tie rule decided.
        return final.units[index], quotient, False
    # A raised claimant lost its minimum-th unit in an earlier round. Raising only lowers the
    # others' share, so at the final divisor that unit's quotient is at most the divisor: the
    # rounded quotient stays below the minimum. It can equal the divisor only at an exact tie;
    # counting strictly (a quotient on the boundary is not enough) keeps that lost tie lost.
    return max(0, math.ceil(quotient - _OFFSET[method])), quotient, False


def _allocate(
    rows: tuple[Row, ...], run: _Run, *, minimum_units: int, step: Decimal
) -> tuple[Row, ...]:
    allocated = []
    for index, row in enumerate(rows):
        raised = index in run.raised
        units = minimum_units if raised else run.final.units[index]
        allocated.append(
            replace(
                row,
                raised_to_minimum=raised,
                allocated_units=units,
                allocated=_EXACT.multiply(step, Decimal(units)),
            )
        )
    return tuple(allocated)


# --- numbers ----------------------------------------------------------------------------------


def _rounded(value: Fraction, places: int = DISPLAY_PLACES) -> Decimal:
    """Round an exact fraction to ``places`` decimals, half to even, in one step."""
    scaled = value * 10**places
    quotient, remainder = divmod(scaled.numerator, scaled.denominator)
    if 2 * remainder > scaled.denominator or (
        2 * remainder == scaled.denominator and quotient % 2 == 1
    ):
        quotient += 1
    return Decimal(f"{quotient}E-{places}")


def _precise(value: Fraction) -> Decimal:
    with localcontext() as context:
        context.prec = QUOTA_PRECISION
        return Decimal(value.numerator) / Decimal(value.denominator)


def _short(value: Decimal) -> Decimal:
    """At most four decimal places, for the log (a divisor at a tie can be a long fraction)."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -DISPLAY_PLACES:
        return _rounded(Fraction(value))
    return value


def _fmt(value: Decimal) -> str:
    """A number as people read it in the active language (German: 1.234,5)."""
    return number_format(value)


# --- the log ----------------------------------------------------------------------------------


def _method_name(method: Method) -> str:
    names: dict[Method, Callable[[], str]] = {
        Method.LARGEST_REMAINDER: lambda: _("the largest remainder method (Hare–Niemeyer)"),
        Method.SAINTE_LAGUE: lambda: _("the Sainte-Laguë/Schepers method"),
        Method.DHONDT: lambda: _("the D'Hondt method"),
    }
    return names[method]()


class _Narrator:
    """Writes ``Result.steps``: what happened, in order, so that a committee can follow it."""

    def __init__(self, claimants: Sequence[Claimant], step: Decimal) -> None:
        self.names = [claimant.name for claimant in claimants]
        self.weights = [claimant.weight for claimant in claimants]
        self.step = step
        self.active_weight = Decimal(0)
        self.lines: list[str] = []

    def _vze(self, units: int) -> str:
        return _fmt(_EXACT.multiply(self.step, Decimal(units)))

    def _names(self, indexes: Sequence[int]) -> str:
        return ", ".join(self.names[index] for index in indexes)

    def header(self, method: Method, *, total: Decimal, units: int, minimum_units: int) -> None:
        self.lines.append(
            _("%(total)s VZÄ in steps of %(step)s VZÄ: %(units)d units, apportioned by %(method)s.")
            % {
                "total": _fmt(total),
                "step": _fmt(self.step),
                "units": units,
                "method": _method_name(method),
            }
        )
        if minimum_units:
            self.lines.append(
                ngettext(
                    "Minimum for each recipient: %(minimum)s VZÄ (%(units)d unit).",
                    "Minimum for each recipient: %(minimum)s VZÄ (%(units)d units).",
                    minimum_units,
                )
                % {"minimum": self._vze(minimum_units), "units": minimum_units}
            )

    def round(self, number: int, units: int, active: list[int]) -> None:
        self.active_weight = Decimal(0)
        for index in active:
            self.active_weight = _EXACT.add(self.active_weight, self.weights[index])
        self.lines.append(
            _(
                "Round %(round)d: %(units)d units among %(count)d recipients "
                "with a total weight of %(weight)s."
            )
            % {
                "round": number,
                "units": units,
                "count": len(active),
                "weight": _fmt(self.active_weight),
            }
        )

    def outcome(self, method: Method, outcome: _Outcome, units: int) -> None:
        if method == Method.LARGEST_REMAINDER:
            self._largest_remainder(outcome, units)
        else:
            self._divisor(method, outcome, units)

    def _largest_remainder(self, outcome: _Outcome, units: int) -> None:
        assert outcome.rate is not None
        if units:
            self.lines.append(
                _("Quota per unit: %(weight)s ÷ %(units)d = %(quota)s.")
                % {
                    "weight": _fmt(self.active_weight),
                    "units": units,
                    "quota": _fmt(_rounded(1 / outcome.rate)),
                }
            )
        left_over = len(outcome.extra)
        self.lines.append(
            ngettext(
                "Whole quotas give %(floors)d units; %(left)d unit is left over.",
                "Whole quotas give %(floors)d units; %(left)d units are left over.",
                left_over,
            )
            % {"floors": units - left_over, "left": left_over}
        )
        if outcome.extra:
            self.lines.append(
                _("Remaining units by largest remainders: %(names)s.")
                % {"names": self._names(outcome.extra)}
            )
        if outcome.tied:
            self.lines.append(
                _(
                    "Equal remainders at the cut (%(names)s): decided by the larger weight, "
                    "then by the order of the list."
                )
                % {"names": self._names(outcome.tied)}
            )

    def _divisor(self, method: Method, outcome: _Outcome, units: int) -> None:
        assert outcome.divisor_shown is not None
        rounding = _("rounded half up") if method == Method.SAINTE_LAGUE else _("rounded down")
        self.lines.append(
            _(
                "Divisor %(divisor)s: each weight divided by the divisor and %(rounding)s "
                "gives %(units)d units in total."
            )
            % {"divisor": _fmt(_short(outcome.divisor_shown)), "rounding": rounding, "units": units}
        )
        if outcome.low is not None and outcome.high is not None:
            self.lines.append(
                _("Every divisor above %(low)s up to %(high)s gives the same result.")
                % {"low": _fmt(_rounded(outcome.low)), "high": _fmt(_rounded(outcome.high))}
            )
        if outcome.tied:
            self.lines.append(
                _(
                    "Equal quotients for the last unit (%(names)s): decided by the larger weight, "
                    "then by the order of the list."
                )
                % {"names": self._names(outcome.tied)}
            )

    def raised(
        self,
        below: list[int],
        outcome: _Outcome,
        minimum_units: int,
        free_units: int,
        active: list[int],
    ) -> None:
        for index in below:
            self.lines.append(
                _("%(name)s would receive %(had)s VZÄ and is raised to the minimum of %(min)s VZÄ.")
                % {
                    "name": self.names[index],
                    "had": self._vze(outcome.units[index]),
                    "min": self._vze(minimum_units),
                }
            )
        self.lines.append(
            _("The remaining %(rest)s VZÄ are apportioned again among the other %(count)d.")
            % {"rest": self._vze(free_units), "count": len(active)}
        )

    def result(self, total: Decimal, count: int) -> None:
        self.lines.append(
            _("Result: %(total)s VZÄ allocated to %(count)d recipients.")
            % {"total": _fmt(total), "count": count}
        )
