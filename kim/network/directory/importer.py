"""Reading an import file of the directory (CSV or XLSX, the export's columns): every row is
checked before anything is stored, and every problem is reported as "Zeile N: …" with the
file's own line number. A row with a code changes that entry – only if the importer may edit
it; a row without one creates an entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from itertools import islice

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kim.accounts.access import UserContext
from kim.core import languages
from kim.core.exports import is_formula_like
from kim.core.forms import DEFAULT_BOUNDS
from kim.core.uploads import UnreadableUpload
from kim.network import access
from kim.network.directory.actions import SERVICE_FIELDS, ImportRow, current_topics
from kim.network.directory.queries import HEADER, LIST_SEPARATOR, sphere_labels
from kim.network.models import Service, ServiceTopic
from kim.organisations.importers import read_table_rows
from kim.organisations.models import Organisation

MAX_ROWS = 2000
REQUIRED = ("Name", "Anbieter", "Themen", "Gültig ab", "Quelle")
_YES = {"ja", "j", "yes", "y", "x", "1", "wahr", "true"}
_NO = {"nein", "n", "no", "0", "falsch", "false"}


class DirectoryFileError(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def _parse_date(text: str) -> dt.date:
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            day = dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
        if DEFAULT_BOUNDS.contains(day):
            return day
        raise ValueError(text)
    raise ValueError(text)


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ";").split(";") if part.strip()]


class _Catalogues:
    """What the cells are checked against: the region's providers for this importer, its
    towns, the current topics, the legal spheres and the entries the importer may edit."""

    def __init__(self, ctx: UserContext, region: Organisation) -> None:
        self.ctx = ctx
        self.region = region
        providers = list(access.provider_choices(ctx, region))
        self.providers = {p.name.casefold(): p for p in providers} | {
            p.short_name.casefold(): p for p in providers if p.short_name
        }
        towns = list(access.town_choices(region))
        self.towns = {t.short_name.casefold(): t for t in towns if t.short_name} | {
            t.name.casefold(): t for t in towns
        }
        topics = current_topics()
        self.topics: dict[str, ServiceTopic] = {}
        for topic in topics:
            for key in (topic.key, topic.name, topic.name_en):
                self.topics[key.casefold()] = topic
        with translation.override("de"):
            german = sphere_labels()
        with translation.override("en"):
            english = sphere_labels()
        self.spheres: dict[str, str] = {}
        for value in german:
            for key in (value, german[value], english[value]):
                self.spheres[key.casefold()] = value
        self.entries = {
            s.code: s
            for s in access.services_for_user(ctx).filter(region=region).select_related("region")
        }


_TEXT_COLUMNS = (
    ("Beschreibung", "description", None),
    ("Adresse", "address", None),
    ("Öffnungszeiten", "opening_hours", None),
    ("Barrierefreiheit", "accessibility", None),
    ("Termin", "appointment", None),
    ("Telefon", "phone", 60),
    ("E-Mail", "email", 254),
    ("Website", "website", 200),
)


class _RowParser:
    """One row: each group of columns checked by one method; all problems collected."""

    def __init__(self, line: int, cell: Callable[[str], str], cat: _Catalogues) -> None:
        self.line, self.cell, self.cat = line, cell, cat
        self.errors: list[str] = []
        self.values: dict[str, object] = {}

    def fail(self, message: str) -> None:
        problem = {"line": self.line, "problem": message}
        self.errors.append(_("Line %(line)d: %(problem)s") % problem)

    def entry(self) -> Service | None:
        code = self.cell("Code")
        if not code:
            return None
        service = self.cat.entries.get(code)
        if service is None:
            self.fail(_("there is no entry with the code %(v)s in this Kreis.") % {"v": code})
        elif not access.can_edit_service(self.cat.ctx, service):
            self.fail(_("you may not change the entry %(v)s.") % {"v": code})
            return None
        return service

    def names(self) -> None:
        name, source = self.cell("Name"), self.cell("Quelle")
        if not name:
            self.fail(_("the name is missing."))
        if not source:
            self.fail(_("the source (Quelle) is missing."))
        self.values["name"], self.values["source"] = name[:200], source[:500]
        provider = self.cat.providers.get(self.cell("Anbieter").casefold())
        if provider is None:
            self.fail(
                _("%(v)s is not a provider you may name in this Kreis.")
                % {"v": self.cell("Anbieter") or "–"}
            )
        self.values["provider"] = provider

    def lookup[T](self, title: str, table: dict[str, T], message: str) -> list[T]:
        """The parts of a list cell ("a; b"), each looked up; unknown parts reported."""
        found: list[T] = []
        for part in _split(self.cell(title)):
            value = table.get(part.casefold())
            if value is None:
                self.fail(message % {"v": part})
            elif value not in found:
                found.append(value)
        return found

    def lists(self) -> tuple[list[ServiceTopic], list[Organisation]]:
        topics = self.lookup("Themen", self.cat.topics, _("unknown topic %(v)s."))
        if not _split(self.cell("Themen")):
            self.fail(_("at least one topic is needed."))
        self.values["legal_spheres"] = self.lookup(
            "Rechtskreise", self.cat.spheres, _("unknown legal sphere %(v)s.")
        )
        towns = self.lookup("Orte", self.cat.towns, _("%(v)s is not a town of this Kreis."))
        self.values["languages"] = self.lookup(
            "Sprachen", _LanguageTable(), _("unknown language %(v)s.")
        )
        return topics, towns

    def flags(self) -> None:
        flags = (("Stufenlos", "step_free", None), ("Öffentlich", "public", False))
        for title, key, empty in flags:
            text = self.cell(title).casefold()
            if text in _YES:
                self.values[key] = True
            elif text in _NO:
                self.values[key] = False
            elif not text:
                self.values[key] = empty
            else:
                self.fail(
                    _("%(title)s: write ja or nein, not %(v)s.")
                    % {"title": title, "v": self.cell(title)}
                )

    def date(self, title: str) -> dt.date | None:
        text = self.cell(title)
        if not text:
            return None
        try:
            return _parse_date(text)
        except ValueError:
            self.fail(
                _("%(title)s: %(v)s is not a plausible date (DD.MM.YYYY).")
                % {"title": title, "v": text}
            )
        return None

    def dates(self) -> dt.date | None:
        start, end = self.date("Gültig ab"), self.date("Gültig bis")
        if not self.cell("Gültig ab"):
            self.fail(_("the first day of validity (Gültig ab) is missing."))
        if start and end and end < start:
            self.fail(_("the end of validity cannot lie before its start."))
        self.values["valid_from"], self.values["valid_to"] = start, end
        # An empty "Bestätigt am": the maintainer sends current data, confirmed today.
        confirmed = self.date("Bestätigt am")
        if confirmed and confirmed > timezone.localdate():
            self.fail(_("Bestätigt am cannot lie in the future."))
        return confirmed or timezone.localdate()

    def texts(self) -> None:
        for title, key, limit in _TEXT_COLUMNS:
            self.values[key] = self.cell(title)[:limit] if limit else self.cell(title)
        for key, check in (("email", _check_email), ("website", _check_url)):
            if self.values[key] and not check(str(self.values[key])):
                self.fail(_("%(v)s is not a valid address.") % {"v": self.values[key]})


class _LanguageTable(dict[str, str]):
    """Language cells: codes or names in German, English or the language itself."""

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        return languages.normalise(key) or default


def _parse_row(
    line: int, cell: Callable[[str], str], cat: _Catalogues
) -> tuple[ImportRow | None, list[str]]:
    parser = _RowParser(line, cell, cat)
    service = parser.entry()
    parser.names()
    topics, towns = parser.lists()
    parser.flags()
    confirmed = parser.dates()
    parser.texts()
    if parser.errors:
        return None, parser.errors
    assert set(parser.values) <= set(SERVICE_FIELDS)
    return ImportRow(line, service, parser.values, topics, towns, confirmed), []


def _check_email(value: str) -> bool:
    from django.core.validators import validate_email

    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def _check_url(value: str) -> bool:
    from django.core.validators import URLValidator

    try:
        URLValidator()(value)
    except ValidationError:
        return False
    return True


def _read(name: str, data: bytes) -> list[tuple[int, list[str]]]:
    """The file's non-empty rows with their line numbers (blank lines keep their numbers)."""
    try:
        numbered = list(islice(enumerate(read_table_rows(name, data), start=1), MAX_ROWS + 2))
    except UnreadableUpload as exc:
        raise DirectoryFileError([str(exc)]) from exc
    rows = [(line, r) for line, r in numbered if any(c.strip() for c in r)]
    if not rows:
        raise DirectoryFileError([_("The file is empty.")])
    if len(rows) > MAX_ROWS + 1:
        raise DirectoryFileError([_("The file has more than %(n)d rows.") % {"n": MAX_ROWS}])
    return rows


