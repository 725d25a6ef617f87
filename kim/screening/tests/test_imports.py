"""Reading uploaded lists: CSV (UTF-8 / Windows-1252, ; or ,), XLSX and JSON into the CLI's
PERSON dictionaries; every bad value names its row and column."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest

from kim.screening.imports import (
    UploadError,
    column_for,
    column_key,
    duplicate_refs,
    read_upload,
)
from kim.screening.input import InputError, parse_person

HEADER = (
    "Aktenzeichen;Name;Geburtsdatum;Deutsch mündlich;Test;FDGO;Lebensunterhalt;"
    "Schuljahre;Status 1;Rechtsgrundlage 1;von 1;bis 1;Status 2;von 2;bis 2;Nationalität"
)
ROW = (
    "AZ-1;Testa Fiktiva;17.05.1990;a2;LiD;ja;überwiegend gesichert;"
    "3;Gestattung;;01.03.2016;31.05.2017;Duldung;2017-06-01;;syrisch"
)
EXPECTED = {
    "ref": "AZ-1",
    "birth_date": "1990-05-17",
    "oral_german_level": "A2",
    "knowledge_test": "leben_in_deutschland",
    "fdgo_commitment": True,
    "livelihood": "mostly_secured",
    "school_years_de": 3,
    "residence_periods": [
        {"status": "gestattung", "from": "2016-03-01", "to": "2017-05-31"},
        {"status": "duldung", "from": "2017-06-01"},
    ],
}


def test_csv_with_german_headers_becomes_cli_persons() -> None:
    parsed = read_upload("liste.csv", f"{HEADER}\n{ROW}\n;;;\n".encode())
    assert parsed.file_format == "csv"
    assert parsed.persons == [EXPECTED]
    assert parsed.labels == ["Testa Fiktiva"] and parsed.lines == [2]
    assert parsed.ignored_columns == ["Nationalität"]
    # The engine's parser accepts exactly this shape.
    facts = parse_person(parsed.persons[0], 1)
    assert facts.ref == "AZ-1" and facts.residence_periods is not None
    assert len(facts.residence_periods) == 2


def test_csv_windows_1252_with_commas_and_bom_free() -> None:
    text = "ref,name,birth_date,in_education,x_unused\r\nAZ-2,Jörg Müller,2001-02-03,x,\r\n"
    parsed = read_upload("liste.csv", text.encode("cp1252"))
    assert parsed.persons == [{"ref": "AZ-2", "birth_date": "2001-02-03", "in_education": True}]
    assert parsed.labels == ["Jörg Müller"]


def test_xlsx_first_sheet_with_typed_cells() -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(
        ["Aktenzeichen", "Geburtsdatum", "Tagessätze", "Status", "von", "Identität geklärt"]
    )
    sheet.append([4711, dt.datetime(1999, 1, 2), 0.0, "duldung", dt.date(2018, 1, 1), 1])
    sheet.append([None, None, None, None, None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = read_upload("liste.xlsx", buffer.getvalue())
    assert parsed.file_format == "xlsx"
    assert parsed.persons == [
        {
            "ref": "4711",
            "birth_date": "1999-01-02",
            "criminal_fine_daily_rates": 0,
            "identity_clarified": True,
            "residence_periods": [{"status": "duldung", "from": "2018-01-01"}],
        }
    ]


def test_json_is_the_cli_document_and_labels_are_split_off() -> None:
    document = {
        "decision_date": "2026-01-15",
        "persons": [{"ref": "A", "label": "Frau A"}, {"ref": "B", "german_level": "B1"}],
    }
    parsed = read_upload("liste.json", json.dumps(document).encode())
    assert parsed.persons == [{"ref": "A"}, {"ref": "B", "german_level": "B1"}]
    assert parsed.labels == ["Frau A", None] and parsed.lines == [1, 2]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("AZ-3;31.02.2001;ja", "Zeile 3, Spalte „Geburtsdatum“: kein Datum"),
        ("AZ-3;01.02.2001;vielleicht", "Zeile 3, Spalte „FDGO“: weder ja noch nein"),
        (";01.02.2001;ja", "Zeile 3, Spalte „Aktenzeichen“: Das Aktenzeichen fehlt."),
    ],
)
def test_bad_cells_name_row_and_column(row: str, expected: str) -> None:
    text = f"Aktenzeichen;Geburtsdatum;FDGO\nAZ-1;01.01.2000;nein\n{row}\n"
    with pytest.raises(UploadError) as caught:
        read_upload("liste.csv", text.encode())
    assert expected in str(caught.value)


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("liste.txt", b"ref\nA\n", "CSV-, XLSX- oder JSON-Datei"),
        ("liste.xlsx", b"ref\nA\n", "passt nicht zum Dateityp .xlsx"),
        ("liste.csv", b"", "Die Datei ist leer."),
        ("liste.csv", b"Name\nA\n", "Zeile 1: Es fehlt eine Spalte „Aktenzeichen“"),
        (
            "liste.csv",
            b"ref;az\nA;B\n",
            "Zeile 1: Die Spalten „ref“ und „az“ bedeuten dasselbe Feld.",
        ),
        ("liste.csv", b"ref\n", "Die Liste enthält keine Personen."),
        ("liste.json", b"{broken", "kein gültiges JSON"),
        ("liste.json", b'{"persons": {}}', "Liste „persons“"),
    ],
)
def test_unreadable_files(name: str, data: bytes, expected: str) -> None:
    with pytest.raises(UploadError) as caught:
        read_upload(name, data)
    assert expected in str(caught.value)


def test_parser_messages_are_mapped_back_to_the_file_column() -> None:
    text = "Aktenzeichen;Status 1;von 1;bis 1;Status 3;von 3;bis 3\nA;duldung;01.01.2020;;ae;01.01.2022;01.01.2021\n"
    parsed = read_upload("liste.csv", text.encode())
    with pytest.raises(InputError) as caught:
        parse_person(parsed.persons[0], 1)
    assert column_for(parsed, str(caught.value)) == "bis 3"
    assert column_for(parsed, "Person 1, field “ref”: is missing") == "Aktenzeichen"
    assert column_for(parsed, "nothing") == ""


def test_duplicate_references_and_column_keys() -> None:
    parsed = read_upload("liste.csv", b"az\nA\nB\nA\n")
    assert duplicate_refs(parsed) == (2, 4)
    assert column_key("Geburts-Datum") is None
    assert column_key("GEBURTSDATUM") == ("birth_date", None)
    assert column_key("Von 12") == ("from", 12)
    assert column_key("status_2") == ("status", 2)
