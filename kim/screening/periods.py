"""Residence-time arithmetic over a status timeline.

A rule version says which periods count (``Tally.COUNT``), which neither count nor break the
stretch (``PAUSE``, e.g. a Duldung under § 60b for § 25a) and which interrupt it (``BREAK``:
a non-qualifying status, and any day without a period). Interruptions up to
``max_interruption_days`` in a row are harmless (§ 25b: 3 months) but are not counted;
a longer one restarts the clock.

Periods dated after the reference day are ignored; the period that covers the reference day is
assumed to continue ("if nothing else changes"), which is what ``met_on`` projects with.
Uncounted time is subtracted in days (a leap day inside a pause or gap can move a date by one
day against a purely calendar reading). Year arithmetic follows §§ 187, 188 BGB: a 3-year
period that starts on 01.01.2020 is complete at the end of 31.12.2022, so it is met on
01.01.2023; a start on 29.02. ends with February.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum

from kim.screening.facts import Period

ONE_DAY = dt.timedelta(days=1)


class Tally(Enum):
    COUNT = "count"
    PAUSE = "pause"
    BREAK = "break"


@dataclass(frozen=True)
class Stretch:
    """The uninterrupted stretch that reaches the reference day.

    ``start``: its first counting day (None: nothing counts). ``effective_start``: ``start``
    moved forward by the days inside the stretch that did not count, so that the counted time
    on day D is exactly the calendar time from ``effective_start`` to D. ``running``: the
    reference day itself counts, so the time keeps growing if nothing changes."""

    start: dt.date | None
    effective_start: dt.date | None
    running: bool
    # The counting periods of the stretch (clipped to the reference day), oldest first.
    counted: tuple[tuple[dt.date, dt.date], ...] = ()

    def met_on(self, years: int = 0, months: int = 0) -> dt.date | None:
        """The first day on which the counted time reaches ``years`` and ``months``, provided
        the stretch keeps running; None if nothing counts.

        The projection from ``effective_start`` subtracts *every* uncounted day of the stretch;
        when the time was already complete before a later pause (e.g. six years with a
        Gestattung, then a Duldung under § 60b), the day it was reached is found by walking the
        counting periods instead."""
        if self.effective_start is None or self.start is None:
            return None
        projected = add_months(self.effective_start, 12 * years + months)
        needed = (add_months(self.start, 12 * years + months) - self.start).days
        done = 0
        # A running last period is what the projection extends; only the periods before it
        # (or all of them, when the clock stands) are walked.
        for first, last in self.counted[:-1] if self.running else self.counted:
            length = (last - first).days + 1
            if done + length >= needed:
                return min(projected, first + dt.timedelta(days=needed - done))
            done += length
        return projected

    def counted_on(self, day: dt.date) -> tuple[int, int]:
        """Full years and months counted up to ``day`` (0, 0 without a stretch)."""
        if self.effective_start is None or self.effective_start > day:
            return (0, 0)
        return months_between(self.effective_start, day)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months; a missing day of month moves to the 1st of the
    next month (29.02.2020 + 12 months → 01.03.2021: the period ended with 28.02.)."""
    total = day.year * 12 + (day.month - 1) + months
    year, month = divmod(total, 12)
    try:
        return dt.date(year, month + 1, day.day)
    except ValueError:
        return dt.date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)


def add_years(day: dt.date, years: int) -> dt.date:
    return add_months(day, 12 * years)


def months_between(start: dt.date, day: dt.date) -> tuple[int, int]:
    """Complete (years, months) from ``start`` up to ``day``."""
    months = (day.year - start.year) * 12 + day.month - start.month
    if add_months(start, months) > day:
        months -= 1
    return divmod(max(months, 0), 12)


def stretch(
    periods: Iterable[Period],
    day: dt.date,
    tally: Callable[[Period], Tally],
    max_interruption_days: int = 0,
) -> Stretch:
    """The stretch reaching ``day`` (see the module docstring).

    1. Walk the periods backwards from ``day`` (later periods win where they overlap).
    2. Gaps and BREAK periods add up to the current interruption; once it exceeds
       ``max_interruption_days`` the walk stops.
    3. PAUSE periods and tolerated interruptions are "pending" uncounted days; they become part
       of the stretch only when an earlier COUNT period is found.
    """
    items = sorted((p for p in periods if p.start <= day), key=lambda p: p.start, reverse=True)
    cursor = day + ONE_DAY  # first day already accounted for
    start: dt.date | None = None
    uncounted = pending = interruption = 0
    running: bool | None = None
    counted: list[tuple[dt.date, dt.date]] = []
    for period in items:
        end = min(period.end or day, day, cursor - ONE_DAY)
        if end < period.start:
            continue
        gap = (cursor - end).days - 1
        kind = tally(period)
        if running is None:
            running = gap == 0 and kind is Tally.COUNT
        length = (end - period.start).days + 1
        bad = gap + (length if kind is Tally.BREAK else 0)
        interruption += bad
        pending += bad
        if interruption > max_interruption_days:
            break
        if kind is not Tally.BREAK:
            interruption = 0
            pending += length if kind is Tally.PAUSE else 0
        if kind is Tally.COUNT:
            uncounted, pending, start = uncounted + pending, 0, period.start
            counted.append((period.start, end))
        cursor = period.start
    if start is None:
        return Stretch(None, None, False)
    if not running:
        # The reference day itself is still "in progress": time is complete up to the day
        # before, so a non-counting reference day is not yet subtracted.
        uncounted -= 1
    return Stretch(
        start, start + dt.timedelta(days=uncounted), bool(running), tuple(reversed(counted))
    )


def status_on(periods: Iterable[Period], day: dt.date) -> Period | None:
    """The period covering ``day`` (the latest-starting one where they overlap)."""
    best: Period | None = None
    for period in periods:
        covers = period.start <= day and (period.end is None or day <= period.end)
        if covers and (best is None or period.start >= best.start):
            best = period
    return best
