"""Two-factor authentication on the start page, per environment (issue 13).

Production (``KIM_REQUIRE_MFA``, on by default there) sends a user whose role opens personal
data to the set-up before any page. Development without that switch warns on the start page.
The demo has no authenticator apps to hand: it says once per session, calmly, that production
requires MFA – not an amber warning on every visit of every persona.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

WARNING = "Ihre Rolle gibt Zugriff auf personenbezogene Daten. Richten Sie die Zwei-Faktor"
DEMO_NOTE = "Im Produktivbetrieb muss diese Rolle die Zwei-Faktor-Authentifizierung einrichten"


def _start(client: Client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_demo_mode_says_it_once_and_calmly(login_as: Callable[[str], Client], settings) -> None:
    settings.DEMO_MODE, settings.KIM_REQUIRE_MFA = True, False
    client = login_as("cm-siegen")
    first = _start(client)
    assert DEMO_NOTE in first and WARNING not in first
    assert 'class="kern-alert kern-alert--info kim-section"' in first
    assert "kern-alert--warning" not in first
    second = _start(client)
    assert DEMO_NOTE not in second and WARNING not in second
    # Another persona's session hears it once too.
    assert DEMO_NOTE in _start(login_as("abh"))


def test_development_warns_on_the_start_page(login_as: Callable[[str], Client], settings) -> None:
    settings.DEMO_MODE, settings.KIM_REQUIRE_MFA = False, False
    client = login_as("cm-siegen")
    for _visit in range(2):
        body = _start(client)
        assert WARNING in body and DEMO_NOTE not in body
        assert 'href="/konto/2fa/"' in body


def test_production_sends_to_the_set_up_first(login_as: Callable[[str], Client], settings) -> None:
    settings.DEMO_MODE, settings.KIM_REQUIRE_MFA = False, True
    response = login_as("cm-siegen").get("/", follow=True)
    # To the choice of a second factor: an authenticator app or a passkey.
    assert response.redirect_chain[0] == ("/konto/2fa/", 302)
    body = response.content.decode()
    assert "Bitte richten Sie die Zwei-Faktor-Authentifizierung ein" in body
    assert DEMO_NOTE not in body


def test_no_note_for_roles_without_personal_data(login_as, settings) -> None:
    settings.DEMO_MODE = True
    body = _start(login_as("rat"))
    assert DEMO_NOTE not in body and WARNING not in body
