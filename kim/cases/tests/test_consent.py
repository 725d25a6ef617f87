"""Consent and the one disclosure gate: refused without consent, allowed with it; revocation,
expiry and missing categories; exact audit events; the printable form; permissions."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kim.audit.models import AuditEvent, EventType
from kim.cases.actions.consent import (
    DisclosureRefused,
    active_consent_for,
    disclose,
    record_consent,
    revoke_consent,
)
from kim.cases.models import Consent, ConsentDocument, DataCategory, Disclosure, DisclosureKind
from kim.organisations.models import Organisation

pytestmark = pytest.mark.django_db

MASTER, PLAN, HEALTH = DataCategory.MASTER_DATA, DataCategory.PLAN, DataCategory.HEALTH
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _user(name: str = "cm-siegen"):
    return get_user_model().objects.get(username=name)


def _jobcenter() -> Organisation:
    return Organisation.objects.get(short_name="Jobcenter")


def _consent(case, recipient=None, categories=(MASTER, PLAN), **kwargs) -> Consent:
    defaults = {
        "purpose": "Vermittlung in Sprachkurs und Arbeit",
        "given_on": dt.date.today() - dt.timedelta(days=5),
    }
    return record_consent(
        case,
        acting_user=_user(),
        recipient=recipient or _jobcenter(),
        categories=list(categories),
        **{**defaults, **kwargs},
    )


def _events(case, event_type: str):
    return AuditEvent.objects.filter(event_type=event_type, subject_code=case.code)


def _disclose(case, categories=(MASTER,)):
    return disclose(
        case,
        acting_user=_user(),
        recipient=_jobcenter(),
        categories=list(categories),
        kind=DisclosureKind.SUMMARY,
    )


def test_disclosure_is_refused_without_consent_and_allowed_with_it(make_case) -> None:
    case = make_case(first_name="Amina", last_name="Beispiel")
    with pytest.raises(DisclosureRefused) as refused:
        _disclose(case)
    assert "Jobcenter Siegen-Wittgenstein" in str(refused.value.message_dict["recipient"])
    assert not Disclosure.objects.filter(case=case).exists()
    refusal = _events(case, EventType.DISCLOSURE_REFUSED).get()
    assert refusal.extra["reason"] == "no_consent"
    assert refusal.extra["recipient"] == _jobcenter().code

    consent = _consent(case)
    disclosure = _disclose(case)  # same call, now with consent

    assert disclosure.consent == consent and disclosure.kind == DisclosureKind.SUMMARY
    event = _events(case, EventType.DISCLOSURE).get()
    assert event.extra == {
        "recipient": _jobcenter().code,
        "categories": [MASTER],
        "legal_basis": "Einwilligung, § 67b Abs. 2 SGB X",
        "kind": "summary",
        "consent": consent.code,
    }
    assert "Amina" not in str(event.extra) and "Beispiel" not in str(event.extra)
    assert event.organisation_id == case.organisation_id
    assert _events(case, EventType.DISCLOSURE_REFUSED).count() == 1


def test_revocation_takes_effect_at_once(make_case) -> None:
    case = make_case()
    consent = _consent(case)
    assert active_consent_for(case.person, _jobcenter(), [MASTER]) == consent
    _disclose(case)

    revoke_consent(consent, acting_user=_user())

    assert active_consent_for(case.person, _jobcenter(), [MASTER]) is None
    with pytest.raises(DisclosureRefused) as refused:
        _disclose(case)
    assert "wurde am" in str(refused.value) and "widerrufen" in str(refused.value)
    assert Disclosure.objects.filter(case=case).count() == 1
    refusal = _events(case, EventType.DISCLOSURE_REFUSED).get()
    assert refusal.extra["reason"] == "revoked"
    revoked = AuditEvent.objects.get(
        event_type=EventType.CONSENT_REVOKED, subject_code=consent.code
    )
    assert revoked.extra == {"recipient": _jobcenter().code, "categories": [MASTER, PLAN]}
    with pytest.raises(ValidationError):
        revoke_consent(consent, acting_user=_user())


def test_expired_consent_is_refused_with_its_date(make_case) -> None:
    case = make_case()
    today = dt.date.today()
    _consent(case, given_on=today - dt.timedelta(days=60), valid_until=today - dt.timedelta(days=1))
    with pytest.raises(DisclosureRefused) as refused:
        _disclose(case)
    yesterday = (today - dt.timedelta(days=1)).strftime("%d.%m.%Y")
    assert yesterday in str(refused.value)
    assert _events(case, EventType.DISCLOSURE_REFUSED).get().extra["reason"] == "expired"


def test_consent_validity_follows_the_clock(make_case) -> None:
    case = make_case()
    today = dt.date.today()
    _consent(case, given_on=today, valid_until=today + dt.timedelta(days=30))
    assert active_consent_for(case.person, _jobcenter(), [PLAN]) is not None
    with time_machine.travel(today + dt.timedelta(days=31), tick=False):
        assert active_consent_for(case.person, _jobcenter(), [PLAN]) is None
        with pytest.raises(DisclosureRefused):
            _disclose(case, [PLAN])
    assert not Disclosure.objects.filter(case=case).exists()


def test_category_not_covered_is_refused_naming_it(make_case) -> None:
    case = make_case()
    _consent(case, categories=[MASTER, PLAN])
    with pytest.raises(DisclosureRefused) as refused:
        _disclose(case, [MASTER, HEALTH])
    assert "umfasst diese Datenkategorien nicht" in str(refused.value)
    event = _events(case, EventType.DISCLOSURE_REFUSED).get()
    assert event.extra["reason"] == "categories_missing"
    assert event.extra["missing"] == [HEALTH]
    assert not Disclosure.objects.filter(case=case).exists()


def test_consent_for_another_recipient_does_not_count(make_case) -> None:
    case = make_case()
    _consent(case, recipient=Organisation.objects.get(short_name="ABH Kreis"))
    with pytest.raises(DisclosureRefused):
        _disclose(case)


def test_record_consent_validates_and_audits(make_case) -> None:
    case = make_case()
    today = dt.date.today()
    with pytest.raises(ValidationError) as error:
        _consent(case, categories=[])
    assert "categories" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _consent(case, given_on=today, valid_until=today - dt.timedelta(days=1))
    assert "valid_until" in error.value.message_dict
    consent = _consent(case)
    with pytest.raises(ValidationError):  # the same recipient, purpose and categories again
        _consent(case)
    _consent(case, purpose="Anerkennung des Berufsabschlusses")  # another purpose is fine
    event = AuditEvent.objects.get(event_type=EventType.CONSENT_RECORDED, subject_code=consent.code)
    assert event.extra["recipient"] == _jobcenter().code
    assert event.extra["categories"] == [MASTER, PLAN]


def test_closed_case_discloses_nothing(make_case) -> None:
    case = make_case()
    _consent(case)
    case.phase = "closed"
    with pytest.raises(DisclosureRefused) as refused:
        _disclose(case)
    assert "__all__" in refused.value.message_dict
    assert _events(case, EventType.DISCLOSURE_REFUSED).get().extra["reason"] == "case_closed"


# --------------------------------------------------------------------------------------------
# Views
# --------------------------------------------------------------------------------------------


def _post_consent(client: Client, case, **extra) -> object:
    data = {
        "recipient": _jobcenter().pk,
        "purpose": "Vermittlung",
        "categories": [MASTER, PLAN],
        "given_on": dt.date.today().strftime("%d.%m.%Y"),
        "form_language": "de",
        **extra,
    }
    return client.post(f"/fallmanagement/faelle/{case.code}/einwilligungen/neu/", data)


def test_consent_is_recorded_with_the_signed_form_and_downloaded(make_case, login_as) -> None:
    case = make_case()
    client = login_as("cm-siegen")
    assert client.get(f"/fallmanagement/faelle/{case.code}/einwilligungen/neu/").status_code == 200
    upload = SimpleUploadedFile("einwilligung.pdf", PDF, content_type="application/pdf")
    response = _post_consent(client, case, signed_form=upload)
    assert response.status_code == 302
    assert response["Location"] == f"/fallmanagement/faelle/{case.code}/"
    consent = Consent.objects.get(person=case.person)
    document = ConsentDocument.objects.get(consent=consent)
    url = (
        f"/fallmanagement/faelle/{case.code}/einwilligungen/{consent.code}/formulare/"
        f"{document.code}/"
    )
    assert login_as("cm-kreuztal").get(url).status_code == 404
    download = client.get(url)
    assert download.status_code == 200 and download.content == PDF
    read = AuditEvent.objects.get(
        event_type=EventType.CASE_DOCUMENT_READ, subject_code=document.code
    )
    assert read.extra == {"case": case.code, "kind": "consent_form"}


def test_consent_form_errors_are_shown_in_german(make_case, login_as) -> None:
    case = make_case()
    response = _post_consent(login_as("cm-siegen"), case, categories=[])
    assert response.status_code == 200
    assert not Consent.objects.filter(person=case.person).exists()
    assert "kern-fieldset--error" in response.content.decode()


def test_revoke_view_needs_confirmation(make_case, login_as) -> None:
    case = make_case()
    consent = _consent(case)
    url = f"/fallmanagement/faelle/{case.code}/einwilligungen/{consent.code}/widerruf/"
    assert login_as("cm-kreuztal").post(url, {"confirm": "on"}).status_code == 404
    assert login_as("teamlead-siegen").post(url, {"confirm": "on"}).status_code == 403
    client = login_as("cm-siegen")
    assert client.post(url, {}).status_code == 200
    consent.refresh_from_db()
    assert consent.revoked_at is None
    assert client.post(url, {"confirm": "on"}).status_code == 302
    consent.refresh_from_db()
    assert consent.revoked_at is not None


def _form_url(case, **params) -> str:
    from urllib.parse import urlencode

    query = urlencode(
        {
            "recipient": _jobcenter().code,
            "purpose": "Vermittlung in Arbeit",
            "categories": [MASTER, PLAN],
            "language": "en",
            **params,
        },
        doseq=True,
    )
    return f"/fallmanagement/faelle/{case.code}/einwilligungen/formular/?{query}"


def test_consent_form_prints_german_beside_the_translation(make_case, login_as) -> None:
    case = make_case(first_name="Amina", last_name="Beispiel")
    client = login_as("cm-siegen")
    chooser = client.get(f"/fallmanagement/faelle/{case.code}/einwilligungen/formular/")
    assert chooser.status_code == 200 and "<form" in chooser.content.decode()
    response = client.get(_form_url(case))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Einwilligung und Schweigepflichtentbindung" in page
    assert "Consent and release from confidentiality" in page
    assert "Amina Beispiel" in page and "Jobcenter Siegen-Wittgenstein" in page
    assert "auf Widerruf" in page and "Vermittlung in Arbeit" in page
    assert "{person}" not in page and "<script" not in page
    event = _events(case, EventType.CONSENT_FORM_PRINTED).get()
    assert event.extra == {
        "recipient": _jobcenter().code,
        "categories": [MASTER, PLAN],
        "language": "en",
        "format": "html",
    }


def test_consent_form_as_pdf(make_case, login_as) -> None:
    case = make_case()
    response = login_as("cm-siegen").get(_form_url(case, format="pdf", language="de"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_strangers_get_404_on_consent_urls(make_case, login_as) -> None:
    case = make_case()
    consent = _consent(case)
    client = login_as("cm-kreuztal")
    base = f"/fallmanagement/faelle/{case.code}"
    for url in (
        f"{base}/einwilligungen/neu/",
        f"{base}/einwilligungen/{consent.code}/widerruf/",
        _form_url(case),
        f"{base}/vermittlungen/neu/",
    ):
        assert client.get(url).status_code == 404, url
    assert login_as("cm-siegen").get(_form_url(case)).status_code == 200


def test_case_page_sections_with_bounded_queries(make_case, django_assert_max_num_queries) -> None:
    from django.template.loader import render_to_string

    from kim.accounts.access import load_user_context
    from kim.cases.access import get_case_for_user
    from kim.cases.actions.referrals import send_referral
    from kim.cases.queries.consent import consent_context

    case = make_case()
    ctx = load_user_context(_user())

    def _render() -> str:
        loaded = get_case_for_user(ctx, case.code)
        context = {"case": loaded, **consent_context(ctx, loaded)}
        return "".join(
            render_to_string(f"cases/{name}.html", context)
            for name in ("_consents", "_referrals", "_barriers")
        )

    with django_assert_max_num_queries(10):
        _render()
    recipients = Organisation.objects.filter(short_name__in=["Jobcenter", "ABH Kreis", "EBB Kreis"])
    for recipient in recipients:
        _consent(case, recipient=recipient)
        send_referral(
            case,
            acting_user=_user(),
            recipient=recipient,
            purpose="Vermittlung",
            categories=[MASTER],
            sent_on=dt.date.today(),
        )
    with django_assert_max_num_queries(10):
        page = _render()
    assert page.count('aria-labelledby="h-') == 3
    assert "Jobcenter Siegen-Wittgenstein" in page and "/widerruf/" in page
    assert "/vermittlungen/neu/" in page

    lead = load_user_context(_user("teamlead-siegen"))
    loaded = get_case_for_user(lead, case.code)
    lead_page = render_to_string(
        "cases/_referrals.html", {"case": loaded, **consent_context(lead, loaded)}
    )
    assert "/vermittlungen/neu/" not in lead_page


def test_case_page_includes_the_sections(make_case, login_as) -> None:
    case = make_case()
    _consent(case)
    page = login_as("cm-siegen").get(f"/fallmanagement/faelle/{case.code}/").content.decode()
    assert 'id="h-consents"' in page and 'id="h-referrals"' in page and 'id="h-barriers"' in page
