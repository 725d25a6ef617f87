"""Personnel cost of a KIM post under TVöD: steps, monthly pay, Jahressonderzahlung, employer cost.

Pure computation on ``Decimal``, no database. The rules that change with time (pay tables, step
times, special-payment rates, employer factor) come in through a :class:`PayRules` object;
:class:`StaticPayRules` serves them from ``kim.programmes.reference_data`` or from any records
of the same shape (for example rows read from the database).

Money is never rounded inside the computation. Every figure a :class:`YearCost` reports is
rounded to the cent (ROUND_HALF_UP) exactly once, when it is produced.

Simplifications (each one is named again where it is applied):

- Regular step progression only; performance-based acceleration or delay (§ 17 Abs. 2 TVöD)
  and interruptions of the step period (§ 17 Abs. 3) are not modelled.
- The Jahressonderzahlung uses September's pay as reference instead of the average of July to
  September (§ 20 Abs. 3 TVöD).
- A month without a known table carries the nearest known table over and says so
  (``YearCost.missing_table``); it is a forecast, not a pay slip.
"""

from __future__ import annotations

import calendar
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any, Protocol

from kim.programmes.reference_data import (
    EMPLOYER_ADD_ONS,
    PAY_TABLE,
    PAY_TABLES_VALID_UNTIL,
    SCALE_GENERAL,
    SCALE_SUE,
    SPECIAL_PAYMENT_RATES,
    STEP_RULES,
    EmployerAddOn,
    PayRow,
    SpecialPaymentRate,
    StepRule,
)

CENT = Decimal("0.01")
MONTHS = 12
NOVEMBER = 11
SEPTEMBER = 9
# How far a missing table or special-payment rate is looked for before giving up.
CARRY_MONTHS = 240
CARRY_YEARS = 20


