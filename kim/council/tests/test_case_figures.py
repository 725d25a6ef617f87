"""The answer block "Fallzahlen" (case_figures): the statistics page's figures for the body's
area and the reference year, with the same suppression (D-082)."""

from __future__ import annotations

import datetime as dt

import pytest

from kim.cases.statistics.queries import Scope, case_table
from kim.council import answers
from kim.organisations.models import Organisation

pytestmark = pytest.mark.django_db

MEASURES = ["new_cases", "active_cases", "closed_cases", "goals_reached", "waiting_days_median"]


def _expected(scope: Scope, day: dt.date) -> list[list[object]]:
    start = dt.date(day.year, 1, 1)
    return [
        [m, case_table(scope, m, (), start, day, actor=None).table.total.published]
        for m in MEASURES
    ]


def test_the_kreis_block_counts_every_case_of_the_kreis() -> None:
    kreis = Organisation.objects.get(ags="05970")
    day = dt.date.today()

    block = answers.compute("case_figures", kreis, day)

    assert block.key == "case_figures" and block.table is not None
    assert block.table.values == _expected(Scope(kreis), day)
    assert [row[0] for row in block.table.rows][:3] == [
        "Neue Fälle",
        "Aktive Fälle (im Zeitraum irgendwann offen)",
        "Abgeschlossene Fälle",
    ]
    for (_measure, value), (_label, shown) in zip(
        block.table.values, block.table.rows, strict=True
    ):
        assert value is None or not 0 < value < 3  # type: ignore[operator]
        assert shown == (str(value) if value is not None else shown)
        assert value is not None or shown in ("< 3", "x", "–")
    assert "Fälle" in block.text and block.sources


def test_a_town_block_counts_the_cases_its_case_management_keeps() -> None:
    siegen = Organisation.objects.get(name="Stadt Siegen")
    day = dt.date.today()

    block = answers.compute("case_figures", siegen, day)

    assert block.table is not None
    assert block.table.values == _expected(Scope(siegen.region, (siegen,)), day)  # type: ignore[arg-type]
    assert "Stadt Siegen" in block.table.caption
