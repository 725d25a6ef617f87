"""Editing keeps an organisation where the editor may put it (decisions D-050).

The KIM coordination creates organisations only under a parent in its own Kreis and only as a
town, welfare agency or authority; editing follows the same rule: kind and parent change only
within the organisation's Kreis. A refused change shows a German error next to the field and
saves nothing (the row is reloaded and compared, and no audit event is written). Administrators
may place organisations anywhere. Nobody can make an organisation its own ancestor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.forms.models import model_to_dict
from django.test import Client

from kim.accounts.access import load_user_context
from kim.audit.models import AuditEvent, EventType
from kim.organisations import access
from kim.organisations.models import Organisation

pytestmark = pytest.mark.django_db

AUTHORITY = "Jobcenter Siegen-Wittgenstein"  # parent and region: the Kreis
AGENCY = "Brücke Siegerland – Integrationshilfe e.V. (Demo)"  # no parent, region: the Kreis
KIND_ERROR = "Nur die Administration kann eine Organisation zu einem Kreis"
PARENT_ERROR = "Eine Organisation kann nur innerhalb ihres Kreises"
CYCLE_ERROR = "kann nicht sich selbst oder einer ihr untergeordneten Organisation"


def _org(name: str) -> Organisation:
    return Organisation.objects.get(name=name)


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


def _snapshot(org: Organisation) -> dict[str, Any]:
    fresh = Organisation.objects.get(pk=org.pk)
    return {**model_to_dict(fresh), "version": fresh.version, "updated_at": fresh.updated_at}


def _refused(client: Client, org: Organisation, field: str, error: str, **changes: object) -> None:
    """The edit is shown again with ``error`` next to ``field``; the row and the trail stay."""
    before, events = _snapshot(org), AuditEvent.objects.count()
    response = client.post(f"/organisationen/{org.code}/bearbeiten/", _form_data(org, **changes))
    assert response.status_code == 200, changes
    body = response.content.decode()
    assert f'id="id_{field}_error"' in body, changes
    error_block = body[body.index(f'id="id_{field}_error"') :][:600]
    assert error in error_block, (changes, error_block)
    assert _snapshot(org) == before, changes
    assert AuditEvent.objects.count() == events, changes


def _saved(client: Client, org: Organisation, **changes: object) -> Organisation:
    response = client.post(f"/organisationen/{org.code}/bearbeiten/", _form_data(org, **changes))
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.latest("id")
    assert (event.event_type, event.subject_code) == (EventType.ORGANISATION_UPDATED, org.code)
    return Organisation.objects.get(pk=org.pk)


@pytest.fixture
def olpe(stranger: Client) -> Organisation:
    return _org("Kreis Olpe")


@pytest.mark.parametrize("name", [AUTHORITY, AGENCY])
def test_coordination_cannot_move_an_organisation_out_of_its_kreis(
    login_as: Callable[[str], Client], olpe: Organisation, name: str
) -> None:
    client = login_as("koordination")
    org = _org(name)
    land = _org("Land Nordrhein-Westfalen")
    bra = _org("Bezirksregierung Arnsberg")
    _refused(client, org, "kind", KIND_ERROR, kind="kreis", ags="05999")
    _refused(client, org, "kind", KIND_ERROR, kind="kreisfreie_stadt", ags="05999000")
    _refused(client, org, "kind", KIND_ERROR, kind="land")
    _refused(client, org, "kind", KIND_ERROR, kind="bezirksregierung")
    _refused(client, org, "kind", KIND_ERROR, kind="umbrella")
    _refused(client, org, "parent", PARENT_ERROR, parent=land.pk)
    _refused(client, org, "parent", PARENT_ERROR, parent=bra.pk)
    # Kreis Olpe is not even a choice for Siegen-Wittgenstein's coordination.
    _refused(client, org, "parent", "Bitte eine gültige Auswahl treffen", parent=olpe.pk)
    if org.parent_id is not None:
        _refused(client, org, "parent", PARENT_ERROR, parent="")


def test_an_authority_does_not_become_its_own_region(login_as: Callable[[str], Client]) -> None:
    """The probe's case: the coordination made the Jobcenter a Kreis, and lost sight of it."""
    client = login_as("koordination")
    jobcenter = _org(AUTHORITY)
    _refused(client, jobcenter, "kind", KIND_ERROR, kind="kreis", ags="05999", parent="")
    jobcenter.refresh_from_db()
    assert jobcenter.kind == "authority" and jobcenter.region == _org("Kreis Siegen-Wittgenstein")
    assert client.get(f"/organisationen/{jobcenter.code}/").status_code == 200


