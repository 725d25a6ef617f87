"""The deadlines view and the talk log make the same number of queries with one row as with many.

A fresh Kreis (Olpe) with its own coordinator, towns and agencies, so that "one row" really is
one: the demo's rows of Siegen-Wittgenstein are not visible there. The many rows vary in what
the pages load per row (hosts, agencies, minutes, tasks; payments and reports of several
agreements with different parties), so that an N+1 in any of them shows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kim.accounts.actions import create_user, grant_role
from kim.core import uploads
from kim.organisations.actions import create_organisation
from kim.organisations.models import Organisation
from kim.partners import actions
from kim.partners.models import Agreement

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2025, 6, 1, 9, 0)
PDF_BYTES = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@dataclass
class Olpe:
    kreis: Organisation
    towns: list[Organisation]
    agencies: list[Organisation]
    coordinator: User
    client: Client


@pytest.fixture
def olpe(db: None) -> Olpe:
    bra = Organisation.objects.get(name="Bezirksregierung Arnsberg")
    kreis = create_organisation(
        acting_user=None, kind="kreis", name="Kreis Olpe", ags="05966", parent=bra
    )
    towns = [
        create_organisation(
            acting_user=None, kind="kommune", name=f"Stadt {name}", ags=ags, parent=kreis
        )
        for name, ags in (("Olpe", "05966024"), ("Attendorn", "05966004"))
    ]
    agencies = [
        create_organisation(
            acting_user=None, kind="traeger", name=f"Träger Olpe {n} e.V.", region=kreis
        )
        for n in range(1, 4)
    ]
    user = create_user(acting_user=None, username="koordination-olpe", password=None)
    grant_role(acting_user=None, user=user, organisation=kreis, role="kim_coordination")
    client = Client()
    client.force_login(user)
    return Olpe(kreis, towns, agencies, user, client)


def _queries(client: Client, url: str) -> tuple[int, Any]:
    """Queries of one request, and the page's context."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.context


# --- talk log ---------------------------------------------------------------------------------


def _talk(olpe: Olpe, number: int) -> None:
    host = olpe.kreis if number % 3 == 0 else olpe.towns[number % 2]
    talk = actions.record_talk(
        acting_user=olpe.coordinator,
        host=host,
        held_on=dt.date(2025, 1, 1) + dt.timedelta(days=number),
        format="video",
        topics=f"Gespräch {number}",
        traeger=olpe.agencies[: 1 + number % 3],
        baustein="B2" if number % 2 else "",
        outcome="agreement" if number % 2 else "open",
        outcome_summary="Einigung" if number % 2 else "",
    )
    if number % 2:
        checked = uploads.check_document(
            SimpleUploadedFile("protokoll.pdf", PDF_BYTES, content_type="application/pdf")
        )
        actions.attach_minutes(talk, acting_user=olpe.coordinator, checked=checked)
        actions.add_follow_up(
            talk,
            acting_user=olpe.coordinator,
            title=f"Aufgabe {number}",
            owner=olpe.coordinator,
            due=dt.date(2025, 7, 1),
        )


