"""The bounded readers of kim/core/uploads.py: nothing a user uploads makes a parser crash or
run away; each refusal is an UnreadableUpload with a German message."""

from __future__ import annotations

import io
import json
import time
import zipfile
from collections.abc import Iterator

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook

from kim.core.uploads import (
    ODT,
    UnreadableUpload,
    check_document,
    check_json_depth,
    check_zip,
    csv_rows,
    decode_text,
    xlsx_rows,
)


@pytest.fixture(autouse=True)
def _german() -> Iterator[None]:
    with translation.override("de"):
        yield


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,  # the probe's nested.json
        "[" * 100_000,  # never closed: json.loads would recurse all the same
        "[" * 21 + "]" * 21,
        '{"a": ' * 21 + "1" + "}" * 21,
        "[[]" * 25 + "]" * 25,  # pairs in between: deep only once they are removed
    ],
)
def test_json_nested_too_deep_is_refused(text: str) -> None:
    with pytest.raises(UnreadableUpload, match="mehr als 20 Ebenen tief verschachtelt"):
        check_json_depth(text)


@pytest.mark.parametrize(
    "text",
    [
        "[" * 20 + "]" * 20,
        '{"persons": [{"ref": "A", "residence_periods": [{"from": "2020-01-01"}]}]}',
        '["[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", "\\"]]]]"]',  # brackets inside strings do not count
        "[]" * 100_000,  # long, flat
        "{broken",  # broken JSON is json.loads' to report
    ],
)
def test_json_within_the_depth_passes(text: str) -> None:
    check_json_depth(text)


def test_json_depth_check_is_fast_on_20_mb() -> None:
    started = time.monotonic()
    with pytest.raises(UnreadableUpload):
        check_json_depth("[" * 10_000_000 + "]" * 10_000_000)
    check_json_depth(json.dumps([{"ref": str(i), "x": [1, 2]} for i in range(300_000)]))
    assert time.monotonic() - started < 10  # seconds, on a busy CI machine


def test_text_in_no_known_encoding_is_read_with_replacement_characters() -> None:
    assert decode_text("Größe".encode()) == "Größe"
    assert decode_text("Größe".encode("cp1252")) == "Größe"
    assert decode_text(b"\x81\x8d") == "\ufffd\ufffd"


def test_csv_errors_name_the_line() -> None:
    rows = csv_rows("a;b\n1;2\n3;" + "x" * 200_000 + "\n", delimiter=";")
    assert next(rows) == ["a", "b"] and next(rows) == ["1", "2"]
    with pytest.raises(UnreadableUpload, match=r"Zeile 3: Eine Zelle ist länger als 131\.072"):
        next(rows)


def test_zip_that_unpacks_too_large_is_refused_before_it_is_read() -> None:
    bomb = _zip({"xl/worksheets/sheet1.xml": b"\0" * 3 * 1024 * 1024})
    assert len(bomb) < 20_000
    with pytest.raises(UnreadableUpload, match="entpackt mehr als 2 MB"):
        check_zip(bomb, max_unpacked=2 * 1024 * 1024)
    check_zip(bomb, max_unpacked=4 * 1024 * 1024)
    with pytest.raises(UnreadableUpload, match="keine lesbare Excel-Arbeitsmappe"):
        check_zip(b"PK\x03\x04 kein Archiv")
    many = _zip({f"m{i}": b"" for i in range(1001)})
    with pytest.raises(UnreadableUpload, match="entpackt mehr als"):
        check_zip(many)


def _workbook(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _with_sheet(data: bytes, sheet_xml: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    members = {name: source.read(name) for name in source.namelist()}
    members["xl/worksheets/sheet1.xml"] = sheet_xml
    return _zip(members)


SHEET = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def test_xlsx_rows_are_capped_and_narrow() -> None:
    data = _workbook([["a", "b"], [1, 2], [], [3, 4]])
    assert list(xlsx_rows(data, max_rows=10)) == [("a", "b"), (1, 2), (None, None), (3, 4)]
    with pytest.raises(UnreadableUpload, match="mehr als 3 Zeilen"):
        list(xlsx_rows(data, max_rows=3))
    # A sheet that claims 16,384 columns and Excel's last row.
    wide = _with_sheet(
        data,
        SHEET
        + b'<dimension ref="A1:XFD1048576"/><sheetData>'
        + b'<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>'
        + b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>z</t></is></c></row>'
        + b"</sheetData></worksheet>",
    )
    rows = xlsx_rows(wide, max_rows=1000, max_columns=5)
    assert next(rows) == ("a", None, None, None, None)
    with pytest.raises(UnreadableUpload, match=r"mehr als 1\.000 Zeilen"):
        list(rows)


def test_a_broken_sheet_is_refused_while_it_is_read() -> None:
    broken = _with_sheet(_workbook([["a"]]), SHEET + b"<sheetData><row r='1'><c")
    with pytest.raises(UnreadableUpload, match="keine lesbare Excel-Arbeitsmappe"):
        list(xlsx_rows(broken, max_rows=10))


def test_odt_is_recognised_by_its_marker_alone() -> None:
    good = _zip({"mimetype": ODT.encode(), "content.xml": b"<x/>"})
    assert check_document(SimpleUploadedFile("brief.odt", good)).content_type == ODT
    # A "mimetype" member that unpacks to 5 MB is read no further than the marker's length.
    padded = _zip({"mimetype": ODT.encode() + b" " * 5_000_000})
    assert check_document(SimpleUploadedFile("brief.odt", padded)).content_type == ODT
