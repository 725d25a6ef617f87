"""Topic fixtures: the case fixtures of kim/cases and barriers recorded through the action."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model

from kim.cases.actions.barriers import record_barrier
from kim.cases.models import Barrier, BarrierCategory, Case
from kim.cases.tests.conftest import make_case  # noqa: F401 (a fixture)


@pytest.fixture
def barriers(make_case: Callable[..., Case]) -> Callable[..., list[Barrier]]:  # noqa: F811
    """``barriers("digital", dt.date(2025, 2, 10), {"cm-siegen": 3, "cm-kreuztal": 2})`` →
    that many barriers of the category observed on the day, each in a new case of the
    persona."""

    def _make(key: str, day: dt.date, per_persona: dict[str, int]) -> list[Barrier]:
        category = BarrierCategory.objects.get(key=key)
        made = []
        for username, n in per_persona.items():
            user = get_user_model().objects.get(username=username)
            case = make_case(username, first_name="Hürdia", last_name="Testfall")
            for _i in range(n):
                made.append(
                    record_barrier(
                        case,
                        acting_user=user,
                        category=category,
                        rechtskreis="sgb_ii",
                        organisation_involved=None,
                        description="Online-Termine nur ohne Unterstützung buchbar.",
                        observed_on=day,
                    )
                )
        return made

    return _make
