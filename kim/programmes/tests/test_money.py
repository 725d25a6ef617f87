"""Grants and funding rates: recorded through actions, overlapping rates refused, UI form."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kim.audit.models import AuditEvent, EventType
from kim.organisations.models import Organisation
from kim.programmes import actions
from kim.programmes.models import FundingRate, Grant, PayTableEntry

pytestmark = pytest.mark.django_db


def test_reference_data_is_loaded_with_sources_and_flags() -> None:
    e9c = PayTableEntry.objects.get(group="E 9c", step=1, valid_from=dt.date(2025, 4, 1))
    assert e9c.amount == Decimal("3901.48") and e9c.source
    assert PayTableEntry.objects.filter(group="S 12", computed=True).exists()
    b2 = FundingRate.objects.get(baustein="B2", kind="per_vze", valid_from=dt.date(2023, 1, 1))
    assert b2.amount == Decimal("57000.00") and not b2.confirmed
    assert actions.load_reference_data(acting_user=None) == {
        "pay": 0,
        "steps": 0,
        "special": 0,
        "addon": 0,
        "rates": 0,
    }


def test_overlapping_rate_is_refused_and_a_later_one_accepted() -> None:
    kwargs = {
        "baustein": "B2",
        "kind": "per_vze",
        "amount": Decimal("58000"),
        "source": "Test",
        "confirmed": True,
    }
    with pytest.raises(ValidationError):
        actions.record_funding_rate(acting_user=None, valid_from=dt.date(2026, 1, 1), **kwargs)
    FundingRate.objects.filter(baustein="B2", kind="per_vze", valid_to__isnull=True).update(
        valid_to=dt.date(2026, 12, 31)
    )
    rate = actions.record_funding_rate(acting_user=None, valid_from=dt.date(2027, 1, 1), **kwargs)
    assert AuditEvent.objects.order_by("-id").first().subject_code == rate.code


def test_coordination_records_a_grant(login_as) -> None:
    kreis = Organisation.objects.get(ags="05970")
    url = f"/programm/{kreis.code}/bescheide/neu/"
    data = {
        "year": "2027",
        "baustein": "B2",
        "approved_vze": "14",
        "amount": "798.000",
        "notice_date": "15.12.2026",
        "period_start": "01.01.2027",
        "period_end": "31.12.2026",
        "file_reference": "36.2027",
    }
    client = login_as("koordination")
    response = client.post(url, data)
    assert response.status_code == 200 and 'id="id_period_end_error"' in response.content.decode()
    response = client.post(url, {**data, "period_end": "31.12.2027"})
    assert response.status_code == 302
    grant = Grant.objects.get(recipient=kreis, year=2027, baustein="B2")
    assert grant.amount == Decimal("798000") and grant.grantor.name == "Bezirksregierung Arnsberg"
    assert AuditEvent.objects.filter(
        event_type=EventType.GRANT_RECORDED, subject_code=grant.code
    ).exists()
    assert login_as("siegen").get(url).status_code == 403
