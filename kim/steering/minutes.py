"""Generated minutes of a steering meeting as DOCX and PDF, from the structured data: header
(body, date, time, place, status), attendance, agenda, minutes text and decisions. Both formats
are built from one ``MinutesData``, so they cannot disagree."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kim.core.pdf import html_to_pdf
from kim.core.uploads import DOCX, PDF
from kim.steering.models import SteeringMeeting

FORMATS = {"docx": DOCX, "pdf": PDF}


@dataclass(frozen=True)
class MinutesData:
    title: str
    header: list[tuple[str, str]]
    attendance: list[tuple[str, str, str]]  # member (with organisation/function), status, note
    agenda: list[tuple[str, str, str]]  # number, title, description
    minutes: str
    decisions: list[tuple[str, str, str, str]]  # text, responsible, due, status
    approval: str


def _member_label(member: object) -> str:
    parts = [str(member)]
    organisation = getattr(member, "organisation", None)
    org_name = organisation.name if organisation else getattr(member, "organisation_name", "")
    extra = ", ".join(p for p in (getattr(member, "function", ""), org_name) if p)
    return f"{parts[0]} ({extra})" if extra else parts[0]


def minutes_data(meeting: SteeringMeeting) -> MinutesData:
    """``meeting`` as loaded by ``queries_bodies.meeting_page`` (no further queries)."""
    day = date_format(meeting.held_on, "SHORT_DATE_FORMAT")
    header = [
        (pgettext("steering", "Body"), meeting.body.name),
        (_("Date"), day),
        (_("Begins at"), meeting.starts_at.strftime("%H:%M") if meeting.starts_at else "–"),
        (_("Place"), meeting.location or "–"),
        (_("Status"), str(meeting.get_status_display())),
    ]
    attendance = [
        (_member_label(a.member), str(a.get_status_display()), a.note)
        for a in meeting.attendance.all()
    ]
    agenda = [(f"{i.number}.", i.title, i.description) for i in meeting.agenda_items.all()]
    decisions = [
        (
            d.text,
            str(d.owner) if d.owner else "–",
            date_format(d.due_on, "SHORT_DATE_FORMAT") if d.due_on else "–",
            str(d.get_status_display()),
        )
        for d in meeting.decisions.all()
    ]
    approval = (
        _("Minutes approved on %(day)s.")
        % {"day": date_format(meeting.minutes_approved_on, "SHORT_DATE_FORMAT")}
        if meeting.minutes_approved_on
        else _("Draft: the minutes have not been approved yet.")
    )
    return MinutesData(
        title=_("Minutes: %(body)s, meeting on %(day)s") % {"body": meeting.body.name, "day": day},
        header=header,
        attendance=attendance,
        agenda=agenda,
        minutes=meeting.minutes,
        decisions=decisions,
        approval=approval,
    )


def render_pdf(data: MinutesData) -> bytes:
    return html_to_pdf(render_to_string("steering/minutes_print.html", {"data": data}))


def render_docx(data: MinutesData) -> bytes:
    # python-docx is only needed for this download: import it here.
    from docx import Document
    from docx.shared import Cm

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.0)
    document.core_properties.title = data.title
    document.core_properties.language = "de-DE"
    document.add_heading(data.title, level=0)
    _table(document, [], [[k, v] for k, v in data.header])
    document.add_paragraph(data.approval)
    document.add_heading(_("Attendance"), level=1)
    _table(
        document,
        [_("Member"), _("Attendance"), _("Note")],
        [list(row) for row in data.attendance],
        empty=_("No attendance recorded."),
    )
    document.add_heading(_("Agenda"), level=1)
    if not data.agenda:
        document.add_paragraph(_("No agenda items."))
    for number, title, description in data.agenda:
        document.add_paragraph(f"{number} {title}", style="List Number")
        if description:
            document.add_paragraph(description)
    document.add_heading(_("Minutes"), level=1)
    for paragraph in (data.minutes or _("No minutes text yet.")).split("\n\n"):
        document.add_paragraph(paragraph)
    document.add_heading(_("Decisions"), level=1)
    _table(
        document,
        [pgettext("steering", "Decision"), _("Responsible"), _("Due on"), _("Status")],
        [list(row) for row in data.decisions],
        empty=_("No decisions recorded."),
    )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _table(document: object, header: list[str], rows: list[list[str]], empty: str = "") -> None:
    if not rows:
        if empty:
            document.add_paragraph(empty)  # type: ignore[attr-defined]
        return
    columns = len(rows[0])
    table = document.add_table(rows=0, cols=columns)  # type: ignore[attr-defined]
    table.style = "Table Grid"
    if header:
        cells = table.add_row().cells
        for cell, text in zip(cells, header, strict=True):
            cell.text = text
            for run in cell.paragraphs[0].runs:
                run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text


def render(meeting: SteeringMeeting, fmt: str) -> tuple[bytes, str, str]:
    """(bytes, content type, file name) of the generated minutes in ``fmt`` (docx or pdf)."""
    data = minutes_data(meeting)
    content = render_docx(data) if fmt == "docx" else render_pdf(data)
    name = f"protokoll-{meeting.body.code[:8]}-{meeting.held_on:%Y%m%d}.{fmt}"
    return content, FORMATS[fmt], name