def round_cents(amount: Decimal) -> Decimal:
    """Round a money amount to the cent, half up: the project's one rounding rule for money."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


class PayRules(Protocol):
    """The time-dependent facts the cost computation needs.

    A rules object answers the same question always the same way (it is loaded once and not
    changed afterwards): :func:`monthly_with_carry` remembers its answers per rules object.
    """

    def monthly(self, group: str, step: int, on: date) -> Decimal | None:
        """Full-time monthly pay from the table valid on ``on``, or None if none covers it."""
        ...

    def scale_of(self, group: str) -> str:
        """``"TVöD VKA"`` for ``"E …"`` groups, ``"TVöD SuE"`` for ``"S …"`` groups."""
        ...

    def step_years(self, scale: str, step: int) -> int | None:
        """Years in ``step`` before ``step + 1``; None for the final step."""
        ...

    def special_rate(self, group: str, year: int) -> Decimal | None:
        """Jahressonderzahlung rate for the group in ``year``, or None if unknown."""
        ...

    def employer_factor(self, on: date) -> Decimal:
        """Employer cost factor on gross pay valid on ``on``."""
        ...


# --- groups --------------------------------------------------------------------------------


def scale_of_group(group: str) -> str:
    """The TVöD table a pay group belongs to, from its prefix ("E 9c", "S 12")."""
    prefix = group.strip()[:1].upper()
    if prefix == "E":
        return SCALE_GENERAL
    if prefix == "S":
        return SCALE_SUE
    raise ValueError(f"unknown pay group {group!r}: expected 'E …' or 'S …'")


def _group_key(group: str) -> tuple[str, int, str]:
    """("E", 9, "c") for "E 9c": orders E 9a < E 9b < E 9c < E 10 < E 12."""
    prefix, _, rest = group.strip().partition(" ")
    digits = "".join(ch for ch in rest if ch.isdigit())
    if not prefix or not digits:
        raise ValueError(f"unknown pay group {group!r}")
    return prefix.upper(), int(digits), rest[len(digits) :].strip().lower()


def group_in_band(group: str, group_from: str, group_to: str) -> bool:
    """Whether ``group`` lies in the band ``group_from``..``group_to`` (inclusive, same prefix)."""
    key, low, high = _group_key(group), _group_key(group_from), _group_key(group_to)
    return key[0] == low[0] == high[0] and low[1:] <= key[1:] <= high[1:]


# --- rules from records ----------------------------------------------------------------------


class StaticPayRules:
    """:class:`PayRules` served from records (by default the public facts in reference_data).

    ``tables_valid_until`` is the last day for which the tables are known (the end of the
    current pay agreement's term); ``monthly`` answers None after it, so that forecasts say
    they carried a table forward. Pass None when the last table is meant to hold indefinitely.
    """

    def __init__(
        self,
        pay_table: Iterable[PayRow] = PAY_TABLE,
        step_rules: Iterable[StepRule] = STEP_RULES,
        special_rates: Iterable[SpecialPaymentRate] = SPECIAL_PAYMENT_RATES,
        add_ons: Iterable[EmployerAddOn] = EMPLOYER_ADD_ONS,
        tables_valid_until: date | None = PAY_TABLES_VALID_UNTIL,
    ) -> None:
        self._rows: dict[str, list[PayRow]] = {}
        for row in sorted(pay_table, key=lambda r: r.valid_from):
            self._rows.setdefault(row.group, []).append(row)
        self._steps = {(rule.scale, rule.step): rule.years for rule in step_rules}
        self._special = tuple(special_rates)
        self._add_ons = tuple(sorted(add_ons, key=lambda a: a.valid_from))
        self._valid_until = tables_valid_until
        self._special_memo: dict[tuple[str, int], Decimal | None] = {}

    def monthly(self, group: str, step: int, on: date) -> Decimal | None:
        if self._valid_until is not None and on > self._valid_until:
            return None
        current = [row for row in self._rows.get(group, ()) if row.valid_from <= on]
        if not current or not 1 <= step <= len(current[-1].amounts):
            return None
        return current[-1].amounts[step - 1]

    def scale_of(self, group: str) -> str:
        return scale_of_group(group)

    def step_years(self, scale: str, step: int) -> int | None:
        return self._steps.get((scale, step))

    def special_rate(self, group: str, year: int) -> Decimal | None:
        """The rate valid on 1 November of ``year``, when the payment is made (§ 20 Abs. 5)."""
        if (group, year) not in self._special_memo:  # asked once per post and year
            self._special_memo[(group, year)] = self._special_rate(group, year)
        return self._special_memo[(group, year)]

    def _special_rate(self, group: str, year: int) -> Decimal | None:
        scale, paid_on = self.scale_of(group), date(year, NOVEMBER, 1)
        for rate in self._special:
            in_force = rate.valid_from <= paid_on and (
                rate.valid_to is None or paid_on <= rate.valid_to
            )
            if (
                rate.scale == scale
                and in_force
                and group_in_band(group, rate.group_from, rate.group_to)
            ):
                return rate.rate
        return None

    def employer_factor(self, on: date) -> Decimal:
        """The add-on with the latest ``valid_from`` on or before ``on``.

        Before the first record the first record is used: the factor is a rule-of-thumb default
        (brief §6.4: 1.25–1.30), and the brief has no earlier figures.
        """
        if not self._add_ons:
            raise ValueError("no employer add-on configured")
        current = [a for a in self._add_ons if a.valid_from <= on] or [self._add_ons[0]]
        return current[-1].factor


# --- steps ---------------------------------------------------------------------------------

# Relevant professional experience (einschlägige Berufserfahrung, in years) needed on hiring
# for Stufe 2 and Stufe 3.
# - General table: § 16 Abs. 2 TVöD (VKA): at least 1 year → Stufe 2, at least 3 years →
#   Stufe 3 (brief §6.3, dbb).
# - SuE: ASSUMPTION (not in the brief, UNCONFIRMED): at least 4 years for Stufe 3. Secondary
#   sources on the SuE rules say so, and it matches the SuE step times (Stufe 3 is reached
#   after 1 + 3 years there, as after 1 + 2 years in the general table). Change here if the
#   HR office applies the general rule.
# Other useful periods (förderliche Zeiten) that an employer may credit are not modelled.
ENTRY_STEP_EXPERIENCE: dict[str, tuple[Decimal, Decimal]] = {
    SCALE_GENERAL: (Decimal(1), Decimal(3)),
    SCALE_SUE: (Decimal(1), Decimal(4)),
}


def entry_step(scale: str, experience_years: Decimal) -> int:
    """Stufe on hiring from years of relevant experience (see ``ENTRY_STEP_EXPERIENCE``)."""
    if scale not in ENTRY_STEP_EXPERIENCE:
        raise ValueError(f"unknown pay scale {scale!r}")
    for_step_2, for_step_3 = ENTRY_STEP_EXPERIENCE[scale]
    if experience_years >= for_step_3:
        return 3
    if experience_years >= for_step_2:
        return 2
    return 1


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later; 29 February becomes 1 March in common years
    (a period of years begun on 29.02. ends with 28.02., § 188 Abs. 2/3 BGB)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def step_schedule(
    group: str, entry_step: int, step_since: date, rules: PayRules
) -> Iterator[tuple[int, date]]:
    """(step, reached on) pairs from the entry step up to the final step, by regular step times.

    ``step_since`` is the day the entry step began (usually the hiring date).
    """
    if not 1 <= entry_step <= 6:
        raise ValueError(f"step must be 1..6, got {entry_step}")
    scale = rules.scale_of(group)
    step, since = entry_step, step_since
    yield step, since
    while (years := rules.step_years(scale, step)) is not None:
        step, since = step + 1, add_years(since, years)
        yield step, since


def step_on(group: str, entry_step: int, step_since: date, on: date, rules: PayRules) -> int:
    """The step held on day ``on`` (the entry step for days before ``step_since``)."""
    return _held(step_schedule(group, entry_step, step_since, rules), entry_step, on)


def _held(schedule: Iterable[tuple[int, date]], entry_step: int, on: date) -> int:
    held = entry_step
    for step, since in schedule:
        if since > on:
            break
        held = step
    return held


def next_step_date(
    group: str, entry_step: int, step_since: date, rules: PayRules, *, after: date | None = None
) -> date | None:
    """The first step-up after ``after`` (default: after ``step_since``); None at the top step."""
    after = step_since if after is None else after
    for _step, since in step_schedule(group, entry_step, step_since, rules):
        if since > after:
            return since
    return None


def pay_step_for_month(
    group: str, entry_step: int, step_since: date, month: date, rules: PayRules
) -> int:
    """The step paid for a calendar month.

    § 17 Abs. 1 TVöD: the pay of a new step is due from the beginning of the month in which the
    step is reached, so the step held on the month's last day is paid for the whole month.
    """
    return step_on(group, entry_step, step_since, _last_day(month), rules)


def _last_day(month: date) -> date:
    return month.replace(day=_days_in_month(month))


_DAYS_IN_MONTH = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in_month(day: date) -> int:
    """``calendar.monthrange(...)[1]`` without working out the weekday (the same formula)."""
    return _DAYS_IN_MONTH[day.month] + (day.month == 2 and calendar.isleap(day.year))


# --- cost ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthCost:
    """One paid month: ``monthly_pay`` is the full-time table amount for ``step``;
    ``fte_share`` is VZÄ × the share of the month's days employed. Cost = pay × share."""

    month: date
    step: int
    monthly_pay: Decimal
    fte_share: Decimal


@dataclass(frozen=True)
class YearCost:
    """Personnel cost of one post for one calendar year.

    ``base_pay``, ``special_payment`` and ``employer_cost`` are rounded to the cent once;
    ``gross`` is ``base_pay + special_payment`` and ``employer_cost`` is ``gross ×
    employer_factor``, so every printed figure can be recomputed from the printed figures.
    ``missing_table`` is True when some month (or the special-payment rate) had no known value
    and the nearest known one was carried over: the figures are then a forecast.
    """

    year: int
    group: str
    vze: Decimal
    months: tuple[MonthCost, ...]
    base_pay: Decimal
    special_payment: Decimal
    gross: Decimal
    employer_factor: Decimal
    employer_cost: Decimal
    missing_table: bool


def _month_offset(month: date, offset: int) -> date:
    index = month.year * MONTHS + month.month - 1 + offset
    return date(index // MONTHS, index % MONTHS + 1, 1)


def _carried[T](lookup: Callable[[int], T | None], distances: Iterable[int]) -> T | None:
    """The first value ``lookup(distance)`` gives, trying the distances in order."""
    for distance in distances:
        value = lookup(distance)
        if value is not None:
            return value
    return None


# Answers of monthly_with_carry per rules object: a forecast asks the same (group, step, month)
# for many posts, and each carried month costs up to 2 × CARRY_MONTHS table look-ups. Weak
# keys: the memo goes with its rules object (a DatabasePayRules lives for one forecast).
_CARRY_MEMO: weakref.WeakKeyDictionary[Any, dict[tuple[str, int, date], tuple[Decimal, bool]]] = (
    weakref.WeakKeyDictionary()
)


def monthly_with_carry(group: str, step: int, month: date, rules: PayRules) -> tuple[Decimal, bool]:
    """(pay, carried) for the table valid on the 1st of ``month``.

    Without a table for that month, the latest earlier table is carried forward; before the
    earliest known table, that earliest table is carried back. ``carried`` says so.
    """
    return _remembered(group, step, month, rules, _carry_memo(rules))


def _carry_memo(rules: PayRules) -> dict[tuple[str, int, date], tuple[Decimal, bool]] | None:
    try:
        return _CARRY_MEMO.setdefault(rules, {})
    except TypeError:  # a rules object that cannot be weakly referenced or hashed
        return None


def _remembered(
    group: str,
    step: int,
    month: date,
    rules: PayRules,
    memo: dict[tuple[str, int, date], tuple[Decimal, bool]] | None,
) -> tuple[Decimal, bool]:
    if memo is None:
        return _monthly_with_carry(group, step, month, rules)
    key = (group, step, month)
    if key not in memo:
        memo[key] = _monthly_with_carry(group, step, month, rules)
    return memo[key]


def _monthly_with_carry(
    group: str, step: int, month: date, rules: PayRules
) -> tuple[Decimal, bool]:
    pay = rules.monthly(group, step, month)
    if pay is not None:
        return pay, False
    backwards = range(-1, -CARRY_MONTHS, -1)
    forwards = range(1, CARRY_MONTHS)
    for distances in (backwards, forwards):
        found = _carried(lambda k: rules.monthly(group, step, _month_offset(month, k)), distances)
        if found is not None:
            return found, True
    raise ValueError(f"no pay table for {group} Stufe {step}")


def special_rate_with_carry(group: str, year: int, rules: PayRules) -> tuple[Decimal, bool]:
    """(rate, carried) for the Jahressonderzahlung; like :func:`monthly_with_carry` by year."""
    rate = rules.special_rate(group, year)
    if rate is not None:
        return rate, False
    for distances in (range(-1, -CARRY_YEARS, -1), range(1, CARRY_YEARS)):
        found = _carried(lambda k: rules.special_rate(group, year + k), distances)
        if found is not None:
            return found, True
    raise ValueError(f"no special payment rate for {group}")


def _employed_share(
    month: date, employed_from: date | None, employed_until: date | None
) -> Decimal:
    """Share of the month's calendar days employed (§ 24 Abs. 3 TVöD: pay for part of a month
    is due for the days of that part)."""
    days = _days_in_month(month)
    first = max(month, employed_from or month)
    last = min(month + timedelta(days=days - 1), employed_until or date.max)
    employed = (last - first).days + 1
    if employed <= 0:
        return Decimal(0)
    return Decimal(1) if employed == days else Decimal(employed) / Decimal(days)


@dataclass(frozen=True)
class _Post:
    group: str
    entry_step: int
    step_since: date
    vze: Decimal
    rules: PayRules
    year_end: date

    @cached_property
    def schedule(self) -> tuple[tuple[int, date], ...]:
        """:func:`step_schedule` up to the end of the year, worked out once for all months
        (on first use, so that a year without employed months never asks for it)."""
        steps = []
        for step, since in step_schedule(self.group, self.entry_step, self.step_since, self.rules):
            if since > self.year_end:
                break
            steps.append((step, since))
        return tuple(steps)

    @cached_property
    def carry_memo(self) -> dict[tuple[str, int, date], tuple[Decimal, bool]] | None:
        return _carry_memo(self.rules)


def _month_cost(post: _Post, month: date, share: Decimal) -> tuple[MonthCost, bool]:
    # = pay_step_for_month(...), on the schedule worked out once
    step = _held(post.schedule, post.entry_step, _last_day(month))
    pay, carried = _remembered(post.group, step, month, post.rules, post.carry_memo)
    return MonthCost(month=month, step=step, monthly_pay=pay, fte_share=post.vze * share), carried


def _employed_on(day: date, employed_from: date | None, employed_until: date | None) -> bool:
    return (employed_from is None or employed_from <= day) and (
        employed_until is None or day <= employed_until
    )


def _special_payment(
    post: _Post, year: int, months: tuple[MonthCost, ...], employment: tuple[date | None, ...]
) -> tuple[Decimal, bool]:
    """Jahressonderzahlung paid with November's pay (§ 20 TVöD), unrounded.

    1. No claim unless employed on 1 December of the year (§ 20 Abs. 1).
    2. Reference pay: the full-time pay of September × VZÄ (simplified: § 20 Abs. 3 averages
       July to September); for employment begun after 30 September, the first month employed
       (§ 20 Abs. 3 names the first full calendar month).
    3. Rate of the year × reference pay, reduced by one twelfth for each calendar month of the
       year without any pay (§ 20 Abs. 4).
    """
    employed_from, employed_until = employment
    if not months or not _employed_on(date(year, 12, 1), employed_from, employed_until):
        return Decimal(0), False
    reference = next((m for m in months if m.month.month == SEPTEMBER), months[0])
    rate, carried = special_rate_with_carry(post.group, year, post.rules)
    twelfths = Decimal(len(months)) / Decimal(MONTHS)
    return rate * reference.monthly_pay * post.vze * twelfths, carried


def year_cost(
    *,
    group: str,
    entry_step: int,
    step_since: date,
    year: int,
    vze: Decimal,
    rules: PayRules,
    employed_from: date | None = None,
    employed_until: date | None = None,
    factor: Decimal | None = None,
) -> YearCost:
    """Cost of one post in calendar ``year``, month by month.

    1. For each month with at least one day employed: the table valid on the 1st of the month
       (carried over if unknown), the step paid for that month (:func:`pay_step_for_month`),
       and the share VZÄ × days employed / days in month.
    2. Jahressonderzahlung with November's pay (:func:`_special_payment`).
    3. Round base pay and special payment once; gross is their sum; employer cost is gross ×
       ``factor`` (default: ``rules.employer_factor`` on 1 January of the year), rounded once.
    """
    post = _Post(group, entry_step, step_since, vze, rules, date(year, 12, 31))
    months: list[MonthCost] = []
    missing = False
    for number in range(1, MONTHS + 1):
        month = date(year, number, 1)
        share = _employed_share(month, employed_from, employed_until)
        if share > 0:
            cost, carried = _month_cost(post, month, share)
            months.append(cost)
            missing = missing or carried
    paid = tuple(months)
    special_exact, rate_carried = _special_payment(
        post, year, paid, (employed_from, employed_until)
    )
    base_pay = round_cents(sum((m.monthly_pay * m.fte_share for m in paid), Decimal(0)))
    special_payment = round_cents(special_exact)
    gross = base_pay + special_payment
    factor = rules.employer_factor(date(year, 1, 1)) if factor is None else factor
    return YearCost(
        year=year,
        group=group,
        vze=vze,
        months=paid,
        base_pay=base_pay,
        special_payment=special_payment,
        gross=gross,
        employer_factor=factor,
        employer_cost=round_cents(gross * factor),
        missing_table=missing or rate_carried,
    )


def full_year_gross(
    *, group: str, step: int, table_date: date, special_rate: Decimal, rules: PayRules
) -> Decimal:
    """12 × monthly pay + special_rate × monthly pay, from the table valid on ``table_date``:
    the method of the brief's worked example (§6.4). Full-time, one step all year, unrounded
    (round once where the figure is shown)."""
    monthly = rules.monthly(group, step, table_date)
    if monthly is None:
        raise ValueError(f"no pay table for {group} Stufe {step} on {table_date}")
    return monthly * MONTHS + special_rate * monthly
