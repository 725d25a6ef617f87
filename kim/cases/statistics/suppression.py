"""Disclosure control for count tables: primary and secondary cell suppression (D-082).

Pure Python, no Django. A table holds counts over 0, 1 or 2 dimensions together with its
one-dimensional margins and the grand total. What a reader sees of each entry is one of

- the number itself (``Mark.SHOWN``; zeros are always shown),
- "< 3" (``Mark.SMALL``): the count is 1 or 2 (primary suppression),
- "x" (``Mark.WITHHELD``): some count of at least 1 is withheld so that a small count cannot be
  calculated from the other figures (secondary suppression). A reader knows nothing about it but
  that it is not zero.

The guarantee: from everything one table publishes – the shown numbers, the two markers with
their meaning (1 or 2; at least 1) and the additive relations cells → margins → total – every
suppressed entry keeps at least two possible values. The one-dimensional margins of a
two-dimensional table are published exactly as the one-dimensional table of that dimension
publishes them (``suppress_1d`` decides them canonically, ``suppress_2d`` keeps them and only
suppresses more inner cells), so asking for ``town`` and for ``town × quarter`` cannot be
played against each other. The grand total is shown whenever it is 3 or more; a total of 1 or 2
withholds every non-zero entry.

When no pattern with visible zeros and the shown total protects every entry (three cells of 1
with a total of 3: everyone can count), the whole table is withheld (``withheld=True``): no
entry is shown, not even the zeros. That reveals nothing, so it is safe whatever other tables
show.

How: the entries are the edges of a bipartite graph (rows and columns of the table extended by
its margin row and column, margins with a negative sign so that every line sums to zero). Any
other table consistent with what is published differs by a circulation on the suppressed edges
that respects their bounds; an entry can change exactly when it lies on a cycle of the residual
graph (``_unsafe``). Because the constraint matrix is totally unimodular, this is exact for
integers. Secondary suppression adds, greedily, the smallest published non-zero cell that makes
an unsafe entry safe, and where none does, turns "< 3" into "x" (dropping the upper bound).

``recoverable`` is an independent auditor: a complete search with bound propagation over the
published equations (no graph), used by the tests and available to anyone who doubts a table.

Limits: one table at a time plus its shared margins. Overlapping periods (Q1–Q2 against Q1)
can be differenced; a reader can do that with any tool, so the pages offer whole quarters and
years and D-082 records the limit.

Medians are not additive; ``suppress_median`` hides a median when fewer than 3 cases stand
behind it and needs no secondary suppression.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

SUPPRESS_BELOW = 3
MAX_DIMENSIONS = 2

Pos = tuple[int, int]


class Mark(StrEnum):
    SHOWN = "shown"
    SMALL = "small"
    WITHHELD = "withheld"


@dataclass(frozen=True)
class Entry:
    value: int
    mark: Mark = Mark.SHOWN
    empty: bool = False  # a median over no case: nothing to show, nothing to hide

    @property
    def suppressed(self) -> bool:
        return self.mark != Mark.SHOWN

    @property
    def published(self) -> int | None:
        return None if self.suppressed or self.empty else self.value

    def __str__(self) -> str:
        if self.empty:
            return "–"
        if self.mark == Mark.SMALL:
            return f"< {SUPPRESS_BELOW}"
        if self.mark == Mark.WITHHELD:
            return "x"
        return str(self.value)


@dataclass(frozen=True)
class Published:
    """A suppressed table. ``cells`` is keyed by index tuples (``()``, ``(i,)`` or ``(i, j)``);
    ``margins[d][k]`` is the total of value ``k`` of dimension ``d``."""

    shape: tuple[int, ...]
    cells: dict[tuple[int, ...], Entry]
    margins: list[list[Entry]]
    total: Entry
    withheld: bool = False

    def entries(self) -> Iterable[Entry]:
        yield from self.cells.values()
        for line in self.margins:
            yield from line
        yield self.total


class DimensionError(ValueError):
    """A table of more than ``MAX_DIMENSIONS`` dimensions was asked for."""


# --- the safety check (residual graph) ---------------------------------------------------------


def _bounds(mark: Mark, value: int) -> tuple[float, float]:
    if mark == Mark.SMALL:
        return (1, SUPPRESS_BELOW - 1)
    if mark == Mark.WITHHELD:
        return (1, math.inf)
    return (value, value)


@dataclass
class _Grid:
    """The table extended by its margin row (index ``rows``) and column (index ``cols``);
    margins negated, the grand total positive, so that every row and column sums to zero."""

    rows: int
    cols: int
    y: dict[Pos, int]
    marks: dict[Pos, Mark]
    links: dict[Pos, tuple[Pos, ...]] = field(default_factory=dict)

    def sign(self, pos: Pos) -> int:
        return -1 if (pos[0] == self.rows) != (pos[1] == self.cols) else 1

    def bounds(self, pos: Pos) -> tuple[float, float]:
        lo, hi = _bounds(self.marks[pos], abs(self.y[pos]))
        return (lo, hi) if self.sign(pos) > 0 else (-hi, -lo)

    def mark(self, pos: Pos, mark: Mark) -> None:
        for p in (pos, *self.links.get(pos, ())):
            self.marks[p] = mark

    def suppressed(self) -> list[Pos]:
        return sorted(p for p, m in self.marks.items() if m != Mark.SHOWN)

    def _edges(self, skip: Pos) -> dict[tuple[str, int], list[tuple[str, int]]]:
        out: dict[tuple[str, int], list[tuple[str, int]]] = {}
        for pos in self.suppressed():
            if pos == skip:
                continue
            lo, hi = self.bounds(pos)
            row, col = ("r", pos[0]), ("c", pos[1])
            if self.y[pos] < hi:
                out.setdefault(row, []).append(col)
            if self.y[pos] > lo:
                out.setdefault(col, []).append(row)
        return out

    def can_change(self, pos: Pos) -> bool:
        lo, hi = self.bounds(pos)
        edges = self._edges(pos)
        row, col = ("r", pos[0]), ("c", pos[1])
        return (self.y[pos] < hi and _reaches(edges, col, row)) or (
            self.y[pos] > lo and _reaches(edges, row, col)
        )

    def unsafe(self) -> list[Pos]:
        return [p for p in self.suppressed() if not self.can_change(p)]


def _reaches(edges: dict[tuple[str, int], list[tuple[str, int]]], a: object, b: object) -> bool:
    seen, stack = {a}, [a]
    while stack:
        node = stack.pop()
        if node == b:
            return True
        for nxt in edges.get(node, ()):  # type: ignore[call-overload]
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return False


def _primary(value: int) -> Mark:
    return Mark.SMALL if 0 < value < SUPPRESS_BELOW else Mark.SHOWN


def _protect(grid: _Grid, region: Sequence[Pos]) -> bool:
    """Add secondary suppressions inside ``region`` until every suppressed entry can change.
    False when even that is impossible (the caller withholds the table).

    More suppression only widens what a reader must consider possible, so an entry found safe
    stays safe: each entry is checked until it passes, not again after every step."""
    verified: set[Pos] = set()
    inside = set(region)
    while (target := _first_unsafe(grid, verified)) is not None:
        shown = [p for p in region if grid.marks[p] == Mark.SHOWN and grid.y[p] != 0]
        in_lines = [p for p in shown if p[0] == target[0] or p[1] == target[1]] or shown
        candidates = sorted(in_lines, key=lambda p: (abs(grid.y[p]), p))
        if _first_that_frees(grid, target, candidates):
            continue
        if target in inside and grid.marks[target] == Mark.SMALL:
            grid.mark(target, Mark.WITHHELD)
        elif small := [p for p in region if grid.marks[p] == Mark.SMALL]:
            grid.mark(small[0], Mark.WITHHELD)
        elif candidates:
            grid.mark(candidates[-1], Mark.WITHHELD)
        else:
            return False
    return True


def _first_unsafe(grid: _Grid, verified: set[Pos]) -> Pos | None:
    for pos in grid.suppressed():
        if pos in verified:
            continue
        if not grid.can_change(pos):
            return pos
        verified.add(pos)
    return None


def _first_that_frees(grid: _Grid, target: Pos, candidates: list[Pos]) -> bool:
    for cand in candidates:
        grid.mark(cand, Mark.WITHHELD)
        if grid.can_change(target):
            return True
        grid.mark(cand, Mark.SHOWN)
    return False


# --- the public suppressors -------------------------------------------------------------------


def _withheld(shape: tuple[int, ...], cells: dict[tuple[int, ...], int]) -> Published:
    hidden = {k: Entry(v, Mark.WITHHELD) for k, v in cells.items()}
    margins = [[Entry(v, Mark.WITHHELD) for v in line] for line in _margins(shape, cells)]
    return Published(shape, hidden, margins, Entry(sum(cells.values()), Mark.WITHHELD), True)


def _margins(shape: tuple[int, ...], cells: dict[tuple[int, ...], int]) -> list[list[int]]:
    lines = []
    for d, size in enumerate(shape):
        lines.append([sum(v for k, v in cells.items() if k[d] == i) for i in range(size)])
    return lines


def _small_total(shape: tuple[int, ...], cells: dict[tuple[int, ...], int]) -> Published:
    def hide(v: int) -> Entry:
        return Entry(v, Mark.WITHHELD if v else Mark.SHOWN)

    margins = [[hide(v) for v in line] for line in _margins(shape, cells)]
    total = sum(cells.values())
    return Published(shape, {k: hide(v) for k, v in cells.items()}, margins, hide(total))


def suppress_0d(total: int) -> Published:
    return Published((), {(): Entry(total, _primary(total))}, [], Entry(total, _primary(total)))


def suppress_1d(values: Sequence[int]) -> Published:
    """Cells of one dimension; the margins are the cells themselves."""
    n = len(values)
    cells: dict[tuple[int, ...], int] = {(i,): v for i, v in enumerate(values)}
    total = sum(values)
    if 0 < total < SUPPRESS_BELOW:
        return _small_total((n,), cells)
    # As a 1 × n table: row 0 the cells, the margin row their copies (linked), corner the total.
    y: dict[Pos, int] = {(1, n): total, (0, n): -total}
    marks: dict[Pos, Mark] = {(1, n): Mark.SHOWN, (0, n): Mark.SHOWN}
    links: dict[Pos, tuple[Pos, ...]] = {}
    for i, v in enumerate(values):
        y[(0, i)], y[(1, i)] = v, -v
        marks[(0, i)] = marks[(1, i)] = _primary(v)
        links[(0, i)] = ((1, i),)
    grid = _Grid(1, n, y, marks, links)
    if not _protect(grid, [(0, i) for i in range(n)]):
        return _withheld((n,), cells)
    entries = [Entry(v, grid.marks[(0, i)]) for i, v in enumerate(values)]
    return Published(
        (n,), {(i,): e for i, e in enumerate(entries)}, [entries], Entry(total, Mark.SHOWN)
    )


def suppress_2d(matrix: Sequence[Sequence[int]]) -> Published:
    """Cells of two dimensions (rows × columns). The margins are taken over unchanged from
    ``suppress_1d`` of the row and the column totals."""
    r = len(matrix)
    c = len(matrix[0]) if r else 0
    cells: dict[tuple[int, ...], int] = {(i, j): matrix[i][j] for i in range(r) for j in range(c)}
    row_sums, col_sums = _margins((r, c), cells)
    total = sum(row_sums)
    if 0 < total < SUPPRESS_BELOW:
        return _small_total((r, c), cells)
    by_row, by_col = suppress_1d(row_sums), suppress_1d(col_sums)
    if by_row.withheld or by_col.withheld or _split_small_margin(matrix, by_row, by_col):
        return _withheld((r, c), cells)
    y: dict[Pos, int] = {(r, c): total}
    marks: dict[Pos, Mark] = {(r, c): Mark.SHOWN}
    for (i, j), v in cells.items():
        y[(i, j)], marks[(i, j)] = v, _primary(v)
    for i, e in enumerate(by_row.margins[0]):
        y[(i, c)], marks[(i, c)] = -e.value, e.mark
    for j, e in enumerate(by_col.margins[0]):
        y[(r, j)], marks[(r, j)] = -e.value, e.mark
    grid = _Grid(r, c, y, marks)
    inner: list[Pos] = [(i, j) for i in range(r) for j in range(c)]
    if not _protect(grid, inner):
        return _withheld((r, c), cells)
    return Published(
        (r, c),
        {(i, j): Entry(cells[(i, j)], grid.marks[(i, j)]) for i, j in inner},
        [by_row.margins[0], by_col.margins[0]],
        Entry(total, Mark.SHOWN),
    )


def _split_small_margin(
    matrix: Sequence[Sequence[int]], by_row: Published, by_col: Published
) -> bool:
    """A margin shown as "< 3" over two non-zero cells is 2 = 1 + 1 for anyone who sees the
    zeros: no suppression inside the table can hide that, so the table is withheld at once."""
    rows = [
        sum(1 for v in line if v)
        for line, e in zip(matrix, by_row.margins[0], strict=True)
        if e.mark == Mark.SMALL
    ]
    cols = [
        sum(1 for line in matrix if line[j])
        for j, e in enumerate(by_col.margins[0])
        if e.mark == Mark.SMALL
    ]
    return any(n >= 2 for n in rows + cols)


def suppress(counts: int | Sequence[int] | Sequence[Sequence[int]], dims: int) -> Published:
    """Dispatch on the number of dimensions (0, 1 or 2)."""
    if dims > MAX_DIMENSIONS:
        raise DimensionError(dims)
    if dims == 0:
        assert isinstance(counts, int)
        return suppress_0d(counts)
    if dims == 1:
        return suppress_1d(counts)  # type: ignore[arg-type]
    return suppress_2d(counts)  # type: ignore[arg-type]


def suppress_median(values: Sequence[int]) -> tuple[int | None, bool]:
    """The lower median of ``values`` (whole days) and whether it is suppressed: fewer than
    ``SUPPRESS_BELOW`` values → suppressed; none → no value, nothing to suppress."""
    if not values:
        return None, False
    if len(values) < SUPPRESS_BELOW:
        return None, True
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2], False


# --- the independent auditor ------------------------------------------------------------------


def _equations(p: Published) -> list[tuple[list[tuple[str, int]], str]]:
    """Every additive relation as ``(parts, whole)`` over entry names."""
    eqs: list[tuple[list[tuple[str, int]], str]] = []
    if len(p.shape) == 1:
        eqs.append(([(f"c{i}", 1) for i in range(p.shape[0])], "t"))
    elif len(p.shape) == 2:
        r, c = p.shape
        for i in range(r):
            eqs.append(([(f"c{i},{j}", 1) for j in range(c)], f"m0,{i}"))
        for j in range(c):
            eqs.append(([(f"c{i},{j}", 1) for i in range(r)], f"m1,{j}"))
        eqs.append(([(f"m0,{i}", 1) for i in range(r)], "t"))
        eqs.append(([(f"m1,{j}", 1) for j in range(c)], "t"))
    return eqs


def _named(p: Published) -> dict[str, Entry]:
    named: dict[str, Entry] = {"t": p.total}
    for key, e in p.cells.items():
        if len(p.shape) == 1:
            named[f"c{key[0]}"] = e
        elif len(p.shape) == 2:
            named[f"c{key[0]},{key[1]}"] = e
    if len(p.shape) == 2:
        for d, line in enumerate(p.margins):
            for k, e in enumerate(line):
                named[f"m{d},{k}"] = e
    return named


def _propagate(doms: dict[str, list[int]], eqs: list[list[tuple[str, int]]]) -> bool:
    """Bounds consistency on ``sum(coef * x) == 0``; False on an empty domain."""
    changed = True
    while changed:
        changed = False
        for eq in eqs:
            lo = sum(doms[n][0] if a > 0 else -doms[n][1] for n, a in eq)
            hi = sum(doms[n][1] if a > 0 else -doms[n][0] for n, a in eq)
            if lo > 0 or hi < 0:
                return False
            for n, a in eq:
                d = doms[n]
                own_lo = d[0] if a > 0 else -d[1]
                own_hi = d[1] if a > 0 else -d[0]
                # own term must lie in [-(hi - own_hi), -(lo - own_lo)]
                t_lo, t_hi = -(hi - own_hi), -(lo - own_lo)
                new = [t_lo, t_hi] if a > 0 else [-t_hi, -t_lo]
                if new[0] > d[0] or new[1] < d[1]:
                    d[0], d[1] = max(d[0], new[0]), min(d[1], new[1])
                    if d[0] > d[1]:
                        return False
                    changed = True
    return True


def _solvable(doms: dict[str, list[int]], eqs: list[list[tuple[str, int]]]) -> bool:
    doms = {n: list(d) for n, d in doms.items()}
    if not _propagate(doms, eqs):
        return False
    open_ = [n for n, d in doms.items() if d[0] < d[1]]
    if not open_:
        return True
    name = min(open_, key=lambda n: (doms[n][1] - doms[n][0], n))
    lo, hi = doms[name]
    mid = (lo + hi) // 2
    for part in ((lo, mid), (mid + 1, hi)):
        trial = {**doms, name: list(part)}
        if _solvable(trial, eqs):
            return True
    return False


def recoverable(p: Published, *, cap: int | None = None) -> set[str]:
    """The suppressed entries whose value follows exactly from what ``p`` publishes.

    Names: ``t`` total, ``c<i>``/``c<i>,<j>`` cells, ``m<d>,<k>`` margins. An attacker who
    knows the rules: "< 3" is 1 or 2, "x" is at least 1, a withheld table says nothing. Domains
    without an upper bound are capped at ``cap`` (default: the shown total, or a generous bound),
    which can only make the auditor stricter."""
    if p.withheld:
        return set()
    named = _named(p)
    limit = cap if cap is not None else (p.total.published or 0) + 10 * len(named) + 10
    doms: dict[str, list[int]] = {}
    for n, e in named.items():
        lo, hi = _bounds(e.mark, e.value)
        doms[n] = [int(lo), int(min(hi, limit))]
    eqs = [[*parts, (whole, -1)] for parts, whole in _equations(p)]
    found = set()
    for n, e in named.items():
        if not e.suppressed:
            continue
        below = {**doms, n: [doms[n][0], e.value - 1]}
        above = {**doms, n: [e.value + 1, doms[n][1]]}
        ok_below = below[n][0] <= below[n][1] and _solvable(below, eqs)
        if not ok_below and not (above[n][0] <= above[n][1] and _solvable(above, eqs)):
            found.add(n)
    return found
