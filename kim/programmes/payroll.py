"""Actual personnel cost: reading payroll files, German months and amounts, plan vs actual.

Pure reading and computing – nothing here writes (the actions are in ``payroll_actions``).

Payroll file (decisions D-086), CSV (``;`` or ``,``, UTF-8 with or without BOM) or XLSX, a
header row, then one row per post, month and kind:

=============== ========================================================== ============
column          meaning                                                    required
=============== ========================================================== ============
``Stelle``      the post's code (as on the post page)                      one of both
``Pseudonym``   the staff member's pseudonym: the post held on the 15th    one of both
``Monat``       ``03.2025``, ``2025-03`` or a date in the month            yes
``Betrag``      employer cost in €, ``4.321,09`` or ``4321.09``            yes
``Art``         ``Personal`` (default) or ``Einrichtung`` (setup, one-off)  no
=============== ========================================================== ============
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import islice

from django.utils.translation import gettext as _

from kim.core.forms import DateBounds
from kim.core.uploads import UnreadableUpload
from kim.organisations.importers import read_table_rows
from kim.organisations.models import Organisation
from kim.programmes.models import (
    ActualCost,
    CostKind,
    Incumbency,
    Position,
    PositionStatus,
    StaffMember,
)

ZERO = Decimal(0)
MAX_ROWS = 5000
MAX_FILE_ROWS = 2 * MAX_ROWS
MAX_AMOUNT = Decimal("1000000")  # one post's employer cost in one month stays far below
# Payroll months: from 2000 (long before KIM) until the end of next year.
MONTH_BOUNDS = DateBounds(earliest=dt.date(2000, 1, 1), years_ahead=1)

HEADER_ALIASES = {
    "stelle": "post",
    "stellen-code": "post",
    "stellencode": "post",
    "code": "post",
    "post": "post",
    "pseudonym": "pseudonym",
    "monat": "month",
    "month": "month",
    "betrag": "amount",
    "betrag (€)": "amount",
    "betrag €": "amount",
    "amount": "amount",
    "art": "kind",
    "kind": "kind",
}
KIND_ALIASES = {
    "": CostKind.PERSONNEL,
    "personal": CostKind.PERSONNEL,
    "personalkosten": CostKind.PERSONNEL,
    "personnel": CostKind.PERSONNEL,
    "einrichtung": CostKind.SETUP,
    "arbeitsplatzausstattung": CostKind.SETUP,
    "ausstattung": CostKind.SETUP,
    "setup": CostKind.SETUP,
}
TEMPLATE_HEADER = ("Stelle", "Pseudonym", "Monat", "Betrag", "Art")


# --- months and amounts -------------------------------------------------------------------------


def parse_month(text: str) -> dt.date:
    """The first day of the month written as ``MM.JJJJ``, ``JJJJ-MM`` or a date
    (``TT.MM.JJJJ``, ``JJJJ-MM-TT``); ``ValueError`` otherwise."""
    text = text.strip()
    for fmt in ("%m.%Y", "%m/%Y", "%Y-%m", "%d.%m.%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(text, fmt).date().replace(day=1)
        except ValueError:
            continue
    raise ValueError(text)


def check_month(month: dt.date) -> None:
    """``ValueError`` with the German reason for a month outside the plausible range."""
    if not MONTH_BOUNDS.contains(month):
        raise ValueError(
            _("Please enter a month between %(earliest)s and %(latest)s.")
            % {
                "earliest": MONTH_BOUNDS.earliest.strftime("%m.%Y"),
                "latest": MONTH_BOUNDS.latest().strftime("%m.%Y"),
            }
        )


_THOUSANDS_DOT = re.compile(r"^\d{1,3}(\.\d{3})+$")


def parse_amount(text: str) -> Decimal:
    """A euro amount: ``4.321,09`` (German), ``4321,09``, ``4321.09`` or ``4.321``;
    ``ValueError`` for anything else, also for more than two decimal places."""
    cleaned = text.strip().replace("€", "").replace(" ", "").replace("\u202f", "")
    cleaned = cleaned.replace("\xa0", "")
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    elif _THOUSANDS_DOT.match(cleaned):
        cleaned = cleaned.replace(".", "")
    if not re.fullmatch(r"-?\d+(\.\d+)?", cleaned):
        raise ValueError(text)
    try:
        amount = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    if amount != amount.quantize(Decimal("0.01")):
        # A float from a spreadsheet (4321.0899999) is rounded to the cent, not refused.
        if len(cleaned.split(".")[1]) > 6:
            return amount.quantize(Decimal("0.01"))
        raise ValueError(text)
    return amount.quantize(Decimal("0.01"))


# --- the payroll file ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PayrollRow:
    line: int
    position: Position
    month: dt.date
    kind: str
    amount: Decimal
    staff: StaffMember | None


class PayrollFileError(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


class _Lookup:
    """Posts, staff and holders of the employer's Kreis, loaded once (three queries for any
    file, however long)."""

    def __init__(self, organisation: Organisation) -> None:
        region = organisation.region_id_or_self
        self.organisation = organisation
        posts = list(Position.objects.filter(region_id=region))
        self.posts = {p.code: p for p in posts}
        self.by_pk = {p.pk: p for p in posts}
        self.staff = {
            s.pseudonym.casefold(): s for s in StaffMember.objects.filter(region_id=region)
        }
        self.by_staff: dict[int, list[Incumbency]] = defaultdict(list)
        self.by_post: dict[int, list[Incumbency]] = defaultdict(list)
        for incumbency in Incumbency.objects.filter(position__region_id=region).select_related(
            "staff"
        ):
            self.by_staff[incumbency.staff_id].append(incumbency)
            self.by_post[incumbency.position_id].append(incumbency)

    def held(self, staff: StaffMember, month: dt.date) -> list[Position]:
        """The posts the staff member held on the 15th of the month."""
        day = month.replace(day=15)
        ids = {i.position_id for i in self.by_staff.get(staff.pk, []) if i.covers(day)}
        return [self.by_pk[pk] for pk in sorted(ids) if pk in self.by_pk]

    def holder(self, position: Position, month: dt.date) -> StaffMember | None:
        """The post's only holder on the 15th of the month (None: nobody or several)."""
        day = month.replace(day=15)
        holders = [i.staff for i in self.by_post.get(position.pk, []) if i.covers(day)]
        return holders[0] if len(holders) == 1 else None