def test_coordination_still_changes_kind_and_parent_inside_its_kreis(
    login_as: Callable[[str], Client],
) -> None:
    client = login_as("koordination")
    kreis = _org("Kreis Siegen-Wittgenstein")
    siegen = _org("Stadt Siegen")
    jobcenter = _saved(client, _org(AUTHORITY), parent=siegen.pk)
    assert (jobcenter.parent, jobcenter.region) == (siegen, kreis)
    jobcenter = _saved(client, jobcenter, parent=kreis.pk, website="https://jobcenter.example/")
    assert jobcenter.parent == kreis and jobcenter.website == "https://jobcenter.example/"
    # An agency without a parent keeps it empty; it may become an authority of the Kreis.
    agency = _saved(client, _org(AGENCY), website="https://bruecke.example/")
    assert agency.parent is None and agency.region == kreis
    agency = _saved(client, agency, kind="authority", authority_type="other", parent=kreis.pk)
    assert (agency.kind, agency.parent, agency.region) == ("authority", kreis, kreis)
    # The Kreis itself: its name changes, its kind and its parent (the Bezirksregierung) do not.
    renamed = _saved(client, kreis, short_name="SiWi")
    assert renamed.short_name == "SiWi"
    _refused(client, renamed, "kind", KIND_ERROR, kind="kommune", ags="05970999", parent="")
    _refused(client, renamed, "parent", PARENT_ERROR, parent=_org("Land Nordrhein-Westfalen").pk)


def test_administrators_may_place_organisations_anywhere(
    login_as: Callable[[str], Client], olpe: Organisation
) -> None:
    client = login_as("admin")
    land = _org("Land Nordrhein-Westfalen")
    agency = _saved(client, _org(AGENCY), parent=land.pk)
    assert agency.parent == land
    jobcenter = _saved(client, _org(AUTHORITY), parent=olpe.pk)
    assert (jobcenter.parent, jobcenter.region) == (olpe, olpe)  # the region follows the parent
    regional = _saved(client, jobcenter, kind="kreis", ags="05999", parent="")
    assert regional.kind == "kreis" and regional.region is None


@pytest.mark.parametrize("persona", ["koordination", "admin"])
def test_nobody_makes_an_organisation_its_own_ancestor(
    login_as: Callable[[str], Client], persona: str
) -> None:
    client = login_as(persona)
    siegen = _org("Stadt Siegen")
    abh = _org("Ausländerbehörde Stadt Siegen")  # run by Stadt Siegen
    _refused(client, siegen, "parent", CYCLE_ERROR, parent=siegen.pk)
    _refused(client, siegen, "parent", CYCLE_ERROR, parent=abh.pk)
    if persona == "admin":
        kreis = _org("Kreis Siegen-Wittgenstein")
        _refused(client, kreis, "parent", CYCLE_ERROR, parent=abh.pk)


def test_coordination_creates_only_towns_agencies_and_authorities(
    login_as: Callable[[str], Client],
) -> None:
    """The create path had the same hole: a new 'Kreis' under the own Kreis became a region."""
    client = login_as("koordination")
    kreis = _org("Kreis Siegen-Wittgenstein")
    events = AuditEvent.objects.count()
    for kind, ags in (("kreis", "05998"), ("kreisfreie_stadt", "05998000"), ("umbrella", "")):
        response = client.post(
            "/organisationen/neu/",
            {"kind": kind, "name": f"Neu {kind}", "ags": ags, "parent": kreis.pk},
        )
        assert response.status_code == 200, kind
        assert 'id="id_kind_error"' in response.content.decode(), kind
        assert not Organisation.objects.filter(name=f"Neu {kind}").exists()
    assert AuditEvent.objects.count() == events
    response = client.post(
        "/organisationen/neu/",
        {"kind": "authority", "name": "Neu Dienst", "authority_type": "other", "parent": kreis.pk},
    )
    assert response.status_code == 302
    assert Organisation.objects.get(name="Neu Dienst").region == kreis


def test_the_predicates_agree_with_the_pages(olpe: Organisation) -> None:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    coordination = load_user_context(users.get(username="koordination"))
    admin = load_user_context(users.get(username="admin"))
    jobcenter, kreis, land = (
        _org(AUTHORITY),
        _org("Kreis Siegen-Wittgenstein"),
        _org("Land Nordrhein-Westfalen"),
    )
    assert access.can_give_kind(coordination, jobcenter, "traeger")
    assert not access.can_give_kind(coordination, jobcenter, "kreis")
    assert not access.can_give_kind(coordination, kreis, "kommune")
    assert access.can_give_kind(coordination, kreis, "kreis")  # unchanged
    assert not access.can_give_kind(coordination, None, "kreis")
    assert access.can_move_under(coordination, jobcenter, _org("Stadt Siegen"))
    assert not access.can_move_under(coordination, jobcenter, None)
    assert not access.can_move_under(coordination, jobcenter, land)
    assert not access.can_move_under(coordination, jobcenter, olpe)
    assert all(
        access.can_give_kind(admin, jobcenter, kind) and access.can_move_under(admin, jobcenter, p)
        for kind in ("kreis", "land")
        for p in (None, land, olpe)
    )
