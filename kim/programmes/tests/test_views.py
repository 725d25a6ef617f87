"""Programme pages per persona: overview, positions, allocation, forecast, exports."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from kim.audit.models import AuditEvent, EventType
from kim.organisations.models import Organisation
from kim.programmes.models import AllocationScenario, Position

pytestmark = pytest.mark.django_db

PERSONAS = [
    "koordination",
    "siegen",
    "cm-siegen",
    "cm-kreuztal",
    "cm-traeger",
    "traeger",
    "teamlead-siegen",
    "abh",
    "rat",
    "dsb",
    "admin",
]


def _kreis() -> Organisation:
    return Organisation.objects.get(ags="05970")


# persona → expected status for: Kreis overview, allocation page, forecast
OVERVIEW = {"koordination": 200, "admin": 200, "siegen": 200, "teamlead-siegen": 200}
MANAGE = {"koordination": 200, "admin": 200, "siegen": 403, "teamlead-siegen": 403}


@pytest.mark.parametrize("persona", PERSONAS)
def test_overview_matrix(login_as, persona: str) -> None:
    code = _kreis().code
    client = login_as(persona)
    assert client.get(f"/programm/{code}/").status_code == OVERVIEW.get(persona, 404)
    assert client.get(f"/programm/{code}/verteilung/").status_code == MANAGE.get(persona, 404)
    assert client.get(f"/programm/{code}/prognose/").status_code == OVERVIEW.get(persona, 404)


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("koordination", 23),  # every post of the Kreis (incl. the discontinued Siegen B3 post)
        ("siegen", 5),  # Siegen's B2 posts: three municipal, two passed on to the Träger
        ("traeger", 2),  # the two posts hosted by the welfare agency
        ("abh", 1),  # the Kreis Ausländerbehörde's B3 post
    ],
)
def test_position_list_is_scoped(login_as, persona: str, visible: int) -> None:
    response = login_as(persona).get("/programm/stellen/")
    assert response.status_code == 200
    assert len(response.context["rows"]) == visible


@pytest.mark.parametrize("persona", ["rat", "dsb", "cm-kreuztal", "cm-siegen"])
def test_no_programme_for_other_roles(login_as, persona: str) -> None:
    position = Position.objects.filter(baustein="B2").first()
    client = login_as(persona)
    assert client.get("/programm/stellen/").status_code == 403
    assert client.get(f"/programm/stellen/{position.code}/").status_code == 404
    # The exports answer like the list, and a refused export is no export event.
    before = AuditEvent.objects.filter(event_type=EventType.EXPORT_DOWNLOADED).count()
    assert client.get("/programm/stellen/export.csv").status_code == 403
    assert client.get("/programm/stellen/export.xlsx").status_code == 403
    assert AuditEvent.objects.filter(event_type=EventType.EXPORT_DOWNLOADED).count() == before


def test_stranger_gets_404(stranger) -> None:
    position = Position.objects.first()
    assert stranger.get(f"/programm/stellen/{position.code}/").status_code == 404
    assert stranger.get(f"/programm/{_kreis().code}/").status_code == 404


def test_kreuztal_has_one_and_a_half_posts(login_as) -> None:
    body = login_as("koordination").get(f"/programm/{_kreis().code}/").content.decode()
    assert "Stadt Kreuztal" in body
    kreuztal = Organisation.objects.get(ags="05970024")
    total = sum(p.vze for p in Position.objects.filter(home=kreuztal, baustein="B2"))
    assert str(total) == "1.50"


def test_overview_query_count(login_as, django_assert_max_num_queries) -> None:
    client = login_as("koordination")
    with django_assert_max_num_queries(20):
        client.get(f"/programm/{_kreis().code}/")


def test_position_list_query_count(login_as, django_assert_max_num_queries) -> None:
    client = login_as("koordination")
    with django_assert_max_num_queries(15):
        client.get("/programm/stellen/")


def test_forecast_query_count(login_as, django_assert_max_num_queries) -> None:
    client = login_as("koordination")
    with django_assert_max_num_queries(25):
        response = client.get(f"/programm/{_kreis().code}/prognose/")
    assert response.status_code == 200
    assert "<svg" in response.content.decode()


def test_exports_open_as_spreadsheets(login_as) -> None:
    client = login_as("koordination")
    response = client.get("/programm/stellen/export.xlsx", {"baustein": "B2"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Code" and len(rows) == 1 + 16
    csv = client.get("/programm/stellen/export.csv").content.decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("Code;Baustein;")
    assert AuditEvent.objects.filter(event_type=EventType.EXPORT_DOWNLOADED).count() == 2
    forecast = client.get(f"/programm/{_kreis().code}/prognose/export.xlsx")
    assert (
        forecast.status_code == 200
        and load_workbook(io.BytesIO(forecast.content)).active.max_row > 5
    )


def test_allocation_calculate_save_compare_adopt(login_as) -> None:
    client = login_as("koordination")
    url = f"/programm/{_kreis().code}/verteilung/"
    data = {
        "name": "Test D'Hondt",
        "baustein": "B2",
        "total": "14",
        "step": "0,5",
        "minimum": "0",
        "method": "dhondt",
        "key": "population",
        "as_of": "31.12.2019",
        "pools": "Netphen + Freudenberg: 05970032, 05970016",
    }
    preview = client.post(url, {**data, "calculate": "1"})
    assert preview.status_code == 200
    assert "Netphen + Freudenberg" in preview.content.decode()
    assert not AllocationScenario.objects.filter(name="Test D'Hondt").exists()
    saved = client.post(url, {**data, "save": "1"})
    assert saved.status_code == 302
    scenario = AllocationScenario.objects.get(name="Test D'Hondt")
    assert sum(float(r["allocated"]) for r in scenario.result["rows"]) == 14
    other = AllocationScenario.objects.exclude(pk=scenario.pk).first()
    compare = client.get(f"{url}vergleich/", {"s": [scenario.code, other.code]})
    assert compare.status_code == 200 and "Netphen + Freudenberg" in compare.content.decode()
    adopted = client.post(
        f"/programm/szenarien/{scenario.code}/beschliessen/", {"planned_from": "01.01.2027"}
    )
    assert adopted.status_code == 302
    created = Position.objects.filter(scenario=scenario)
    assert sum(p.vze for p in created) == 14
    assert AuditEvent.objects.filter(
        event_type=EventType.SCENARIO_ADOPTED, subject_code=scenario.code
    ).exists()


def test_allocation_with_missing_key_data_shows_error(login_as) -> None:
    client = login_as("koordination")
    response = client.post(
        f"/programm/{_kreis().code}/verteilung/",
        {
            "name": "x",
            "baustein": "B2",
            "total": "14",
            "step": "0.5",
            "minimum": "0",
            "method": "dhondt",
            "key": "population",
            "as_of": "31.12.2024",
            "calculate": "1",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Bad Berleburg" in body and "kern-alert--danger" in body


def test_town_overview_for_programme_lead(login_as) -> None:
    siegen = Organisation.objects.get(ags="05970040")
    response = login_as("siegen").get(f"/programm/organisation/{siegen.code}/")
    assert response.status_code == 200
    assert response.context["forecast"].total.rows


@pytest.mark.parametrize("day", ["31.12.9999", "01.01.0001"])
def test_town_overview_ignores_an_implausible_reference_day(login_as, day: str) -> None:
    """?day=31.12.9999 made the forecast ask for the pay table of year 10000 (HTTP 500); an
    implausible day is now an invalid filter, and the page shows today."""
    import datetime as dt

    siegen = Organisation.objects.get(ags="05970040")
    client = login_as("siegen")
    response = client.get(f"/programm/organisation/{siegen.code}/", {"day": day})
    assert response.status_code == 200
    assert response.context["forecast"].years[0] == dt.date.today().year
    kreis = _kreis()
    assert client.get(f"/programm/{kreis.code}/", {"day": day}).status_code == 200


def test_an_implausible_end_of_incumbency_is_an_error_and_ends_nothing(login_as) -> None:
    """The probe's 31.12.9999 overflowed when the day after was computed (HTTP 500)."""
    from kim.programmes.models import Incumbency

    incumbency = Incumbency.objects.filter(end__isnull=True, position__region__ags="05970").first()
    assert incumbency is not None
    url = f"/programm/stellen/{incumbency.position.code}/besetzung/{incumbency.pk}/ende/"
    client = login_as("koordination")
    for day in ("31.12.9999", "01.01.0001"):
        response = client.post(url, {"end": day})
        html = response.content.decode()
        assert response.status_code == 200 and 'id="id_end_error"' in html
        assert "Bitte ein Datum zwischen 01.01.1900 und 31.12." in html
        incumbency.refresh_from_db()
        assert incumbency.end is None
    assert client.post(url, {"end": "31.12.2026"}).status_code == 302
    incumbency.refresh_from_db()
    assert incumbency.end is not None


