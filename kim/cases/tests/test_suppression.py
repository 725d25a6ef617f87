"""Disclosure control (D-082): no published table lets anyone calculate a count of 1 or 2.

The attacker here is written without the suppression code: it enumerates every non-negative
integer table consistent with what was published ("< 3" is 1 or 2, "x" at least 1, zeros and
numbers as shown, margins and total the sums) and collects every value each entry can take.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kim.cases.statistics.suppression import (
    Entry,
    Mark,
    Published,
    recoverable,
    suppress,
    suppress_1d,
    suppress_2d,
    suppress_median,
)

values = st.integers(min_value=0, max_value=8)
one_d = st.lists(values, min_size=1, max_size=6)
two_d = st.integers(1, 3).flatmap(
    lambda r: st.integers(1, 3).flatmap(
        lambda c: st.lists(st.lists(values, min_size=c, max_size=c), min_size=r, max_size=r)
    )
)
big_two_d = st.integers(1, 4).flatmap(
    lambda r: st.integers(1, 4).flatmap(
        lambda c: st.lists(st.lists(values, min_size=c, max_size=c), min_size=r, max_size=r)
    )
)


def _fits(e: Entry, v: int) -> bool:
    if e.mark == Mark.SHOWN:
        return v == e.value
    if e.mark == Mark.SMALL:
        return 1 <= v <= 2
    return v >= 1


def _upper(e: Entry, total: int) -> int:
    return {Mark.SHOWN: e.value, Mark.SMALL: 2}.get(e.mark, total)


def brute_force(p: Published) -> dict[str, set[int]]:
    """Every value each entry takes over all tables consistent with ``p`` (2-D as r × c,
    1-D as 1 × n)."""
    if len(p.shape) == 1:
        rows, cols = 1, p.shape[0]
        cell = {(0, j): p.cells[(j,)] for j in range(cols)}
        row_m = [p.total]
        col_m = p.margins[0]
    else:
        rows, cols = p.shape
        cell = dict(p.cells)
        row_m, col_m = p.margins
    cap = p.total.value if not p.total.suppressed else 2 * rows * cols + 6
    ranges = [
        range(0, 1)
        if cell[(i, j)].mark == Mark.SHOWN and cell[(i, j)].value == 0
        else range(cell[(i, j)].value, cell[(i, j)].value + 1)
        if cell[(i, j)].mark == Mark.SHOWN
        else range(
            1, min(_upper(row_m[i], cap), _upper(col_m[j], cap), _upper(cell[(i, j)], cap)) + 1
        )
        for i in range(rows)
        for j in range(cols)
    ]
    seen: dict[str, set[int]] = {}
    for combo in itertools.product(*ranges):
        grid = [combo[i * cols : (i + 1) * cols] for i in range(rows)]
        rs = [sum(r) for r in grid]
        cs = [sum(grid[i][j] for i in range(rows)) for j in range(cols)]
        t = sum(rs)
        if not (
            all(_fits(row_m[i], rs[i]) for i in range(rows))
            and all(_fits(col_m[j], cs[j]) for j in range(cols))
            and _fits(p.total, t)
        ):
            continue
        for (i, j), v in zip(itertools.product(range(rows), range(cols)), combo, strict=True):
            seen.setdefault(f"c{i},{j}", set()).add(v)
        for i, v in enumerate(rs):
            seen.setdefault(f"r{i}", set()).add(v)
        for j, v in enumerate(cs):
            seen.setdefault(f"k{j}", set()).add(v)
        seen.setdefault("t", set()).add(t)
    return seen


def _named_suppressed(p: Published) -> dict[str, Entry]:
    if len(p.shape) == 1:
        named = {f"c0,{j}": p.cells[(j,)] for j in range(p.shape[0])}
        named |= {f"k{j}": e for j, e in enumerate(p.margins[0])}
        named["r0"] = p.total
    else:
        named = {f"c{i},{j}": e for (i, j), e in p.cells.items()}
        named |= {f"r{i}": e for i, e in enumerate(p.margins[0])}
        named |= {f"k{j}": e for j, e in enumerate(p.margins[1])}
    named["t"] = p.total
    return {n: e for n, e in named.items() if e.suppressed}


def _check_basics(p: Published) -> None:
    for e in p.entries():
        if not e.suppressed:
            assert not 0 < e.value < 3, "a 1 or 2 is published"
        if p.withheld:
            assert e.suppressed
        elif e.value == 0:
            assert not e.suppressed, "a zero is hidden"
        if e.mark == Mark.SMALL:
            assert 1 <= e.value <= 2  # the marker tells the truth


def _small_enough(p: Published) -> bool:
    sizes = 1
    for e in p.cells.values():
        if e.suppressed:
            sizes *= max(p.total.value, 2) + 1
    return sizes <= 60_000


def _check_attacker(p: Published) -> None:
    if p.withheld:
        return
    assert recoverable(p) == set()
    if not _small_enough(p):
        return
    seen = brute_force(p)
    assert seen, "the true table itself must be consistent"
    for name in _named_suppressed(p):
        assert len(seen[name]) >= 2, f"{name} is recoverable: {seen[name]}"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(one_d)
def test_one_dimension_never_reveals_a_small_count(cells: list[int]) -> None:
    p = suppress_1d(cells)

    _check_basics(p)
    assert [e.value for e in p.margins[0]] == cells  # published values are the true ones
    assert p.total.value == sum(cells)
    _check_attacker(p)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(two_d)
def test_two_dimensions_never_reveal_a_small_count(matrix: list[list[int]]) -> None:
    p = suppress_2d(matrix)

    _check_basics(p)
    for (i, j), e in p.cells.items():
        assert e.value == matrix[i][j]
    _check_attacker(p)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(big_two_d)
def test_larger_tables_pass_the_auditor(matrix: list[list[int]]) -> None:
    p = suppress_2d(matrix)

    _check_basics(p)
    if not p.withheld:
        assert recoverable(p) == set()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(big_two_d)
def test_margins_are_published_as_in_the_one_dimensional_tables(
    matrix: list[list[int]],
) -> None:
    p = suppress_2d(matrix)
    rows = suppress_1d([sum(r) for r in matrix])
    cols = suppress_1d([sum(c) for c in zip(*matrix, strict=True)])

    if not p.withheld:  # a withheld table publishes nothing to play against the others
        assert p.margins[0] == rows.margins[0]
        assert p.margins[1] == cols.margins[0]
        assert p.total == rows.total == cols.total


def _marks(entries: Sequence[Entry]) -> list[str]:
    return [str(e) for e in entries]


def test_a_single_small_cell_gets_a_complement_that_can_absorb_the_shift() -> None:
    p = suppress_1d([1, 0, 5, 7])

    assert _marks(p.margins[0]) == ["< 3", "0", "x", "7"]
    assert str(p.total) == "13"
    assert brute_force(p)["c0,0"] == {1, 2}


def test_two_small_cells_that_must_add_to_two_are_not_left_alone() -> None:
    # 1 + 1 + 3 = 5: with the 3 shown, both "< 3" would have to be 1.
    p = suppress_1d([1, 1, 3])

    assert _marks(p.margins[0]) == ["< 3", "< 3", "x"]
    assert brute_force(p)["c0,0"] == {1, 2}


def test_a_table_everyone_can_count_is_withheld_whole() -> None:
    p = suppress_1d([1, 1, 1])

    assert p.withheld
    assert all(str(e) == "x" for e in p.entries())


def test_a_small_total_withholds_every_non_zero_entry() -> None:
    p = suppress_1d([1, 1, 0])

    assert _marks(p.margins[0]) == ["x", "x", "0"]
    assert str(p.total) == "x"
    assert len(brute_force(p)["c0,0"]) >= 2


def test_a_small_row_margin_is_protected_inside_the_table() -> None:
    p = suppress_2d([[1, 0], [0, 5]])

    assert str(p.margins[0][0]) == "< 3"
    assert str(p.cells[(1, 1)]) == "x"  # else 6 - 5 = 1
    assert brute_force(p)["c0,0"] == {1, 2}


def test_the_shown_zero_rows_stay_visible() -> None:
    p = suppress_2d([[0, 0], [4, 5]])

    assert _marks([p.cells[(0, 0)], p.cells[(0, 1)]]) == ["0", "0"]
    assert not any(e.suppressed for e in p.entries())


def test_more_than_two_dimensions_are_refused() -> None:
    with pytest.raises(ValueError):
        suppress([[[1]]], 3)  # type: ignore[list-item]


def test_the_median_needs_three_cases() -> None:
    assert suppress_median([]) == (None, False)
    assert suppress_median([4, 9]) == (None, True)
    assert suppress_median([9, 4, 30]) == (9, False)
    assert suppress_median([1, 2, 3, 10]) == (2, False)  # the lower median: whole days


def test_the_auditor_finds_a_naive_publication() -> None:
    naive = Published(
        (2,),
        {(0,): Entry(1, Mark.SMALL), (1,): Entry(5)},
        [[Entry(1, Mark.SMALL), Entry(5)]],
        Entry(6),
    )

    assert recoverable(naive) == {"c0"}
    assert brute_force(naive)["c0,0"] == {1}


def _naive(matrix: list[list[int]]) -> Published:
    """Primary suppression only – what the auditor must catch."""

    def entry(v: int) -> Entry:
        return Entry(v, Mark.SMALL if 0 < v < 3 else Mark.SHOWN)

    r, c = len(matrix), len(matrix[0])
    rows = [sum(row) for row in matrix]
    cols = [sum(matrix[i][j] for i in range(r)) for j in range(c)]
    return Published(
        (r, c),
        {(i, j): entry(matrix[i][j]) for i in range(r) for j in range(c)},
        [[entry(v) for v in rows], [entry(v) for v in cols]],
        entry(sum(rows)),
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(two_d)
def test_the_auditor_agrees_with_the_brute_force_attacker(matrix: list[list[int]]) -> None:
    p = _naive(matrix)
    if not _small_enough(p):
        return
    seen = brute_force(p)
    rename = {"t": "t"}
    rename |= {f"r{i}": f"m0,{i}" for i in range(p.shape[0])}
    rename |= {f"k{j}": f"m1,{j}" for j in range(p.shape[1])}
    exposed = {rename.get(n, n) for n in _named_suppressed(p) if len(seen[n]) < 2}

    assert recoverable(p) == exposed
