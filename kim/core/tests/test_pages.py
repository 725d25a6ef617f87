"""Start page per persona, health endpoint, security headers, language switch, error pages."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db.utils import OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db

# persona → a phrase its start page must show (German UI, the default language)
START_PAGE = {
    "koordination": "KIM-Koordination – Kreis Siegen-Wittgenstein",
    "siegen": "Programm – Stadt Siegen",
    "cm-siegen": "Ihre Organisation – Stadt Siegen",
    "cm-kreuztal": "Ihre Organisation – Stadt Kreuztal",
    "cm-traeger": "Brücke Siegerland",
    "traeger": "Brücke Siegerland",
    "teamlead-siegen": "Programm – Stadt Siegen",
    "abh": "Baustein 3 – Ausländerbehörde Kreis Siegen-Wittgenstein",
    "rat": "Ratsinformation",
    "dsb": "Datenschutz",
    "admin": "Administration",
}


@pytest.mark.parametrize(("persona", "phrase"), START_PAGE.items())
def test_start_page_fits_the_role(login_as, persona: str, phrase: str) -> None:
    response = login_as(persona).get("/")
    assert response.status_code == 200
    assert phrase in response.content.decode()


def test_coordination_sees_missing_population_figures(login_as) -> None:
    body = login_as("koordination").get("/").content.decode()
    # IT.NRW figures for 31.12.2024 were not reliably reported for these two towns (brief § 4.1).
    assert "31.12.2024" in body and "Stadt Bad Berleburg" in body and "Gemeinde Erndtebrück" in body


def test_case_manager_sees_who_is_responsible_for_their_town(login_as) -> None:
    body = login_as("cm-siegen").get("/").content.decode()
    assert "Jugendamt Stadt Siegen" in body
    assert "Ausländerbehörde Kreis Siegen-Wittgenstein" in body  # after the 2025 merger


@pytest.mark.parametrize("persona", list(START_PAGE))
def test_start_page_query_count(login_as, persona: str, django_assert_max_num_queries) -> None:
    client = login_as(persona)
    with django_assert_max_num_queries(12):
        client.get("/")


def test_healthz_ok(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_database_failure(client: Client) -> None:
    with mock.patch(
        "django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("down")
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error"}


def test_strict_content_security_policy(login_as) -> None:
    response = login_as("koordination").get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    body = response.content.decode()
    assert "<script>" not in body and " style=" not in body
    assert response["X-Frame-Options"] == "DENY"


def test_german_by_default_and_english_on_request(login_as) -> None:
    client = login_as("koordination")
    assert '<html lang="de">' in client.get("/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    body = client.get("/").content.decode()
    assert '<html lang="en">' in body and "Overview" in body


def test_friendly_404_page(login_as) -> None:
    response = login_as("koordination").get("/gibt-es-nicht/")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.content.decode()


def test_friendly_500_page_needs_no_database(client: Client) -> None:
    from kim.core.views import error_500

    with mock.patch(
        "django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("down")
    ):
        response = error_500(mock.Mock())
    assert response.status_code == 500
    assert "Ein Fehler ist aufgetreten" in response.content.decode()


def test_demo_banner_only_in_demo_mode(login_as, settings) -> None:
    assert "kim-demo-banner" not in login_as("rat").get("/").content.decode()
    settings.DEMO_MODE = True
    assert "kim-demo-banner" in login_as("rat").get("/").content.decode()
