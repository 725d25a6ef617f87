"""Population import: row-numbered German errors, all-or-nothing, one audit event."""

from __future__ import annotations

import io
import zipfile

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
        ("kaputt.xlsx", b"not a zip", "keine lesbare Excel-Arbeitsmappe (XLSX)"),
        # Bytes that are neither UTF-8 nor Windows-1252 (0x81 …) once raised
        # UnicodeDecodeError (HTTP 500); they are read as "�" now.
        ("liste.csv", b"ags;stichtag\n\x81\x8d\x8f\x90\x9d;x\n", "Zeile 1: Pflichtspalten fehlen"),
        # A cell over the csv module's 128 KB limit once raised csv.Error (HTTP 500).
        (
            "riesig.csv",
            b"ags;stichtag;einwohner;quelle\n05970004;" + b"1" * 200_000 + b";1;x\n",
            "Zeile 2: Eine Zelle ist länger als 131.072 Zeichen.",
        ),
        # A census dated in year 1 or 9999 is a typing mistake (kim.core.forms bounds).
        (
            "alt.csv",
            b"ags;stichtag;einwohner;quelle\n05970004;01.01.0001;1;IT.NRW\n",
            "Zeile 2: Stichtag 01.01.0001: Bitte ein Datum zwischen 01.01.1900 und 31.12.",
        ),
    ],
)
def test_unusable_files_get_a_clear_message(
    login_as, name: str, content: bytes, message: str
) -> None:
    imports = AuditEvent.objects.filter(event_type=EventType.POPULATION_IMPORTED)
    before = (PopulationFigure.objects.count(), imports.count())
    response = _upload(login_as("koordination"), name, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert (PopulationFigure.objects.count(), imports.count()) == before


def _xlsx_with_sheet(sheet_xml: bytes) -> bytes:
    wb = Workbook()
    wb.active.append(["ags"])  # type: ignore[union-attr]
    buffer = io.BytesIO()
    wb.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.namelist():
            data = source.read(member)
            target.writestr(member, sheet_xml if member == "xl/worksheets/sheet1.xml" else data)
    return out.getvalue()


def test_workbooks_are_read_within_bounds(login_as, monkeypatch: pytest.MonkeyPatch) -> None:
    """A sheet that claims Excel's last row stops at the cap (openpyxl would hand over a
    million empty rows); a zip bomb is refused before openpyxl opens it."""
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>ags</t></is></c></row>'
        b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>1</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    client = login_as("koordination")
    response = _upload(client, "lang.xlsx", _xlsx_with_sheet(sheet))
    assert "Die Arbeitsmappe hat mehr als 10.000 Zeilen." in response.content.decode()
    monkeypatch.setattr("kim.core.uploads.MAX_UNPACKED_BYTES", 1024 * 1024)
    bomb = _xlsx_with_sheet(sheet + b" " * 2 * 1024 * 1024)
    response = _upload(client, "bombe.xlsx", bomb)
    assert "entpackt mehr als 1 MB" in response.content.decode()


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
