"""Guards behind the council benchmark (``benchmarks/council.py``): composing a report runs a
fixed number of queries whatever the number of posts, status changes, staffing decisions and
talks – for every answer block, including those the demo report does not use.

``test_compose.py`` already adds talks; these tests add posts with their history and staffing
decisions as well, and check that the new rows really appear in the blocks (so that an
unchanged count is not an empty comparison).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kim.council import answers
from kim.council.demo import DEMO_MOTION_REFERENCE
from kim.council.models import Report
from kim.council.report import compose
from kim.organisations.models import Organisation, OrgKind
from kim.partners import actions as partner_actions
from kim.programmes import actions as programme_actions

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 6, 30)
ADDED = 6


def _siegen() -> Organisation:
    return Organisation.objects.get(short_name="Siegen")


def _queries(func: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        func()
    return len(captured)


def _grow(siegen: Organisation) -> None:
    """``ADDED`` posts at the Stadt Siegen (approved, then filled; a staffing decision each,
    every other one for a welfare agency) and ``ADDED`` talks it held."""
    kreis = siegen.region
    assert kreis is not None
    agencies = list(Organisation.objects.filter(region=kreis, kind=OrgKind.TRAEGER).order_by("pk"))
    for n in range(ADDED):
        position = programme_actions.create_position(
            acting_user=None,
            region=kreis,
            status="approved",
            status_from=dt.date(2023, 1, 1),
            baustein=("B1", "B2", "B3")[n % 3],
            title=f"Guard {n}",
            vze=Decimal(1),
            home=siegen,
            employer_type="municipal",
            pay_group="E 9c",
            entry_step=1,
            step_since=dt.date(2023, 1, 1),
        )
        programme_actions.change_position_status(
            position, acting_user=None, status="filled", valid_from=dt.date(2023, 6, 1)
        )
        traeger = agencies[n % len(agencies)] if n % 2 else None
        partner_actions.record_staffing_decision(
            position,
            acting_user=None,
            decided_on=dt.date(2023, 2, 1),
            employer_type="traeger" if traeger else "municipal",
            traeger=traeger,
            rationale="Guard",
            tasks=f"Aufgaben {n}",
        )
        partner_actions.record_talk(
            acting_user=None,
            host=siegen,
            held_on=dt.date(2024, 1, 1) + dt.timedelta(days=n),
            format="video",
            topics=f"Guard {n}",
            traeger=agencies[: 1 + n % len(agencies)],
        )


def _rows(block: Any) -> int:
    return len(block.table.rows) if block.table else 0


@pytest.mark.parametrize("key", sorted(answers.COMPUTE))
def test_block_query_count_does_not_grow(key: str) -> None:
    siegen = _siegen()
    answers.compute(key, siegen, DAY)  # warm-up: content types and other per-process caches
    before = _queries(lambda: answers.compute(key, siegen, DAY))
    rows_before = _rows(answers.compute(key, siegen, DAY))
    _grow(siegen)
    assert _queries(lambda: answers.compute(key, siegen, DAY)) == before
    if key in ("staffing_split", "talks"):  # one row per post / talk: the new ones are there
        assert _rows(answers.compute(key, siegen, DAY)) == rows_before + ADDED


def test_compose_query_count_does_not_grow_with_posts_and_talks() -> None:
    def fresh_compose() -> Callable[[], Any]:
        report = Report.objects.get(motion__reference=DEMO_MOTION_REFERENCE)
        return lambda: compose(report, as_of=DAY)

    fresh_compose()()  # warm-up
    before = _queries(fresh_compose())
    _grow(_siegen())
    assert _queries(fresh_compose()) == before
