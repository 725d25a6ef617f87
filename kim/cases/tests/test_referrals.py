"""Referrals, case conferences, shared documents and case summaries: each a disclosure through
the one gate, atomically (no referral without consent), via the actions and via the UI."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from kim.audit.models import AuditEvent, EventType
from kim.cases.actions.consent import DisclosureRefused, record_consent
from kim.cases.actions.referrals import (
    record_conference,
    send_case_summary,
    send_referral,
    share_document,
    update_referral_status,
)
from kim.cases.documents import store_document
from kim.cases.models import (
    CaseConference,
    CaseDocument,
    DataCategory,
    Disclosure,
    DisclosureKind,
    Referral,
    ReferralStatus,
)
from kim.cases.queries.consent import summary_html
from kim.core.uploads import CheckedFile
from kim.organisations.models import Organisation
from tests.support import reauthenticated as _reauthenticated

pytestmark = pytest.mark.django_db

MASTER, PLAN, HEALTH = DataCategory.MASTER_DATA, DataCategory.PLAN, DataCategory.HEALTH
TODAY = dt.date.today()


def _user(name: str = "cm-siegen"):
    return get_user_model().objects.get(username=name)


def _org(short_name: str) -> Organisation:
    return Organisation.objects.get(short_name=short_name)


def _consent(case, short_name="Jobcenter", categories=(MASTER, PLAN)):
    return record_consent(
        case,
        acting_user=_user(),
        recipient=_org(short_name),
        purpose="Vermittlung",
        categories=list(categories),
        given_on=TODAY,
    )


def _refer(case, categories=(MASTER, PLAN)) -> Referral:
    return send_referral(
        case,
        acting_user=_user(),
        recipient=_org("Jobcenter"),
        purpose="Vermittlung in Arbeit",
        categories=list(categories),
        sent_on=TODAY,
        note="Termin vereinbart",
    )


def test_no_referral_without_consent(make_case) -> None:
    case = make_case()
    with pytest.raises(DisclosureRefused):
        _refer(case)
    assert not Referral.objects.filter(case=case).exists()
    assert not Disclosure.objects.filter(case=case).exists()
    refused = AuditEvent.objects.filter(
        event_type=EventType.DISCLOSURE_REFUSED, subject_code=case.code
    )
    assert refused.count() == 1

    consent = _consent(case)
    referral = _refer(case)

    assert referral.status == ReferralStatus.SENT and referral.note == "Termin vereinbart"
    disclosure = Disclosure.objects.get(case=case)
    assert disclosure.referral == referral and disclosure.kind == DisclosureKind.REFERRAL
    event = AuditEvent.objects.get(event_type=EventType.DISCLOSURE, subject_code=case.code)
    assert event.extra["kind"] == "referral" and event.extra["consent"] == consent.code


def test_referral_status_moves(make_case) -> None:
    case = make_case()
    _consent(case)
    referral = _refer(case)
    with pytest.raises(ValidationError):
        update_referral_status(
            referral, acting_user=_user(), status=ReferralStatus.COMPLETED, on=TODAY
        )
    update_referral_status(referral, acting_user=_user(), status=ReferralStatus.ACCEPTED, on=TODAY)
    update_referral_status(referral, acting_user=_user(), status=ReferralStatus.COMPLETED, on=TODAY)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.COMPLETED
    events = AuditEvent.objects.filter(
        event_type=EventType.REFERRAL_STATUS_CHANGED, subject_code=referral.code
    ).order_by("id")
    assert [e.extra["to"] for e in events] == ["accepted", "completed"]


def test_conference_is_refused_as_a_whole(make_case) -> None:
    case = make_case()
    _consent(case, "Jobcenter")
    participants = [_org("Jobcenter"), _org("ABH Kreis")]
    kwargs = {"held_on": TODAY, "participants": participants, "categories": [PLAN]}
    with pytest.raises(DisclosureRefused) as refused:
        record_conference(case, acting_user=_user(), summary="Abstimmung", **kwargs)
    assert "Ausländerbehörde Kreis Siegen-Wittgenstein" in str(refused.value)
    assert not CaseConference.objects.filter(case=case).exists()
    assert not Disclosure.objects.filter(case=case).exists()

    _consent(case, "ABH Kreis", categories=[PLAN])
    conference = record_conference(case, acting_user=_user(), summary="Abstimmung", **kwargs)

    assert set(conference.participants.all()) == set(participants)
    assert Disclosure.objects.filter(case=case, kind=DisclosureKind.CONFERENCE).count() == 2
    assert AuditEvent.objects.filter(
        event_type=EventType.CONFERENCE_RECORDED, subject_code=conference.code
    ).exists()


def _document(case) -> CaseDocument:
    data = b"%PDF-1.4\n%%EOF\n"
    checked = CheckedFile(
        "bescheid.pdf", "application/pdf", len(data), hashlib.sha256(data).hexdigest(), data
    )
    document = CaseDocument(case=case, doc_type="notice")
    store_document(document, checked, uploaded_by=_user())
    return document


def test_share_document_needs_the_documents_category(make_case) -> None:
    case = make_case()
    document = _document(case)
    _consent(case, categories=[MASTER])
    with pytest.raises(DisclosureRefused):
        share_document(case, acting_user=_user(), document=document, recipient=_org("Jobcenter"))
    _consent(case, categories=[DataCategory.DOCUMENTS])
    disclosure = share_document(
        case, acting_user=_user(), document=document, recipient=_org("Jobcenter")
    )
    assert disclosure.document == document and disclosure.categories == ["documents"]


def test_summary_contains_only_the_consented_categories(make_case) -> None:
    case = make_case(first_name="Amina", last_name="Beispiel", special_categories="Diabetes")
    html = summary_html(case, _org("Jobcenter"), [PLAN])
    assert "Amina" not in html and "Diabetes" not in html and case.person.number not in html
    html = summary_html(case, _org("Jobcenter"), [MASTER, HEALTH])
    assert "Amina Beispiel" in html and "Diabetes" in html

    _consent(case, categories=[PLAN])
    with pytest.raises(DisclosureRefused):
        send_case_summary(
            case, acting_user=_user(), recipient=_org("Jobcenter"), categories=[MASTER]
        )
    summary = send_case_summary(
        case, acting_user=_user(), recipient=_org("Jobcenter"), categories=[PLAN]
    )
    assert summary.pdf.startswith(b"%PDF")
    assert summary.disclosure.kind == DisclosureKind.SUMMARY


# --------------------------------------------------------------------------------------------
# Views
# --------------------------------------------------------------------------------------------


def _referral_data() -> dict[str, object]:
    return {
        "recipient": _org("Jobcenter").pk,
        "purpose": "Vermittlung in Arbeit",
        "categories": [MASTER, PLAN],
        "sent_on": TODAY.strftime("%d.%m.%Y"),
    }


def test_referral_via_the_ui_needs_consent_and_reauthentication(make_case, login_as) -> None:
    case = make_case()
    url = f"/fallmanagement/faelle/{case.code}/vermittlungen/neu/"
    # Without a recent password entry the POST is sent to re-authenticate first.
    response = login_as("cm-siegen").post(url, _referral_data())
    assert response.status_code == 302 and "reauthenticate" in response["Location"]
    client = _reauthenticated("cm-siegen")
    assert client.get(url).status_code == 200

    response = client.post(url, _referral_data())

    assert response.status_code == 200
    page = response.content.decode()
    assert "id_recipient_error" in page
    assert (
        "Es liegt keine Einwilligung der Person zur Weitergabe an Jobcenter Siegen-Wittgenstein vor."
        in page
    )
    assert not Referral.objects.filter(case=case).exists()
    assert (
        AuditEvent.objects.filter(
            event_type=EventType.DISCLOSURE_REFUSED, subject_code=case.code
        ).count()
        == 1
    )

    _consent(case)
    response = client.post(url, _referral_data())

    assert response.status_code == 302
    assert Referral.objects.filter(case=case).count() == 1
    assert Disclosure.objects.filter(case=case).count() == 1


def test_disclosure_posts_are_forbidden_for_team_lead_and_hidden_from_strangers(
    make_case,
) -> None:
    case = make_case()
    _consent(case)
    base = f"/fallmanagement/faelle/{case.code}"
    posts = {
        f"{base}/vermittlungen/neu/": _referral_data(),
        f"{base}/fallkonferenzen/neu/": {},
        f"{base}/weitergabe/dokument/": {},
        f"{base}/weitergabe/zusammenfassung/": {"recipient": _org("Jobcenter").pk},
    }
    lead, stranger = _reauthenticated("teamlead-siegen"), _reauthenticated("cm-kreuztal")
    for url, data in posts.items():
        assert lead.post(url, data).status_code == 403, url
        assert stranger.post(url, data).status_code == 404, url
    assert not Disclosure.objects.filter(case=case).exists()


def test_summary_download_is_the_disclosure(make_case) -> None:
    case = make_case()
    _consent(case)
    client = _reauthenticated("cm-siegen")
    response = client.post(
        f"/fallmanagement/faelle/{case.code}/weitergabe/zusammenfassung/",
        {"recipient": _org("Jobcenter").pk, "categories": [PLAN]},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert Disclosure.objects.get(case=case).kind == DisclosureKind.SUMMARY


def test_referral_status_view(make_case, login_as) -> None:
    case = make_case()
    _consent(case)
    referral = _refer(case)
    url = f"/fallmanagement/faelle/{case.code}/vermittlungen/{referral.code}/status/"
    data = {"status": "accepted", "on": TODAY.strftime("%d.%m.%Y")}
    assert login_as("cm-kreuztal").post(url, data).status_code == 404
    assert login_as("teamlead-siegen").post(url, data).status_code == 403
    assert login_as("cm-siegen").post(url, data).status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