def _header(titles: list[str]) -> dict[str, int]:
    header = {title.strip().casefold(): i for i, title in enumerate(titles)}
    missing = [t for t in REQUIRED if t.casefold() not in header]
    if missing:
        raise DirectoryFileError(
            [_("Line 1: required columns missing: %(cols)s") % {"cols": ", ".join(missing)}]
        )
    unknown = [t for t in titles if t.strip() and t.strip().casefold() not in _KNOWN]
    if unknown:
        raise DirectoryFileError(
            [_("Line 1: unknown columns: %(cols)s") % {"cols": ", ".join(unknown)}]
        )
    return header


def parse_directory_file(
    ctx: UserContext, region: Organisation, name: str, data: bytes
) -> list[ImportRow]:
    """Every row of the file, checked; ``DirectoryFileError`` lists all problems."""
    rows = _read(name, data)
    header = _header(rows[0][1])
    cat = _Catalogues(ctx, region)
    parsed: list[ImportRow] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for line, cells in rows[1:]:

        def cell(title: str, cells: list[str] = cells) -> str:
            index = header.get(title.casefold())
            return _unguard(cells[index]) if index is not None and index < len(cells) else ""

        row, row_errors = _parse_row(line, cell, cat)
        errors.extend(row_errors)
        code = cell("Code")
        if code and code in seen:
            errors.append(
                _("Line %(line)d: repeats the code of line %(first)d.")
                % {"line": line, "first": seen[code]}
            )
        seen.setdefault(code, line)
        if row is not None:
            parsed.append(row)
    if errors:
        raise DirectoryFileError(errors)
    if not parsed:
        raise DirectoryFileError([_("The file has no entries below its header.")])
    return parsed


