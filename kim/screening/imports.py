"""Reading an uploaded list (CSV, XLSX or the CLI's JSON) into PERSON dictionaries.

The column mapping is documented in ``docs/screening-import.md``; in short:

- one row per person; the header row names the columns, German or the CLI's English names,
  case, spaces, hyphens and umlauts do not matter ("Geburtsdatum", "birth_date");
- residence periods as numbered column groups ``Status 1``, ``Rechtsgrundlage 1``, ``von 1``,
  ``bis 1``, ``Status 2`` … (an unnumbered ``Status``/``von``/``bis`` is period 1);
- a ``Name`` column becomes the entry's label (encrypted, never evaluated, never in the CLI);
- dates as ``dd.mm.yyyy`` or ISO, booleans as ja/nein, x, 1/0 (empty = unknown), language
  levels A1 … C2 or "keine"; columns the mapping does not know are ignored and named.

The result is the CLI's PERSON shape (ISO dates), so an upload and ``kim screening check``
feed exactly the same dictionaries to ``kim.screening.input.parse_person``. Every error is an
``UploadError`` whose German message names the row and the column.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from kim.core.uploads import UnreadableUpload, check_json_depth, csv_rows, decode_text, xlsx_rows

MAX_BYTES = 20 * 1024 * 1024
MAX_PERSONS = 20_000
# Rows of a workbook, empty ones included (a sheet may declare a million of them).
MAX_XLSX_ROWS = 2 * MAX_PERSONS
FORMATS = ("csv", "xlsx", "json")

# Normalised header → CLI field. German first, then the CLI's own names (always accepted).
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "ref": ("aktenzeichen", "az", "referenz", "kennung"),
    "label": ("name", "bezeichnung", "label"),
    "birth_date": ("geburtsdatum",),
    "application_date": ("antragsdatum", "antrag_am"),
    "asylum_recognized": ("asyl_anerkannt", "schutz_anerkannt"),
    "school_years_de": ("schuljahre", "schuljahre_de", "schuljahre_in_deutschland"),
    "school_or_vocational_qualification": ("abschluss", "schul_oder_berufsabschluss"),
    "german_level": ("deutsch", "deutschniveau", "sprachniveau"),
    "oral_german_level": ("deutsch_muendlich", "muendliches_deutschniveau"),
    "knowledge_test": ("test", "wissenstest"),
    "fdgo_commitment": ("fdgo", "bekenntnis_fdgo", "fdgo_bekenntnis"),
    "livelihood": ("lebensunterhalt",),
    "receives_sgb2_or_sgb12": ("sgb_ii_xii", "bezug_sgb_ii_xii", "leistungen_sgb_ii_xii"),
    "in_education": ("in_ausbildung", "schule_ausbildung_studium"),
    "minor_child_in_household": ("minderjaehriges_kind", "minderjaehriges_kind_im_haushalt"),
    "school_age_children_attend_school": ("kinder_besuchen_schule",),
    "criminal_fine_daily_rates": ("tagessaetze", "geldstrafe_tagessaetze"),
    "identity_clarified": ("identitaet_geklaert",),
    "identity_deception": ("identitaetstaeuschung", "taeuschung_identitaet"),
    "full_time_months_last_24": ("vollzeit_monate", "vollzeit_monate_24"),
    "former_guest_or_contract_worker": ("gast_oder_vertragsarbeitnehmer", "gastarbeiter"),
    "special_integration_achievements": ("besondere_integrationsleistungen",),
    "illness_or_disability_exception": ("ausnahme_krankheit_behinderung", "krankheit_behinderung"),
}
PERIOD_ALIASES: dict[str, tuple[str, ...]] = {
    "status": ("status", "aufenthaltsstatus"),
    "section": ("section", "rechtsgrundlage", "paragraph"),
    "from": ("from", "von", "beginn"),
    "to": ("to", "bis", "ende"),
}

BOOL_FIELDS = frozenset(
    {
        "asylum_recognized",
        "school_or_vocational_qualification",
        "fdgo_commitment",
        "receives_sgb2_or_sgb12",
        "in_education",
        "minor_child_in_household",
        "school_age_children_attend_school",
        "identity_clarified",
        "identity_deception",
        "former_guest_or_contract_worker",
        "special_integration_achievements",
        "illness_or_disability_exception",
    }
)
INT_FIELDS = frozenset({"school_years_de", "criminal_fine_daily_rates", "full_time_months_last_24"})
DATE_FIELDS = frozenset({"birth_date", "application_date", "from", "to"})
LEVEL_FIELDS = frozenset({"german_level", "oral_german_level"})
TRUE = frozenset({"ja", "j", "x", "1", "true", "wahr", "yes", "y"})
FALSE = frozenset({"nein", "n", "0", "false", "falsch", "no", "-"})
NONE_WORDS = frozenset({"keine", "kein", "keiner", "none", "nein"})
# German spellings of the CLI's values (after normalisation).
VALUE_ALIASES: dict[str, dict[str, str]] = {
    "livelihood": {
        "gesichert": "secured",
        "ueberwiegend_gesichert": "mostly_secured",
        "nicht_gesichert": "not_secured",
    },
    "knowledge_test": {
        "lid": "leben_in_deutschland",
        "leben_in_deutschland": "leben_in_deutschland",
        "einbuergerungstest": "einbuergerungstest",
    },
    "status": {
        "ae": "aufenthaltserlaubnis",
        "ne": "niederlassungserlaubnis",
        "erlaubnis_zum_daueraufenthalt_eu": "daueraufenthalt_eu",
    },
}


class UploadError(ValueError):
    """The upload cannot be read; the German message names row and column where it can."""


@dataclass
class ParsedUpload:
    file_format: str
    persons: list[dict[str, Any]]
    labels: list[str | None]
    lines: list[int]  # the row of each person in the file (header = row 1; JSON: position)
    ignored_columns: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # CLI field → header in the file


def normalise(header: object) -> str:
    text = str(header or "").strip().lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("§", "")):
        text = text.replace(a, b)
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def _alias_table() -> dict[str, str]:
    table = {}
    for target, aliases in FIELD_ALIASES.items():
        for alias in (target, *aliases):
            table[alias] = target
    return table


ALIASES = _alias_table()
PERIOD_RE = re.compile(r"^([a-z]+)_?(\d{1,2})?$")


def column_key(header: object) -> tuple[str, int | None] | None:
    """("birth_date", None), ("from", 2) for "von 2", or None for an unknown column."""
    name = normalise(header)
    if name in ALIASES:
        return ALIASES[name], None
    match = PERIOD_RE.match(name)
    if match:
        for key, aliases in PERIOD_ALIASES.items():
            if match.group(1) in aliases:
                return key, int(match.group(2) or 1)
    return None


# --------------------------------------------------------------------------------------------
# Cell values
# --------------------------------------------------------------------------------------------


def _date(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    match = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            return dt.date(year, month, day).isoformat()
        return dt.date.fromisoformat(text).isoformat()
    except ValueError as exc:
        raise ValueError(_("not a date (dd.mm.yyyy or yyyy-mm-dd): %s") % text) from exc


def _bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ValueError(_("not yes or no (ja/nein, x, 1/0): %s") % text)


def _int(value: object) -> int:
    if isinstance(value, int | float) and not isinstance(value, bool) and value == int(value):
        return int(value)
    text = str(value).strip()
    if re.fullmatch(r"\d+", text):
        return int(text)
    raise ValueError(_("not a whole number: %s") % text)


def _choice(key: str, value: object) -> str:
    text = str(value).strip()
    if key in LEVEL_FIELDS:
        return "none" if text.lower() in NONE_WORDS else text.upper()
    if key == "section":
        return text.replace("§", "").strip().lower()
    name = normalise(text)
    if name in NONE_WORDS:
        return "none"
    return VALUE_ALIASES.get(key, {}).get(name, name)


def convert(key: str, value: object) -> Any:
    """A cell as the CLI expects it; raises ``ValueError`` with a German message."""
    if key in DATE_FIELDS:
        return _date(value)
    if key in BOOL_FIELDS:
        return _bool(value)
    if key in INT_FIELDS:
        return _int(value)
    if key in ("ref", "label"):
        return str(_int(value) if isinstance(value, float) else value).strip()
    return _choice(key, value)


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --------------------------------------------------------------------------------------------
# Tables (CSV, XLSX) → persons
# --------------------------------------------------------------------------------------------


@dataclass
class _Columns:
    keys: list[tuple[str, int | None] | None]
    headers: list[str]

    @classmethod
    def from_header(cls, header: Sequence[object]) -> _Columns:
        headers = [str(h or "").strip() for h in header]
        keys = [column_key(h) if h else None for h in headers]
        seen: dict[tuple[str, int | None], str] = {}
        for key, text in zip(keys, headers, strict=True):
            if key is None:
                continue
            if key in seen:
                raise UploadError(
                    _("Row 1: the columns “%(a)s” and “%(b)s” mean the same field.")
                    % {"a": seen[key], "b": text}
                )
            seen[key] = text
        if ("ref", None) not in seen:
            raise UploadError(
                _("Row 1: a column “Aktenzeichen” (or “ref”) with the file number is missing.")
            )
        return cls(keys, headers)

    @property
    def ignored(self) -> list[str]:
        return [h for k, h in zip(self.keys, self.headers, strict=True) if k is None and h]

    def mapping(self) -> dict[str, str]:
        return {
            (k[0] if k[1] is None else f"{k[0]}_{k[1]}"): h
            for k, h in zip(self.keys, self.headers, strict=True)
            if k is not None
        }


def _person_from_row(columns: _Columns, cells: Sequence[object], line: int) -> dict[str, Any]:
    person: dict[str, Any] = {}
    periods: dict[int, dict[str, Any]] = {}
    for key, header, value in zip(columns.keys, columns.headers, cells, strict=False):
        if key is None or _empty(value):
            continue
        try:
            converted = convert(key[0], value)
        except ValueError as exc:
            raise UploadError(
                _("Row %(line)s, column “%(column)s”: %(problem)s")
                % {"line": line, "column": header, "problem": exc}
            ) from exc
        if key[1] is None:
            person[key[0]] = converted
        else:
            periods.setdefault(key[1], {})[key[0]] = converted
    if periods:
        person["residence_periods"] = [periods[n] for n in sorted(periods)]
    return person


def _table_to_upload(rows: Iterator[Sequence[object]], file_format: str) -> ParsedUpload:
    header = next(rows, None)
    if header is None or all(_empty(c) for c in header):
        raise UploadError(_("The file is empty."))
    columns = _Columns.from_header(header)
    parsed = ParsedUpload(file_format, [], [], [], columns.ignored, columns.mapping())
    for line, cells in enumerate(rows, start=2):
        if all(_empty(c) for c in cells):
            continue
        if len(parsed.persons) >= MAX_PERSONS:
            raise UploadError(_("The list has more than %s persons.") % f"{MAX_PERSONS:,}")
        person = _person_from_row(columns, cells, line)
        if not person.get("ref"):
            raise UploadError(
                _("Row %(line)s, column “%(column)s”: the file number is missing.")
                % {"line": line, "column": columns.mapping()["ref"]}
            )
        parsed.labels.append(person.pop("label", None) or None)
        parsed.persons.append(person)
        parsed.lines.append(line)
    return parsed


def read_csv(data: bytes) -> ParsedUpload:
    """UTF-8 (with or without BOM) or Windows-1252; ``;``, ``,`` or tab, whichever the header
    line uses most."""
    text = decode_text(data)
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    return _table_to_upload(csv_rows(text, delimiter=delimiter), "csv")


def read_xlsx(data: bytes) -> ParsedUpload:
    """The first sheet of the workbook, streamed (constant memory for 20,000 rows); at most
    ``MAX_XLSX_ROWS`` rows, empty ones included, and ``MAX_COLUMNS`` columns."""
    return _table_to_upload(xlsx_rows(data, max_rows=MAX_XLSX_ROWS), "xlsx")


# --------------------------------------------------------------------------------------------
# JSON (the CLI's document)
# --------------------------------------------------------------------------------------------


def read_json(data: bytes) -> ParsedUpload:
    """``{"decision_date": …, "persons": [PERSON, …]}`` (or a bare list of persons). A person's
    optional ``label`` / ``name`` becomes the entry's label and is not evaluated."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UploadError(_("The file is not valid JSON: %s") % exc) from exc
    check_json_depth(text)  # before json.loads recurses into 100,000 brackets
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UploadError(_("The file is not valid JSON: %s") % exc) from exc
    persons = document.get("persons") if isinstance(document, dict) else document
    if not isinstance(persons, list):
        raise UploadError(_("The JSON file needs a list “persons”."))
    if len(persons) > MAX_PERSONS:
        raise UploadError(_("The list has more than %s persons.") % f"{MAX_PERSONS:,}")
    parsed = ParsedUpload("json", [], [], [])
    for index, raw in enumerate(persons, start=1):
        if not isinstance(raw, dict):
            raise UploadError(_("Person %s: not a JSON object.") % index)
        person = dict(raw)
        label = person.pop("label", None) or person.pop("name", None)
        parsed.labels.append(str(label) if label else None)
        parsed.persons.append(person)
        parsed.lines.append(index)
    return parsed


