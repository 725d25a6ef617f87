"""Residence-time arithmetic: calendar years, interruptions, pauses, projections."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from kim.screening.facts import Period, Status
from kim.screening.periods import Tally, add_months, add_years, months_between, stretch
from kim.screening.tests.rulecases import d, period


def tolerated(p: Period) -> Tally:
    if p.section == "60b":
        return Tally.PAUSE
    return Tally.BREAK if p.status is Status.NONE else Tally.COUNT


def test_years_follow_the_bgb_calendar() -> None:
    assert add_years(d("2020-01-01"), 3) == d("2023-01-01")
    assert add_years(d("2020-02-29"), 1) == d("2021-03-01")
    assert add_months(d("2021-01-31"), 1) == d("2021-03-01")
    assert add_months(d("2021-12-15"), 1) == d("2022-01-15")
    assert months_between(d("2019-05-01"), d("2023-12-31")) == (4, 7)
    assert months_between(d("2019-05-01"), d("2019-04-30")) == (0, 0)


def test_an_open_period_runs_and_projects() -> None:
    run = stretch([period("duldung", "2020-03-14")], d("2024-11-01"), tolerated)
    assert run.start == d("2020-03-14") and run.running
    assert run.met_on(6) == d("2026-03-14")
    assert run.counted_on(d("2024-11-01")) == (4, 7)


def test_short_interruption_is_harmless_but_not_counted() -> None:
    periods = [period("duldung", "2018-01-01", "2021-12-31"), period("duldung", "2022-03-01")]
    run = stretch(periods, d("2026-03-15"), tolerated, max_interruption_days=90)
    assert run.start == d("2018-01-01")
    assert run.effective_start == d("2018-01-01") + dt.timedelta(days=59)


def test_interruption_of_exactly_the_limit_is_harmless_one_day_more_restarts() -> None:
    day = d("2026-03-15")
    ok = [period("duldung", "2018-01-01", "2021-12-31"), period("duldung", "2022-04-01")]
    too_long = [period("duldung", "2018-01-01", "2021-12-31"), period("duldung", "2022-04-02")]
    assert stretch(ok, day, tolerated, 90).start == d("2018-01-01")
    assert stretch(too_long, day, tolerated, 90).start == d("2022-04-02")
    assert stretch(ok, day, tolerated, 0).start == d("2022-04-01")


def test_a_break_status_counts_as_interruption() -> None:
    periods = [
        period("duldung", "2015-01-01", "2019-12-31"),
        period("none", "2020-01-01", "2020-02-29"),
        period("duldung", "2020-03-01"),
    ]
    assert stretch(periods, d("2026-01-01"), tolerated, 90).start == d("2015-01-01")
    assert stretch(periods, d("2026-01-01"), tolerated, 30).start == d("2020-03-01")


def test_a_pause_neither_counts_nor_breaks() -> None:
    periods = [
        period("duldung", "2021-01-01", "2022-12-31"),
        period("duldung", "2023-01-01", "2024-12-31", "60b"),
        period("duldung", "2025-01-01"),
    ]
    run = stretch(periods, d("2026-03-15"), tolerated)
    assert run.start == d("2021-01-01")
    assert run.counted_on(d("2026-03-15")) == (3, 2)
    assert run.running


def test_time_complete_before_a_later_pause_keeps_its_date() -> None:
    """Six years of Gestattung complete on 01.01.2025; a § 60b Duldung only afterwards must not
    push that date back by the paused days (it did: "erfüllt seit" came out as 2026)."""
    periods = [
        period("gestattung", "2019-01-01", "2025-05-31"),
        period("duldung", "2025-06-01", None, "60b"),
    ]
    run = stretch(periods, d("2026-11-25"), tolerated)
    assert run.met_on(6) == d("2025-01-01")
    assert run.met_on(7) is not None and run.met_on(7) > d("2026-11-25")  # not reached


def test_a_current_pause_stops_the_clock() -> None:
    periods = [
        period("duldung", "2021-01-01", "2022-12-31"),
        period("duldung", "2023-01-01", None, "60b"),
    ]
    run = stretch(periods, d("2026-03-15"), tolerated)
    assert run.counted_on(d("2026-03-15")) == (2, 0)
    assert not run.running


def test_nothing_counts_without_periods_or_after_a_long_gap() -> None:
    assert stretch([], d("2026-01-01"), tolerated).start is None
    old = [period("duldung", "2010-01-01", "2015-12-31")]
    assert stretch(old, d("2026-01-01"), tolerated, 90).met_on(1) is None


def test_periods_after_the_reference_day_are_ignored() -> None:
    periods = [period("duldung", "2019-01-01"), period("none", "2027-01-01")]
    assert stretch(periods, d("2026-01-01"), tolerated).start == d("2019-01-01")


@given(
    start=st.dates(dt.date(2000, 1, 1), dt.date(2025, 12, 31)),
    gap=st.integers(0, 200),
    first_len=st.integers(1, 3000),
    years=st.integers(1, 8),
    limit=st.sampled_from([0, 90, 183]),
)
def test_met_on_is_the_first_day_the_time_is_reached(
    start: dt.date, gap: int, first_len: int, years: int, limit: int
) -> None:
    """Projected from any reference day, ``met_on`` is a day on which the stretch (recomputed
    there with the same facts) counts the years, and the day before it does not."""
    first_end = start + dt.timedelta(days=first_len - 1)
    second = first_end + dt.timedelta(days=gap + 1)
    periods = [Period(Status.DULDUNG, start, first_end), Period(Status.DULDUNG, second)]
    day = second + dt.timedelta(days=10)
    due = stretch(periods, day, tolerated, limit).met_on(years)
    assert due is not None
    later = stretch(periods, due, tolerated, limit)
    assert later.counted_on(due)[0] >= years
    if due - dt.timedelta(days=1) >= second:
        before = stretch(periods, due - dt.timedelta(days=1), tolerated, limit)
        assert before.counted_on(due - dt.timedelta(days=1))[0] < years