_KNOWN = {title.casefold() for title in HEADER}


def _unguard(text: str) -> str:
    """A cell as the export wrote it: the CSV export's apostrophe before formula-like text
    (``kim.core.exports.csv_cell``) is taken off again, so a round trip keeps the text."""
    text = text.strip()
    if text.startswith("'") and is_formula_like(text[1:]):
        return text[1:]
    return text


def template_rows() -> tuple[tuple[str, ...], list[list[str]]]:
    """The import template: the header and one example row (a new entry)."""
    example = [
        "",
        "Beispiel: Migrationsberatung für Erwachsene",
        "Beratung zu Aufenthalt, Sprache und Arbeit",
        "",
        "Migrationsberatung" + LIST_SEPARATOR + "Sprache und Integrationskurse",
        "",
        "Siegen" + LIST_SEPARATOR + "Kreuztal",
        "Musterstraße 1, 57072 Siegen",
        "Mo–Do 9–12 Uhr",
        "Deutsch" + LIST_SEPARATOR + "Arabisch",
        "Aufzug vorhanden",
        "ja",
        "Telefonisch oder per E-Mail",
        "0271 000000",
        "beratung@example.org",
        "https://example.org",
        timezone.localdate().strftime("%d.%m.%Y"),
        "",
        "Website des Anbieters",
        "",
        "nein",
    ]
    return HEADER, [example]
