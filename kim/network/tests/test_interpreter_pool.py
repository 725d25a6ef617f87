"""The interpreter pool (issue 19 point 5, D-093): the coordination of the Kreis maintains it,
case managers and team leads read it, everybody else gets 404 – on every page."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client

from kim.audit.models import AuditEvent, EventType
from kim.core.locking import EditConflict
from kim.network.interpreters import actions
from kim.network.interpreters.demo import SERVICE
from kim.network.models import Interpreter, InterpreterKind
from kim.organisations.models import Organisation

pytestmark = pytest.mark.django_db

LIST = "/netzwerk/dolmetschende/"
READERS = {"koordination", "teamlead-siegen", "cm-siegen", "cm-kreuztal", "cm-traeger"}
PERSONAS = [
    "koordination",
    "siegen",
    "teamlead-siegen",
    "cm-siegen",
    "cm-kreuztal",
    "cm-traeger",
    "traeger",
    "abh",
    "rat",
    "dsb",
    "admin",
]


def _arabic() -> Interpreter:
    return Interpreter.objects.get(name="Demo-Dolmetscherin Arabisch")


def _kreis() -> Organisation:
    return Organisation.objects.get(ags="05970")


@pytest.mark.parametrize("persona", PERSONAS)
def test_pool_permission_matrix(login_as, persona: str) -> None:
    """Read: coordination, case managers, team leads; change: the coordination only (403 for
    readers); everybody else 404 on every page."""
    client = login_as(persona)
    code = _arabic().code
    pages = {
        "list": client.get(LIST).status_code,
        "detail": client.get(f"{LIST}{code}/").status_code,
        "add": client.get(f"{LIST}neu/").status_code,
        "edit": client.get(f"{LIST}{code}/bearbeiten/").status_code,
        "deactivate": client.post(f"{LIST}{code}/deaktivieren/", {"version": 1}).status_code,
    }
    if persona == "koordination":
        assert pages == {"list": 200, "detail": 200, "add": 200, "edit": 200, "deactivate": 302}
    elif persona in READERS:
        assert pages == {"list": 200, "detail": 200, "add": 403, "edit": 403, "deactivate": 403}
    else:
        assert set(pages.values()) == {404}, pages
    assert _arabic().active is (persona != "koordination")


def test_stranger_sees_nothing_of_another_kreis(stranger: Client) -> None:
    """The coordination of Kreis Olpe reads its own (empty) pool, never Siegen-Wittgenstein's."""
    code = _arabic().code
    response = stranger.get(LIST)
    assert response.status_code == 200 and response.context["rows"] == []
    for url in (f"{LIST}{code}/", f"{LIST}{code}/bearbeiten/"):
        assert stranger.get(url).status_code == 404, url
    assert stranger.post(f"{LIST}{code}/deaktivieren/", {"version": 1}).status_code == 404
    assert _arabic().active


def test_list_filters_by_language_kind_status_and_name(login_as) -> None:
    client = login_as("cm-siegen")

    def names(query: str) -> set[str]:
        return {i.name for i, _names in client.get(LIST + query).context["rows"]}

    assert names("?language=ar") == {
        "Demo-Dolmetscherin Arabisch",
        "Demo-Dolmetscher Kurdisch und Arabisch",
    }
    assert names("?language=prs") == {"Demo-Dolmetscher Farsi und Dari"}
    assert names("?kind=organisation") == {
        "Demo-Dolmetscherin Arabisch",
        "Demo-Dolmetscher Farsi und Dari",
    }
    assert names("?q=tigrinya") == {"Demo-Dolmetscherin Tigrinya"}
    assert len(names("")) == 6
    assert names("?active=no") == set()
    body = client.get(LIST + "?language=ti").content.decode()
    assert "Tigrinya" in body and "75,00" in body


def test_coordination_records_an_interpreter_through_the_form(login_as) -> None:
    client = login_as("koordination")
    service = Organisation.objects.get(name=SERVICE)
    data = {
        "name": "Test-Dolmetscherin Somali",
        "languages": ["so"],
        "kind": "organisation",
        "hourly_rate": "52,50",
        "phone": "0271 1",
        "email": "somali@dienst.example",
    }
    response = client.post(f"{LIST}neu/", data)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["organisation"]
    assert not Interpreter.objects.filter(name="Test-Dolmetscherin Somali").exists()
    response = client.post(f"{LIST}neu/", {**data, "organisation": service.pk})
    interpreter = Interpreter.objects.get(name="Test-Dolmetscherin Somali")
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}{interpreter.code}/"
    assert interpreter.hourly_rate == Decimal("52.50")
    assert interpreter.languages == ["so"] and interpreter.region == _kreis()
    event = AuditEvent.objects.filter(
        event_type=EventType.INTERPRETER_RECORDED, subject_code=interpreter.code
    ).get()
    assert event.extra == {"kind": "organisation", "languages": ["so"]}


