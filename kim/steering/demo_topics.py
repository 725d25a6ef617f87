"""Demo topics (issue 17 § 6), built through the actions on top of the demo cases:

1. The case managers of Siegen, Kreuztal and the welfare agency record further barriers
   (``record_barrier``), so that three categories reach the default threshold (5 barriers
   from 2 organisations) in a quarter: "Schnittstellen" three quarters ago, "Wartezeiten" and
   "Angebotslücken" this quarter.
2. The proposal rule (``propose_topics``) proposes the three topics – nothing is set by hand.
3. The coordination keeps "Angebotslücken" as a proposal, confirms "Wartezeiten" and moves it
   to working-group level (assigned to "Arbeitsgruppe Zugang zum Arbeitsmarkt" if the bodies'
   demo created it), and confirms "Schnittstellen" and moves it up twice, dated, to the
   Lenkungsgruppe.
4. Both confirmed topics go on the agenda of the Lenkungsgruppe's next planned meeting (if the
   bodies' demo planned one): "Schnittstellen" for a decision, "Wartezeiten" as the working
   group's report.

Idempotent: nothing happens once the Kreis has a topic; the barriers are recorded only once.
The barrier texts are general, without personal data (D-041).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from kim.cases.actions.barriers import record_barrier
from kim.cases.models import Barrier, BarrierCategory, Case, Phase
from kim.cases.queries.barriers import Quarter
from kim.organisations.models import Organisation
from kim.steering.actions import meetings as meeting_actions
from kim.steering.actions import topics as actions
from kim.steering.models import (
    BodyKind,
    MeetingStatus,
    SteeringBody,
    SteeringMeeting,
    Topic,
    TopicLevel,
)

WORKING_GROUP = "Arbeitsgruppe Zugang zum Arbeitsmarkt"
STEERING_GROUP = "Lenkungsgruppe KIM Kreis Siegen-Wittgenstein"
MARKER = "Sprachkurse mit Kinderbetreuung fehlen im ländlichen Raum (Demo)."

# (category key, legal sphere, quarters back, [(case manager, description), …])
BARRIERS: list[tuple[str, str, int, list[tuple[str, str]]]] = [
    (
        "schnittstelle",
        "asylblg",
        3,
        [
            ("cm-siegen", "Leistungslücke beim Wechsel vom AsylbLG ins SGB II (Demo)."),
            ("cm-siegen", "Unterlagen werden zwischen Sozialamt und Jobcenter doppelt verlangt."),
            ("cm-kreuztal", "Übergabe zwischen Sozialamt und Jobcenter ohne feste Ansprechstelle."),
            ("cm-kreuztal", "Bescheide der Leistungsträger widersprechen sich (Demo)."),
            ("cm-traeger", "Zuständigkeit nach Anerkennung wochenlang ungeklärt (Demo)."),
        ],
    ),
    (
        "wartezeit",
        "sgb_ii",
        0,
        [
            ("cm-siegen", "Wartezeit auf den Erstberatungstermin im Jobcenter (Demo)."),
            ("cm-siegen", "Anerkennung ausländischer Abschlüsse dauert viele Monate (Demo)."),
            ("cm-kreuztal", "Sprachkursplätze erst nach langer Wartezeit verfügbar (Demo)."),
            ("cm-traeger", "Lange Wartezeit auf Termine bei der Ausländerbehörde (Demo)."),
            ("cm-traeger", "Arbeitsmarktzugang verzögert sich durch Wartezeit (Demo)."),
        ],
    ),
    (
        "angebot",
        "sgb_viii",
        0,
        [
            ("cm-siegen", MARKER),
            ("cm-siegen", "Kein Berufssprachkurs in Teilzeit im Kreisgebiet (Demo)."),
            ("cm-kreuztal", "Keine Kinderbetreuung während der Integrationskurse (Demo)."),
            ("cm-kreuztal", "Beratungsangebote nur in der Kernstadt erreichbar (Demo)."),
            ("cm-traeger", "Kaum Angebote zur Berufsorientierung für junge Erwachsene (Demo)."),
        ],
    ),
]


def _open_case(username: str) -> Case | None:
    return (
        Case.objects.filter(responsible__username=username)
        .exclude(phase=Phase.CLOSED)
        .select_related("organisation", "person")
        .order_by("id")
        .first()
    )


def _observed_on(today: dt.date, quarters_back: int) -> dt.date:
    quarter = Quarter.of(today)
    for _i in range(quarters_back):
        quarter = quarter.previous
    return today if quarters_back == 0 else quarter.first_month + dt.timedelta(days=14)


def _record_barriers(today: dt.date) -> None:
    users = get_user_model().objects
    for key, sphere, back, entries in BARRIERS:
        category = BarrierCategory.objects.get(key=key)
        for username, text in entries:
            case = _open_case(username)
            if case is None:  # a demo without this case manager's cases: fewer barriers
                continue
            record_barrier(
                case,
                acting_user=users.get(username=username),
                category=category,
                rechtskreis=sphere,
                organisation_involved=None,
                description=text,
                observed_on=_observed_on(today, back),
            )


def _topic(kreis: Organisation, key: str) -> Topic | None:
    return Topic.objects.filter(region=kreis, category__key=key).order_by("id").first()


def seed_topics(kreis: Organisation) -> None:
    actions.ensure_default_threshold()
    if Topic.objects.filter(region=kreis).exists():
        return
    today = timezone.localdate()
    if not Barrier.objects.filter(region=kreis, description=MARKER).exists():
        _record_barriers(today)
    coordinator = get_user_model().objects.get(username="koordination")
    actions.propose_topics(acting_user=None, region=kreis, day=today)

    waiting = _topic(kreis, "wartezeit")
    if waiting is not None:
        waiting = actions.confirm_topic(
            waiting, acting_user=coordinator, expected_version=waiting.version
        )
        group = SteeringBody.objects.filter(
            region=kreis, name=WORKING_GROUP, kind=BodyKind.WORKING_GROUP
        ).first()
        if group is not None:
            waiting = actions.assign_working_group(
                waiting, acting_user=coordinator, body=group, expected_version=waiting.version
            )
        actions.change_level(
            waiting,
            acting_user=coordinator,
            to_level=TopicLevel.WORKING_GROUP,
            changed_on=today,
            reason="Betrifft mehrere Städte und Träger; die Arbeitsgruppe klärt Terminkontingente.",
            expected_version=waiting.version,
        )

    interface = _topic(kreis, "schnittstelle")
    if interface is not None:
        interface = actions.confirm_topic(
            interface, acting_user=coordinator, expected_version=interface.version
        )
        start = Quarter.of(_observed_on(today, 3)).end  # the quarter after the proposal's
        moves = (
            (
                TopicLevel.WORKING_GROUP,
                start + dt.timedelta(days=10),
                "Wiederkehrend in drei Organisationen; Analyse in der Arbeitsgruppe.",
            ),
            (
                TopicLevel.STEERING_GROUP,
                min(today, start + dt.timedelta(days=120)),
                "Die Arbeitsgruppe braucht eine Vereinbarung zwischen Sozialamt und Jobcenter; "
                "das entscheidet die Lenkungsgruppe.",
            ),
        )
        for level, day, reason in moves:
            actions.change_level(
                interface,
                acting_user=coordinator,
                to_level=level,
                changed_on=day,
                reason=reason,
                expected_version=interface.version,
            )
            interface.refresh_from_db()
    _put_on_agenda(kreis, coordinator, today, [interface, waiting])


def _put_on_agenda(
    kreis: Organisation, coordinator: object, today: dt.date, topics: list[Topic | None]
) -> None:
    """The confirmed topics as items of the Lenkungsgruppe's next planned meeting."""
    meeting = (
        SteeringMeeting.objects.filter(
            body__region=kreis,
            body__name=STEERING_GROUP,
            status=MeetingStatus.PLANNED,
            held_on__gte=today,
        )
        .order_by("held_on")
        .first()
    )
    if meeting is None:
        return
    titles = {
        "schnittstelle": "Vereinbarung zwischen Sozialamt und Jobcenter zur Übergabe nach der "
        "Anerkennung",
        "wartezeit": "Bericht der Arbeitsgruppe zu Wartezeiten",
    }
    for topic in topics:
        if topic is None:
            continue
        topic.refresh_from_db()
        meeting_actions.add_agenda_item(
            acting_user=coordinator,  # type: ignore[arg-type]
            meeting=meeting,
            title=titles.get(topic.category.key, topic.title),
            topic=topic,
        )