def detect_format(name: str, data: bytes) -> str:
    """By content first (ZIP → XLSX, ``{``/``[`` → JSON), else CSV; the name must agree."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in FORMATS:
        raise UploadError(_("Please upload a CSV, XLSX or JSON file."))
    if data.startswith(b"PK\x03\x04"):
        found = "xlsx"
    elif data.lstrip(b"\xef\xbb\xbf \r\n\t")[:1] in (b"{", b"["):
        found = "json"
    else:
        found = "csv"
    if found != extension:
        raise UploadError(
            _("The content of the file does not match its type .%(ext)s.") % {"ext": extension}
        )
    return found


def read_upload(name: str, data: bytes) -> ParsedUpload:
    """Read the bytes of an uploaded list; ``UploadError`` for anything unreadable."""
    if len(data) > MAX_BYTES:
        raise UploadError(_("The file is larger than 20 MB."))
    if not data.strip():
        raise UploadError(_("The file is empty."))
    readers = {"csv": read_csv, "xlsx": read_xlsx, "json": read_json}
    try:
        parsed = readers[detect_format(name, data)](data)
    except UnreadableUpload as exc:
        raise UploadError(str(exc)) from exc
    if not parsed.persons:
        raise UploadError(_("The list contains no persons."))
    return parsed


def column_for(parsed: ParsedUpload, message: str) -> str:
    """The file's column a parser message (“…, field “residence_periods[2].to”: …”) is
    about: a plain field, or the column of that residence period group; "" if unknown."""
    match = re.search(r"residence_periods\[(\d+)\](?:\.(\w+))?", message)
    if match:
        groups = sorted({int(k.rsplit("_", 1)[1]) for k in parsed.columns if k[-1].isdigit()})
        index = int(match.group(1))
        if match.group(2) and 0 < index <= len(groups):
            return parsed.columns.get(f"{match.group(2)}_{groups[index - 1]}", "")
        return ""
    for key in sorted(parsed.columns, key=len, reverse=True):
        if f"“{key}”" in message:
            return parsed.columns[key]
    return ""


def duplicate_refs(parsed: ParsedUpload) -> tuple[int, int] | None:
    """The rows of the first reference that occurs twice, or None."""
    seen: dict[str, int] = {}
    for person, line in zip(parsed.persons, parsed.lines, strict=True):
        ref = str(person.get("ref", "")).strip()
        if ref in seen:
            return seen[ref], line
        seen[ref] = line
    return None


def iter_chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
