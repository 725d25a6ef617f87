"""Demo steering bodies of the Kreis Siegen-Wittgenstein (``kim seed_demo``): the
Lenkungsgruppe with members from the administration, the Jobcenter, the immigration office and
the welfare associations, two held meetings (2025 and 2026) and the next planned one, and the
working group "Zugang zum Arbeitsmarkt" reporting to it. Built through the actions; idempotent.
All people are fictional (office contact data only); topics on the agenda come from the topics'
own demo step."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from kim.organisations.demo import ABH_KREIS, demo_organisations
from kim.organisations.models import Organisation
from kim.steering.actions import bodies as b
from kim.steering.actions import meetings as m
from kim.steering.models import (
    AttendanceStatus,
    BodyKind,
    BodyMember,
    DecisionStatus,
    MeetingStatus,
    MemberRole,
    SteeringBody,
    SteeringMeeting,
)

STEERING_GROUP = "Lenkungsgruppe KIM Kreis Siegen-Wittgenstein"
WORKING_GROUP = "Arbeitsgruppe Zugang zum Arbeitsmarkt"
ESTABLISHED = dt.date(2024, 3, 1)

# name, organisation in the directory (or ""), organisation name otherwise, function, role,
# office e-mail (all fictional, role addresses of the demo domain)
EXTERNAL = [
    (
        "Dr. Hanna Weber (Demo)",
        "Kreis Siegen-Wittgenstein",
        "",
        "Dezernentin für Arbeit, Soziales und Integration",
        MemberRole.CHAIR,
        "dezernat-soziales@kreis-demo.example",
    ),
    (
        "Markus Schäfer (Demo)",
        "Jobcenter Siegen-Wittgenstein",
        "",
        "Geschäftsführung",
        MemberRole.MEMBER,
        "geschaeftsfuehrung@jobcenter-demo.example",
    ),
    (
        "Sabine Krämer (Demo)",
        ABH_KREIS,
        "",
        "Leitung der Ausländerbehörde",
        MemberRole.MEMBER,
        "abh-leitung@kreis-demo.example",
    ),
    (
        "Thomas Jung (Demo)",
        "Agentur für Arbeit Siegen",
        "",
        "Bereichsleitung Arbeitgeberservice",
        MemberRole.ADVISORY,
        "arbeitgeberservice@agentur-demo.example",
    ),
    (
        "Petra Hoffmann (Demo)",
        "",
        "Caritasverband Siegen-Wittgenstein (Demo)",
        "Fachbereichsleitung Migration",
        MemberRole.MEMBER,
        "migration@caritas-demo.example",
    ),
    (
        "Jens Becker (Demo)",
        "",
        "Diakonisches Werk im Kirchenkreis Siegen (Demo)",
        "Abteilungsleitung Migration und Integration",
        MemberRole.MEMBER,
        "integration@diakonie-demo.example",
    ),
    (
        "Aylin Demir (Demo)",
        "",
        "AWO Kreisverband Siegen-Wittgenstein (Demo)",
        "Geschäftsführung",
        MemberRole.MEMBER,
        "kreisverband@awo-demo.example",
    ),
]

REMIT = (
    "Die Lenkungsgruppe legitimiert und steuert das Kommunale Integrationsmanagement im Kreis: "
    "Sie beschließt Standards und Verfahren, nimmt die strukturellen Hürden auf, die das "
    "Case Management und die Arbeitsgruppen berichten, und gibt Themen, die der Kreis nicht "
    "selbst lösen kann, an das Land und die Bezirksregierung weiter."
)
WG_REMIT = (
    "Analysiert die im Case Management erfassten Hürden beim Zugang zu Arbeit und Ausbildung "
    "(Anerkennung, Sprachkurse, Beschäftigungserlaubnis) und bereitet Beschlüsse der "
    "Lenkungsgruppe vor."
)
MINUTES_2025 = (
    "TOP 1: Die Koordination berichtet über das erste Jahr des Case Managements in den elf "
    "Kommunen. Die Zahl der erfassten strukturellen Hürden steigt; am häufigsten betreffen "
    "sie Wartezeiten auf Termine und Sprachkurse.\n\n"
    "TOP 2: Die Lenkungsgruppe richtet die Arbeitsgruppe „Zugang zum Arbeitsmarkt“ ein. "
    "Jobcenter und Agentur für Arbeit benennen je eine Vertretung.\n\n"
    "TOP 3: Das Verfahren zur Weitergabe von Hürden an die Lenkungsgruppe wird beschlossen."
)
MINUTES_2026 = (
    "TOP 1: Die Arbeitsgruppe „Zugang zum Arbeitsmarkt“ berichtet: Anerkennungsverfahren "
    "dauern im Mittel deutlich länger als drei Monate.\n\n"
    "TOP 2: Die Ausländerbehörde stellt das neue Terminverfahren vor.\n\n"
    "TOP 3: Verschiedenes."
)


def _accounts() -> dict[str, object]:
    users = get_user_model().objects.filter(username__in=["koordination", "siegen"])
    return {u.get_username(): u for u in users}


def _org(name: str) -> Organisation | None:
    return Organisation.objects.filter(name=name).first() if name else None


def _members(body: SteeringBody, since: dt.date) -> dict[str, BodyMember]:
    accounts = _accounts()
    members = {
        "koordination": b.add_member(
            acting_user=None,
            body=body,
            user=accounts["koordination"],  # type: ignore[arg-type]
            function="KIM-Koordination",
            role=MemberRole.DEPUTY_CHAIR,
            joined_on=since,
        ),
        "siegen": b.add_member(
            acting_user=None,
            body=body,
            user=accounts["siegen"],  # type: ignore[arg-type]
            function="Programmleitung KIM",
            organisation=Organisation.objects.get(ags="05970040"),
            joined_on=since,
        ),
    }
    for name, org, org_name, function, role, email in EXTERNAL:
        members[name] = b.add_member(
            acting_user=None,
            body=body,
            name=name,
            organisation=_org(org),
            organisation_name=org_name,
            function=function,
            role=role,
            office_email=email,
            joined_on=since,
        )
    return members


def _hold(
    body: SteeringBody,
    day: dt.date,
    agenda: list[str],
    minutes: str,
    excused: set[str],
    members: dict[str, BodyMember],
) -> SteeringMeeting:
    meeting = m.plan_meeting(
        acting_user=None,
        body=body,
        held_on=day,
        starts_at=dt.time(14, 0),
        location="Kreishaus Siegen, Sitzungssaal 1",
    )
    for title in agenda:
        m.add_agenda_item(acting_user=None, meeting=meeting, title=title)
    meeting = m.update_meeting(
        acting_user=None,
        meeting=meeting,
        expected_version=meeting.version,
        held_on=day,
        starts_at=meeting.starts_at,
        location=meeting.location,
        status=MeetingStatus.HELD,
    )
    entries = {
        member.pk: (
            (AttendanceStatus.EXCUSED, "") if key in excused else (AttendanceStatus.PRESENT, "")
        )
        for key, member in members.items()
    }
    m.record_attendance(acting_user=None, meeting=meeting, entries=entries)
    return m.save_minutes(
        acting_user=None, meeting=meeting, expected_version=meeting.version, minutes=minutes
    )


def seed_steering() -> None:
    if SteeringBody.objects.filter(name=STEERING_GROUP).exists():
        return
    kreis = demo_organisations()["kreis"]
    today = timezone.localdate()
    group = b.create_body(
        acting_user=None,
        organisation=kreis,
        kind=BodyKind.STEERING_GROUP,
        name=STEERING_GROUP,
        remit=REMIT,
        established_on=ESTABLISHED,
    )
    members = _members(group, ESTABLISHED)
    first = _hold(
        group,
        dt.date(2025, 11, 12),
        [
            "Bericht der KIM-Koordination",
            "Einrichtung einer Arbeitsgruppe Zugang zum Arbeitsmarkt",
            "Verfahren für strukturelle Hürden",
        ],
        MINUTES_2025,
        {"Thomas Jung (Demo)"},
        members,
    )
    items = list(first.agenda_items.order_by("number"))
    founded = m.record_decision(
        acting_user=None,
        meeting=first,
        text="Die Arbeitsgruppe „Zugang zum Arbeitsmarkt“ wird eingerichtet.",
        owner=members["koordination"],
        agenda_item=items[1],
        due_on=dt.date(2025, 12, 31),
    )
    m.update_decision(
        acting_user=None,
        decision=founded,
        expected_version=founded.version,
        status=DecisionStatus.DONE,
        status_note="Die Arbeitsgruppe hat sich am 12.11.2025 konstituiert.",
        due_on=founded.due_on,
    )
    done = m.record_decision(
        acting_user=None,
        meeting=first,
        text="Die Koordination legt der Lenkungsgruppe halbjährlich die gebündelten "
        "strukturellen Hürden vor (nur Zahlen, keine Einzelfälle).",
        owner=members["koordination"],
        agenda_item=items[2],
        due_on=dt.date(2026, 3, 31),
    )
    m.update_decision(
        acting_user=None,
        decision=done,
        expected_version=done.version,
        status=DecisionStatus.IN_PROGRESS,
        status_note="Erster Bericht in Vorbereitung.",
        due_on=done.due_on,
    )
    _working_group(group, kreis)
    if today >= dt.date(2026, 6, 17):
        _second_meeting(group, members, first)
    m.plan_meeting(
        acting_user=None,
        body=group,
        held_on=today + dt.timedelta(days=24),
        starts_at=dt.time(14, 0),
        location="Kreishaus Siegen, Sitzungssaal 1",
    )


def _second_meeting(
    group: SteeringBody, members: dict[str, BodyMember], first: SteeringMeeting
) -> None:
    second = _hold(
        group,
        dt.date(2026, 6, 17),
        [
            "Genehmigung des Protokolls vom 12.11.2025",
            "Bericht der Arbeitsgruppe Zugang zum Arbeitsmarkt",
            "Terminvergabe der Ausländerbehörde",
        ],
        MINUTES_2026,
        {"Aylin Demir (Demo)"},
        members,
    )
    first.refresh_from_db()
    m.approve_minutes(
        acting_user=None,
        meeting=first,
        expected_version=first.version,
        approved_on=second.held_on,
    )
    items = list(second.agenda_items.order_by("number"))
    m.record_decision(
        acting_user=None,
        meeting=second,
        text="Die Koordination lädt die Anerkennungsberatung und die Kammern zur nächsten "
        "Sitzung der Arbeitsgruppe ein und berichtet über Wartezeiten.",
        owner=members["koordination"],
        agenda_item=items[1],
        due_on=dt.date(2027, 3, 31),
    )
    m.record_decision(
        acting_user=None,
        meeting=second,
        text="Die Ausländerbehörde prüft feste Terminkontingente für Beschäftigungserlaubnisse.",
        owner=members["Sabine Krämer (Demo)"],
        agenda_item=items[2],
        due_on=dt.date(2026, 12, 31),
    )


def _working_group(group: SteeringBody, kreis: Organisation) -> None:
    accounts = _accounts()
    wg = b.create_body(
        acting_user=None,
        organisation=kreis,
        kind=BodyKind.WORKING_GROUP,
        name=WORKING_GROUP,
        remit=WG_REMIT,
        parent=group,
        established_on=dt.date(2025, 11, 12),
    )
    since = wg.established_on
    b.add_member(
        acting_user=None,
        body=wg,
        user=accounts["koordination"],  # type: ignore[arg-type]
        function="KIM-Koordination",
        role=MemberRole.CHAIR,
        joined_on=since,
    )
    b.add_member(
        acting_user=None,
        body=wg,
        user=accounts["siegen"],  # type: ignore[arg-type]
        function="Programmleitung KIM",
        joined_on=since,
    )
    b.add_member(
        acting_user=None,
        body=wg,
        name="Nicole Wagner (Demo)",
        organisation=_org("Jobcenter Siegen-Wittgenstein"),
        function="Teamleitung Arbeitsvermittlung",
        office_email="arbeitsvermittlung@jobcenter-demo.example",
        joined_on=since,
    )
    b.add_member(
        acting_user=None,
        body=wg,
        name="Thomas Jung (Demo)",
        organisation=_org("Agentur für Arbeit Siegen"),
        function="Bereichsleitung Arbeitgeberservice",
        office_email="arbeitgeberservice@agentur-demo.example",
        joined_on=since,
    )
