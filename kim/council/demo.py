"""Council part of the demo world: the Stadt Siegen's 2022 KIM motion.

Public facts (domain brief § 4.7): on 19.08.2022 the CDU and SPD groups in the Siegen city
council moved that the administration report on the implementation of KIM to the Ausschuss für
Soziales, Familien und Senioren, session of 07.09.2022, and answer three questions; the
administration reported on 16.11.2022 in the same committee (agenda item 4b "Sachstand KIM").

Demo assumptions, not public facts: the reference number ``DEMO_MOTION_REFERENCE``, the
meeting times (17:00), the agenda position of the motion on 07.09.2022, the department
("Sozialamt") and the German wording of the three questions – the brief gives them only in
English paraphrase, so the text below is a reconstruction, not a quotation.

The administration's answer (``DEMO_REPORT_REFERENCE``, a Mitteilungsvorlage for the meeting
of 07.09.2022) is drafted by `siegen` with the figures as of 31.08.2022 and released by
`koordination` (four-eyes); afterwards `siegen` moves the draft's reference date to today, so
the released 2022 answer and today's figures can be compared. The narratives are demo text.
Idempotent: every record is looked up before it is created.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from kim.core import uploads
from kim.council import actions
from kim.council.actions import reports
from kim.council.models import (
    AgendaItem,
    Body,
    Meeting,
    MeetingState,
    MotionStatus,
    Organization,
    OrganizationKind,
    Paper,
    PaperType,
    Report,
)
from kim.organisations.models import Organisation

BERLIN = ZoneInfo("Europe/Berlin")
DEMO_MOTION_REFERENCE = "184/2022"
MOTION_DATE = dt.date(2022, 8, 19)
COMMITTEE = "Ausschuss für Soziales, Familien und Senioren"
MOTION_TITLE = "Berichterstattung über das Kommunale Integrationsmanagement (KIM)"
QUESTIONS: list[tuple[str, list[str]]] = [
    (
        "Wie viele Stellen der Landesinitiative entfallen insgesamt auf die Stadt Siegen, und "
        "wie viele davon auf die einzelnen KIM-Bausteine (Koordinierung/Strategie, Case "
        "Management, „Verstetigung der Integration“)?",
        ["positions_per_baustein"],
    ),
    (
        "Wie plant die Stadt, diese Stellen zu besetzen? Welche Aufgaben sollen von städtischen "
        "Mitarbeiterinnen und Mitarbeitern und welche von den freien Trägern wahrgenommen "
        "werden?",
        ["staffing_split"],
    ),
    (
        "Haben bereits Gespräche mit den freien Trägern stattgefunden? Wenn ja, mit welchem "
        "Ergebnis?",
        ["talks", "calls"],
    ),
]
DEMO_REPORT_REFERENCE = "196/2022"
REPORT_AS_OF = dt.date(2022, 8, 31)
REPORT_DATE = dt.date(2022, 9, 1)
REPORT_INTRODUCTION = (
    "Mit Antrag vom 19.08.2022 haben die CDU- und die SPD-Fraktion die Verwaltung gebeten, im "
    "Ausschuss für Soziales, Familien und Senioren über die Umsetzung des Kommunalen "
    "Integrationsmanagements (KIM) zu berichten. Die Verwaltung beantwortet die drei Fragen wie "
    "folgt. Alle Zahlen beziehen sich auf den Stichtag und stammen aus der KIM-Plattform."
)
NARRATIVES = [
    "Die Stellen des Bausteins 2 wurden vom Kreis Siegen-Wittgenstein nach Einwohnerzahl auf "
    "die kreisangehörigen Kommunen verteilt. Die Stelle im Baustein 3 ist bei der "
    "Ausländerbehörde der Stadt angesiedelt. (Demo)",
    "Die Verwaltung strebt nach dem Subsidiaritätsprinzip an, einen Teil der Stellen bei freien "
    "Trägern anzusiedeln. Die Entscheidung fällt nach Abschluss der Trägergespräche. (Demo)",
    "Die Gespräche mit den freien Trägern dauern an; über das Ergebnis wird die Verwaltung im "
    "Ausschuss berichten. (Demo)",
]
# (key, name, short name, kind)
ORGANIZATIONS = [
    ("rat", "Rat der Stadt Siegen", "Rat", OrganizationKind.COUNCIL),
    ("committee", COMMITTEE, "ASFS", OrganizationKind.COMMITTEE),
    ("cdu", "CDU-Fraktion im Rat der Stadt Siegen", "CDU", OrganizationKind.FRAKTION),
    ("spd", "SPD-Fraktion im Rat der Stadt Siegen", "SPD", OrganizationKind.FRAKTION),
    ("sozialamt", "Sozialamt", "Sozialamt", OrganizationKind.DEPARTMENT),
]


def _at(day: dt.date, hour: int = 17) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=BERLIN)


def _body(siegen: Organisation) -> Body:
    existing = Body.objects.filter(organisation=siegen).first()
    return existing or actions.create_body(
        acting_user=None,
        organisation=siegen,
        name="Stadt Siegen",
        short_name="Siegen",
        website="https://www.siegen.de/",
    )


def _organizations(body: Body) -> dict[str, Organization]:
    orgs = {}
    for key, name, short, kind in ORGANIZATIONS:
        existing = Organization.objects.filter(body=body, name=name).first()
        orgs[key] = existing or actions.create_organization(
            body, acting_user=None, name=name, short_name=short, kind=kind
        )
    return orgs


def _meeting(body: Body, committee: Organization, day: dt.date) -> Meeting:
    existing = Meeting.objects.filter(body=body, start=_at(day)).first()
    return existing or actions.create_meeting(
        body,
        acting_user=None,
        name=f"Sitzung des Ausschusses für Soziales, Familien und Senioren am {day:%d.%m.%Y}",
        start=_at(day),
        end=_at(day, 19),
        state=MeetingState.HELD,
        public=True,
        organizations=[committee],
    )


def _item(meeting: Meeting, number: str, name: str) -> AgendaItem:
    existing = AgendaItem.objects.filter(meeting=meeting, number=number).first()
    return existing or actions.add_agenda_item(
        meeting, acting_user=None, number=number, name=name, public=True
    )


def motion_pdf() -> bytes:
    """A one-page transcript of the motion, marked as demo (no original text is reproduced)."""
    from kim.partners.demo import minutes_pdf

    lines = [
        "Demo-Abschrift (keine Originalfassung)",
        f"Antrag vom {MOTION_DATE:%d.%m.%Y} an den {COMMITTEE}",
        "CDU- und SPD-Fraktion im Rat der Stadt Siegen",
        "",
        *[f"{n}. {text[:90]}" for n, (text, _keys) in enumerate(QUESTIONS, start=1)],
    ]
    return minutes_pdf(f"Antrag {DEMO_MOTION_REFERENCE}: {MOTION_TITLE}", lines)


def _motion(body: Body, orgs: dict[str, Organization], item: AgendaItem, lead: User) -> Paper:
    meeting = item.meeting
    motion = actions.receive_motion(
        body,
        acting_user=lead,
        reference=DEMO_MOTION_REFERENCE,
        date=MOTION_DATE,
        paper_type=PaperType.ANTRAG,
        name=MOTION_TITLE,
        originators=[orgs["cdu"], orgs["spd"]],
        committee=orgs["committee"],
        meeting=meeting,
        agenda_item=item,
        deadline=meeting.start.date(),
        department=orgs["sozialamt"],
        questions=[text for text, _keys in QUESTIONS],
    )
    for question, (_text, keys) in zip(motion.questions.order_by("number"), QUESTIONS, strict=True):
        actions.tag_question(question, acting_user=lead, block_keys=keys)
    actions.change_motion_status(
        motion, acting_user=lead, status=MotionStatus.IN_PROGRESS, expected_status="received"
    )
    checked = uploads.check_document(
        SimpleUploadedFile(f"antrag-{MOTION_DATE:%Y-%m-%d}-demo.pdf", motion_pdf())
    )
    actions.attach_file(
        motion,
        acting_user=lead,
        checked=checked,
        role="main",
        name=f"Antrag {DEMO_MOTION_REFERENCE} (Demo-Abschrift)",
        date=MOTION_DATE,
    )
    # The motion was public (published by the groups), so council members and OParl see it.
    return actions.release_paper(motion, acting_user=lead)


def seed_council(orgs: dict[str, Organisation]) -> Body:
    """The Stadt Siegen's council records and the 2022 KIM motion (see the module docstring)."""
    body = _body(orgs["Siegen"])
    council_orgs = _organizations(body)
    committee = council_orgs["committee"]
    september = _meeting(body, committee, dt.date(2022, 9, 7))
    november = _meeting(body, committee, dt.date(2022, 11, 16))
    _item(november, "4b", "Sachstand Kommunales Integrationsmanagement (KIM)")
    if not Paper.objects.filter(body=body, reference=DEMO_MOTION_REFERENCE).exists():
        item = _item(september, "5", f"Antrag der CDU- und SPD-Fraktion: {MOTION_TITLE}")
        _motion(body, council_orgs, item, User.objects.get(username="siegen"))
    motion = Paper.objects.get(body=body, reference=DEMO_MOTION_REFERENCE)
    if not Report.objects.filter(motion=motion).exists():
        _report(motion, council_orgs)
    return body


