"""Ranking the expressions of interest of a call, with every step of the arithmetic kept.

Pure functions over plain values (no database): for each submission and criterion the mean of
the evaluators' points, multiplied by the criterion's weight in per cent, gives the weighted
points; their sum is the total, shown also as a share of the highest possible total. Exact
fractions throughout; rounding (half up, two places) happens only for display.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

TWO_PLACES = Decimal("0.01")


def shown(value: Fraction) -> Decimal:
    """A fraction rounded half up to two decimal places, for display."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        TWO_PLACES, rounding=ROUND_HALF_UP
    )


@dataclass(frozen=True)
class CriterionInput:
    key: int
    name: str
    weight: int  # per cent


@dataclass(frozen=True)
class CriterionLine:
    name: str
    weight: int
    points: tuple[int, ...]  # one per evaluator, in evaluator order
    mean: Fraction | None  # None while nobody has scored
    weighted: Fraction | None  # mean × weight / 100

    @property
    def explanation(self) -> str:
        """The arithmetic in words, e.g. "(7 + 8) / 2 = 7,50 × 40 % = 3,00"."""
        if self.mean is None or self.weighted is None:
            return "–"
        parts = " + ".join(str(p) for p in self.points)
        mean, weighted = _de(shown(self.mean)), _de(shown(self.weighted))
        return f"({parts}) / {len(self.points)} = {mean} × {self.weight} % = {weighted}"


@dataclass(frozen=True)
class Ranked:
    key: object  # the submission (or its id)
    rank: int
    total: Fraction
    share: Fraction  # total / highest score, 0..1
    lines: tuple[CriterionLine, ...]
    complete: bool  # every criterion scored by enough evaluators

    @property
    def total_shown(self) -> Decimal:
        return shown(self.total)

    @property
    def share_percent(self) -> Decimal:
        return shown(self.share * 100)

    @property
    def total_explanation(self) -> str:
        parts = " + ".join(_de(shown(line.weighted or Fraction(0))) for line in self.lines)
        return f"{parts} = {_de(self.total_shown)}"


def _de(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def rank(
    submissions: Sequence[object],
    criteria: Sequence[CriterionInput],
    points: Mapping[tuple[object, int], Iterable[int]],
    *,
    scale_max: int,
    min_evaluators: int,
) -> list[Ranked]:
    """Rank ``submissions`` (best first) by their weighted totals.

    ``points[(submission, criterion.key)]`` holds the points given by each evaluator. Equal
    totals share a rank (1, 2, 2, 4); the input order (the order of receipt) breaks ties in the
    listing only.
    """
    rows: list[tuple[object, Fraction, tuple[CriterionLine, ...], bool]] = []
    for submission in submissions:
        lines: list[CriterionLine] = []
        complete = True
        total = Fraction(0)
        for criterion in criteria:
            given = tuple(points.get((submission, criterion.key), ()))
            if len(given) < min_evaluators:
                complete = False
            mean: Fraction | None = None
            weighted: Fraction | None = None
            if given:
                mean = Fraction(sum(given), len(given))
                weighted = mean * criterion.weight / 100
                total += weighted
            lines.append(CriterionLine(criterion.name, criterion.weight, given, mean, weighted))
        rows.append((submission, total, tuple(lines), complete and bool(criteria)))
    order = sorted(range(len(rows)), key=lambda i: (-rows[i][1], i))
    result: list[Ranked] = []
    highest = Fraction(scale_max) if scale_max else Fraction(1)
    for position, index in enumerate(order, start=1):
        submission, total, row_lines, complete = rows[index]
        previous = result[-1] if result else None
        place = previous.rank if previous is not None and previous.total == total else position
        result.append(Ranked(submission, place, total, total / highest, row_lines, complete))
    return result
