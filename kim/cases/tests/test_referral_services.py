"""Referrals to services of the directory (issue 19 part 2, D-091): the form offers the Kreis'
services valid on the day, grouped by provider; the service's provider becomes the recipient;
a different recipient is refused next to the service field; the consent gate is unchanged;
the case file and the status page name the service."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from kim.audit.models import AuditEvent, EventType
from kim.cases.actions.consent import DisclosureRefused, record_consent
from kim.cases.actions.referrals import send_referral
from kim.cases.models import DataCategory, Referral
from kim.network.tests.factories_public import clear_directory, service
from kim.organisations.models import Organisation
from tests.support import reauthenticated as _reauthenticated

pytestmark = pytest.mark.django_db

MASTER, PLAN = DataCategory.MASTER_DATA, DataCategory.PLAN
TODAY = dt.date.today()


def _user(name: str = "cm-siegen"):
    return get_user_model().objects.get(username=name)


def _org(short_name: str) -> Organisation:
    return Organisation.objects.get(short_name=short_name)


def _consent(case, short_name: str = "Jobcenter") -> None:
    record_consent(
        case,
        acting_user=_user(),
        recipient=_org(short_name),
        purpose="Vermittlung",
        categories=[MASTER, PLAN],
        given_on=TODAY,
    )


def _data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "purpose": "Vermittlung in Arbeit",
        "categories": [MASTER, PLAN],
        "sent_on": TODAY.strftime("%d.%m.%Y"),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _url(case) -> str:
    return f"/fallmanagement/faelle/{case.code}/vermittlungen/neu/"


def test_form_offers_the_kreis_services_valid_today_grouped_by_provider(make_case) -> None:
    case = make_case()
    jobcenter = _org("Jobcenter")
    service(provider=jobcenter, name="Arbeitsvermittlung U25", public=False)
    service(provider=jobcenter, name="ABGELAUFEN", valid_to=TODAY - dt.timedelta(days=1))
    olpe = Organisation.objects.create(kind="kreis", name="Kreis Olpe", ags="05966")
    service(region=olpe, provider=olpe, name="OLPE-ANGEBOT")
    page = _reauthenticated("cm-siegen").get(_url(case)).content.decode()
    assert f'<optgroup label="{jobcenter.name}">' in page
    assert "Arbeitsvermittlung U25" in page  # not public: still a service of the Kreis
    assert "ABGELAUFEN" not in page and "OLPE-ANGEBOT" not in page


def test_service_sets_the_recipient_and_is_stored_and_audited(make_case) -> None:
    case = make_case()
    _consent(case)
    offer = service(provider=_org("Jobcenter"), name="Arbeitsvermittlung")
    client = _reauthenticated("cm-siegen")

    response = client.post(_url(case), _data(service=offer.code))

    assert response.status_code == 302
    referral = Referral.objects.get(case=case)
    assert referral.service == offer and referral.recipient == _org("Jobcenter")
    event = AuditEvent.objects.get(event_type=EventType.DISCLOSURE, subject_code=case.code)
    assert event.extra["service"] == offer.code


def test_other_recipient_than_the_provider_is_an_error_next_to_the_service(make_case) -> None:
    case = make_case()
    _consent(case)
    _consent(case, "ABH Kreis")
    offer = service(provider=_org("Jobcenter"), name="Arbeitsvermittlung")
    client = _reauthenticated("cm-siegen")
    data = _data(service=offer.code, recipient=_org("ABH Kreis").pk)

    response = client.post(_url(case), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "id_service_error" in page
    assert "Dieses Angebot bietet Jobcenter Siegen-Wittgenstein an" in page
    assert not Referral.objects.filter(case=case).exists()
    # The same post with the provider as recipient goes through.
    data["recipient"] = _org("Jobcenter").pk
    assert client.post(_url(case), data).status_code == 302


def test_neither_recipient_nor_service(make_case) -> None:
    case = make_case()
    response = _reauthenticated("cm-siegen").post(_url(case), _data())
    assert "id_recipient_error" in response.content.decode()


def test_refusal_without_consent_is_unchanged_with_a_service(make_case) -> None:
    case = make_case()
    offer = service(provider=_org("Jobcenter"), name="Arbeitsvermittlung")
    client = _reauthenticated("cm-siegen")

    response = client.post(_url(case), _data(service=offer.code))

    assert response.status_code == 200
    page = response.content.decode()
    assert "id_recipient_error" in page and "keine Einwilligung" in page
    assert not Referral.objects.filter(case=case).exists()
    assert AuditEvent.objects.filter(
        event_type=EventType.DISCLOSURE_REFUSED, subject_code=case.code
    ).exists()


def test_action_refuses_foreign_expired_or_mismatched_services(make_case) -> None:
    case = make_case()
    _consent(case)
    jobcenter = _org("Jobcenter")
    olpe = Organisation.objects.create(kind="kreis", name="Kreis Olpe", ags="05966")
    foreign = service(region=olpe, provider=jobcenter, name="Fremd")
    expired = service(provider=jobcenter, valid_to=TODAY - dt.timedelta(days=2))
    other = service(provider=_org("ABH Kreis"))
    for wrong in (foreign, expired, other):
        with pytest.raises(ValidationError) as error:
            send_referral(
                case,
                acting_user=_user(),
                recipient=jobcenter,
                purpose="x",
                categories=[MASTER],
                sent_on=TODAY,
                service=wrong,
            )
        assert "service" in error.value.message_dict
    assert not Referral.objects.filter(case=case).exists()
    # Without consent the gate still refuses (the service check comes first, then consent).
    fine = service(provider=_org("ABH Kreis"))
    with pytest.raises(DisclosureRefused):
        send_referral(
            case,
            acting_user=_user(),
            recipient=_org("ABH Kreis"),
            purpose="x",
            categories=[MASTER],
            sent_on=TODAY,
            service=fine,
        )


def test_case_file_and_status_page_name_the_service(make_case, login_as) -> None:
    case = make_case()
    _consent(case)
    offer = service(provider=_org("Jobcenter"), name="ANGEBOT-ARBEIT")
    referral = send_referral(
        case,
        acting_user=_user(),
        recipient=_org("Jobcenter"),
        purpose="Arbeit",
        categories=[MASTER],
        sent_on=TODAY,
        service=offer,
    )
    client = login_as("cm-siegen")
    page = client.get(f"/fallmanagement/faelle/{case.code}/").content.decode()
    assert "Vermitteltes Angebot" in page and "ANGEBOT-ARBEIT" in page
    status = client.get(
        f"/fallmanagement/faelle/{case.code}/vermittlungen/{referral.code}/status/"
    ).content.decode()
    assert "ANGEBOT-ARBEIT" in status
    # The API's case detail names the service by its code.
    data = client.get(f"/api/v1/cases/{case.code}/").json()
    assert [r["service"] for r in data["referrals"]] == [offer.code]


def test_demo_picks_the_directory_service_of_the_recipient_by_topic() -> None:
    from kim.cases.demo import World, _demo_service

    kreis = Organisation.objects.get(ags="05970")
    jobcenter = _org("Jobcenter")
    world = World(today=TODAY, kreis=kreis)
    day = TODAY - dt.timedelta(days=90)
    clear_directory()
    assert _demo_service(world, jobcenter, "work", day) is None  # no demo directory: none
    old = TODAY - dt.timedelta(days=400)
    second = service(provider=jobcenter, name="B-Vermittlung", topics=("work",), valid_from=old)
    first = service(provider=jobcenter, name="A-Vermittlung", topics=("work",), valid_from=old)
    service(provider=jobcenter, name="0-Neu", topics=("work",))  # not yet valid on the day
    service(provider=_org("ABH Kreis"), name="0-ABH", topics=("work",), valid_from=old)
    assert _demo_service(world, jobcenter, "work", day) == first
    assert _demo_service(world, jobcenter, "housing", day) is None
    assert second.name == "B-Vermittlung"
