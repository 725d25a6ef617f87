"""Persona × organisation matrices: who sees (200), who is refused (403), who is a stranger (404)."""

from __future__ import annotations

import pytest

from kim.organisations.models import Organisation

pytestmark = pytest.mark.django_db

IN_REGION = [
    "koordination",
    "siegen",
    "cm-siegen",
    "cm-kreuztal",
    "cm-traeger",
    "traeger",
    "teamlead-siegen",
    "abh",
    "dsb",
    "admin",
]

# organisation (by name) → expected status of its page for each persona
DETAIL_MATRIX = {
    "Kreis Siegen-Wittgenstein": {**dict.fromkeys(IN_REGION, 200), "rat": 404},
    "Stadt Siegen": {**dict.fromkeys(IN_REGION, 200), "rat": 404},
    "Ausländerbehörde Kreis Siegen-Wittgenstein": {**dict.fromkeys(IN_REGION, 200), "rat": 404},
    "Brücke Siegerland – Integrationshilfe e.V. (Demo)": {
        **dict.fromkeys(IN_REGION, 200),
        "rat": 404,
    },
    "Land Nordrhein-Westfalen": {**dict.fromkeys(IN_REGION, 200), "rat": 404},
}
EDIT_MATRIX = {
    "Kreis Siegen-Wittgenstein": {
        **dict.fromkeys(IN_REGION, 403),
        "koordination": 200,
        "admin": 200,
        "rat": 404,
    },
    "Stadt Siegen": {
        **dict.fromkeys(IN_REGION, 403),
        "koordination": 200,
        "admin": 200,
        "rat": 404,
    },
    # Supra-regional bodies are edited by administrators only.
    "Land Nordrhein-Westfalen": {**dict.fromkeys(IN_REGION, 403), "admin": 200, "rat": 404},
}


def _main(response) -> str:
    """The page's main content (the header carries per-request nonces and tokens)."""
    body = response.content.decode()
    return body[body.index("<main") : body.index("</main>")]


def _cases(matrix: dict[str, dict[str, int]]) -> list[tuple[str, str, int]]:
    return [
        (org, persona, status) for org, row in matrix.items() for persona, status in row.items()
    ]


@pytest.mark.parametrize(("org_name", "persona", "expected"), _cases(DETAIL_MATRIX))
def test_organisation_page(login_as, org_name: str, persona: str, expected: int) -> None:
    org = Organisation.objects.get(name=org_name)
    assert login_as(persona).get(f"/organisationen/{org.code}/").status_code == expected


@pytest.mark.parametrize(("org_name", "persona", "expected"), _cases(EDIT_MATRIX))
def test_organisation_edit_page(login_as, org_name: str, persona: str, expected: int) -> None:
    org = Organisation.objects.get(name=org_name)
    assert login_as(persona).get(f"/organisationen/{org.code}/bearbeiten/").status_code == expected


def test_stranger_gets_404_exactly_like_a_missing_row(stranger, login_as) -> None:
    kreis = Organisation.objects.get(ags="05970")
    siegen = Organisation.objects.get(ags="05970040")
    # Same request as the failure path, made by an allowed persona: the URL itself is fine.
    assert login_as("koordination").get(f"/organisationen/{siegen.code}/").status_code == 200
    for url in (
        f"/organisationen/{kreis.code}/",
        f"/organisationen/{siegen.code}/",
        f"/organisationen/{kreis.code}/bearbeiten/",
        f"/organisationen/{kreis.code}/bevoelkerung/import/",
    ):
        response = stranger.get(url)
        assert response.status_code == 404, url
        assert _main(stranger.get("/organisationen/doesnotexist0000/")) == _main(response)
    land = Organisation.objects.get(name="Land Nordrhein-Westfalen")
    assert stranger.get(f"/organisationen/{land.code}/").status_code == 200


def test_stranger_list_shows_only_own_region(stranger) -> None:
    body = stranger.get("/organisationen/?q=Siegen").content.decode()
    assert "Stadt Siegen" not in body
    body = stranger.get("/organisationen/").content.decode()
    assert "Kreis Olpe" in body and "Kreuztal" not in body


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("rat", 403), ("koordination", 200), ("cm-kreuztal", 200), ("dsb", 200)],
)
def test_directory_list(login_as, persona: str, expected: int) -> None:
    assert login_as(persona).get("/organisationen/").status_code == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("koordination", 200),
        ("admin", 200),
        ("siegen", 403),
        ("cm-siegen", 403),
        ("dsb", 403),
        ("rat", 404),
    ],
)
def test_population_import_page(login_as, persona: str, expected: int) -> None:
    kreis = Organisation.objects.get(ags="05970")
    assert (
        login_as(persona).get(f"/organisationen/{kreis.code}/bevoelkerung/import/").status_code
        == expected
    )


def test_anonymous_is_sent_to_login(client) -> None:
    response = client.get("/organisationen/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/login/")


def test_urls_use_random_codes_not_ids(login_as) -> None:
    kreis = Organisation.objects.get(ags="05970")
    assert len(kreis.code) == 16 and not kreis.code.isdigit()
    assert login_as("koordination").get(f"/organisationen/{kreis.pk}/").status_code == 404
