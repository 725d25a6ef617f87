"""Structural barriers: no personal data in the text, and the anonymised log for the
coordination (aggregated, quarter only, never a case, person or case manager)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from kim.audit.models import AuditEvent, EventType
from kim.cases.actions.barriers import personal_data_found, record_barrier
from kim.cases.models import Barrier, BarrierCategory

pytestmark = pytest.mark.django_db

LOG = "/fallmanagement/barrieren/"


def _user(name: str = "cm-siegen"):
    return get_user_model().objects.get(username=name)


def _record(case, description: str, category: str = "wartezeit", **kwargs) -> Barrier:
    from kim.organisations.models import Organisation

    return record_barrier(
        case,
        acting_user=_user(),
        category=BarrierCategory.objects.get(key=category),
        rechtskreis=kwargs.pop("rechtskreis", "aufenthg"),
        organisation_involved=Organisation.objects.get(short_name="ABH Kreis"),
        description=description,
        suggested_remedy=kwargs.pop("suggested_remedy", "Feste Terminkontingente für KIM"),
        observed_on=kwargs.pop("observed_on", dt.date(2026, 2, 17)),
    )


@pytest.mark.parametrize(
    "text",
    [
        "Frau Müller-Lüdenscheidt wartet seit Monaten",
        "Fall {number} hängt fest",
        "Termin am 17.05.2026 abgesagt",
        "Antwort an amina@example.org blieb aus",
        "Rückruf unter 0271 3331234 erbeten",
        "Überweisung auf DE89 3704 0044 0532 0130 00 fehlte",
    ],
)
def test_personal_data_is_rejected(make_case, text: str) -> None:
    case = make_case(first_name="Amina", last_name="Müller-Lüdenscheidt")
    text = text.format(number=case.person.number)
    assert personal_data_found(text, case)
    with pytest.raises(ValidationError) as error:
        _record(case, text)
    assert "description" in error.value.message_dict
    assert not Barrier.objects.filter(case=case).exists()


def test_barrier_is_recorded_by_month_and_audited_without_text(make_case) -> None:
    case = make_case()
    barrier = _record(case, "Termine der Ausländerbehörde erst nach mehr als drei Monaten")
    assert barrier.observed_month == dt.date(2026, 2, 1)
    assert barrier.region_id == case.organisation.region_id
    event = AuditEvent.objects.get(event_type=EventType.BARRIER_RECORDED, subject_code=barrier.code)
    assert "Termine" not in str(event.extra)
    assert event.extra["category"] == "wartezeit"


@pytest.mark.sqlite_too
def test_log_is_anonymised_and_grouped(make_case, login_as, django_assert_max_num_queries) -> None:
    case = make_case(first_name="Amina", last_name="Beispiel")
    other = make_case(first_name="Jonas", last_name="Exempel")
    _record(case, "Termine erst nach drei Monaten")
    _record(other, "Wartezeit auf Termin sehr lang", observed_on=dt.date(2026, 5, 3))
    _record(
        other, "Zuständigkeit zwischen Jobcenter und Sozialamt unklar", category="zustaendigkeit"
    )

    client = login_as("koordination")
    with django_assert_max_num_queries(12):
        response = client.get(LOG)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Termine erst nach drei Monaten" in page and "2026/Q2" in page
    for secret in (case.code, other.code, case.person.number, other.person.number, "Amina",
                   "Beispiel", "Jonas", _user().get_full_name() or "cm-siegen"):  # fmt: skip
        assert secret not in page, secret
    assert "17.02.2026" not in page
    # The most frequent group comes first.
    assert page.index("Termine erst nach drei Monaten") < page.index("Zuständigkeit zwischen")

    filtered = client.get(LOG, {"category": "zustaendigkeit"}).content.decode()
    assert "Zuständigkeit zwischen" in filtered and "Termine erst" not in filtered
    quarter = client.get(LOG, {"year": 2026, "quarter": 2}).content.decode()
    assert "Wartezeit auf Termin" in quarter and "Termine erst" not in quarter


def test_log_export(make_case, login_as) -> None:
    case = make_case()
    _record(case, "Termine erst nach drei Monaten")
    response = login_as("koordination").get("/fallmanagement/barrieren/export.csv")
    assert response.status_code == 200
    content = response.content.decode("utf-8-sig")
    assert "Termine erst nach drei Monaten" in content
    assert case.code not in content and case.person.number not in content
    assert login_as("koordination").get("/fallmanagement/barrieren/export.xlsx").status_code == 200


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("koordination", 200),
        ("siegen", 200),
        ("teamlead-siegen", 200),
        ("cm-kreuztal", 403),
        ("cm-siegen", 403),
        ("rat", 403),
    ],
)
def test_who_sees_the_log(login_as, persona: str, status: int) -> None:
    assert login_as(persona).get(LOG).status_code == status


def test_barrier_form(make_case, login_as) -> None:
    case = make_case()
    url = f"/fallmanagement/faelle/{case.code}/barrieren/neu/"
    data = {
        "category": BarrierCategory.objects.get(key="sprache").pk,
        "rechtskreis": "sgb_ii",
        "description": "Keine Dolmetschung beim Erstgespräch",
        "observed_on": "03.02.2026",
    }
    assert login_as("cm-kreuztal").post(url, data).status_code == 404
    assert login_as("teamlead-siegen").post(url, data).status_code == 403
    client = login_as("cm-siegen")
    assert client.get(url).status_code == 200
    bad = client.post(url, {**data, "description": f"Fall {case.person.number}"})
    assert bad.status_code == 200 and "id_description_error" in bad.content.decode()
    assert client.post(url, data).status_code == 302
    assert Barrier.objects.filter(case=case).count() == 1