def test_position_detail_and_history_steps(login_as) -> None:
    client = login_as("koordination")
    position = Position.objects.filter(title="Koordination KIM 4").get()
    assert client.get(f"/programm/stellen/{position.code}/").status_code == 200
    response = client.post(
        f"/programm/stellen/{position.code}/status/",
        {"status": "filled", "valid_from": "01.01.2020"},
    )
    assert response.status_code == 200 and 'id="id_valid_from_error"' in response.content.decode()
    response = client.post(
        f"/programm/stellen/{position.code}/besetzung/",
        {"new_pseudonym": "CO-05", "start": "01.12.2026"},
    )
    assert response.status_code == 302
    position.refresh_from_db()
    import datetime as dt

    assert position.status_on(dt.date(2026, 12, 1)) == "filled"


def test_allocation_by_custom_weights_with_source(login_as) -> None:
    client = login_as("koordination")
    towns = Organisation.objects.filter(region__ags="05970", kind="kommune").order_by("ags")
    weights = "\n".join(f"{t.ags}: {100 if t.ags == '05970040' else 10}" for t in towns)
    data = {
        "name": "Eigene Gewichte",
        "baustein": "B2",
        "total": "14",
        "step": "0,5",
        "minimum": "0",
        "method": "largest-remainder",
        "key": "custom",
        "as_of": "01.01.2026",
        "custom_weights": weights,
        "save": "1",
    }
    url = f"/programm/{_kreis().code}/verteilung/"
    response = client.post(url, data)
    assert (
        response.status_code == 200 and 'id="id_custom_source_error"' in response.content.decode()
    )
    response = client.post(url, {**data, "custom_source": "Kreistagsbeschluss (Test)"})
    assert response.status_code == 302
    scenario = AllocationScenario.objects.get(name="Eigene Gewichte")
    assert "Kreistagsbeschluss (Test)" in scenario.key_source
    siegen = next(r for r in scenario.result["rows"] if r["key"] == "05970040")
    assert siegen["allocated"] == "7.0"  # 100 of 200 weight points → half of 14 VZÄ


@pytest.mark.parametrize(
    ("persona", "expected"), [("koordination", 200), ("traeger", 200), ("rat", 403), ("dsb", 403)]
)
def test_reference_page_shows_flags_and_sources(
    login_as, persona: str, expected: int, django_assert_max_num_queries
) -> None:
    client = login_as(persona)
    with django_assert_max_num_queries(12):
        response = client.get("/programm/saetze/")
    assert response.status_code == expected
    if expected == 200:
        body = response.content.decode()
        assert "3.901,48" in body  # E 9c Stufe 1 from 01.04.2025
        assert "9,3 %" in body and "70,28 %" in body
        assert "kern-badge--warning" in body  # computed / unconfirmed values are marked
