"""API v1 for the programme: the same doors as the UI, exact numbers, documented errors."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from kim.accounts.actions import issue_api_token
from kim.organisations.models import Organisation
from kim.programmes.models import Position, StaffMember

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
ALLOCATION = {
    "total": "14",
    "step": "0.5",
    "key": "population",
    "as_of": "2019-12-31",
    "method": "largest-remainder",
    "min": "0.5",
}

# persona → status, as in the UI (test_views.py); anyone not listed gets 403 (may not use the
# programme at all) for USE_PROGRAMME and 404 (cannot see the Kreis or post) for the others.
USE_PROGRAMME = {
    p: 200 for p in ("koordination", "siegen", "teamlead-siegen", "traeger", "abh", "admin")
}
OVERVIEW = {"koordination": 200, "admin": 200, "siegen": 200, "teamlead-siegen": 200}
MANAGE = {"koordination": 200, "admin": 200, "siegen": 403, "teamlead-siegen": 403}
# A post of the Stadt Siegen: coordination, admin and the town's own leads.
SIEGEN_POST = {"koordination": 200, "admin": 200, "siegen": 200, "teamlead-siegen": 200}


def _kreis() -> Organisation:
    return Organisation.objects.get(ags="05970")


def _siegen_post() -> Position:
    """A filled B2 post employed by the Stadt Siegen itself."""
    return Position.objects.filter(
        home__ags="05970040", baustein="B2", employer_type="municipal", incumbencies__isnull=False
    ).first()


def _cli_rows() -> list[dict[str, str]]:
    out = io.StringIO()
    with translation.override("de"):  # the command switches to German; keep that local
        call_command(
            "allocate",
            "--kreis=05970",
            "--total=14",
            "--step=0.5",
            "--key=population",
            "--as-of=2019-12-31",
            "--method=largest-remainder",
            "--min=0.5",
            "--format=json",
            stdout=out,
        )
    return json.loads(out.getvalue())


# --- permission matrices ----------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_and_rates_matrix(login_as, persona: str) -> None:
    client = login_as(persona)
    expected = USE_PROGRAMME.get(persona, 403)
    assert client.get("/api/v1/positions/").status_code == expected
    assert client.get("/api/v1/funding-rates/").status_code == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_position_detail_matrix(login_as, persona: str) -> None:
    code = _siegen_post().code
    expected = SIEGEN_POST.get(persona, 404)
    assert login_as(persona).get(f"/api/v1/positions/{code}/").status_code == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_programme_matrix(login_as, persona: str) -> None:
    base = f"/api/v1/programmes/{_kreis().code}"
    client = login_as(persona)
    assert client.get(f"{base}/allocation/", ALLOCATION).status_code == MANAGE.get(persona, 404)
    assert client.get(f"{base}/scenarios/").status_code == MANAGE.get(persona, 404)
    assert client.get(f"{base}/forecast/").status_code == OVERVIEW.get(persona, 404)


def test_stranger_sees_nothing_of_the_kreis(stranger: Client, login_as) -> None:
    base = f"/api/v1/programmes/{_kreis().code}"
    post = f"/api/v1/positions/{_siegen_post().code}/"
    bad = {**ALLOCATION, "total": "14.25"}
    for url, params in [
        (post, {}),
        (f"{base}/allocation/", ALLOCATION),
        (f"{base}/allocation/", bad),  # invalid input must not reveal the Kreis either
        (f"{base}/scenarios/", {}),
        (f"{base}/forecast/", {"first_year": 2020, "last_year": 2050}),
    ]:
        assert login_as("koordination").get(url, params).status_code in (200, 400)
        assert stranger.get(url, params).status_code == 404
    # Coordination elsewhere may use the programme: rates yes, but no posts of this Kreis.
    assert stranger.get("/api/v1/funding-rates/").status_code == 200
    assert stranger.get("/api/v1/positions/").json()["count"] == 0


def test_anonymous_gets_401_everywhere(client: Client) -> None:
    base = f"/api/v1/programmes/{_kreis().code}"
    for url in [
        "/api/v1/positions/",
        f"/api/v1/positions/{_siegen_post().code}/",
        "/api/v1/funding-rates/",
        f"{base}/allocation/",
        f"{base}/scenarios/",
        f"{base}/forecast/",
    ]:
        response = client.get(url)
        assert response.status_code == 401, url
        assert response["WWW-Authenticate"] == "Token"


def test_token_authentication_keeps_the_role(client: Client) -> None:
    user = get_user_model().objects.get(username="siegen")
    auth = {"HTTP_AUTHORIZATION": f"Token {issue_api_token(acting_user=None, user=user)}"}
    base = f"/api/v1/programmes/{_kreis().code}"
    assert client.get("/api/v1/positions/", **auth).json()["count"] == 5
    assert client.get(f"{base}/forecast/", **auth).status_code == 200
    assert client.get(f"{base}/allocation/", ALLOCATION, **auth).status_code == 403
    assert client.get("/api/v1/positions/", HTTP_AUTHORIZATION="Token nope").status_code == 401


# --- positions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "visible"),
    [("koordination", 23), ("admin", 23), ("siegen", 5), ("traeger", 2), ("abh", 1)],
)
def test_position_list_is_scoped_like_the_ui(login_as, persona: str, visible: int) -> None:
    data = login_as(persona).get("/api/v1/positions/", {"limit": 100}).json()
    assert data["count"] == visible == len(data["results"])


def test_position_list_filters_and_status_on_a_day(login_as) -> None:
    client = login_as("koordination")
    b1 = client.get("/api/v1/positions/", {"baustein": "B1", "limit": 100}).json()["results"]
    assert {p["baustein"] for p in b1} == {"B1"} and len(b1) == 5
    assert {p["vze"] for p in b1} == {"1.00", "0.50"}  # VZÄ as exact strings
    traeger = client.get("/api/v1/positions/", {"employer_type": "traeger"}).json()
    assert traeger["count"] == 2
    assert client.get("/api/v1/positions/", {"q": "Verwaltungsassistenz"}).json()["count"] == 1

    def advertised(day: str) -> list[str]:
        params = {"status": "advertised", "day": day, "limit": 100}
        return [p["title"] for p in client.get("/api/v1/positions/", params).json()["results"]]

    assert "Koordination KIM 4" not in advertised("2026-08-31")
    assert "Koordination KIM 4" in advertised("2026-09-01")
    before = client.get("/api/v1/positions/", {"q": "Koordination KIM 4", "day": "2026-08-31"})
    assert before.json()["results"][0]["status"] == "approved"


@pytest.mark.parametrize(
    "params",
    [{"status": "sleeping"}, {"day": "31.12.2025"}, {"baustein": "B9"}, {"q": "x" * 101}],
)
def test_position_list_rejects_bad_filters(login_as, params: dict[str, str]) -> None:
    response = login_as("koordination").get("/api/v1/positions/", params)
    assert response.status_code == 400
    body = response.json()
    field = next(iter(params))
    assert body["detail"].startswith(f"{field}: ") and body[field]


def test_position_detail_shows_history_and_pseudonyms_never_names(login_as) -> None:
    post = _siegen_post()
    holder = post.incumbencies.first()
    assert holder is not None
    StaffMember.objects.filter(pk=holder.staff_id).update(name="Erika Mustermann")
    response = login_as("koordination").get(f"/api/v1/positions/{post.code}/")
    body = response.json()
    assert body["code"] == post.code and body["vze"] == str(post.vze)
    assert [c["status"] for c in body["status_history"]] == [
        c.status for c in post.status_changes.order_by("valid_from", "id")
    ]
    assert holder.staff.pseudonym in [i["pseudonym"] for i in body["incumbents"]]
    assert "funding_periods" in body
    assert "Mustermann" not in response.content.decode()


def test_position_list_query_count(login_as, django_assert_max_num_queries) -> None:
    client = login_as("koordination")
    with django_assert_max_num_queries(8):  # constant: history is prefetched, not per row
        response = client.get("/api/v1/positions/", {"limit": 100})
    assert response.json()["count"] == 23


def test_position_detail_query_count(login_as, django_assert_max_num_queries) -> None:
    client = login_as("koordination")
    code = _siegen_post().code
    with django_assert_max_num_queries(10):
        assert client.get(f"/api/v1/positions/{code}/").status_code == 200


# --- funding rates ----------------------------------------------------------------------------


def test_funding_rates_are_all_listed_with_source_and_confirmation(
    login_as, django_assert_max_num_queries
) -> None:
    from kim.programmes.models import FundingRate

    client = login_as("traeger")
    with django_assert_max_num_queries(5):
        rates = client.get("/api/v1/funding-rates/").json()
    assert len(rates) == FundingRate.objects.count()
    first = rates[0]
    assert set(first) >= {"baustein", "rate_kind", "amount", "valid_from", "valid_to", "confirmed"}
    assert all(r["source"] for r in rates)
    b2 = {r["amount"] for r in rates if r["baustein"] == "B2" and r["rate_kind"] == "per_vze"}
    assert "57000.00" in b2  # money as an exact string


# --- allocation -------------------------------------------------------------------------------


def test_allocation_equals_the_cli_and_adds_up(login_as) -> None:
    url = f"/api/v1/programmes/{_kreis().code}/allocation/"
    response = login_as("koordination").get(url, ALLOCATION)
    assert response.status_code == 200
    body = response.json()
    fields = ("ags", "name", "weight", "quota", "allocated")
    assert [{k: row[k] for k in fields} for row in body["rows"]] == _cli_rows()
    assert sum(Decimal(row["allocated"]) for row in body["rows"]) == Decimal(14)
    kreuztal = next(row for row in body["rows"] if row["ags"] == "05970024")
    assert kreuztal["allocated"] == "1.5"  # as reported for the real Kreis
    assert body["method"] == "largest-remainder" and body["divisor"] is None
    assert body["source"] and body["steps"]


def test_allocation_with_a_pool_and_a_divisor_method(login_as) -> None:
    url = f"/api/v1/programmes/{_kreis().code}/allocation/"
    params = {**ALLOCATION, "method": "dhondt", "pools": "05970032,05970016;05970004,05970028"}
    body = login_as("admin").get(url, params).json()
    pool = next(row for row in body["rows"] if row["ags"] == "pool-1")
    assert pool["members"] == ["05970032", "05970016"]
    assert pool["name"] == "Stadt Netphen + Stadt Freudenberg"
    assert next(row for row in body["rows"] if row["ags"] == "pool-2")["members"] == [
        "05970004",
        "05970028",
    ]
    assert body["divisor"] is not None
    assert sum(Decimal(row["allocated"]) for row in body["rows"]) == Decimal(14)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"total": "14.25"}, None),  # not a multiple of the step
        ({"min": "2"}, None),  # minimums exceed the total
        ({"as_of": "2001-01-01"}, None),  # no key figures on that day
        ({"pools": "05970032,99999999"}, None),  # a town outside the Kreis
        ({"pools": "05970032,05970032"}, None),  # a pool of one town
        ({"total": "abc"}, "total"),
        ({"total": "-1"}, "total"),
        ({"total": "NaN"}, "total"),
        ({"step": "0"}, "step"),
        ({"step": "0.001"}, "step"),
        ({"as_of": ""}, "as_of"),
        ({"method": "lottery"}, "method"),
        ({"key": "custom"}, "key"),
        ({"pools": "Netphen: 05970032, 05970016"}, "pools"),
        ({"total": "9999.99", "step": "0.01"}, "total"),  # too many units for one request
        ({"as_of": "0001-01-01"}, "as_of"),  # not a plausible date (kim.core.forms)
        ({"as_of": "9999-12-31"}, "as_of"),
    ],
)
def test_allocation_rejects_invalid_input_with_a_detail(
    login_as, change: dict[str, str], field: str | None
) -> None:
    url = f"/api/v1/programmes/{_kreis().code}/allocation/"
    response = login_as("koordination").get(url, {**ALLOCATION, **change})
    assert response.status_code == 400
    body = response.json()
    assert body["detail"]
    if field is not None:
        assert body["detail"].startswith(f"{field}: ") and body[field]


def test_allocation_needs_total_and_date(login_as) -> None:
    url = f"/api/v1/programmes/{_kreis().code}/allocation/"
    body = login_as("koordination").get(url).json()
    assert set(body) >= {"detail", "total", "as_of"}


def test_allocation_query_count(login_as, django_assert_max_num_queries) -> None:
    client = login_as("koordination")
    url = f"/api/v1/programmes/{_kreis().code}/allocation/"
    with django_assert_max_num_queries(8):
        assert client.get(url, ALLOCATION).status_code == 200


# --- scenarios and forecast -------------------------------------------------------------------


def test_scenarios_with_results(login_as, django_assert_max_num_queries) -> None:
    client = login_as("koordination")
    with django_assert_max_num_queries(6):
        data = client.get(f"/api/v1/programmes/{_kreis().code}/scenarios/").json()
    assert data["count"] >= 1
    demo = next(s for s in data["results"] if s["name"] == "B2 nach Einwohnern 2019 (Demo)")
    assert demo["total"] == "14.00" and demo["minimum"] == "0.50"
    assert sum(Decimal(r["allocated"]) for r in demo["result"]["rows"]) == Decimal(14)
    cli = {r["ags"]: r["allocated"] for r in _cli_rows()}
    assert {r["key"]: r["allocated"] for r in demo["result"]["rows"]} == cli


def test_forecast_totals_and_lines(login_as, django_assert_max_num_queries) -> None:
    client = login_as("siegen")
    url = f"/api/v1/programmes/{_kreis().code}/forecast/"
    params = {"first_year": 2026, "last_year": 2030, "baustein": "B2"}
    with django_assert_max_num_queries(15):
        response = client.get(url, params)
    body = response.json()
    assert body["years"] == [2026, 2027, 2028, 2029, 2030]
    assert [b["baustein"] for b in body["by_baustein"]] == ["B2"]
    for index, row in enumerate(body["total"]):
        cost, funding = Decimal(row["employer_cost"]), Decimal(row["funding"])
        assert Decimal(row["eigenanteil"]) == cost - funding
        per_org = sum(Decimal(o["rows"][index]["employer_cost"]) for o in body["by_organisation"])
        assert per_org == cost
    assert body["total"][0]["funding"] == "798000.00"  # 14 VZÄ × 57.000 €
    assert body["missing_table"] is True  # pay tables are known until 31.03.2027


@pytest.mark.parametrize(
    "params",
    [
        {"first_year": 2026, "last_year": 2041},  # 16 years
        {"first_year": 2030, "last_year": 2026},
        {"first_year": 1999},
        {"last_year": "soon"},
        {"baustein": "B4"},
    ],
)
def test_forecast_rejects_bad_years(login_as, params: dict[str, object]) -> None:
    url = f"/api/v1/programmes/{_kreis().code}/forecast/"
    response = login_as("koordination").get(url, params)
    assert response.status_code == 400
    assert response.json()["detail"]


def test_forecast_allows_fifteen_years(login_as) -> None:
    url = f"/api/v1/programmes/{_kreis().code}/forecast/"
    body = login_as("koordination").get(url, {"first_year": 2026, "last_year": 2040}).json()
    assert len(body["years"]) == 15


# --- schema -----------------------------------------------------------------------------------


def test_schema_documents_every_response(client: Client) -> None:
    paths = client.get("/api/v1/schema.json").json()["paths"]
    expected = {
        "/api/v1/positions/": {"200", "400", "401", "403"},
        "/api/v1/positions/{code}/": {"200", "401", "404"},
        "/api/v1/funding-rates/": {"200", "401", "403"},
        "/api/v1/programmes/{code}/allocation/": {"200", "400", "401", "403", "404"},
        "/api/v1/programmes/{code}/scenarios/": {"200", "401", "403", "404"},
        "/api/v1/programmes/{code}/forecast/": {"200", "400", "401", "403", "404"},
    }
    for path, codes in expected.items():
        assert set(paths[path]["get"]["responses"]) >= codes, path


def test_forecast_far_ahead_is_a_result_or_a_documented_400(login_as) -> None:
    """Beyond the pay engine's carry-forward window the forecast cannot be costed: 400."""
    url = f"/api/v1/programmes/{_kreis().code}/forecast/"
    response = login_as("koordination").get(url, {"first_year": 2046, "last_year": 2060})
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert response.json()["detail"]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31"])
def test_position_list_refuses_an_implausible_reference_day(login_as, day: str) -> None:
    """Like the forms: a year 0001 or 9999 is a 400 naming the parameter, in German."""
    with translation.override("de"):
        response = login_as("koordination").get("/api/v1/positions/", {"day": day})
    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith("day: Bitte ein Datum zwischen 01.01.1900 und 31.12.")
    assert (
        login_as("koordination").get("/api/v1/positions/", {"day": "2026-01-01"}).status_code == 200
    )
