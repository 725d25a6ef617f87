"""OParl 1.1 objects as JSON-ready dicts, and the list page format.

Pure functions of rows already filtered by ``access.public_*`` and loaded by ``queries.oparl_*``:
they run no queries of their own. A reference to something the public may not see (a
non-public meeting, an unreleased paper) is left out rather than pointing to a 404.

Type URIs, field names and the list format follow the OParl 1.1 specification
(https://schema.oparl.org/1.1/); tests validate every object type against the official JSON
schemas (vendored in ``tests/oparl_schema``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from kim.core.forms import FILTER_BOUNDS
from kim.council.models import (
    AgendaItem,
    Body,
    Consultation,
    ConsultationRole,
    File,
    Meeting,
    MeetingState,
    Organization,
    OrganizationKind,
    Paper,
    PaperType,
)

SCHEMA = "https://schema.oparl.org/1.1/"
OPARL_VERSION = SCHEMA
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100

# OParl's texts are German free text; our choices map to the usual wording.
PAPER_TYPES = {
    PaperType.ANTRAG: "Antrag",
    PaperType.ANFRAGE: "Anfrage",
    PaperType.MITTEILUNGSVORLAGE: "Mitteilungsvorlage",
    PaperType.BESCHLUSSVORLAGE: "Beschlussvorlage",
    PaperType.BEANTWORTUNG: "Beantwortung einer Anfrage",
}
ROLES = {
    ConsultationRole.KENNTNISNAHME: "Kenntnisnahme",
    ConsultationRole.VORBERATUNG: "Vorberatung",
    ConsultationRole.ENTSCHEIDUNG: "Entscheidung",
}
MEETING_STATES = {
    MeetingState.PLANNED: "terminiert",
    MeetingState.INVITED: "eingeladen",
    MeetingState.HELD: "durchgeführt",
    MeetingState.CANCELLED: "abgesagt",
}
# (organizationType, classification)
ORGANIZATION_TYPES = {
    OrganizationKind.COUNCIL: ("Gremium", "Rat"),
    OrganizationKind.COMMITTEE: ("Gremium", "Ausschuss"),
    OrganizationKind.FRAKTION: ("Fraktion", "Fraktion"),
    OrganizationKind.DEPARTMENT: ("Verwaltungsbereich", "Fachbereich"),
}


def timestamp(value: dt.datetime) -> str:
    """An OParl date-time: local time with offset, whole seconds."""
    return timezone.localtime(value).isoformat(timespec="seconds")


class Urls:
    """Absolute URLs of OParl objects and lists for one request.

    The prefix is computed once per request, so a list of 100 papers costs string
    concatenation, not hundreds of ``reverse`` calls."""

    def __init__(self, request: HttpRequest) -> None:
        self.root = request.build_absolute_uri(reverse("oparl:system"))

    def obj(self, kind: str, code: str) -> str:
        return f"{self.root}{kind}/{code}/"

    def body_list(self, body: Body, kind: str) -> str:
        return f"{self.root}bodies/{body.code}/{kind}/"


def _common(url: str, type_name: str, row: Any) -> dict[str, Any]:
    return {
        "id": url,
        "type": SCHEMA + type_name,
        "created": timestamp(row.created),
        "modified": timestamp(row.modified),
    }


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    """Leave out empty optional values (OParl: omit rather than send null or "")."""
    return {k: v for k, v in data.items() if v not in (None, "")}


def system(urls: Urls, name: str, website: str) -> dict[str, Any]:
    return {
        "id": urls.root,
        "type": SCHEMA + "System",
        "oparlVersion": OPARL_VERSION,
        "body": urls.root + "bodies/",
        "name": name,
        "website": website,
    }


def body(urls: Urls, row: Body) -> dict[str, Any]:
    lists = {
        kind: urls.body_list(row, path)
        for kind, path in [
            ("organization", "organizations"),
            ("person", "persons"),
            ("meeting", "meetings"),
            ("paper", "papers"),
            ("agendaItem", "agenda-items"),
            ("consultation", "consultations"),
            ("file", "files"),
        ]
    }
    return _compact(
        {
            **_common(urls.obj("bodies", row.code), "Body", row),
            "system": urls.root,
            "name": row.name,
            "shortName": row.short_name,
            "ags": row.ags,
            "website": row.website,
            **lists,
            "legislativeTerm": [],
        }
    )


def organization(urls: Urls, row: Organization) -> dict[str, Any]:
    org_type, classification = ORGANIZATION_TYPES[OrganizationKind(row.kind)]
    return _compact(
        {
            **_common(urls.obj("organizations", row.code), "Organization", row),
            "body": urls.obj("bodies", row.body.code),
            "name": row.name,
            "shortName": row.short_name,
            "organizationType": org_type,
            "classification": classification,
            "startDate": row.start_date.isoformat() if row.start_date else None,
            "endDate": row.end_date.isoformat() if row.end_date else None,
        }
    )


def agenda_item(urls: Urls, row: AgendaItem) -> dict[str, Any]:
    consultation: Consultation | None = getattr(row, "consultation", None)
    return _compact(
        {
            **_common(urls.obj("agenda-items", row.code), "AgendaItem", row),
            "meeting": urls.obj("meetings", row.meeting.code),
            "number": row.number,
            "order": row.order,
            "name": row.name,
            "public": row.public,
            "consultation": urls.obj("consultations", consultation.code)
            if consultation is not None and consultation.paper.released
            else None,
            "result": row.result,
        }
    )


def meeting(urls: Urls, row: Meeting) -> dict[str, Any]:
    return _compact(
        {
            **_common(urls.obj("meetings", row.code), "Meeting", row),
            "name": row.name,
            "meetingState": MEETING_STATES[MeetingState(row.state)],
            "cancelled": row.state == MeetingState.CANCELLED,
            "start": timestamp(row.start),
            "end": timestamp(row.end) if row.end else None,
            "organization": [urls.obj("organizations", o.code) for o in row.organizations.all()],
            # The prefetch (queries.oparl_meetings) holds the public items only.
            "agendaItem": [agenda_item(urls, item) for item in row.agenda_items.all()],
        }
    )


def consultation(urls: Urls, row: Consultation) -> dict[str, Any]:
    public_meeting = row.meeting is not None and row.meeting.public
    item = row.agenda_item
    return _compact(
        {
            **_common(urls.obj("consultations", row.code), "Consultation", row),
            "paper": urls.obj("papers", row.paper.code),
            "meeting": urls.obj("meetings", row.meeting.code)
            if public_meeting and row.meeting
            else None,
            "agendaItem": urls.obj("agenda-items", item.code)
            if public_meeting and item is not None and item.public
            else None,
            "organization": [urls.obj("organizations", row.organization.code)]
            if row.organization
            else None,
            "authoritative": row.authoritative,
            "role": ROLES[ConsultationRole(row.role)],
        }
    )


def file(urls: Urls, row: File) -> dict[str, Any]:
    url = urls.obj("files", row.code)
    return _compact(
        {
            **_common(url, "File", row),
            "name": row.name,
            "fileName": row.file_name,
            "mimeType": row.mime_type,
            "date": row.date.isoformat(),
            "size": row.size,
            "sha512Checksum": row.sha512,
            "accessUrl": url + "access",
            "downloadUrl": url + "download",
            "paper": [urls.obj("papers", row.paper.code)],
        }
    )


def paper(urls: Urls, row: Paper) -> dict[str, Any]:
    files = list(row.files.all())
    main = next((f for f in files if f.role == "main"), None)
    return _compact(
        {
            **_common(urls.obj("papers", row.code), "Paper", row),
            "body": urls.obj("bodies", row.body.code),
            "name": row.name,
            "reference": row.reference,
            "date": row.date.isoformat(),
            "paperType": PAPER_TYPES[PaperType(row.paper_type)],
            # The prefetch holds the released related papers only.
            "relatedPaper": [urls.obj("papers", p.code) for p in row.related_papers.all()],
            "mainFile": file(urls, main) if main else None,
            "auxiliaryFile": [file(urls, f) for f in files if f is not main],
            "originatorOrganization": [
                urls.obj("organizations", o.code) for o in row.originator_organizations.all()
            ],
            "underDirectionOf": [urls.obj("organizations", row.under_direction_of.code)]
            if row.under_direction_of
            else [],
            "consultation": [consultation(urls, c) for c in row.consultations.all()],
        }
    )


# --- list pages ---------------------------------------------------------------------------------

FILTERS = {
    "created_since": "created__gte",
    "created_until": "created__lte",
    "modified_since": "modified__gte",
    "modified_until": "modified__lte",
}


EXAMPLE_TIME = "2022-09-01T00:00:00+02:00"


class BadRequest(ValueError):
    """A list parameter that cannot be understood; answered with 400."""


def _datetime(name: str, raw: str) -> dt.datetime:
    # An unencoded "+" of the offset arrives as a space.
    try:
        value = parse_datetime(raw.strip().replace(" ", "+"))
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise BadRequest(f"{name}: expected a date-time with offset, e.g. {EXAMPLE_TIME}")
    # Year 1 or 9999 with an offset overflows when the database converts it to UTC.
    if not FILTER_BOUNDS.contains(value.date()):
        raise BadRequest(
            f"{name}: expected a date-time between {FILTER_BOUNDS.earliest.isoformat()} "
            f"and {FILTER_BOUNDS.latest().isoformat()}"
        )
    return value


def _positive(name: str, raw: str | None, default: int) -> int:
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise BadRequest(f"{name}: expected a whole number of at least 1")
    return int(raw)


@dataclass(frozen=True)
class ListParams:
    """The filters, page and page size of a list request, checked."""

    filters: dict[str, dt.datetime]
    page: int
    per_page: int

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> ListParams:
        filters = {name: _datetime(name, query[name]) for name in FILTERS if query.get(name)}
        per_page = min(
            _positive("elementsPerPage", query.get("elementsPerPage"), DEFAULT_PAGE_SIZE),
            MAX_PAGE_SIZE,
        )
        return cls(filters, _positive("page", query.get("page"), 1), per_page)

    def lookups(self) -> dict[str, dt.datetime]:
        return {FILTERS[name]: value for name, value in self.filters.items()}

    def url(self, base: str, page: int) -> str:
        """A page's URL, keeping the filters and the page size (OParl: filters must persist)."""
        query: dict[str, str] = {k: v.isoformat() for k, v in self.filters.items()}
        if self.per_page != DEFAULT_PAGE_SIZE:
            query["elementsPerPage"] = str(self.per_page)
        if page > 1:
            query["page"] = str(page)
        return f"{base}?{urlencode(query)}" if query else base


def list_page(
    base: str,
    params: ListParams,
    total: int,
    rows: list[Any],
    render: Callable[[Any], dict[str, Any]],
) -> dict[str, Any]:
    """``data``, ``pagination`` and ``links`` as OParl 1.1 defines the list format."""
    pages = max(1, math.ceil(total / params.per_page))
    links = {"first": params.url(base, 1)}
    if params.page > 1:
        links["prev"] = params.url(base, params.page - 1)
    links["self"] = params.url(base, params.page)
    if params.page < pages:
        links["next"] = params.url(base, params.page + 1)
    links["last"] = params.url(base, pages)
    return {
        "data": [render(row) for row in rows],
        "pagination": {
            "totalElements": total,
            "elementsPerPage": params.per_page,
            "currentPage": params.page,
            "totalPages": pages,
        },
        "links": links,
    }
