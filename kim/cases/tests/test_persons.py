"""Clients: registration with the duplicate check, editing with optimistic locking, household
links, name search, and encryption at rest."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection

from kim.audit.models import AuditEvent, EventType
from kim.cases.models import Case, HouseholdLink, Person, Phase
from kim.cases.tests.conftest import organisation_of

pytestmark = pytest.mark.django_db

CREATE_URL = "/fallmanagement/klienten/neu/"
SEARCH_URL = "/fallmanagement/klienten/suche/"


def _register_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "organisation": organisation_of("cm-siegen").pk,
        "first_name": "Leyla",
        "last_name": "Musterfrau",
        "birth_date": "03.04.1988",
        "sex": "f",
        "languages": "ar, ku",
        "nationalities": "sy",
        "address": "Musterweg 1, 57072 Siegen",
        "referral_source": "jobcenter",
        "referred_on": dt.date.today().strftime("%d.%m.%Y"),
    }
    data.update(overrides)
    return data


def _new_case(response: object) -> Case:
    location = response["Location"]  # type: ignore[index]
    match = re.fullmatch(r"/fallmanagement/faelle/([^/]+)/", location)
    assert match, location
    return Case.objects.select_related("person").get(code=match.group(1))


def test_register_client_creates_person_and_case_in_one_step(login_as):
    client = login_as("cm-siegen")
    assert client.get(CREATE_URL).status_code == 200
    assert login_as("rat").get(CREATE_URL).status_code == 403

    response = client.post(CREATE_URL, _register_data(on_waiting_list="on"))

    assert response.status_code == 302
    case = _new_case(response)
    assert case.phase == Phase.ACCESS and case.on_waiting_list
    assert case.responsible.username == "cm-siegen"
    assert case.person.display_name == "Leyla Musterfrau"
    assert case.person.languages == ["ar", "ku"] and case.person.nationalities == ["SY"]
    assert case.person.phone is None  # empty optional fields stay NULL
    assert AuditEvent.objects.filter(
        event_type=EventType.PERSON_CREATED, subject_code=case.person.code
    ).exists()
    assert AuditEvent.objects.filter(event_type=EventType.CASE_OPENED, subject_code=case.code)


def test_duplicate_check_asks_for_confirmation_within_the_organisation(login_as, make_case):
    existing = make_case(
        "cm-siegen", first_name="Amira", last_name="Beispielfrau", birth_date=dt.date(1990, 5, 17)
    )
    client = login_as("cm-siegen")
    before = Case.objects.count()
    # A sound-alike spelling with the same birth date is found.
    data = _register_data(first_name="Amira", last_name="Baispielfrau", birth_date="17.05.1990")

    response = client.post(CREATE_URL, data)

    assert response.status_code == 200
    html = response.content.decode()
    assert existing.person.number in html and "Amira Beispielfrau" in html
    assert f"/fallmanagement/faelle/{existing.code}/" in html  # she may open that case
    assert Case.objects.count() == before

    response = client.post(CREATE_URL, {**data, "confirm_distinct": "on"})

    assert response.status_code == 302
    assert Case.objects.count() == before + 1


def test_duplicate_check_never_looks_at_other_organisations(login_as, make_case):
    make_case("cm-kreuztal", first_name="Amira", last_name="Beispielfrau")

    response = login_as("cm-siegen").post(
        CREATE_URL, _register_data(first_name="Amira", last_name="Beispielfrau")
    )

    assert response.status_code == 302  # created at once: nothing about Kreuztal leaks


def _edit_data(person: Person, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "birth_date": person.birth_date.strftime("%d.%m.%Y") if person.birth_date else "",
        "sex": person.sex,
        "languages": ", ".join(person.languages),
        "nationalities": ", ".join(person.nationalities),
        "phone": person.phone or "",
        "version": person.version,
    }
    data.update(overrides)
    return data


def test_person_edit_permissions_and_audit(login_as, make_case):
    case = make_case("cm-siegen", first_name="Amira", last_name="Beispielfrau")
    url = f"/fallmanagement/faelle/{case.code}/person/"
    data = _edit_data(case.person, last_name="Neufrau", phone="0271 123")

    assert login_as("cm-kreuztal").post(url, data).status_code == 404
    assert login_as("koordination").get(url).status_code == 404
    assert login_as("teamlead-siegen").post(url, data).status_code == 403
    response = login_as("cm-siegen").post(url, data)

    assert response.status_code == 302
    assert response["Location"] == f"/fallmanagement/faelle/{case.code}/"
    person = Person.objects.get(pk=case.person_id)
    assert (person.last_name, person.phone, person.version) == ("Neufrau", "0271 123", 2)
    event = AuditEvent.objects.get(event_type=EventType.PERSON_UPDATED, subject_code=person.code)
    assert event.extra == {"fields": ["last_name", "phone"]}
    # The search tokens follow the new name.
    found = login_as("cm-siegen").get(SEARCH_URL, {"q": "Neufrau"}).content.decode()
    assert person.number in found


@pytest.mark.sqlite_too
def test_concurrent_edits_show_both_versions_and_lose_nothing(login_as, make_case):
    case = make_case("cm-siegen", first_name="Amira", last_name="Beispielfrau")
    url = f"/fallmanagement/faelle/{case.code}/person/"
    client = login_as("cm-siegen")
    first_load = client.get(url)
    second_load = client.get(url)
    assert 'name="version" value="1"' in first_load.content.decode()
    assert 'name="version" value="1"' in second_load.content.decode()

    assert client.post(url, _edit_data(case.person, phone="0271 111")).status_code == 302
    response = client.post(url, _edit_data(case.person, phone="0271 222"))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="edit-conflict"' in html
    assert "0271 111" in html and "0271 222" in html  # saved and typed, side by side
    assert 'value="0271 222"' in html  # the user's input is still in the form
    assert 'name="version" value="2"' in html
    assert Person.objects.get(pk=case.person_id).phone == "0271 111"

    # Saving again after comparing overwrites knowingly.
    response = client.post(url, _edit_data(case.person, phone="0271 222", version=2))
    assert response.status_code == 302
    assert Person.objects.get(pk=case.person_id).phone == "0271 222"


def test_household_link_only_within_the_organisation(login_as, make_case):
    case = make_case("cm-siegen", first_name="Amira", last_name="Beispielfrau")
    child = make_case("cm-siegen", first_name="Nour", last_name="Beispielfrau")
    stranger = make_case("cm-kreuztal", first_name="Omar", last_name="Beispielmann")
    url = f"/fallmanagement/faelle/{case.code}/haushalt/neu/"
    client = login_as("cm-siegen")

    response = client.post(url, {"number": stranger.person.number, "relation": "child"})
    assert response.status_code == 200
    assert not HouseholdLink.objects.filter(person=case.person).exists()

    response = client.post(url, {"number": child.person.number.lower(), "relation": "child"})
    assert response.status_code == 302
    link = HouseholdLink.objects.get(person=case.person)
    assert (link.other_id, link.relation) == (child.person_id, "child")
    assert AuditEvent.objects.filter(
        event_type=EventType.HOUSEHOLD_LINKED, subject_code=case.person.code
    ).exists()


def test_name_search_finds_only_visible_persons_and_audits_counts(login_as, make_case):
    case = make_case(
        "cm-siegen", first_name="Amira", last_name="Beispielfrau", birth_date=dt.date(1990, 5, 17)
    )

    html = login_as("cm-siegen").get(SEARCH_URL, {"q": "amira beispilfrau"}).content.decode()
    assert case.person.number in html and "Amira Beispielfrau" in html
    event = AuditEvent.objects.filter(event_type=EventType.PERSON_SEARCHED).latest("id")
    assert event.extra["results"] >= 1 and "amira" not in str(event.extra).lower()

    other_birth = login_as("cm-siegen").get(
        SEARCH_URL, {"q": "Beispielfrau", "birth_date": "18.05.1990"}
    )
    assert case.person.number not in other_birth.content.decode()
    kreuztal = login_as("cm-kreuztal").get(SEARCH_URL, {"q": "Amira Beispielfrau"})
    assert case.person.number not in kreuztal.content.decode()
    assert login_as("koordination").get(SEARCH_URL, {"q": "Amira"}).status_code == 403


@pytest.mark.sqlite_too
def test_raw_person_row_holds_no_plaintext(make_case):
    case = make_case(
        "cm-siegen",
        first_name="Amira",
        last_name="Beispielfrau",
        birth_date=dt.date(1990, 5, 17),
        address="Sandstraße 12, Siegen",
    )
    with connection.cursor() as cur:
        cur.execute("select * from cases_person where id=%s", [case.person_id])
        row = " ".join(str(v) for v in cur.fetchone())
    for plain in ("Amira", "Beispielfrau", "1990-05-17", "17.05.1990", "Sandstraße", "Siegen"):
        assert plain not in row
