"""Case fixtures: clients and cases of the demo case managers, built through the actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from kim.cases.actions.lifecycle import open_case
from kim.cases.actions.persons import create_person
from kim.cases.models import Case, ReferralSource
from kim.organisations.models import Organisation

ORG_OF = {"cm-siegen": "Siegen", "cm-kreuztal": "Kreuztal", "cm-traeger": None}


def organisation_of(username: str) -> Organisation:
    """The organisation in which the persona is a case manager."""
    from kim.accounts.models import Membership, Role

    membership = (
        Membership.objects.active()
        .select_related("organisation")
        .get(user__username=username, role=Role.CASE_MANAGER)
    )
    return membership.organisation


@pytest.fixture
def make_case(db: None) -> Callable[..., Case]:
    """``make_case("cm-siegen", first_name=..., last_name=..., birth_date=...)`` → a new case in
    phase ``access`` whose responsible case manager is that persona."""

    def _make(
        username: str = "cm-siegen",
        *,
        first_name: str = "Testa",
        last_name: str = "Fiktiva",
        birth_date: dt.date | None = dt.date(1990, 5, 17),
        referred_on: dt.date | None = None,
        **person_fields: Any,
    ) -> Case:
        user = get_user_model().objects.get(username=username)
        org = organisation_of(username)
        person = create_person(
            acting_user=user,
            organisation=org,
            first_name=first_name,
            last_name=last_name,
            birth_date=birth_date,
            **person_fields,
        )
        return open_case(
            acting_user=user,
            person=person,
            responsible=user,
            referral_source=ReferralSource.JOBCENTER,
            referred_on=referred_on or dt.date.today() - dt.timedelta(days=30),
        )

    return _make
