"""The case page offers the screening of the client only when its door opens.

The screening page (``/screening/klienten/<case>/``) admits the responsible case manager and
the deputies, and only with an active screening consent of the person; otherwise it answers
403. The case page therefore shows the button only then (``can_screen_client`` and the consent)
and, without the consent, says what is missing instead (docs/permissions.md § Links).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from kim.accounts.access import load_user_context
from kim.cases.access import cases_for_user
from kim.cases.actions.consent import record_consent
from kim.cases.models import Case, ConsentScope, DataCategory
from kim.cases.tests.conftest import make_case  # noqa: F401 (fixture)
from kim.organisations.models import Organisation

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 25)
HINT = "Für eine Prüfung der Bleibeperspektive ist eine aktive Einwilligung"


def _link(case: Case) -> str:
    return f'href="/screening/klienten/{case.code}/"'


def _screening_consent(case: Case) -> None:
    record_consent(
        case,
        acting_user=User.objects.get(username="cm-siegen"),
        scope=ConsentScope.SCREENING,
        recipient=Organisation.objects.get(short_name="Jobcenter"),
        purpose="Prüfung der Bleibeperspektive",
        categories=[DataCategory.RESIDENCE],
        given_on=TODAY - dt.timedelta(days=3),
        valid_until=TODAY + dt.timedelta(days=300),
    )


def test_button_appears_with_the_screening_consent(
    make_case: Callable[..., Case],  # noqa: F811
    login_as: Callable[[str], Client],
) -> None:
    with time_machine.travel(TODAY, tick=False):
        case = make_case("cm-siegen")
        client = login_as("cm-siegen")
        page = client.get(f"/fallmanagement/faelle/{case.code}/").content.decode()
        assert _link(case) not in page
        assert HINT in page
        assert client.get(f"/screening/klienten/{case.code}/").status_code == 403

        _screening_consent(case)
        page = client.get(f"/fallmanagement/faelle/{case.code}/").content.decode()
        assert _link(case) in page
        assert HINT not in page
        assert client.get(f"/screening/klienten/{case.code}/").status_code == 200


@pytest.mark.parametrize("persona", ["cm-siegen", "cm-kreuztal", "cm-traeger", "teamlead-siegen"])
def test_every_demo_case_offers_the_screening_exactly_when_it_opens(
    persona: str, login_as: Callable[[str], Client]
) -> None:
    client = login_as(persona)
    cases = list(cases_for_user(load_user_context(User.objects.get(username=persona))))
    assert cases
    for case in cases:
        offered = _link(case) in client.get(f"/fallmanagement/faelle/{case.code}/").content.decode()
        status = client.get(f"/screening/klienten/{case.code}/").status_code
        assert offered is (status == 200), (case.code, offered, status)