def _map_header(header: list[str]) -> dict[str, int]:
    mapping: dict[str, int] = {}
    for index, title in enumerate(header):
        key = HEADER_ALIASES.get(title.strip().lower())
        if key and key not in mapping:
            mapping[key] = index
    missing = []
    if "post" not in mapping and "pseudonym" not in mapping:
        missing.append("Stelle " + _("or") + " Pseudonym")
    missing += [
        title for key, title in (("month", "Monat"), ("amount", "Betrag")) if key not in mapping
    ]
    if missing:
        raise PayrollFileError(
            [_("Line 1: required columns missing: %(cols)s") % {"cols": ", ".join(missing)}]
        )
    return mapping


def _parse_row(
    line: int, cells: list[str], mapping: dict[str, int], lookup: _Lookup
) -> tuple[PayrollRow | None, list[str]]:
    def cell(key: str) -> str:
        index = mapping.get(key)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    prefix = _("Line %(line)d") % {"line": line}
    errors: list[str] = []
    month: dt.date | None = None
    try:
        month = parse_month(cell("month"))
        check_month(month)
    except ValueError as exc:
        if month is None:
            errors.append(
                _("%(p)s: month %(v)s is not a month (MM.YYYY or YYYY-MM).")
                % {"p": prefix, "v": cell("month") or "–"}
            )
        else:
            errors.append(f"{prefix}: {exc}")
            month = None
    amount: Decimal | None = None
    try:
        amount = parse_amount(cell("amount"))
    except ValueError:
        errors.append(
            _("%(p)s: amount %(v)s is not an amount in euros (e.g. 4.321,09).")
            % {"p": prefix, "v": cell("amount") or "–"}
        )
    else:
        if amount < 0:
            errors.append(_("%(p)s: the amount must not be negative.") % {"p": prefix})
            amount = None
        elif amount >= MAX_AMOUNT:
            errors.append(
                _("%(p)s: %(v)s € is not a plausible monthly cost of one post.")
                % {"p": prefix, "v": cell("amount")}
            )
            amount = None
    kind = KIND_ALIASES.get(cell("kind").lower())
    if kind is None:
        errors.append(
            _("%(p)s: unknown kind %(v)s (allowed: Personal, Einrichtung).")
            % {"p": prefix, "v": cell("kind")}
        )
    position, staff = _post_of(prefix, cell("post"), cell("pseudonym"), month, lookup, errors)
    if errors or position is None or month is None or amount is None or kind is None:
        return None, errors
    return PayrollRow(line, position, month, kind, amount, staff), []


def _post_of(
    prefix: str,
    code: str,
    pseudonym: str,
    month: dt.date | None,
    lookup: _Lookup,
    errors: list[str],
) -> tuple[Position | None, StaffMember | None]:
    """The row's post: by its code, else the post the staff member held in the month."""
    organisation = lookup.organisation
    staff = lookup.staff.get(pseudonym.casefold()) if pseudonym else None
    if pseudonym and staff is None:
        errors.append(
            _("%(p)s: no staff member with the pseudonym %(v)s.") % {"p": prefix, "v": pseudonym}
        )
        return None, None
    if code:
        position = lookup.posts.get(code)
        if position is None:
            errors.append(_("%(p)s: unknown post %(v)s.") % {"p": prefix, "v": code})
            return None, None
    elif staff is not None:
        if month is None:
            return None, staff  # the month's own error is reported already
        held = [p for p in lookup.held(staff, month) if p.home_id == organisation.pk]
        if not held:
            errors.append(
                _("%(p)s: %(v)s held no post of %(org)s in %(month)s.")
                % {
                    "p": prefix,
                    "v": staff.pseudonym,
                    "org": organisation.name,
                    "month": month.strftime("%m.%Y"),
                }
            )
            return None, staff
        if len(held) > 1:
            errors.append(
                _("%(p)s: %(v)s held several posts in %(month)s; please give the post's code.")
                % {"p": prefix, "v": staff.pseudonym, "month": month.strftime("%m.%Y")}
            )
            return None, staff
        position = held[0]
    else:
        errors.append(_("%(p)s: neither a post nor a pseudonym is given.") % {"p": prefix})
        return None, None
    if position.home_id != organisation.pk:
        errors.append(
            _("%(p)s: the post %(v)s is not hosted by %(org)s.")
            % {"p": prefix, "v": position.code, "org": organisation.name}
        )
        return None, None
    if staff is None and month is not None:
        staff = lookup.holder(position, month)
    return position, staff


