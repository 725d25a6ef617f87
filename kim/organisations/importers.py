"""Reading population files (CSV or XLSX) with row-numbered errors.

Columns (header row, German or English names, any order):

=============== =================================== ==========
column          meaning                             required
=============== =================================== ==========
``ags``         8-digit AGS of the municipality     yes
``stichtag``    reference date (31.12.2024 or ISO)  yes
``einwohner``   number of inhabitants               yes
``quelle``      source citation                     yes
``kategorie``   total / foreign / refugees          no (total)
=============== =================================== ==========
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from django.utils.translation import gettext as _

from kim.core.forms import DEFAULT_BOUNDS
from kim.core.uploads import UnreadableUpload, csv_rows, decode_text, xlsx_rows
from kim.organisations.models import Organisation, OrgKind, PopulationCategory

MAX_ROWS = 5000
# Rows read from a file at most, empty ones included; a longer file is refused.
MAX_FILE_ROWS = 2 * MAX_ROWS
MAX_COLUMNS = 50
HEADER_ALIASES = {
    "ags": "ags",
    "gemeindeschluessel": "ags",
    "gemeindeschlüssel": "ags",
    "stichtag": "reference_date",
    "reference_date": "reference_date",
    "datum": "reference_date",
    "einwohner": "value",
    "bevoelkerung": "value",
    "bevölkerung": "value",
    "population": "value",
    "value": "value",
    "quelle": "source",
    "source": "source",
    "kategorie": "category",
    "category": "category",
}
REQUIRED = ("ags", "reference_date", "value", "source")
# Column names as the documentation and the upload page name them.
COLUMN_TITLES = {
    "ags": "ags",
    "reference_date": "stichtag",
    "value": "einwohner",
    "source": "quelle",
}
CATEGORY_ALIASES = {
    "total": "total",
    "gesamt": "total",
    "insgesamt": "total",
    "foreign": "foreign",
    "ausländisch": "foreign",
    "auslaendisch": "foreign",
    "ausländer": "foreign",
    "refugees": "refugees",
    "geflüchtete": "refugees",
    "gefluechtete": "refugees",
}


@dataclass(frozen=True)
class PopulationRow:
    line: int
    kommune: Organisation
    reference_date: dt.date
    value: int
    source: str
    category: str


class PopulationFileError(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def read_table_rows(
    name: str, data: bytes, *, max_rows: int = MAX_FILE_ROWS, max_columns: int = MAX_COLUMNS
) -> Iterator[list[str]]:
    """The rows of a CSV (``;``, ``,`` or tab, UTF-8 with or without BOM) or XLSX file as text;
    ``UnreadableUpload`` for a file that cannot be read safely (see ``kim.core.uploads``: zip
    bombs, endless sheets, oversized cells). Also used by the payroll import (programmes)."""
    if name.lower().endswith(".xlsx"):
        for values in xlsx_rows(data, max_rows=max_rows, max_columns=max_columns):
            yield [_cell_text(v) for v in values]
        return
    text = decode_text(data)
    try:
        dialect = csv.Sniffer().sniff(text[:2048], delimiters=";,\t") if text.strip() else None
    except csv.Error:
        dialect = None  # one column, or no delimiter in the first lines: the default one
    yield from csv_rows(text, dialect=dialect or csv.excel)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _parse_date(text: str) -> dt.date:
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def _parse_int(text: str) -> int:
    cleaned = text.strip().replace(".", "").replace(" ", "").replace("\u202f", "")
    if not cleaned.isdigit():
        raise ValueError(text)
    return int(cleaned)


def _map_header(header: list[str]) -> dict[str, int]:
    mapping: dict[str, int] = {}
    for index, title in enumerate(header):
        key = HEADER_ALIASES.get(title.strip().lower())
        if key:
            mapping[key] = index
    missing = [c for c in REQUIRED if c not in mapping]
    if missing:
        raise PopulationFileError(
            [
                _("Line 1: required columns missing: %(cols)s")
                % {"cols": ", ".join(COLUMN_TITLES[c] for c in missing)}
            ]
        )
    return mapping


def _parse_row(
    line: int, cells: list[str], mapping: dict[str, int], towns: dict[str, Organisation]
) -> tuple[PopulationRow | None, list[str]]:
    def cell(key: str) -> str:
        index = mapping.get(key)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    errors: list[str] = []
    prefix = _("Line %(line)d") % {"line": line}
    kommune = towns.get(cell("ags"))
    if kommune is None:
        errors.append(
            _("%(p)s: AGS %(ags)s is not a municipality of this Kreis.")
            % {"p": prefix, "ags": cell("ags") or "–"}
        )
    reference_date = value = None
    try:
        reference_date = _parse_date(cell("reference_date"))
    except ValueError:
        errors.append(
            _("%(p)s: reference date %(v)s is not a date (DD.MM.YYYY).")
            % {"p": prefix, "v": cell("reference_date") or "–"}
        )
    else:
        if not DEFAULT_BOUNDS.contains(reference_date):  # a typing mistake, e.g. year 1
            errors.append(
                _("%(p)s: reference date %(v)s: %(problem)s")
                % {"p": prefix, "v": cell("reference_date"), "problem": DEFAULT_BOUNDS.message()}
            )
            reference_date = None
    try:
        value = _parse_int(cell("value"))
    except ValueError:
        errors.append(
            _("%(p)s: %(v)s is not a whole number of inhabitants.")
            % {"p": prefix, "v": cell("value") or "–"}
        )
    category = CATEGORY_ALIASES.get((cell("category") or "total").lower())
    if category is None:
        errors.append(
            _("%(p)s: unknown category %(v)s (allowed: %(allowed)s).")
            % {"p": prefix, "v": cell("category"), "allowed": ", ".join(PopulationCategory.values)}
        )
    if not cell("source"):
        errors.append(_("%(p)s: the source is missing.") % {"p": prefix})
    if errors or kommune is None or reference_date is None or value is None or category is None:
        return None, errors
    return PopulationRow(line, kommune, reference_date, value, cell("source")[:500], category), []


def parse_population_file(
    name: str, data: bytes, towns: Iterable[Organisation]
) -> list[PopulationRow]:
    """Return all rows, or raise ``PopulationFileError`` listing every bad row."""
    by_ags = {t.ags: t for t in towns if t.kind in (OrgKind.KOMMUNE, OrgKind.KREISFREIE_STADT)}
    try:
        numbered = list(islice(enumerate(read_table_rows(name, data), start=1), MAX_FILE_ROWS + 1))
    except UnreadableUpload as exc:
        raise PopulationFileError([str(exc)]) from exc
    if len(numbered) > MAX_FILE_ROWS:
        raise PopulationFileError([_("The file has more than %(n)d rows.") % {"n": MAX_ROWS}])
    # Keep the file's own line numbers in messages, even when blank lines are skipped.
    rows = [(line, r) for line, r in numbered if any(c.strip() for c in r)]
    if not rows:
        raise PopulationFileError([_("The file is empty.")])
    if len(rows) > MAX_ROWS + 1:
        raise PopulationFileError([_("The file has more than %(n)d rows.") % {"n": MAX_ROWS}])
    mapping = _map_header(rows[0][1])
    parsed: list[PopulationRow] = []
    errors: list[str] = []
    seen: dict[tuple[str, str, dt.date], int] = {}
    for line, cells in rows[1:]:
        row, row_errors = _parse_row(line, cells, mapping, by_ags)
        errors.extend(row_errors)
        if row is None:
            continue
        key = (row.kommune.ags, row.category, row.reference_date)
        if key in seen:
            errors.append(
                _("Line %(line)d: repeats line %(first)d (same AGS, category and date).")
                % {"line": line, "first": seen[key]}
            )
        seen[key] = line
        parsed.append(row)
    if errors:
        raise PopulationFileError(errors)
    return parsed
