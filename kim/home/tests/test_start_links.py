"""The start page offers only links their reader may follow (docs/permissions.md § Links).

Two links there lead out of the user's usual doors: the admin site (which Django opens only for
staff accounts, not for every holder of the administrator role) and the talk behind a
follow-up task (whose owner need not be able to read the talk).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from kim.accounts.actions import create_user, grant_role
from kim.accounts.models import Role
from kim.organisations.models import Organisation
from kim.partners import actions
from kim.partners.models import Talk

pytestmark = pytest.mark.django_db

BRUECKE = "Brücke Siegerland – Integrationshilfe e.V. (Demo)"


def _client_for(username: str, organisation: Organisation, role: str) -> Client:
    user = create_user(acting_user=None, username=username, password=None)
    grant_role(acting_user=None, user=user, organisation=organisation, role=role)
    client = Client()
    client.force_login(user)
    return client


def test_admin_site_is_offered_only_to_staff_accounts(login_as: Callable[[str], Client]) -> None:
    kreis = Organisation.objects.get(ags="05970")
    for client, staff in (
        (_client_for("verwalterin", kreis, Role.ADMINISTRATOR), False),
        (login_as("admin"), True),
    ):
        start = client.get("/").content.decode()
        assert "Administration" in start  # the administrator's card is there for both
        assert ('href="/verwaltung/"' in start) is staff
        assert client.get("/verwaltung/").status_code == (200 if staff else 302)


def _kreis_talk_with_task(owner: User) -> Talk:
    koordination = User.objects.get(username="koordination")
    talk = actions.record_talk(
        acting_user=koordination,
        host=Organisation.objects.get(ags="05970"),
        held_on=dt.date(2025, 3, 10),
        format="in_person",
        topics="Testgespräch: Sprechstunde",
        traeger=[Organisation.objects.get(name=BRUECKE)],
    )
    actions.add_follow_up(
        talk,
        acting_user=koordination,
        title="Raumplan für die Sprechstunde schicken",
        owner=owner,
        due=dt.date(2025, 4, 1),
    )
    return talk


def test_follow_up_links_its_talk_only_when_the_owner_may_read_it(
    login_as: Callable[[str], Client],
) -> None:
    # A team lead of the welfare agency may own the task (follow_up_owners_for_talk) but does
    # not read the Kreis's talks (talks_for_user): the task is listed without the link.
    agency = Organisation.objects.get(name=BRUECKE)
    lead = _client_for("tl-bruecke", agency, Role.TEAM_LEAD)
    for client, username, readable in (
        (lead, "tl-bruecke", False),
        (login_as("koordination"), "koordination", True),
    ):
        talk = _kreis_talk_with_task(User.objects.get(username=username))
        start = client.get("/").content.decode()
        assert "Raumplan für die Sprechstunde schicken" in start
        assert (f'href="/partner/gespraeche/{talk.code}/"' in start) is readable
        assert client.get(f"/partner/gespraeche/{talk.code}/").status_code == (
            200 if readable else 404
        )