def test_organisation_must_belong_to_the_kreis_and_german_is_no_language() -> None:
    other = Organisation.objects.exclude(region=_kreis()).exclude(pk=_kreis().pk).first()
    base = {
        "name": "X",
        "languages": ["tr"],
        "kind": InterpreterKind.ORGANISATION,
        "hourly_rate": Decimal("40"),
    }
    with pytest.raises(ValidationError) as exc:
        actions.record_interpreter(_kreis(), acting_user=None, organisation=other, **base)
    assert "organisation" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.record_interpreter(
            _kreis(), acting_user=None, **{**base, "kind": "freelance", "languages": ["de"]}
        )
    assert "languages" in exc.value.message_dict
    # A freelance interpreter has no organisation, whatever was sent.
    freelance = actions.record_interpreter(
        _kreis(),
        acting_user=None,
        organisation=Organisation.objects.get(name=SERVICE),
        **{**base, "kind": "freelance"},
    )
    assert freelance.organisation is None


def test_edit_with_optimistic_locking(login_as) -> None:
    interpreter = _arabic()
    client = login_as("koordination")
    form = client.get(f"{LIST}{interpreter.code}/bearbeiten/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data["hourly_rate"] = "58,00"
    actions.update_interpreter(
        interpreter,
        acting_user=None,
        expected_version=interpreter.version,
        **{f: getattr(interpreter, f) for f in actions.FIELDS if f != "active"},
        active=True,
    )  # someone else saved in the meantime
    response = client.post(f"{LIST}{interpreter.code}/bearbeiten/", data)
    assert response.status_code == 200, response
    assert 'id="edit-conflict"' in response.content.decode()
    assert _arabic().hourly_rate == Decimal("55.00")
    data["version"] = _arabic().version
    response = client.post(f"{LIST}{interpreter.code}/bearbeiten/", data)
    assert response.status_code == 302
    assert _arabic().hourly_rate == Decimal("58.00")
    event = AuditEvent.objects.filter(event_type=EventType.INTERPRETER_UPDATED).latest("id")
    assert event.extra["fields"] == ["hourly_rate"]


def test_deactivate_and_reactivate() -> None:
    interpreter = _arabic()
    user = get_user_model().objects.get(username="koordination")
    off = actions.set_interpreter_active(
        interpreter, acting_user=user, expected_version=interpreter.version, active=False
    )
    assert not off.active
    with pytest.raises(EditConflict):
        actions.set_interpreter_active(
            interpreter, acting_user=user, expected_version=interpreter.version, active=True
        )
    on = actions.set_interpreter_active(
        off, acting_user=user, expected_version=off.version, active=True
    )
    assert on.active
    assert [
        e.extra["active"]
        for e in AuditEvent.objects.filter(
            event_type=EventType.INTERPRETER_UPDATED, subject_code=interpreter.code
        ).order_by("id")
    ] == [False, True]


def test_detail_shows_office_contact_and_no_edit_for_readers(login_as) -> None:
    interpreter = _arabic()
    body = login_as("cm-siegen").get(f"{LIST}{interpreter.code}/").content.decode()
    assert interpreter.email in body and "Arabisch" in body and SERVICE in body
    assert "/bearbeiten/" not in body and "deaktivieren" not in body


def test_pool_list_query_count_is_flat(login_as, django_assert_max_num_queries) -> None:
    client = login_as("koordination")
    client.get(LIST)
    with django_assert_max_num_queries(12) as small:
        client.get(LIST)
    for n in range(20):
        actions.record_interpreter(
            _kreis(),
            acting_user=None,
            name=f"Test {n}",
            languages=["tr"],
            kind="organisation",
            organisation=Organisation.objects.get(name=SERVICE),
            hourly_rate=Decimal("40"),
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(LIST)
    assert len(response.context["rows"]) == 26


def test_pool_export_holds_the_filtered_rows_as_text(login_as) -> None:
    """The export has the page's rows and filter, office contact only, and text that looks
    like a formula stays text."""
    Interpreter.objects.filter(pk=_arabic().pk).update(phone="=HYPERLINK(1)")
    client = login_as("cm-siegen")
    response = client.get(f"{LIST}export.csv?language=ar")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Name", "Sprachen", "Art"]
    names = [row[0] for row in rows[1:]]
    assert "Demo-Dolmetscherin Arabisch" in names
    assert all("Arabisch" in row[1] for row in rows[1:])
    arabic = next(row for row in rows[1:] if row[0] == "Demo-Dolmetscherin Arabisch")
    assert arabic[5] == "'=HYPERLINK(1)"
    assert AuditEvent.objects.filter(
        event_type=EventType.EXPORT_DOWNLOADED, subject_type="network.interpreter_list"
    ).exists()