def test_talk_log_same_queries_for_one_and_many_talks(olpe: Olpe, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    _talk(olpe, 0)
    one, context = _queries(olpe.client, "/partner/gespraeche/")
    assert len(context["page"].object_list) == 1
    for number in range(1, 25):
        _talk(olpe, number)
    many, context = _queries(olpe.client, "/partner/gespraeche/")
    assert len(context["page"].object_list) == 25
    assert many == one
    # The filters do not add queries either.
    filtered, _body = _queries(
        olpe.client, f"/partner/gespraeche/?traeger={olpe.agencies[0].code}&year=2025"
    )
    assert filtered == one


def test_talk_log_is_paged_by_50_in_the_database(olpe: Olpe) -> None:
    for number in range(0, 55):
        actions.record_talk(
            acting_user=olpe.coordinator,
            host=olpe.kreis,
            held_on=dt.date(2025, 1, 1) + dt.timedelta(days=number),
            format="video",
            topics=f"Gespräch {number}",
            traeger=olpe.agencies[:1],
        )
    first, context = _queries(olpe.client, "/partner/gespraeche/")
    page = context["page"]
    assert (page.paginator.count, len(page.object_list)) == (55, 50)
    assert page.object_list[0].topics == "Gespräch 54"  # newest first
    second, context = _queries(olpe.client, "/partner/gespraeche/?year=2025&page=2")
    assert [t.topics for t in context["page"].object_list] == [
        f"Gespräch {n}" for n in range(4, -1, -1)
    ]
    assert second == first
    body = olpe.client.get("/partner/gespraeche/?year=2025").content.decode()
    assert "?year=2025&amp;page=2" in body  # the pager keeps the filters


# --- deadlines --------------------------------------------------------------------------------


def _agreement(olpe: Olpe, number: int, *, schedule: bool = True) -> Agreement:
    grantor, recipient, kind = [
        (olpe.kreis, olpe.towns[number % 2], "notice"),
        (olpe.towns[number % 2], olpe.agencies[number % 3], "contract"),
    ][number % 2]
    agreement = actions.create_agreement(
        acting_user=olpe.coordinator,
        grantor=grantor,
        recipient=recipient,
        kind=kind,
        title=f"Vereinbarung {number}",
        signed_on=dt.date(2024, 12, 1),
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 12, 31),
        amounts=[(2025, Decimal("57000.00"), Decimal(0))],
    )
    if schedule:
        for month in (5, 6, 7, 8):  # overdue, next 30, next 60, next 90 days
            actions.add_payment(
                agreement,
                acting_user=None,
                kind="payment",
                due_on=dt.date(2025, month, 15),
                amount=Decimal("100.00"),
            )
            actions.add_reporting_duty(
                agreement, acting_user=None, kind="interim", due_on=dt.date(2025, month, 20)
            )
    return agreement


def test_deadlines_same_queries_for_one_and_many_rows(olpe: Olpe) -> None:
    with time_machine.travel(TODAY, tick=False):
        first = _agreement(olpe, 0, schedule=False)
        actions.add_payment(
            first,
            acting_user=None,
            kind="call",
            due_on=dt.date(2025, 5, 1),
            amount=Decimal("100.00"),
        )
        one, context = _queries(olpe.client, "/partner/fristen/")
        assert sum(len(items) for _k, _l, items in context["deadlines"].groups) == 1
        for number in range(1, 12):
            _agreement(olpe, number)
        many, context = _queries(olpe.client, "/partner/fristen/")
    assert [len(items) for _k, _l, items in context["deadlines"].groups] == [23, 22, 22, 22]
    assert many == one


def test_deadline_groups_show_100_items_and_the_export_all(olpe: Olpe) -> None:
    agreement = _agreement(olpe, 0, schedule=False)
    for number in range(105):
        actions.add_reporting_duty(
            agreement,
            acting_user=olpe.coordinator,
            kind="interim",
            due_on=dt.date(2025, 1, 2) + dt.timedelta(days=number % 20),
        )
    with time_machine.travel(TODAY, tick=False):
        body = olpe.client.get("/partner/fristen/").content.decode()
        export = olpe.client.get("/partner/fristen/export.csv").content.decode("utf-8-sig")
    overdue = body.split('id="deadlines-overdue"')[1].split("</ul>")[0]
    assert overdue.count("<li>") == 100
    assert 'id="deadlines-overdue-more"' in body and "105" in body
    assert len(export.strip().splitlines()) == 1 + 105


def test_talk_log_counts_minutes_and_open_tasks_per_talk(olpe: Olpe, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    _talk(olpe, 0)  # no minutes, no task
    _talk(olpe, 1)  # minutes and one open task
    _count, context = _queries(olpe.client, "/partner/gespraeche/")
    counts = {t.topics: (t.minutes_count, t.open_tasks) for t in context["page"].object_list}
    assert counts == {"Gespräch 0": (0, 0), "Gespräch 1": (1, 1)}
