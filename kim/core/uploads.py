"""Checking uploads before anything parses them.

- Documents (PDF, DOCX, ODT): allowed types by content, not only by name, and size.
- Lists and tables (JSON, CSV, XLSX) that the importers read: bounded *before* the parser
  sees them, so that no file makes the parser crash or run away. A JSON document nested
  100,000 brackets deep exhausts Python's recursion (``RecursionError``); a 20 MB XLSX can
  unpack to gigabytes (a zip bomb) or declare a million rows or 16,384 columns that openpyxl
  pads with empty cells; a CSV cell over 128 KB, or bytes in no known encoding, stop the
  ``csv`` module. Each case is an ``UnreadableUpload`` with a German message that the
  importer shows next to the upload field.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
PDF = "application/pdf"
EXTENSIONS = {".pdf": PDF, ".docx": DOCX, ".odt": ODT}


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    size: int
    sha256: str
    data: bytes

    @classmethod
    def generated(cls, name: str, content_type: str, data: bytes) -> CheckedFile:
        """A file the platform wrote itself (a report's PDF, a list's XLSX): nothing to check,
        only size and hash to compute."""
        return cls(name, content_type, len(data), hashlib.sha256(data).hexdigest(), data)


def _sniff(data: bytes) -> str | None:
    """The real type from the bytes: PDF magic, or a ZIP with the markers of DOCX / ODT."""
    if data.startswith(b"%PDF-"):
        return PDF
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names:
                return DOCX
            if "mimetype" in names:
                # Read no more than the marker: the member could unpack to gigabytes.
                with archive.open("mimetype") as member:
                    if member.read(len(ODT) + 16).strip() == ODT.encode():
                        return ODT
    except zipfile.BadZipFile:
        return None
    return None


def check_document(upload: UploadedFile) -> CheckedFile:
    """Accept PDF, DOCX or ODT up to 10 MB whose content matches its name; else a German error."""
    name = (upload.name or "").rsplit("/", 1)[-1][:200]
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EXTENSIONS:
        raise ValidationError(_("Please upload a PDF, DOCX or ODT file."), code="type")
    if upload.size is None or upload.size > MAX_BYTES:
        raise ValidationError(_("The file is larger than 10 MB."), code="size")
    data = upload.read()
    if not data:
        raise ValidationError(_("The file is empty."), code="empty")
    if _sniff(data) != EXTENSIONS[extension]:
        raise ValidationError(
            _("The content of the file does not match its type %(ext)s.") % {"ext": extension},
            code="content",
        )
    return CheckedFile(
        name, EXTENSIONS[extension], len(data), hashlib.sha256(data).hexdigest(), data
    )


# --------------------------------------------------------------------------------------------
# Lists and tables: JSON, CSV, XLSX
# --------------------------------------------------------------------------------------------

MAX_JSON_DEPTH = 20  # the CLI's person documents are five levels deep
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # an XLSX of 20,000 rows unpacks to some 30 MB
MAX_ZIP_MEMBERS = 1000
MAX_COLUMNS = 200
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_INNERMOST_PAIR = re.compile(r"\[\]|\{\}")


class UnreadableUpload(ValueError):
    """The file cannot be read safely; the German message says why."""


def check_json_depth(text: str, limit: int = MAX_JSON_DEPTH) -> None:
    """Refuse a JSON text nested deeper than ``limit`` before ``json.loads`` recurses into it.

    Strings are removed first (their brackets do not count), then everything that is not a
    bracket. A run of more than ``limit`` opening brackets is too deep at once (closed or
    not: the parser recurses before it finds out); otherwise each pass removes the innermost
    pairs, so a document of at most ``limit`` levels is empty after ``limit`` passes. All of
    it runs in the regex engine (about a second for 20 MB). Brackets that do not pair up
    are left for ``json.loads`` to report.
    """
    brackets = _NOT_A_BRACKET.sub("", _JSON_STRING.sub("", text))
    run = re.compile(r"[\[{]{" + str(limit + 1) + "}")
    for _pass in range(limit + 1):
        if run.search(brackets):
            break
        reduced = _INNERMOST_PAIR.sub("", brackets)
        if reduced == brackets:
            return  # nothing left to pair: balanced within the limit, or broken JSON
        brackets = reduced
    raise UnreadableUpload(_("The JSON file is nested more than %(n)d levels deep.") % {"n": limit})


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252; bytes that are neither become "�"."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def csv_rows(text: str, **fmtparams: Any) -> Iterator[list[str]]:
    """``csv.reader`` whose errors (a cell over 128 KB, a stray quote …) are an
    ``UnreadableUpload`` naming the line."""
    reader = csv.reader(io.StringIO(text), **fmtparams)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            line = reader.line_num
            if "field larger than field limit" in str(exc):
                raise UnreadableUpload(
                    _("Line %(line)d: a cell is longer than %(n)s characters.")
                    % {"line": line, "n": f"{csv.field_size_limit():,}".replace(",", ".")}
                ) from exc
            raise UnreadableUpload(
                _("Line %(line)d cannot be read as CSV.") % {"line": line}
            ) from exc
        yield row


def check_zip(data: bytes, max_unpacked: int | None = None) -> None:
    """Refuse an archive that unpacks to more than ``max_unpacked`` bytes (default
    ``MAX_UNPACKED_BYTES``) or has too many members. The sizes the archive declares are a
    safe measure: Python's ``zipfile`` never unpacks more than a member declares."""
    max_unpacked = max_unpacked or MAX_UNPACKED_BYTES
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise UnreadableUpload(_("The file is not a readable Excel workbook (XLSX).")) from exc
    unpacked = sum(m.file_size for m in members)
    if len(members) > MAX_ZIP_MEMBERS or unpacked > max_unpacked:
        raise UnreadableUpload(
            _("The workbook unpacks to more than %(mb)d MB; please save a smaller one.")
            % {"mb": max_unpacked // (1024 * 1024)}
        )


def xlsx_rows(
    data: bytes, *, max_rows: int, max_columns: int = MAX_COLUMNS
) -> Iterator[tuple[Any, ...]]:
    """The rows of the first sheet (values only, at most ``max_columns`` cells each), read
    with openpyxl's streaming reader; an ``UnreadableUpload`` for a workbook that is broken,
    unpacks too large (``check_zip``) or has more than ``max_rows`` rows. Empty rows count
    too, and are counted while reading: openpyxl fills a gap up to row 1,048,576 with empty
    rows one by one, so such a sheet stops at the cap instead of at the millionth row."""
    from openpyxl import load_workbook

    check_zip(data)
    try:
        workbook = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise UnreadableUpload(_("The file is not a readable Excel workbook (XLSX).")) from exc
    try:
        sheet = workbook.worksheets[0]
        # The sheet's own dimension, but never wider than max_columns (a sheet may claim
        # 16,384 columns, and openpyxl pads every row to the width it is asked for).
        width = min(max_columns, sheet.max_column or max_columns)
        rows = sheet.iter_rows(values_only=True, max_col=width)
        for number, row in enumerate(_guarded(rows), start=1):
            if number > max_rows:
                raise UnreadableUpload(
                    _("The workbook has more than %(n)s rows.")
                    % {"n": f"{max_rows:,}".replace(",", ".")}
                )
            yield row
    finally:
        workbook.close()


def _guarded(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """openpyxl parses the sheet while it is iterated: a broken sheet fails here."""
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # as in xlsx_rows
            raise UnreadableUpload(_("The file is not a readable Excel workbook (XLSX).")) from exc
        yield row
