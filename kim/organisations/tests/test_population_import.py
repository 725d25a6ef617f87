"""Population import: row-numbered German errors, all-or-nothing, one audit event."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from kim.audit.models import AuditEvent, EventType
from kim.organisations.models import Organisation, PopulationFigure

pytestmark = pytest.mark.django_db

GOOD = (
    "ags;stichtag;einwohner;quelle\n"
    "05970004;31.12.2024;18.300;IT.NRW Tabelle 12411\n"
    "05970012;31.12.2024;6780;IT.NRW Tabelle 12411\n"
)
BAD = (
    "ags;stichtag;einwohner;quelle\n"
    "05970004;31.12.2024;18300;IT.NRW\n"
    "05970999;31.12.2024;100;IT.NRW\n"
    "05970012;2024-13-40;6780;IT.NRW\n"
    "05970016;31.12.2024;viele;\n"
)


def _url() -> str:
    return f"/organisationen/{Organisation.objects.get(ags='05970').code}/bevoelkerung/import/"


def _upload(client, name: str, content: bytes):  # type: ignore[no-untyped-def]
    return client.post(_url(), {"file": SimpleUploadedFile(name, content)})


def test_good_csv_is_imported_with_one_event(login_as) -> None:
    client = login_as("koordination")
    before = PopulationFigure.objects.count()
    response = _upload(client, "bevoelkerung.csv", GOOD.encode())
    assert response.status_code == 302
    assert PopulationFigure.objects.count() == before + 2
    assert (
        PopulationFigure.objects.get(kommune__ags="05970004", reference_date="2024-12-31").value
        == 18300
    )
    event = AuditEvent.objects.order_by("-id").first()
    assert event.event_type == EventType.POPULATION_IMPORTED
    assert event.extra["rows"] == 2 and event.extra["created"] == 2


def test_malformed_file_is_rejected_whole_with_row_numbers(login_as) -> None:
    client = login_as("koordination")
    before = (PopulationFigure.objects.count(), AuditEvent.objects.count())
    response = _upload(client, "bevoelkerung.csv", BAD.encode())
    assert response.status_code == 200
    body = response.content.decode()
    assert "Zeile 3: AGS 05970999 ist keine Kommune dieses Kreises." in body
    assert "Zeile 4" in body and "2024-13-40" in body
    assert "Zeile 5" in body and "viele" in body
    assert "Zeile 2" not in body  # the good row is not an error …
    # … but it is not stored either: all or nothing.
    assert (PopulationFigure.objects.count(), AuditEvent.objects.count()) == before


def test_xlsx_is_accepted(login_as) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["AGS", "Stichtag", "Einwohner", "Quelle", "Kategorie"])
    ws.append(["05970040", "31.12.2024", 19881, "WP-Artikel 407101383", "ausländisch"])
    buffer = io.BytesIO()
    wb.save(buffer)
    response = _upload(login_as("koordination"), "auslaender.xlsx", buffer.getvalue())
    assert response.status_code == 302
    assert PopulationFigure.objects.get(kommune__ags="05970040", category="foreign").value == 19881


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("liste.pdf", b"%PDF", "Bitte laden Sie eine CSV- oder XLSX-Datei hoch."),
        ("leer.csv", b"", "Datei ist leer."),
        ("nur-leerzeilen.csv", b"\n\n", "Die Datei ist leer."),
        ("spalten.csv", b"ags;wert\n05970004;1\n", "Zeile 1: Pflichtspalten fehlen"),
        ("kaputt.xlsx", b"not a zip", "keine lesbare XLSX-Datei"),
    ],
)
def test_unusable_files_get_a_clear_message(
    login_as, name: str, content: bytes, message: str
) -> None:
    response = _upload(login_as("koordination"), name, content)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_other_kreis_towns_are_not_accepted(login_as, stranger) -> None:
    # A coordinator of Siegen-Wittgenstein cannot set figures for Olpe through this import.
    response = _upload(
        login_as("koordination"),
        "x.csv",
        b"ags;stichtag;einwohner;quelle\n05966024;31.12.2024;24000;x\n",
    )
    assert "Zeile 2: AGS 05966024 ist keine Kommune dieses Kreises." in response.content.decode()
    # And the stranger cannot even reach this Kreis' import page.
    assert (
        stranger.post(_url(), {"file": SimpleUploadedFile("x.csv", GOOD.encode())}).status_code
        == 404
    )


def test_organisation_list_query_count(login_as, django_assert_max_num_queries) -> None:
    client = login_as("koordination")
    with django_assert_max_num_queries(8):
        client.get("/organisationen/")
    with django_assert_max_num_queries(8):
        client.get("/organisationen/", {"q": "Stadt", "kind": "kommune"})


def test_region_page_query_count(login_as, django_assert_max_num_queries) -> None:
    kreis = Organisation.objects.get(ags="05970")
    client = login_as("koordination")
    with django_assert_max_num_queries(12):
        client.get(f"/organisationen/{kreis.code}/")
