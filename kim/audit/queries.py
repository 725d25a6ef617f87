"""Filtering and exporting the audit trail for data-protection officers."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kim.audit.models import AuditEvent
from kim.core.exports import csv_cell

CSV_COLUMNS = (
    "time",
    "event_type",
    "actor",
    "organisation",
    "subject_type",
    "subject_code",
    "extra",
    "code",
    "hash",
)


@dataclass(frozen=True)
class AuditFilter:
    event_type: str = ""
    actor: str = ""
    subject_code: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def filter_events(qs: QuerySet[AuditEvent], f: AuditFilter) -> QuerySet[AuditEvent]:
    if f.event_type:
        qs = qs.filter(event_type=f.event_type)
    if f.actor:
        qs = qs.filter(actor_username__iexact=f.actor)
    if f.subject_code:
        qs = qs.filter(subject_code=f.subject_code)
    if f.date_from:
        qs = qs.filter(created_at__date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(created_at__date__lte=f.date_to)
    return qs.select_related("organisation").order_by("-id")


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_rows(events: Iterable[AuditEvent]) -> Iterator[str]:
    """Stream CSV lines (UTF-8 with BOM for spreadsheet programs)."""
    import json

    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff" + writer.writerow(CSV_COLUMNS)
    for e in events:
        # Usernames, organisation names and codes are text someone typed: keep them text.
        yield writer.writerow(
            csv_cell(value)
            for value in [
                e.created_at.isoformat(),
                e.event_type,
                e.actor_username,
                e.organisation.name if e.organisation else "",
                e.subject_type,
                e.subject_code,
                json.dumps(e.extra, ensure_ascii=False, sort_keys=True),
                e.code,
                e.hash,
            ]
        )


# Readable labels for the ``extra`` keys a data-protection officer meets most often.
EXTRA_LABELS = {
    "recipient": _("Recipient"),
    "categories": _("Data categories"),
    "legal_basis": _("Legal basis"),
    "kind": _("Kind"),
    "consent": _("Consent"),
    "reason": _("Reason"),
    "fields": _("Fields"),
    "via": _("Via"),
    "format": _("Format"),
}


@dataclass(frozen=True)
class ExtraRow:
    key: str
    label: str
    value: str


def describe_extra(extra: dict[str, object]) -> list[ExtraRow]:
    """The event's details as rows; organisation codes shown with the organisation's name
    (one query). Values stay what was recorded – field names and codes, never personal data."""
    from kim.organisations.models import Organisation

    codes = {v for v in extra.values() if isinstance(v, str) and len(v) == 16}
    names = dict(Organisation.objects.filter(code__in=codes).values_list("code", "name"))
    rows = []
    for key, value in extra.items():
        if isinstance(value, list | tuple):
            text = ", ".join(str(v) for v in value)
        elif isinstance(value, str) and value in names:
            text = f"{names[value]} ({value})"
        else:
            text = str(value)
        rows.append(ExtraRow(key=key, label=str(EXTRA_LABELS.get(key, key)), value=text))
    return rows
