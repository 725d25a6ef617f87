"""Council rows for tests, made through the actions.

The demo seeds the Stadt Siegen body with its committee, council groups, department, the two
2022 meetings and the released KIM motion; tests add their own rows on top and count only
those.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from kim.core import uploads
from kim.council import actions
from kim.council.models import Body, Meeting, Organization, Paper
from kim.organisations.models import Organisation

BERLIN = ZoneInfo("Europe/Berlin")
COMMITTEE = "Ausschuss für Soziales, Familien und Senioren"
PDF_BYTES = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def user(username: str) -> User:
    return User.objects.get(username=username)


def siegen() -> Body:
    return Body.objects.select_related("organisation").get(organisation__ags="05970040")


def org(body: Body, short_name: str) -> Organization:
    return Organization.objects.get(body=body, short_name=short_name)


def committee(body: Body | None = None) -> Organization:
    return Organization.objects.get(body=body or siegen(), name=COMMITTEE)


def meeting_on(day: dt.date, body: Body | None = None) -> Meeting:
    return Meeting.objects.get(body=body or siegen(), start__date=day)


def at(day: dt.date, hour: int = 17) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=BERLIN)


def kreuztal_body() -> Body:
    """A second body of the same Kreis, with a committee and a council group."""
    kreuztal = Organisation.objects.get(ags="05970024")
    body = actions.create_body(acting_user=None, organisation=kreuztal)
    actions.create_organization(
        body, acting_user=None, name="Sozialausschuss Kreuztal", kind="committee"
    )
    actions.create_organization(
        body, acting_user=None, name="Fraktion Kreuztal", short_name="FK", kind="fraktion"
    )
    return body


def new_meeting(body: Body | None = None, **change: Any) -> Meeting:
    body = body or siegen()
    kwargs: dict[str, Any] = {
        "acting_user": None,
        "name": "Testsitzung",
        "start": at(dt.date(2026, 3, 4)),
        "organizations": [Organization.objects.filter(body=body, kind="committee").first()],
        "public": True,
    }
    kwargs.update(change)
    return actions.create_meeting(body, **kwargs)


def motion_kwargs(body: Body | None = None, **change: Any) -> dict[str, Any]:
    """Arguments of ``receive_motion`` for an enquiry of the SPD group; ``change`` replaces
    any of them (defaults that name the body's organizations are looked up only if needed)."""
    body = body or siegen()
    defaults: dict[str, Any] = {
        "acting_user": lambda: user("siegen"),
        "reference": "T-1/2026",
        "date": dt.date(2026, 2, 1),
        "paper_type": "anfrage",
        "name": "Testanfrage zur Besetzung der KIM-Stellen",
        "originators": lambda: [org(body, "SPD")],
        "committee": lambda: committee(body),
        "questions": ["Wie viele Stellen sind besetzt?", "Wer besetzt sie?"],
        "deadline": dt.date(2026, 3, 1),
        "department": lambda: org(body, "Sozialamt"),
    }
    kwargs = {k: (v() if callable(v) else v) for k, v in defaults.items() if k not in change}
    return {**kwargs, **change}


def new_motion(body: Body | None = None, *, release: bool = False, **change: Any) -> Paper:
    body = body or siegen()
    motion = actions.receive_motion(body, **motion_kwargs(body, **change))
    if release:
        motion = actions.release_paper(motion, acting_user=None)
    return motion


def pdf(name: str = "anlage.pdf") -> uploads.CheckedFile:
    return uploads.check_document(SimpleUploadedFile(name, PDF_BYTES))