def parse_payroll_file(name: str, data: bytes, organisation: Organisation) -> list[PayrollRow]:
    """All rows of the file, or ``PayrollFileError`` naming every bad row ("Zeile N: …")."""
    try:
        numbered = list(islice(enumerate(read_table_rows(name, data), start=1), MAX_FILE_ROWS + 1))
    except UnreadableUpload as exc:
        raise PayrollFileError([str(exc)]) from exc
    if len(numbered) > MAX_FILE_ROWS:
        raise PayrollFileError([_("The file has more than %(n)d rows.") % {"n": MAX_ROWS}])
    rows = [(line, r) for line, r in numbered if any(c.strip() for c in r)]
    if not rows:
        raise PayrollFileError([_("The file is empty.")])
    if len(rows) > MAX_ROWS + 1:
        raise PayrollFileError([_("The file has more than %(n)d rows.") % {"n": MAX_ROWS}])
    mapping = _map_header(rows[0][1])
    if len(rows) == 1:
        raise PayrollFileError([_("The file holds no rows below the header.")])
    lookup = _Lookup(organisation)
    parsed: list[PayrollRow] = []
    errors: list[str] = []
    seen: dict[tuple[int, dt.date, str], int] = {}
    for line, cells in rows[1:]:
        row, row_errors = _parse_row(line, cells, mapping, lookup)
        errors.extend(row_errors)
        if row is None:
            continue
        key = (row.position.pk, row.month, row.kind)
        if key in seen:
            errors.append(
                _("Line %(line)d: repeats line %(first)d (same post, month and kind).")
                % {"line": line, "first": seen[key]}
            )
        seen[key] = line
        parsed.append(row)
    if errors:
        raise PayrollFileError(errors)
    return parsed


# --- plan and actual --------------------------------------------------------------------------


def month_states(position: Position, year: int) -> tuple[list[int], list[int]]:
    """Months of ``year`` in which the post was filled, and those in which it was established
    but vacant – each by its status on the 15th (the rule of ``kim.proofs.statement``)."""
    established = {
        PositionStatus.APPROVED,
        PositionStatus.ADVERTISED,
        PositionStatus.VACANT,
    }
    filled, vacant = [], []
    for number in range(1, 13):
        status = position.status_on(dt.date(year, number, 15))
        if status == PositionStatus.FILLED:
            filled.append(number)
        elif status in established:
            vacant.append(number)
    return filled, vacant


@dataclass(frozen=True)
class PlanActualYear:
    year: int
    forecast: Decimal | None  # employer cost forecast (None: no pay group)
    actual: Decimal  # personnel cost recorded
    setup: Decimal  # setup cost recorded
    months_filled: int
    months_vacant: int
    months_recorded: int

    @property
    def difference(self) -> Decimal | None:
        return None if self.forecast is None else self.actual - self.forecast


def first_year(position: Position) -> int | None:
    """The year of the post's first status (its history starts there)."""
    changes = list(position.status_changes.all())
    return changes[0].valid_from.year if changes else None


def plan_actual(
    position: Position, costs: list[ActualCost], years: range, forecast: dict[int, Decimal]
) -> list[PlanActualYear]:
    """Per year: forecast employer cost vs. the actual cost recorded, and the months."""
    actual: dict[int, Decimal] = defaultdict(lambda: ZERO)
    setup: dict[int, Decimal] = defaultdict(lambda: ZERO)
    recorded: dict[int, set[int]] = defaultdict(set)
    for cost in costs:
        if cost.kind == CostKind.SETUP:
            setup[cost.month.year] += cost.amount
        else:
            actual[cost.month.year] += cost.amount
            recorded[cost.month.year].add(cost.month.month)
    rows = []
    for year in years:
        filled, vacant = month_states(position, year)
        rows.append(
            PlanActualYear(
                year=year,
                forecast=forecast.get(year),
                actual=actual[year],
                setup=setup[year],
                months_filled=len(filled),
                months_vacant=len(vacant),
                months_recorded=len(recorded[year]),
            )
        )
    return rows
