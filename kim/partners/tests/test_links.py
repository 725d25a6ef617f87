"""Cooperation pages offer only links their reader may follow (docs/permissions.md § Links).

The section links (talks, welfare agencies, agreements, calls, deadlines) use the predicates
of the target views' doors; a talk's page links a participating welfare agency only when the
reader may open that agency's page (``can_view_traeger``, the predicate of
``traeger_for_user``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from kim.accounts.access import load_user_context
from kim.organisations.models import Organisation, OrgKind
from kim.partners import actions
from kim.partners.access import can_use_partners, can_view_traeger, traeger_for_user
from kim.partners.models import Talk

pytestmark = pytest.mark.django_db

PERSONAS = [
    "koordination",
    "siegen",
    "teamlead-siegen",
    "traeger",
    "cm-traeger",
    "cm-siegen",
    "abh",
    "rat",
    "dsb",
    "admin",
]
SECTIONS = [
    "/partner/gespraeche/",
    "/partner/traeger/",
    "/partner/vereinbarungen/",
    "/partner/interessenbekundungen/",
    "/partner/fristen/",
]
BRUECKE = "Brücke Siegerland – Integrationshilfe e.V. (Demo)"
LEBENSWEGE = "Lebenswege Wittgenstein gGmbH (Demo)"
TRAEGER_LINK = re.compile(r'href="(/partner/traeger/[a-z0-9]+/)"')


def _offered(response: object, url: str) -> bool:
    return f'href="{url}"' in response.content.decode()  # type: ignore[attr-defined]


@pytest.mark.parametrize("persona", PERSONAS)
def test_section_links_follow_the_target_doors(
    persona: str, login_as: Callable[[str], Client]
) -> None:
    client = login_as(persona)
    checked = 0
    for page in SECTIONS:
        response = client.get(page)
        if response.status_code != 200:
            continue
        for url in SECTIONS:
            if _offered(response, url):
                checked += 1
                assert client.get(url).status_code == 200, f"{page} offers {url}"
    ctx = load_user_context(User.objects.get(username=persona))
    assert (checked > 0) is can_use_partners(ctx)


def test_agreements_are_offered_to_the_programme_lead_not_the_team_lead(
    login_as: Callable[[str], Client],
) -> None:
    for persona, may in (("teamlead-siegen", False), ("siegen", True)):
        client = login_as(persona)
        talks = client.get("/partner/gespraeche/")
        assert talks.status_code == 200
        assert _offered(talks, "/partner/vereinbarungen/") is may
        assert client.get("/partner/vereinbarungen/").status_code == (200 if may else 403)


def _talk_with_two_agencies() -> Talk:
    """Held by the Kreis with the ``traeger`` persona's agency and a competitor."""
    return actions.record_talk(
        acting_user=User.objects.get(username="koordination"),
        host=Organisation.objects.get(ags="05970"),
        held_on=dt.date(2025, 3, 10),
        format="in_person",
        topics="Testgespräch: gemeinsame Sprechstunde",
        traeger=[
            Organisation.objects.get(name=BRUECKE),
            Organisation.objects.get(name=LEBENSWEGE),
        ],
    )


@pytest.mark.parametrize(
    ("persona", "linked"),
    [
        ("traeger", {BRUECKE}),
        ("koordination", {BRUECKE, LEBENSWEGE}),
        ("admin", {BRUECKE, LEBENSWEGE}),
    ],
)
def test_talk_page_links_only_agencies_the_reader_may_open(
    persona: str, linked: set[str], login_as: Callable[[str], Client]
) -> None:
    talk = _talk_with_two_agencies()
    client = login_as(persona)
    page = client.get(f"/partner/gespraeche/{talk.code}/").content.decode()
    assert BRUECKE in page and LEBENSWEGE in page  # both took part, both are named
    urls = TRAEGER_LINK.findall(page)
    codes = {Organisation.objects.get(name=name).code for name in linked}
    assert {url.split("/")[3] for url in urls} == codes
    for url in urls:
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("persona", [*PERSONAS, "cm-kreuztal"])
def test_can_view_traeger_agrees_with_traeger_for_user(persona: str) -> None:
    ctx = load_user_context(User.objects.get(username=persona))
    visible = set(traeger_for_user(ctx).values_list("pk", flat=True))
    orgs = Organisation.objects.filter(kind__in=[OrgKind.TRAEGER, OrgKind.KOMMUNE])
    assert orgs.filter(kind=OrgKind.TRAEGER).exists()
    for org in orgs:
        assert can_view_traeger(ctx, org) is (org.pk in visible), org.name
