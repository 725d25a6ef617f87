"""Programme pages offer only links their reader may follow (docs/permissions.md § Links).

An organisation's programme page (``/programm/organisation/<code>/``) opens for the
organisation's own welfare-agency manager and Baustein-3 officer too; the link back to the
Kreis overview is shown only to those who pass that page's door (``can_view_overview``).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client

from kim.accounts.access import load_user_context
from kim.organisations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "may_open_kreis"),
    [
        ("traeger", False),
        ("abh", False),
        ("siegen", True),
        ("teamlead-siegen", True),
        ("koordination", True),
    ],
)
def test_organisation_page_links_the_kreis_overview_only_for_its_readers(
    persona: str, may_open_kreis: bool, login_as: Callable[[str], Client]
) -> None:
    ctx = load_user_context(User.objects.get(username=persona))
    assert ctx.primary is not None
    home = Organisation.objects.get(pk=ctx.primary.organisation_id)
    kreis = home if home.is_region else home.region
    assert kreis is not None
    client = login_as(persona)
    page = client.get(f"/programm/organisation/{home.code}/")
    assert page.status_code == 200
    assert (f'href="/programm/{kreis.code}/"' in page.content.decode()) is may_open_kreis
    assert client.get(f"/programm/{kreis.code}/").status_code == (200 if may_open_kreis else 404)
