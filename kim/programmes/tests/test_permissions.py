"""Who may change which position: persona × position matrix (200 / 403 / 404)."""

from __future__ import annotations

import pytest

from kim.organisations.models import Organisation
from kim.programmes.models import Position

pytestmark = pytest.mark.django_db


def _post(home_name: str, baustein: str) -> Position:
    return Position.objects.filter(home__name=home_name, baustein=baustein).order_by("id").first()


SIEGEN_B2 = ("Stadt Siegen", "B2")
TRAEGER_B2 = ("Brücke Siegerland – Integrationshilfe e.V. (Demo)", "B2")
KREIS_B1 = ("Kreis Siegen-Wittgenstein", "B1")

# (position, persona) → status of GET detail, GET edit
MATRIX = {
    (SIEGEN_B2, "koordination"): (200, 200),
    (SIEGEN_B2, "admin"): (200, 200),
    (SIEGEN_B2, "siegen"): (200, 200),  # the town's programme lead edits its own posts
    (SIEGEN_B2, "teamlead-siegen"): (200, 403),  # sees them, does not change them
    (SIEGEN_B2, "traeger"): (404, 404),
    (SIEGEN_B2, "cm-kreuztal"): (404, 404),
    (SIEGEN_B2, "rat"): (404, 404),
    (SIEGEN_B2, "dsb"): (404, 404),
    (TRAEGER_B2, "traeger"): (200, 403),  # the agency sees its own posts
    (TRAEGER_B2, "cm-traeger"): (404, 404),
    (TRAEGER_B2, "siegen"): (200, 403),  # the town passes its funds on: reads, no changes
    (TRAEGER_B2, "koordination"): (200, 200),
    (KREIS_B1, "siegen"): (404, 404),
    (KREIS_B1, "abh"): (404, 404),
    (KREIS_B1, "koordination"): (200, 200),
}


@pytest.mark.parametrize(("key", "persona"), list(MATRIX))
def test_position_matrix(login_as, key: tuple[str, str], persona: str) -> None:
    position = _post(*key)
    client = login_as(persona)
    detail, edit = MATRIX[(key, persona)]
    assert client.get(f"/programm/stellen/{position.code}/").status_code == detail
    assert client.get(f"/programm/stellen/{position.code}/bearbeiten/").status_code == edit
    assert client.get(f"/programm/stellen/{position.code}/status/").status_code == edit


def test_staff_names_only_for_coordination_and_host(login_as) -> None:
    from kim.programmes import actions

    position = _post(*SIEGEN_B2)
    staff = position.incumbencies.first().staff
    type(staff).objects.filter(pk=staff.pk).update(name="Erika Beispiel")
    assert (
        "Erika Beispiel"
        in login_as("koordination").get(f"/programm/stellen/{position.code}/").content.decode()
    )
    assert (
        "Erika Beispiel"
        in login_as("siegen").get(f"/programm/stellen/{position.code}/").content.decode()
    )
    assert (
        "Erika Beispiel"
        not in login_as("teamlead-siegen")
        .get(f"/programm/stellen/{position.code}/")
        .content.decode()
    )
    assert actions  # the rename above bypasses actions on purpose: test data only


def test_programme_lead_creates_posts_only_at_home(login_as) -> None:
    client = login_as("siegen")
    kreuztal = Organisation.objects.get(ags="05970024")
    siegen = Organisation.objects.get(ags="05970040")
    data = {
        "baustein": "B2",
        "title": "Neue CM-Stelle",
        "vze": "1",
        "employer_type": "municipal",
        "rate_kind": "per_vze",
        "entry_step": "1",
    }
    assert (
        client.post("/programm/stellen/neu/", {**data, "home": kreuztal.pk}).status_code == 200
    )  # not a choice
    assert not Position.objects.filter(title="Neue CM-Stelle").exists()
    assert client.post("/programm/stellen/neu/", {**data, "home": siegen.pk}).status_code == 302
    assert Position.objects.get(title="Neue CM-Stelle").region.ags == "05970"
