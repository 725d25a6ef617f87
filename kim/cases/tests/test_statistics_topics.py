"""The measure ``referrals_by_topic`` (D-091): referrals sent in the period by the topics of
their service – once per topic, "ohne Angebot" without a service – suppressed like every other
count, on the page, in the exports, the API and the CLI. The tally is plain Python over ORM rows."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import Counter
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from kim.cases.actions.consent import record_consent
from kim.cases.actions.referrals import send_referral
from kim.cases.models import Case, DataCategory, Referral
from kim.cases.statistics.measures import StatisticsError
from kim.cases.statistics.queries import case_table, kreis_scope
from kim.core.rls import system_access
from kim.network.tests.factories_public import service
from kim.organisations.models import Organisation

pytestmark = pytest.mark.django_db

KREIS = "05970"
START, END = dt.date(2020, 1, 1), dt.date.today()
TODAY = dt.date.today()


def _tally() -> Counter[tuple[str]]:
    kreis = kreis_scope(KREIS).kreis
    counts: Counter[tuple[str]] = Counter()
    with system_access("test tally"):
        referrals = list(
            Referral.objects.select_related("case__organisation", "service").prefetch_related(
                "service__topics"
            )
        )
    for r in referrals:
        org = r.case.organisation
        if not (org.region_id == kreis.pk or org.pk == kreis.pk) or not START <= r.sent_on <= END:
            continue
        if r.service is None:
            counts[("no_service",)] += 1
            continue
        keys = {t.key for t in r.service.topics.all()} or {"unknown"}
        for key in keys:
            counts[(key,)] += 1
    return counts


@pytest.fixture
def referred(make_case: Any) -> list[Case]:
    """Five cases referred to a service on work and housing, one to a service on health only."""
    user = get_user_model().objects.get(username="cm-siegen")
    jobcenter = Organisation.objects.get(short_name="Jobcenter")
    both = service(provider=jobcenter, name="Arbeit und Wohnen", topics=("work", "housing"))
    health = service(provider=jobcenter, name="Gesundheit", topics=("health",))
    cases = []
    for i in range(6):
        case = make_case(last_name=f"Thema{i}")
        record_consent(
            case,
            acting_user=user,
            recipient=jobcenter,
            purpose="Vermittlung",
            categories=[DataCategory.MASTER_DATA],
            given_on=TODAY,
        )
        send_referral(
            case,
            acting_user=user,
            recipient=jobcenter,
            purpose="Vermittlung",
            categories=[DataCategory.MASTER_DATA],
            sent_on=TODAY,
            service=both if i < 5 else health,
        )
        cases.append(case)
    return cases


def test_counts_once_per_topic_and_without_service(referred: list[Case]) -> None:
    table = case_table(kreis_scope(KREIS), "referrals_by_topic", ("topic",), START, END, actor=None)
    expected = _tally()
    keys = table.axes[0].keys
    for (index,), entry in table.table.cells.items():
        assert entry.value == expected.get((keys[index],), 0), keys[index]
    assert table.table.total.value == sum(expected.values())
    assert expected[("work",)] >= 5 and expected[("housing",)] >= 5
    assert "no_service" in keys and "Ohne Angebot" in table.axes[0].labels
    # Suppression as everywhere: the one health referral is "< 3", never published.
    data = table.as_json()
    health = [c for c in data["cells"] if c["keys"]["topic"] == "health"]
    assert health and health[0]["suppressed"] and health[0]["value"] is None
    for item in [*data["cells"], *data["margins"], data["total"]]:
        assert (item["value"] is None) == item["suppressed"]
        assert item["value"] is None or not 0 < item["value"] < 3


def test_topic_is_required_and_only_for_this_measure() -> None:
    with pytest.raises(StatisticsError):
        case_table(kreis_scope(KREIS), "referrals_by_topic", ("town",), START, END, actor=None)
    with pytest.raises(StatisticsError):
        case_table(kreis_scope(KREIS), "referrals", ("topic",), START, END, actor=None)


def test_page_exports_api_and_cli(referred: list[Case], login_as: Any) -> None:
    client = login_as("koordination")
    params = {"measure": "referrals_by_topic", "by": "topic", "start": START, "end": END}
    page = client.get("/fallmanagement/statistik/", params)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Vermittlungen nach Thema" in html and "Ohne Angebot" in html
    assert 'id="case-stats"' in html
    csv = client.get("/fallmanagement/statistik/export.csv", params)
    assert csv.status_code == 200 and "Arbeit und Beruf" in csv.content.decode("utf-8-sig")
    xlsx = client.get("/fallmanagement/statistik/export.xlsx", params)
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    api_params = {
        "kreis": KREIS,
        "from": START.isoformat(),
        "to": END.isoformat(),
        "measure": "referrals_by_topic",
        "by": "topic",
    }
    api = client.get("/api/v1/statistics/cases/", api_params)
    assert api.status_code == 200, api.content
    table = case_table(kreis_scope(KREIS), "referrals_by_topic", ("topic",), START, END, actor=None)
    assert api.json() == table.as_json()
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "stats",
        "cases",
        "--kreis",
        KREIS,
        "--from",
        START.isoformat(),
        "--to",
        END.isoformat(),
        "--measure",
        "referrals_by_topic",
        "--by",
        "topic",
        stdout=out,
        stderr=err,
    )
    assert json.loads(out.getvalue()) == table.as_json()
