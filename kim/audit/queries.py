"""Filtering and exporting the audit trail for data-protection officers."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from kim.audit.models import AuditEvent, EventType
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


@dataclass(frozen=True)
class DpoCounts:
    """The data-protection officer's start page: events of the last seven days and failed
    logins among them; refused disclosures and Art. 15 exports from ``month_start`` to
    ``today`` – counted as ``filter_events`` filters the trail for the same event type and
    dates, so each number is the length of the list behind its link."""

    week_total: int
    week_failed_logins: int
    refused: int
    exports: int
    month_start: dt.date
    today: dt.date


def dpo_counts(events: QuerySet[AuditEvent], today: dt.date, since: dt.datetime) -> DpoCounts:
    """One query over the (reader-scoped) ``events``."""
    month_start = today.replace(day=1)
    month = Q(created_at__date__gte=month_start, created_at__date__lte=today)
    week = Q(created_at__gte=since)
    counts = events.filter(week | month).aggregate(
        week_total=Count("pk", filter=week),
        week_failed=Count("pk", filter=week & Q(event_type=EventType.LOGIN_FAILED)),
        refused=Count("pk", filter=month & Q(event_type=EventType.DISCLOSURE_REFUSED)),
        exports=Count("pk", filter=month & Q(event_type=EventType.CASE_EXPORTED)),
    )
    return DpoCounts(
        week_total=counts["week_total"],
        week_failed_logins=counts["week_failed"],
        refused=counts["refused"],
        exports=counts["exports"],
        month_start=month_start,
        today=today,
    )


def latest_events(events: QuerySet[AuditEvent], *event_types: str) -> dict[str, AuditEvent]:
    """The latest event of each type (one query); ids grow with time in the append-only chain."""
    last_ids = (
        events.filter(event_type__in=event_types)
        .values("event_type")
        .annotate(last=Max("id"))
        .values("last")
        .order_by()
    )
    return {e.event_type: e for e in events.filter(pk__in=last_ids).order_by()}


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