def _report(motion: Paper, orgs: dict[str, Organization]) -> Report:
    """Drafted by `siegen` as of 31.08.2022, released by `koordination`, then a new draft."""
    lead, coordination = (
        User.objects.get(username="siegen"),
        User.objects.get(username="koordination"),
    )
    report = reports.create_report(
        motion,
        acting_user=lead,
        reference=DEMO_REPORT_REFERENCE,
        subject=f"Antwort auf den Antrag {DEMO_MOTION_REFERENCE}: {MOTION_TITLE}",
        date=REPORT_DATE,
        as_of=REPORT_AS_OF,
        department=orgs["sozialamt"],
        introduction=REPORT_INTRODUCTION,
    )
    for question, narrative in zip(motion.questions.order_by("number"), NARRATIVES, strict=True):
        reports.update_section(
            report,
            question,
            acting_user=lead,
            expected_version=Report.objects.get(pk=report.pk).version,
            narrative=narrative,
            block_keys=question.block_keys,
        )
    report.refresh_from_db()
    reports.release_report(report, acting_user=coordination, expected_version=report.version)
    report.refresh_from_db()
    today = dt.date.today()
    return reports.update_report(
        report,
        acting_user=lead,
        expected_version=report.version,
        as_of=today,
        date=today,
    )
