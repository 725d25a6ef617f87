"""Editing organisations in the UI: errors next to the field, nothing half-saved, no lost updates."""

from __future__ import annotations

import pytest

from kim.audit.models import AuditEvent, EventType
from kim.organisations.models import Organisation, ResponsibilityPeriod

pytestmark = pytest.mark.django_db


def _form_data(org: Organisation, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": org.kind,
        "name": org.name,
        "short_name": org.short_name,
        "ags": org.ags,
        "municipality_type": org.municipality_type,
        "parent": org.parent_id or "",
        "umbrella": org.umbrella_id or "",
        "authority_type": org.authority_type,
        "rechtskreis": org.rechtskreis,
        "legal_form": org.legal_form,
        "website": org.website,
        "version": org.version,
    }
    data.update(changes)
    return data


def test_edit_saves_and_records_an_event(login_as) -> None:
    siegen = Organisation.objects.get(ags="05970040")
    response = login_as("koordination").post(
        f"/organisationen/{siegen.code}/bearbeiten/",
        _form_data(siegen, website="https://www.siegen.de/"),
    )
    assert response.status_code == 302
    siegen.refresh_from_db()
    assert siegen.website == "https://www.siegen.de/" and siegen.version == 2
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.event_type, event.subject_code, event.extra) == (
        EventType.ORGANISATION_UPDATED,
        siegen.code,
        {"fields": ["website"]},
    )


def test_invalid_ags_shows_german_error_next_to_field_and_saves_nothing(login_as) -> None:
    siegen = Organisation.objects.get(ags="05970040")
    client = login_as("koordination")
    mark = AuditEvent.objects.count()
    response = client.post(
        f"/organisationen/{siegen.code}/bearbeiten/",
        _form_data(siegen, ags="123", website="https://x.de/"),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="id_ags_error"' in body and 'aria-invalid="true"' in body
    siegen.refresh_from_db()
    assert siegen.ags == "05970040" and siegen.website == ""
    assert AuditEvent.objects.count() == mark


@pytest.mark.sqlite_too
def test_concurrent_edit_is_refused_without_losing_the_other_change(login_as) -> None:
    siegen = Organisation.objects.get(ags="05970040")
    stale = _form_data(siegen, short_name="Universitätsstadt Siegen")
    client = login_as("koordination")
    # Someone else saves first …
    assert (
        client.post(
            f"/organisationen/{siegen.code}/bearbeiten/",
            _form_data(siegen, website="https://a.de/"),
        ).status_code
        == 302
    )
    # … then the stale form arrives.
    response = client.post(f"/organisationen/{siegen.code}/bearbeiten/", stale)
    assert response.status_code == 200
    assert "kern-alert--danger" in response.content.decode()
    siegen.refresh_from_db()
    assert siegen.website == "https://a.de/" and siegen.short_name == "Siegen"


def test_reader_cannot_post_changes(login_as) -> None:
    siegen = Organisation.objects.get(ags="05970040")
    response = login_as("siegen").post(
        f"/organisationen/{siegen.code}/bearbeiten/", _form_data(siegen, name="X")
    )
    assert response.status_code == 403
    siegen.refresh_from_db()
    assert siegen.name == "Stadt Siegen"


def test_create_organisation_in_own_region_only(login_as) -> None:
    kreis = Organisation.objects.get(ags="05970")
    land = Organisation.objects.get(name="Land Nordrhein-Westfalen")
    client = login_as("koordination")
    data = {
        "kind": "traeger",
        "name": "Neuer Träger e.V. (Test)",
        "parent": kreis.pk,
        "legal_form": "e.V.",
    }
    response = client.post("/organisationen/neu/", data)
    assert response.status_code == 302
    created = Organisation.objects.get(name="Neuer Träger e.V. (Test)")
    assert created.region == kreis
    response = client.post(
        "/organisationen/neu/", {**data, "name": "Landesbehörde", "parent": land.pk}
    )
    assert response.status_code == 200
    assert not Organisation.objects.filter(name="Landesbehörde").exists()
    assert login_as("cm-siegen").get("/organisationen/neu/").status_code == 403


def test_add_responsibility_period_through_the_form(login_as) -> None:
    kreis = Organisation.objects.get(ags="05970")
    client = login_as("koordination")
    response = client.post(
        "/organisationen/neu/",
        {
            "kind": "authority",
            "name": "Schulamt für den Kreis",
            "parent": kreis.pk,
            "authority_type": "schulamt",
            "rechtskreis": "schulrecht",
        },
    )
    assert response.status_code == 302
    schulamt = Organisation.objects.get(name="Schulamt für den Kreis")
    netphen = Organisation.objects.get(ags="05970032")
    url = f"/organisationen/{schulamt.code}/zustaendigkeit/neu/"
    response = client.post(
        url, {"kommune": netphen.pk, "valid_from": "01.08.2026", "valid_to": "31.07.2026"}
    )
    assert response.status_code == 200 and 'id="id_valid_to_error"' in response.content.decode()
    response = client.post(
        url, {"kommune": netphen.pk, "valid_from": "01.08.2026", "source": "Erlass"}
    )
    assert response.status_code == 302
    assert ResponsibilityPeriod.objects.get(authority=schulamt).kommune == netphen
    # A second, overlapping period for the same kind of authority is refused next to the field.
    response = client.post(url, {"kommune": netphen.pk, "valid_from": "01.01.2027"})
    assert response.status_code == 200 and 'id="id_valid_from_error"' in response.content.decode()


def test_htmx_filter_returns_only_the_table(login_as) -> None:
    response = login_as("koordination").get(
        "/organisationen/", {"q": "Kreuztal"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "<html" not in body and "Stadt Kreuztal" in body and "Stadt Siegen" not in body


def test_kreis_page_shows_totals_and_marks_gaps(login_as) -> None:
    kreis = Organisation.objects.get(ags="05970")
    body = login_as("koordination").get(f"/organisationen/{kreis.code}/").content.decode()
    # 276.944 inhabitants at 31.12.2019 (IT.NRW, brief § 4.1) – the sum of the eleven towns.
    assert "<strong>276.944</strong>" in body
    # 31.12.2024 lacks Bad Berleburg and Erndtebrück: no misleading partial sum.
    assert "unvollständig" in body and "keine Angabe" in body


def test_pagination_keeps_the_filters(login_as, settings) -> None:
    from kim.organisations.actions import create_organisation

    kreis = Organisation.objects.get(ags="05970")
    for i in range(55):
        create_organisation(
            acting_user=None, kind="traeger", name=f"Verein {i:02d} (Test)", parent=kreis
        )
    body = login_as("koordination").get("/organisationen/", {"kind": "traeger"}).content.decode()
    assert 'href="?kind=traeger&amp;page=2"' in body
